//! The SDK's pinned group messages (`pinGroupMessage`, `getPinnedGroupMessageList`):
//! `group_open_http_svc.pin_message`, `unpin_message` and `get_pinned_messages`, which the
//! REST API does not have. The rules (who may pin, how many) are the group service's.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::MessagePin;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// A topic the SDK names, or `None` for the group itself.
fn topic(topic_id: Option<String>) -> Option<String> {
    topic_id.filter(|t| !t.is_empty())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PinMessage {
    group_id: String,
    #[serde(default)]
    topic_id: Option<String>,
    msg_seq: u64,
    /// The user, for `pin_message` (`Pinner_Account`) and `unpin_message`
    /// (`UnPinner_Account`).
    #[serde(default, rename = "Pinner_Account", alias = "UnPinner_Account")]
    operator: Option<String>,
}

async fn set_pinned(ctx: Ctx, body: Value, pinned: bool) -> ApiResult<Value> {
    let req: PinMessage = ctx.parse(body)?;
    if req.operator.as_deref().is_some_and(|o| o != ctx.identifier) {
        return Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            "the pinner is not the logged-in user; a user pins only as themselves",
        ));
    }
    ctx.services
        .groups
        .pin_message(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            MessagePin {
                topic_id: topic(req.topic_id),
                seq: req.msg_seq,
                pinned,
            },
            &ctx.origin,
        )
        .await?;
    Ok(Value::Null)
}

/// `group_open_http_svc.pin_message`: the owner or an admin pins a message (10070 past 10,
/// 10071 when pinned already); the members online hear of it.
pub(super) async fn pin_message(ctx: Ctx, body: Value) -> ApiResult<Value> {
    set_pinned(ctx, body, true).await
}

/// `group_open_http_svc.unpin_message`.
pub(super) async fn unpin_message(ctx: Ctx, body: Value) -> ApiResult<Value> {
    set_pinned(ctx, body, false).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetPinned {
    group_id: String,
    #[serde(default)]
    topic_id: Option<String>,
}

/// `group_open_http_svc.get_pinned_messages`: `PinnedMsgList`, one item per pinned message
/// with its `MsgSeq` and `Pinner_Account` (the SDK takes the message from its cache or pulls
/// it by sequence) and the message itself.
pub(super) async fn get_pinned_messages(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetPinned = ctx.parse(body)?;
    let pins = ctx
        .services
        .groups
        .pinned_messages(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            topic(req.topic_id),
        )
        .await?;
    let list: Vec<Value> = pins
        .iter()
        .map(|pin| {
            let m = &pin.message;
            let body: Value = serde_json::from_str(&m.body).unwrap_or_else(|_| json!([]));
            json!({
                "Pinner_Account": pin.pinner,
                "MsgSeq": m.seq,
                "MsgRandom": m.random,
                "MsgTimeStamp": m.time,
                "MsgClientTime": m.time,
                "From_Account": m.from,
                "MsgBody": body,
                "CloudCustomData": m.cloud_custom_data,
            })
        })
        .collect();
    Ok(json!({"PinnedMsgList": list}))
}
