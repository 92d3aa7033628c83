//! Clients connected over `/ws`: logging in and out (`State.StateChange`, online status),
//! group and one-to-one messages pushed to those online, join requests, and the cluster. Live
//! rooms, system notifications and broadcasts are in `live_rooms.rs`.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

pub(crate) const CREATE: &str = "group_open_http_svc/create_group";
pub(crate) const SEND: &str = "group_open_http_svc/send_group_msg";
pub(crate) const BAN: &str = "group_open_http_svc/ban_group_member";
pub(crate) const STATUS: &str = "openim/query_online_status";
pub(crate) const COUNT: &str = "group_open_http_svc/get_online_member_num";
pub(crate) const ONLINE: &str = "group_open_avchatroom_http_svc/get_members";
pub(crate) const MARKS: &str = "group_open_avchatroom_http_svc/modify_user_info";
pub(crate) const NOTIFY: &str = "group_open_http_svc/send_group_system_notification";
pub(crate) const BROADCAST: &str = "group_open_http_svc/send_broadcast_msg";
pub(crate) const STATE: &str = "State.StateChange";
pub(crate) const MEMBER_STATE: &str = "Group.CallbackOnMemberStateChange";

pub(crate) fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

pub(crate) fn states(
    server_state: &[crate::receiver::Received],
) -> Vec<(String, String, String, String)> {
    server_state
        .iter()
        .map(|r| {
            let info = &r.body["Info"];
            (
                info["To_Account"].as_str().unwrap().to_owned(),
                info["Action"].as_str().unwrap().to_owned(),
                info["Reason"].as_str().unwrap().to_owned(),
                r.query["OptPlatform"].clone(),
            )
        })
        .collect()
}

