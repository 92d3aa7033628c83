//! The SDK's group commands (`group_open_http_svc.*`). Each checks what the user may do in the
//! group ([`natter_services::groups::permissions`], one rule per action by type and role), then
//! runs the same service as the REST API with the user as the actor, so the same webhooks fire
//! with the SDK's `OptPlatform`. Bodies use the REST field names; where the SDK names a field
//! otherwise (`ShutUpAllMember`, `Applicant_Account`, `MsgReadedSeq`) it is read here.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::permissions::{read_profile, ClientAction};
use natter_services::groups::{Answer, Decision, GroupMember, JoinOutcome};
use natter_services::messages::user_number;
use serde::Deserialize;
use serde_json::{json, Value};

use super::commands::as_user;
use crate::handler::{typed, Ctx};
use crate::rest::group_open_http_svc as rest;
use crate::wire::group_open_http_svc::{DeleteGroupMember, ModifyGroupMemberInfo};

/// The group a command names (`GroupId`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupRef {
    group_id: String,
}

fn group_ref(ctx: &Ctx, body: &Value) -> ApiResult<String> {
    Ok(ctx.parse::<GroupRef>(body.clone())?.group_id)
}

/// The body's group, once the user's role there allows `action` (10007 otherwise).
pub(super) async fn authorized(
    ctx: &Ctx,
    body: &Value,
    action: ClientAction<'_>,
) -> ApiResult<String> {
    let group_id = group_ref(ctx, body)?;
    ctx.services
        .groups
        .authorize(&ctx.app, &group_id, &ctx.identifier, action)
        .await?;
    Ok(group_id)
}

/// Renames a field the SDK spells otherwise than the REST API.
fn rename(body: &mut Value, from: &str, to: &str) {
    if let Some(object) = body.as_object_mut() {
        if let Some(value) = object.remove(from) {
            object.entry(to).or_insert(value);
        }
    }
}

/// `create_group`: the REST body (plus `WebPushFlag`, ignored); the user is the owner
/// (`Owner_Account`, which the SDK sends, must be them).
pub(super) async fn create_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(ctx, body, "Owner_Account", rest::create_group).await
}

/// The user's own membership as the SDK reads a group's `SelfInfo`.
fn self_info(member: &GroupMember) -> Value {
    json!({
        "Member_Account": member.member,
        "Role": member.role,
        "JoinTime": member.join_time,
        "MsgFlag": member.msg_flag,
        "MsgSeq": member.read_seq,
        "NameCard": member.name_card,
        "ShutUpUntil": member.muted_until,
    })
}

/// Runs `get_group_info` on the body (without a member list) and checks each group: a Work
/// group's profile is for its members (10007 in that item). With `with_self`, members' items
/// carry `SelfInfo`.
async fn group_profiles(ctx: Ctx, mut body: Value, with_self: bool) -> ApiResult<Value> {
    if let Some(filter) = body
        .get_mut("ResponseFilter")
        .and_then(Value::as_object_mut)
    {
        // Without a member filter the REST API leaves the member list out.
        filter.remove("MemberInfoFilter");
        if let Some(public) = filter.remove("GroupBasePublicInfoFilter") {
            filter.insert("GroupBaseInfoFilter".into(), public);
        }
    }
    let services = ctx.services.clone();
    let app = ctx.app.clone();
    let me = ctx.identifier.clone();
    let mut reply = typed(ctx, body, rest::get_group_info).await?;
    let items = reply["GroupInfo"].as_array_mut().map(std::mem::take);
    let mut out = Vec::new();
    for mut item in items.unwrap_or_default() {
        item.as_object_mut().map(|o| o.remove("MemberList"));
        let Some(group_id) = item["GroupId"].as_str().map(str::to_owned) else {
            out.push(item);
            continue;
        };
        if item["ErrorCode"].as_u64().unwrap_or(0) != 0 {
            out.push(item);
            continue;
        }
        let group = services.groups.group(&app, &group_id).await?;
        let group_type = natter_core::GroupType::parse(&group.group_type)
            .unwrap_or(natter_core::GroupType::Public);
        let membership = services.groups.membership(&app, &group_id, &me).await?;
        if let Err(e) = read_profile(group_type, membership.is_some()) {
            out.push(json!({"GroupId": group_id, "ErrorCode": e.code, "ErrorInfo": e.info}));
            continue;
        }
        if let (true, Some(member)) = (with_self, &membership) {
            item["SelfInfo"] = self_info(member);
        }
        out.push(item);
    }
    reply["GroupInfo"] = out.into();
    Ok(reply)
}

/// `get_group_self_member_info` (the SDK's `getGroupProfile`): `get_group_info`'s items with
/// the user's own membership as `SelfInfo` instead of the member list.
pub(super) async fn get_group_self_member_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    group_profiles(ctx, body, true).await
}

