//! `v4/group_open_http_svc/*`: groups, their members and their messages (Tencent pages
//! 1047/34895 onwards; the field lists of each reply follow the samples there).

use natter_core::message::check_body;
use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{
    priority_number, AttrChange, Ban, CounterMode, GroupInfoChange, GroupMember, GroupRecord,
    GroupSend, GroupService, ImportedMember, ImportedMessage, MemberChange, MemberList, MemberPage,
    NewGroup, GROUP_BODY_CODES,
};

use super::million_group_open_http_svc::TopicFields;

use natter_webhook::Origin;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::envelope::parse_body;
use crate::handler::Ctx;
use crate::handler::HandlerFuture;

fn origin(ctx: &Ctx) -> Origin {
    Origin::rest(ctx.client_ip)
}

#[derive(Deserialize)]
struct KeyValue {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

fn pairs(list: Vec<KeyValue>) -> Vec<(String, String)> {
    list.into_iter().map(|kv| (kv.key, kv.value)).collect()
}

fn pairs_json(pairs: &[(String, String)], only: Option<&[String]>) -> Value {
    Value::from(
        pairs
            .iter()
            .filter(|(k, _)| only.is_none_or(|keys| keys.contains(k)))
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect::<Vec<_>>(),
    )
}

fn mute_flag(on: bool) -> &'static str {
    if on {
        "On"
    } else {
        "Off"
    }
}

/// Every base field of a group, as `get_group_info` and `get_joined_group_list` name them.
fn base_fields(app: u64, g: &GroupRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Type".into(), g.group_type.clone().into());
    m.insert("Name".into(), g.name.clone().into());
    m.insert("Appid".into(), app.into());
    m.insert("Introduction".into(), g.introduction.clone().into());
    m.insert("Notification".into(), g.notification.clone().into());
    m.insert("FaceUrl".into(), g.face_url.clone().into());
    m.insert("Owner_Account".into(), g.owner.clone().into());
    m.insert("CreateTime".into(), g.created.into());
    m.insert("InfoSeq".into(), g.info_seq.into());
    m.insert("LastInfoTime".into(), g.last_info_time.into());
    m.insert("LastMsgTime".into(), g.last_msg_time.into());
    m.insert("NextMsgSeq".into(), g.next_msg_seq.into());
    m.insert("MemberNum".into(), g.member_count.into());
    m.insert("MaxMemberNum".into(), g.max_members.into());
    m.insert("ApplyJoinOption".into(), g.apply_join.clone().into());
    m.insert("InviteJoinOption".into(), g.invite_join.clone().into());
    m.insert("MuteAllMember".into(), mute_flag(g.mute_all).into());
    m
}

/// Every field of a member, as the member APIs name them.
fn member_fields(m: &GroupMember, custom: Option<&[String]>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("Member_Account".into(), m.member.clone().into());
    out.insert("Role".into(), m.role.clone().into());
    out.insert("JoinTime".into(), m.join_time.into());
    out.insert("MsgSeq".into(), m.read_seq.into());
    out.insert("MsgFlag".into(), m.msg_flag.clone().into());
    out.insert("LastSendMsgTime".into(), m.last_send_time.into());
    out.insert("MuteUntil".into(), m.muted_until.into());
    out.insert("NameCard".into(), m.name_card.clone().into());
    out.insert(
        "AppMemberDefinedData".into(),
        pairs_json(&m.app_defined, custom),
    );
    out
}

/// Keeps `always` and the fields `filter` names (all of them without a filter).
fn filtered(
    mut fields: Map<String, Value>,
    filter: Option<&[String]>,
    always: &[&str],
) -> Map<String, Value> {
    if let Some(filter) = filter {
        fields.retain(|k, _| always.contains(&k.as_str()) || filter.contains(k));
    }
    fields
}

#[derive(Deserialize)]
struct NewMember {
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "Role")]
    role: Option<String>,
}

#[derive(Deserialize)]
struct CreateRequest {
    #[serde(rename = "Type")]
    group_type: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Owner_Account")]
    owner_account: Option<String>,
    #[serde(rename = "GroupId")]
    group_id: Option<String>,
    #[serde(rename = "Introduction", default)]
    introduction: String,
    #[serde(rename = "Notification", default)]
    notification: String,
    #[serde(rename = "FaceUrl", default)]
    face_url: String,
    #[serde(rename = "MaxMemberCount")]
    max_member_count: Option<u64>,
    #[serde(rename = "ApplyJoinOption")]
    apply_join_option: Option<String>,
    #[serde(rename = "InviteJoinOption")]
    invite_join_option: Option<String>,
    #[serde(rename = "AppDefinedData", default)]
    app_defined_data: Vec<KeyValue>,
    #[serde(rename = "MemberList", default)]
    member_list: Vec<NewMember>,
    #[serde(rename = "SupportTopic", default)]
    support_topic: u32,
    /// `import_group` only.
    #[serde(rename = "CreateTime")]
    create_time: Option<i64>,
}