pub(crate) fn member_states(
    received: &[crate::receiver::Received],
) -> Vec<(String, String, String)> {
    received
        .iter()
        .map(|r| {
            (
                r.body["MemberList"][0]["Member_Account"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r.body["EventType"].as_str().unwrap().to_owned(),
                r.body["EventCause"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub(crate) async fn status(server: &TestServer, accounts: &[&str]) -> Value {
    server
        .ok(STATUS, json!({"To_Account": accounts, "IsNeedDetail": 1}))
        .await
}

on_both_engines!(
    logins_and_logouts_are_reported_and_show_in_online_status,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["bob"]).await;

        // A first login creates the account, as on Tencent.
        let phone = Client::login(&server, "alice", "iOS").await;
        let web = Client::login(&server, "alice", "Web").await;
        let got = server
            .ok(
                "im_open_login_svc/account_check",
                json!({"CheckItem": [{"UserID": "alice"}]}),
            )
            .await;
        assert_eq!(got["ResultItem"][0]["AccountStatus"], "Imported");

        let online = status(&server, &["alice", "bob", "ghost"]).await;
        let alice = &online["QueryResult"][0];
        assert_eq!(
            (&alice["To_Account"], &alice["State"]),
            (&json!("alice"), &json!("Online"))
        );
        let mut platforms: Vec<&str> = alice["Detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["Platform"].as_str().unwrap())
            .collect();
        platforms.sort();
        assert_eq!(platforms, ["IPhone", "Web"]);
        assert_eq!(online["QueryResult"][1]["State"], "Offline");
        assert_eq!(
            online["ErrorList"],
            json!([{"To_Account": "ghost", "ErrorCode": 70107}])
        );
        // The old name answers the same way.
        let old = server
            .ok("openim/querystate", json!({"To_Account": ["alice"]}))
            .await;
        assert_eq!(old["QueryResult"][0]["State"], "Online");
        assert!(old["QueryResult"][0].get("Detail").is_none());
        server.fails(STATUS, json!({"To_Account": []}), 90001).await;

        phone.drop_link().await;
        let mut web = web;
        web.ok("logout", json!({})).await;
        let got = receiver.wait_for(STATE, 4).await;
        let mut seen = states(&got);
        seen.sort();
        let mut expected = vec![
            (
                "alice".to_owned(),
                "Login".to_owned(),
                "Register".to_owned(),
                "IOS".to_owned(),
            ),
            (
                "alice".into(),
                "Login".into(),
                "Register".into(),
                "Web".into(),
            ),
            (
                "alice".into(),
                "Disconnect".into(),
                "LinkClose".into(),
                "IOS".into(),
            ),
            (
                "alice".into(),
                "Logout".into(),
                "Unregister".into(),
                "Web".into(),
            ),
        ];
        expected.sort();
        assert_eq!(seen, expected);
        assert!(got.iter().all(|r| r.query.contains_key("ClientIP")));
        let after = status(&server, &["alice"]).await;
        assert_eq!(after["QueryResult"][0]["State"], "Offline");
    }
);

on_both_engines!(
    bad_logins_and_requests_get_tencent_codes,
    |server: TestServer| async move {
        // A forged UserSig.
        let mut client = Client::open(&server).await;
        let reply = client
            .request(
                "login",
                json!({"SdkAppId": APP, "Identifier": "alice", "UserSig": "forged"}),
            )
            .await;
        assert_eq!(reply["ActionStatus"], "FAIL");
        assert!(
            (70001..=70020).contains(&reply["ErrorCode"].as_u64().unwrap()),
            "{reply}"
        );
        assert!(
            client.next_frame().await.is_none(),
            "closed after a refused login"
        );

        // A UserSig made for someone else.
        let mut client = Client::open(&server).await;
        let reply = client
            .request(
                "login",
                json!({"SdkAppId": APP, "Identifier": "alice", "UserSig": server.sig("bob")}),
            )
            .await;
        assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");

        // Anything before login.
        let mut client = Client::open(&server).await;
        let reply = client
            .request("send_group_msg", json!({"GroupId": "g"}))
            .await;
        assert_eq!(reply["ErrorCode"], 60004, "{reply}");

        // An unknown platform.
        let mut client = Client::open(&server).await;
        let reply = client
            .request("login", json!({"SdkAppId": APP, "Identifier": "alice", "UserSig": server.sig("alice"), "Platform": "Toaster"}))
            .await;
        assert_eq!(reply["ErrorCode"], 70402, "{reply}");

        // Logged in: malformed frames, unknown operations and wrong types.
        let mut client = Client::login(&server, "alice", "Android").await;
        client.send_text("{not json".into()).await;
        let reply = client.next_frame().await.unwrap();
        assert_eq!(reply["ErrorCode"], 60003, "{reply}");
        let reply = client.request("fly", json!({})).await;
        assert_eq!(reply["ErrorCode"], 60009, "{reply}");
        let reply = client.request("join_group", json!({"GroupId": 5})).await;
        assert_eq!(reply["ErrorCode"], 10004, "{reply}");
        let reply = client
            .request("join_group", json!({"GroupId": "nowhere"}))
            .await;
        assert_eq!(reply["ErrorCode"], 10010, "{reply}");
        let reply = client
            .request(
                "send_group_msg",
                json!({"GroupId": "nowhere", "Random": 1, "MsgBody": text("x")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 10010, "{reply}");
        // Still connected and served.
        client.ok("ping", json!({})).await;
    }
);

on_both_engines!(
    group_messages_reach_the_members_online,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["alice", "bob", "carol"]).await;
        server
            .ok(CREATE, json!({"Type": "Public", "Name": "team", "GroupId": "team", "Owner_Account": "alice",
                "MemberList": [{"Member_Account": "bob"}]}))
            .await;
        let mut alice = Client::login(&server, "alice", "Web").await;
        let mut bob = Client::login(&server, "bob", "Android").await;
        let mut carol = Client::login(&server, "carol", "Web").await;

        let sent = server
            .ok(
                SEND,
                json!({"GroupId": "team", "From_Account": "alice", "Random": 7,
                "MsgPriority": "High", "MsgBody": text("hello")}),
            )
            .await;
        for client in [&mut alice, &mut bob] {
            let event = client.event().await;
            assert_eq!(event["Event"], "GroupMsg");
            assert_eq!(event["GroupId"], "team");
            assert_eq!(event["MsgSeq"], sent["MsgSeq"]);
            assert_eq!(event["From_Account"], "alice");
            assert_eq!(event["MsgPriority"], "High");
            assert_eq!(event["MsgBody"], text("hello"));
        }
        // Both members have it, so it was pushed: the non-member has nothing.
        carol.no_event().await;

        // A client sends as itself; the callback carries its platform.
        let reply = bob
            .ok(
                "send_group_msg",
                json!({"GroupId": "team", "Random": 8, "From_Account": "alice",
                "MsgBody": text("from bob")}),
            )
            .await;
        assert_eq!(reply["MsgSeq"], 2);
        let event = alice.event().await;
        assert_eq!(
            (&event["From_Account"], &event["MsgSeq"]),
            (&json!("bob"), &json!(2))
        );
        let after = receiver.wait_for("Group.CallbackAfterSendMsg", 2).await;
        let by_bob = after
            .iter()
            .find(|r| r.body["From_Account"] == "bob")
            .unwrap();
        assert_eq!(by_bob.query["OptPlatform"], "Android");
        assert_eq!(by_bob.body["Operator_Account"], "bob");

        // Not a member: refused, and nothing is stored.
        let reply = carol
            .request(
                "send_group_msg",
                json!({"GroupId": "team", "Random": 9, "MsgBody": text("x")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 10007, "{reply}");
        let history = server
            .ok(
                "group_open_http_svc/group_msg_get_simple",
                json!({"GroupId": "team", "ReqMsgNumber": 10}),
            )
            .await;
        assert_eq!(history["RspMsgList"].as_array().unwrap().len(), 2);

        // A repeated Random is the same message: not pushed again.
        server
            .ok(SEND, json!({"GroupId": "team", "From_Account": "alice", "Random": 7, "MsgBody": text("hello")}))
            .await;
        server
            .ok(SEND, json!({"GroupId": "team", "From_Account": "alice", "Random": 70, "MsgBody": text("next")}))
            .await;
        let event = alice.event().await;
        assert_eq!(event["MsgSeq"], 3, "the repeat was not pushed: {event}");
        let event = bob.event().await;
        assert_eq!(
            event["MsgSeq"], 3,
            "bob's own message was not echoed to him: {event}"
        );
    }
);

on_both_engines!(
    one_to_one_messages_and_friend_requests_from_clients,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["alice", "bob", "carol"]).await;
        let mut alice = Client::login(&server, "alice", "Android").await;
        let mut alice_web = Client::login(&server, "alice", "Web").await;
        let mut bob = Client::login(&server, "bob", "iOS").await;

        // A client's message reaches the peer and the sender's other devices.
        let sent = alice
            .ok(
                "sendmsg",
                json!({"To_Account": "bob", "MsgRandom": 11, "From_Account": "carol",
                "MsgBody": text("hi bob")}),
            )
            .await;
        for client in [&mut bob, &mut alice_web] {
            let event = client.event().await;
            assert_eq!(event["Event"], "C2cMsg");
            assert_eq!(
                (&event["From_Account"], &event["To_Account"]),
                (&json!("alice"), &json!("bob"))
            );
            assert_eq!(event["MsgKey"], sent["MsgKey"]);
            assert_eq!(event["MsgBody"], text("hi bob"));
        }
        let after = receiver.wait_for("C2C.CallbackAfterSendMsg", 1).await;
        assert_eq!(after[0].query["OptPlatform"], "Android");
        assert_eq!(after[0].body["From_Account"], "alice");
        alice.no_event().await;

        // The admin's REST sends are pushed too; an online-only one is not stored.
        server
            .ok(
                "openim/sendmsg",
                json!({"From_Account": "carol", "To_Account": "bob", "MsgRandom": 12,
                "MsgLifeTime": 0, "MsgBody": text("now or never")}),
            )
            .await;
        let event = bob.event().await;
        assert_eq!(
            (&event["From_Account"], &event["OnlineOnlyFlag"]),
            (&json!("carol"), &json!(1))
        );
        let roam = server
            .ok(
                "openim/admin_getroammsg",
                json!({"Operator_Account": "bob", "Peer_Account": "carol",
                "MaxCnt": 10, "MinTime": 0, "MaxTime": 4_000_000_000u64}),
            )
            .await;
        assert_eq!(roam["MsgCnt"], 0);
        let reply = alice
            .request(
                "sendmsg",
                json!({"To_Account": "ghost", "MsgRandom": 1, "MsgBody": text("x")}),
            )
            .await;
        assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");

        // A friend request from a client waits for the peer, who answers from theirs.
        let asked = alice
            .ok(
                "friend_add",
                json!({"AddFriendItem": [{"To_Account": "bob", "AddSource": "AddSource_Type_Web",
                "AddWording": "hello"}]}),
            )
            .await;
        assert_eq!(asked["ResultItem"][0]["ResultCode"], 30539, "{asked}");
        let prev = receiver.wait_for("Sns.CallbackPrevFriendAdd", 1).await;
        assert_eq!(prev[0].query["OptPlatform"], "Android");
        assert_eq!(prev[0].body["Requester_Account"], "alice");
        let answered = bob
            .ok(
                "friend_response",
                json!({"ResponseFriendItem": [{"To_Account": "alice",
                "ResponseAction": "Response_Action_AgreeAndAdd"}]}),
            )
            .await;
        assert_eq!(answered["ResultItem"][0]["ResultCode"], 0, "{answered}");
        let prev = receiver.wait_for("Sns.CallbackPrevFriendResponse", 1).await;
        assert_eq!(prev[0].query["OptPlatform"], "iOS");
        let check = server
            .ok(
                "sns/friend_check",
                json!({"From_Account": "alice", "To_Account": ["bob"],
                "CheckType": "CheckResult_Type_Both"}),
            )
            .await;
        assert_eq!(check["InfoItem"][0]["Relation"], "CheckResult_Type_BothWay");
        let bad = bob
            .request(
                "friend_response",
                json!({"ResponseFriendItem": [{"To_Account": "alice", "ResponseAction": "Maybe"}]}),
            )
            .await;
        assert_eq!(bad["ErrorCode"], 30001);
    }
);

on_both_engines!(
    directed_and_quiet_group_messages,
    |server: TestServer| async move {
        import(&server, &["a", "b", "c"]).await;
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "g", "GroupId": "g", "Owner_Account": "a",
                "MemberList": [{"Member_Account": "b"}, {"Member_Account": "c"}]}),
            )
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
            )
            .await;
        let mut b = Client::login(&server, "b", "Web").await;
        let mut c = Client::login(&server, "c", "Web").await;
        let joined = |who: &'static str| {
            let server = &server;
            async move {
                let got = server
                    .ok("group_open_http_svc/get_joined_group_list", json!({"Member_Account": who,
                        "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum"], "GroupBaseInfoFilter": ["LastMsgTime"]}}))
                    .await;
                let item = &got["GroupIdList"][0];
                (
                    item["SelfInfo"]["UnreadMsgNum"].as_u64().unwrap(),
                    item["LastMsgTime"].as_i64().unwrap(),
                )
            }
        };

        let first = server
            .ok(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 1, "MsgBody": text("all")}),
            )
            .await;
        b.event().await;
        c.event().await;
        let (unread, last_time) = joined("c").await;
        assert_eq!(unread, 1);
        assert_eq!(last_time, first["MsgTime"]);

        // Directed: only b receives it; it takes a MsgSeq but counts as unread for no one.
        let directed = server
            .ok(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 2, "To_Account": ["b"],
                "MsgBody": text("just b")}),
            )
            .await;
        assert_eq!(directed["MsgSeq"], 2);
        let event = b.event().await;
        assert_eq!(
            (&event["MsgSeq"], &event["To_Account"]),
            (&json!(2), &json!(["b"]))
        );
        c.no_event().await;
        assert_eq!(joined("c").await.0, 1);
        assert_eq!(joined("b").await.0, 1);

        // NoUnread and NoLastMsg.
        server
            .ok(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 3,
                "SendMsgControl": ["NoUnread", "NoLastMsg"], "MsgBody": text("quiet")}),
            )
            .await;
        assert_eq!(c.event().await["MsgSeq"], 3, "still delivered");
        let (unread, last) = joined("c").await;
        assert_eq!(unread, 1, "not counted");
        assert_eq!(last, directed["MsgTime"], "the last message time stayed");
        server
            .ok(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 4, "MsgBody": text("loud")}),
            )
            .await;
        assert_eq!(joined("c").await.0, 2);

        // Refusals.
        let many: Vec<String> = (0..51).map(|i| format!("m{i}")).collect();
        server
            .fails(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 5, "To_Account": many,
                "MsgBody": text("x")}),
                10004,
            )
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "live", "From_Account": "a", "Random": 6, "To_Account": ["b"],
                "MsgBody": text("x")}),
                10004,
            )
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 7, "To_Account": ["b"],
                "GroupAtInfo": [{"GroupAtAllFlag": 1}], "MsgBody": text("x")}),
                10004,
            )
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "g", "From_Account": "a", "Random": 8,
                "SendMsgControl": ["Loud"], "MsgBody": text("x")}),
                10004,
            )
            .await;
    }
);

