//! The `viewers` suite: AVChatRoom viewers without login, as the Web SDK makes them (`joinGroup`
//! before `login`: the noauth join, then long polling `get_msg` on the `/binfo` socket). It
//! measures:
//! - the server's memory per viewer (its RSS with none, then with all of them polling);
//! - a message sent over REST into the room: the time until the last viewer's poll has it.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::mem::rss_kib;
use crate::{import_accounts, post, APP};

const ROOM: &str = "live_viewers";
const OWNER: &str = "live_owner";
const NOAUTH_JOIN: &str = "group_open_http_noauth_svc.apply_join_group";
const NOAUTH_POLL: &str = "group_open_long_polling_http_noauth_svc.get_msg";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One viewer: a socket that never logs in, joins the room and polls it for ever, reporting
/// each message's `Random` with the time its poll's reply arrived.
struct Viewer {
    socket: Socket,
    seq: u64,
}

impl Viewer {
    async fn join(base: &str) -> anyhow::Result<(Self, Value)> {
        let url = format!(
            "{}/binfo?sdkappid={APP}&platform=7&compress=gzip",
            base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await?;
        let mut viewer = Self { socket, seq: 0 };
        let joined = viewer
            .request(NOAUTH_JOIN, json!({"GroupId": ROOM}))
            .await?;
        ensure!(joined["ErrorCode"] == 0, "noauth join: {joined}");
        Ok((viewer, joined))
    }

    /// Sends a request and reads frames until its reply (a viewer has no pushes).
    async fn request(&mut self, servcmd: &str, body: Value) -> anyhow::Result<Value> {
        self.seq += 1;
        let frame = json!({"head": {"servcmd": servcmd, "seq": self.seq, "cs": 0}, "body": body});
        self.socket
            .send(Message::Binary(frame.to_string().into_bytes().into()))
            .await?;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(60), self.socket.next())
                .await
                .context("no reply in 60 s")?
                .context("the connection closed")??;
            let Message::Binary(bytes) = message else {
                continue;
            };
            let text = if bytes.starts_with(b"COMP") {
                let mut text = String::new();
                let mut decoder = flate2::read::GzDecoder::new(&bytes[4..]);
                std::io::Read::read_to_string(&mut decoder, &mut text)?;
                text
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            let frame: Value = serde_json::from_str(&text)?;
            if frame["head"]["seq"] == self.seq {
                return Ok(frame["body"].clone());
            }
        }
    }

    /// Polls until the socket fails, handing on every message's `Random` and arrival time.
    async fn watch(mut self, joined: Value, seen: mpsc::UnboundedSender<(u64, Instant)>) {
        let mut key = joined["LongPollingKey"].clone();
        let mut next = joined["StartSeq"].clone();
        loop {
            let body = json!({"USP": 1, "StartSeq": next, "HoldTime": 90, "Key": key});
            let Ok(reply) = self.request(NOAUTH_POLL, body).await else {
                return;
            };
            let at = Instant::now();
            for message in reply["RspMsgList"].as_array().into_iter().flatten() {
                if let Some(random) = message["MsgRandom"].as_u64() {
                    if seen.send((random, at)).is_err() {
                        return;
                    }
                }
            }
            key = reply["Key"].clone();
            next = reply["NextSeq"].clone();
        }
    }
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    server_pid: u32,
    count: usize,
) -> anyhow::Result<()> {
    import_accounts(client, base, query, &[OWNER.to_owned()]).await?;
    let created = post(
        client,
        base,
        query,
        "group_open_http_svc/create_group",
        &json!({"Type": "AVChatRoom", "Name": "viewers", "GroupId": ROOM, "Owner_Account": OWNER}),
    )
    .await?;
    ensure!(created["ErrorCode"] == 0, "create_group: {created}");

    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(server_pid)?;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    for _ in 0..count {
        let (viewer, joined) = Viewer::join(base).await?;
        tokio::spawn(viewer.watch(joined, seen_tx.clone()));
    }
    drop(seen_tx);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(server_pid)?;
    println!();
    println!("| AVChatRoom viewers without login (long polling over /binfo) | value |");
    println!("|---|---|");
    println!(
        "| server RSS, {count} viewers polling vs none | {:.1} MiB vs {:.1} MiB: {:.1} KiB per viewer |",
        after as f64 / 1024.0,
        before as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / count as f64
    );

    // A message into the room: until the last viewer's poll has it.
    let mut ms = Vec::new();
    for round in 0..5u64 {
        let random = 3_500_000_000 + round;
        let started = Instant::now();
        let sent = post(
            client,
            base,
            query,
            "group_open_http_svc/send_group_msg",
            &json!({"GroupId": ROOM, "From_Account": OWNER, "Random": random,
                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "to viewers"}}]}),
        )
        .await?;
        ensure!(sent["ErrorCode"] == 0, "send_group_msg: {sent}");
        let mut have = 0;
        let mut last = started;
        while have < count {
            let (got, at) = tokio::time::timeout(Duration::from_secs(60), seen.recv())
                .await
                .context("a viewer did not get the message in 60 s")?
                .context("the viewers stopped")?;
            if got == random {
                have += 1;
                last = last.max(at);
            }
        }
        ms.push(last.duration_since(started).as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "| REST `send_group_msg` into the room, {count} viewers polling: until the last has it (median of 5; min, max) | {:.1} ms ({:.1}, {:.1}) |",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1]
    );
    Ok(())
}