impl CreateRequest {
    fn into_new_group(self) -> NewGroup {
        NewGroup {
            group_type: self.group_type,
            name: self.name,
            owner: self.owner_account.filter(|o| !o.is_empty()),
            group_id: self.group_id,
            introduction: self.introduction,
            notification: self.notification,
            face_url: self.face_url,
            max_member_count: self.max_member_count,
            apply_join: self.apply_join_option,
            invite_join: self.invite_join_option,
            app_defined: pairs(self.app_defined_data),
            members: self
                .member_list
                .into_iter()
                .map(|m| (m.member_account, m.role))
                .collect(),
            support_topic: self.support_topic == 1,
        }
    }
}

pub fn create_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<CreateRequest>(body)?;
        let community = req.group_type == "Community";
        let group_id = ctx
            .services
            .groups
            .create(
                &ctx.app,
                &ctx.identifier,
                req.into_new_group(),
                &origin(&ctx),
            )
            .await?;
        Ok(if community {
            json!({"GroupId": group_id, "Type": "Community", "HugeGroupFlag": 0})
        } else {
            json!({"GroupId": group_id})
        })
    })
}

#[derive(Deserialize)]
struct GroupIdRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
}

pub fn destroy_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GroupIdRequest>(body)?;
        ctx.services
            .groups
            .destroy(&ctx.app, &req.group_id, &origin(&ctx))
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize, Default)]
struct InfoFilter {
    #[serde(rename = "GroupBaseInfoFilter")]
    group_base_info_filter: Option<Vec<String>>,
    #[serde(rename = "MemberInfoFilter")]
    member_info_filter: Option<Vec<String>>,
    #[serde(rename = "AppDefinedDataFilter_Group")]
    app_defined_data_filter_group: Option<Vec<String>>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember")]
    app_defined_data_filter_group_member: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct InfoRequest {
    #[serde(rename = "GroupIdList")]
    group_id_list: Vec<String>,
    #[serde(rename = "ResponseFilter")]
    response_filter: Option<InfoFilter>,
}

/// One `GroupInfo` item: everything without a filter; with one, the base fields it names and
/// the member list only when `MemberInfoFilter` asks for it.
async fn info_item(
    groups: &GroupService,
    ctx: &Ctx,
    group: &GroupRecord,
    filter: Option<&InfoFilter>,
) -> natter_core::ApiResult<Value> {
    let mut item = Map::new();
    item.insert("GroupId".into(), group.group_id.clone().into());
    item.insert("ErrorCode".into(), 0.into());
    item.insert("ErrorInfo".into(), "".into());
    let base = base_fields(ctx.app.sdkappid, group);
    item.extend(filtered(
        base,
        filter.and_then(|f| f.group_base_info_filter.as_deref()),
        &[],
    ));
    let group_keys = filter.and_then(|f| f.app_defined_data_filter_group.as_deref());
    if filter.is_none() || group_keys.is_some() {
        item.insert(
            "AppDefinedData".into(),
            pairs_json(&group.app_defined, group_keys),
        );
    }
    let member_filter = filter.and_then(|f| f.member_info_filter.as_deref());
    let live = group.group_type == "AVChatRoom";
    if !live && (filter.is_none() || member_filter.is_some()) {
        let members = groups
            .members(&ctx.app, &group.group_id, &[], MemberPage::default(), None)
            .await?
            .members;
        let custom = filter.and_then(|f| f.app_defined_data_filter_group_member.as_deref());
        let list: Vec<Value> = members
            .iter()
            .map(|m| {
                let mut fields = member_fields(m, custom);
                if custom.is_none() && filter.is_some() {
                    fields.remove("AppMemberDefinedData");
                }
                Value::Object(filtered(
                    fields,
                    member_filter
                        .map(|f| {
                            f.iter()
                                .map(|name| {
                                    if name == "Account" {
                                        "Member_Account".to_owned()
                                    } else {
                                        name.clone()
                                    }
                                })
                                .chain(["AppMemberDefinedData".to_owned()])
                                .collect::<Vec<_>>()
                        })
                        .as_deref(),
                    &["Member_Account"],
                ))
            })
            .collect();
        item.insert("MemberList".into(), list.into());
    }
    Ok(Value::Object(item))
}

pub fn get_group_info(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<InfoRequest>(body)?;
        let groups = ctx.services.groups.clone();
        let found = groups.info(&ctx.app, req.group_id_list).await?;
        let mut items = Vec::with_capacity(found.len());
        for (id, group) in found {
            items.push(match group {
                Some(g) => info_item(&groups, &ctx, &g, req.response_filter.as_ref()).await?,
                None => json!({
                    "GroupId": id,
                    "ErrorCode": codes::GROUP_NOT_FOUND,
                    "ErrorInfo": format!("group {id} does not exist or was disbanded"),
                }),
            });
        }
        Ok(json!({"GroupInfo": items}))
    })
}

