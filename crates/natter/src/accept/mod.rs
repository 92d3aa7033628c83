//! Natter's own accept loop, in place of `axum::serve`, so that no client can starve the server
//! of sockets (issue 16): a cap on open connections, in all and per client address; a time limit
//! on a request's head and on an idle connection; at a cap, the idlest connection makes room
//! and, when none is idle, the newcomer is answered 503 with the Tencent envelope instead of
//! waiting in the backlog. docs/architecture.md ("Connections") has the numbers and why.

mod gate;
mod io;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use natter_core::ApiError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio_rustls::TlsAcceptor;

use gate::{Busy, Conn, Gate, Refusal, Slot};
use io::Tracked;

/// How long in-flight requests may take to finish once shutdown begins.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// hyper's buffer for a request head: a head past it gets hyper's own bare 431. It is twice the
/// HTTP layer's limit on headers, so that a head between the two is refused with the envelope.
const MAX_HEAD_BUFFER: usize = 2 * natter_http::limits::MAX_HEADER_BYTES;
/// Refused connections being answered at once; more are closed without an answer.
const MAX_SHEDDING: usize = 64;
/// How long a refused connection is given to send its request's head and take the answer.
const SHED_WAIT: Duration = Duration::from_secs(2);
/// How much of a refused connection's request is read before answering, at most.
const SHED_HEAD_BYTES: usize = 16 * 1024;
/// How long the rest of a refused connection's request is read (and dropped) after the answer.
const SHED_LINGER: Duration = Duration::from_secs(1);
/// A pause after an accept error such as "too many open files", so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// File descriptors kept for everything but client connections (storage, webhook deliveries,
/// NATS, files): the connection cap is lowered to fit the open-file limit less these.
const RESERVED_FDS: usize = 256;

/// Connections refused at a cap (`reason`: `full`, `per_address`; the HTTP layer counts
/// `pending_logins`), and connections closed to make room.
pub const REFUSED: &str = "natter_connections_refused_total";
pub const EVICTED: &str = "natter_connections_evicted_total";

/// The limits on client connections (the options of the same names).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    // The options' defaults (a test holds them equal).
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            max_connections_per_ip: 1_000,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// What every connection task shares.
struct Shared {
    gate: Arc<Gate>,
    builder: auto::Builder<TokioExecutor>,
    router: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    shedding: Arc<Semaphore>,
}

/// Serves `router` on `listener` until `stop` turns true, then lets requests in flight finish
/// (for at most [`DRAIN_TIMEOUT`]). Upgraded WebSockets are not waited for, as with
/// `axum::serve`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let max_connections = fit_to_open_files(limits.max_connections);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BUFFER);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEAD_BUFFER as u32);
    let shared = Arc::new(Shared {
        gate: Gate::new(max_connections, limits.max_connections_per_ip),
        builder,
        router,
        limits,
        tls,
        shedding: Arc::new(Semaphore::new(MAX_SHEDDING)),
    });
    // Each connection task holds a sender; `recv` answers `None` once all are gone.
    let (running, mut all_done) = mpsc::channel::<()>(1);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match shared.gate.admit(peer.ip()) {
            Ok(slot) => {
                let (shared, stop, running) = (shared.clone(), stop.clone(), running.clone());
                tokio::spawn(async move {
                    connection(shared, stream, peer, slot, stop).await;
                    drop(running);
                });
            }
            Err(refusal) => {
                tracing::debug!(%peer, ?refusal, "connection refused");
                metrics::counter!(REFUSED, "reason" => refusal.label()).increment(1);
                // Past MAX_SHEDDING refusals under way, the socket is closed right away.
                if let Ok(permit) = shared.shedding.clone().try_acquire_owned() {
                    let tls = shared.tls.clone();
                    let timeout = shared.limits.header_timeout;
                    tokio::spawn(async move {
                        match tls {
                            None => shed(stream, refusal).await,
                            Some(tls) => {
                                if let Ok(Ok(stream)) =
                                    tokio::time::timeout(timeout, tls.accept(stream)).await
                                {
                                    shed(stream, refusal).await;
                                }
                            }
                        }
                        drop(permit);
                    });
                }
            }
        }
    }
    drop(listener);
    drop(running);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, all_done.recv()).await;
    Ok(())
}

