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

mod all_member_push;
mod cluster;
mod export;
mod history;
mod mem;
mod push;
mod sdk;
mod seeds;
mod soak;
mod viewers;
mod webhooks;
mod wrk;

use seeds::{seed_conversation, seed_friends, seed_groups};
pub(crate) use wrk::{load, median, Run, Scenario};

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
    /// NATS URL: the server is a cluster node (a cluster of its own name, so other users of
    /// the NATS server are not mixed in); the `cluster` suite needs it
    #[arg(long)]
    nats_url: Option<String>,
    /// Which suites to run: `rest` (portrait_get, account_check), `messages` (sendmsg,
    /// admin_getroammsg on a long conversation), `webhooks` (after-callback delivery from a
    /// backlog, before-callback latency), `friends` (friend_check of 1,000 accounts and
    /// friend_get pages against a user with 3,000 friends), `groups` (sends into groups of 3,
    /// 600 and 6,000, member pages, joined lists), `push` (sends with 200 clients connected over
    /// /ws, and the time to their sockets), `sdk` (2,000 Web SDK clients over /binfo: memory per
    /// client, a group message to all of them, one-to-one latency with 1 and 64 pairs),
    /// `viewers` (`--viewers` AVChatRoom viewers without login long-polling one room: memory
    /// per viewer, a message until the last viewer has it),
    /// `history` (get_history of an hour of `--archive` messages: answer time, download time
    /// to first and last byte, sizes)
    /// `allpush` (`im_push` to `--push-accounts` accounts: accounts/s, and `sendmsg` p50/p99
    /// from 16 clients during the push against the same load alone),
    /// `export` (snapshot save/restore of 1,000 accounts, 100 groups and 10,000 messages;
    /// `natter import`/`export` of an app with `--messages` messages: rows/s, peak memory),
    /// `cluster` (with `--database-url` and `--nats-url`: sendmsg and send_group_msg on 1, 2
    /// and 3 nodes, and the presence bucket's writes for 1,000 clients),
    /// `mem` (`--clients` idle logged-in clients over `--protocol`: the server's RSS with none,
    /// all logged in and after all left), `soak` (`--soak-clients` clients over /ws, `sendmsg`
    /// at half its peak rate for `--minutes`, a tenth of the clients reconnecting each minute:
    /// RSS and p50/p99 every minute)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "rest,messages,webhooks,friends"
    )]
    suites: Vec<String>,
    /// Messages in the conversation that admin_getroammsg pages through
    #[arg(long, default_value_t = 100_000)]
    history: usize,
    /// Messages in the hour that the history suite downloads
    #[arg(long, default_value_t = 100_000)]
    archive: usize,
    /// Accounts an `im_push` reaches (allpush suite), besides the `--accounts` ones
    #[arg(long, default_value_t = 100_000)]
    push_accounts: usize,
    /// One-to-one messages of the app that `natter import`/`export` move (export suite)
    #[arg(long, default_value_t = 995_000)]
    messages: usize,
    /// After-callbacks queued before delivery is let through (webhooks suite)
    #[arg(long, default_value_t = 20_000)]
    backlog: usize,
    /// AVChatRoom viewers without login, each long-polling the room (viewers suite)
    #[arg(long, default_value_t = 2_000)]
    viewers: usize,
    /// Idle logged-in clients (mem suite)
    #[arg(long, default_value_t = 2_000)]
    clients: usize,
    /// The protocol of the mem suite's clients
    #[arg(long, value_enum, default_value = "binfo")]
    protocol: mem::Protocol,
    /// Connected clients (soak suite)
    #[arg(long, default_value_t = 1_000)]
    soak_clients: usize,
    /// How long the soak lasts (soak suite); the peak is measured for `--seconds` before it
    #[arg(long, default_value_t = 30)]
    minutes: u64,
    /// Group counts the cluster suite's group sends are spread over, one scenario each. Sends
    /// into one group wait for each other (its sequence), so few groups measure how fast one
    /// group's sends follow each other (each waits for the previous one's commit), many groups
    /// what a node can do; at Tencent's default of 40 messages a second per group, 3,000 sends a
    /// second need at least 75 groups
    #[arg(long, value_delimiter = ',', default_value = "10,100")]
    groups: Vec<usize>,
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
             \"im_open_login_svc/account_check\" = 0\n\"im_open_login_svc/multiaccount_import\" = 0\n\
             \"openim/sendmsg\" = 0\n\"openim/admin_getroammsg\" = 0\n\
             \"sns/friend_import\" = 0\n\"sns/friend_check\" = 0\n\"sns/friend_get\" = 0\n\
             \"group_open_http_svc/create_group\" = 0\n\"group_open_http_svc/add_group_member\" = 0\n\
             \"group_open_http_svc/send_group_msg\" = 0\n\"group_open_http_svc/get_group_member_info\" = 0\n\
             \"group_open_http_svc/get_joined_group_list\" = 0\n\
             \"group_open_http_svc/messages_per_group\" = 0\n\
             \"openim/importmsg\" = 0\n\"open_msg_svc/get_history\" = 0\n"
        ),
    )?;
    let mut command = tokio::process::Command::new(&args.natter);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        // Every simulated client comes from 127.0.0.1 and the sdk suite opens 2,000 sockets at
        // once (the mem suite 10,000): the caps in all, per address and on waiting logins would
        // refuse most of them.
        .args([
            "--max-connections",
            "15000",
            "--max-connections-per-ip",
            "50000",
            "--max-pending-logins",
            "50000",
        ])
        .env("NATTER_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    if let Some(url) = &args.database_url {
        command.args(["--database-url", url]);
    }
    let cluster_name = format!("bench{}", std::process::id());
    if let Some(url) = &args.nats_url {
        command.args(["--nats-url", url, "--cluster-name", &cluster_name]);
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

    let mut scenarios = Vec::new();
    if args.suites.iter().any(|s| s == "rest") {
        scenarios.push(Scenario {
            label: "`profile/portrait_get` (1 account, 3 tags)".into(),
            api: "profile/portrait_get",
            body: r#"'{"To_Account":["user' .. id .. '"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Gender","Tag_Profile_IM_Level"]}'"#.into(),
        });
        scenarios.push(Scenario {
            label: "`im_open_login_svc/account_check` (1 account)".into(),
            api: "im_open_login_svc/account_check",
            body: r#"'{"CheckItem":[{"UserID":"user' .. id .. '"}]}'"#.into(),
        });
    }
    if args.suites.iter().any(|s| s == "messages") {
        scenarios.push(Scenario::sendmsg());
        let deep = seed_conversation(&client, &base, &query, args.history).await?;
        let page = |extra: &str| {
            format!(
                r#"'{{"Operator_Account":"hist0","Peer_Account":"hist1","MaxCnt":20,"MinTime":0,{extra}}}'"#
            )
        };
        scenarios.push(Scenario {
            label: format!("`openim/admin_getroammsg` newest 20 of {}", args.history),
            api: "openim/admin_getroammsg",
            body: page(r#""MaxTime":4000000000"#),
        });
        scenarios.push(Scenario {
            label: format!(
                "`openim/admin_getroammsg` 20 near the oldest of {}",
                args.history
            ),
            api: "openim/admin_getroammsg",
            body: page(&format!(
                r#""MaxTime":{},"LastMsgKey":"{}""#,
                deep.0, deep.1
            )),
        });
    }

    if args.suites.iter().any(|s| s == "friends") {
        scenarios.extend(seed_friends(&client, &base, &query).await?);
    }
    if args.suites.iter().any(|s| s == "groups") {
        scenarios.extend(seed_groups(&client, &base, &query).await?);
    }
    let mut listeners = None;
    if args.suites.iter().any(|s| s == "push") {
        let (push_scenarios, connected) = push::seed(&client, &base, &query).await?;
        scenarios.extend(push_scenarios);
        listeners = Some(connected);
    }

    println!(
        "| scenario | connections | requests/s (median of {}) | p50 ms | p99 ms |",
        args.runs
    );
    println!("|---|---|---|---|---|");
    for scenario in &scenarios {
        for &connections in &args.connections {
            let mut runs = Vec::new();
            for _ in 0..args.runs {
                runs.push(
                    load(
                        &base,
                        &query,
                        scenario,
                        connections,
                        args.accounts,
                        args.seconds,
                    )
                    .await?,
                );
            }
            let m = median(runs);
            println!(
                "| {} | {connections} | {:.0} | {:.2} | {:.2} |",
                scenario.label, m.rate, m.p50_ms, m.p99_ms
            );
        }
    }
    if let Some(listeners) = &mut listeners {
        push::latency(&client, &base, &query, listeners, 200).await?;
    }
    if args.suites.iter().any(|s| s == "sdk") {
        let pid = server.id().context("the server has a pid")?;
        sdk::run(&client, &base, &query, pid).await?;
    }
    if args.suites.iter().any(|s| s == "viewers") {
        let pid = server.id().context("the server has a pid")?;
        viewers::run(&client, &base, &query, pid, args.viewers).await?;
    }
    if args.suites.iter().any(|s| s == "mem") {
        let pid = server.id().context("the server has a pid")?;
        mem::run(&client, &base, &query, pid, args.clients, args.protocol).await?;
    }
    if args.suites.iter().any(|s| s == "soak") {
        let pid = server.id().context("the server has a pid")?;
        soak::run(
            &client,
            &base,
            &query,
            pid,
            args.soak_clients,
            args.minutes,
            args.seconds,
        )
        .await?;
    }
    if args.suites.iter().any(|s| s == "history") {
        history::run(&client, &base, &query, args.archive, args.runs).await?;
    }
    if args.suites.iter().any(|s| s == "webhooks") {
        let bench = webhooks::Bench {
            client: &client,
            base: &base,
            query: &query,
            accounts: args.accounts,
        };
        bench
            .run(args.backlog, &args.connections, args.runs, args.seconds)
            .await?;
    }
    if args.suites.iter().any(|s| s == "allpush") {
        let bench = all_member_push::Bench {
            client: &client,
            base: &base,
            query: &query,
            accounts: args.accounts,
        };
        bench.run(args.push_accounts, 16, args.seconds).await?;
    }
    if args.suites.iter().any(|s| s == "export") {
        let bench = export::Bench {
            client: &client,
            base: &base,
            query: &query,
            natter: &args.natter,
            config: &config,
            data_dir: &dir.path().join("data"),
            database_url: args.database_url.as_deref(),
            work: dir.path(),
        };
        bench.run(args.messages, args.runs).await?;
    }
    if args.suites.iter().any(|s| s == "cluster") {
        let (Some(database_url), Some(nats_url)) = (&args.database_url, &args.nats_url) else {
            bail!("the cluster suite needs --database-url and --nats-url");
        };
        let bench = cluster::Bench {
            client: &client,
            query: &query,
            natter: &args.natter,
            config: &config,
            work: dir.path(),
            database_url,
            nats_url,
            cluster: &cluster_name,
            accounts: args.accounts,
            groups: &args.groups,
        };
        bench
            .run(&base, &args.connections, args.runs, args.seconds)
            .await?;
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

/// Imports `ids`, 100 per call (the API's batch limit).
async fn import_accounts(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    ids: &[String],
) -> anyhow::Result<()> {
    for chunk in ids.chunks(100) {
        post(
            client,
            base,
            query,
            "im_open_login_svc/multiaccount_import",
            &json!({"Accounts": chunk}),
        )
        .await?;
    }
    Ok(())
}

/// Creates the Public group `id` (up to 6,000 members) owned by `owner`, with `members` added
/// 300 per call.
async fn public_group(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    id: &str,
    owner: &str,
    members: &[String],
) -> anyhow::Result<()> {
    post(
        client,
        base,
        query,
        "group_open_http_svc/create_group",
        &json!({"Type": "Public", "Name": id, "GroupId": id, "Owner_Account": owner, "MaxMemberCount": 6000}),
    )
    .await?;
    for chunk in members.chunks(300) {
        let list: Vec<Value> = chunk.iter().map(|m| json!({"Member_Account": m})).collect();
        post(
            client,
            base,
            query,
            "group_open_http_svc/add_group_member",
            &json!({"GroupId": id, "MemberList": list}),
        )
        .await?;
    }
    Ok(())
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
