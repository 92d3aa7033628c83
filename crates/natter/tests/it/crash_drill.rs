//! The crash drill: a steady load of one-to-one sends, group sends and member additions against
//! the real binary, which is killed with SIGKILL at a random moment and restarted on the same
//! data. Every change that was acknowledged is there exactly once, and every after-callback of an
//! acknowledged change reaches the app's receiver (at least once; identified by what it is about:
//! the `MsgKey`, the group message's `Random`, the new member). SQLite and PostgreSQL, and a
//! cluster: there a second node stays up, answers every check without the dead node's restart,
//! delivers the dead node's after-callbacks, and sees the restarted node's clients online.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::binary::{call, serve, Banner};
use crate::receiver::Receiver;

const WORKERS: u32 = 4;
const KEY: &str = "crash-drill-key";

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

/// What the server acknowledged before it died.
#[derive(Default)]
struct Acked {
    /// MsgRandom → MsgKey, per (from, to).
    c2c: BTreeMap<(String, String), BTreeMap<u64, String>>,
    group: BTreeSet<u64>,
    members: BTreeSet<String>,
}

async fn load(client: reqwest::Client, banner: Banner, worker: u32, acked: Arc<Mutex<Acked>>) {
    let from = format!("u{worker}");
    let to = format!("u{}", worker + WORKERS);
    for i in 0..1_000u64 {
        let random = u64::from(worker) * 1_000_000 + i;
        let sent = try_call(
            &client,
            &banner,
            "openim/sendmsg",
            json!({"From_Account": from,
            "To_Account": to, "MsgRandom": random, "MsgBody": text(&format!("{worker}-{i}"))}),
        )
        .await;
        let Some(sent) = sent else { return };
        if sent["ErrorCode"] == 0 {
            let key = sent["MsgKey"].as_str().unwrap().to_owned();
            let mut acked = acked.lock().unwrap();
            acked
                .c2c
                .entry((from.clone(), to.clone()))
                .or_default()
                .insert(random, key);
        }
        if i % 2 == 0 {
            let sent = try_call(
                &client,
                &banner,
                "group_open_http_svc/send_group_msg",
                json!({
                "GroupId": "drill", "From_Account": from, "Random": random,
                "MsgBody": text(&format!("g{worker}-{i}"))}),
            )
            .await;
            let Some(sent) = sent else { return };
            if sent["ErrorCode"] == 0 {
                acked.lock().unwrap().group.insert(random);
            }
        }
        if i % 5 == 0 && i / 5 < 50 {
            let member = format!("m{worker}_{}", i / 5);
            let added = try_call(
                &client,
                &banner,
                "group_open_http_svc/add_group_member",
                json!({
                "GroupId": "drill", "MemberList": [{"Member_Account": member}]}),
            )
            .await;
            let Some(added) = added else { return };
            if added["ErrorCode"] == 0 {
                acked.lock().unwrap().members.insert(member);
            }
        }
    }
}

/// A call whose outcome is unknown when the connection fails (the server died): `None`.
async fn try_call(
    client: &reqwest::Client,
    banner: &Banner,
    api: &str,
    body: Value,
) -> Option<Value> {
    let url = format!(
        "{}/v4/{api}?sdkappid={}&identifier=administrator&usersig={}&random=1&contenttype=json",
        banner.base, banner.sdkappid, banner.usersig
    );
    let response = client.post(url).body(body.to_string()).send().await.ok()?;
    response.json().await.ok()
}

/// Every MsgRandom in the history between two users, with how often it appears.
async fn c2c_randoms(
    client: &reqwest::Client,
    banner: &Banner,
    from: &str,
    to: &str,
) -> BTreeMap<u64, usize> {
    let mut seen = BTreeMap::new();
    let mut body = json!({"Operator_Account": from, "Peer_Account": to, "MaxCnt": 100,
                          "MinTime": 0, "MaxTime": 4_000_000_000u64});
    loop {
        let page = call(client, banner, "openim/admin_getroammsg", body.clone()).await;
        assert_eq!(page["ErrorCode"], 0, "{page}");
        for m in page["MsgList"].as_array().unwrap() {
            *seen.entry(m["MsgRandom"].as_u64().unwrap()).or_default() += 1;
        }
        if page["Complete"] == 1 || page["MsgList"].as_array().unwrap().is_empty() {
            return seen;
        }
        body["MaxTime"] = page["LastMsgTime"].clone();
        body["LastMsgKey"] = page["LastMsgKey"].clone();
    }
}

