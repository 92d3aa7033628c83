//! The SDK's message extensions (`setMessageExtensions`, `getMessageExtensions`,
//! `deleteMessageExtensions`): `openim_msg_ext_http_svc.set_key_values`, `get_key_values` and
//! their `group_` twins. The REST API's commands, with the user as the actor: one-to-one
//! extensions only on the user's own conversations, group ones (of the group or one of a
//! community's topics) only as a member. The other
//! side and the user's other devices hear of every change (`C2cMsgExtension`,
//! `GroupMsgExtension`; the SDK's MESSAGE_EXTENSIONS_UPDATED and …_DELETED).
//!
//! Unlike the REST API (an administrator's writes win), the `Seq` the SDK sends with each key
//! (the version of it the SDK saw) is compared: a key written since is left alone and answered
//! with code 23001 and its value now, which the SDK keeps, so the app may write it again.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::permissions::ClientAction;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;
use crate::wire::openim_msg_ext_http_svc::{
    ChangeFields, GetKeyValues, GetKeyValuesReply, SetKeyValues, SetKeyValuesReply,
};

/// The SDK writes the pull's start as `startSeq`, where the REST API has `StartSeq`.
fn start_seq(body: &Value) -> ApiResult<u64> {
    match body.get("startSeq").or_else(|| body.get("StartSeq")) {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v.as_u64().ok_or_else(|| {
            ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("startSeq must be an integer, got {v}"),
            )
        }),
    }
}

/// A one-to-one message's conversation must be the user's.
fn own_conversation(ctx: &Ctx, from: &str, to: &str) -> ApiResult<()> {
    if from == ctx.identifier || to == ctx.identifier {
        return Ok(());
    }
    Err(ApiError::new(
        codes::C2C_MSG_NOT_FOUND,
        "the message is not in a conversation of the logged-in user",
    ))
}

/// The reply of a set, delete or clear: the REST API's, with the message's new version
/// (`Seq`), from which the SDK's next pull starts (none when every key conflicted).
fn set_reply(reply: SetKeyValuesReply) -> ApiResult<Value> {
    let seq = reply
        .extension_list
        .iter()
        .filter(|r| r.error_code == 0)
        .map(|r| r.extension.seq)
        .max()
        .unwrap_or(0);
    let mut value = serde_json::to_value(reply)
        .map_err(|e| ApiError::new(codes::C2C_INTERNAL, format!("reply: {e}")))?;
    if seq > 0 {
        value["Seq"] = seq.into();
    }
    Ok(value)
}

fn to_value(reply: GetKeyValuesReply) -> ApiResult<Value> {
    serde_json::to_value(reply)
        .map_err(|e| ApiError::new(codes::C2C_INTERNAL, format!("reply: {e}")))
}

/// `set_key_values`: set (1), delete (2) or clear (3) a one-to-one message's extensions.
pub(super) async fn set_key_values(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SetKeyValues = ctx.parse(body)?;
    let target = req.target.into_target(None)?;
    own_conversation(&ctx, &target.from, &target.to)?;
    let seen = req.change.seen();
    let change = req.change.into_change()?;
    let changed = ctx
        .services
        .messages
        .change_extensions(&ctx.app, target, change, seen, &ctx.origin)
        .await?;
    set_reply(changed.into())
}

/// `get_key_values`: a one-to-one message's extensions from `startSeq` on.
pub(super) async fn get_key_values(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let start = start_seq(&body)?;
    let req: GetKeyValues = ctx.parse(body)?;
    let target = req.target.into_target(None)?;
    own_conversation(&ctx, &target.from, &target.to)?;
    let page = ctx
        .services
        .messages
        .extensions(&ctx.app, target, start)
        .await?;
    to_value(page.into())
}

/// The group's extension requests: `GroupId`, `MsgSeq`, and `TopicId` for a topic's message.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupMessage {
    group_id: String,
    msg_seq: u64,
    #[serde(default)]
    topic_id: Option<String>,
    #[serde(flatten)]
    change: ChangeFields,
}

impl GroupMessage {
    /// The group and, for a topic's message, the topic (the SDK sends `""` or nothing for the
    /// group itself).
    fn stream(&self) -> (&str, Option<&str>) {
        (
            &self.group_id,
            self.topic_id.as_deref().filter(|t| !t.is_empty()),
        )
    }
}

/// Members only (of the community, for a topic's message).
async fn as_member(ctx: &Ctx, req: &GroupMessage) -> ApiResult<()> {
    ctx.services
        .groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await
        .map(|_| ())
}

/// `group_set_key_values`: a member sets, deletes or clears a group message's extensions.
pub(super) async fn group_set_key_values(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let mut req: GroupMessage = ctx.parse(body)?;
    as_member(&ctx, &req).await?;
    let seen = req.change.seen();
    let change = std::mem::take(&mut req.change).into_change()?;
    let changed = ctx
        .services
        .groups
        .change_message_extensions(
            &ctx.app,
            req.stream(),
            req.msg_seq,
            change,
            seen,
            &ctx.origin,
        )
        .await?;
    set_reply(changed.into())
}

/// `group_get_key_values`: a member reads a group message's extensions from `startSeq` on.
pub(super) async fn group_get_key_values(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let start = start_seq(&body)?;
    let req: GroupMessage = ctx.parse(body)?;
    as_member(&ctx, &req).await?;
    let page = ctx
        .services
        .groups
        .message_extensions(&ctx.app, req.stream(), req.msg_seq, start)
        .await?;
    to_value(page.into())
}

/// The SDK's push for a changed extension (`MsgExtensionNotify`): the message by the parts of
/// its SDK id (`<TinyId>-<MsgClientTime>-<MsgRandom>`, the sender's), the operation, the keys
/// under the list named after it, and the message's latest version.
pub(super) fn extension_push(
    event: &serde_json::Map<String, Value>,
    message_info: (&str, Value),
    tiny_id: String,
) -> Value {
    let field = |name: &str| event.get(name).cloned().unwrap_or(Value::Null);
    let operate_type = field("OperateType").as_u64().unwrap_or(1);
    let list_name = match operate_type {
        2 => "DeleteKVInfo",
        3 => "ClearKVInfo",
        _ => "SetKVInfo",
    };
    json!({
        message_info.0: message_info.1,
        "TinyId": tiny_id,
        "MsgOptType": operate_type,
        list_name: [{
            "MsgKeyValue": field("ExtensionList"),
            "ClearMsgSeq": field("ClearSeq"),
        }],
        "MsgLastSeq": field("LatestSeq"),
    })
}
