//! Hardening at the edges (issue 16): connection caps, header and idle timeouts, the answer to
//! an over-long head, and how WebSockets are refused or timed out. Raw sockets throughout, so
//! that the tests see exactly what the server does on the wire.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Engine, TestServer, ADMIN, APP};

/// A bound on every wait for something the server must do, so that a broken server fails the
/// test instead of hanging it; never a measure of how long the server took.
const BOUND: Duration = Duration::from_secs(30);

fn addr(server: &TestServer) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// Reads until the server closes the connection; what it sent before.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    out
}

/// Sends a request on a fresh connection and reads the answer whole (the request asks the
/// server to close).
async fn raw_request(server: &TestServer, head: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr(server)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    parse_response(&read_to_close(&mut stream).await)
}

/// The status and JSON body (`Null` when empty) of one HTTP/1.1 response.
fn parse_response(bytes: &[u8]) -> (u16, Value) {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    (status, body)
}

async fn health(server: &TestServer) -> reqwest::Response {
    server
        .client
        .get(format!("{}/_natter/health", server.base))
        .send()
        .await
        .unwrap()
}

/// A WebSocket opened by hand (the frames below are written and read by hand too, so that a
/// test controls exactly what the client answers, e.g. not the server's pings).
async fn raw_ws(server: &TestServer, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr(server)).await.unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: natter\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        let byte = tokio::time::timeout(BOUND, stream.read_u8())
            .await
            .expect("an upgrade answer")
            .unwrap();
        answer.push(byte);
    }
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    stream
}

/// A client frame: FIN, `opcode`, masked with the zero key (so the payload goes as it is), the
/// length in whichever form it needs.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&[0, 0, 0, 0]);
    frame.extend_from_slice(payload);
    frame
}

/// The next server frame: opcode and payload.
async fn server_frame(stream: &mut TcpStream) -> (u8, Vec<u8>) {
    tokio::time::timeout(BOUND, async {
        let first = stream.read_u8().await.unwrap();
        let len = match stream.read_u8().await.unwrap() & 0x7f {
            126 => stream.read_u16().await.unwrap() as usize,
            127 => stream.read_u64().await.unwrap() as usize,
            n => n as usize,
        };
        let mut payload = vec![0; len];
        stream.read_exact(&mut payload).await.unwrap();
        (first & 0x0f, payload)
    })
    .await
    .expect("a frame from the server")
}

/// Reads frames (not answering pings) until the close frame; its code and reason.
async fn close_frame(stream: &mut TcpStream) -> (u16, String) {
    loop {
        let (opcode, payload) = server_frame(stream).await;
        if opcode == 8 {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            return (code, String::from_utf8_lossy(&payload[2..]).into_owned());
        }
    }
}

async fn ws_login(server: &TestServer, stream: &mut TcpStream, user: &str) {
    let login = json!({"ReqId": 1, "Op": "login", "SdkAppId": APP, "Identifier": user,
        "UserSig": server.sig(user)});
    stream
        .write_all(&client_frame(1, login.to_string().as_bytes()))
        .await
        .unwrap();
    loop {
        let (opcode, payload) = server_frame(stream).await;
        if opcode == 1 {
            let reply: Value = serde_json::from_slice(&payload).unwrap();
            assert_eq!(reply["ErrorCode"], 0, "{reply}");
            return;
        }
    }
}

async fn import(server: &TestServer, user: &str) -> Value {
    server
        .call("im_open_login_svc/account_import", json!({"UserID": user}))
        .await
}

