//! The SDK's community topics (`million_group_open_http_svc.*`): the owner and admins of a
//! topic-enabled community create, change and delete its topics, members read them, through the
//! REST API's services (same limits, codes and webhooks). Every other group command of a
//! community reaches the SDK's usual handler (see [`super::commands::find`]); topic messages
//! are group messages with `TopicId` (`send_group_msg`, `group_msg_get`, `msg_read_report`).

use natter_core::ApiResult;
use natter_services::groups::permissions::ClientAction;
use natter_services::groups::{NewTopic, TopicRecord, TopicSelf};
use serde::Deserialize;
use serde_json::{json, Value};

use super::commands::as_user;
use crate::handler::{typed, Ctx};
use crate::rest::group_open_http_svc as rest;
use crate::wire::million_group_open_http_svc::{CreateTopic, DestroyTopic, ModifyTopic};

/// `create_topic` (`createTopicInCommunity`): the user creates it (`From_Account` is theirs).
pub(super) async fn create_topic(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: CreateTopic = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::ManageTopics,
        )
        .await?;
    let topic = NewTopic {
        from: None,
        ..req.new_topic()
    };
    let topic_id = groups
        .create_topic(&ctx.app, &ctx.identifier, &req.group_id, topic, &ctx.origin)
        .await?;
    Ok(json!({ "TopicId": topic_id }))
}

/// `destroy_topic` (`deleteTopicFromCommunity`): a result per topic, as the REST API's.
pub(super) async fn destroy_topic(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: DestroyTopic = ctx.parse(body.clone())?;
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::ManageTopics,
        )
        .await?;
    typed(
        ctx,
        body,
        crate::rest::million_group_open_http_svc::destroy_topic,
    )
    .await
}

/// `modify_topic` (`updateTopicProfile`): `ShutUpAllMember` (`On`, `Off`) is the REST API's
/// `MuteAllMember`.
pub(super) async fn modify_topic(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    if let Some(object) = body.as_object_mut() {
        if let Some(mute) = object.remove("ShutUpAllMember") {
            object.entry("MuteAllMember").or_insert(mute);
        }
        object.remove("From_Account");
    }
    let req: ModifyTopic = ctx.parse(body)?;
    let (group_id, topic_id, _, change) = req.into_change()?;
    let groups = &ctx.services.groups;
    groups
        .authorize(
            &ctx.app,
            &group_id,
            &ctx.identifier,
            ClientAction::ManageTopics,
        )
        .await?;
    groups
        .modify_topic(
            &ctx.app,
            &ctx.identifier,
            &group_id,
            &topic_id,
            change,
            &ctx.origin,
        )
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetTopic {
    group_id: String,
    /// Empty or absent: every topic.
    #[serde(default)]
    topic_id_list: Vec<String>,
}

/// One topic as `getTopicList` reads it (the SDK files it by `GroupID`, spelled so).
fn topic_info(t: &TopicRecord) -> Value {
    json!({
        "TopicId": t.topic_id,
        "GroupID": t.group_id,
        "TopicName": t.name,
        "FaceUrl": t.face_url,
        "Introduction": t.introduction,
        "Notification": t.notification,
        "CustomString": t.custom_string,
        "CreateTime": t.created,
        "ShutUpAllFlag": u32::from(t.mute_all),
        "LastMsgTime": t.last_msg_time,
        "LastMsgSeq": t.next_msg_seq.saturating_sub(1),
        "NextMsgSeq": t.next_msg_seq,
    })
}

/// The user's view of a topic: what they read up to, their mute and message option.
fn self_info(me: &TopicSelf) -> Value {
    json!({
        "MsgSeq": me.read_seq,
        "ShutUpTime": me.muted_until,
        "MsgFlag": me.msg_flag,
    })
}

/// `get_topic` (`getTopicList`): the named topics (all without names) with the user's view of
/// each, for members.
pub(super) async fn get_topic(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetTopic = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let named = (!req.topic_id_list.is_empty()).then_some(req.topic_id_list);
    let items = groups
        .topics(&ctx.app, &req.group_id, named, Some(&ctx.identifier))
        .await?;
    let list: Vec<Value> = items
        .into_iter()
        .map(|(topic_id, item)| match item {
            Ok((topic, me)) => {
                let mut item =
                    json!({"ErrorCode": 0, "ErrorInfo": "", "TopicInfo": topic_info(&topic)});
                if let Some(me) = me {
                    item["SelfInfo"] = self_info(&me);
                }
                item
            }
            Err(e) => json!({
                "ErrorCode": e.code,
                "ErrorInfo": e.info,
                "TopicInfo": {"TopicId": topic_id},
            }),
        })
        .collect();
    Ok(json!({ "TopicAndSelfInfo": list }))
}

/// `million_group_open_http_svc.get_joined_group_list` (`getJoinedCommunityList`): the user's
/// communities with topics enabled, marked `SupportTopic` as the SDK filters them.
pub(super) async fn get_joined_community_list(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    if let Some(object) = body.as_object_mut() {
        object.insert("GroupType".into(), "Community".into());
        object.remove("SupportTopic");
    }
    let services = ctx.services.clone();
    let app = ctx.app.clone();
    let mut reply = as_user(ctx, body, "Member_Account", rest::get_joined_group_list).await?;
    let items = reply["GroupIdList"]
        .as_array_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut communities = Vec::with_capacity(items.len());
    for mut item in items {
        let Some(group_id) = item["GroupId"].as_str() else {
            continue;
        };
        if services.groups.group(&app, group_id).await?.support_topic {
            item["SupportTopic"] = 1.into();
            communities.push(item);
        }
    }
    reply["TotalCount"] = communities.len().into();
    reply["GroupIdList"] = communities.into();
    Ok(reply)
}
