//! Members: add, remove, read and change them, their roles, the owner, and mutes.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{MemberList, MemberPage};

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    AddGroupMember, AddGroupMemberReply, ChangeGroupOwner, DeleteGroupMember, ForbidSendMsg,
    GetGroupMemberInfo, GetGroupMemberInfoReply, GetGroupMutedAccount, GetGroupMutedAccountReply,
    GetGroupShuttedUin, GetGroupShuttedUinReply, GetRoleInGroup, GetRoleInGroupReply, MemberInfo,
    MemberRole, ModifyGroupMemberInfo, MutedAccount, ShuttedUin,
};

pub async fn add_group_member(ctx: Ctx, req: AddGroupMember) -> ApiResult<AddGroupMemberReply> {
    let added = ctx
        .services
        .groups
        .add_members(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.member_list
                .into_iter()
                .map(|m| m.member_account)
                .collect(),
            &ctx.origin(),
        )
        .await?;
    Ok(AddGroupMemberReply::of(added))
}

pub async fn delete_group_member(ctx: Ctx, req: DeleteGroupMember) -> ApiResult<()> {
    ctx.services
        .groups
        .delete_members(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.member_to_del_account,
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn get_group_member_info(
    ctx: Ctx,
    req: GetGroupMemberInfo,
) -> ApiResult<GetGroupMemberInfoReply> {
    if req.limit.is_some_and(|l| l > 6000) {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            "Limit must be at most 6000",
        ));
    }
    let page = MemberPage {
        offset: req.offset,
        next: req.next,
    };
    let MemberList {
        member_num,
        members,
        next,
    } = ctx
        .services
        .groups
        .members(
            &ctx.app,
            &req.group_id,
            &req.member_role_filter,
            page,
            req.limit,
        )
        .await?;
    // Every field without `MemberInfoFilter`; `AppMemberDefinedData` only when its own filter
    // names the keys.
    let fields = req.member_info_filter.as_deref();
    let custom = req.app_defined_data_filter_group_member.as_deref();
    let want = |field: &str| match field {
        "Member_Account" => true,
        "AppMemberDefinedData" => custom.is_some(),
        _ => fields.is_none_or(|f| f.iter().any(|n| n == field)),
    };
    Ok(GetGroupMemberInfoReply {
        member_num,
        member_list: members
            .iter()
            .map(|m| MemberInfo::of(m, &want, custom))
            .collect(),
        next,
    })
}

pub async fn get_role_in_group(ctx: Ctx, req: GetRoleInGroup) -> ApiResult<GetRoleInGroupReply> {
    let roles = ctx
        .services
        .groups
        .roles(&ctx.app, &req.group_id, req.user_account)
        .await?;
    Ok(GetRoleInGroupReply {
        user_id_list: roles
            .into_iter()
            .map(|(member_account, role)| MemberRole {
                member_account,
                role,
            })
            .collect(),
    })
}

pub async fn change_group_owner(ctx: Ctx, req: ChangeGroupOwner) -> ApiResult<()> {
    ctx.services
        .groups
        .change_owner(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.new_owner_account,
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn modify_group_member_info(ctx: Ctx, req: ModifyGroupMemberInfo) -> ApiResult<()> {
    let group_id = req.group_id.clone();
    let (member, change) = req.into_change();
    ctx.services
        .groups
        .modify_member(
            &ctx.app,
            &ctx.identifier,
            &group_id,
            member,
            change,
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn forbid_send_msg(ctx: Ctx, req: ForbidSendMsg) -> ApiResult<()> {
    ctx.services
        .groups
        .mute(&ctx.app, &req.group_id, req.members_account, req.mute_time)
        .await?;
    Ok(())
}

pub async fn get_group_muted_account(
    ctx: Ctx,
    req: GetGroupMutedAccount,
) -> ApiResult<GetGroupMutedAccountReply> {
    let muted = ctx.services.groups.muted(&ctx.app, &req.group_id).await?;
    Ok(GetGroupMutedAccountReply {
        group_id: req.group_id,
        muted_account_list: muted
            .into_iter()
            .map(|(member_account, muted_until)| MutedAccount {
                member_account,
                muted_until,
            })
            .collect(),
    })
}

/// `get_group_muted_account` under its old name, with the old field names.
pub async fn get_group_shutted_uin(
    ctx: Ctx,
    req: GetGroupShuttedUin,
) -> ApiResult<GetGroupShuttedUinReply> {
    let muted = ctx.services.groups.muted(&ctx.app, &req.group_id).await?;
    Ok(GetGroupShuttedUinReply {
        group_id: req.group_id,
        shutted_uin_list: muted
            .into_iter()
            .map(|(member_account, shutted_until)| ShuttedUin {
                member_account,
                shutted_until,
            })
            .collect(),
    })
}
