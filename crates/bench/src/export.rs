//! The `export` suite: snapshots of a small app (1,000 accounts, 100 groups of 10, 10,000
//! messages: half group, half one-to-one) saved and restored on the running server, then
//! `natter import` and `natter export` of an app with `--messages` messages: rows/s and the
//! peak memory (maximum resident set, from `/usr/bin/time`) of each.
//!
//! The large app is made from the small one's export: its one-to-one messages are replaced by
//! `--messages` synthetic ones (distinct conversations, ids, times and randoms), everything
//! else kept, so the file is what `natter export` writes; seeding a million messages through
//! the REST API first would take longer than the measurement.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::post;

pub struct Bench<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a str,
    pub query: &'a str,
    pub natter: &'a str,
    pub config: &'a Path,
    pub data_dir: &'a Path,
    pub database_url: Option<&'a str>,
    pub work: &'a Path,
}

impl Bench<'_> {
    pub async fn run(&self, messages: usize, runs: usize) -> anyhow::Result<()> {
        self.seed().await?;
        self.snapshots(runs).await?;
        let small = self.work.join("small.ndjson.gz");
        let (secs, _) = self.cli(&["export", path(&small)], self.data_dir)?;
        eprintln!("exported the small app in {secs:.2} s");
        let big = self.work.join("big.ndjson.gz");
        let rows = synthesize(&small, &big, messages)?;
        let size = std::fs::metadata(&big)?.len();
        println!();
        println!(
            "| `natter` on an app of {messages} one-to-one + 5,000 group messages ({rows} rows, {:.0} MB gzip) | seconds | rows/s | peak memory MB |",
            size as f64 / 1e6
        );
        println!("|---|---|---|---|");
        let target = self.work.join("target-data");
        let (secs, peak) = self.cli(&["import", path(&big), "--replace"], &target)?;
        println!(
            "| `import` ({}) | {secs:.1} | {:.0} | {:.0} |",
            self.engine(),
            rows as f64 / secs,
            peak as f64 / 1024.0
        );
        let out = self.work.join("out.ndjson.gz");
        let (secs, peak) = self.cli(&["export", path(&out)], &target)?;
        println!(
            "| `export` ({}) | {secs:.1} | {:.0} | {:.0} |",
            self.engine(),
            rows as f64 / secs,
            peak as f64 / 1024.0
        );
        Ok(())
    }

    fn engine(&self) -> &'static str {
        if self.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// Runs `natter <args>` on `data_dir` (or the PostgreSQL database) under `/usr/bin/time`:
    /// wall seconds and the peak resident set in KiB.
    fn cli(&self, args: &[&str], data_dir: &Path) -> anyhow::Result<(f64, u64)> {
        let report = self.work.join("time.txt");
        let mut command = std::process::Command::new("/usr/bin/time");
        command
            .args(["-f", "%e %M", "-o", path(&report), self.natter])
            .args(args)
            .args(["--config", path(self.config), "--data-dir", path(data_dir)])
            .env("NATTER_LOG", "warn");
        if let Some(url) = self.database_url {
            command.args(["--database-url", url]);
        }
        let out = command.output().context("running /usr/bin/time natter …")?;
        if !out.status.success() {
            bail!(
                "natter {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = std::fs::read_to_string(&report)?;
        let mut words = text.split_whitespace();
        let secs: f64 = words.next().context("seconds")?.parse()?;
        let peak: u64 = words.next().context("max RSS")?.parse()?;
        Ok((secs, peak))
    }

    /// 100 groups of 10 of the 1,000 seeded accounts, 50 messages each, and 5,000 one-to-one
    /// messages, sent by 16 workers.
    async fn seed(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        for g in 0..100 {
            let members: Vec<Value> = (1..10)
                .map(|m| json!({"Member_Account": format!("user{}", g * 10 + m)}))
                .collect();
            post(
                self.client,
                self.base,
                self.query,
                "group_open_http_svc/create_group",
                &json!({"Owner_Account": format!("user{}", g * 10), "Type": "Public",
                        "Name": format!("group {g}"), "GroupId": format!("snap{g}"),
                        "MemberList": members}),
            )
            .await?;
        }
        let mut tasks = Vec::new();
        for worker in 0..16usize {
            let (client, base, query) = (
                self.client.clone(),
                self.base.to_owned(),
                self.query.to_owned(),
            );
            tasks.push(tokio::spawn(async move {
                for i in (worker..10_000).step_by(16) {
                    let text = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("message {i}")}}]);
                    if i % 2 == 0 {
                        let g = (i / 2) % 100;
                        let body = json!({"GroupId": format!("snap{g}"),
                            "From_Account": format!("user{}", g * 10 + i % 10), "Random": i,
                            "MsgBody": text});
                        post(&client, &base, &query, "group_open_http_svc/send_group_msg", &body)
                            .await?;
                    } else {
                        let (from, to) = (i % 1000, (i * 7 + 3) % 1000);
                        let to = if to == from { (to + 1) % 1000 } else { to };
                        let body = json!({"From_Account": format!("user{from}"),
                            "To_Account": format!("user{to}"), "MsgRandom": i, "MsgBody": text});
                        post(&client, &base, &query, "openim/sendmsg", &body).await?;
                    }
                }
                Ok::<_, anyhow::Error>(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        eprintln!(
            "seeded 100 groups and 10,000 messages in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    async fn control(&self, path: &str) -> anyhow::Result<Value> {
        let reply: Value = self
            .client
            .post(format!("{}{path}?{}&name=seed", self.base, self.query))
            .send()
            .await?
            .json()
            .await?;
        if reply["ErrorCode"] != 0 {
            bail!("{path} failed: {reply}");
        }
        Ok(reply)
    }

    async fn snapshots(&self, runs: usize) -> anyhow::Result<()> {
        println!();
        println!("| snapshot of 1,000 accounts, 100 groups, 10,000 messages ({}) | run | rows | stored KB | server ms | wall ms |", self.engine());
        println!("|---|---|---|---|---|---|");
        for run in 1..=runs {
            let asked = Instant::now();
            let saved = self.control("/_natter/snapshots/save").await?;
            println!(
                "| save | {run} | {} | {:.0} | {} | {:.0} |",
                saved["rows"],
                saved["bytes"].as_f64().unwrap_or_default() / 1024.0,
                saved["ms"],
                asked.elapsed().as_secs_f64() * 1000.0
            );
        }
        // What a test suite does between two restores: a test's writes (20 one-to-one and
        // 20 group messages), then back to the seed; and once from an emptied app (/_natter/reset),
        // where every row is written again.
        for run in 1..=runs.max(5) {
            self.writes(run).await?;
            self.restore(&format!("restore after 40 writes | {run}"))
                .await?;
        }
        for run in 1..=runs.max(3) {
            self.reset().await?;
            self.restore(&format!("restore after a reset | {run}"))
                .await?;
        }
        Ok(())
    }

    async fn restore(&self, label: &str) -> anyhow::Result<()> {
        let asked = Instant::now();
        let restored = self.control("/_natter/snapshots/restore").await?;
        println!(
            "| {label} | {} | | {} | {:.0} |",
            restored["rows"],
            restored["ms"],
            asked.elapsed().as_secs_f64() * 1000.0
        );
        Ok(())
    }

    /// 20 one-to-one and 20 group messages, as a test would send.
    async fn writes(&self, run: usize) -> anyhow::Result<()> {
        for i in 0..20usize {
            let text = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("test {run} {i}")}}]);
            let body = json!({"From_Account": format!("user{i}"), "To_Account": format!("user{}", i + 500),
                "MsgRandom": run * 100 + i, "MsgBody": text});
            post(self.client, self.base, self.query, "openim/sendmsg", &body).await?;
            let body = json!({"GroupId": format!("snap{i}"), "From_Account": format!("user{}", i * 10),
                "Random": run * 100 + i, "MsgBody": text});
            post(
                self.client,
                self.base,
                self.query,
                "group_open_http_svc/send_group_msg",
                &body,
            )
            .await?;
        }
        Ok(())
    }

    async fn reset(&self) -> anyhow::Result<()> {
        let reply: Value = self
            .client
            .post(format!("{}/_natter/reset?{}", self.base, self.query))
            .send()
            .await?
            .json()
            .await?;
        if reply["ErrorCode"] != 0 {
            bail!("/_natter/reset failed: {reply}");
        }
        Ok(())
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Writes `big` from `small`: every record kept but the one-to-one messages and the rows that
/// point at them (extensions, cleared histories), replaced by `messages` synthetic messages.
/// Returns the rows written.
fn synthesize(small: &Path, big: &Path, messages: usize) -> anyhow::Result<u64> {
    let input = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(small)?));
    let mut out = flate2::write::GzEncoder::new(
        std::io::BufWriter::new(std::fs::File::create(big)?),
        flate2::Compression::fast(),
    );
    let mut table = String::new();
    let mut template: Option<(Vec<String>, Vec<Value>)> = None;
    let mut columns: Vec<String> = Vec::new();
    let (mut rows, mut app_rows) = (0u64, 0u64);
    for line in input.lines() {
        let line = line?;
        let record: Value = serde_json::from_str(&line)?;
        if record.is_array() {
            if table == "c2c_messages" {
                if template.is_none() {
                    template = Some((columns.clone(), record.as_array().unwrap().clone()));
                }
                continue;
            }
            if table == "c2c_extensions" || table == "c2c_cleared" {
                continue;
            }
            app_rows += 1;
            writeln!(out, "{line}")?;
            continue;
        }
        if record.get("app").is_some() {
            let mut record = record.clone();
            record["message_ids"] = json!([1, messages]);
            writeln!(out, "{record}")?;
            continue;
        }
        if let Some(name) = record.get("table").and_then(Value::as_str) {
            if table == "c2c_messages" {
                app_rows += write_messages(&mut out, template.take(), messages)?;
            }
            table = name.to_owned();
            columns = serde_json::from_value(record["columns"].clone())?;
            writeln!(out, "{line}")?;
            continue;
        }
        if let Some(app) = record.get("end_app") {
            if table == "c2c_messages" {
                app_rows += write_messages(&mut out, template.take(), messages)?;
            }
            writeln!(out, "{}", json!({"end_app": app, "rows": app_rows}))?;
            rows += app_rows;
            app_rows = 0;
            continue;
        }
        if record.get("end").is_some() {
            writeln!(out, "{}", json!({"end": true, "rows": rows}))?;
            continue;
        }
        writeln!(out, "{line}")?;
    }
    out.finish()?.flush()?;
    Ok(rows)
}