#[derive(Deserialize)]
struct ModifyRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Introduction")]
    introduction: Option<String>,
    #[serde(rename = "Notification")]
    notification: Option<String>,
    #[serde(rename = "FaceUrl")]
    face_url: Option<String>,
    #[serde(rename = "MaxMemberNum")]
    max_member_num: Option<u64>,
    #[serde(rename = "ApplyJoinOption")]
    apply_join_option: Option<String>,
    #[serde(rename = "InviteJoinOption")]
    invite_join_option: Option<String>,
    #[serde(rename = "MuteAllMember", alias = "ShutUpAllMember")]
    mute_all_member: Option<String>,
    #[serde(rename = "AppDefinedData", default)]
    app_defined_data: Vec<KeyValue>,
}

pub fn modify_group_base_info(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ModifyRequest>(body)?;
        let mute_all = match req.mute_all_member.as_deref() {
            None => None,
            Some("On") => Some(true),
            Some("Off") => Some(false),
            Some(other) => {
                return Err(ApiError::new(
                    codes::GROUP_INVALID_PARAM,
                    format!("MuteAllMember {other:?} is not On or Off"),
                ))
            }
        };
        ctx.services
            .groups
            .modify(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                GroupInfoChange {
                    name: req.name,
                    introduction: req.introduction,
                    notification: req.notification,
                    face_url: req.face_url,
                    max_member_num: req.max_member_num,
                    apply_join: req.apply_join_option,
                    invite_join: req.invite_join_option,
                    mute_all,
                    app_defined: pairs(req.app_defined_data),
                },
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct JoinedFilter {
    #[serde(rename = "GroupBaseInfoFilter", default)]
    group_base_info_filter: Vec<String>,
    #[serde(rename = "SelfInfoFilter", default)]
    self_info_filter: Vec<String>,
}

#[derive(Deserialize)]
struct JoinedRequest {
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "WithHugeGroups", default)]
    with_huge_groups: u32,
    #[serde(rename = "Limit")]
    limit: Option<usize>,
    #[serde(rename = "Offset", default)]
    offset: usize,
    #[serde(rename = "GroupType")]
    group_type: Option<String>,
    #[serde(rename = "ResponseFilter")]
    response_filter: Option<JoinedFilter>,
}

pub fn get_joined_group_list(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<JoinedRequest>(body)?;
        let (groups, total) = ctx
            .services
            .groups
            .joined(
                &ctx.app,
                &req.member_account,
                req.with_huge_groups == 1,
                req.group_type.as_deref(),
                req.offset,
                req.limit,
            )
            .await?;
        let wants_unread = req.response_filter.as_ref().is_some_and(|f| {
            f.self_info_filter
                .iter()
                .any(|field| field == "UnreadMsgNum")
        });
        let unread = if wants_unread {
            ctx.services.groups.unread_counts(&ctx.app, &groups).await?
        } else {
            vec![0; groups.len()]
        };
        let items: Vec<Value> = groups
            .iter()
            .zip(&unread)
            .map(|((g, m), unread)| {
                let mut item = Map::new();
                item.insert("GroupId".into(), g.group_id.clone().into());
                if let Some(filter) = &req.response_filter {
                    let mut base = base_fields(ctx.app.sdkappid, g);
                    base.retain(|k, _| filter.group_base_info_filter.contains(k));
                    item.extend(base);
                    if !filter.self_info_filter.is_empty() {
                        let mut own = member_fields(m, None);
                        own.insert("UnreadMsgNum".into(), (*unread).into());
                        own.retain(|k, _| filter.self_info_filter.contains(k));
                        item.insert("SelfInfo".into(), Value::Object(own));
                    }
                }
                Value::Object(item)
            })
            .collect();
        Ok(json!({"TotalCount": total, "GroupIdList": items}))
    })
}

#[derive(Deserialize)]
struct AppGroupsRequest {
    #[serde(rename = "Limit")]
    limit: Option<usize>,
    #[serde(rename = "Next", default)]
    next: u64,
    #[serde(rename = "GroupType")]
    group_type: Option<String>,
}

