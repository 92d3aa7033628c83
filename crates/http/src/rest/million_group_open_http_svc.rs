//! `v4/million_group_open_http_svc/*`: the topics of a topic-enabled community (Tencent pages
//! 1047/49468–49471). `group_open_http_svc/import_topic` (1047/53448) takes the same fields
//! ([`TopicFields`]).

use natter_core::ApiResult;
use natter_services::groups::{TopicChange, TopicRecord, TopicSelf};
use natter_webhook::Origin;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::envelope::parse_body;
use crate::handler::Ctx;
use crate::handler::HandlerFuture;
use crate::wire::million_group_open_http_svc::TopicProfile as TopicFields;

fn origin(ctx: &Ctx) -> Origin {
    Origin::rest(ctx.client_ip)
}

pub fn create_topic(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<TopicFields>(body)?;
        let topic_id = ctx
            .services
            .groups
            .create_topic(
                &ctx.app,
                &ctx.identifier,
                &req.group_id,
                req.new_topic(),
                &origin(&ctx),
            )
            .await?;
        Ok(json!({"TopicId": topic_id}))
    })
}

#[derive(Deserialize)]
struct DestroyRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "TopicIdList")]
    topic_id_list: Vec<String>,
}

pub fn destroy_topic(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DestroyRequest>(body)?;
        let results = ctx
            .services
            .groups
            .destroy_topics(&ctx.app, &req.group_id, req.topic_id_list, &origin(&ctx))
            .await?;
        let items: Vec<Value> = results
            .into_iter()
            .map(|(topic_id, code, info)| {
                json!({"ErrorCode": code, "ErrorInfo": info, "TopicId": topic_id})
            })
            .collect();
        Ok(json!({"DestroyResultItem": items}))
    })
}

#[derive(Deserialize)]
struct GetRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "TopicIdList")]
    topic_id_list: Option<Vec<String>>,
    #[serde(rename = "ResponseFilter")]
    response_filter: Option<Vec<String>>,
}

/// `TopicInfo` of `get_topic`, keeping only the fields `filter` names (`TopicId` always).
fn topic_info(t: &TopicRecord, filter: Option<&[String]>) -> Value {
    let mut m = Map::new();
    m.insert("TopicId".into(), t.topic_id.clone().into());
    let fields: [(&str, Value); 10] = [
        ("TopicName", t.name.clone().into()),
        // Spelled with a capital D in the reply, unlike everywhere else.
        ("GroupID", t.group_id.clone().into()),
        ("FaceUrl", t.face_url.clone().into()),
        ("Notification", t.notification.clone().into()),
        ("Introduction", t.introduction.clone().into()),
        ("CustomString", t.custom_string.clone().into()),
        ("CreateTime", t.created.into()),
        ("LastMsgTime", t.last_msg_time.into()),
        ("NextMsgSeq", t.next_msg_seq.into()),
        ("ShutUpAllFlag", u32::from(t.mute_all).into()),
    ];
    for (name, value) in fields {
        if filter.is_none_or(|f| f.iter().any(|n| n == name)) {
            m.insert(name.into(), value);
        }
    }
    Value::Object(m)
}

fn self_info(me: &TopicSelf) -> Value {
    json!({"MsgFlag": me.msg_flag, "MsgSeq": me.read_seq, "ShutUpTime": me.muted_until})
}

pub fn get_topic(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GetRequest>(body)?;
        let items = ctx
            .services
            .groups
            .topics(
                &ctx.app,
                &req.group_id,
                req.topic_id_list,
                req.from_account.as_deref().filter(|f| !f.is_empty()),
            )
            .await?;
        let filter = req.response_filter.as_deref();
        let list: Vec<Value> = items
            .into_iter()
            .map(|(topic_id, item)| match item {
                Ok((topic, me)) => {
                    let mut v = json!({
                        "ErrorCode": 0,
                        "ErrorInfo": "",
                        "TopicInfo": topic_info(&topic, filter),
                    });
                    if let Some(me) = me {
                        v["SelfInfo"] = self_info(&me);
                    }
                    v
                }
                Err(e) => json!({
                    "ErrorCode": e.code,
                    "ErrorInfo": e.info,
                    "TopicInfo": {"TopicId": topic_id},
                }),
            })
            .collect();
        Ok(json!({"TopicAndSelfInfo": list}))
    })
}

#[derive(Deserialize)]
struct ModifyRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "TopicId")]
    topic_id: String,
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "TopicName")]
    topic_name: Option<String>,
    #[serde(rename = "CustomString")]
    custom_string: Option<String>,
    #[serde(rename = "FaceUrl")]
    face_url: Option<String>,
    #[serde(rename = "Notification")]
    notification: Option<String>,
    #[serde(rename = "Introduction")]
    introduction: Option<String>,
    #[serde(rename = "MuteAllMember")]
    mute_all_member: Option<String>,
}

/// Reads a `modify_topic` body (REST or client): the group, the topic, the operator named in
/// `From_Account` (if any) and the change.
pub(crate) fn topic_change(
    body: Value,
) -> ApiResult<(String, String, Option<String>, TopicChange)> {
    let req: ModifyRequest = parse_body(body, natter_core::codes::GROUP_INVALID_PARAM)?;
    let mute_all = match req.mute_all_member.as_deref() {
        None => None,
        Some("On") => Some(true),
        Some("Off") => Some(false),
        Some(other) => {
            return Err(natter_core::ApiError::new(
                natter_core::codes::GROUP_INVALID_PARAM,
                format!("MuteAllMember {other:?} is not On or Off"),
            ))
        }
    };
    let change = TopicChange {
        name: req.topic_name,
        custom_string: req.custom_string,
        face_url: req.face_url,
        notification: req.notification,
        introduction: req.introduction,
        mute_all,
    };
    let from = req.from_account.filter(|f| !f.is_empty());
    Ok((req.group_id, req.topic_id, from, change))
}

pub fn modify_topic(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let (group_id, topic_id, from, change) = topic_change(body)?;
        let operator = from.unwrap_or_else(|| ctx.identifier.clone());
        ctx.services
            .groups
            .modify_topic(
                &ctx.app,
                &operator,
                &group_id,
                &topic_id,
                change,
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}
