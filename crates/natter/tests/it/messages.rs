//! `openim`: sendmsg and admin_getroammsg, with the C2C send callbacks.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::receiver::Answer;

pub(crate) const SEND: &str = "openim/sendmsg";
const ROAM: &str = "openim/admin_getroammsg";

pub(crate) fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

/// A send whose MsgSeq is its MsgRandom, so messages of one second have a known order.
pub(crate) fn send_body(from: &str, to: &str, random: u32, t: &str) -> Value {
    json!({"SyncOtherMachine": 1, "From_Account": from, "To_Account": to, "MsgSeq": random, "MsgRandom": random, "MsgBody": text(t)})
}

pub(crate) async fn import(server: &TestServer, ids: &[&str]) {
    server
        .ok(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ids}),
        )
        .await;
}

/// One history page; `after` is the previous page, whose LastMsgTime and LastMsgKey continue it
/// (Tencent's documented procedure).
pub(crate) async fn history(
    server: &TestServer,
    operator: &str,
    peer: &str,
    max: u32,
    after: Option<&Value>,
) -> Value {
    let mut body = json!({"Operator_Account": operator, "Peer_Account": peer, "MaxCnt": max, "MinTime": 0, "MaxTime": 4_000_000_000u64});
    if let Some(previous) = after {
        body["MaxTime"] = previous["LastMsgTime"].clone();
        body["LastMsgKey"] = previous["LastMsgKey"].clone();
    }
    server.ok(ROAM, body).await
}

