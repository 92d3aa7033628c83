//! The `history` suite: `open_msg_svc/get_history` for one hour holding `count` one-to-one
//! messages (imported with `importmsg` at times spread over an hour two hours ago). Reports how
//! long `get_history` takes to answer (it makes the whole file once, to state its sizes and
//! MD5s), and for the download of the file: the time to its first byte, the time to its last,
//! and its size before and after compression.

use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::json;

use crate::{import_accounts, post};

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    count: usize,
    runs: usize,
) -> anyhow::Result<()> {
    let users: Vec<String> = (0..1000).map(|i| format!("hx{i:03}")).collect();
    import_accounts(client, base, query, &users).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let start = (now / 3600 - 2) * 3600;
    let seeded = Instant::now();
    let workers = 32;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, base, query) = (client.clone(), base.to_owned(), query.to_owned());
        tasks.push(tokio::spawn(async move {
            for i in (worker..count).step_by(workers) {
                let (from, to) = (i % 1000, (i * 7 + 1) % 1000);
                let to = if to == from { (to + 1) % 1000 } else { to };
                let body = json!({
                    "SyncFromOldSystem": 2,
                    "From_Account": format!("hx{from:03}"),
                    "To_Account": format!("hx{to:03}"),
                    "MsgSeq": i,
                    "MsgRandom": i,
                    "MsgTimeStamp": start + (i as i64 * 3599) / count as i64,
                    "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("archived message number {i}")}}]
                });
                post(&client, &base, &query, "openim/importmsg", &body).await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    eprintln!(
        "imported {count} messages into one hour in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let hour = beijing_hour(start);
    println!();
    println!("| `get_history` of {count} messages | run | answer ms | download: first byte ms | last byte ms | gzip bytes | file bytes |");
    println!("|---|---|---|---|---|---|---|");
    for run in 1..=runs {
        let asked = Instant::now();
        let reply = post(
            client,
            base,
            query,
            "open_msg_svc/get_history",
            &json!({"ChatType": "C2C", "MsgTime": hour}),
        )
        .await?;
        let answered = asked.elapsed();
        let file = &reply["File"][0];
        let url = file["URL"].as_str().context("a URL")?;
        let fetched = Instant::now();
        let mut response = client.get(url).send().await?;
        if !response.status().is_success() {
            bail!("download: HTTP {}", response.status());
        }
        let mut first = None;
        let mut bytes = 0u64;
        while let Some(chunk) = response.chunk().await? {
            if first.is_none() && !chunk.is_empty() {
                first = Some(fetched.elapsed());
            }
            bytes += chunk.len() as u64;
        }
        let last = fetched.elapsed();
        if bytes != file["GzipSize"].as_u64().unwrap_or(0) {
            bail!(
                "downloaded {bytes} bytes, the reply said {}",
                file["GzipSize"]
            );
        }
        println!(
            "| C2C, {count} messages | {run} | {:.0} | {:.1} | {:.0} | {bytes} | {} |",
            answered.as_secs_f64() * 1000.0,
            first.unwrap_or(last).as_secs_f64() * 1000.0,
            last.as_secs_f64() * 1000.0,
            file["FileSize"]
        );
    }
    Ok(())
}

/// `YYYYMMDDHH` of the Beijing hour (UTC+8) that begins at `unix`.
fn beijing_hour(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86_400);
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}{:02}", local.rem_euclid(86_400) / 3600)
}
