//! The `soak` suite (issue 16): `--soak-clients` WebSocket clients (1,000) stay connected over
//! `/ws` while REST `openim/sendmsg` runs between them at half of the peak rate for `--minutes`,
//! and a tenth of the clients reconnect each minute (one every 600 ms at 1,000, spread over the
//! minute). Every minute it prints the server's RSS (and its anonymous part, without SQLite's mapped
//! database), the sends' p50/p99 and what the clients got,
//! so that the first and the last minutes can be compared: they should match.
//!
//! The peak is measured first: 16 closed-loop senders (one request in flight each) for
//! `--seconds`. The soak then sends open-loop at half that rate, at most 256 requests in flight.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::import_accounts;
use crate::mem::{anon_rss_kib, connect, rss_kib, Protocol, Socket};

/// Closed-loop senders for the peak measurement.
const PEAK_SENDERS: usize = 16;
/// Most sends in flight during the soak (open loop).
const IN_FLIGHT: usize = 256;

/// What the clients and the senders counted during the current minute.
#[derive(Default)]
struct Minute {
    latencies_ms: Mutex<Vec<f64>>,
    failed: AtomicU64,
    pushes: AtomicU64,
    reconnects: AtomicU64,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// One client: reads every frame (counting the pushed messages) until its task is aborted.
fn spawn_reader(socket: Socket, minute: Arc<Mutex<Arc<Minute>>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (_sink, mut stream) = socket.split();
        while let Some(Ok(frame)) = stream.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
                if text.contains("\"Event\"") {
                    let current = minute.lock().unwrap().clone();
                    current.pushes.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    })
}