on_both_engines!(
    join_requests_wait_for_the_owner_or_an_admin,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob", "carl", "dave"]).await;
        server
            .ok(CREATE, json!({"Type": "Public", "Name": "club", "GroupId": "club", "Owner_Account": "boss",
                "ApplyJoinOption": "NeedPermission",
                "MemberList": [{"Member_Account": "ann", "Role": "Admin"}, {"Member_Account": "bob"}]}))
            .await;
        let mut boss = Client::login(&server, "boss", "Web").await;
        let mut ann = Client::login(&server, "ann", "Android").await;
        let mut bob = Client::login(&server, "bob", "Web").await;
        let mut carl = Client::login(&server, "carl", "iOS").await;

        let asked = carl
            .ok(
                "join_group",
                json!({"GroupId": "club", "ApplyMsg": "let me in"}),
            )
            .await;
        assert_eq!(asked["Pending"], 1);
        let before = receiver
            .wait_for("Group.CallbackBeforeApplyJoinGroup", 1)
            .await;
        assert_eq!(before[0].body["Requestor_Account"], "carl");
        assert_eq!(before[0].query["OptPlatform"], "iOS");
        for admin in [&mut boss, &mut ann] {
            let event = admin.event().await;
            assert_eq!(event["Event"], "GroupApplication");
            assert_eq!(
                (&event["GroupId"], &event["From_Account"]),
                (&json!("club"), &json!("carl"))
            );
            assert_eq!(event["RequestMsg"], "let me in");
        }
        bob.no_event().await;
        let list = boss.ok("get_group_application_list", json!({})).await;
        assert_eq!(list["ApplicationList"].as_array().unwrap().len(), 1);
        assert_eq!(list["ApplicationList"][0]["From_Account"], "carl");
        assert!(list["ApplicationList"][0].get("Event").is_none());
        assert_eq!(
            bob.ok("get_group_application_list", json!({})).await["ApplicationList"],
            json!([])
        );
        let members = server
            .ok(
                "group_open_http_svc/get_group_info",
                json!({"GroupIdList": ["club"]}),
            )
            .await;
        assert_eq!(members["GroupInfo"][0]["MemberNum"], 3, "not in yet");

        // Only the owner and admins answer.
        let refused = bob
            .request(
                "handle_group_application",
                json!({"GroupId": "club", "From_Account": "carl", "HandleAction": "Agree"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 10007);
        ann.ok(
            "handle_group_application",
            json!({"GroupId": "club", "From_Account": "carl",
            "HandleAction": "Agree", "HandleMsg": "welcome"}),
        )
        .await;
        let handled = carl.event().await;
        assert_eq!(handled["Event"], "GroupApplicationHandled");
        assert_eq!(
            (&handled["HandleResult"], &handled["Operator_Account"]),
            (&json!(1), &json!("ann"))
        );
        assert_eq!(handled["HandleMsg"], "welcome");
        let joined = receiver
            .wait_for("Group.CallbackAfterNewMemberJoin", 1)
            .await;
        let joined = joined.iter().find(|r| r.body["GroupId"] == "club").unwrap();
        assert_eq!(joined.body["JoinType"], "Apply");
        assert_eq!(joined.body["Operator_Account"], "ann");
        assert_eq!(
            joined.body["NewMemberList"],
            json!([{"Member_Account": "carl"}])
        );
        assert_eq!(joined.query["OptPlatform"], "Android");
        let again = ann
            .request(
                "handle_group_application",
                json!({"GroupId": "club", "From_Account": "carl", "HandleAction": "Agree"}),
            )
            .await;
        assert_eq!(again["ErrorCode"], 10004, "nothing waits any more");
        let in_now = carl.request("join_group", json!({"GroupId": "club"})).await;
        assert_eq!(in_now["ErrorCode"], 10013);

        // Refused requests leave the applicant out.
        let mut dave = Client::login(&server, "dave", "Web").await;
        dave.ok("join_group", json!({"GroupId": "club"})).await;
        boss.ok(
            "handle_group_application",
            json!({"GroupId": "club", "From_Account": "dave", "HandleAction": "Reject"}),
        )
        .await;
        let handled = dave.event().await;
        assert_eq!(handled["HandleResult"], 0);
        let info = server
            .ok(
                "group_open_http_svc/get_group_info",
                json!({"GroupIdList": ["club"]}),
            )
            .await;
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 4);
        assert_eq!(
            boss.ok("get_group_application_list", json!({})).await["ApplicationList"],
            json!([])
        );

        // Bad requests.
        let long = dave
            .request(
                "join_group",
                json!({"GroupId": "club", "ApplyMsg": "x".repeat(301)}),
            )
            .await;
        assert_eq!(long["ErrorCode"], 10004);
        let bad = boss
            .request(
                "handle_group_application",
                json!({"GroupId": "club", "From_Account": "dave", "HandleAction": "Maybe"}),
            )
            .await;
        assert_eq!(bad["ErrorCode"], 10004);
    }
);

