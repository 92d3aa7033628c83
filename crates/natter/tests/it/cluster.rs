//! Several nodes on one PostgreSQL database and one NATS answer as one node: who is online (and
//! on which platforms) is the same from every node, a login policy pushes out an older device
//! on another node, and the connections of a node killed without a goodbye go offline within
//! the node timeout, reported once, their users' Web SDK custom statuses gone (subscribers on
//! other nodes told). Ignored unless `NATTER_TEST_POSTGRES` and `NATTER_TEST_NATS` are set.

use std::time::Duration;

use natter_core::LoginPolicy;
use serde_json::{json, Value};

use crate::binfo_status::{b64, next_status, ok};
use crate::client::Client;
use crate::harness::*;
use crate::live::{member_states, COUNT, CREATE, MARKS, MEMBER_STATE, ONLINE, STATUS};
use crate::messages::{import, text};
use crate::sdk_client::SdkClient;
use natter::config::ServerConfig;

const CHECK: &str = "im_open_login_svc/account_check";
const SEND: &str = "group_open_http_svc/send_group_msg";

/// A short node timeout, so the dead-node test ends in seconds.
const NODE_TIMEOUT: Duration = Duration::from_secs(2);

fn nats_url() -> String {
    std::env::var("NATTER_TEST_NATS").expect("the cluster tests need NATTER_TEST_NATS=nats://…")
}

/// `count` nodes of a new cluster, the first on a fresh PostgreSQL database and the others on
/// the same one.
pub(crate) async fn nodes(count: usize, policy: LoginPolicy) -> Vec<TestServer> {
    nodes_with(count, move |config| {
        config.apps[0].settings.login_policy = policy;
    })
    .await
}

async fn nodes_with(count: usize, adjust: impl FnOnce(&mut ServerConfig)) -> Vec<TestServer> {
    let nats = nats_url();
    let cluster = format!("natter-test-{:016x}", rand::random::<u64>());
    let first = TestServer::start_with(Engine::Postgres, |config| {
        config.nats_url = Some(nats);
        config.cluster_name = cluster;
        config.node_timeout = NODE_TIMEOUT;
        adjust(config);
    })
    .await;
    let mut config = first.config.clone();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let mut all = vec![first];
    for _ in 1..count {
        all.push(TestServer::start_config(config.clone(), None).await);
    }
    all
}

/// Asks `node` until `check` holds for its reply to `api` (another node's change reaches this
/// node's replica a moment after it was answered); at most 30 s.
async fn until_reply(node: &TestServer, api: &str, body: Value, check: impl Fn(&Value) -> bool) {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = node.ok(api, body.clone()).await;
        if check(&last) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{api} at {}: {last}", node.base);
}

/// The accounts `get_members` lists, sorted.
fn room_list(reply: &Value) -> Vec<String> {
    let mut list: Vec<String> = reply["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Member_Account"].as_str().unwrap().to_owned())
        .collect();
    list.sort();
    list
}

