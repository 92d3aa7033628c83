//! AVChatRoom viewers who long-poll: the Web SDK's `joinGroup` before login
//! (`group_open_http_noauth_svc.apply_join_group`), its polling of the room's messages
//! (`group_open_long_polling_http_noauth_svc.get_msg`, and `group_open_long_polling_http_svc.get_msg`
//! when logged in) and the recent messages it asks for when it starts polling
//! (`get_huge_group_msg`).
//!
//! The join answers a `LongPollingKey`: `<feed>:<next>:<GroupId>`, the room's feed on this node
//! (`natter_events::live`) and the number of the first message the viewer gets (the SDK's polls
//! name no group, only this key). Each poll answers the messages after its cursor, or holds until
//! some come or [`MAX_HOLD`] passes, with the `Key` and `NextSeq` the SDK sends on its next poll.
//! Polls are held beside the connection's other requests ([`Polls`]), never in its way.
//!
//! Logged-in members keep taking an AVChatRoom's messages as pushes: their join answers no key,
//! so the SDK never polls; a `get_msg` that comes anyway is served for members.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::FuturesUnordered;
use futures::{Future, StreamExt};
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Hub, LiveCursor};
use natter_services::Services;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::handler::Ctx;

/// The SDK's join without login.
pub(super) const NOAUTH_JOIN: &str = "group_open_http_noauth_svc.apply_join_group";
/// The SDK's polls without and with login.
pub(super) const NOAUTH_POLL: &str = "group_open_long_polling_http_noauth_svc.get_msg";
pub(super) const POLL: &str = "group_open_long_polling_http_svc.get_msg";

/// Longest a poll is held. The SDK asks for 90 s (`HoldTime`) but gives up on any request after
/// 15 s (and then waits 2 s before polling again), so a poll is answered well before that.
pub const MAX_HOLD: Duration = Duration::from_secs(10);
/// Polls one connection may have held at once (the SDK polls once per room it watches).
const MAX_HELD_POLLS: usize = 8;
/// Rooms one connection may watch without login.
const MAX_WATCHED: usize = 16;
/// Messages `get_huge_group_msg` answers: the room's last ones in this node's feed.
pub const HISTORY_COUNT: usize = 20;

/// The rooms a connection joined without login, and so may poll.
#[derive(Default)]
pub(super) struct Watched {
    pub app: Option<Arc<AppSettings>>,
    rooms: HashSet<String>,
}

impl Watched {
    pub fn any(&self) -> bool {
        !self.rooms.is_empty()
    }
}

/// A reply on its way: the request's `servcmd`, `seq` and result.
pub(super) type Reply = (String, Value, ApiResult<Value>);

/// Requests a connection holds beside its others, answered as each ends: long polls, and
/// commands handed to an outside engine ([`super::commands::Serving::Slow`]).
#[derive(Default)]
pub(super) struct Polls {
    held: FuturesUnordered<HeldReply>,
    slow: FuturesUnordered<HeldReply>,
}

type HeldReply = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// Slow commands one connection may have waiting at once; more are refused at once (60018).
const MAX_HELD_SLOW: usize = 4;

impl Polls {
    /// Holds a slow command's reply-to-be, or refuses it at once (60018) when the connection
    /// already waits on [`MAX_HELD_SLOW`] of them.
    pub fn hold_slow(
        &mut self,
        servcmd: String,
        seq: Value,
        reply: impl Future<Output = ApiResult<Value>> + Send + 'static,
    ) -> Option<Reply> {
        if self.slow.len() >= MAX_HELD_SLOW {
            let refusal = ApiError::new(
                natter_core::codes::TOO_MANY_REQUESTS,
                format!(
                    "{servcmd}: this connection already waits on {MAX_HELD_SLOW} such requests"
                ),
            );
            return Some((servcmd, seq, Err(refusal)));
        }
        self.slow.push(Box::pin(async move {
            let result = reply.await;
            (servcmd, seq, result)
        }));
        None
    }

