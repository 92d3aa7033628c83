//! `/binfo`: the protocol of Tencent's own Web SDK (`@tencentcloud/chat`), which an app points at
//! Natter with the SDK's `proxyServer` option. One WebSocket per SDK instance; frames are
//! described in [`frame`], logging in in [`login`], the commands in [`commands`] (catch-up, recall and
//! edits in [`sync`]) and the pushes in [`pushes`], acknowledged and resent as [`acks`] says.
//! docs/client-sdk.md says what works.

mod acks;
mod applications;
mod before_login;
mod c2c_own;
mod c2c_pushes;
pub mod commands;
mod conversation_pushes;
mod conversations;
mod extensions;
mod files;
mod follows;
mod frame;
mod group_attributes;
mod group_msgs;
mod group_notices;
mod group_notify;
mod groups;
mod invitations;
mod language;
mod live;
mod login;
mod moderation;
mod pins;
pub(crate) mod pushes;
mod reactions;
mod relay;
mod rooms;
mod search;
mod sns;
mod status;
mod sync;
pub mod table;
mod topics;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::response::Response;
use natter_core::{ApiError, ApiResult};
use natter_events::Push;
use natter_services::sessions::{Session, SessionEnd};
use serde_json::Value;
use tokio::sync::mpsc::Receiver;
use tokio::time::Instant;

use crate::envelope::envelope;
use crate::gateway::SessionGuard;
use crate::panics::Guarded;
use crate::AppState;

use before_login::{log_in, LoggedIn};

/// Largest frame the SDK may send (a 12 KB message body fits many times over).
const MAX_FRAME_BYTES: usize = 256 * 1024;
/// How long a connection may stay without a successful login. The SDK keeps a socket whose
/// login was refused open (and sends heartbeats on it), so it is closed after this.
const LOGIN_WAIT: Duration = Duration::from_secs(60);
// The SDK sends `heartbeat.alive` after 10 s without traffic; a connection silent for
// `HttpConfig::client_timeout` (90 s) is gone.
/// Requests an SDK re-sends on a new socket before it logged in again (see [`log_in`]), at most.
const MAX_HELD: usize = 32;

/// What the SDK says about itself in the URL.
struct Connection {
    peer: SocketAddr,
    sdkappid: Option<String>,
    platform: &'static str,
    compress: bool,
    /// The address the SDK reached Natter at, for the file URLs handed to it.
    public_url: std::sync::Arc<str>,
}

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let slot = match crate::limits::login_slot(&state) {
        Ok(slot) => slot,
        Err(refused) => return refused,
    };
    let connection = Connection {
        peer,
        sdkappid: query.get("sdkappid").cloned(),
        platform: login::platform(query.get("platform").map(String::as_str)),
        compress: query.get("compress").is_some_and(|c| c == "gzip"),
        public_url: crate::files::public_url(&headers, state.config.tls).into(),
    };
    let state = Arc::new(state);
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(crate::gateway::READ_BUFFER_BYTES)
        // `serve` runs in a task of its own, and axum's upgrade task ends at once: that task
        // keeps its callback's future inline beside its own upgrade state, which made an idle
        // connection's task about 6.8 KB instead of the connection's own future (heaptrack,
        // BENCHMARKS.md "Memory per idle WebSocket").
        .on_upgrade(move |socket| async move {
            tokio::spawn(serve(state, connection, socket, slot));
        })
}

/// `state` is shared, as on `/ws` (gateway.rs).
async fn serve(
    state: Arc<AppState>,
    connection: Connection,
    mut socket: WebSocket,
    login_slot: tokio::sync::OwnedSemaphorePermit,
) {
    // The login, each command and the session's end run in boxed futures of their own, as on
    // `/ws` (gateway.rs): an idle connection holds only what waiting needs.
    let mut login_slot = Some(login_slot);
    let Some(LoggedIn {
        session,
        frames,
        held,
        live,
    }) = Box::pin(log_in(&state, &connection, &mut socket, &mut login_slot)).await
    else {
        return;
    };
    drop(login_slot);
    let mut guard = SessionGuard::new(state.clone(), session.clone());
    let end = run(
        &state,
        &connection,
        &session,
        (frames, held, live),
        &mut socket,
    )
    .await;
    guard.disarm();
    Box::pin(state.services.sessions.end(&session, end)).await;
}

/// Answers one request: the envelope and the command's fields, under the request's `servcmd`
/// and `seq`.
fn answer(
    connection: &Connection,
    servcmd: &str,
    seq: &Value,
    result: ApiResult<Value>,
) -> Message {
    let body = envelope(result, None);
    Message::Binary(frame::write(servcmd, seq, &body, connection.compress).into())
}

