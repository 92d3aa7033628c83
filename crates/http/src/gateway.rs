//! Natter's client protocol: one WebSocket per logged-in client at `GET /ws`. Tencent's own
//! client protocol is closed, so this one is Natter's; docs/client-protocol.md describes it.
//!
//! Every frame is a JSON text. A client sends requests (`ReqId`, `Op`, then the operation's
//! fields, named as in the REST API) and gets one reply per request, in the REST envelope
//! (`ActionStatus`, `ErrorCode`, `ErrorInfo`). The server also pushes events (`Event`, then
//! its fields). The first request must be `login`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{application_frame, JoinOutcome};
use natter_services::sessions::{Session, SessionEnd};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use crate::auth::Caller;
use crate::binfo::commands::{send_group_msg, Command, Serving};
use crate::envelope::{envelope, parse_body};
use crate::handler::{fields, Ctx};
use crate::panics::{Guarded, PANIC_CLOSE};
use crate::wire::group_open_http_svc::{
    HandleGroupApplication, JoinGroup, JoinGroupReply, MsgSeqItem, QuitGroup,
    SendGroupMsgReadReceipt,
};
use crate::wire::million_group_open_http_svc::{ModifyTopic, ReadTopic};
use crate::wire::openim::{Sendmsg, SendmsgReply};
use crate::wire::sns::{BatchReply, ClientFriendAdd, ClientFriendResponse};
use crate::AppState;

/// Largest frame a client may send (a 12 KB message body fits many times over).
const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Each connection's read buffer, which it keeps (zeroed, so resident) while idle. Tungstenite's
/// default (128 KiB) was most of a connected client's memory, 8 KiB still a third of it
/// (BENCHMARKS.md, memory per WebSocket); client frames are mostly a few hundred bytes, and a
/// larger one still arrives whole, read in more steps (the buffer grows to hold it).
pub(crate) const READ_BUFFER_BYTES: usize = 2 * 1024;
/// How long a new connection has to log in.
const LOGIN_WAIT: Duration = Duration::from_secs(10);
/// How often the server pings (more often when the silence limit, `HttpConfig::client_timeout`,
/// is under three times this, so that a live client always has pings to answer).
const PING_EVERY: Duration = Duration::from_secs(30);

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let slot = match crate::limits::login_slot(&state) {
        Ok(slot) => slot,
        Err(refused) => return refused,
    };
    // The frame limit too, so that an over-long frame is refused from its header, unread.
    let state = Arc::new(state);
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        // `serve` runs in a task of its own, and axum's upgrade task ends at once: that task
        // keeps its callback's future inline beside its own upgrade state, which made an idle
        // connection's task about 6.8 KB instead of the connection's own future (heaptrack,
        // BENCHMARKS.md "Memory per idle WebSocket").
        .on_upgrade(move |socket| async move {
            tokio::spawn(serve(state, peer, socket, slot));
        })
}

#[derive(Deserialize)]
struct Request {
    #[serde(rename = "ReqId", default)]
    req_id: Value,
    #[serde(rename = "Op")]
    op: String,
}

#[derive(Deserialize)]
struct Login {
    #[serde(rename = "SdkAppId")]
    sdkappid: Value,
    #[serde(rename = "Identifier")]
    identifier: String,
    #[serde(rename = "UserSig")]
    usersig: String,
    #[serde(rename = "Platform", default = "web")]
    platform: String,
}

fn web() -> String {
    "Web".into()
}

/// A reply frame: the request's `ReqId`, the envelope, then the operation's fields.
fn reply(req_id: &Value, result: ApiResult<Value>) -> Message {
    let mut out = Map::new();
    out.insert("ReqId".into(), req_id.clone());
    out.extend(envelope(result, None));
    Message::Text(Value::Object(out).to_string().into())
}

/// Reads one request: its `ReqId`, `Op` and whole body.
fn read_request(text: &str) -> Result<(Value, String, Value), Message> {
    let body: Value = serde_json::from_str(text).map_err(|e| {
        reply(
            &Value::Null,
            Err(ApiError::new(
                codes::INVALID_JSON,
                format!("the frame is not JSON: {e}"),
            )),
        )
    })?;
    // Only the frame's own fields here: the command's fields are checked with its own code.
    let head: Map<String, Value> = ["ReqId", "Op"]
        .into_iter()
        .filter_map(|key| Some((key.to_owned(), body.get(key)?.clone())))
        .collect();
    let head = Value::Object(head);
    let req: Request = parse_body(head, codes::INVALID_JSON).map_err(|e| {
        let id = body.get("ReqId").cloned().unwrap_or(Value::Null);
        reply(&id, Err(e))
    })?;
    Ok((req.req_id, req.op, body))
}