pub fn get_appid_group_list(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<AppGroupsRequest>(body)?;
        let limit = req.limit.unwrap_or(10_000);
        if limit == 0 || limit > 10_000 {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("Limit must be 1 to 10000, got {limit}"),
            ));
        }
        let (ids, next, total) = ctx
            .services
            .groups
            .app_groups(&ctx.app, req.next, limit, req.group_type.as_deref())
            .await?;
        let list: Vec<Value> = ids.into_iter().map(|id| json!({"GroupId": id})).collect();
        Ok(json!({"TotalCount": total, "GroupIdList": list, "Next": next}))
    })
}

#[derive(Deserialize)]
struct MemberAccountItem {
    #[serde(rename = "Member_Account")]
    member_account: String,
}

#[derive(Deserialize)]
struct AddRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberList")]
    member_list: Vec<MemberAccountItem>,
    #[serde(rename = "Silence", default)]
    _silence: u32,
}

pub fn add_group_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<AddRequest>(body)?;
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
                &origin(&ctx),
            )
            .await?;
        let list: Vec<Value> = added
            .into_iter()
            .map(|a| json!({"Member_Account": a.member, "Result": a.result as u8}))
            .collect();
        Ok(json!({"MemberList": list}))
    })
}

#[derive(Deserialize)]
struct DeleteRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberToDel_Account")]
    member_to_del_account: Vec<String>,
    #[serde(rename = "Silence", default)]
    _silence: u32,
    #[serde(rename = "Reason", default)]
    _reason: String,
}

pub fn delete_group_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DeleteRequest>(body)?;
        ctx.services
            .groups
            .delete_members(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.member_to_del_account,
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct MemberInfoRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberInfoFilter")]
    member_info_filter: Option<Vec<String>>,
    #[serde(rename = "MemberRoleFilter", default)]
    member_role_filter: Vec<String>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember")]
    app_defined_data_filter_group_member: Option<Vec<String>>,
    #[serde(rename = "Limit")]
    limit: Option<usize>,
    #[serde(rename = "Offset", default)]
    offset: u64,
    /// Communities page with this cursor instead of `Offset`.
    #[serde(rename = "Next", default)]
    next: String,
}

pub fn get_group_member_info(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MemberInfoRequest>(body)?;
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
        let custom = req.app_defined_data_filter_group_member.as_deref();
        let list: Vec<Value> = members
            .iter()
            .map(|m| {
                let mut fields = member_fields(m, custom);
                if custom.is_none() {
                    fields.remove("AppMemberDefinedData");
                }
                let keep = req.member_info_filter.as_ref().map(|f| {
                    f.iter()
                        .cloned()
                        .chain(["AppMemberDefinedData".to_owned()])
                        .collect::<Vec<_>>()
                });
                Value::Object(filtered(fields, keep.as_deref(), &["Member_Account"]))
            })
            .collect();
        let mut reply = json!({"MemberNum": member_num, "MemberList": list});
        if let Some(next) = next {
            reply["Next"] = next.into();
        }
        Ok(reply)
    })
}

#[derive(Deserialize)]
struct RoleRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "User_Account")]
    user_account: Vec<String>,
}

pub fn get_role_in_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<RoleRequest>(body)?;
        let roles = ctx
            .services
            .groups
            .roles(&ctx.app, &req.group_id, req.user_account)
            .await?;
        let list: Vec<Value> = roles
            .into_iter()
            .map(|(member, role)| json!({"Member_Account": member, "Role": role}))
            .collect();
        Ok(json!({"UserIdList": list}))
    })
}

#[derive(Deserialize)]
struct SendRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Random")]
    random: u32,
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "MsgPriority")]
    msg_priority: Option<String>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: String,
    #[serde(rename = "OnlineOnlyFlag", default)]
    online_only_flag: u32,
    #[serde(rename = "ForbidCallbackControl", default)]
    forbid_callback_control: Vec<String>,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
    #[serde(rename = "SupportMessageExtension", default)]
    support_message_extension: u32,
    #[serde(rename = "NeedReadReceipt", default)]
    need_read_receipt: u32,
    #[serde(rename = "GroupAtInfo", default)]
    group_at_info: Vec<Mention>,
    #[serde(rename = "SendMsgControl", default)]
    send_msg_control: Vec<String>,
    #[serde(rename = "To_Account", default)]
    to_account: Vec<String>,
}

/// One `GroupAtInfo` item: `GroupAtAllFlag` 1 mentions everyone, 0 the `GroupAt_Account`.
#[derive(Deserialize)]
struct Mention {
    #[serde(rename = "GroupAtAllFlag", default)]
    group_at_all_flag: u32,
    #[serde(rename = "GroupAt_Account")]
    group_at_account: Option<String>,
}