/// Serves one admitted connection (its TLS handshake first, if any) until it closes, upgrades,
/// idles out or is evicted.
async fn connection(
    shared: Arc<Shared>,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    slot: Slot,
    stop: watch::Receiver<bool>,
) {
    let conn = slot.conn.clone();
    let stream = Tracked::new(stream, slot);
    match shared.tls.clone() {
        None => http(&shared, stream, peer, &conn, stop).await,
        Some(tls) => {
            // A handshake is bounded like a request head.
            let handshake = tokio::time::timeout(shared.limits.header_timeout, tls.accept(stream));
            tokio::select! {
                done = handshake => {
                    if let Ok(Ok(stream)) = done {
                        http(&shared, stream, peer, &conn, stop).await;
                    }
                }
                _ = conn.evict.notified() => {}
            }
        }
    }
    shared.gate.retire(&conn);
}

async fn http<I>(
    shared: &Shared,
    io: I,
    peer: SocketAddr,
    conn: &Arc<Conn>,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let router = shared.router.clone();
    let requests_of = conn.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // What `into_make_service_with_connect_info` did: handlers see the client's address.
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::start(&requests_of);
        let answer = tower_service::Service::call(&mut router.clone(), request);
        async move {
            let response = answer.await;
            drop(busy);
            response
        }
    });
    let served = shared
        .builder
        .serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(served);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = served.as_mut() => break,
            // Dropping the connection closes the socket.
            _ = conn.evict.notified() => break,
            _ = idle(conn, shared.limits.idle_timeout) => break,
            _ = stop.wait_for(|s| *s), if !draining => {
                draining = true;
                served.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Returns once nothing has moved on the connection for `limit` with no request in flight (a
/// request being served is never cut, however long its handler takes).
async fn idle(conn: &Conn, limit: Duration) {
    loop {
        let deadline = conn.last_active() + limit;
        let now = tokio::time::Instant::now();
        if now >= deadline {
            if !conn.busy() {
                return;
            }
            tokio::time::sleep(limit).await;
        } else {
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// Answers a refused connection 503 with the Tencent envelope, then closes it. The request's
/// head is read first (within [`SHED_WAIT`]): an HTTP client takes an answer that comes before
/// its request for a broken server, not for a refusal.
async fn shed<I: AsyncRead + AsyncWrite + Unpin>(mut io: I, refusal: Refusal) {
    let info = match refusal {
        Refusal::Full => "server busy: too many connections; retry later",
        Refusal::PerAddress => "too many connections from this address; retry later",
    };
    let error = ApiError::new(natter_core::codes::TOO_MANY_REQUESTS, info);
    let body = serde_json::Value::Object(natter_http::envelope::envelope(Err(error), None));
    let body = body.to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let answered = tokio::time::timeout(SHED_WAIT, async {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < SHED_HEAD_BYTES {
            match io.read(&mut buf).await? {
                0 => return Ok(()),
                n => head.extend_from_slice(&buf[..n]),
            }
        }
        io.write_all(answer.as_bytes()).await?;
        io.shutdown().await
    })
    .await;
    if !matches!(answered, Ok(Ok(()))) {
        return;
    }
    // Whatever else the client sent (a body) is read and dropped, so that closing does not
    // reset the connection before the client has read the answer.
    let _ = tokio::time::timeout(SHED_LINGER, async {
        let mut sink = [0u8; 4096];
        while let Ok(n) = io.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// `max_connections`, lowered to what the open-file limit leaves room for.
fn fit_to_open_files(max_connections: usize) -> usize {
    let Some(open_files) = open_file_limit() else {
        return max_connections;
    };
    let room = open_files.saturating_sub(RESERVED_FDS).max(1);
    if room < max_connections {
        tracing::warn!(
            max_connections,
            open_files,
            "the open-file limit leaves room for {room} connections only; raise it (ulimit -n) \
             to serve more"
        );
        return room;
    }
    max_connections
}

/// Raises this process's soft limit on open files to its hard limit. The soft limit is often
/// 1024 (or less), and every client connection is a file: at the soft limit `accept` fails and
/// clients wait in the backlog. The hard limit is what the administrator allows; the connection
/// cap then keeps Natter below it. Returns the limit now in force.
pub fn raise_open_file_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let mut limit = open_files()?;
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: setrlimit only reads the struct passed to it. Some systems refuse an
            // unlimited soft limit (macOS, or Linux past fs.nr_open): the old one stays then.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                limit = raised;
            }
        }
        Some(usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn open_file_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        open_files().map(|limit| usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(unix)]
fn open_files() -> Option<libc::rlimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct passed to it.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0).then_some(limit)
}
