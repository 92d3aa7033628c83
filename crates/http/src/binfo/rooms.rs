//! The SDK's AVChatRoom commands (online count, online members, marks, bans) and member
//! profiles (`getGroupMemberProfile`), through the REST API's services, for members of the
//! group; marks and bans by the owner and admins.
//!
//! The long polling of AVChatRoom messages, and joining one without login, are in [`super::live`].

use natter_core::ApiResult;
use natter_services::groups::permissions::ClientAction;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::{typed, Ctx};
use crate::rest::{group_open_avchatroom_http_svc as avchatroom, group_open_http_svc as rest};
use crate::wire::group_open_http_svc::{BanGroupMember, MemberInfo};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupRef {
    group_id: String,
}

async fn authorized(ctx: &Ctx, body: &Value, action: ClientAction<'_>) -> ApiResult<String> {
    let group_id = ctx.parse::<GroupRef>(body.clone())?.group_id;
    ctx.services
        .groups
        .authorize(&ctx.app, &group_id, &ctx.identifier, action)
        .await?;
    Ok(group_id)
}

/// `get_online_member_num` (`getGroupOnlineMemberCount`): members online in an AVChatRoom.
pub(super) async fn get_online_member_num(ctx: Ctx, body: Value) -> ApiResult<Value> {
    authorized(&ctx, &body, ClientAction::Read).await?;
    typed(ctx, body, rest::get_online_member_num).await
}

/// `group_open_avchatroom_http_svc.get_members` (`getGroupMemberList` of an AVChatRoom): the
/// members online, a page from `Timestamp`, with or without one `Mark`.
pub(super) async fn get_members(ctx: Ctx, body: Value) -> ApiResult<Value> {
    authorized(&ctx, &body, ClientAction::Read).await?;
    typed(ctx, body, avchatroom::get_members).await
}

/// `group_open_avchatroom_http_svc.modify_user_info` (`markGroupMemberList`): marks set
/// (`CommandType` 1) or deleted (2) by the owner or an admin.
pub(super) async fn modify_user_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    authorized(&ctx, &body, ClientAction::MarkMembers).await?;
    typed(ctx, body, avchatroom::modify_user_info).await
}

/// `ban_group_member` (`deleteGroupMember` of an AVChatRoom, with a `duration`): the owner and
/// admins ban those below them.
pub(super) async fn ban_group_member(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: BanGroupMember = ctx.parse(body.clone())?;
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::Ban(&req.members_account),
        )
        .await?;
    typed(ctx, body, rest::ban_group_member).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SpecifiedMembers {
    group_id: String,
    #[serde(rename = "Member_List_Account")]
    accounts: Vec<String>,
    member_info_filter: Option<Vec<String>>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember")]
    custom_filter: Option<Vec<String>>,
}

/// Most members one `getGroupMemberProfile` names (the SDK's own limit).
const MAX_SPECIFIED_MEMBERS: usize = 50;

/// `get_specified_group_member_info` (`getGroupMemberProfile`): the named members' profiles
/// in the group, for its members; accounts that are not members are left out.
pub(super) async fn get_specified_group_member_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SpecifiedMembers = ctx.parse(body)?;
    if req.accounts.is_empty() || req.accounts.len() > MAX_SPECIFIED_MEMBERS {
        return Err(natter_core::ApiError::new(
            ctx.rules.invalid_param,
            format!(
                "Member_List_Account must name 1 to {MAX_SPECIFIED_MEMBERS} accounts, got {}",
                req.accounts.len()
            ),
        ));
    }
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let members = groups
        .named_members(&ctx.app, &req.group_id, req.accounts)
        .await?;
    let fields = req.member_info_filter.as_deref();
    let custom = req.custom_filter.as_deref();
    let want = |field: &str| match field {
        "Member_Account" => true,
        "AppMemberDefinedData" => custom.is_some(),
        _ => fields.is_none_or(|f| f.is_empty() || f.iter().any(|n| n == field)),
    };
    let list: Vec<MemberInfo> = members
        .iter()
        .map(|m| MemberInfo::of(m, &want, custom))
        .collect();
    Ok(json!({ "MemberList": list }))
}
