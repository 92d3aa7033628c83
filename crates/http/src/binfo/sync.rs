//! The Web SDK's catch-up and message edits: `openim.getmsg` (the one-to-one messages a client
//! missed while it was away), `openim.msgwithdraw` and `openim.modify_c2c_msg` (the user's own
//! messages, through the REST API's services and callbacks; the peer gets the SDK's pushes).
//!
//! ## Catch-up (`openim.getmsg`)
//!
//! The `Cookie` is the position (MsgTime, MsgSeq, MsgRandom) of the last message the client has,
//! as `v1_<time>_<seq>_<random>`; the SDK keeps it and sends it back, so no per-device state is
//! stored. A request answers the messages after it that the user received, or sent and keeps in
//! their history (copies from their other devices), oldest first, [`GETMSG_PAGE`] at a time:
//! `SyncFlag` 1 while a page was full, 2 when done, each page with the cookie of its last message.
//! Recalled messages, cleared ones and those past the app's retention are left out.
//!
//! The first sync (an empty or unreadable cookie) answers nothing and a cookie for "now": the past
//! is in the conversation list (`recentcontact.page_get`) and in each conversation's history
//! (`openim.getroammsg`). A finished sync's cookie never lies before the time of the sync, so a
//! later reconnect does not page again through what was pushed while connected before it.
//! Each page names the unread count and last message time of every peer in it
//! (`C2CRemainingUnreadCount`, `C2CPairUnreadCount`), from which the SDK builds its conversations.

use std::collections::BTreeMap;

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::edit::MessageTarget;
use natter_services::messages::{msg_key, StoredC2c};
use serde::Deserialize;
use serde_json::{json, Value};

use super::commands::stored_event;
use super::pushes::c2c_item;
use crate::handler::Ctx;

/// Messages per `openim.getmsg` page.
pub const GETMSG_PAGE: usize = 20;

/// A position in a user's one-to-one messages: (MsgTime, MsgSeq, MsgRandom).
type Position = (i64, u32, u32);

fn write_cookie((time, seq, random): Position) -> String {
    format!("v1_{time}_{seq}_{random}")
}

/// The position a cookie names; `None` for an empty or unreadable one (a first sync).
fn read_cookie(cookie: &str) -> Option<Position> {
    let mut parts = cookie.strip_prefix("v1_")?.split('_');
    let position = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    parts.next().is_none().then_some(position)
}

fn position(stored: &StoredC2c) -> Position {
    let m = &stored.message;
    (m.msg_time, m.msg_seq, m.msg_random)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Getmsg {
    #[serde(default)]
    cookie: String,
}

/// `openim.getmsg`: one page of the catch-up (see the module's notes).
pub(super) async fn getmsg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Getmsg = ctx.parse(body)?;
    let now: Position = (ctx.services.clock.now_secs(), 0, 0);
    let Some(after) = read_cookie(&req.cookie) else {
        return Ok(json!({
            "Cookie": write_cookie(now),
            "SyncFlag": 2,
            "MsgList": [],
            "C2CRemainingUnreadCount": [],
            "C2CPairUnreadCount": [],
        }));
    };
    let me = ctx.identifier.clone();
    let messages = &ctx.services.messages;
    let page = messages.since(&ctx.app, &me, after, GETMSG_PAGE).await?;
    let more = page.len() == GETMSG_PAGE;
    let last = page.last().map_or(after, position);
    let cookie = if more { last } else { last.max(now) };
    // The newest message time of each peer in the page.
    let mut peers: BTreeMap<String, i64> = BTreeMap::new();
    for stored in &page {
        let m = &stored.message;
        let peer = if m.from == me { &m.to } else { &m.from };
        let time = peers.entry(peer.clone()).or_default();
        *time = (*time).max(m.msg_time);
    }
    let unread = if peers.is_empty() {
        Vec::new()
    } else {
        messages
            .unread(&ctx.app, me.clone(), peers.keys().cloned().collect())
            .await?
            .1
    };
    let counts: Vec<Value> = unread
        .into_iter()
        .map(|(peer, count)| {
            json!({
                "From_Account": peer,
                "UnreadCount": count.unwrap_or(0),
                "LastMsgTime": peers.get(&peer).copied().unwrap_or(0),
            })
        })
        .collect();
    let list: Vec<Value> = page
        .iter()
        .map(|stored| c2c_item(&stored_event(stored), &me))
        .collect();
    Ok(json!({
        "Cookie": write_cookie(cookie),
        "SyncFlag": if more { 1 } else { 2 },
        "MsgList": list,
        "C2CRemainingUnreadCount": counts,
        "C2CPairUnreadCount": counts,
    }))
}

