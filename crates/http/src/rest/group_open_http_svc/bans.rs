//! Bans from live groups.

use natter_core::ApiResult;
use natter_services::groups::Ban;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    BanGroupMember, BannedAccount, GetGroupBanMember, GetGroupBanMemberReply, UnbanGroupMember,
};

pub async fn ban_group_member(ctx: Ctx, req: BanGroupMember) -> ApiResult<()> {
    ctx.services
        .groups
        .ban(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            Ban {
                accounts: req.members_account,
                duration: req.duration,
                description: req.description,
            },
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn unban_group_member(ctx: Ctx, req: UnbanGroupMember) -> ApiResult<()> {
    ctx.services
        .groups
        .unban(&ctx.app, &req.group_id, req.members_account)
        .await?;
    Ok(())
}

pub async fn get_group_ban_member(
    ctx: Ctx,
    req: GetGroupBanMember,
) -> ApiResult<GetGroupBanMemberReply> {
    let (bans, next_offset) = ctx
        .services
        .groups
        .bans(&ctx.app, &req.group_id, req.offset, req.limit)
        .await?;
    Ok(GetGroupBanMemberReply {
        banned_account_list: bans
            .into_iter()
            .map(|(member_account, banned_until)| BannedAccount {
                member_account,
                banned_until,
            })
            .collect(),
        next_offset,
    })
}
