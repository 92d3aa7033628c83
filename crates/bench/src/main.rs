//! `natter-bench`: starts a release `natter serve` on a fresh data dir, seeds accounts and
//! profiles, then loads it over loopback HTTP with `wrk` (keep-alive connections, one wrk thread
//! so the server keeps most of the CPU) and prints throughput and latency percentiles per API and
//! connection count. UserSig checking is on, as in production; the
//! frequency limits are lifted so the server, not the limiter, is measured.
//!
//! Run: `cargo build --release && cargo run --release -p natter-bench` (needs `wrk` on the PATH).

use std::process::Stdio;

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

const APP: u64 = 1_400_000_000;
const KEY: &str = "bench-secret-key";
const ADMIN: &str = "administrator";

#[derive(Parser)]
struct Args {
    /// Seconds each run lasts
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Runs per scenario; the median run is reported
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Connection counts to measure
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<usize>,
    /// Accounts created before measuring
    #[arg(long, default_value_t = 1000)]
    accounts: usize,
    /// The natter binary to start
    #[arg(long, default_value = "target/release/natter")]
    natter: String,
    /// PostgreSQL URL: benchmark the PostgreSQL backend instead of SQLite
    #[arg(long)]
    database_url: Option<String>,
}

struct Run {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("natter.toml");
    std::fs::write(
        &config,
        format!(
            "[[app]]\nsdkappid = {APP}\nsecret_key = \"{KEY}\"\nadmins = [\"{ADMIN}\"]\n\
             [app.rate_limits]\n\"profile/portrait_get\" = 0\n\"profile/portrait_set\" = 0\n\
             \"im_open_login_svc/account_check\" = 0\n\"im_open_login_svc/multiaccount_import\" = 0\n"
        ),
    )?;
    let mut command = tokio::process::Command::new(&args.natter);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("NATTER_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    if let Some(url) = &args.database_url {
        command.args(["--database-url", url]);
    }
    let mut server = command
        .spawn()
        .with_context(|| format!("starting {}", args.natter))?;
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let Some(line) = lines.next_line().await? else {
            bail!("natter exited before listening")
        };
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let sig = natter_usersig::generate(APP, KEY, ADMIN, 86_400, now, None);
    let query =
        format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    setup(&client, &base, &query, args.accounts).await?;

    println!(
        "| API | connections | requests/s (median of {}) | p50 ms | p99 ms |",
        args.runs
    );
    println!("|---|---|---|---|---|");
    for api in ["profile/portrait_get", "im_open_login_svc/account_check"] {
        for &connections in &args.connections {
            let mut runs = Vec::new();
            for _ in 0..args.runs {
                runs.push(
                    load(&base, &query, api, connections, args.accounts, args.seconds).await?,
                );
            }
            runs.sort_by(|a, b| a.rate.total_cmp(&b.rate));
            let median = &runs[runs.len() / 2];
            println!(
                "| `{api}` | {connections} | {:.0} | {:.2} | {:.2} |",
                median.rate, median.p50_ms, median.p99_ms
            );
        }
    }
    server.start_kill()?;
    Ok(())
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    api: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let reply: Value = client
        .post(format!("{base}/v4/{api}?{query}"))
        .body(body.to_string())
        .send()
        .await?
        .json()
        .await?;
    if reply["ErrorCode"] != 0 {
        bail!("{api} failed: {reply}");
    }
    Ok(reply)
}

async fn setup(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    accounts: usize,
) -> anyhow::Result<()> {
    let ids: Vec<String> = (0..accounts).map(|i| format!("user{i}")).collect();
    for chunk in ids.chunks(100) {
        let list: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"UserID": id, "Nick": format!("Nick of {id}")}))
            .collect();
        post(
            client,
            base,
            query,
            "im_open_login_svc/multiaccount_import",
            &json!({"AccountList": list}),
        )
        .await?;
    }
    for id in &ids {
        let items = json!([
            {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Female"},
            {"Tag": "Tag_Profile_IM_Level", "Value": 3},
        ]);
        post(
            client,
            base,
            query,
            "profile/portrait_set",
            &json!({"From_Account": id, "ProfileItem": items}),
        )
        .await?;
    }
    Ok(())
}

/// A wrk Lua script that asks for a random one of the seeded accounts on every request.
fn wrk_script(api: &str, accounts: usize) -> String {
    let body = match api {
        "profile/portrait_get" => {
            r#"'{"To_Account":["user' .. id .. '"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Gender","Tag_Profile_IM_Level"]}'"#
        }
        _ => r#"'{"CheckItem":[{"UserID":"user' .. id .. '"}]}'"#,
    };
    format!(
        "wrk.method = \"POST\"\n\
         request = function()\n  local id = math.random(0, {max})\n  return wrk.format(nil, nil, nil, {body})\nend\n\
         response = function(status, headers, body)\n  if not string.find(body, '\"ActionStatus\":\"OK\"', 1, true) then error(body) end\nend\n",
        max = accounts - 1
    )
}

/// One wrk run: `connections` keep-alive connections for `seconds`.
async fn load(
    base: &str,
    query: &str,
    api: &str,
    connections: usize,
    accounts: usize,
    seconds: u64,
) -> anyhow::Result<Run> {
    let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    std::fs::write(script.path(), wrk_script(api, accounts))?;
    let output = tokio::process::Command::new("wrk")
        .args(["-t1", "--latency"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("-s")
        .arg(script.path())
        .arg(format!("{base}/v4/{api}?{query}"))
        .output()
        .await
        .context("running wrk (install it with `apt-get install wrk`)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || text.contains("Non-2xx") || text.contains("errors:") {
        bail!(
            "wrk failed:\n{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let find = |label: &str| -> anyhow::Result<&str> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label).map(str::trim))
            .with_context(|| format!("no {label:?} in wrk output:\n{text}"))
    };
    Ok(Run {
        rate: find("Requests/sec:")?.parse()?,
        p50_ms: millis(find("50%")?)?,
        p99_ms: millis(find("99%")?)?,
    })
}

/// wrk prints latencies as `611.00us`, `1.70ms` or `1.02s`.
fn millis(text: &str) -> anyhow::Result<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        bail!("unknown latency {text:?}")
    };
    Ok(number.parse::<f64>()? * factor)
}
