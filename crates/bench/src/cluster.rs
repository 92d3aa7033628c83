//! The `cluster` suite (needs `--database-url` and `--nats-url`): `sendmsg` and `send_group_msg`
//! (spread over each of `--groups` group counts)
//! with 1, 2 and 3 nodes sharing one PostgreSQL and one NATS, the load split evenly over the
//! nodes (one wrk per node, its share of the connections, all at once), and the cost of
//! presence: the writes to the cluster's presence bucket (read off its JetStream stream's
//! sequence) while 1,000 clients log in over `/ws`, stay connected, and leave.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio_tungstenite::tungstenite::Message;

use crate::{load, median, public_group, Run, Scenario, APP, KEY};

/// How long each scenario runs on the first node before anything is measured, to fill the
/// tables PostgreSQL then gathers statistics of (`Bench::analyze`).
const WARM_UP_SECONDS: u64 = 3;
/// Clients of the presence measurement.
const CLIENTS: usize = 1000;
/// How long each quiet window of the presence measurement lasts.
const QUIET: Duration = Duration::from_secs(20);

pub struct Bench<'a> {
    pub client: &'a reqwest::Client,
    pub query: &'a str,
    pub natter: &'a str,
    pub config: &'a Path,
    pub work: &'a Path,
    pub database_url: &'a str,
    pub nats_url: &'a str,
    pub cluster: &'a str,
    pub accounts: usize,
    /// Group counts the group sends are spread over (`--groups`), a scenario each.
    pub groups: &'a [usize],
}