/// Whether a read failed because the client's frame was over the size limit: the connection
/// then closes with 1009 ("message too big"), not silently.
pub(crate) fn too_big(error: &axum::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|e| e.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)))
}

/// The close code for a frame over the size limit.
pub(crate) const TOO_BIG_CLOSE: u16 = 1009;

pub(crate) async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// `state` is shared (`Arc`): the connection's task holds it for as long as the client stays,
/// and an `AppState` is a few KiB by value.
async fn serve(
    state: Arc<AppState>,
    peer: SocketAddr,
    mut socket: WebSocket,
    login_slot: tokio::sync::OwnedSemaphorePermit,
) {
    // The login, each request and the session's end run in boxed futures of their own: this
    // task's future lives as long as the connection, and an idle client should not hold the
    // state of the largest of them (BENCHMARKS.md, memory per WebSocket).
    let Some((session, frames)) = Box::pin(login(&state, peer, &mut socket)).await else {
        return;
    };
    drop(login_slot);
    let mut guard = SessionGuard::new(state.clone(), session.clone());
    let end = run(&state, &session, frames, &mut socket).await;
    guard.disarm();
    Box::pin(state.services.sessions.end(&session, end)).await;
}

/// Ends a session whose connection task stopped without ending it (a panic while serving a
/// request), so the user does not stay online for ever. Both client protocols use it.
pub(crate) struct SessionGuard {
    state: Arc<AppState>,
    session: Option<Session>,
}

impl SessionGuard {
    pub(crate) fn new(state: Arc<AppState>, session: Session) -> Self {
        Self {
            state,
            session: Some(session),
        }
    }

    /// The connection ends its session itself, as it should.
    pub(crate) fn disarm(&mut self) {
        self.session = None;
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let state = self.state.clone();
            tokio::spawn(async move {
                state
                    .services
                    .sessions
                    .end(&session, SessionEnd::LinkClosed)
                    .await;
            });
        }
    }
}

/// Writes every frame already queued for this connection (so a reply never overtakes an
/// event queued before it). False when the connection is gone.
async fn send_queued(
    socket: &mut WebSocket,
    frames: &mut tokio::sync::mpsc::Receiver<natter_events::Push>,
) -> Result<(), SessionEnd> {
    while let Ok(push) = frames.try_recv() {
        if socket
            .send(Message::Text(push.frame.as_ref().into()))
            .await
            .is_err()
        {
            return Err(SessionEnd::LinkClosed);
        }
        // A kick queued while a request was served ends the connection as it does otherwise.
        if is_kick(&push.frame) {
            close(
                socket,
                KICKED_CLOSE,
                "kicked: log in again with a new UserSig",
            )
            .await;
            return Err(SessionEnd::Kicked);
        }
    }
    Ok(())
}

