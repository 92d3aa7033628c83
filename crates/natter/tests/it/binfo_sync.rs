//! `/binfo` catch-up, kicks, recall and edit, frame by frame over real Web SDK frames: what a
//! client that was away gets from `openim.getmsg` (once, across pages), what a REST kick does
//! to its sessions and sigs, and how a recall or edit reaches the peer.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{import, send_body, SEND};
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

/// Catch-up over the shared SDK client.
trait SyncSdk {
    /// `openim.getmsg` from `cookie`, as the SDK syncs; it must succeed.
    async fn getmsg(&mut self, cookie: &str) -> Value;
}

impl SyncSdk for SdkClient {
    async fn getmsg(&mut self, cookie: &str) -> Value {
        let reply = self
            .call(
                "openim.getmsg",
                json!({"Cookie": cookie, "SyncFlag": 0, "NeedAbstract": 1, "IsOnlineSync": 0}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        reply
    }
}

fn randoms(reply: &Value) -> Vec<u64> {
    reply["MsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MsgRandom"].as_u64().unwrap())
        .collect()
}

on_both_engines!(
    a_client_that_was_away_catches_up_once_across_pages,
    |server: TestServer| async move {
        import(&server, &["sy_alice", "sy_bob"]).await;
        // Sent before bob's first sync: the past is history's, not the catch-up's.
        server
            .ok(SEND, send_body("sy_alice", "sy_bob", 1, "old"))
            .await;
        server.clock.advance_ms(2_000);
        let mut bob = SdkClient::open(&server).await;
        bob.login(&server, "sy_bob").await;
        let first = bob.getmsg("").await;
        assert_eq!(first["SyncFlag"], 2);
        assert_eq!(first["MsgList"], json!([]));
        let cookie = first["Cookie"].as_str().unwrap().to_owned();
        assert!(!cookie.is_empty());
        bob.close().await;

        // While bob is away: 25 messages from alice, and one bob sent from another device.
        for random in 100..125 {
            server
                .ok(
                    SEND,
                    send_body("sy_alice", "sy_bob", random, &format!("m{random}")),
                )
                .await;
        }
        server.clock.advance_ms(1_000);
        server
            .ok(SEND, send_body("sy_bob", "sy_alice", 200, "mine"))
            .await;

        let mut bob = SdkClient::open(&server).await;
        bob.login(&server, "sy_bob").await;
        let mut cookie = cookie;
        let mut got = Vec::new();
        let mut pages = 0;
        let last = loop {
            let page = bob.getmsg(&cookie).await;
            pages += 1;
            got.extend(randoms(&page));
            cookie = page["Cookie"].as_str().unwrap().to_owned();
            match page["SyncFlag"].as_u64().unwrap() {
                1 => assert_eq!(randoms(&page).len(), 20, "a full page while more"),
                2 => break page,
                other => panic!("SyncFlag {other}"),
            }
            assert!(pages < 10, "the catch-up ends");
        };
        assert_eq!(pages, 2);
        let mut expected: Vec<u64> = (100..125).collect();
        expected.push(200);
        assert_eq!(got, expected, "every message once, oldest first");
        let own = last["MsgList"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(own["From_Account"], "sy_bob");
        assert_eq!(own["IsSyncMsg"], 1, "a copy of bob's own message");
        assert_eq!(own["MsgBody"][0]["MsgContent"]["Text"], "mine");
        // The conversation with alice, as the SDK builds it: 26 unread (the old one too).
        let counts = &last["C2CPairUnreadCount"];
        assert_eq!(counts[0]["From_Account"], "sy_alice", "{last}");
        assert_eq!(counts[0]["UnreadCount"], 26);
        assert_eq!(counts[0]["LastMsgTime"], own["MsgTimeStamp"]);
        assert_eq!(last["C2CRemainingUnreadCount"], *counts);

        // Caught up: nothing again, and nothing lost for the next time.
        let again = bob.getmsg(&cookie).await;
        assert_eq!(again["MsgList"], json!([]));
        assert_eq!(again["SyncFlag"], 2);
        bob.close().await;
        server
            .ok(SEND, send_body("sy_alice", "sy_bob", 300, "later"))
            .await;
        let mut bob = SdkClient::open(&server).await;
        bob.login(&server, "sy_bob").await;
        let next = bob.getmsg(again["Cookie"].as_str().unwrap()).await;
        assert_eq!(randoms(&next), vec![300]);
        // An unreadable cookie is a first sync.
        assert_eq!(bob.getmsg("garbage").await["MsgList"], json!([]));
    }
);

const KICK: &str = "im_open_login_svc/kick";

on_both_engines!(
    a_rest_kick_ends_sessions_and_old_sigs,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["kk_bob"]).await;
        let mut sdk = SdkClient::open(&server).await;
        let reply = sdk.login(&server, "kk_bob").await;
        let (old_sig, a2) = (server.sig("kk_bob"), reply["A2Key"].clone());
        let mut ws = crate::client::Client::login(&server, "kk_bob", "Android").await;
        receiver.wait_for("State.StateChange", 2).await;
        server.clock.advance_ms(2_000);

        server.ok(KICK, json!({"UserID": "kk_bob"})).await;
        // The SDK gets its kicked-out push (REST_API_Kick) and the connection ends.
        let (head, push) = sdk.next_push().await.expect("a kick push");
        assert_eq!(head["servcmd"], "im_open_status.stat_forceoffline");
        let notify = &push["EventArray"][0]["C2cNotifyMsgArray"][0]["KickoutMsgNotify"];
        assert_eq!(notify["KickType"], 3, "{push}");
        assert!(
            sdk.try_next_frame().await.is_none(),
            "the connection is closed"
        );
        // A /ws client gets the event, then the connection closes.
        let event = ws.event().await;
        assert_eq!(event["Event"], "Kicked");
        assert_eq!(event["KickType"], 3);
        assert!(ws.next_frame().await.is_none());
        let got = receiver.wait_for("State.StateChange", 4).await;
        let mut ends: Vec<(Value, Value)> = got[2..]
            .iter()
            .map(|r| {
                (
                    r.body["Info"]["Action"].clone(),
                    r.body["Info"]["Reason"].clone(),
                )
            })
            .collect();
        ends.dedup();
        assert_eq!(ends, vec![(json!("Logout"), json!("Kicked"))]);

        // The old UserSig and the A2Key made from it no longer log in; a new sig does.
        let mut again = SdkClient::open(&server).await;
        let refused = again
            .login_with(json!({"identifier": "kk_bob", "usersig": old_sig, "sdkappid": APP}))
            .await;
        assert_eq!(refused["ErrorCode"], 70003, "{refused}");
        let refused = again.login_with(json!({"a2": a2, "sdkappid": APP})).await;
        assert_eq!(refused["ErrorCode"], 70003, "{refused}");
        again.login(&server, "kk_bob").await;
        crate::client::Client::login(&server, "kk_bob", "Web").await;

        // REST: the account must exist; UserID is required.
        server
            .fails(KICK, json!({"UserID": "kk_nobody"}), 70107)
            .await;
        server.fails(KICK, json!({}), 70402).await;
    }
);