pub(crate) fn texts(reply: &Value) -> Vec<String> {
    reply["MsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["MsgBody"][0]["MsgContent"]["Text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

on_both_engines!(send_and_read_back, |server: TestServer| async move {
    import(&server, &["alice", "bob"]).await;
    let before = server.clock.now_secs();
    let mut body = send_body("alice", "bob", 1234, "hello");
    body["MsgSeq"] = 77.into();
    body["CloudCustomData"] = "ccd".into();
    let reply = server.ok(SEND, body).await;
    let time = reply["MsgTime"].as_i64().unwrap();
    assert!(time >= before && time <= server.clock.now_secs());
    assert_eq!(reply["MsgKey"], format!("77_1234_{time}"));
    assert!(
        reply["MsgId"]
            .as_str()
            .unwrap()
            .ends_with(&format!("-{time}-1234")),
        "{reply}"
    );
    assert!(
        reply.get("ErrorDisplay").is_none(),
        "openim replies have no ErrorDisplay"
    );

    for (operator, peer) in [("alice", "bob"), ("bob", "alice")] {
        let page = history(&server, operator, peer, 10, None).await;
        assert_eq!(page["Complete"], 1);
        assert_eq!(page["MsgCnt"], 1);
        assert_eq!(page["LastMsgTime"], time);
        assert_eq!(page["LastMsgKey"], reply["MsgKey"]);
        let m = &page["MsgList"][0];
        assert_eq!(m["From_Account"], "alice");
        assert_eq!(m["To_Account"], "bob");
        assert_eq!(m["MsgSeq"], 77);
        assert_eq!(m["MsgRandom"], 1234);
        assert_eq!(m["MsgTimeStamp"], time);
        assert_eq!(m["MsgFlagBits"], 0);
        assert_eq!(m["IsPeerRead"], 0);
        assert_eq!(m["MsgKey"], reply["MsgKey"]);
        assert_eq!(m["MsgBody"], text("hello"));
        assert_eq!(m["CloudCustomData"], "ccd");
    }
    // Without From_Account the admin is the sender.
    server
        .ok(
            SEND,
            json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": text("from admin")}),
        )
        .await;
    let page = history(&server, ADMIN, "bob", 10, None).await;
    assert_eq!(texts(&page), ["from admin"]);
    // The old field names of admin_getroammsg.
    let old = server
        .ok(ROAM, json!({"From_Account": "bob", "To_Account": "alice", "MaxCnt": 5, "MinTime": 0, "MaxTime": 4_000_000_000u64}))
        .await;
    assert_eq!(texts(&old), ["hello"]);
});

on_both_engines!(
    bad_sends_get_tencents_codes,
    |server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        let custom = json!({"MsgType": "TIMCustomElem", "MsgContent": {"Data": "d"}});
        let cases = [
            (
                "no To_Account",
                json!({"MsgRandom": 1, "MsgBody": text("x")}),
                90003,
            ),
            (
                "To_Account not a string",
                json!({"To_Account": 5, "MsgRandom": 1, "MsgBody": text("x")}),
                90003,
            ),
            (
                "no MsgRandom",
                json!({"To_Account": "b", "MsgBody": text("x")}),
                90005,
            ),
            (
                "MsgRandom not an integer",
                json!({"To_Account": "b", "MsgRandom": "1", "MsgBody": text("x")}),
                90005,
            ),
            (
                "MsgRandom over 32 bits",
                json!({"To_Account": "b", "MsgRandom": 4_294_967_296u64, "MsgBody": text("x")}),
                90005,
            ),
            (
                "MsgBody not an array",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": {"MsgType": "TIMTextElem"}}),
                90007,
            ),
            (
                "no MsgBody",
                json!({"To_Account": "b", "MsgRandom": 1}),
                90007,
            ),
            (
                "empty MsgBody",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": []}),
                90002,
            ),
            (
                "unknown element",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMNope", "MsgContent": {}}]}),
                90002,
            ),
            (
                "text without Text",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {}}]}),
                90002,
            ),
            (
                "two custom elements",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": [custom.clone(), custom]}),
                90002,
            ),
            (
                "over 12 KB",
                json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": text(&"x".repeat(12 * 1024))}),
                93000,
            ),
            (
                "recipient not imported",
                json!({"To_Account": "ghost", "MsgRandom": 1, "MsgBody": text("x")}),
                90012,
            ),
            (
                "sender not imported",
                json!({"From_Account": "ghost", "To_Account": "b", "MsgRandom": 1, "MsgBody": text("x")}),
                90008,
            ),
            (
                "MsgLifeTime over 7 days",
                json!({"MsgLifeTime": 604_801, "To_Account": "b", "MsgRandom": 1, "MsgBody": text("x")}),
                90026,
            ),
            (
                "SyncOtherMachine not an integer",
                json!({"SyncOtherMachine": "1", "To_Account": "b", "MsgRandom": 1, "MsgBody": text("x")}),
                90031,
            ),
            (
                "MsgLifeTime not an integer",
                json!({"MsgLifeTime": "1", "To_Account": "b", "MsgRandom": 1, "MsgBody": text("x")}),
                90044,
            ),
            (
                "MsgTimeStamp not an integer",
                json!({"MsgTimeStamp": "1", "To_Account": "b", "MsgRandom": 1, "MsgBody": text("x")}),
                90006,
            ),
        ];
        for (what, body, code) in cases {
            let reply = server.call(SEND, body).await;
            assert_eq!(reply["ErrorCode"], code, "{what}: {reply}");
            assert_eq!(reply["ActionStatus"], "FAIL", "{what}");
        }
        assert_eq!(
            history(&server, "a", "b", 10, None).await["MsgCnt"],
            0,
            "nothing was stored"
        );
        let bad_key = json!({"Operator_Account": "a", "Peer_Account": "b", "MaxCnt": 5, "MinTime": 0, "MaxTime": 10, "LastMsgKey": "nope"});
        server.fails(ROAM, bad_key, 90001).await;
        server.fails(ROAM, json!({"Operator_Account": "a", "Peer_Account": "ghost", "MaxCnt": 5, "MinTime": 0, "MaxTime": 10}), 90003).await;
        server.fails(ROAM, json!({"Operator_Account": "ghost", "Peer_Account": "a", "MaxCnt": 5, "MinTime": 0, "MaxTime": 10}), 90008).await;
        server
            .fails(
                ROAM,
                json!({"Operator_Account": "a", "Peer_Account": "b", "MinTime": 0, "MaxTime": 10}),
                90001,
            )
            .await;
    }
);

on_both_engines!(
    sync_lifetime_and_duplicates,
    |server: TestServer| async move {
        import(&server, &["s", "r"]).await;
        server.clock.freeze(server.clock.now_ms());
        let mut hidden = send_body("s", "r", 1, "not in sender history");
        hidden["SyncOtherMachine"] = 2.into();
        hidden["MsgSeq"] = 1.into();
        server.ok(SEND, hidden).await;
        let mut online = send_body("s", "r", 2, "online only");
        online["MsgLifeTime"] = 0.into();
        server.ok(SEND, online).await;
        let mut first = send_body("s", "r", 3, "once");
        first["MsgSeq"] = 9.into();
        let a = server.ok(SEND, first.clone()).await;
        let b = server.ok(SEND, first).await;
        assert_eq!(
            a["MsgKey"], b["MsgKey"],
            "the same message again answers the same key"
        );
        assert_eq!(texts(&history(&server, "s", "r", 10, None).await), ["once"]);
        assert_eq!(
            texts(&history(&server, "r", "s", 10, None).await),
            ["not in sender history", "once"]
        );
    }
);