/// `get_group_public_info` (`searchGroupByID`): the public fields the SDK names.
pub(super) async fn get_group_public_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    group_profiles(ctx, body, false).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApplyJoinGroup {
    group_id: String,
    #[serde(default)]
    apply_msg: String,
}

/// `apply_join_group`: the client join (`/ws`'s `join_group`); `JoinedStatus` tells the SDK
/// whether the user is in or waits for approval.
pub(super) async fn apply_join_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ApplyJoinGroup = ctx.parse(body)?;
    let outcome = ctx
        .services
        .groups
        .join(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            &req.apply_msg,
            &ctx.origin,
        )
        .await?;
    let mut reply = json!({
        "JoinedStatus": match outcome {
            JoinOutcome::Joined => "JoinedSuccess",
            JoinOutcome::Pending => "WaitAdminApproval",
        },
    });
    // The SDK keeps a joined AVChatRoom (and may send to it) only when the reply flags it as
    // one. No `LongPollingKey`: a logged-in member takes the room's messages as pushes.
    let groups = &ctx.services.groups;
    if outcome == JoinOutcome::Joined && groups.is_av_chat_room(&ctx.app, &req.group_id).await? {
        reply["HugeGroupFlag"] = 1.into();
    }
    Ok(reply)
}

/// `quit_group`: the client quit (`/ws`'s `quit_group`).
pub(super) async fn quit_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let group_id = group_ref(&ctx, &body)?;
    ctx.services
        .groups
        .quit(&ctx.app, &group_id, &ctx.identifier, &ctx.origin)
        .await?;
    Ok(Value::Null)
}

/// `destroy_group`: the owner disbands (never a Work group).
pub(super) async fn destroy_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let group_id = group_ref(&ctx, &body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &group_id, &ctx.identifier, ClientAction::Destroy)
        .await?;
    groups.destroy(&ctx.app, &group_id, &ctx.origin).await?;
    Ok(Value::Null)
}

/// `modify_group_base_info`: who may change what depends on type and role.
pub(super) async fn modify_group_base_info(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    rename(&mut body, "ShutUpAllMember", "MuteAllMember");
    let mute_all = body.get("MuteAllMember").is_some();
    authorized(&ctx, &body, ClientAction::ModifyProfile { mute_all }).await?;
    typed(ctx, body, rest::modify_group_base_info).await
}

/// `get_group_member_info`: the member list, for members.
pub(super) async fn get_group_member_info(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    // The SDK sends `Limit` 0 for "the default".
    if body.get("Limit").and_then(Value::as_u64) == Some(0) {
        body.as_object_mut().map(|o| o.remove("Limit"));
    }
    authorized(&ctx, &body, ClientAction::Read).await?;
    typed(ctx, body, rest::get_group_member_info).await
}

/// `delete_group_member`: removing members, by type and rank.
pub(super) async fn delete_group_member(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteGroupMember = ctx.parse(body.clone())?;
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::Kick(&req.member_to_del_account),
        )
        .await?;
    typed(ctx, body, rest::delete_group_member).await
}

/// `modify_group_member_info`: one's own card and options; roles by the owner; mutes and
/// others' cards by the owner and admins.
pub(super) async fn modify_group_member_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ModifyGroupMemberInfo = ctx.parse(body.clone())?;
    let group_id = req.group_id.clone();
    let (target, change) = req.into_change();
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &group_id,
            &ctx.identifier,
            ClientAction::ModifyMember {
                target: &target,
                change: &change,
            },
        )
        .await?;
    typed(ctx, body, rest::modify_group_member_info).await
}

