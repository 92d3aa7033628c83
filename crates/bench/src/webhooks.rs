//! The `webhooks` suite: after-callback delivery throughput from a backlog, and the latency a
//! before-callback adds to `sendmsg`, both against a receiver running in this process.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::extract::State;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::{load, median, Scenario};

/// A webhook receiver that answers "allow" at once, once its gate is open, and remembers the
/// `MsgKey` of every after-send callback so lost and repeated deliveries can be counted.
struct Receiver {
    gate: watch::Receiver<bool>,
    keys: Mutex<HashSet<String>>,
    received: AtomicU64,
    /// Time spent inside the handler after the gate, in nanoseconds (the receiver's own time).
    handler_ns: AtomicU64,
}

async fn receive(State(receiver): State<Arc<Receiver>>, body: axum::body::Bytes) -> String {
    let mut gate = receiver.gate.clone();
    let _ = gate.wait_for(|open| *open).await;
    let started = Instant::now();
    if let Ok(event) = serde_json::from_slice::<Value>(&body) {
        if event["CallbackCommand"] == "C2C.CallbackAfterSendMsg" {
            if let Some(key) = event["MsgKey"].as_str() {
                receiver.keys.lock().unwrap().insert(key.to_owned());
            }
        }
    }
    receiver.received.fetch_add(1, Ordering::Relaxed);
    let reply = r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#.to_owned();
    receiver
        .handler_ns
        .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    reply
}

pub(crate) struct Bench<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a str,
    pub query: &'a str,
    pub accounts: usize,
}

impl Bench<'_> {
    async fn configure(&self, config: Value) -> anyhow::Result<()> {
        let reply: Value = self
            .client
            .post(format!(
                "{}/_natter/webhooks/config?{}",
                self.base, self.query
            ))
            .body(config.to_string())
            .send()
            .await?
            .json()
            .await?;
        if reply["ErrorCode"] != 0 {
            bail!("configuring webhooks failed: {reply}");
        }
        Ok(())
    }

    pub(crate) async fn run(
        &self,
        backlog: usize,
        connections: &[usize],
        runs: usize,
        seconds: u64,
    ) -> anyhow::Result<()> {
        let (gate, gate_rx) = watch::channel(false);
        let receiver = Arc::new(Receiver {
            gate: gate_rx,
            keys: Mutex::new(HashSet::new()),
            received: AtomicU64::new(0),
            handler_ns: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/callback", listener.local_addr()?);
        let app = axum::Router::new()
            .route("/callback", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });

        // 1. Delivery from a backlog: the receiver holds every request until `backlog` messages
        //    are stored (their after-callbacks wait in the outbox), then lets them all through.
        self.configure(json!({
            "url": url,
            "commands": ["C2C.CallbackAfterSendMsg"],
            "timeout_ms": 600_000,
        }))
        .await?;
        self.send_messages(backlog).await?;
        let started = Instant::now();
        gate.send_replace(true);
        let deadline = started + Duration::from_secs(600);
        while receiver.keys.lock().unwrap().len() < backlog && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let distinct = receiver.keys.lock().unwrap().len();
        let received = receiver.received.load(Ordering::Relaxed) as usize;
        println!(
            "\nAfter-callback delivery: {backlog} `C2C.CallbackAfterSendMsg` from a backlog in \
             {elapsed:.2} s = {:.0}/s; {} lost, {} delivered twice.",
            distinct as f64 / elapsed,
            backlog - distinct,
            received - distinct
        );

        // 2. Before-callback latency: sendmsg with and without C2C.CallbackBeforeSendMsg.
        let send = Scenario::sendmsg();
        println!("\n| `openim/sendmsg` | connections | requests/s | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|");
        for &connections in connections {
            for with_callback in [false, true] {
                let config = if with_callback {
                    json!({"url": url, "commands": ["C2C.CallbackBeforeSendMsg"]})
                } else {
                    json!({})
                };
                self.configure(config).await?;
                receiver.received.store(0, Ordering::Relaxed);
                receiver.handler_ns.store(0, Ordering::Relaxed);
                let mut measured = Vec::new();
                for _ in 0..runs {
                    measured.push(
                        load(
                            self.base,
                            self.query,
                            &send,
                            connections,
                            self.accounts,
                            seconds,
                        )
                        .await?,
                    );
                }
                let m = median(measured);
                let label = if with_callback {
                    let calls = receiver.received.load(Ordering::Relaxed).max(1);
                    let own_us =
                        receiver.handler_ns.load(Ordering::Relaxed) as f64 / calls as f64 / 1e3;
                    format!("with before-callback (receiver's own time {own_us:.1} µs)")
                } else {
                    "no callback".to_owned()
                };
                println!(
                    "| {label} | {connections} | {:.0} | {:.2} | {:.2} |",
                    m.rate, m.p50_ms, m.p99_ms
                );
            }
        }
        self.configure(json!({})).await
    }

    /// Sends `count` messages between random pairs of the seeded accounts from 32 tasks.
    async fn send_messages(&self, count: usize) -> anyhow::Result<()> {
        let workers = 32;
        let mut tasks = Vec::new();
        for worker in 0..workers {
            let (client, base, query) = (
                self.client.clone(),
                self.base.to_owned(),
                self.query.to_owned(),
            );
            let accounts = self.accounts;
            tasks.push(tokio::spawn(async move {
                for i in (worker..count).step_by(workers) {
                    let from = i % accounts;
                    let to = (from + 1 + i / accounts % (accounts - 1)) % accounts;
                    let body = json!({
                        "From_Account": format!("user{from}"),
                        "To_Account": format!("user{to}"),
                        "MsgRandom": i,
                        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("backlog {i}")}}],
                    });
                    crate::post(&client, &base, &query, "openim/sendmsg", &body)
                        .await
                        .context("sending the backlog")?;
                }
                Ok::<_, anyhow::Error>(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        Ok(())
    }
}