on_both_engines!(
    history_pages_walk_back_in_time,
    |server: TestServer| async move {
        import(&server, &["p", "q"]).await;
        let start = server.clock.now_ms();
        server.clock.freeze(start);
        for i in 0..25 {
            // Two per second, so same-second messages are ordered by MsgSeq.
            if i % 2 == 0 {
                server.clock.advance_ms(1_000);
            }
            let (from, to) = if i % 3 == 0 { ("q", "p") } else { ("p", "q") };
            let body = send_body(from, to, 1000 + i, &format!("m{i:02}"));
            server.ok(SEND, body).await;
        }
        let mut pages: Vec<Value> = Vec::new();
        loop {
            let page = history(&server, "p", "q", 10, pages.last()).await;
            // Each page lists oldest first and names its oldest message as the place to continue.
            assert_eq!(page["LastMsgKey"], page["MsgList"][0]["MsgKey"]);
            assert_eq!(page["LastMsgTime"], page["MsgList"][0]["MsgTimeStamp"]);
            let complete = page["Complete"] == 1;
            pages.push(page);
            if complete {
                break;
            }
            assert_eq!(pages.last().unwrap()["MsgCnt"], 10);
            assert!(pages.len() < 5);
        }
        assert_eq!(pages.len(), 3);
        let seen: Vec<String> = pages.iter().rev().flat_map(texts).collect();
        let expected: Vec<String> = (0..25).map(|i| format!("m{i:02}")).collect();
        assert_eq!(
            seen, expected,
            "every message once; pages walk back in time"
        );
        // MinTime/MaxTime select whole seconds, inclusive.
        let second = start / 1000 + 2;
        let page = server
        .ok(ROAM, json!({"Operator_Account": "q", "Peer_Account": "p", "MaxCnt": 10, "MinTime": second, "MaxTime": second}))
        .await;
        assert_eq!(texts(&page), ["m02", "m03"]);
    }
);

on_both_engines!(
    send_callbacks_decide_and_report,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["x", "y"]).await;
        let answer = |code: i64, info: &str| {
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": code, "ErrorInfo": info}))
        };
        receiver.script([
        answer(1, "blocked"),
        answer(2, ""),
        answer(120_005, "custom refusal"),
        Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 0, "MsgBody": text("rewritten"), "CloudCustomData": "new ccd"})),
    ]);
        server
            .fails(SEND, send_body("x", "y", 1, "denied"), 20006)
            .await;
        server.ok(SEND, send_body("x", "y", 2, "discarded")).await;
        let custom = server
            .fails(SEND, send_body("x", "y", 3, "custom"), 120_005)
            .await;
        assert_eq!(custom["ErrorInfo"], "custom refusal");
        server.ok(SEND, send_body("x", "y", 4, "original")).await;
        let mut quiet = send_body("x", "y", 5, "no callbacks");
        quiet["ForbidCallbackControl"] =
            json!(["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"]);
        server.ok(SEND, quiet).await;
        server.ok(SEND, send_body("y", "x", 6, "reply")).await;

        assert_eq!(
            texts(&history(&server, "x", "y", 10, None).await),
            ["rewritten", "no callbacks", "reply"]
        );
        let befores = receiver.wait_for("C2C.CallbackBeforeSendMsg", 5).await;
        let first = &befores[0].body;
        assert_eq!(first["From_Account"], "x");
        assert_eq!(first["MsgBody"], text("denied"));
        assert_eq!(befores[0].query["OptPlatform"], "RESTAPI");
        let afters = receiver.wait_for("C2C.CallbackAfterSendMsg", 2).await;
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackAfterSendMsg")
                .await,
            2,
            "denied, discarded, refused and forbidden sends report nothing"
        );
        let after = &afters[0].body;
        assert_eq!(
            after["MsgBody"],
            text("rewritten"),
            "the after-callback carries the rewritten body"
        );
        assert_eq!(after["CloudCustomData"], "new ccd");
        assert_eq!(after["SendMsgResult"], 0);
        assert_eq!(after["ErrorInfo"], "send msg succeed");
        assert_eq!(
            after["UnreadMsgNum"], 1,
            "y's unread: the rewritten one (the forbidden send came later)"
        );
        assert_eq!(
            after["MsgKey"],
            format!("{}_{}_{}", after["MsgSeq"], 4, after["MsgTime"])
        );
        assert_eq!(afters[1].body["From_Account"], "y");
        assert_eq!(afters[1].body["UnreadMsgNum"], 1, "x's unread");
    }
);