/// Waits for the `login` request; answers it either way. `None` when the connection is done.
async fn login(
    state: &AppState,
    peer: SocketAddr,
    socket: &mut WebSocket,
) -> Option<(Session, tokio::sync::mpsc::Receiver<natter_events::Push>)> {
    let first = match tokio::time::timeout(LOGIN_WAIT, socket.recv()).await {
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(Some(Ok(_))) => {
            close(socket, 1003, "the first frame must be a login request").await;
            return None;
        }
        Ok(Some(Err(e))) if too_big(&e) => {
            close(socket, TOO_BIG_CLOSE, "frame too big: at most 64 KiB").await;
            return None;
        }
        Ok(_) => return None,
        Err(_) => {
            close(socket, 1008, "no login request in time").await;
            return None;
        }
    };
    let (req_id, op, body) = match read_request(&first) {
        Ok(request) => request,
        Err(answer) => {
            let _ = socket.send(answer).await;
            close(socket, 1008, "not logged in").await;
            return None;
        }
    };
    let logged_in = async {
        if op != "login" {
            return Err(ApiError::new(
                codes::BAD_ACCOUNT_OR_SIG,
                format!("Op {op:?} before login; log in first"),
            ));
        }
        let login: Login = parse_body(body, codes::ACCOUNT_INVALID_PARAM)?;
        let caller = Caller {
            sdkappid: Some(match &login.sdkappid {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            identifier: Some(login.identifier),
            usersig: Some(login.usersig),
        };
        let services = &state.services;
        let (app, user, issued_at) = state.auth.login(&services.apps, &services.clock, &caller)?;
        services
            .sessions
            .login(
                app,
                &user,
                &login.platform,
                &peer.ip().to_string(),
                issued_at,
            )
            .await
    }
    .await;
    match logged_in {
        Ok((session, registration)) => {
            let answer = reply(
                &req_id,
                Ok(json!({"Identifier": session.user, "Platform": session.origin.platform})),
            );
            if socket.send(answer).await.is_err() {
                state
                    .services
                    .sessions
                    .end(&session, SessionEnd::LinkClosed)
                    .await;
                return None;
            }
            Some((session, registration.frames))
        }
        Err(e) => {
            let _ = socket.send(reply(&req_id, Err(e))).await;
            close(socket, 1008, "login refused").await;
            None
        }
    }
}

/// Serves a logged-in connection until it ends; returns how.
async fn run(
    state: &AppState,
    session: &Session,
    mut frames: tokio::sync::mpsc::Receiver<natter_events::Push>,
    socket: &mut WebSocket,
) -> SessionEnd {
    let silence_limit = state.config.client_timeout;
    let ping_every = PING_EVERY.min(silence_limit / 3);
    let mut ping = tokio::time::interval(ping_every.max(Duration::from_millis(10)));
    ping.tick().await;
    // Reset by every frame heard; when it fires the client has been silent for the whole limit.
    let silent = tokio::time::sleep(silence_limit);
    tokio::pin!(silent);
    loop {
        tokio::select! {
            // Queued events first, so they never wait behind later requests.
            biased;
            push = frames.recv() => match push {
                Some(push) => {
                    if socket.send(Message::Text(push.frame.as_ref().into())).await.is_err() {
                        return SessionEnd::LinkClosed;
                    }
                    if is_kick(&push.frame) {
                        close(socket, KICKED_CLOSE, "kicked: log in again with a new UserSig").await;
                        return SessionEnd::Kicked;
                    }
                }
                None => {
                    close(socket, 1013, "too slow to keep up; reconnect and pull history").await;
                    return SessionEnd::LinkClosed;
                }
            },
            incoming = socket.recv() => {
                silent.as_mut().reset(Instant::now() + silence_limit);
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let (answer, logout, panicked) = match read_request(&text) {
                            Ok((req_id, op, body)) => {
                                let logout = op == "logout";
                                match Box::pin(guarded_handle(state, session, &op, body)).await {
                                    Guarded::Done(result) => (reply(&req_id, result), logout, false),
                                    Guarded::Panicked(error) => (reply(&req_id, Err(error)), false, true),
                                }
                            }
                            Err(answer) => (answer, false, false),
                        };
                        if let Err(end) = send_queued(socket, &mut frames).await {
                            return end;
                        }
                        if socket.send(answer).await.is_err() {
                            return SessionEnd::LinkClosed;
                        }
                        if panicked {
                            close(socket, PANIC_CLOSE, "internal error: reconnect").await;
                            return SessionEnd::LinkClosed;
                        }
                        if logout {
                            close(socket, 1000, "logged out").await;
                            return SessionEnd::Logout;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let answer = reply(&Value::Null, Err(ApiError::new(codes::INVALID_JSON, "frames are JSON text")));
                        if socket.send(answer).await.is_err() {
                            return SessionEnd::LinkClosed;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Err(e)) if too_big(&e) => {
                        close(socket, TOO_BIG_CLOSE, "frame too big: at most 64 KiB").await;
                        return SessionEnd::LinkClosed;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return SessionEnd::LinkClosed,
                }
            }
            _ = &mut silent => {
                close(socket, 1001, "no answer to pings").await;
                return SessionEnd::TimedOut;
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return SessionEnd::LinkClosed;
                }
            }
        }
    }
}

/// The close code after a `Kicked` event (the application range of WebSocket codes).
const KICKED_CLOSE: u16 = 4001;

/// Whether an event ends the connection: the user was kicked.
fn is_kick(frame: &str) -> bool {
    crate::binfo::pushes::kick_type(frame).is_some()
}

/// `handle`, with a panic turned into an internal error (and the connection's end).
async fn guarded_handle(
    state: &AppState,
    session: &Session,
    op: &str,
    body: Value,
) -> Guarded<Value> {
    let (service, command) = op.split_once('.').unwrap_or((op, ""));
    let internal = crate::envelope::ServiceRules::of(service).internal;
    let request = async {
        crate::panics::test_trigger(service, command);
        handle(state, session, op, body).await
    };
    crate::panics::guard("ws", || op.to_owned(), internal, request).await
}

/// One request of a logged-in client. Everything it does is done as the user, from their
/// platform, so callbacks carry their `OptPlatform`.
async fn handle(state: &AppState, session: &Session, op: &str, body: Value) -> ApiResult<Value> {
    let services = &state.services;
    let app = &session.app;
    let user = session.user.as_str();
    let origin = &session.origin;
    match op {
        // Every event this node caused before the ping reaches its connections first.
        "ping" => {
            services.fanout.flush().await;
            Ok(Value::Null)
        }
        "logout" => Ok(Value::Null),
        "join_group" => {
            let req: JoinGroup = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            let outcome = services
                .groups
                .join(app, &req.group_id, user, &req.apply_msg, origin)
                .await?;
            fields(JoinGroupReply {
                pending: u32::from(outcome == JoinOutcome::Pending),
            })
        }
        "get_group_application_list" => {
            let list: Vec<Value> = services
                .groups
                .applications_for(app, user)
                .await?
                .iter()
                .map(|a| {
                    let mut item = application_frame(a);
                    item.as_object_mut().map(|o| o.remove("Event"));
                    item
                })
                .collect();
            Ok(json!({"ApplicationList": list}))
        }
        "handle_group_application" => {
            let req: HandleGroupApplication = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            let (group_id, answer) = req.into_answer()?;
            services
                .groups
                .handle_application(app, &group_id, user, answer, origin)
                .await?;
            Ok(Value::Null)
        }
        "quit_group" => {
            let req: QuitGroup = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            services
                .groups
                .quit(app, &req.group_id, user, origin)
                .await?;
            Ok(Value::Null)
        }
        "send_group_msg" => {
            let ctx = Ctx::client(services.clone(), session, "group_open_http_svc");
            send_group_msg(ctx, body).await
        }
        "send_group_msg_read_receipt" => {
            let req: SendGroupMsgReadReceipt = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            services
                .groups
                .send_read_receipts(
                    app,
                    &req.group_id,
                    user,
                    MsgSeqItem::seqs(req.msg_seq_list),
                    origin,
                )
                .await?;
            Ok(Value::Null)
        }
        "sendmsg" => {
            let mut send =
                parse_body::<Sendmsg>(body, codes::C2C_BAD_PARAM)?.into_send(user)?;
            // A client sends as itself; the app's callbacks always hear of it.
            send.from = user.to_owned();
            send.forbid_before_callback = false;
            send.forbid_after_callback = false;
            let sent = services.messages.send(app, origin, send).await?;
            fields(SendmsgReply {
                msg_time: sent.msg_time,
                msg_key: sent.msg_key,
                msg_id: sent.msg_id,
            })
        }
        "friend_add" => {
            let (items, add_type) =
                parse_body::<ClientFriendAdd>(body, codes::SNS_INVALID_PARAM)?.into_parts();
            let outcome = services
                .relations
                .request_friends(app, user.to_owned(), items, add_type.as_deref(), origin)
                .await?;
            fields(BatchReply::from(outcome))
        }
        "friend_response" => {
            let responses = parse_body::<ClientFriendResponse>(body, codes::SNS_INVALID_PARAM)?
                .into_responses()?;
            let outcome = services
                .relations
                .respond_to_requests(app, user.to_owned(), responses, origin)
                .await?;
            fields(BatchReply::from(outcome))
        }
        "modify_topic" => {
            let req: ModifyTopic = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            let (group_id, topic_id, _, change) = req.into_change()?;
            services
                .groups
                .modify_topic_as_member(app, user, &group_id, &topic_id, change, origin)
                .await?;
            Ok(Value::Null)
        }
        "read_topic" => {
            let req: ReadTopic = parse_body(body, codes::GROUP_INVALID_PARAM)?;
            services
                .groups
                .read_topic(app, &req.group_id, &req.topic_id, user, req.msg_seq)
                .await?;
            Ok(Value::Null)
        }
        "login" => Err(ApiError::new(
            codes::INVALID_JSON,
            "this connection is logged in already",
        )),
        // Any command of the Web SDK's table (`service.command`) runs here too, on the same
        // handler, permissions and pushes as over /binfo.
        other => match crate::binfo::commands::find(other) {
            Some(Command {
                serving: Serving::Served(handler) | Serving::Slow(handler),
                ..
            }) => {
                let (service, _) = other.split_once('.').unwrap_or((other, ""));
                handler(Ctx::client(services.clone(), session, service), body).await
            }
            _ => Err(ApiError::new(
                codes::API_NOT_FOUND,
                format!(
                    "Op {other:?} is not part of Natter's client protocol (see docs/client-protocol.md and docs/client-sdk.md)"
                ),
            )),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// The size of the future an async fn of four owned arguments returns, without calling it.
    pub(crate) fn future_size<F, A, B, C, D, Fut>(_: &F) -> usize
    where
        F: Fn(A, B, C, D) -> Fut,
    {
        std::mem::size_of::<Fut>()
    }

    /// Every connected client holds its task's future for as long as it stays: requests are
    /// served in futures of their own (boxed), so that an idle connection does not carry the
    /// largest request's state (BENCHMARKS.md, memory per WebSocket).
    #[test]
    fn an_idle_connection_holds_a_small_future() {
        let size = future_size(&super::serve);
        assert!(size <= 4096, "the /ws connection future is {size} bytes");
    }
}