    /// The next held request to end; never, while none is held.
    pub async fn next(&mut self) -> Reply {
        tokio::select! {
            Some(reply) = self.held.next(), if !self.held.is_empty() => reply,
            Some(reply) = self.slow.next(), if !self.slow.is_empty() => reply,
            else => std::future::pending().await,
        }
    }

    /// Holds a poll, or answers it at once (no hold) when the connection holds too many.
    fn hold(&mut self, servcmd: String, seq: Value, poll: Poll, hub: Arc<Hub>) -> Option<Reply> {
        let poll = if self.held.len() >= MAX_HELD_POLLS {
            Poll {
                hold: Duration::ZERO,
                ..poll
            }
        } else {
            poll
        };
        if poll.hold.is_zero() {
            // Still a real answer: the messages there are now.
            return Some((servcmd, seq, Ok(now_or_never(poll, &hub))));
        }
        self.held.push(Box::pin(async move {
            // A panic in a held poll is answered as any handler's, not the connection's end.
            let name = servcmd.clone();
            let internal = crate::envelope::ServiceRules::of("group_open_http_svc").internal;
            let run = async { Ok(poll.run(&hub).await) };
            let result = crate::panics::guard("binfo", || name, internal, run)
                .await
                .into_result();
            (servcmd, seq, result)
        }));
        None
    }
}

/// A poll without hold: [`natter_events::LiveFeeds::poll`] reads once and never waits then.
fn now_or_never(poll: Poll, hub: &Hub) -> Value {
    futures::FutureExt::now_or_never(poll.run(hub)).unwrap_or_else(|| json!({}))
}

/// `LongPollingKey` / `Key`.
fn key(cursor: LiveCursor, group: &str) -> String {
    format!("{:x}:{}:{group}", cursor.feed, cursor.next)
}

/// The feed cursor and group of a key.
fn parse_key(key: &str) -> Option<(LiveCursor, String)> {
    let mut parts = key.splitn(3, ':');
    let feed = u64::from_str_radix(parts.next()?, 16).ok()?;
    let next = parts.next()?.parse().ok()?;
    let group = parts.next().filter(|g| !g.is_empty())?;
    Some((LiveCursor { feed, next }, group.to_owned()))
}

/// A poll's body; the SDK's pinned version sends `Key`, `StartSeq` and `HoldTime`.
#[derive(Deserialize)]
struct PollRequest {
    #[serde(alias = "key", alias = "LongPollingKey")]
    #[serde(rename = "Key")]
    key: String,
    #[serde(alias = "startSeq", rename = "StartSeq", default)]
    start_seq: u64,
    #[serde(alias = "holdTime", rename = "HoldTime", default)]
    hold_time: u64,
}

/// A poll checked and ready to run.
pub(super) struct Poll {
    app: u64,
    group: String,
    from: LiveCursor,
    hold: Duration,
}

impl Poll {
    /// Reads a poll's body: its key (10004 when missing or not one Natter gave), cursor and
    /// hold (0 when `hold` is false).
    fn read(body: Value, app: u64, hold: bool) -> ApiResult<Self> {
        let req: PollRequest = crate::envelope::parse_body(body, codes::GROUP_INVALID_PARAM)?;
        let (mut from, group) = parse_key(&req.key).ok_or_else(|| {
            ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("Key {:?} is not a LongPollingKey Natter gave", req.key),
            )
        })?;
        // The SDK's first poll sends 0: start where the key says (the join's position).
        if req.start_seq > 0 {
            from.next = req.start_seq;
        }
        let hold = if hold {
            Duration::from_secs(req.hold_time).min(MAX_HOLD)
        } else {
            Duration::ZERO
        };
        Ok(Self {
            app,
            group,
            from,
            hold,
        })
    }

    async fn run(self, hub: &Hub) -> Value {
        let (cursor, frames) = hub
            .live()
            .poll(self.app, &self.group, self.from, self.hold)
            .await;
        let mut messages = Vec::new();
        let mut broadcasts = Vec::new();
        for frame in frames {
            let Ok(event) = serde_json::from_str::<Map<String, Value>>(&frame) else {
                continue;
            };
            if event.get("IsBroadcast").and_then(Value::as_u64) == Some(1) {
                broadcasts.push(item(&event, BROADCAST_EVENT));
            } else if event.get("Event").and_then(Value::as_str) == Some("GroupRemoved") {
                // The room was disbanded: the group system notice members get pushed, on which
                // the SDK drops the room and stops polling it.
                messages.extend(super::pushes::group_removed_notice(&event));
            } else {
                messages.push(item(&event, MESSAGE_EVENT));
            }
        }
        json!({
            "Key": key(cursor, &self.group),
            "NextSeq": cursor.next,
            "RspMsgList": messages,
            "RspBroadcastMsgList": broadcasts,
        })
    }
}

