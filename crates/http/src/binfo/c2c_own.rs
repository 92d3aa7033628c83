//! The SDK's commands on the user's own side of a one-to-one conversation, which the REST API
//! does not have: deleting messages for oneself (`deleteMessage`: `openim.delete_c2c_msg_ramble`),
//! read receipts (`sendMessageReadReceipt`: `openim.c2c_msg_read_receipt`) and the notification
//! setting per peer (`setMessageRemindType`: `openim.set_c2c_peer_mute_notifications`, and
//! `get_c2c_peer_mute_notifications`, with which the SDK fills each conversation's
//! `messageRemindType`), and for all messages (`setAllReceiveMessageOpt`:
//! `im_msg_db_logic.ws_set_do_not_disturb`, `ws_get_do_not_disturb`). The rules are the message
//! service's (`messages::own`, `receipts`).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::own::DoNotDisturb;
use natter_services::messages::receipts::ReceiptFor;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// Refuses a body that names someone else as the acting user.
fn require_self(ctx: &Ctx, field: &str, named: Option<&str>) -> ApiResult<()> {
    match named {
        Some(named) if named != ctx.identifier => Err(ApiError::new(
            codes::C2C_FROM_ACCOUNT_INVALID,
            format!("{field} {named} is not the logged-in user; a user acts only as themselves"),
        )),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
struct DeleteC2cMsgRamble {
    #[serde(rename = "From_Account", default)]
    from: Option<String>,
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(rename = "MsgKeyList")]
    msg_keys: Vec<String>,
}

/// `openim.delete_c2c_msg_ramble`: the user deletes up to 30 messages (by `MsgKey`) of their
/// conversation with `To_Account` from their own history; the peer keeps them.
pub(super) async fn delete_c2c_msg_ramble(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteC2cMsgRamble = ctx.parse(body)?;
    require_self(&ctx, "From_Account", req.from.as_deref())?;
    ctx.services
        .messages
        .delete_for_self(&ctx.app, &ctx.identifier, &req.to, &req.msg_keys)
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct ReceiptMessage {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(rename = "MsgSeq")]
    seq: u32,
    #[serde(rename = "MsgRandom")]
    random: u32,
    #[serde(rename = "MsgTime")]
    time: i64,
}

#[derive(Deserialize)]
struct C2cMsgReadReceipt {
    #[serde(rename = "Peer_Account")]
    peer: String,
    #[serde(rename = "C2CMsgInfo")]
    messages: Vec<ReceiptMessage>,
}

/// `openim.c2c_msg_read_receipt`: the user has read these messages from `Peer_Account`, which
/// asked for a receipt; the sender's SDK marks them read by the peer and says
/// MESSAGE_READ_RECEIPT_RECEIVED.
pub(super) async fn c2c_msg_read_receipt(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: C2cMsgReadReceipt = ctx.parse(body)?;
    let messages = req
        .messages
        .into_iter()
        .map(|m| ReceiptFor {
            from: m.from,
            to: m.to,
            seq: m.seq,
            random: m.random,
            time: m.time,
        })
        .collect();
    ctx.services
        .messages
        .send_c2c_receipts(&ctx.app, &ctx.origin, &ctx.identifier, &req.peer, messages)
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct SetPeerMutes {
    #[serde(rename = "Peer_Account")]
    peers: Vec<String>,
    #[serde(rename = "Mute_Notifications")]
    flag: u32,
}

/// `openim.set_c2c_peer_mute_notifications`: how the user is told of these peers' messages
/// (`Mute_Notifications` 0 receive and notify, 1 do not receive, 2 receive without notification);
/// the user's other devices follow (the SDK's `muteNotificationsSync`). `ErrorList` is empty: a
/// setting is kept for any peer.
pub(super) async fn set_c2c_peer_mute_notifications(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SetPeerMutes = ctx.parse(body)?;
    ctx.services
        .messages
        .set_peer_mutes(&ctx.app, &ctx.origin, &ctx.identifier, req.peers, req.flag)
        .await?;
    Ok(json!({"ErrorList": []}))
}

#[derive(Deserialize)]
struct GetPeerMutes {
    #[serde(rename = "To_Account", default)]
    owner: Option<String>,
    #[serde(rename = "Peer_Account", default)]
    peers: Vec<String>,
}

/// `openim.get_c2c_peer_mute_notifications`: the user's setting for each peer named
/// (`MuteNotificationsList`, 0 for a peer never set).
pub(super) async fn get_c2c_peer_mute_notifications(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetPeerMutes = ctx.parse(body)?;
    require_self(&ctx, "To_Account", req.owner.as_deref())?;
    let flags = ctx
        .services
        .messages
        .peer_mutes(&ctx.app, &ctx.identifier, req.peers.clone())
        .await?;
    let list: Vec<Value> = req
        .peers
        .iter()
        .zip(flags)
        .map(|(peer, flag)| json!({"Peer_Account": peer, "MuteNotifications": flag}))
        .collect();
    Ok(json!({"MuteNotificationsList": list}))
}

#[derive(Deserialize)]
struct SetDoNotDisturb {
    #[serde(rename = "Level", default)]
    level: u32,
    #[serde(rename = "StartTime", default)]
    start_time: i64,
    #[serde(rename = "EndTime", default)]
    end_time: i64,
    #[serde(rename = "IsRepeated", default)]
    repeated: u32,
}

/// `im_msg_db_logic.ws_set_do_not_disturb`: how the user is told of all messages (`Level` as
/// for a peer) between `StartTime` and `EndTime` (Unix seconds), every day with `IsRepeated`
/// 1; the user's other devices say ALL_RECEIVE_MESSAGE_OPT_UPDATED.
pub(super) async fn ws_set_do_not_disturb(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SetDoNotDisturb = ctx.parse(body)?;
    let setting = DoNotDisturb {
        level: req.level,
        start_time: req.start_time,
        end_time: req.end_time,
        repeated: req.repeated == 1,
    };
    ctx.services
        .messages
        .set_do_not_disturb(&ctx.app, &ctx.origin, &ctx.identifier, setting)
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct GetDoNotDisturb {
    #[serde(rename = "To_Account", default)]
    owner: Option<String>,
}

/// `im_msg_db_logic.ws_get_do_not_disturb`: the user's setting for all messages.
pub(super) async fn ws_get_do_not_disturb(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetDoNotDisturb = ctx.parse(body)?;
    require_self(&ctx, "To_Account", req.owner.as_deref())?;
    let setting = ctx
        .services
        .messages
        .do_not_disturb(&ctx.app, &ctx.identifier)
        .await?;
    Ok(do_not_disturb_fields(&setting))
}

/// The setting in the SDK's names (`Level` is its `messageRemindType`).
pub(super) fn do_not_disturb_fields(setting: &DoNotDisturb) -> Value {
    json!({
        "Level": setting.level,
        "StartTime": setting.start_time,
        "EndTime": setting.end_time,
        "IsRepeated": u32::from(setting.repeated),
    })
}