async fn many_idle_connections_do_not_starve_the_server(engine: Engine) {
    let server = TestServer::start_with(engine, |c| {
        c.limits.max_connections = 8;
        c.limits.max_connections_per_ip = 8;
    })
    .await;
    // Idle sockets past the cap, and sockets that started a head and stopped (slowloris).
    let mut idle = Vec::new();
    for i in 0..24 {
        let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
        if i % 2 == 0 {
            stream
                .write_all(b"GET /_natter/health HTTP/1.1\r\nX-Slow: ")
                .await
                .unwrap();
        }
        idle.push(stream);
    }
    assert_eq!(health(&server).await.status(), 200);
    assert_eq!(import(&server, "still_served").await["ErrorCode"], 0);
    let metrics = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("natter_connections_evicted_total"),
        "{metrics}"
    );
    // Room was made by closing idle sockets, the quietest (then the oldest) first: the first
    // socket that never sent a byte was among the first two to go.
    assert!(read_to_close(&mut idle.remove(1)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_idle_connections_do_not_starve_the_server_sqlite() {
    many_idle_connections_do_not_starve_the_server(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn many_idle_connections_do_not_starve_the_server_postgres() {
    many_idle_connections_do_not_starve_the_server(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_with_nothing_idle_a_newcomer_gets_503_with_the_envelope() {
    let server = TestServer::start_with(Engine::Sqlite, |c| c.limits.max_connections = 2).await;
    // WebSockets are never evicted: two of them fill the server.
    let first = raw_ws(&server, "/ws").await;
    let _second = raw_ws(&server, "/ws").await;
    let refused = health(&server).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["ActionStatus"], "FAIL");
    assert_eq!(body["ErrorCode"], 60018, "{body}");
    assert!(body["ErrorInfo"]
        .as_str()
        .unwrap()
        .contains("too many connections"));
    // A closed WebSocket gives its place back.
    let mut first = first;
    first
        .write_all(&client_frame(8, &1000u16.to_be_bytes()))
        .await
        .unwrap();
    read_to_close(&mut first).await;
    assert_eq!(health(&server).await.status(), 200);
    let metrics = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"natter_connections_refused_total{reason="full"}"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cap_per_address_refuses_that_address_only() {
    let server =
        TestServer::start_with(Engine::Sqlite, |c| c.limits.max_connections_per_ip = 2).await;
    let _held = (
        raw_ws(&server, "/ws").await,
        raw_ws(&server, "/binfo").await,
    );
    let refused = health(&server).await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["ErrorCode"], 60018);
    assert!(
        body["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("from this address"),
        "{body}"
    );
    // Another address (all of 127/8 is the loopback) is served.
    let elsewhere = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let answer = elsewhere
        .get(format!("{}/_natter/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_trickled_byte_by_byte_is_cut_at_the_header_timeout() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.limits.header_timeout = Duration::from_millis(500);
    })
    .await;
    let stream = TcpStream::connect(addr(&server)).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // The client keeps sending a byte of header every 50 ms (so the connection is never idle)
    // and never ends the head; it stops when the server has closed the connection.
    let trickle = tokio::spawn(async move {
        writer
            .write_all(b"GET /_natter/health HTTP/1.1\r\nX-Slow: ")
            .await?;
        for _ in 0..1000 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            writer.write_all(b"a").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, reader.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.contains(" 200 "), "never answered: {answer}");
    trickle.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.limits.idle_timeout = Duration::from_millis(500);
        c.limits.header_timeout = Duration::from_secs(60);
    })
    .await;
    // A kept-alive connection after its answer.
    let mut kept = TcpStream::connect(addr(&server)).await.unwrap();
    kept.write_all(b"GET /_natter/health HTTP/1.1\r\nHost: natter\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut kept).await;
    let (status, body) = parse_response(&answer);
    assert_eq!(status, 200, "answered, then closed when idle");
    assert_eq!(body["status"], "ok", "{body}");
    // A connection that never says anything.
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_url_or_header_is_refused_with_the_envelope() {
    let server = TestServer::start(Engine::Sqlite).await;
    let long = "a".repeat(9 * 1024);
    let (status, body) = raw_request(
        &server,
        &format!(
            "GET /v4/im_open_login_svc/account_import?sdkappid={APP}&identifier={ADMIN}&x={long} \
             HTTP/1.1\r\nHost: natter\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 414);
    assert_eq!(body["ActionStatus"], "FAIL");
    assert_eq!(body["ErrorCode"], 60002, "{body}");

    let header = "b".repeat(40 * 1024);
    let (status, body) = raw_request(
        &server,
        &format!(
            "GET /_natter/health HTTP/1.1\r\nHost: natter\r\nX-Big: {header}\r\n\
             Connection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 431);
    assert_eq!(body["ErrorCode"], 60008, "{body}");

    // Past hyper's own head buffer (twice the limit) the parser answers alone: a bare 431, as
    // the README says.
    let header = "c".repeat(70 * 1024);
    let (status, body) = raw_request(
        &server,
        &format!("GET /_natter/health HTTP/1.1\r\nHost: natter\r\nX-Big: {header}\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 431);
    assert_eq!(body, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_big_websocket_frame_gets_a_1009_close() {
    let server = TestServer::start(Engine::Sqlite).await;
    import(&server, "big_sender").await;
    let mut ws = raw_ws(&server, "/ws").await;
    ws_login(&server, &mut ws, "big_sender").await;
    ws.write_all(&client_frame(1, &vec![b' '; 65 * 1024]))
        .await
        .unwrap();
    let (code, reason) = close_frame(&mut ws).await;
    assert_eq!(code, 1009, "{reason}");
    assert!(reason.contains("too big"), "{reason}");

    // The Web SDK's socket too, before its login.
    let mut binfo = raw_ws(&server, "/binfo").await;
    binfo
        .write_all(&client_frame(2, &vec![0; 300 * 1024]))
        .await
        .unwrap();
    assert_eq!(close_frame(&mut binfo).await.0, 1009);
}

async fn a_silent_client_is_dropped_after_the_client_timeout(engine: Engine) {
    let server = TestServer::start_with(engine, |c| {
        c.client_timeout = Duration::from_millis(600);
    })
    .await;
    import(&server, "silent").await;
    let mut ws = raw_ws(&server, "/ws").await;
    ws_login(&server, &mut ws, "silent").await;
    // Pings come and go unanswered.
    let (code, reason) = close_frame(&mut ws).await;
    assert_eq!((code, reason.as_str()), (1001, "no answer to pings"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_dropped_after_the_client_timeout_sqlite() {
    a_silent_client_is_dropped_after_the_client_timeout(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn a_silent_client_is_dropped_after_the_client_timeout_postgres() {
    a_silent_client_is_dropped_after_the_client_timeout(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_waiting_to_log_in_are_bounded() {
    let server = TestServer::start_with(Engine::Sqlite, |c| c.max_pending_logins = 1).await;
    import(&server, "waiting").await;
    let mut first = raw_ws(&server, "/ws").await;
    for path in ["/ws", "/binfo"] {
        let (status, body) = raw_request(
            &server,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: natter\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                 Sec-WebSocket-Version: 13\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(status, 503, "{path}");
        assert_eq!(body["ErrorCode"], 60018, "{body}");
    }
    // Once the first has logged in (and answered a request after it), a place is free again.
    ws_login(&server, &mut first, "waiting").await;
    first
        .write_all(&client_frame(1, br#"{"ReqId":2,"Op":"ping"}"#))
        .await
        .unwrap();
    loop {
        let (opcode, payload) = server_frame(&mut first).await;
        if opcode == 1 && serde_json::from_slice::<Value>(&payload).unwrap()["ReqId"] == 2 {
            break;
        }
    }
    raw_ws(&server, "/binfo").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_a_handshake_never_started_is_closed_at_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.tls = Some((cert_path, key_path));
        c.limits.header_timeout = Duration::from_millis(500);
        c.limits.idle_timeout = Duration::from_secs(60);
    })
    .await;
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let answer = client
        .get(format!("{}/_natter/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "HTTPS is served");
    // A socket that never starts its handshake (the idle timeout is far off).
    let addr: SocketAddr = server.base.trim_start_matches("https://").parse().unwrap();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_web_sdk_is_dropped_after_the_client_timeout() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.client_timeout = Duration::from_millis(600);
    })
    .await;
    import(&server, "quiet_sdk").await;
    let mut sdk = crate::sdk_client::SdkClient::connect(&server, "quiet_sdk").await;
    // No heartbeat is sent: the server closes the socket (frames before the close pass by).
    while sdk.try_next_frame().await.is_some() {}
}
