//! One measured load of a REST API with `wrk`: the scenario (an API and a Lua body), the run's
//! figures and the median of several runs.

use anyhow::{bail, Context};

/// One measured load: an API and the Lua expression that builds each request body (it may use
/// `id` and `peer`, two different random seeded accounts, and `n`, a request counter).
pub(crate) struct Scenario {
    pub label: String,
    pub api: &'static str,
    pub body: String,
}

impl Scenario {
    pub fn sendmsg() -> Self {
        Scenario {
            label: "`openim/sendmsg` (durable, random pair)".into(),
            api: "openim/sendmsg",
            body: r#"'{"From_Account":"user' .. id .. '","To_Account":"user' .. peer .. '","MsgRandom":' .. n .. ',"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello ' .. n .. '"}}]}'"#.into(),
        }
    }
}

pub(crate) struct Run {
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The run with the median rate.
pub(crate) fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    runs.swap_remove(runs.len() / 2)
}

/// A wrk Lua script: every request gets a fresh body from the scenario's expression, and every
/// reply must say `"ActionStatus":"OK"`.
fn wrk_script(scenario: &Scenario, accounts: usize) -> String {
    format!(
        "wrk.method = \"POST\"\n\
         n = 0\n\
         request = function()\n  n = n + 1\n  local id = math.random(0, {max})\n  \
         local peer = (id + math.random(1, {max})) % {accounts}\n  \
         return wrk.format(nil, nil, nil, {body})\nend\n\
         response = function(status, headers, body)\n  if not string.find(body, '\"ActionStatus\":\"OK\"', 1, true) then error(body) end\nend\n",
        max = accounts - 1,
        body = scenario.body
    )
}

/// One wrk run: `connections` keep-alive connections for `seconds`.
pub(crate) async fn load(
    base: &str,
    query: &str,
    scenario: &Scenario,
    connections: usize,
    accounts: usize,
    seconds: u64,
) -> anyhow::Result<Run> {
    let api = scenario.api;
    let script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    std::fs::write(script.path(), wrk_script(scenario, accounts))?;
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