/// Each account's status and platforms as `node` answers `query_online_status`.
async fn statuses(node: &TestServer, accounts: &[&str]) -> Vec<(String, Vec<String>)> {
    let reply = node
        .ok(STATUS, json!({"To_Account": accounts, "IsNeedDetail": 1}))
        .await;
    let mut out: Vec<(String, Vec<String>)> = reply["QueryResult"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut platforms: Vec<String> = r["Detail"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .map(|p| p["Platform"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            platforms.sort();
            (r["Status"].as_str().unwrap().to_owned(), platforms)
        })
        .collect();
    out.truncate(accounts.len());
    out
}

/// Asks `node` until `accounts` have the `expected` statuses (another node's change reaches this
/// one's replica a moment after the change was answered); at most 30 s.
pub(crate) async fn until_statuses(
    node: &TestServer,
    accounts: &[&str],
    expected: &[(&str, &[&str])],
) {
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(s, p)| (s.to_string(), p.iter().map(|p| p.to_string()).collect()))
        .collect();
    let mut last = Vec::new();
    for _ in 0..300 {
        last = statuses(node, accounts).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "statuses of {accounts:?} at {}: {last:?}, expected {expected:?}",
        node.base
    );
}

fn online_users(listing: &Value) -> Vec<String> {
    let mut users: Vec<String> = listing["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserID"].as_str().unwrap().to_owned())
        .collect();
    users.sort();
    users
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn every_node_sees_every_connection_and_policies_reach_other_nodes() {
    let cluster = nodes(3, LoginPolicy::PerPlatform).await;
    let (a, b, c) = (&cluster[0], &cluster[1], &cluster[2]);
    import(a, &["alice", "bob", "carol"]).await;
    let mut alice_web = Client::login(a, "alice", "Web").await;
    let mut bob_phone = Client::login(c, "bob", "Android").await;

    // A login is answered once the cluster's replica has it, so the node that took it reads it
    // back at once; the others have it a moment later.
    let expected: &[(&str, &[&str])] = &[
        ("Online", &["Web"]),
        ("Online", &["Android"]),
        ("Offline", &[]),
    ];
    assert_eq!(
        statuses(c, &["alice", "bob", "carol"]).await[1],
        ("Online".to_owned(), vec!["Android".to_owned()])
    );
    for node in [a, b, c] {
        until_statuses(node, &["alice", "bob", "carol"], expected).await;
    }
    // A client on A and one on C converse, and a REST send through B reaches both.
    alice_web
        .ok(
            "sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": text("hi bob")}),
        )
        .await;
    let got = bob_phone.event().await;
    assert_eq!(
        (&got["Event"], &got["From_Account"]),
        (&json!("C2cMsg"), &json!("alice"))
    );
    bob_phone
        .ok(
            "sendmsg",
            json!({"To_Account": "alice", "MsgRandom": 2, "MsgBody": text("hi alice")}),
        )
        .await;
    assert_eq!(alice_web.event().await["MsgBody"], text("hi alice"));
    for (to, random) in [("alice", 3), ("bob", 4)] {
        b.ok(
            "openim/sendmsg",
            json!({"From_Account": "carol", "To_Account": to, "MsgRandom": random,
                "MsgBody": text("from b")}),
        )
        .await;
    }
    assert_eq!(alice_web.event().await["From_Account"], "carol");
    assert_eq!(bob_phone.event().await["From_Account"], "carol");
    let listed = b
        .control(reqwest::Method::GET, "/_natter/online", None)
        .await;
    assert_eq!(online_users(&listed), ["alice", "bob"]);

    // One device per platform: alice's phone on B is pushed out by her phone on C.
    let mut alice_phone = Client::login(b, "alice", "Android").await;
    let _alice_new_phone = Client::login(c, "alice", "Android").await;
    assert_eq!(
        alice_phone.event().await,
        json!({"Event": "Kicked", "KickType": 2})
    );
    assert!(
        alice_phone.next_frame().await.is_none(),
        "the older phone on another node is closed"
    );
    for node in [a, b, c] {
        until_statuses(node, &["alice"], &[("Online", &["Android", "Web"])]).await;
    }

    // Live rooms: members online on any node count on every node, with their marks.
    a.ok(
        CREATE,
        json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
    )
    .await;
    alice_web.ok("join_group", json!({"GroupId": "live"})).await;
    bob_phone.ok("join_group", json!({"GroupId": "live"})).await;
    for node in [a, b, c] {
        until_reply(node, COUNT, json!({"GroupId": "live"}), |r| {
            r["OnlineMemberNum"] == 2
        })
        .await;
    }
    let marked = b
        .ok(
            MARKS,
            json!({"GroupId": "live", "CommandType": 1, "MemberList": [
                {"Member_Account": "bob", "Marks": [1000]}]}),
        )
        .await;
    assert_eq!(
        marked["MemberList"],
        json!([{"Member_Account": "bob", "Marks": [1000]}])
    );
    let marked_one = json!({"GroupId": "live", "Timestamp": 0, "Mark": 1000});
    until_reply(a, ONLINE, marked_one, |r| room_list(r) == ["bob"]).await;
    let everyone = c
        .ok(ONLINE, json!({"GroupId": "live", "Timestamp": 0}))
        .await;
    assert_eq!(room_list(&everyone), ["alice", "bob"]);

    // A connection that ends is offline everywhere, and out of the room.
    bob_phone.close().await;
    for node in [a, b, c] {
        until_statuses(node, &["bob"], &[("Offline", &[])]).await;
        until_reply(node, COUNT, json!({"GroupId": "live"}), |r| {
            r["OnlineMemberNum"] == 1
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn a_killed_nodes_connections_go_offline_and_are_reported_once() {
    let cluster = nodes(2, LoginPolicy::Unlimited).await;
    let (a, b) = (&cluster[0], &cluster[1]);
    let receiver = a.webhook_receiver().await;
    b.control(
        reqwest::Method::POST,
        "/_natter/webhooks/config",
        Some(json!({"url": receiver.url})),
    )
    .await;
    import(a, &["carol", "dave", "erin", "frank"]).await;

    // A third node as its own process, to be killed with SIGKILL: no goodbye.
    let data = tempfile::tempdir().unwrap();
    let database_url = a.config.database_url.clone().unwrap();
    let timeout = NODE_TIMEOUT.as_secs().to_string();
    let app = APP.to_string();
    let (mut dead, banner) = crate::binary::serve(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.path().to_str().unwrap(),
            "--database-url",
            &database_url,
            "--nats-url",
            &nats_url(),
            "--cluster-name",
            &a.config.cluster_name,
            "--node-timeout",
            &timeout,
            "--sdkappid",
            &app,
            "--secret-key",
            KEY,
        ],
        &[],
    )
    .await;
    let mut carol = Client::open_at(&banner.base).await;
    let reply = carol
        .request(
            "login",
            json!({"SdkAppId": APP, "Identifier": "carol", "UserSig": a.sig("carol"),
                "Platform": "iOS"}),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    let _dave = Client::login(b, "dave", "Web").await;
    // Erin, on the doomed node, sets a custom status that frank, on B, is subscribed to.
    let mut erin = SdkClient::open_at(&banner.base).await;
    erin.login(a, "erin").await;
    let mut frank = SdkClient::connect(b, "frank").await;
    let subscribe = json!({"To_Account": ["erin"]});
    ok(&mut frank, "im_open_status.ws_status_subscribe", subscribe).await;
    let custom = json!({"CustomStatus": "here for now"});
    ok(&mut erin, "im_open_status.ws_set_custom_status", custom).await;
    assert_eq!(
        next_status(&mut frank).await,
        json!({"To_Account": "erin", "Status": 1, "CustomStatus": b64("here for now")})
    );
    until_statuses(
        a,
        &["carol", "dave"],
        &[("Online", &["IPhone"]), ("Online", &["Web"])],
    )
    .await;
    a.ok(
        CREATE,
        json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
    )
    .await;
    let joined = carol
        .request("join_group", json!({"GroupId": "live"}))
        .await;
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
    until_reply(b, COUNT, json!({"GroupId": "live"}), |r| {
        r["OnlineMemberNum"] == 1
    })
    .await;

    dead.start_kill().unwrap();
    dead.wait().await.unwrap();
    // Erin's connection is taken out with her status, and frank is told.
    assert_eq!(
        next_status(&mut frank).await,
        json!({"To_Account": "erin", "Status": 3, "CustomStatus": ""})
    );
    // Within the timeout (and a tick) carol is offline on both survivors; dave stays online.
    for node in [a, b] {
        until_statuses(
            node,
            &["carol", "dave"],
            &[("Offline", &[]), ("Online", &["Web"])],
        )
        .await;
    }
    // Both survivors noticed the death; exactly one reported carol's connection.
    let carols_disconnects = || {
        receiver
            .received()
            .into_iter()
            .filter(|r| {
                r.query.get("CallbackCommand").map(String::as_str) == Some("State.StateChange")
                    && r.body["Info"]["To_Account"] == "carol"
                    && r.body["Info"]["Action"] == "Disconnect"
            })
            .collect::<Vec<_>>()
    };
    for _ in 0..300 {
        if !carols_disconnects().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.services().webhooks.drain().await.unwrap();
    b.services().webhooks.drain().await.unwrap();
    let reported = carols_disconnects();
    assert_eq!(reported.len(), 1, "reported once: {reported:?}");
    assert_eq!(reported[0].body["Info"]["Reason"], "TimeOut");
    assert_eq!(reported[0].query["OptPlatform"], "IOS");
    // And she left the live room on every node, reported once too.
    for node in [a, b] {
        let count = node.ok(COUNT, json!({"GroupId": "live"})).await;
        assert_eq!(count["OnlineMemberNum"], 0);
    }
    let callbacks: Vec<crate::receiver::Received> = receiver
        .received()
        .into_iter()
        .filter(|r| r.query.get("CallbackCommand").map(String::as_str) == Some(MEMBER_STATE))
        .collect();
    let states = member_states(&callbacks);
    let offline: Vec<_> = states.iter().filter(|s| s.1 == "Offline").collect();
    let expected = (
        "carol".to_owned(),
        "Offline".to_owned(),
        "HeartbeatInterrupt".to_owned(),
    );
    assert_eq!(offline, [&expected], "{states:?}");
}

/// How many of `calls` (sent at once, spread over the nodes in turn) succeeded.
async fn admitted(
    cluster: &[TestServer],
    api: &str,
    calls: usize,
    body: impl Fn(usize) -> Value,
) -> usize {
    let replies = futures::future::join_all(
        (0..calls).map(|i| cluster[i % cluster.len()].call(api, body(i))),
    )
    .await;
    replies.iter().filter(|r| r["ErrorCode"] == 0).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn frequency_limits_hold_for_the_whole_cluster() {
    let cluster = nodes_with(3, |config| {
        let limits = &mut config.apps[0].settings.rate_limits;
        limits.insert(CHECK.into(), 30);
        limits.insert("group_open_http_svc/messages_per_group".into(), 12);
    })
    .await;
    let a = &cluster[0];
    a.ok(
        CREATE,
        json!({"Type": "Public", "Name": "g", "GroupId": "g", "Owner_Account": ADMIN}),
    )
    .await;
    // Every node in the same second, held there.
    let now = a.clock.now_ms();
    for node in &cluster {
        node.clock.freeze(now);
    }
    // Each node alone would let 30 through: the cluster lets 30 through in all.
    let check = |_| json!({"CheckItem": [{"UserID": ADMIN}]});
    assert_eq!(admitted(&cluster, CHECK, 90, check).await, 30);
    let message = |i: usize| {
        json!({"GroupId": "g", "From_Account": ADMIN, "Random": i,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "x"}}]})
    };
    assert_eq!(admitted(&cluster, SEND, 36, message).await, 12);
    // The next second, a new budget on every node.
    for node in &cluster {
        node.clock.advance_ms(1_000);
    }
    assert_eq!(admitted(&cluster, CHECK, 3, check).await, 3);
    assert_eq!(admitted(&cluster, SEND, 3, |i| message(100 + i)).await, 3);
}

/// A node remembers each group's type after its first send there, so that a send is one round
/// trip on PostgreSQL. The store checks the remembered type: a group destroyed through another
/// node answers 10010, and one created again with another type is sent to as what it is now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn sends_follow_a_group_destroyed_or_created_again_on_another_node() {
    const DESTROY: &str = "group_open_http_svc/destroy_group";
    const HISTORY: &str = "group_open_http_svc/group_msg_get_simple";
    const AFTER_SEND: &str = "Group.CallbackAfterSendMsg";
    let receiver = crate::receiver::Receiver::start().await;
    let url = receiver.url.clone();
    let cluster = nodes_with(2, move |config| {
        config.apps[0].webhook.url = Some(url);
    })
    .await;
    let (a, b) = (&cluster[0], &cluster[1]);
    let create = |group_type: &str| json!({"Type": group_type, "Name": "g", "GroupId": "g", "Owner_Account": ADMIN});
    let message = |i: u32| {
        json!({"GroupId": "g", "From_Account": ADMIN, "Random": i,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("m{i}")}}]})
    };
    b.ok(CREATE, create("Public")).await;
    assert_eq!(a.ok(SEND, message(1)).await["MsgSeq"], 1);

    // Destroyed and created again as a live room through B: A's next send is a live room's.
    b.ok(DESTROY, json!({"GroupId": "g"})).await;
    b.ok(CREATE, create("AVChatRoom")).await;
    a.ok(SEND, message(2)).await;
    let reports = receiver.wait_for(AFTER_SEND, 2).await;
    let types: Vec<&Value> = reports.iter().map(|r| &r.body["Type"]).collect();
    assert_eq!(types, [&json!("Public"), &json!("AVChatRoom")]);
    let history = a
        .call(HISTORY, json!({"GroupId": "g", "ReqMsgNumber": 10}))
        .await;
    assert_ne!(
        history["ErrorCode"], 0,
        "a live room keeps no history: {history}"
    );

    // Destroyed through B: A, which remembers it, answers as if it had read it now.
    b.ok(DESTROY, json!({"GroupId": "g"})).await;
    let refused = a.call(SEND, message(3)).await;
    assert_eq!(refused["ErrorCode"], 10010, "{refused}");
}