on_both_engines!(
    history_pages_stop_near_13_kb,
    |server: TestServer| async move {
        import(&server, &["big", "peer"]).await;
        for i in 0..4 {
            // About 4 KB each: three fit in a 13 KB page, the fourth does not.
            server
                .ok(
                    SEND,
                    send_body("big", "peer", i, &format!("{i}{}", "z".repeat(4_000))),
                )
                .await;
        }
        let first = history(&server, "big", "peer", 100, None).await;
        assert_eq!(first["Complete"], 0, "the page is full before MaxCnt");
        assert_eq!(first["MsgCnt"], 3);
        let second = history(&server, "big", "peer", 100, Some(&first)).await;
        assert_eq!(second["Complete"], 1);
        assert_eq!(second["MsgCnt"], 1);
    }
);

pub(crate) async fn unread(server: &TestServer, owner: &str, peers: &[&str]) -> Value {
    server
        .ok(
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": owner, "Peer_Account": peers}),
        )
        .await
}

on_both_engines!(
    unread_counts_read_marks_and_recalls,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["u", "v", "w"]).await;
        server.clock.freeze(server.clock.now_ms());
        let mut keys = Vec::new();
        for i in 1..=3 {
            keys.push(
                server
                    .ok(SEND, send_body("v", "u", i, &format!("v{i}")))
                    .await["MsgKey"]
                    .clone(),
            );
        }
        server.ok(SEND, send_body("w", "u", 4, "w1")).await;
        let mut quiet = send_body("w", "u", 5, "not counted");
        quiet["SendMsgControl"] = json!(["NoUnread"]);
        server.ok(SEND, quiet).await;

        let total = server
            .ok("openim/get_c2c_unread_msg_num", json!({"To_Account": "u"}))
            .await;
        assert_eq!(total["AllC2CUnreadMsgNum"], 4);
        let each = unread(&server, "u", &["v", "w", "ghost"]).await;
        assert_eq!(
            each["C2CUnreadMsgNumList"],
            json!([{"Peer_Account": "v", "C2CUnreadMsgNum": 3}, {"Peer_Account": "w", "C2CUnreadMsgNum": 1}])
        );
        assert_eq!(
            each["ErrorList"],
            json!([{"Peer_Account": "ghost", "ErrorCode": 70107}])
        );
        let eleven: Vec<String> = (0..11).map(|i| format!("p{i}")).collect();
        server
            .fails(
                "openim/get_c2c_unread_msg_num",
                json!({"To_Account": "u", "Peer_Account": eleven}),
                90001,
            )
            .await;
        server
            .fails("openim/get_c2c_unread_msg_num", json!({}), 90003)
            .await;
        server
            .fails(
                "openim/get_c2c_unread_msg_num",
                json!({"To_Account": "ghost"}),
                90003,
            )
            .await;

        // Recall one unread message: it stays in history, flagged, and stops counting.
        let recall = |key: &Value| json!({"From_Account": "v", "To_Account": "u", "MsgKey": key});
        server
            .ok("openim/admin_msgwithdraw", recall(&keys[2]))
            .await;
        server
            .fails("openim/admin_msgwithdraw", recall(&keys[2]), 20023)
            .await;
        server
            .fails("openim/admin_msgwithdraw", recall(&json!("1_2_3")), 20022)
            .await;
        server
            .fails(
                "openim/admin_msgwithdraw",
                recall(&json!("not-a-key")),
                90054,
            )
            .await;
        server
            .fails(
                "openim/admin_msgwithdraw",
                json!({"From_Account": "ghost", "To_Account": "u", "MsgKey": keys[0]}),
                90008,
            )
            .await;
        let page = history(&server, "u", "v", 10, None).await;
        let flags: Vec<&Value> = page["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["MsgFlagBits"])
            .collect();
        assert_eq!(flags, [&json!(0), &json!(0), &json!(8)]);
        assert_eq!(
            unread(&server, "u", &["v"]).await["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"],
            2
        );
        let withdraw = receiver
            .wait_for("C2C.CallbackAfterMsgWithDraw", 1)
            .await
            .remove(0)
            .body;
        assert_eq!(
            withdraw.as_object().unwrap().keys().collect::<Vec<_>>(),
            [
                "CallbackCommand",
                "From_Account",
                "To_Account",
                "MsgKey",
                "UnreadMsgNum",
                "EventTime"
            ]
        );
        assert_eq!(withdraw["MsgKey"], keys[2]);
        assert_eq!(withdraw["UnreadMsgNum"], 3, "u's total after the recall");

        // u reads the conversation with v: unread drops, v's history shows IsPeerRead.
        assert_eq!(
            history(&server, "v", "u", 10, None).await["MsgList"][0]["IsPeerRead"],
            0
        );
        server
            .ok(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "u", "Peer_Account": "v"}),
            )
            .await;
        let after = unread(&server, "u", &["v", "w"]).await;
        assert_eq!(after["AllC2CUnreadMsgNum"], 1);
        assert_eq!(after["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"], 0);
        let seen_by_v = history(&server, "v", "u", 10, None).await;
        assert!(
            seen_by_v["MsgList"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["IsPeerRead"] == 1),
            "{seen_by_v}"
        );
        let report = receiver
            .wait_for("C2C.CallbackAfterMsgReport", 1)
            .await
            .remove(0)
            .body;
        assert_eq!(report["Report_Account"], "u");
        assert_eq!(report["Peer_Account"], "v");
        assert_eq!(report["LastReadTime"], server.clock.now_secs());
        assert_eq!(report["UnreadMsgNum"], 1);
        // A read time given as a string, in the past: nothing newer is marked.
        server.clock.advance_ms(5_000);
        server.ok(SEND, send_body("w", "u", 6, "w2")).await;
        let earlier = (server.clock.now_secs() - 3).to_string();
        server
            .ok(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "u", "Peer_Account": "w", "MsgReadTime": earlier}),
            )
            .await;
        assert_eq!(
            unread(&server, "u", &["w"]).await["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"],
            1
        );
        server
            .fails(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "ghost", "Peer_Account": "w"}),
                90008,
            )
            .await;
        server
            .fails(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "u", "Peer_Account": "ghost"}),
                90003,
            )
            .await;
        server
            .fails(
                "openim/admin_set_msg_read",
                json!({"Report_Account": "u", "Peer_Account": "w", "MsgReadTime": "soon"}),
                90001,
            )
            .await;
    }
);

