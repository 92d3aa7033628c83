//! A `/binfo` connection before `im_open_status.wslogin`: the login itself, the requests a
//! reconnecting SDK resends before it (held and served after it), and AVChatRoom viewers who
//! never log in.

use axum::extract::ws::{Message, WebSocket};
use natter_core::{ApiError, ApiResult};
use natter_events::Push;
use natter_services::sessions::{Session, SessionEnd};
use serde_json::Value;
use tokio::sync::mpsc::Receiver;
use tokio::time::Instant;

use super::{answer, close_too_big, frame, live, login, Connection, LOGIN_WAIT, MAX_HELD};
use crate::AppState;

/// A connection just logged in: its session, its queue of events, the requests it sent before
/// the login (held), and the AVChatRooms it watches without login with the polls it holds.
pub(super) struct LoggedIn {
    pub session: Session,
    pub frames: Receiver<Push>,
    pub held: Vec<frame::Uplink>,
    pub live: (live::Polls, live::Watched),
}

/// Serves frames until `im_open_status.wslogin` succeeds; heartbeats and statistics are answered
/// before it. After a reconnect the SDK sends again, before logging in, the requests the old
/// socket left unanswered (a `sendmsg` cut off before its reply, with the session's `a2` in the
/// head): those are held and served after the login, in order, so that the SDK does not report a
/// delivered message as failed. A viewer may join AVChatRooms and poll their messages without
/// logging in ([`live`]); such a connection gives up its pending-login slot and may stay as long
/// as it keeps talking (the logged-in silence limit instead of [`LOGIN_WAIT`]). Anything else is
/// refused. `None` when the connection is done.
pub(super) async fn log_in(
    state: &AppState,
    connection: &Connection,
    socket: &mut WebSocket,
    login_slot: &mut Option<tokio::sync::OwnedSemaphorePermit>,
) -> Option<LoggedIn> {
    let started = Instant::now();
    let mut heard = started;
    let mut held: Vec<frame::Uplink> = Vec::new();
    let (mut polls, mut watched) = (live::Polls::default(), live::Watched::default());
    // Held while the socket watches AVChatRooms without login (`AppState::viewers`).
    let mut viewer_slot: Option<tokio::sync::OwnedSemaphorePermit> = None;
    loop {
        let deadline = if watched.any() {
            heard + state.config.client_timeout
        } else {
            started + LOGIN_WAIT
        };
        let incoming = tokio::select! {
            (servcmd, seq, result) = polls.next() => {
                socket.send(answer(connection, &servcmd, &seq, result)).await.ok()?;
                continue;
            }
            incoming = tokio::time::timeout_at(deadline, socket.recv()) => incoming,
        };
        heard = Instant::now();
        let bytes = match incoming {
            Ok(Some(Ok(Message::Binary(bytes)))) => bytes,
            Ok(Some(Ok(Message::Text(text)))) => text.as_bytes().to_vec().into(),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) if crate::gateway::too_big(&e) => {
                close_too_big(socket).await;
                return None;
            }
            Ok(_) | Err(_) => return None,
        };
        let request = match frame::read(&bytes) {
            Ok(request) => request,
            Err(bad) => {
                let refusal = Err(ApiError::new(natter_core::codes::INVALID_JSON, bad.info));
                socket
                    .send(answer(connection, &bad.servcmd, &bad.seq, refusal))
                    .await
                    .ok()?;
                continue;
            }
        };
        let result = match request.head.servcmd.as_str() {
            "im_open_status.wslogin" => {
                match login_session(state, connection, &request.head).await {
                    Ok((session, frames, reply)) => {
                        let fields = crate::handler::fields(reply);
                        if socket
                            .send(answer(
                                connection,
                                &request.head.servcmd,
                                &request.head.seq,
                                fields,
                            ))
                            .await
                            .is_err()
                        {
                            state
                                .services
                                .sessions
                                .end(&session, SessionEnd::LinkClosed)
                                .await;
                            return None;
                        }
                        return Some(LoggedIn {
                            session,
                            frames,
                            held,
                            live: (polls, watched),
                        });
                    }
                    Err(e) => {
                        // The held requests cannot be served either.
                        for request in held.drain(..) {
                            let refusal = Err(ApiError::new(e.code, e.info.clone()));
                            let (servcmd, seq) = (&request.head.servcmd, &request.head.seq);
                            socket
                                .send(answer(connection, servcmd, seq, refusal))
                                .await
                                .ok()?;
                        }
                        Err(e)
                    }
                }
            }
            "heartbeat.alive" | "imopenstat.tim_web_report_v2" => Ok(Value::Null),
            live::NOAUTH_JOIN => {
                // A viewer, not a login on its way: it trades its place among the sockets
                // waiting to log in for one among the node's viewers (none left: 60018).
                if viewer_slot.is_none() {
                    viewer_slot = state.viewers.clone().try_acquire_owned().ok();
                }
                if viewer_slot.is_none() {
                    Err(ApiError::new(
                        natter_core::codes::TOO_MANY_REQUESTS,
                        "too many viewers without login on this server; retry later",
                    ))
                } else {
                    let services = &state.services;
                    let sdkappid = connection.sdkappid.as_deref();
                    let joined =
                        live::join_without_login(services, sdkappid, &mut watched, request.body)
                            .await;
                    if watched.any() {
                        login_slot.take();
                    } else {
                        viewer_slot = None;
                    }
                    joined
                }
            }
            live::NOAUTH_POLL => {
                let request = (request.head.servcmd, request.head.seq, request.body);
                let services = &state.services;
                let started = live::start_poll(services, &mut polls, &watched, None, request);
                if let Some((servcmd, seq, result)) = started.await {
                    socket
                        .send(answer(connection, &servcmd, &seq, result))
                        .await
                        .ok()?;
                }
                continue;
            }
            // An ack for a push of the previous socket: nothing to do.
            "openim.ws_msg_push_ack" => continue,
            other
                if request.head.a2.is_some()
                    && other != "im_open_status.wslogout"
                    && held.len() < MAX_HELD =>
            {
                held.push(request);
                continue;
            }
            other => Err(ApiError::new(
                natter_core::codes::BAD_ACCOUNT_OR_SIG,
                format!("{other} before im_open_status.wslogin; log in first"),
            )),
        };
        socket
            .send(answer(
                connection,
                &request.head.servcmd,
                &request.head.seq,
                result,
            ))
            .await
            .ok()?;
    }
}

async fn login_session(
    state: &AppState,
    connection: &Connection,
    head: &frame::Head,
) -> ApiResult<(Session, Receiver<Push>, login::WsloginReply)> {
    let services = &state.services;
    let (caller, usersig) = login::caller(head, connection.sdkappid.as_deref())?;
    let (app, user, issued_at) = state.auth.login(&services.apps, &services.clock, &caller)?;
    let (session, registration) = services
        .sessions
        .login(
            app,
            &user,
            connection.platform,
            &connection.peer.ip().to_string(),
            issued_at,
        )
        .await?;
    let reply = login::WsloginReply::new(
        &user,
        &usersig,
        session.connection,
        services.clock.now_secs(),
    );
    Ok((session, registration.frames, reply))
}
