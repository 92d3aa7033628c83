//! The `mem` suite: the server's resident memory per idle, logged-in WebSocket client, over
//! `/binfo` (the Web SDK's framing) or `/ws` (Natter's own), and whether that memory is given
//! back once the clients have gone. It reads the server's RSS with none of `--clients` clients
//! connected, with all of them logged in, and after all of them disconnected (once
//! `/_natter/online` lists nobody, and the RSS has settled).

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::{import_accounts, APP, KEY};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Which client protocol the clients speak.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub(crate) enum Protocol {
    /// The Web SDK's binary `{head, body}` frames at `/binfo`, gzip asked for
    Binfo,
    /// Natter's JSON text frames at `/ws`
    Ws,
}

/// Connections opened at once while connecting the clients.
const CONNECTING_AT_ONCE: usize = 32;

/// The server's resident memory, from /proc (Linux).
pub(crate) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmRSS:")
}

/// The part of the resident memory that is the process's own (heap, stacks), without the
/// pages of files it maps: SQLite maps its database (`mmap_size`), and those pages count in the
/// RSS as the database grows.
pub(crate) fn anon_rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "RssAnon:")
}

fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .with_context(|| format!("no {field}"))?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .with_context(|| format!("{field} value"))?
        .parse()?)
}

/// Connects `user` over `protocol` and logs in; the socket is returned after the login reply.
/// The client side keeps small buffers so that ten thousand of them fit in the bench process.
pub(crate) async fn connect(base: &str, protocol: Protocol, user: &str) -> anyhow::Result<Socket> {
    let ws_base = base.replacen("http", "ws", 1);
    let url = match protocol {
        Protocol::Binfo => format!("{ws_base}/binfo?sdkappid={APP}&platform=7&compress=gzip"),
        Protocol::Ws => format!("{ws_base}/ws"),
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .with_context(|| format!("connecting {user}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let sig = natter_usersig::generate(APP, KEY, user, 86_400, now, None);
    let login = match protocol {
        Protocol::Binfo => Message::Binary(
            json!({"head": {"servcmd": "im_open_status.wslogin", "seq": 1, "cs": 0,
                "identifier": user, "usersig": sig}, "body": {"State": "Online"}})
            .to_string()
            .into_bytes()
            .into(),
        ),
        Protocol::Ws => Message::Text(
            json!({"ReqId": 1, "Op": "login", "SdkAppId": APP, "Identifier": user, "UserSig": sig})
                .to_string()
                .into(),
        ),
    };
    socket.send(login).await?;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .with_context(|| format!("no login reply for {user} in 30 s"))?
            .with_context(|| format!("{user}'s socket closed before the login reply"))??;
        let reply = match (&frame, protocol) {
            (Message::Binary(bytes), Protocol::Binfo) => {
                let json = if bytes.starts_with(b"COMP") {
                    let mut text = String::new();
                    let mut decoder = flate2::read::GzDecoder::new(&bytes[4..]);
                    std::io::Read::read_to_string(&mut decoder, &mut text)?;
                    text
                } else {
                    String::from_utf8_lossy(bytes).into_owned()
                };
                let frame: Value = serde_json::from_str(&json)?;
                if frame["head"]["servcmd"] != "im_open_status.wslogin" {
                    continue;
                }
                frame["body"].clone()
            }
            (Message::Text(text), Protocol::Ws) => {
                let frame: Value = serde_json::from_str(text)?;
                if frame["ReqId"] != 1 {
                    continue;
                }
                frame
            }
            _ => continue,
        };
        ensure!(reply["ErrorCode"] == 0, "login of {user}: {reply}");
        return Ok(socket);
    }
}

/// Keeps a logged-in client alive while it idles: reads (and so answers the server's pings)
/// and, over `/binfo`, sends the SDK's heartbeat every 10 s as the SDK does. Ends when the
/// socket does; aborting the task drops the socket, which is how a client "goes".
pub(crate) async fn idle(socket: Socket, protocol: Protocol) {
    let (mut sink, mut stream) = socket.split();
    let mut beat = tokio::time::interval(Duration::from_secs(10));
    beat.tick().await;
    let mut seq = 1u64;
    loop {
        tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(_)) => {}
                _ => return,
            },
            _ = beat.tick(), if protocol == Protocol::Binfo => {
                seq += 1;
                let frame = json!({"head": {"servcmd": "heartbeat.alive", "seq": seq, "cs": 0}, "body": {}});
                if sink.send(Message::Binary(frame.to_string().into_bytes().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// How many users `/_natter/online` lists (first page: enough to tell "none").
async fn online(client: &reqwest::Client, base: &str, query: &str) -> anyhow::Result<usize> {
    let listing: Value = client
        .get(format!("{base}/_natter/online?{query}"))
        .send()
        .await?
        .json()
        .await?;
    Ok(listing["users"].as_array().map_or(0, Vec::len))
}

/// The RSS once it has stopped falling: sampled every second until three samples in a row (two
/// seconds) differ by under 1 %, or 30 s passed. Two seconds, because the allocator gives freed
/// memory back to the OS a second after it was freed (`natter/src/main.rs`): a single second
/// could fall between the free and the purge and read a level that is about to drop.
async fn settled_rss(pid: u32) -> anyhow::Result<u64> {
    let started = Instant::now();
    let mut samples = vec![rss_kib(pid)?];
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = rss_kib(pid)?;
        samples.push(now);
        let last_three = &samples[samples.len().saturating_sub(3)..];
        let steady = last_three.len() == 3 && last_three.iter().all(|&s| now.abs_diff(s) * 100 < s);
        if steady || started.elapsed() > Duration::from_secs(30) {
            return Ok(now);
        }
    }
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    server_pid: u32,
    clients: usize,
    protocol: Protocol,
) -> anyhow::Result<()> {
    let users: Vec<String> = (0..clients).map(|i| format!("mem{i:05}")).collect();
    import_accounts(client, base, query, &users).await?;

    let none = settled_rss(server_pid).await?;
    let started = Instant::now();
    let connected: Vec<anyhow::Result<Socket>> = futures::stream::iter(users.iter())
        .map(|user| connect(base, protocol, user))
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect()
        .await;
    let mut tasks = Vec::with_capacity(clients);
    for socket in connected {
        tasks.push(tokio::spawn(idle(socket?, protocol)));
    }
    let took = started.elapsed();
    let all = settled_rss(server_pid).await?;
    ensure!(
        tasks.iter().all(|t| !t.is_finished()),
        "a client was disconnected while idle"
    );

    for task in &tasks {
        task.abort();
    }
    let left = Instant::now();
    while online(client, base, query).await? > 0 {
        ensure!(
            left.elapsed() < Duration::from_secs(60),
            "clients still online a minute after they went"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = settled_rss(server_pid).await?;

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!();
    println!(
        "| {protocol:?}: {clients} idle logged-in clients (connected in {:.1} s) | RSS none MiB | all logged in MiB | per client KiB | after all left MiB |",
        took.as_secs_f64()
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {protocol:?} | {:.1} | {:.1} | {:.1} | {:.1} |",
        mib(none),
        mib(all),
        all.saturating_sub(none) as f64 / clients as f64,
        mib(after)
    );
    Ok(())
}