/// `change_group_owner`: the owner hands the group to a member.
pub(super) async fn change_group_owner(ctx: Ctx, body: Value) -> ApiResult<Value> {
    authorized(&ctx, &body, ClientAction::ChangeOwner).await?;
    typed(ctx, body, rest::change_group_owner).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupMsgGet {
    group_id: String,
    /// The newest `MsgSeq` wanted (0 or absent: the newest there is).
    #[serde(default)]
    req_msg_seq: u64,
    #[serde(default = "default_history_count")]
    req_msg_number: usize,
    #[serde(default)]
    with_recalled_msg: u32,
    topic_id: Option<String>,
}

fn default_history_count() -> usize {
    15
}

/// Most messages one `group_msg_get` page holds (the SDK asks for 21; the REST history API
/// gives at most 20).
const HISTORY_PAGE: usize = 20;

/// `group_msg_get`: a page of the group's history for a member, newest first, older than or at
/// `ReqMsgSeq`, without what they cleared or deleted for themselves (the deleted ones within
/// the page's span are listed in `InvisibleMsgSeq`). `NextReqMsgSeq` is where the next page
/// starts; `IsFinished` 2 (what the SDK reads as "no more") once the oldest message is in.
pub(super) async fn group_msg_get(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupMsgGet = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let topic = req.topic_id.filter(|t| !t.is_empty());
    let page = groups
        .member_history(
            &ctx.app,
            (&req.group_id, topic.as_deref()),
            &ctx.identifier,
            (
                (req.req_msg_seq > 0).then_some(req.req_msg_seq),
                req.req_msg_number.clamp(1, HISTORY_PAGE),
            ),
            req.with_recalled_msg == 1,
        )
        .await?;
    let messages = &page.messages;
    let list: Vec<Value> = messages
        .iter()
        .map(|m| history_item(m, &req.group_id))
        .collect();
    let mut reply = json!({
        "GroupId": req.group_id,
        "IsFinished": if page.finished { 2 } else { 0 },
        "NextReqMsgSeq": page.next,
        "RspMsgList": list,
    });
    // Messages the user deleted for themselves (`delete_group_ramble_msg_by_seq`).
    if !page.invisible.is_empty() {
        reply["InvisibleMsgSeq"] = page.invisible.into();
    }
    if let Some(topic) = topic {
        reply["TopicId"] = topic.into();
    }
    Ok(reply)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MsgReadReport {
    group_id: String,
    msg_readed_seq: u64,
    topic_id: Option<String>,
}

/// `msg_read_report`: the user has read the group (or a topic) up to `MsgReadedSeq`.
pub(super) async fn msg_read_report(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: MsgReadReport = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    match req.topic_id.filter(|t| !t.is_empty()) {
        Some(topic) => {
            groups
                .read_topic(
                    &ctx.app,
                    &req.group_id,
                    &topic,
                    &ctx.identifier,
                    req.msg_readed_seq,
                )
                .await?
        }
        None => {
            groups
                .read_up_to(&ctx.app, &req.group_id, &ctx.identifier, req.msg_readed_seq)
                .await?
        }
    }
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HandleApplyJoinGroup {
    group_id: String,
    #[serde(rename = "Applicant_Account")]
    applicant: String,
    /// `Agree` or `Reject` (the SDK's `handleAction`).
    handle_msg: String,
    #[serde(default)]
    approval_msg: String,
}

/// `handle_apply_join_group`: the owner or an admin answers a join request.
pub(super) async fn handle_apply_join_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: HandleApplyJoinGroup = ctx.parse(body)?;
    let answer = Answered {
        group_id: req.group_id,
        applicant: req.applicant,
        handle_msg: req.handle_msg,
        approval_msg: req.approval_msg,
        inviter: None,
    };
    answer_application(&ctx, answer).await
}

/// An answer the owner or an admin gives to a join request, or to a member's invitation
/// (`inviter`).
pub(super) struct Answered {
    pub group_id: String,
    pub applicant: String,
    /// `Agree` or `Reject`.
    pub handle_msg: String,
    pub approval_msg: String,
    pub inviter: Option<String>,
}

/// Checks that the user may answer the group's applications, then answers.
pub(super) async fn answer_application(ctx: &Ctx, answer: Answered) -> ApiResult<Value> {
    let decision = match answer.handle_msg.as_str() {
        "Agree" => Decision::Agree,
        "Reject" => Decision::Refuse,
        other => {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("HandleMsg {other:?} is not Agree or Reject"),
            ))
        }
    };
    let groups = &ctx.services.groups;
    groups
        .authorize(
            &ctx.app,
            &answer.group_id,
            &ctx.identifier,
            ClientAction::HandleApplication,
        )
        .await?;
    groups
        .handle_application(
            &ctx.app,
            &answer.group_id,
            &ctx.identifier,
            Answer {
                applicant: answer.applicant,
                decision,
                message: answer.approval_msg,
                inviter: answer.inviter,
            },
            &ctx.origin,
        )
        .await?;
    Ok(Value::Null)
}

/// A group message as the SDK's history reads it (`group_msg_get`'s `RspMsgList`; also cloud
/// search's results).
pub(super) fn history_item(m: &natter_services::search::GroupMessage, group_id: &str) -> Value {
    // A recalled message's body is not served again, but the SDK drops a message
    // without elements, and would not show it recalled: it gets an empty text.
    let body = if m.deleted {
        json!([])
    } else if m.recalled {
        json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": ""}}])
    } else {
        serde_json::from_str(&m.body).unwrap_or_else(|_| json!([]))
    };
    json!({
        "From_Account": m.from,
        "ToGroupId": group_id,
        "MsgSeq": m.seq,
        "ClientSeq": m.seq,
        "Random": m.random,
        "MsgTime": m.time,
        "MsgClientTime": m.time,
        "MsgPriority": m.priority,
        "MsgBody": body,
        "CloudCustomData": m.cloud_custom_data,
        "IsPlaceMsg": if m.deleted { 1 } else if m.recalled { 2 } else { 0 },
        "TinyId": user_number(&m.from).to_string(),
        "SupportMessageExtension": u32::from(m.extensions.is_some()),
        "MsgVersion": m.version,
    })
}