/// Reads a `send_group_msg` body (REST or client): the group and the checked message.
pub(crate) fn group_send(body: Value) -> ApiResult<(String, GroupSend)> {
    let req: SendRequest = parse_body(body.clone(), codes::GROUP_INVALID_PARAM)?;
    let elements = check_body(
        body.get("MsgBody"),
        &req.cloud_custom_data,
        GROUP_BODY_CODES,
    )?;
    let forbids = |name: &str| req.forbid_callback_control.iter().any(|f| f == name);
    let controls = |name: &str| req.send_msg_control.iter().any(|c| c == name);
    if let Some(other) = req
        .send_msg_control
        .iter()
        .find(|c| !matches!(c.as_str(), "NoUnread" | "NoLastMsg"))
    {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            format!("SendMsgControl {other:?} is not NoUnread or NoLastMsg"),
        ));
    }
    let send = GroupSend {
        from: req.from_account.clone().filter(|f| !f.is_empty()),
        random: req.random,
        body: elements,
        cloud_custom_data: req.cloud_custom_data.clone(),
        priority: priority_number(req.msg_priority.as_deref())?,
        online_only: req.online_only_flag == 1,
        forbid_before_callback: forbids("ForbidBeforeSendMsgCallback"),
        forbid_after_callback: forbids("ForbidAfterSendMsgCallback"),
        topic_id: req.topic_id.clone().filter(|t| !t.is_empty()),
        supports_extension: req.support_message_extension == 1,
        need_receipt: req.need_read_receipt == 1,
        mentions: req
            .group_at_info
            .iter()
            .map(|m| match (m.group_at_all_flag, &m.group_at_account) {
                (1, _) => Ok(None),
                (0, Some(account)) if !account.is_empty() => Ok(Some(account.clone())),
                _ => Err(ApiError::new(
                    codes::GROUP_INVALID_PARAM,
                    "each GroupAtInfo item needs GroupAtAllFlag 1, or 0 with a GroupAt_Account",
                )),
            })
            .collect::<Result<_, _>>()?,
        no_unread: controls("NoUnread"),
        no_last_msg: controls("NoLastMsg"),
        to_accounts: req.to_account.clone(),
    };
    Ok((req.group_id, send))
}

pub fn send_group_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let (group_id, send) = group_send(body)?;
        let sent = ctx
            .services
            .groups
            .send(&ctx.app, &ctx.identifier, &group_id, send, &origin(&ctx))
            .await?;
        Ok(json!({"MsgTime": sent.msg_time, "MsgSeq": sent.msg_seq}))
    })
}

#[derive(Deserialize)]
struct HistoryRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "ReqMsgNumber")]
    req_msg_number: usize,
    #[serde(rename = "ReqMsgSeq")]
    req_msg_seq: Option<u64>,
    #[serde(rename = "WithRecalledMsg", default)]
    with_recalled_msg: u32,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
}

pub fn group_msg_get_simple(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<HistoryRequest>(body)?;
        let messages = ctx
            .services
            .groups
            .history(
                &ctx.app,
                &req.group_id,
                req.topic_id.as_deref().filter(|t| !t.is_empty()),
                req.req_msg_seq,
                req.req_msg_number,
                req.with_recalled_msg == 1,
            )
            .await?;
        let list: Vec<Value> = messages
            .into_iter()
            .map(|m| {
                let body: Value = serde_json::from_str(&m.body).unwrap_or_else(|_| json!([]));
                json!({
                    "From_Account": m.from,
                    "IsPlaceMsg": if m.deleted { 1 } else if m.recalled { 2 } else { 0 },
                    "MsgBody": if m.recalled || m.deleted { json!([]) } else { body },
                    "MsgPriority": m.priority,
                    "MsgRandom": m.random,
                    "MsgSeq": m.seq,
                    "MsgTimeStamp": m.time,
                    "CloudCustomData": m.cloud_custom_data,
                })
            })
            .collect();
        let mut reply = json!({"GroupId": req.group_id, "IsFinished": 1, "RspMsgList": list});
        if let Some(topic_id) = req.topic_id.filter(|t| !t.is_empty()) {
            reply["TopicId"] = topic_id.into();
        }
        Ok(reply)
    })
}

#[derive(Deserialize)]
struct OwnerRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "NewOwner_Account")]
    new_owner_account: String,
}