fn write_messages(
    out: &mut impl Write,
    template: Option<(Vec<String>, Vec<Value>)>,
    messages: usize,
) -> anyhow::Result<u64> {
    let (columns, row) = template.context("the small app has one-to-one messages")?;
    let at = |name: &str| columns.iter().position(|c| c == name).context("a column");
    let (id, low, high, from, to) = (
        at("id")?,
        at("pair_low")?,
        at("pair_high")?,
        at("from_account")?,
        at("to_account")?,
    );
    let (seq, random, time, body) = (
        at("msg_seq")?,
        at("msg_random")?,
        at("msg_time")?,
        at("body")?,
    );
    let start = 1_700_000_000i64;
    for i in 0..messages {
        let (a, b) = (i % 1000, (i / 1000 + i) % 1000);
        let b = if a == b { (b + 1) % 1000 } else { b };
        let (sender, receiver) = (format!("user{a}"), format!("user{b}"));
        let (lo, hi) = if sender < receiver {
            (&sender, &receiver)
        } else {
            (&receiver, &sender)
        };
        let mut r = row.clone();
        r[id] = json!(i + 1);
        r[low] = json!(lo);
        r[high] = json!(hi);
        r[from] = json!(sender);
        r[to] = json!(receiver);
        r[seq] = json!(i % 1_000_000 + 1);
        r[random] = json!(i);
        r[time] = json!(start + i as i64 / 10);
        r[body] = json!(format!(
            "[{{\"MsgType\":\"TIMTextElem\",\"MsgContent\":{{\"Text\":\"synthetic message {i}\"}}}}]"
        ));
        serde_json::to_writer(&mut *out, &r)?;
        out.write_all(b"\n")?;
    }
    Ok(messages as u64)
}