/// Ends a connection whose command panicked: its session may be half-updated, so the SDK
/// reconnects and syncs again.
async fn close_after_panic(socket: &mut WebSocket) {
    crate::gateway::close(
        socket,
        crate::panics::PANIC_CLOSE,
        "internal error: reconnect",
    )
    .await;
}

/// Closes with 1009 after a frame over [`MAX_FRAME_BYTES`].
async fn close_too_big(socket: &mut WebSocket) {
    crate::gateway::close(
        socket,
        crate::gateway::TOO_BIG_CLOSE,
        "frame too big: at most 256 KiB",
    )
    .await;
}

/// Sends the SDK's kicked-out push and closes: the SDK says KICKED_OUT and stops.
async fn kick_out(
    socket: &mut WebSocket,
    connection: &Connection,
    push_seq: &mut u64,
    kick_type: u64,
) -> SessionEnd {
    *push_seq += 1;
    let body = pushes::kickout(kick_type);
    let bytes = frame::write(
        pushes::KICK_COMMAND,
        &Value::from(*push_seq),
        &body,
        connection.compress,
    );
    let _ = socket.send(Message::Binary(bytes.into())).await;
    let _ = socket.send(Message::Close(None)).await;
    SessionEnd::Kicked
}

/// Serves a logged-in SDK until it logs out or goes away; returns how.
async fn run(
    state: &AppState,
    connection: &Connection,
    session: &Session,
    (mut frames, held, live): (
        Receiver<Push>,
        Vec<frame::Uplink>,
        (live::Polls, live::Watched),
    ),
    socket: &mut WebSocket,
) -> SessionEnd {
    let (mut polls, watched) = live;
    let silence_limit = state.config.client_timeout;
    // Reset by every frame heard; when it fires the SDK has been silent for the whole limit.
    let silent = tokio::time::sleep(silence_limit);
    tokio::pin!(silent);
    let mut push_seq: u64 = 0;
    let mut delivery = acks::Delivery::default();
    let mut resend_check = tokio::time::interval(acks::CHECK_EVERY);
    resend_check.tick().await;
    for request in held {
        let (servcmd, seq) = (request.head.servcmd.clone(), request.head.seq.clone());
        delivery.on_request(&servcmd, &request.body);
        let run = Box::pin(commands::run(
            state,
            session,
            &connection.public_url,
            &servcmd,
            request.body,
        ));
        let (result, panicked) = match run.await {
            Guarded::Done(result) => (result, false),
            Guarded::Panicked(error) => (Err(error), true),
        };
        if socket
            .send(answer(connection, &servcmd, &seq, result))
            .await
            .is_err()
        {
            return SessionEnd::LinkClosed;
        }
        if panicked {
            close_after_panic(socket).await;
            return SessionEnd::LinkClosed;
        }
    }
    loop {
        tokio::select! {
            // Queued events first, so they never wait behind later requests.
            biased;
            push = frames.recv() => {
                let Some(push) = push else {
                    // Too slow to keep up: the SDK reconnects and syncs again.
                    let _ = socket.send(Message::Close(None)).await;
                    return SessionEnd::LinkClosed;
                };
                if let Some(kick_type) = pushes::kick_type(&push.frame) {
                    return kick_out(socket, connection, &mut push_seq, kick_type).await;
                }
                if !send_push(socket, connection, session, &push, &mut push_seq, &mut delivery).await {
                    return SessionEnd::LinkClosed;
                }
            }
            (servcmd, seq, result) = polls.next() => {
                if socket.send(answer(connection, &servcmd, &seq, result)).await.is_err() {
                    return SessionEnd::LinkClosed;
                }
            }
            incoming = socket.recv() => {
                silent.as_mut().reset(Instant::now() + silence_limit);
                let bytes = match incoming {
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec().into(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Err(e)) if crate::gateway::too_big(&e) => {
                        close_too_big(socket).await;
                        return SessionEnd::LinkClosed;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return SessionEnd::LinkClosed,
                };
                let mut panicked = false;
                let (servcmd, seq, result, logout) = match frame::read(&bytes) {
                    // The acknowledgement of a push expects no answer.
                    Ok(request) if request.head.servcmd == "openim.ws_msg_push_ack" => {
                        delivery.unacked.ack(&request.body["SessionData"]);
                        continue;
                    }
                    // Polls are held beside the other requests (answered above as they end).
                    Ok(request) if matches!(request.head.servcmd.as_str(), live::POLL | live::NOAUTH_POLL) => {
                        let user = Some((&*session.app, session.user.as_str()));
                        let request = (request.head.servcmd, request.head.seq, request.body);
                        let started = live::start_poll(&state.services, &mut polls, &watched, user, request);
                        match Box::pin(started).await {
                            Some((servcmd, seq, result)) => (servcmd, seq, result, false),
                            None => continue,
                        }
                    }
                    // Commands an outside engine answers are held beside the others too.
                    Ok(request) if commands::is_slow(&request.head.servcmd) => {
                        let (servcmd, seq, body) = (request.head.servcmd, request.head.seq, request.body);
                        let reply = slow_command(state.clone(), session.clone(), connection.public_url.clone(), servcmd.clone(), body);
                        match polls.hold_slow(servcmd, seq, reply) {
                            Some((servcmd, seq, result)) => (servcmd, seq, result, false),
                            None => continue,
                        }
                    }
                    Ok(request) => {
                        delivery.on_request(&request.head.servcmd, &request.body);
                        let logout = request.head.servcmd == "im_open_status.wslogout";
                        let result = if logout {
                            Ok(Value::Null)
                        } else {
                            let servcmd = &request.head.servcmd;
                            match Box::pin(commands::run(state, session, &connection.public_url, servcmd, request.body)).await {
                                Guarded::Done(result) => result,
                                Guarded::Panicked(error) => {
                                    panicked = true;
                                    Err(error)
                                }
                            }
                        };
                        (request.head.servcmd, request.head.seq, result, logout)
                    }
                    Err(bad) => {
                        let refusal = Err(ApiError::new(natter_core::codes::INVALID_JSON, bad.info));
                        (bad.servcmd, bad.seq, refusal, false)
                    }
                };
                // A reply never overtakes an event queued before it.
                while let Ok(push) = frames.try_recv() {
                    if let Some(kick_type) = pushes::kick_type(&push.frame) {
                        return kick_out(socket, connection, &mut push_seq, kick_type).await;
                    }
                    if !send_push(socket, connection, session, &push, &mut push_seq, &mut delivery).await {
                        return SessionEnd::LinkClosed;
                    }
                }
                if socket.send(answer(connection, &servcmd, &seq, result)).await.is_err() {
                    return SessionEnd::LinkClosed;
                }
                if panicked {
                    close_after_panic(socket).await;
                    return SessionEnd::LinkClosed;
                }
                if logout {
                    return SessionEnd::Logout;
                }
            }
            _ = resend_check.tick() => {
                match delivery.unacked.due(Instant::now()) {
                    acks::Due::Resend(frames) => {
                        for bytes in frames {
                            if socket.send(Message::Binary(bytes.into())).await.is_err() {
                                return SessionEnd::LinkClosed;
                            }
                        }
                    }
                    acks::Due::GiveUp => {
                        // The SDK reconnects and catches up with openim.getmsg.
                        let _ = socket.send(Message::Close(None)).await;
                        return SessionEnd::TimedOut;
                    }
                }
            }
            _ = &mut silent => {
                let _ = socket.send(Message::Close(None)).await;
                return SessionEnd::TimedOut;
            }
        }
    }
}

/// Sends one event in the SDK's shape (events it has no shape for, and copies of messages this
/// connection sent, are skipped); a message push asks for an ack and waits for it in `delivery`. False when the connection is gone or must close
/// (too many pushes unacknowledged).
async fn send_push(
    socket: &mut WebSocket,
    connection: &Connection,
    session: &Session,
    push: &Push,
    push_seq: &mut u64,
    delivery: &mut acks::Delivery,
) -> bool {
    let Some(mut body) = pushes::to_sdk(&push.frame, &session.user) else {
        return true;
    };
    *push_seq += 1;
    let seq = Value::from(*push_seq);
    if delivery.own.is_own(&body, &session.user) {
        return true;
    }
    delivery.nudge.on_push(&mut body);
    let needs_ack = acks::needs_ack(&body);
    if needs_ack {
        acks::mark(&mut body, *push_seq);
    }
    let bytes = frame::write(pushes::PUSH_COMMAND, &seq, &body, connection.compress);
    if needs_ack
        && !delivery
            .unacked
            .track(*push_seq, bytes.clone(), Instant::now())
    {
        let _ = socket.send(Message::Close(None)).await;
        return false;
    }
    socket.send(Message::Binary(bytes.into())).await.is_ok()
}

/// Runs a command held beside the connection's others ([`commands::Serving::Slow`]): as
/// [`commands::run`], with what it needs owned. A panic is answered as the internal error it
/// was caught as; the connection stays (the command touched nothing the connection holds).
async fn slow_command(
    state: AppState,
    session: Session,
    public_url: std::sync::Arc<str>,
    servcmd: String,
    body: Value,
) -> natter_core::ApiResult<Value> {
    match commands::run(&state, &session, &public_url, &servcmd, body).await {
        Guarded::Done(result) => result,
        Guarded::Panicked(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    /// As for `/ws` (gateway.rs): an idle SDK connection does not carry the largest command's
    /// state.
    #[test]
    fn an_idle_connection_holds_a_small_future() {
        let size = crate::gateway::tests::future_size(&super::serve);
        assert!(size <= 4096, "the /binfo connection future is {size} bytes");
    }
}