pub fn change_group_owner(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<OwnerRequest>(body)?;
        ctx.services
            .groups
            .change_owner(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.new_owner_account,
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct ModifyMemberRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "Role")]
    role: Option<String>,
    #[serde(rename = "MsgFlag")]
    msg_flag: Option<String>,
    #[serde(rename = "NameCard")]
    name_card: Option<String>,
    #[serde(rename = "MuteTime", alias = "ShutUpTime")]
    mute_time: Option<u64>,
    #[serde(rename = "AppMemberDefinedData", default)]
    app_member_defined_data: Vec<KeyValue>,
}

pub fn modify_group_member_info(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ModifyMemberRequest>(body)?;
        ctx.services
            .groups
            .modify_member(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.member_account,
                MemberChange {
                    role: req.role,
                    msg_flag: req.msg_flag,
                    name_card: req.name_card,
                    mute_time: req.mute_time,
                    app_defined: pairs(req.app_member_defined_data),
                },
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct MuteRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Members_Account")]
    members_account: Vec<String>,
    #[serde(rename = "MuteTime", alias = "ShutUpTime")]
    mute_time: u64,
}

pub fn forbid_send_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MuteRequest>(body)?;
        ctx.services
            .groups
            .mute(&ctx.app, &req.group_id, req.members_account, req.mute_time)
            .await?;
        Ok(Value::Null)
    })
}

/// The muted members, under the current names or the old ones (`get_group_shutted_uin`).
async fn muted_list(
    ctx: &Ctx,
    body: Value,
    list: &str,
    until: &str,
) -> natter_core::ApiResult<Value> {
    let req = ctx.parse::<GroupIdRequest>(body)?;
    let muted = ctx.services.groups.muted(&ctx.app, &req.group_id).await?;
    let items: Vec<Value> = muted
        .into_iter()
        .map(|(member, end)| json!({"Member_Account": member, until: end}))
        .collect();
    Ok(json!({"GroupId": req.group_id, list: items}))
}

pub fn get_group_muted_account(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move { muted_list(&ctx, body, "MutedAccountList", "MutedUntil").await })
}

pub fn get_group_shutted_uin(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move { muted_list(&ctx, body, "ShuttedUinList", "ShuttedUntil").await })
}

#[derive(Deserialize)]
struct SeqItem {
    #[serde(rename = "MsgSeq")]
    msg_seq: u64,
}

#[derive(Deserialize)]
struct RecallRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeqList")]
    msg_seq_list: Vec<SeqItem>,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
}

pub fn group_msg_recall(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<RecallRequest>(body)?;
        let results = ctx
            .services
            .groups
            .recall(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.topic_id.filter(|t| !t.is_empty()),
                req.msg_seq_list.into_iter().map(|s| s.msg_seq).collect(),
                &origin(&ctx),
            )
            .await?;
        let list: Vec<Value> = results
            .into_iter()
            .map(|(seq, code)| json!({"MsgSeq": seq, "RetCode": code}))
            .collect();
        Ok(json!({"RecallRetList": list}))
    })
}

/// `import_topic`: a topic as another system had it (no callbacks).
pub fn import_topic(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<TopicFields>(body)?;
        if let Some(kind) = req.group_type.as_deref().filter(|k| *k != "Community") {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("Type {kind:?}: topics exist only in Community groups"),
            ));
        }
        let topic_id = ctx
            .services
            .groups
            .import_topic(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.new_topic(),
                req.create_time,
                &origin(&ctx),
            )
            .await?;
        Ok(json!({"TopicId": topic_id}))
    })
}

pub fn import_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let mut req = ctx.parse::<CreateRequest>(body)?;
        let created = req.create_time.take();
        // Members come with import_group_member.
        req.member_list.clear();
        let group_id = ctx
            .services
            .groups
            .import(
                &ctx.app,
                &ctx.identifier,
                req.into_new_group(),
                created,
                &origin(&ctx),
            )
            .await?;
        Ok(json!({"GroupId": group_id}))
    })
}

#[derive(Deserialize)]
struct ImportMemberItem {
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "Role")]
    role: Option<String>,
    #[serde(rename = "JoinTime")]
    join_time: Option<i64>,
    #[serde(rename = "UnreadMsgNum", default)]
    unread_msg_num: u64,
}

#[derive(Deserialize)]
struct ImportMembersRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberList")]
    member_list: Vec<ImportMemberItem>,
}

pub fn import_group_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ImportMembersRequest>(body)?;
        let members = req
            .member_list
            .into_iter()
            .map(|m| ImportedMember {
                member: m.member_account,
                role: m.role,
                join_time: m.join_time,
                unread: m.unread_msg_num,
            })
            .collect();
        let added = ctx
            .services
            .groups
            .import_members(&ctx.app, &req.group_id, members)
            .await?;
        let list: Vec<Value> = added
            .into_iter()
            .map(|a| json!({"Member_Account": a.member, "Result": a.result as u8}))
            .collect();
        Ok(json!({"MemberList": list}))
    })
}

