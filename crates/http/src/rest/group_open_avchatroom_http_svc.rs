//! `v4/group_open_avchatroom_http_svc/*`: who is online in a live group and their member marks.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::group_open_avchatroom_http_svc::{
    GetMembers, GetMembersReply, ModifyUserInfo, ModifyUserInfoReply,
};

pub async fn get_members(ctx: Ctx, req: GetMembers) -> ApiResult<GetMembersReply> {
    let (members, next_timestamp) = ctx
        .services
        .groups
        .online_members(&ctx.app, &req.group_id, req.timestamp, req.mark)
        .await?;
    Ok(GetMembersReply {
        member_list: members.into_iter().map(Into::into).collect(),
        next_timestamp,
    })
}

pub async fn modify_user_info(ctx: Ctx, req: ModifyUserInfo) -> ApiResult<ModifyUserInfoReply> {
    let members = req.member_list.into_iter().map(Into::into).collect();
    let changed = ctx
        .services
        .groups
        .change_marks(&ctx.app, &req.group_id, req.command_type, members)
        .await?;
    Ok(ModifyUserInfoReply {
        command_type: req.command_type,
        member_list: changed.into_iter().map(Into::into).collect(),
    })
}