/// `Event` of a room message in a poll or history reply (the SDK's normal message).
const MESSAGE_EVENT: u32 = 3;
/// `Event` of a broadcast to every room (`send_broadcast_msg`).
const BROADCAST_EVENT: u32 = 17;

/// One message as the SDK's AVChatRoom handler reads it: the push's group item with its event.
fn item(event: &Map<String, Value>, kind: u32) -> Value {
    let mut item = super::pushes::group_item(event);
    item["Event"] = kind.into();
    item
}

fn app_of(services: &Services, sdkappid: Option<&str>) -> ApiResult<Arc<AppSettings>> {
    let raw = sdkappid.ok_or_else(|| {
        ApiError::new(codes::SDKAPPID_MISSING, "sdkappid is missing from the URL")
    })?;
    let id: u64 = raw.parse().map_err(|_| {
        ApiError::new(
            codes::SDKAPPID_INVALID,
            format!("sdkappid {raw:?} is not a number"),
        )
    })?;
    services.apps.get(id).cloned().ok_or_else(|| {
        ApiError::new(
            codes::SDKAPPID_NOT_FOUND,
            format!("no app has SDKAppID {id}"),
        )
    })
}

#[derive(Deserialize)]
struct GroupRef {
    #[serde(rename = "GroupId", alias = "groupID")]
    group_id: String,
}

/// The join's reply: the key to poll with, at the room's end now.
fn join_reply(hub: &Hub, app: u64, group: &str) -> Value {
    let cursor = hub.live().cursor(app, group);
    json!({
        "JoinedStatus": "JoinedSuccess",
        "LongPollingKey": key(cursor, group),
        "StartSeq": cursor.next,
        "HugeGroupFlag": 1,
    })
}

/// `group_open_http_noauth_svc.apply_join_group` on a connection without login: the room must
/// exist and be an AVChatRoom; the connection may then poll it.
pub(super) async fn join_without_login(
    services: &Services,
    url_sdkappid: Option<&str>,
    watched: &mut Watched,
    body: Value,
) -> ApiResult<Value> {
    let app = match &watched.app {
        Some(app) => app.clone(),
        None => app_of(services, url_sdkappid)?,
    };
    let group = crate::envelope::parse_body::<GroupRef>(body, codes::GROUP_INVALID_PARAM)?.group_id;
    services.groups.watch_anonymously(&app, &group).await?;
    if !watched.rooms.contains(&group) && watched.rooms.len() >= MAX_WATCHED {
        return Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            format!("one connection watches at most {MAX_WATCHED} rooms without logging in"),
        ));
    }
    watched.rooms.insert(group.clone());
    let reply = join_reply(&services.hub, app.sdkappid, &group);
    watched.app = Some(app);
    Ok(reply)
}

/// A poll on a connection: without login for a room it joined so ([`NOAUTH_POLL`]), or with
/// login by a member ([`POLL`], `user`). Held in `polls`; `Some` when answered at once.
pub(super) async fn start_poll(
    services: &Services,
    polls: &mut Polls,
    watched: &Watched,
    user: Option<(&AppSettings, &str)>,
    (servcmd, seq, body): (String, Value, Value),
) -> Option<Reply> {
    let checked = check_poll(services, watched, user, &servcmd, body).await;
    match checked {
        Ok(poll) => polls.hold(servcmd, seq, poll, services.hub.clone()),
        Err(e) => Some((servcmd, seq, Err(e))),
    }
}