#[derive(Deserialize)]
struct ImportMsgItem {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "SendTime")]
    send_time: i64,
    #[serde(rename = "Random", default)]
    random: u32,
}

#[derive(Deserialize)]
struct ImportMsgRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgList")]
    msg_list: Vec<ImportMsgItem>,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
}

pub fn import_group_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ImportMsgRequest>(body.clone())?;
        let mut messages = Vec::with_capacity(req.msg_list.len());
        for (i, item) in req.msg_list.into_iter().enumerate() {
            let body = check_body(body["MsgList"][i].get("MsgBody"), "", GROUP_BODY_CODES)?;
            messages.push(ImportedMessage {
                from: item.from_account,
                send_time: item.send_time,
                random: item.random,
                body,
            });
        }
        let results = ctx
            .services
            .groups
            .import_messages(
                &ctx.app,
                &req.group_id,
                req.topic_id.filter(|t| !t.is_empty()),
                messages,
            )
            .await?;
        let list: Vec<Value> = results
            .into_iter()
            .map(|(seq, time, result)| json!({"MsgSeq": seq, "MsgTime": time, "Result": result}))
            .collect();
        Ok(json!({"ImportMsgResult": list}))
    })
}

#[derive(Deserialize)]
struct UnreadRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "UnreadMsgNum")]
    unread_msg_num: u64,
}

pub fn set_unread_msg_num(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<UnreadRequest>(body)?;
        ctx.services
            .groups
            .set_unread(
                &ctx.app,
                &req.group_id,
                req.member_account,
                req.unread_msg_num,
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct DeleteBySenderRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Sender_Account")]
    sender_account: String,
}

pub fn delete_group_msg_by_sender(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DeleteBySenderRequest>(body)?;
        ctx.services
            .groups
            .delete_by_sender(&ctx.app, &req.group_id, req.sender_account)
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct Attr {
    key: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct AttrRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "GroupAttr", default)]
    group_attr: Vec<Attr>,
}

async fn change_attrs(ctx: Ctx, body: Value, change: AttrChange) -> natter_core::ApiResult<Value> {
    let req = ctx.parse::<AttrRequest>(body)?;
    ctx.services
        .groups
        .change_attributes(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            change,
            req.group_attr
                .into_iter()
                .map(|a| (a.key, a.value))
                .collect(),
            &origin(&ctx),
        )
        .await?;
    Ok(Value::Null)
}

pub fn modify_group_attr(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(change_attrs(ctx, body, AttrChange::Modify))
}

pub fn set_group_attr(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(change_attrs(ctx, body, AttrChange::Set))
}

pub fn clear_group_attr(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(change_attrs(ctx, body, AttrChange::Clear))
}

pub fn delete_group_attr(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(change_attrs(ctx, body, AttrChange::Delete))
}

fn counters_json(counters: Vec<(String, i64)>) -> Value {
    Value::from(
        counters
            .into_iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect::<Vec<_>>(),
    )
}

#[derive(Deserialize)]
struct CounterKeysRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "GroupCounterKeys")]
    group_counter_keys: Option<Vec<String>>,
}

pub fn get_group_counter(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<CounterKeysRequest>(body)?;
        let counters = ctx
            .services
            .groups
            .counters(&ctx.app, &req.group_id, req.group_counter_keys)
            .await?;
        Ok(json!({"GroupCounter": counters_json(counters)}))
    })
}

#[derive(Deserialize)]
struct Counter {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: i64,
}

#[derive(Deserialize)]
struct UpdateCounterRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "GroupCounter")]
    group_counter: Vec<Counter>,
    #[serde(rename = "Mode")]
    mode: Option<String>,
}

pub fn update_group_counter(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<UpdateCounterRequest>(body)?;
        let mode = CounterMode::parse(req.mode.as_deref())?;
        let counters = ctx
            .services
            .groups
            .update_counters(
                &ctx.app,
                &req.group_id,
                mode,
                req.group_counter
                    .into_iter()
                    .map(|c| (c.key, c.value))
                    .collect(),
            )
            .await?;
        Ok(json!({"GroupCounter": counters_json(counters)}))
    })
}