on_both_engines!(
    recall_and_edit_reach_the_peer,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut alice = SdkClient::open(&server).await;
        alice.login(&server, "re_alice").await;
        let mut bob = SdkClient::open(&server).await;
        bob.login(&server, "re_bob").await;
        let sent = alice
            .call(
                "openim.sendmsg",
                json!({"From_Account": "re_alice", "To_Account": "re_bob", "MsgSeq": 41, "MsgRandom": 42,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "helo"}}]}),
            )
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (_, push) = bob.next_push().await.unwrap();
        let item = push["EventArray"][0]["C2cMsgArray"][0].clone();
        let message = json!({"From_Account": "re_alice", "To_Account": "re_bob",
            "MsgSeq": item["MsgSeq"], "MsgRandom": 42, "MsgTime": item["MsgTimeStamp"]});

        // Edit: bob gets the new body, under the same message.
        let mut edit = message.clone();
        edit["MsgBody"] = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hello"}}]);
        edit["MsgVersion"] = json!(0);
        let edited = alice.call("openim.modify_c2c_msg", edit.clone()).await;
        assert_eq!(edited["ErrorCode"], 0, "{edited}");
        let (_, push) = bob.next_push().await.unwrap();
        let modified = &push["EventArray"][0]["C2cMsgModNotifys"][0];
        assert_eq!(
            modified["MsgBody"][0]["MsgContent"]["Text"], "hello",
            "{push}"
        );
        assert_eq!(modified["MsgRandom"], 42);
        assert_eq!(modified["MsgSeq"], item["MsgSeq"]);
        assert_eq!(modified["MsgTimeStamp"], item["MsgTimeStamp"]);
        assert_eq!(modified["MsgVersion"], 1, "{push}");
        // The reply is the message as it now is.
        assert_eq!(edited["MsgBody"], edit["MsgBody"], "{edited}");
        assert_eq!(edited["MsgVersion"], 1, "{edited}");
        let roam = bob
            .call(
                "openim.getroammsg",
                json!({"Peer_Account": "re_alice", "MaxCnt": 15}),
            )
            .await;
        assert_eq!(
            roam["MsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
            "hello"
        );
        assert_eq!(roam["MsgList"][0]["MsgVersion"], 1, "{roam}");

        // An edit of a copy older than the stored message (version 0 < 1) is a conflict
        // (20027, the SDK's MSG_MODIFY_CONFLICT) that carries the message as it is; nothing
        // changes.
        let mut stale = message.clone();
        stale["MsgBody"] = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "stale"}}]);
        stale["MsgVersion"] = json!(0);
        let conflict = alice.call("openim.modify_c2c_msg", stale.clone()).await;
        assert_eq!(conflict["ErrorCode"], 20027, "{conflict}");
        assert_eq!(conflict["ActionStatus"], "FAIL", "{conflict}");
        assert_eq!(conflict["MsgBody"], edit["MsgBody"], "{conflict}");
        assert_eq!(conflict["MsgVersion"], 1, "{conflict}");
        // Edited again from the current version: accepted, and version 2 reaches bob.
        stale["MsgVersion"] = json!(1);
        stale["CloudCustomData"] = json!("second");
        let edited = alice.call("openim.modify_c2c_msg", stale).await;
        assert_eq!(edited["ErrorCode"], 0, "{edited}");
        assert_eq!(edited["MsgVersion"], 2, "{edited}");
        let (_, push) = bob.next_push().await.unwrap();
        let modified = &push["EventArray"][0]["C2cMsgModNotifys"][0];
        assert_eq!(modified["MsgVersion"], 2, "{push}");
        assert_eq!(
            modified["MsgBody"][0]["MsgContent"]["Text"], "stale",
            "{push}"
        );
        // Only one's own messages.
        let mut theirs = edit.clone();
        theirs["From_Account"] = json!("re_alice");
        let refused = bob.call("openim.modify_c2c_msg", theirs).await;
        assert_eq!(refused["ErrorCode"], 90008, "{refused}");

        // Recall: bob gets the SDK's revoke notice; history shows it recalled.
        let withdraw_info = json!({"MsgInfo": {"From_Account": "re_alice", "To_Account": "re_bob",
            "MsgSeq": item["MsgSeq"], "MsgRandom": 42, "MsgTimeStamp": item["MsgTimeStamp"]}});
        let refused = bob.call("openim.msgwithdraw", withdraw_info.clone()).await;
        assert_eq!(refused["ErrorCode"], 90008, "{refused}");
        let recalled = alice
            .call("openim.msgwithdraw", withdraw_info.clone())
            .await;
        assert_eq!(recalled["ErrorCode"], 0, "{recalled}");
        let (_, push) = bob.next_push().await.unwrap();
        let info = &push["EventArray"][0]["C2cNotifyMsgArray"][0]["WithdrawC2cMsgNotify"]
            ["C2cWithdrawInfoArray"][0];
        assert_eq!(info["From_Account"], "re_alice", "{push}");
        assert_eq!(info["MsgRandom"], 42);
        assert_eq!(info["MsgSeq"], item["MsgSeq"]);
        let roam = bob
            .call(
                "openim.getroammsg",
                json!({"Peer_Account": "re_alice", "MaxCnt": 15}),
            )
            .await;
        assert_eq!(roam["MsgList"][0]["MsgFlagBits"], 8);
        let again = alice.call("openim.msgwithdraw", withdraw_info).await;
        assert_eq!(again["ErrorCode"], 20023, "{again}");
        let hooks = receiver.wait_for("C2C.CallbackAfterMsgWithDraw", 1).await;
        assert_eq!(hooks[0].query["OptPlatform"], "Web");
        assert_eq!(hooks[0].body["From_Account"], "re_alice");
    }
);