on_both_engines!(
    batch_send_fires_no_callbacks,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "e1", "e2"]).await;
        let body = json!({"From_Account": "boss", "To_Account": ["e1", "ghost", "e2", "e1"], "MsgRandom": 7, "MsgSeq": 70, "MsgBody": text("all hands")});
        let reply = server.ok("openim/batchsendmsg", body).await;
        let time = server.clock.now_secs();
        let key = reply["MsgKey"].as_str().unwrap();
        assert!(key.starts_with("70_7_"), "{reply}");
        assert!((key.rsplit('_').next().unwrap().parse::<i64>().unwrap() - time).abs() <= 1);
        assert_eq!(
            reply["ErrorList"],
            json!([{"To_Account": "ghost", "ErrorCode": 90012}])
        );
        for employee in ["e1", "e2"] {
            let page = history(&server, employee, "boss", 10, None).await;
            assert_eq!(
                texts(&page),
                ["all hands"],
                "{employee}: one copy, even when named twice"
            );
            assert_eq!(page["MsgList"][0]["MsgKey"], reply["MsgKey"]);
        }
        assert_eq!(
            unread(&server, "e1", &["boss"]).await["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"],
            1
        );
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackBeforeSendMsg")
                .await,
            0,
            "batch sends fire nothing"
        );
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackAfterSendMsg")
                .await,
            0
        );

        let all_ok = server
            .ok(
                "openim/batchsendmsg",
                json!({"To_Account": ["e1"], "MsgRandom": 8, "MsgBody": text("x")}),
            )
            .await;
        assert!(
            all_ok.get("ErrorList").is_none(),
            "ErrorList only when something failed"
        );
        let too_many: Vec<String> = (0..501).map(|i| format!("r{i}")).collect();
        server
            .fails(
                "openim/batchsendmsg",
                json!({"To_Account": too_many, "MsgRandom": 1, "MsgBody": text("x")}),
                90011,
            )
            .await;
        server
            .fails(
                "openim/batchsendmsg",
                json!({"To_Account": [], "MsgRandom": 1, "MsgBody": text("x")}),
                90029,
            )
            .await;
        server
            .fails(
                "openim/batchsendmsg",
                json!({"To_Account": "e1", "MsgRandom": 1, "MsgBody": text("x")}),
                90028,
            )
            .await;
        server
            .fails(
                "openim/batchsendmsg",
                json!({"To_Account": ["e1"], "MsgBody": text("x")}),
                90005,
            )
            .await;
        server.fails("openim/batchsendmsg", json!({"From_Account": "ghost", "To_Account": ["e1"], "MsgRandom": 1, "MsgBody": text("x")}), 90008).await;
    }
);