async fn sendmsg(
    client: &reqwest::Client,
    url: &str,
    from: &str,
    to: &str,
    random: u64,
) -> Option<f64> {
    let body = json!({"From_Account": from, "To_Account": to, "MsgRandom": random,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("soak {random}")}}]});
    let started = Instant::now();
    let reply = client.post(url).body(body.to_string()).send().await.ok()?;
    let text = reply.text().await.ok()?;
    text.contains("\"ActionStatus\":\"OK\"")
        .then(|| started.elapsed().as_secs_f64() * 1000.0)
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    server_pid: u32,
    clients: usize,
    minutes: u64,
    peak_seconds: u64,
) -> anyhow::Result<()> {
    let users: Arc<Vec<String>> = Arc::new((0..clients).map(|i| format!("soak{i:05}")).collect());
    import_accounts(client, base, query, &users).await?;
    let url = Arc::new(format!("{base}/v4/openim/sendmsg?{query}"));
    let random = Arc::new(AtomicU64::new(1));
    let pair = move |n: u64| {
        let from = (n as usize * 7919) % clients;
        let to = (from + 1 + n as usize % (clients - 1)) % clients;
        (from, to)
    };

    let current = Arc::new(Mutex::new(Arc::new(Minute::default())));
    let connected: Vec<anyhow::Result<Socket>> = futures::stream::iter(users.iter())
        .map(|user| connect(base, Protocol::Ws, user))
        .buffer_unordered(32)
        .collect()
        .await;
    let mut readers = Vec::with_capacity(clients);
    for socket in connected {
        readers.push(spawn_reader(socket?, current.clone()));
    }

    // The peak: closed-loop senders between the connected clients.
    let peak_started = Instant::now();
    let mut senders = Vec::new();
    for _ in 0..PEAK_SENDERS {
        let (client, url, users, random) =
            (client.clone(), url.clone(), users.clone(), random.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = 0u64;
            while peak_started.elapsed() < Duration::from_secs(peak_seconds) {
                let n = random.fetch_add(1, Ordering::Relaxed);
                let (from, to) = pair(n);
                if sendmsg(&client, &url, &users[from], &users[to], n)
                    .await
                    .is_some()
                {
                    sent += 1;
                }
            }
            sent
        }));
    }
    let mut peak_sent = 0;
    for sender in senders {
        peak_sent += sender.await?;
    }
    let peak = peak_sent as f64 / peak_started.elapsed().as_secs_f64();
    let rate = peak / 2.0;
    println!();
    println!(
        "soak: {clients} clients over /ws; peak `sendmsg` {peak:.0}/s ({PEAK_SENDERS} closed-loop senders, {peak_seconds} s); soaking at {rate:.0}/s for {minutes} min, {} reconnects a minute",
        clients / 10
    );
    println!();
    println!("| minute | sends/s | failed | p50 ms | p99 ms | pushes received | reconnects | server RSS MiB | of it anonymous MiB |");
    println!("|---|---|---|---|---|---|---|---|---|");

    // Reconnects: a tenth of the clients a minute, one at a time, spread over the minute.
    let reconnect_every = Duration::from_secs_f64(60.0 / (clients / 10).max(1) as f64);
    let soak_started = Instant::now();
    let soak_for = Duration::from_secs(minutes * 60);
    let reconnecting = {
        let (base, users, current) = (base.to_owned(), users.clone(), current.clone());
        tokio::spawn(async move {
            let mut readers = readers;
            let mut tick = tokio::time::interval(reconnect_every);
            tick.tick().await;
            let mut next = 0usize;
            while soak_started.elapsed() < soak_for {
                tick.tick().await;
                let i = next % readers.len();
                next += 1;
                readers[i].abort();
                let socket = connect(&base, Protocol::Ws, &users[i]).await?;
                readers[i] = spawn_reader(socket, current.clone());
                let minute = current.lock().unwrap().clone();
                minute.reconnects.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(readers)
        })
    };

    // The open-loop load: every 10 ms, the sends due by then.
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut issued = 0u64;
    let mut minute_started = Instant::now();
    let mut minute_number = 1;
    let mut reports = Vec::new();
    while soak_started.elapsed() < soak_for {
        tick.tick().await;
        let due = (soak_started.elapsed().as_secs_f64() * rate) as u64;
        while issued < due {
            issued += 1;
            let permit = in_flight.clone().acquire_owned().await?;
            let (client, url, users, random) =
                (client.clone(), url.clone(), users.clone(), random.clone());
            let minute = current.lock().unwrap().clone();
            tokio::spawn(async move {
                let n = random.fetch_add(1, Ordering::Relaxed);
                let (from, to) = pair(n);
                match sendmsg(&client, &url, &users[from], &users[to], n).await {
                    Some(ms) => minute.latencies_ms.lock().unwrap().push(ms),
                    None => {
                        minute.failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(permit);
            });
        }
        if minute_started.elapsed() >= Duration::from_secs(60) {
            let finished =
                std::mem::replace(&mut *current.lock().unwrap(), Arc::new(Minute::default()));
            let seconds = minute_started.elapsed().as_secs_f64();
            minute_started = Instant::now();
            let rss = (rss_kib(server_pid)?, anon_rss_kib(server_pid)?);
            let number = minute_number;
            minute_number += 1;
            // Sends still in flight land in the finished minute's list; a short wait lets them.
            reports.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let row = report(number, &finished, seconds, rss);
                println!("{row}");
                row
            }));
        }
    }
    let mut rows = Vec::new();
    for report in reports {
        rows.push(report.await?);
    }
    let readers = reconnecting.await.context("the reconnecting task")??;
    for reader in readers {
        reader.abort();
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        println!();
        println!("soak start: {first}");
        println!("soak end:   {last}");
    }
    Ok(())
}

fn report(number: u64, minute: &Minute, seconds: f64, (rss, anon): (u64, u64)) -> String {
    let mut latencies = std::mem::take(&mut *minute.latencies_ms.lock().unwrap());
    latencies.sort_by(f64::total_cmp);
    format!(
        "| {number} | {:.0} | {} | {:.2} | {:.2} | {} | {} | {:.1} | {:.1} |",
        latencies.len() as f64 / seconds,
        minute.failed.load(Ordering::Relaxed),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        minute.pushes.load(Ordering::Relaxed),
        minute.reconnects.load(Ordering::Relaxed),
        rss as f64 / 1024.0,
        anon as f64 / 1024.0
    )
}