async fn check_poll(
    services: &Services,
    watched: &Watched,
    user: Option<(&AppSettings, &str)>,
    servcmd: &str,
    body: Value,
) -> ApiResult<Poll> {
    if servcmd == NOAUTH_POLL {
        let Some(app) = &watched.app else {
            return Err(join_first());
        };
        let poll = Poll::read(body, app.sdkappid, true)?;
        if !watched.rooms.contains(&poll.group) {
            return Err(join_first());
        }
        return Ok(poll);
    }
    let Some((app, user)) = user else {
        return Err(ApiError::new(
            codes::BAD_ACCOUNT_OR_SIG,
            format!("{servcmd} before im_open_status.wslogin; log in first"),
        ));
    };
    let poll = Poll::read(body, app.sdkappid, true)?;
    services.groups.may_poll(app, &poll.group, user).await?;
    Ok(poll)
}

fn join_first() -> ApiError {
    ApiError::new(
        codes::GROUP_NO_PERMISSION,
        "join the AVChatRoom on this connection first (joinGroup): the key is for a room it has not joined",
    )
}

/// The table's `group_open_http_noauth_svc.apply_join_group`, for a logged-in connection (and
/// `/ws`): as without login, the key of an existing AVChatRoom.
pub(super) async fn apply_join_group_noauth(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let group = ctx.parse::<GroupRef>(body)?.group_id;
    ctx.services
        .groups
        .watch_anonymously(&ctx.app, &group)
        .await?;
    Ok(join_reply(&ctx.services.hub, ctx.app.sdkappid, &group))
}

/// The table's `group_open_long_polling_http_svc.get_msg`, for callers whose connection does
/// not hold polls (`/ws`): a member's poll answered with the messages there are now, without
/// waiting. `/binfo` holds its polls instead ([`start_poll`]).
pub(super) async fn get_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let poll = Poll::read(body, ctx.app.sdkappid, false)?;
    ctx.services
        .groups
        .may_poll(&ctx.app, &poll.group, &ctx.identifier)
        .await?;
    Ok(poll.run(&ctx.services.hub).await)
}

/// The table's `group_open_long_polling_http_noauth_svc.get_msg`, likewise: for a key of an
/// AVChatRoom that exists.
pub(super) async fn get_msg_noauth(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let poll = Poll::read(body, ctx.app.sdkappid, false)?;
    ctx.services
        .groups
        .watch_anonymously(&ctx.app, &poll.group)
        .await?;
    Ok(poll.run(&ctx.services.hub).await)
}

/// `get_huge_group_msg`: the room's last [`HISTORY_COUNT`] messages in this node's feed, for a
/// member of the AVChatRoom (AVChatRooms store no history; the feed starts with the first
/// viewer, poll or history request here).
pub(super) async fn get_huge_group_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let group = ctx.parse::<GroupRef>(body)?.group_id;
    ctx.services
        .groups
        .may_poll(&ctx.app, &group, &ctx.identifier)
        .await?;
    let frames = ctx
        .services
        .hub
        .live()
        .recent(ctx.app.sdkappid, &group, HISTORY_COUNT);
    let messages: Vec<Value> = frames
        .iter()
        .filter_map(|frame| serde_json::from_str::<Map<String, Value>>(frame).ok())
        .filter(|event| event.get("IsBroadcast").and_then(Value::as_u64) != Some(1))
        .filter(|event| event.get("Event").and_then(Value::as_str) == Some("GroupMsg"))
        .map(|event| item(&event, MESSAGE_EVENT))
        .collect();
    Ok(json!({"RspMsgList": messages, "IsFinished": 1}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_feed_position_and_group() {
        let cursor = LiveCursor {
            feed: 0xabc,
            next: 7,
        };
        let k = key(cursor, "@TGS#a:b");
        assert_eq!(parse_key(&k), Some((cursor, "@TGS#a:b".to_owned())));
        for forged in ["", "zz:1:g", "1:x:g", "1:2:", "1:2"] {
            assert_eq!(parse_key(forged), None, "{forged}");
        }
    }
}
