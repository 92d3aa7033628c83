//! The `push` suite: group messages pushed to clients connected over `/ws`. It seeds a group of
//! 600 members, connects 200 of them, and measures what a send costs with them connected (a wrk
//! row, to compare with the groups suite's send into 600 members nobody listens to) and how long
//! a message takes from the REST call to a client's socket.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::{import_accounts, post, public_group, Scenario, APP, KEY};

const MEMBERS: usize = 600;
const CONNECTED: usize = 200;
const GROUP: &str = "push600";

/// The connected clients; they read every frame until dropped.
pub struct Listeners {
    /// `(Random, when it arrived)` of each group message the first client receives.
    arrivals: mpsc::UnboundedReceiver<(u64, Instant)>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub async fn seed(
    client: &reqwest::Client,
    base: &str,
    query: &str,
) -> anyhow::Result<(Vec<Scenario>, Listeners)> {
    let members: Vec<String> = (0..MEMBERS).map(|i| format!("pm{i:04}")).collect();
    import_accounts(client, base, query, &members).await?;
    public_group(client, base, query, GROUP, &members[0], &members[1..]).await?;
    let url = format!("{}/ws", base.replacen("http", "ws", 1));
    let (arrived, arrivals) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for (i, user) in members.iter().take(CONNECTED).enumerate() {
        let (mut socket, _) = tokio_tungstenite::connect_async(&url)
            .await
            .with_context(|| format!("connecting {user}"))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let sig = natter_usersig::generate(APP, KEY, user, 86_400, now, None);
        let login =
            json!({"ReqId": 1, "Op": "login", "SdkAppId": APP, "Identifier": user, "UserSig": sig});
        socket.send(Message::Text(login.to_string().into())).await?;
        let reply = socket.next().await.context("no login reply")??;
        let reply: Value = serde_json::from_str(reply.to_text()?)?;
        anyhow::ensure!(reply["ErrorCode"] == 0, "login of {user}: {reply}");
        let arrived = (i == 0).then(|| arrived.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let (Some(arrived), Message::Text(text)) = (&arrived, &message) else {
                    continue;
                };
                if let Ok(frame) = serde_json::from_str::<Value>(text) {
                    if let Some(random) = frame["Random"].as_u64() {
                        let _ = arrived.send((random, Instant::now()));
                    }
                }
            }
        }));
    }
    let scenario = Scenario {
        label: format!(
            "`group_open_http_svc/send_group_msg` into {MEMBERS} members, {CONNECTED} connected over /ws"
        ),
        api: "group_open_http_svc/send_group_msg",
        body: format!(
            r#"'{{"GroupId":"{GROUP}","From_Account":"pm0001","Random":' .. n .. ',"MsgBody":[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"hello ' .. n .. '"}}}}]}}'"#
        ),
    };
    Ok((vec![scenario], Listeners { arrivals, tasks }))
}

/// Sends `count` messages one after another and prints how long each took from the start of
/// the REST call to its arrival at a connected client.
pub async fn latency(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    listeners: &mut Listeners,
    count: usize,
) -> anyhow::Result<()> {
    // Frames of the wrk runs may still be on their way; let them drain.
    tokio::time::sleep(Duration::from_secs(2)).await;
    while listeners.arrivals.try_recv().is_ok() {}
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let random = 4_000_000_000u64 + i as u64;
        let started = Instant::now();
        post(
            client,
            base,
            query,
            "group_open_http_svc/send_group_msg",
            &json!({"GroupId": GROUP, "From_Account": "pm0001", "Random": random,
                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "timed"}}]}),
        )
        .await?;
        loop {
            let (seen, at) =
                tokio::time::timeout(Duration::from_secs(10), listeners.arrivals.recv())
                    .await
                    .context("a message did not arrive")?
                    .context("the listener stopped")?;
            if seen == random {
                samples.push(at.duration_since(started).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!();
    println!(
        "| REST send to a connected member's socket ({MEMBERS} members, {CONNECTED} connected), {count} sends | p50 ms | p99 ms |"
    );
    println!("|---|---|---|");
    println!(
        "| `send_group_msg` → `GroupMsg` frame | {:.2} | {:.2} |",
        at(0.5),
        at(0.99)
    );
    Ok(())
}