/// Two nodes on one PostgreSQL database and one NATS: a client connected to one node receives
/// what a request to the other caused. Ignored unless `NATTER_TEST_POSTGRES` and
/// `NATTER_TEST_NATS` are set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn nodes_of_a_cluster_carry_events_to_each_others_clients() {
    let nats = std::env::var("NATTER_TEST_NATS")
        .expect("the cluster test needs NATTER_TEST_NATS=nats://…");
    let cluster = format!("natter-test-{:016x}", rand::random::<u64>());
    let clustered = |config: &mut natter::config::ServerConfig| {
        config.nats_url = Some(nats.clone());
        config.cluster_name = cluster.clone();
    };
    let a = TestServer::start_with(Engine::Postgres, clustered).await;
    let mut config = a.config.clone();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let b = TestServer::start_config(config, None).await;

    import(&a, &["alice", "bob", "carol"]).await;
    a.ok(
        CREATE,
        json!({"Type": "Public", "Name": "g", "GroupId": "g", "Owner_Account": "alice",
        "MemberList": [{"Member_Account": "bob"}]}),
    )
    .await;
    a.ok(
        CREATE,
        json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
    )
    .await;
    let mut on_a = Client::login(&a, "bob", "Web").await;
    let mut on_b = Client::login(&b, "carol", "Web").await;
    on_b.ok("join_group", json!({"GroupId": "live"})).await;

    // A group message sent through node B reaches bob on node A.
    let sent = b
        .ok(
            SEND,
            json!({"GroupId": "g", "From_Account": "alice", "Random": 1, "MsgBody": text("via b")}),
        )
        .await;
    let event = on_a.event().await;
    assert_eq!(
        (&event["GroupId"], &event["MsgSeq"]),
        (&json!("g"), &sent["MsgSeq"])
    );
    // One-to-one, the other way: sent by a client of A, received by a client of B.
    on_a.ok(
        "sendmsg",
        json!({"To_Account": "carol", "MsgRandom": 2, "MsgBody": text("hi carol")}),
    )
    .await;
    let event = on_b.event().await;
    assert_eq!(
        (&event["Event"], &event["From_Account"]),
        (&json!("C2cMsg"), &json!("bob"))
    );
    // A live room message and a broadcast through A reach carol, online in it on B.
    a.ok(
        SEND,
        json!({"GroupId": "live", "From_Account": "alice", "Random": 3, "MsgBody": text("room")}),
    )
    .await;
    assert_eq!(on_b.event().await["MsgBody"], text("room"));
    a.ok(BROADCAST, json!({"Random": 4, "MsgBody": text("everyone")}))
        .await;
    let event = on_b.event().await;
    assert_eq!(
        (&event["GroupId"], &event["IsBroadcast"]),
        (&json!("live"), &json!(1))
    );
    // Nothing reaches the wrong client.
    on_a.no_event().await;
    on_b.no_event().await;
}
