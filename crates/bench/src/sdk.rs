//! The `sdk` suite: clients speaking the Web SDK's protocol at `/binfo` (binary JSON frames, the
//! SDK's login and commands, pushes in its shape), as many as a load test needs, which the real
//! SDK in Node could not reach on this machine. It measures what the issue asks for:
//! - the server's memory per connected, logged-in SDK client (its RSS before and after);
//! - one-to-one latency from a sender's `openim.sendmsg` to the peer's push, with 1 and 64 pairs
//!   sending at once;
//! - a group message sent over REST into a group of 2,000 members, all connected: the time until
//!   the last of them has the push.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::mem::rss_kib;
use crate::{import_accounts, post, public_group, APP, KEY};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const GROUP_MEMBERS: usize = 2000;
const GROUP: &str = "sdk2000";

/// One logged-in SDK connection: its sending half, and the pushes its reader hands on.
struct SdkClient {
    user: String,
    sink: SplitSink<Socket, Message>,
    seq: u64,
    replies: mpsc::UnboundedReceiver<Value>,
    pushes: mpsc::UnboundedReceiver<(Value, Instant)>,
}

impl SdkClient {
    async fn connect(base: &str, user: &str) -> anyhow::Result<Self> {
        let url = format!(
            "{}/binfo?sdkappid={APP}&platform=7&compress=gzip",
            base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .with_context(|| format!("connecting {user}"))?;
        let (sink, mut stream) = socket.split();
        let (reply_tx, replies) = mpsc::unbounded_channel();
        let (push_tx, pushes) = mpsc::unbounded_channel();
        tokio::spawn(async move { read_frames(&mut stream, reply_tx, push_tx).await });
        let mut client = Self {
            user: user.to_owned(),
            sink,
            seq: 0,
            replies,
            pushes,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let sig = natter_usersig::generate(APP, KEY, user, 86_400, now, None);
        let head = json!({"identifier": user, "usersig": sig});
        let reply = client
            .request("im_open_status.wslogin", head, json!({"State": "Online"}))
            .await?;
        ensure!(reply["ErrorCode"] == 0, "login of {user}: {reply}");
        Ok(client)
    }

    async fn request(&mut self, servcmd: &str, head: Value, body: Value) -> anyhow::Result<Value> {
        self.seq += 1;
        let mut full_head = json!({"servcmd": servcmd, "seq": self.seq, "cs": 0});
        for (key, value) in head.as_object().into_iter().flatten() {
            full_head[key] = value.clone();
        }
        let frame = json!({"head": full_head, "body": body}).to_string();
        self.sink
            .send(Message::Binary(frame.into_bytes().into()))
            .await?;
        tokio::time::timeout(Duration::from_secs(30), self.replies.recv())
            .await
            .context("no reply in 30 s")?
            .context("the connection closed")
    }
}

/// Hands replies and pushes (with their arrival time) to the client's channels.
async fn read_frames(
    stream: &mut SplitStream<Socket>,
    replies: mpsc::UnboundedSender<Value>,
    pushes: mpsc::UnboundedSender<(Value, Instant)>,
) {
    while let Some(Ok(message)) = stream.next().await {
        let Message::Binary(bytes) = message else {
            continue;
        };
        let at = Instant::now();
        let json = if bytes.starts_with(b"COMP") {
            let mut text = String::new();
            let mut decoder = flate2::read::GzDecoder::new(&bytes[4..]);
            if std::io::Read::read_to_string(&mut decoder, &mut text).is_err() {
                continue;
            }
            text
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let Ok(frame) = serde_json::from_str::<Value>(&json) else {
            continue;
        };
        let sent = if frame["head"]["servcmd"] == "im_open_push.msg_push" {
            pushes.send((frame["body"].clone(), at)).is_ok()
        } else {
            replies.send(frame["body"].clone()).is_ok()
        };
        if !sent {
            return;
        }
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    server_pid: u32,
) -> anyhow::Result<()> {
    let members: Vec<String> = (0..GROUP_MEMBERS).map(|i| format!("sdk{i:04}")).collect();
    import_accounts(client, base, query, &members).await?;
    public_group(client, base, query, GROUP, &members[0], &members[1..]).await?;

    // Memory: RSS with none of them connected, then with all of them logged in.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(server_pid)?;
    let mut clients = Vec::with_capacity(GROUP_MEMBERS);
    for user in &members {
        clients.push(SdkClient::connect(base, user).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kib(server_pid)?;
    println!();
    println!("| Web SDK clients over /binfo | value |");
    println!("|---|---|");
    println!(
        "| server RSS, {GROUP_MEMBERS} logged in vs none | {:.1} MiB vs {:.1} MiB: {:.1} KiB per client |",
        after as f64 / 1024.0,
        before as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / GROUP_MEMBERS as f64
    );

    // A group message to all of them: until the last one has it.
    let mut fanout_ms = Vec::new();
    for round in 0..5u64 {
        let random = 3_000_000_000 + round;
        let started = Instant::now();
        post(
            client,
            base,
            query,
            "group_open_http_svc/send_group_msg",
            &json!({"GroupId": GROUP, "From_Account": members[0], "Random": random,
                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "to all"}}]}),
        )
        .await?;
        let mut last = started;
        // Every member's connection has it pushed, the sender's too (a REST send comes from no
        // connection of theirs).
        for member in clients.iter_mut() {
            loop {
                let (push, at) =
                    tokio::time::timeout(Duration::from_secs(30), member.pushes.recv())
                        .await
                        .context("a group push did not arrive")?
                        .context("a client stopped")?;
                let item = &push["EventArray"][0]["GroupMsgArray"][0];
                if item["MsgRandom"] == random {
                    last = last.max(at);
                    break;
                }
            }
        }
        fanout_ms.push(last.duration_since(started).as_secs_f64() * 1000.0);
    }
    fanout_ms.sort_by(f64::total_cmp);
    println!(
        "| REST `send_group_msg` into {GROUP_MEMBERS} members, all connected: until the last push (median of 5) | {:.1} ms |",
        percentile(&fanout_ms, 0.5)
    );

    // One-to-one latency: pairs (sender 2i, receiver 2i+1) send at once, each waiting for its
    // reply before the next message; the receiver's push time less the send's start.
    println!();
    println!(
        "| `openim.sendmsg` → peer's push, pairs sending at once | messages | p50 ms | p99 ms |"
    );
    println!("|---|---|---|---|");
    let mut pairs: Vec<(SdkClient, SdkClient)> = Vec::new();
    let mut rest = clients.into_iter();
    while let (Some(a), Some(b)) = (rest.next(), rest.next()) {
        pairs.push((a, b));
        if pairs.len() == 64 {
            break;
        }
    }
    for pair_count in [1usize, 64] {
        let per_pair = if pair_count == 1 { 400 } else { 25 };
        let mut tasks = Vec::new();
        for (i, (mut sender, mut receiver)) in pairs.drain(..pair_count).enumerate() {
            let to = receiver.user.clone();
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::with_capacity(per_pair);
                for n in 0..per_pair {
                    let random = (i * 10_000 + n) as u64;
                    let started = Instant::now();
                    let reply = sender
                        .request(
                            "openim.sendmsg",
                            json!({}),
                            json!({"To_Account": to, "MsgRandom": random,
                                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "ping"}}]}),
                        )
                        .await?;
                    ensure!(reply["ErrorCode"] == 0, "sendmsg: {reply}");
                    loop {
                        let (push, at) = tokio::time::timeout(Duration::from_secs(30), receiver.pushes.recv())
                            .await
                            .context("a C2C push did not arrive")?
                            .context("a client stopped")?;
                        if push["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"] == random {
                            samples.push(at.duration_since(started).as_secs_f64() * 1000.0);
                            break;
                        }
                    }
                }
                anyhow::Ok((samples, sender, receiver))
            }));
        }
        let mut samples = Vec::new();
        for task in tasks {
            let (mut mine, sender, receiver) = task.await??;
            samples.append(&mut mine);
            pairs.push((sender, receiver));
        }
        samples.sort_by(f64::total_cmp);
        println!(
            "| {pair_count} pair(s) | {} | {:.2} | {:.2} |",
            samples.len(),
            percentile(&samples, 0.5),
            percentile(&samples, 0.99)
        );
    }
    Ok(())
}
