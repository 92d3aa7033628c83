//! AVChatRoom viewers who long-poll over `/binfo`, frame by frame: the Web SDK's `joinGroup`
//! before login (`group_open_http_noauth_svc.apply_join_group`), its polls with and without
//! login (`get_msg`), held until a message comes, and `get_huge_group_msg`; what a connection
//! without login may and may not do.

use serde_json::{json, Value};

use crate::harness::*;
use crate::live::{text, BROADCAST, COUNT, CREATE, SEND};
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NOAUTH_JOIN: &str = "group_open_http_noauth_svc.apply_join_group";
const NOAUTH_POLL: &str = "group_open_long_polling_http_noauth_svc.get_msg";
const POLL: &str = "group_open_long_polling_http_svc.get_msg";
const HISTORY: &str = "group_open_http_svc.get_huge_group_msg";
const NO_PERMISSION: u64 = 10007;
const NOT_FOUND: u64 = 10010;
const INVALID: u64 = 10004;
const NOT_LOGGED_IN: u64 = 60004;

async fn create(server: &TestServer, kind: &str, owner: &str) -> String {
    server
        .ok(
            CREATE,
            json!({"Type": kind, "Name": "live", "Owner_Account": owner}),
        )
        .await["GroupId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn texts(reply: &Value, list: &str) -> Vec<String> {
    reply[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {reply}"))
        .iter()
        .map(|m| {
            m["MsgBody"][0]["MsgContent"]["Text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The next poll's body, from a poll's (or the join's) reply.
fn next_poll(reply: &Value, hold: u64) -> Value {
    let key = reply.get("Key").unwrap_or(&reply["LongPollingKey"]);
    json!({"USP": 1, "StartSeq": reply["NextSeq"].as_u64().unwrap_or(0), "HoldTime": hold,
           "Key": key, "DownsizeFlag": 0})
}

/// Polls (each poll held until messages come) until `count` messages came; the last reply and
/// the messages' texts in the order they came.
async fn poll_for(viewer: &mut SdkClient, from: &Value, count: usize) -> (Value, Vec<String>) {
    let mut reply = from.clone();
    let mut seen = Vec::new();
    while seen.len() < count {
        reply = viewer.call(NOAUTH_POLL, next_poll(&reply, 90)).await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        seen.extend(texts(&reply, "RspMsgList"));
    }
    (reply, seen)
}

async fn say(server: &TestServer, room: &str, from: &str, words: &str) {
    server
        .ok(
            SEND,
            json!({"GroupId": room, "From_Account": from, "Random": rand_u32(), "MsgBody": text(words)}),
        )
        .await;
}

fn rand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

on_both_engines!(
    viewers_poll_without_login,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "lv_owner").await;
        let room = create(&server, "AVChatRoom", "lv_owner").await;
        let public = create(&server, "Public", "lv_owner").await;
        let before = owner
            .call(
                "group_open_http_svc.get_online_member_num",
                json!({"GroupId": room}),
            )
            .await;

        let mut viewer = SdkClient::open(&server).await;
        // Keep-alives are answered before any login, as before.
        assert_eq!(
            viewer.call("heartbeat.alive", json!({})).await["ErrorCode"],
            0
        );

        // Only an AVChatRoom that exists takes a viewer without login.
        let refused = viewer
            .call(NOAUTH_JOIN, json!({"GroupId": "no_such_room"}))
            .await;
        assert_eq!(refused["ErrorCode"], NOT_FOUND, "{refused}");
        let refused = viewer.call(NOAUTH_JOIN, json!({"GroupId": public})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let joined = viewer
            .call(NOAUTH_JOIN, json!({"GroupId": room, "WebPushFlag": 1}))
            .await;
        assert_eq!(joined["ErrorCode"], 0, "{joined}");
        assert!(
            joined["LongPollingKey"]
                .as_str()
                .is_some_and(|k| !k.is_empty()),
            "{joined}"
        );

        // Everything else still needs a login, with the code it gets today.
        for servcmd in [
            "group_open_http_svc.get_joined_group_list",
            POLL,
            "group_open_http_svc.send_group_msg",
        ] {
            let refused = viewer.call(servcmd, json!({"GroupId": room})).await;
            assert_eq!(refused["ErrorCode"], NOT_LOGGED_IN, "{servcmd}: {refused}");
        }
        // Keys Natter did not give, or for a room this connection did not join.
        let bad = viewer
            .call(NOAUTH_POLL, json!({"Key": "nonsense", "HoldTime": 1}))
            .await;
        assert_eq!(bad["ErrorCode"], INVALID, "{bad}");
        let forged = joined["LongPollingKey"]
            .as_str()
            .unwrap()
            .replace(&room, &public);
        let bad = viewer
            .call(NOAUTH_POLL, json!({"Key": forged, "HoldTime": 1}))
            .await;
        assert_eq!(bad["ErrorCode"], NO_PERMISSION, "{bad}");

        // The SDK's first poll (StartSeq 0) is held until a message comes; a heartbeat sent
        // meanwhile is answered first, so the poll is in no one's way.
        let first =
            json!({"USP": 1, "StartSeq": 0, "HoldTime": 90, "Key": joined["LongPollingKey"]});
        let poll = viewer.send_request(NOAUTH_POLL, first).await;
        let beat = viewer.send_request("heartbeat.alive", json!({})).await;
        assert_eq!(
            viewer.reply_to("heartbeat.alive", beat).await["ErrorCode"],
            0
        );
        say(&server, &room, "lv_owner", "hello viewers").await;
        let got = viewer.reply_to(NOAUTH_POLL, poll).await;
        assert_eq!(got["ErrorCode"], 0, "{got}");
        assert_eq!(texts(&got, "RspMsgList"), ["hello viewers"], "{got}");
        let message = &got["RspMsgList"][0];
        assert_eq!(message["Event"], 3, "{got}");
        assert_eq!(message["ToGroupId"], room.as_str(), "{got}");
        assert_eq!(message["From_Account"], "lv_owner", "{got}");

        // Messages sent between two polls wait for the next one: none lost, none twice.
        say(&server, &room, "lv_owner", "two").await;
        say(&server, &room, "lv_owner", "three").await;
        let (got, seen) = poll_for(&mut viewer, &got, 2).await;
        assert_eq!(seen, ["two", "three"], "{got}");
        // Nothing new: answered empty (a poll without hold at once), with the same cursor.
        let empty = viewer.call(NOAUTH_POLL, next_poll(&got, 0)).await;
        assert_eq!(empty["ErrorCode"], 0, "{empty}");
        assert_eq!(texts(&empty, "RspMsgList"), Vec::<String>::new());
        assert_eq!(empty["NextSeq"], got["NextSeq"], "{empty}");

        // A broadcast to every room reaches the viewer as the SDK's broadcast.
        let poll = viewer
            .send_request(NOAUTH_POLL, next_poll(&empty, 90))
            .await;
        server
            .ok(
                BROADCAST,
                json!({"From_Account": "lv_owner", "Random": 9, "MsgBody": text("to all rooms")}),
            )
            .await;
        let got = viewer.reply_to(NOAUTH_POLL, poll).await;
        assert_eq!(
            texts(&got, "RspBroadcastMsgList"),
            ["to all rooms"],
            "{got}"
        );
        assert_eq!(got["RspBroadcastMsgList"][0]["Event"], 17, "{got}");

        // A viewer is no member: the online count is what it was.
        let after = owner
            .call(
                "group_open_http_svc.get_online_member_num",
                json!({"GroupId": room}),
            )
            .await;
        assert_eq!(
            after["OnlineMemberNum"], before["OnlineMemberNum"],
            "{after}"
        );
        let rest = server.ok(COUNT, json!({"GroupId": room})).await;
        assert_eq!(rest["OnlineMemberNum"], before["OnlineMemberNum"], "{rest}");

        // The viewer logs in on the same connection and keeps polling the room it watches.
        viewer.login(&server, "lv_viewer").await;
        let poll = viewer.send_request(NOAUTH_POLL, next_poll(&got, 90)).await;
        say(&server, &room, "lv_owner", "after login").await;
        let got = viewer.reply_to(NOAUTH_POLL, poll).await;
        assert_eq!(texts(&got, "RspMsgList"), ["after login"], "{got}");
    }
);

on_both_engines!(
    members_poll_and_read_recent_messages,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "lm_owner").await;
        let mut member = SdkClient::connect(&server, "lm_member").await;
        let mut stranger = SdkClient::connect(&server, "lm_stranger").await;
        let room = create(&server, "AVChatRoom", "lm_owner").await;
        let meeting = create(&server, "ChatRoom", "lm_owner").await;
        for group in [&room, &meeting] {
            let joined = member
                .call(
                    "group_open_http_svc.apply_join_group",
                    json!({"GroupId": group}),
                )
                .await;
            assert_eq!(joined["ErrorCode"], 0, "{joined}");
            // Logged-in members keep taking pushes: no key, so the SDK does not poll; an
            // AVChatRoom is flagged as one (the SDK keeps it only then).
            assert!(joined.get("LongPollingKey").is_none(), "{joined}");
            let flag = if *group == room {
                json!(1)
            } else {
                Value::Null
            };
            assert_eq!(joined["HugeGroupFlag"], flag, "{joined}");
        }
        // get_huge_group_msg: the room's recent messages, for members, kept on this node from
        // the first time someone follows the room here (this call: none yet).
        let recent = member.call(HISTORY, json!({"GroupId": room})).await;
        assert_eq!(
            texts(&recent, "RspMsgList"),
            Vec::<String>::new(),
            "{recent}"
        );
        say(&server, &room, "lm_owner", "first").await;
        // The push reaches the member as before (and the feed has the message by then).
        member.next_push_of("GroupMsgArray").await;
        let recent = member.call(HISTORY, json!({"GroupId": room})).await;
        assert_eq!(recent["ErrorCode"], 0, "{recent}");
        assert_eq!(texts(&recent, "RspMsgList"), ["first"], "{recent}");
        let refused = stranger.call(HISTORY, json!({"GroupId": room})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member.call(HISTORY, json!({"GroupId": meeting})).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let refused = member
            .call(HISTORY, json!({"GroupId": "no_such_room"}))
            .await;
        assert_eq!(refused["ErrorCode"], NOT_FOUND, "{refused}");

        // A member's get_msg, if the SDK sends one, is served (held like a viewer's).
        let key = owner.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
        assert_eq!(key["ErrorCode"], 0, "{key}");
        let poll = member.send_request(POLL, next_poll(&key, 90)).await;
        say(&server, &room, "lm_owner", "polled").await;
        let got = member.reply_to(POLL, poll).await;
        assert_eq!(texts(&got, "RspMsgList"), ["polled"], "{got}");
        let refused = stranger.call(POLL, next_poll(&key, 1)).await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        let meeting_key = key["LongPollingKey"]
            .as_str()
            .unwrap()
            .replace(&room, &meeting);
        let refused = member
            .call(
                POLL,
                json!({"Key": meeting_key, "StartSeq": 0, "HoldTime": 1}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
    }
);

/// In a cluster a poll held on one node is released by a message sent through another: every
/// node takes every room's messages from NATS into its own feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn a_poll_held_on_one_node_is_released_by_a_send_on_another() {
    let cluster = crate::cluster::nodes(2, natter_core::LoginPolicy::PerPlatform).await;
    let (a, b) = (&cluster[0], &cluster[1]);
    crate::messages::import(a, &["lc_owner"]).await;
    let room = create(a, "AVChatRoom", "lc_owner").await;
    let mut viewer = SdkClient::open(b).await;
    let joined = viewer.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
    let poll = viewer
        .send_request(NOAUTH_POLL, next_poll(&joined, 90))
        .await;
    // The poll is held on B (its heartbeat answered first), then released from A.
    let beat = viewer.send_request("heartbeat.alive", json!({})).await;
    viewer.reply_to("heartbeat.alive", beat).await;
    say(a, &room, "lc_owner", "from node A").await;
    let got = viewer.reply_to(NOAUTH_POLL, poll).await;
    assert_eq!(texts(&got, "RspMsgList"), ["from node A"], "{got}");
}

/// A viewer without login fires no callback (Tencent's name the account that joined); a
/// member's join in the same room does, as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_without_login_fires_no_callbacks() {
    let receiver = crate::receiver::Receiver::start().await;
    let url = receiver.url.clone();
    let server = TestServer::start_with(Engine::Sqlite, move |c| {
        c.apps[0].webhook.url = Some(url);
    })
    .await;
    crate::messages::import(&server, &["lw_owner", "lw_member"]).await;
    let room = create(&server, "AVChatRoom", "lw_owner").await;
    let mut viewer = SdkClient::open(&server).await;
    let joined = viewer.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
    let mut member = SdkClient::connect(&server, "lw_member").await;
    let joined = member
        .call(
            "group_open_http_svc.apply_join_group",
            json!({"GroupId": room}),
        )
        .await;
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
    for (command, count) in [
        ("Group.CallbackBeforeApplyJoinGroup", 1),
        ("Group.CallbackAfterNewMemberJoin", 1),
        ("Group.CallbackOnMemberStateChange", 1),
    ] {
        assert_eq!(
            receiver.settled_count(&server, command).await,
            count,
            "{command}: {:?}",
            receiver.received()
        );
    }
}

/// One connection holds at most 8 polls at once: a ninth is answered at once with what there is
/// (nothing yet), and one message releases the 8 held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_holds_at_most_eight_polls() {
    let server = TestServer::start(Engine::Sqlite).await;
    crate::messages::import(&server, &["lh_owner"]).await;
    let room = create(&server, "AVChatRoom", "lh_owner").await;
    let mut viewer = SdkClient::open(&server).await;
    let joined = viewer.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(
            viewer
                .send_request(NOAUTH_POLL, next_poll(&joined, 90))
                .await,
        );
    }
    // The ninth is answered at once: before the heartbeat sent after it (held, it would come
    // 10 s later, after the heartbeat's reply).
    let ninth = viewer
        .send_request(NOAUTH_POLL, next_poll(&joined, 90))
        .await;
    viewer.call("heartbeat.alive", json!({})).await;
    assert!(
        viewer.has_reply(NOAUTH_POLL, ninth),
        "the ninth was not held"
    );
    let ninth = viewer.reply_to(NOAUTH_POLL, ninth).await;
    assert_eq!(ninth["ErrorCode"], 0, "{ninth}");
    assert_eq!(texts(&ninth, "RspMsgList"), Vec::<String>::new(), "{ninth}");
    say(&server, &room, "lh_owner", "for all").await;
    for seq in held {
        let got = viewer.reply_to(NOAUTH_POLL, seq).await;
        assert_eq!(texts(&got, "RspMsgList"), ["for all"], "{got}");
    }
}

/// Viewers without login are bounded per node (`max_viewers`): past it a join is refused with
/// 60018 and the socket stays one waiting to log in; a viewer who leaves frees its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_without_login_are_bounded() {
    let server = TestServer::start_with(Engine::Sqlite, |c| c.max_viewers = 1).await;
    crate::messages::import(&server, &["lb_owner", "lb_user"]).await;
    let room = create(&server, "AVChatRoom", "lb_owner").await;
    let mut first = SdkClient::open(&server).await;
    let joined = first.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
    let mut second = SdkClient::open(&server).await;
    let refused = second.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    assert_eq!(refused["ErrorCode"], 60018, "{refused}");
    // The same viewer joining again keeps its one place.
    let again = first.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
    assert_eq!(again["ErrorCode"], 0, "{again}");
    // The refused socket may still log in, as any socket waiting to.
    second.login(&server, "lb_user").await;
    // The first viewer leaves: its place is free again.
    drop(first);
    let mut third = SdkClient::open(&server).await;
    let mut tries = 0;
    let joined = loop {
        let reply = third.call(NOAUTH_JOIN, json!({"GroupId": room})).await;
        tries += 1;
        if reply["ErrorCode"] != 60018 || tries == 1_000 {
            break reply;
        }
        // The server frees the place when it sees the socket close: a heartbeat's round trip
        // lets it run before the next try.
        third.call("heartbeat.alive", json!({})).await;
    };
    assert_eq!(joined["ErrorCode"], 0, "{joined}");
}