/// A message as the SDK names it in `openim.msgwithdraw`'s `MsgInfo` (its key conversion gives
/// several spellings of the accounts) and in `openim.modify_c2c_msg`.
#[derive(Deserialize)]
struct SdkMessage {
    #[serde(rename = "From_Account", alias = "FromAccount", alias = "fromAccount")]
    from: String,
    #[serde(rename = "To_Account", alias = "ToAccount", alias = "toAccount")]
    to: String,
    #[serde(rename = "MsgSeq")]
    seq: u32,
    #[serde(rename = "MsgRandom")]
    random: u32,
    #[serde(rename = "MsgTimeStamp", alias = "MsgTime")]
    time: i64,
}

impl SdkMessage {
    /// The user's own message, named the REST API's way.
    fn own(self, ctx: &Ctx) -> ApiResult<MessageTarget> {
        if self.from != ctx.identifier {
            return Err(ApiError::new(
                codes::C2C_FROM_ACCOUNT_INVALID,
                "From_Account is not the logged-in user; a user changes only their own messages",
            ));
        }
        Ok(MessageTarget {
            from: self.from,
            to: self.to,
            msg_key: msg_key(self.seq, self.random, self.time),
        })
    }
}

#[derive(Deserialize)]
struct Msgwithdraw {
    #[serde(rename = "MsgInfo")]
    msg_info: SdkMessage,
}

/// `openim.msgwithdraw`: the user recalls their own message (as `admin_msgwithdraw`, with its
/// callback) within the app's recall time limit (20016 after); the peer and the user's other
/// devices get the recall.
pub(super) async fn msgwithdraw(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Msgwithdraw = ctx.parse(body)?;
    let target = req.msg_info.own(&ctx)?;
    ctx.services
        .messages
        .client_recall(
            &ctx.app,
            &ctx.origin,
            target.from,
            target.to,
            target.msg_key,
        )
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct ModifyC2cMsg {
    #[serde(flatten)]
    message: SdkMessage,
    #[serde(rename = "MsgBody")]
    msg_body: Option<Value>,
    #[serde(rename = "CloudCustomData")]
    cloud_custom_data: Option<String>,
    /// The `MsgVersion` of the SDK's copy (0: never modified).
    #[serde(rename = "MsgVersion", default)]
    version: Option<u64>,
}

/// `openim.modify_c2c_msg`: the user edits their own message (as the REST `modify_c2c_msg`);
/// the peer and the user's other devices get the new message. The reply is the message as it
/// now is; an edit of an older copy than the stored message is refused as a conflict
/// ([`super::group_msgs::edit_reply`]).
pub(super) async fn modify_c2c_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ModifyC2cMsg = ctx.parse(body)?;
    let target = req.message.own(&ctx)?;
    let outcome = ctx
        .services
        .messages
        .modify(
            &ctx.app,
            &ctx.origin,
            target,
            req.msg_body.as_ref(),
            req.cloud_custom_data,
            Some(req.version.unwrap_or(0)),
        )
        .await?;
    super::group_msgs::edit_reply(outcome, serde_json::Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_name_a_position() {
        let cookie = write_cookie((1_700_000_000, 7, u32::MAX));
        assert_eq!(read_cookie(&cookie), Some((1_700_000_000, 7, u32::MAX)));
        for other in ["", "1700000000", "v1_1_2", "v1_1_2_3_4", "v1_a_2_3"] {
            assert_eq!(read_cookie(other), None, "{other}");
        }
    }
}