/// Every group message's Random, with how often it appears, newest to oldest.
async fn group_randoms(client: &reqwest::Client, banner: &Banner) -> BTreeMap<u64, usize> {
    let mut seen = BTreeMap::new();
    let mut body = json!({"GroupId": "drill", "ReqMsgNumber": 20});
    loop {
        let page = call(
            client,
            banner,
            "group_open_http_svc/group_msg_get_simple",
            body.clone(),
        )
        .await;
        assert_eq!(page["ErrorCode"], 0, "{page}");
        let list = page["RspMsgList"].as_array().unwrap();
        for m in list {
            *seen.entry(m["MsgRandom"].as_u64().unwrap()).or_default() += 1;
        }
        let oldest = list
            .iter()
            .filter_map(|m| m["MsgSeq"].as_u64())
            .min()
            .unwrap_or(1);
        if list.is_empty() || oldest <= 1 {
            return seen;
        }
        body["ReqMsgSeq"] = json!(oldest - 1);
    }
}

/// Where the drill runs: one node (SQLite, or PostgreSQL when a URL is given), or a cluster of
/// two nodes on PostgreSQL and NATS (`cluster`: the NATS URL).
struct Setup {
    database_url: Option<String>,
    cluster: Option<String>,
}

async fn drill(setup: Setup) {
    let Setup {
        database_url,
        cluster,
    } = setup;
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap().to_owned();
    let mut args = vec![
        "--listen".to_owned(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        data,
        "--secret-key".into(),
        KEY.into(),
        "--webhook-url".into(),
        receiver.url.clone(),
    ];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url]);
    }
    if let Some(nats) = &cluster {
        let name = format!("natter-drill-{:016x}", rand::random::<u64>());
        args.extend([
            "--nats-url".to_owned(),
            nats.clone(),
            "--cluster-name".into(),
            name,
        ]);
        args.extend(["--node-timeout".to_owned(), "2".into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let client = reqwest::Client::new();
    let (mut child, banner) = serve(&args, &[]).await;
    // In a cluster, a second node on its own data directory, which stays up.
    let survivor_dir = tempfile::tempdir().unwrap();
    let survivor = match &cluster {
        None => None,
        Some(_) => {
            let mut survivor_args = args.clone();
            let at = survivor_args
                .iter()
                .position(|a| *a == "--data-dir")
                .unwrap()
                + 1;
            survivor_args[at] = survivor_dir.path().to_str().unwrap();
            Some(serve(&survivor_args, &[]).await)
        }
    };

    let mut accounts: Vec<String> = (0..2 * WORKERS).map(|i| format!("u{i}")).collect();
    accounts.extend((0..WORKERS).flat_map(|w| (0..50).map(move |k| format!("m{w}_{k}"))));
    for chunk in accounts.chunks(100) {
        let reply = call(
            &client,
            &banner,
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": chunk}),
        )
        .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
    }
    let created = call(&client, &banner, "group_open_http_svc/create_group", json!({
        "Type": "Public", "Name": "drill", "GroupId": "drill", "Owner_Account": "u0",
        "MemberList": (0..WORKERS).map(|w| json!({"Member_Account": format!("u{w}")})).collect::<Vec<_>>()})).await;
    assert_eq!(created["ErrorCode"], 0, "{created}");

    let acked = Arc::new(Mutex::new(Acked::default()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let banner = copy(&banner);
            tokio::spawn(load(client.clone(), banner, w, acked.clone()))
        })
        .collect();
    // A random moment once the load is running: the first acknowledgement is the barrier.
    while acked.lock().unwrap().c2c.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(rand::random_range(50..800))).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for worker in workers {
        worker.await.unwrap();
    }

    // A single node is checked after its restart; a cluster by the node that stayed up, before
    // the dead one comes back.
    let (mut child, again) = match &survivor {
        None => serve(&args, &[]).await,
        Some((_, survivor)) => (child, copy(survivor)),
    };
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(!acked.c2c.is_empty(), "the load ran before the kill");
    eprintln!(
        "crash drill: {} one-to-one, {} group messages and {} members acknowledged before SIGKILL",
        acked.c2c.values().map(BTreeMap::len).sum::<usize>(),
        acked.group.len(),
        acked.members.len()
    );
    for ((from, to), sent) in &acked.c2c {
        let stored = c2c_randoms(&client, &again, from, to).await;
        for random in sent.keys() {
            assert_eq!(
                stored.get(random),
                Some(&1),
                "{from}→{to} message {random} once"
            );
        }
    }
    let stored = group_randoms(&client, &again).await;
    for random in &acked.group {
        assert_eq!(stored.get(random), Some(&1), "group message {random} once");
    }
    let members = call(
        &client,
        &again,
        "group_open_http_svc/get_group_member_info",
        json!({"GroupId": "drill", "Limit": 500}),
    )
    .await;
    let present: BTreeSet<String> = members["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Member_Account"].as_str().unwrap().to_owned())
        .collect();
    for member in &acked.members {
        assert!(present.contains(member), "member {member} kept");
    }

    // Every after-callback of an acknowledged change arrives (the outbox redelivers what the
    // dead process had not sent), within a minute.
    let keys: BTreeSet<String> = acked
        .c2c
        .values()
        .flat_map(|m| m.values().cloned())
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let received = receiver.received();
        let of = |command: &'static str| {
            received.iter().filter(move |r| {
                r.query.get("CallbackCommand").map(String::as_str) == Some(command)
            })
        };
        let c2c: BTreeSet<String> = of("C2C.CallbackAfterSendMsg")
            .filter_map(|r| r.body["MsgKey"].as_str().map(str::to_owned))
            .collect();
        let group: BTreeSet<u64> = of("Group.CallbackAfterSendMsg")
            .filter_map(|r| r.body["Random"].as_u64())
            .collect();
        let joined: BTreeSet<String> = of("Group.CallbackAfterNewMemberJoin")
            .flat_map(|r| {
                r.body["NewMemberList"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|m| m["Member_Account"].as_str().map(str::to_owned))
            .collect();
        let missing_c2c = keys.difference(&c2c).count();
        let missing_group = acked.group.difference(&group).count();
        let missing_members = acked.members.difference(&joined).count();
        if missing_c2c + missing_group + missing_members == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "after-callbacks missing: {missing_c2c} C2C, {missing_group} group, {missing_members} joins"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some((mut survivor, at_survivor)) = survivor {
        // The killed node rejoins: a client of its new process is online for the other node.
        let (restarted, at_restarted) = serve(&args, &[]).await;
        child = restarted;
        let mut user = crate::client::Client::open_at(&at_restarted.base).await;
        let sig = natter_usersig::generate(
            crate::harness::APP,
            KEY,
            "u0",
            3600,
            natter_core::Clock::system().now_secs() as u64,
            None,
        );
        let login = user
            .request(
                "login",
                json!({"SdkAppId": crate::harness::APP, "Identifier": "u0", "UserSig": sig,
                    "Platform": "Web"}),
            )
            .await;
        assert_eq!(login["ErrorCode"], 0, "{login}");
        let status = call(
            &client,
            &at_survivor,
            "openim/query_online_status",
            json!({"To_Account": ["u0"]}),
        )
        .await;
        assert_eq!(status["QueryResult"][0]["Status"], "Online", "{status}");
        survivor.start_kill().unwrap();
        let _ = survivor.wait().await;
    }
    child.start_kill().unwrap();
    let _ = child.wait().await;
}

fn copy(banner: &Banner) -> Banner {
    Banner {
        base: banner.base.clone(),
        sdkappid: banner.sdkappid.clone(),
        secret_key: banner.secret_key.clone(),
        usersig: banner.usersig.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_loses_nothing_acknowledged_to_sigkill() {
    drill(Setup {
        database_url: None,
        cluster: None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn postgres_loses_nothing_acknowledged_to_sigkill() {
    let url = natter_store::conformance::fresh_postgres_url()
        .await
        .expect("NATTER_TEST_POSTGRES");
    drill(Setup {
        database_url: Some(url),
        cluster: None,
    })
    .await;
}

/// A node of a cluster is killed under load; the other node, never restarted, holds everything
/// the dead one acknowledged, delivers its after-callbacks, and sees it rejoin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn a_cluster_loses_nothing_a_killed_node_acknowledged() {
    let url = natter_store::conformance::fresh_postgres_url()
        .await
        .expect("NATTER_TEST_POSTGRES");
    let nats = std::env::var("NATTER_TEST_NATS").expect("NATTER_TEST_NATS");
    drill(Setup {
        database_url: Some(url),
        cluster: Some(nats),
    })
    .await;
}