on_both_engines!(
    concurrent_senders_agree_with_history_and_unread,
    |server: TestServer| async move {
        let users = ["c0", "c1", "c2", "c3"];
        import(&server, &users).await;
        let server = std::sync::Arc::new(server);
        let mut tasks = Vec::new();
        for task in 0..8u32 {
            let server = server.clone();
            tasks.push(tokio::spawn(async move {
                let mut sent = Vec::new();
                for i in 0..25u32 {
                    let from = users[((task + i) % 4) as usize];
                    let to = users[((task + i + 1 + i % 3) % 4) as usize];
                    let random = task * 1000 + i;
                    server
                        .ok(
                            SEND,
                            send_body(from, to, random, &format!("{from}>{to}#{random}")),
                        )
                        .await;
                    sent.push((from, to, random));
                }
                sent
            }));
        }
        let mut sent = Vec::new();
        for task in tasks {
            sent.extend(task.await.unwrap());
        }
        assert_eq!(sent.len(), 200);
        for (i, a) in users.iter().enumerate() {
            for b in &users[i + 1..] {
                let expected = sent
                    .iter()
                    .filter(|(f, t, _)| (f == a && t == b) || (f == b && t == a))
                    .count();
                let mut pages: Vec<Value> = Vec::new();
                while pages.last().is_none_or(|p| p["Complete"] == 0) {
                    pages.push(history(&server, a, b, 100, pages.last()).await);
                }
                let listed: Vec<&Value> = pages
                    .iter()
                    .flat_map(|p| p["MsgList"].as_array().unwrap())
                    .collect();
                assert_eq!(listed.len(), expected, "{a}<->{b}");
                let mut randoms: Vec<u64> = listed
                    .iter()
                    .map(|m| m["MsgRandom"].as_u64().unwrap())
                    .collect();
                randoms.sort_unstable();
                randoms.dedup();
                assert_eq!(
                    randoms.len(),
                    expected,
                    "{a}<->{b}: no message lost or doubled"
                );
            }
            // The conversation list names every peer `a` exchanged messages with, at the time
            // of their newest message.
            let list = server
                .ok(
                    "recentcontact/get_list",
                    json!({"From_Account": a, "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}),
                )
                .await;
            assert_eq!(list["CompleteFlag"], 1);
            let mut listed: Vec<(String, i64)> = list["SessionItem"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["To_Account"].as_str().unwrap().to_owned(),
                        c["MsgTime"].as_i64().unwrap(),
                    )
                })
                .collect();
            listed.sort();
            let mut expected = Vec::new();
            for b in users.iter().filter(|b| *b != a) {
                if sent
                    .iter()
                    .any(|(f, t, _)| (f == a && t == b) || (f == b && t == a))
                {
                    let newest = history(&server, a, b, 1, None).await;
                    expected.push((
                        b.to_string(),
                        newest["MsgList"][0]["MsgTimeStamp"].as_i64().unwrap(),
                    ));
                }
            }
            assert_eq!(listed, expected, "{a}'s conversation list");
            let received = sent.iter().filter(|(_, t, _)| t == a).count();
            let unread = server
                .ok("openim/get_c2c_unread_msg_num", json!({"To_Account": a}))
                .await;
            assert_eq!(
                unread["AllC2CUnreadMsgNum"], received,
                "{a}'s unread equals what it received"
            );
        }
    }
);
