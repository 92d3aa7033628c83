//! The `allpush` suite: `all_member_push/im_push` to every account of an app (100,000 by
//! default), measured as accounts delivered per second, and its cost to other traffic: the p50
//! and p99 of `sendmsg` from concurrent clients while the push runs, against the same load
//! without it. The load is driven from this process (closed loop, one request in flight per
//! client), so it needs no `wrk`.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::{import_accounts, post};

pub(crate) struct Bench<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a str,
    pub query: &'a str,
    /// Seeded `user<i>` accounts the `sendmsg` load sends between.
    pub accounts: usize,
}

/// Latencies of one load, in milliseconds.
struct Load {
    rate: f64,
    p50: f64,
    p99: f64,
    count: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

impl Bench<'_> {
    /// Runs `clients` closed-loop `sendmsg` clients until `stop` is set (or `limit` passes).
    async fn sendmsg_load(&self, clients: usize, stop: Arc<AtomicBool>, limit: Duration) -> Load {
        static RANDOM: AtomicU32 = AtomicU32::new(1);
        let started = Instant::now();
        let mut workers = Vec::new();
        for w in 0..clients {
            let (client, stop) = (self.client.clone(), stop.clone());
            let url = format!("{}/v4/openim/sendmsg?{}", self.base, self.query);
            let accounts = self.accounts;
            workers.push(tokio::spawn(async move {
                let mut times = Vec::new();
                let mut i = w;
                while !stop.load(Ordering::Relaxed) && started.elapsed() < limit {
                    i += clients;
                    let from = i % accounts;
                    let to = (from + 1 + w) % accounts;
                    let n = RANDOM.fetch_add(1, Ordering::Relaxed);
                    let body = json!({"From_Account": format!("user{from}"), "To_Account": format!("user{to}"),
                        "MsgRandom": n, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("load {n}")}}]});
                    let t = Instant::now();
                    let ok = match client.post(&url).body(body.to_string()).send().await {
                        Ok(r) => r.text().await.is_ok_and(|b| b.contains("\"ActionStatus\":\"OK\"")),
                        Err(_) => false,
                    };
                    if ok {
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                times
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap_or_default());
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.sort_by(f64::total_cmp);
        Load {
            rate: all.len() as f64 / elapsed,
            p50: percentile(&all, 0.5),
            p99: percentile(&all, 0.99),
            count: all.len(),
        }
    }

    async fn task(&self, task_id: &str) -> anyhow::Result<Value> {
        let listing: Value = self
            .client
            .get(format!("{}/_natter/pushes?{}", self.base, self.query))
            .send()
            .await?
            .json()
            .await?;
        listing["tasks"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["task_id"] == task_id))
            .cloned()
            .with_context(|| format!("task {task_id} not listed: {listing}"))
    }

    /// Seeds `targets` extra accounts, measures `sendmsg` with `clients` clients for `seconds`
    /// alone, then again while a push to everyone runs, and prints both and the push's rate.
    pub async fn run(&self, targets: usize, clients: usize, seconds: u64) -> anyhow::Result<()> {
        let ids: Vec<String> = (0..targets).map(|i| format!("push{i:06}")).collect();
        let seeded = Instant::now();
        let chunks: Vec<&[String]> = ids.chunks(1000).collect();
        for group in chunks.chunks(8) {
            let imports = group
                .iter()
                .map(|chunk| import_accounts(self.client, self.base, self.query, chunk));
            for result in futures::future::join_all(imports).await {
                result?;
            }
        }
        eprintln!(
            "allpush: {targets} accounts seeded in {:.0?}",
            seeded.elapsed()
        );

        let limit = Duration::from_secs(seconds);
        let alone = self
            .sendmsg_load(clients, Arc::new(AtomicBool::new(false)), limit)
            .await;

        let reply = post(
            self.client,
            self.base,
            self.query,
            "all_member_push/im_push",
            &json!({"MsgRandom": 7, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "to everyone"}}]}),
        )
        .await?;
        let started = Instant::now();
        let task_id = reply["TaskId"].as_str().context("a TaskId")?.to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        // The same load, for as long as the push runs (at most an hour).
        let during = {
            let load = self.sendmsg_load(clients, stop.clone(), Duration::from_secs(3600));
            let watch = async {
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let task = self.task(&task_id).await?;
                    if task["state"] == "finished" {
                        stop.store(true, Ordering::Relaxed);
                        return anyhow::Ok(task);
                    }
                    if started.elapsed() > Duration::from_secs(3600) {
                        bail!("the push did not finish within an hour: {task}");
                    }
                }
            };
            let (load, task) = tokio::join!(load, watch);
            (load, task?)
        };
        let (during, task) = during;
        let took = started.elapsed().as_secs_f64();
        let delivered = task["delivered"].as_u64().unwrap_or(0);
        println!();
        println!(
            "`im_push` to every account: {delivered} delivered in {took:.1} s = {:.0} accounts/s \
             (scanned {}), with {clients} `sendmsg` clients running",
            delivered as f64 / took,
            task["scanned"]
        );
        println!();
        println!(
            "| `openim/sendmsg`, {clients} clients | requests/s | p50 ms | p99 ms | requests |"
        );
        println!("|---|---|---|---|---|");
        for (label, l) in [("alone", &alone), ("during the push", &during)] {
            println!(
                "| {label} | {:.0} | {:.2} | {:.2} | {} |",
                l.rate, l.p50, l.p99, l.count
            );
        }
        Ok(())
    }
}