impl Bench<'_> {
    /// Has PostgreSQL gather its statistics of the tables the warm-up filled. Until its first
    /// ANALYZE of a table (autovacuum's, up to a minute after the table changed enough), the
    /// planner sees it as empty, where every index costs the same; the plans a session caches
    /// then can pick an index that reads every recent message of the app on each group send
    /// (found with pg_stat_user_indexes: 10,594 index entries read per send). ANALYZE replaces
    /// those cached plans, as autovacuum's would a minute later on a server of its own.
    async fn analyze(&self) -> anyhow::Result<()> {
        use sqlx::Connection;
        let mut db = sqlx::PgConnection::connect(self.database_url)
            .await
            .context("connecting to PostgreSQL to ANALYZE")?;
        sqlx::query("ANALYZE").execute(&mut db).await?;
        db.close().await?;
        Ok(())
    }

    /// Starts one more node of the cluster and returns its base URL.
    async fn start_node(&self, index: usize) -> anyhow::Result<(Child, String)> {
        let mut node = tokio::process::Command::new(self.natter)
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(self.config)
            .arg("--data-dir")
            .arg(self.work.join(format!("node{index}")))
            .args(["--database-url", self.database_url])
            .args(["--nats-url", self.nats_url])
            .args(["--cluster-name", self.cluster])
            .args(["--max-connections-per-ip", "50000"])
            .args(["--max-pending-logins", "50000"])
            .env("NATTER_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting node {index}"))?;
        let mut lines = BufReader::new(node.stdout.take().context("stdout")?).lines();
        let base = loop {
            let Some(line) = lines.next_line().await? else {
                bail!("node {index} exited before listening")
            };
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                break url.to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok((node, base))
    }

    /// One run of `scenario` on every node at once, `connections` split evenly: the summed rate,
    /// and the worst node's p50 and p99.
    async fn spread(
        &self,
        nodes: &[String],
        scenario: &Scenario,
        connections: usize,
        seconds: u64,
    ) -> anyhow::Result<Run> {
        let share = (connections / nodes.len()).max(1);
        let runs = futures::future::try_join_all(
            nodes
                .iter()
                .map(|base| load(base, self.query, scenario, share, self.accounts, seconds)),
        )
        .await?;
        Ok(Run {
            rate: runs.iter().map(|r| r.rate).sum(),
            p50_ms: runs.iter().map(|r| r.p50_ms).fold(0.0, f64::max),
            p99_ms: runs.iter().map(|r| r.p99_ms).fold(0.0, f64::max),
        })
    }

    pub async fn run(
        &self,
        first: &str,
        connections: &[usize],
        runs: usize,
        seconds: u64,
    ) -> anyhow::Result<()> {
        let members: Vec<String> = (1..10).map(|i| format!("user{i}")).collect();
        let most_groups = self.groups.iter().copied().max().unwrap_or(0);
        for g in 0..most_groups {
            public_group(
                self.client,
                first,
                self.query,
                &format!("cg{g}"),
                "user0",
                &members,
            )
            .await?;
        }
        let mut scenarios = vec![Scenario::sendmsg()];
        scenarios.extend(self.groups.iter().map(|&groups| Scenario {
            label: format!("`send_group_msg` into one of {groups} groups"),
            api: "group_open_http_svc/send_group_msg",
            body: format!(
                r#"'{{"GroupId":"cg' .. (n % {groups}) .. '","From_Account":"user0","Random":' .. n .. ',"MsgBody":[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"hello ' .. n .. '"}}}}]}}'"#
            ),
        }));
        let nodes_first = [first.to_owned()];
        for scenario in &scenarios {
            self.spread(&nodes_first, scenario, 16, WARM_UP_SECONDS)
                .await?;
        }
        self.analyze().await?;
        let mut nodes = vec![first.to_owned()];
        let mut children = Vec::new();
        println!("| scenario | nodes | connections | requests/s (median of {runs}) | vs 1 node | worst p50 ms | worst p99 ms |");
        println!("|---|---|---|---|---|---|---|");
        let mut single = vec![0.0; scenarios.len() * connections.len()];
        for count in 1..=3 {
            while nodes.len() < count {
                let (child, base) = self.start_node(nodes.len()).await?;
                children.push(child);
                nodes.push(base);
            }
            for (s, scenario) in scenarios.iter().enumerate() {
                for (c, &conns) in connections.iter().enumerate() {
                    let mut measured = Vec::new();
                    for _ in 0..runs {
                        measured.push(self.spread(&nodes, scenario, conns, seconds).await?);
                    }
                    let m = median(measured);
                    let slot = &mut single[s * connections.len() + c];
                    if count == 1 {
                        *slot = m.rate;
                    }
                    println!(
                        "| {} | {count} | {conns} | {:.0} | {:.2} | {:.2} | {:.2} |",
                        scenario.label,
                        m.rate,
                        m.rate / *slot,
                        m.p50_ms,
                        m.p99_ms
                    );
                }
            }
        }
        self.presence(&nodes).await?;
        drop(children);
        Ok(())
    }

    /// Writes to the presence bucket: with no client, while `CLIENTS` clients log in (spread
    /// over the nodes), while they stay connected, and while they leave.
    async fn presence(&self, nodes: &[String]) -> anyhow::Result<()> {
        let nats = async_nats::connect(self.nats_url).await?;
        let js = async_nats::jetstream::new(nats);
        let stream = format!("KV_{}_presence", self.cluster.replace('.', "_"));
        let sequence = || {
            let (js, stream) = (js.clone(), stream.clone());
            async move {
                let mut s = js.get_stream(stream.as_str()).await?;
                Ok::<u64, anyhow::Error>(s.info().await?.state.last_sequence)
            }
        };
        let ids: Vec<String> = (0..CLIENTS).map(|i| format!("pres{i:04}")).collect();
        crate::import_accounts(self.client, &nodes[0], self.query, &ids).await?;
        let per_second = |writes: u64, took: Duration| writes as f64 / took.as_secs_f64();

        let (start, at) = (sequence().await?, Instant::now());
        tokio::time::sleep(QUIET).await;
        let idle = per_second(sequence().await? - start, at.elapsed());

        let (start, at) = (sequence().await?, Instant::now());
        let mut sockets = Vec::new();
        for (i, user) in ids.iter().enumerate() {
            sockets.push(login(&nodes[i % nodes.len()], user).await?);
        }
        let logins = sequence().await? - start;
        let login_time = at.elapsed();

        let (start, at) = (sequence().await?, Instant::now());
        tokio::time::sleep(QUIET).await;
        let connected = per_second(sequence().await? - start, at.elapsed());

        let start = sequence().await?;
        for mut socket in sockets {
            socket.close(None).await.ok();
        }
        // Goodbyes are written as each node sees its sockets end.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let leaves = sequence().await? - start;
        println!(
            "\npresence with {} nodes: {idle:.2} bucket writes/s with no client; {CLIENTS} logins \
             in {:.1} s wrote {logins} ({:.2} per login); {connected:.2} writes/s with {CLIENTS} \
             connected; {CLIENTS} leaving wrote {leaves} ({:.2} per client)",
            nodes.len(),
            login_time.as_secs_f64(),
            logins as f64 / CLIENTS as f64,
            leaves as f64 / CLIENTS as f64,
        );
        Ok(())
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client logged in over `/ws` on the node at `base`.
async fn login(base: &str, user: &str) -> anyhow::Result<Socket> {
    let url = format!("{}/ws", base.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(&url).await?;
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
    Ok(socket)
}