pub fn delete_group_counter(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<CounterKeysRequest>(body)?;
        ctx.services
            .groups
            .delete_counters(
                &ctx.app,
                &req.group_id,
                req.group_counter_keys.unwrap_or_default(),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct BanRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Members_Account")]
    members_account: Vec<String>,
    /// `ban_group_member` only: seconds.
    #[serde(rename = "Duration", default)]
    duration: u32,
    #[serde(rename = "Description", default)]
    description: String,
}

pub fn ban_group_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<BanRequest>(body)?;
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
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

pub fn unban_group_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<BanRequest>(body)?;
        ctx.services
            .groups
            .unban(&ctx.app, &req.group_id, req.members_account)
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct BanListRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Offset", default)]
    offset: u64,
    #[serde(rename = "Limit")]
    limit: Option<usize>,
}

pub fn get_group_ban_member(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<BanListRequest>(body)?;
        let (bans, next) = ctx
            .services
            .groups
            .bans(&ctx.app, &req.group_id, req.offset, req.limit)
            .await?;
        let list: Vec<Value> = bans
            .into_iter()
            .map(|(member, until)| json!({"Member_Account": member, "BannedUntil": until}))
            .collect();
        Ok(json!({"BannedAccountList": list, "NextOffset": next}))
    })
}

#[derive(Deserialize)]
struct ReceiptRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeqList")]
    msg_seq_list: Vec<SeqItem>,
}

pub fn get_group_msg_receipt(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ReceiptRequest>(body)?;
        let receipts = ctx
            .services
            .groups
            .receipts(
                &ctx.app,
                &req.group_id,
                req.msg_seq_list.into_iter().map(|s| s.msg_seq).collect(),
            )
            .await?;
        let list: Vec<Value> = receipts
            .into_iter()
            .map(|r| {
                json!({"Code": r.code, "MsgSeq": r.msg_seq, "ReadNum": r.read_num,
                    "UnreadNum": r.unread_num})
            })
            .collect();
        Ok(json!({"GroupMsgReceiptList": list}))
    })
}

#[derive(Deserialize)]
struct ReceiptDetailRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeq")]
    msg_seq: u64,
    /// 0: who has read it; 1: who has not.
    #[serde(rename = "Filter", default)]
    filter: u32,
    #[serde(rename = "Cursor", default)]
    cursor: String,
    #[serde(rename = "Count", default = "default_receipt_count")]
    count: usize,
}

fn default_receipt_count() -> usize {
    100
}

pub fn get_group_msg_receipt_detail(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ReceiptDetailRequest>(body)?;
        if req.filter > 1 {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                "Filter must be 0 (read) or 1 (unread)",
            ));
        }
        let unread = req.filter == 1;
        let detail = ctx
            .services
            .groups
            .receipt_detail(
                &ctx.app,
                &req.group_id,
                req.msg_seq,
                unread,
                &req.cursor,
                req.count,
            )
            .await?;
        let (list_name, item_name) = if unread {
            ("UnreadList", "Unread_Account")
        } else {
            ("ReadList", "Read_Account")
        };
        let list: Vec<Value> = detail
            .accounts
            .into_iter()
            .map(|a| json!({ item_name: a }))
            .collect();
        let mut reply = json!({
            "MsgSeq": req.msg_seq,
            "Cursor": detail.cursor,
            "IsFinished": u32::from(detail.finished),
        });
        reply[list_name] = list.into();
        Ok(reply)
    })
}

#[derive(Deserialize)]
struct GroupIdOnly {
    #[serde(rename = "GroupId")]
    group_id: String,
}

pub fn get_online_member_num(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GroupIdOnly>(body)?;
        let count = ctx
            .services
            .groups
            .online_count(&ctx.app, &req.group_id)
            .await?;
        Ok(json!({ "OnlineMemberNum": count }))
    })
}

#[derive(Deserialize)]
struct SystemNotificationRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "ToMembers_Account", default)]
    to_members_account: Vec<String>,
    #[serde(rename = "Content")]
    content: String,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
}

pub fn send_group_system_notification(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<SystemNotificationRequest>(body)?;
        ctx.services
            .groups
            .system_notification(
                &ctx.app,
                &req.group_id,
                req.to_members_account,
                req.content,
                req.topic_id.filter(|t| !t.is_empty()),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct BroadcastRequest {
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "Random")]
    random: u32,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: String,
}

pub fn send_broadcast_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<BroadcastRequest>(body.clone())?;
        let elements = check_body(
            body.get("MsgBody"),
            &req.cloud_custom_data,
            GROUP_BODY_CODES,
        )?;
        let seq = ctx
            .services
            .groups
            .broadcast(
                &ctx.app,
                &ctx.identifier,
                req.from_account.filter(|f| !f.is_empty()),
                req.random,
                elements,
                req.cloud_custom_data,
            )
            .await?;
        Ok(json!({ "MsgSeq": seq }))
    })
}
