//! `group_open_http_svc` group messages: sequences and paging, concurrent senders, imports and
//! unread counts, and failed sends, with a webhook receiver (what happens to messages after they
//! are sent: group_message_edits.rs).

use serde_json::{json, Value};

use crate::groups::*;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::receiver::Answer;

const IMPORT_GROUP: &str = "group_open_http_svc/import_group";
const IMPORT_MEMBERS: &str = "group_open_http_svc/import_group_member";
const IMPORT_MSGS: &str = "group_open_http_svc/import_group_msg";
const SET_UNREAD: &str = "group_open_http_svc/set_unread_msg_num";
const DELETE_BY_SENDER: &str = "group_open_http_svc/delete_group_msg_by_sender";

on_both_engines!(
    group_messages_take_sequences_and_page_back,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a", "b"]).await;
        public_group(&server, "chat", "o", &["a", "b"]).await;
        let mut seqs = Vec::new();
        for i in 0..25u32 {
            let from = ["o", "a", "b"][i as usize % 3];
            let sent = server
                .ok(SEND, send_body("chat", from, 1000 + i, &format!("m{i:02}")))
                .await;
            seqs.push(sent["MsgSeq"].as_u64().unwrap());
        }
        assert_eq!(
            seqs,
            (1..=25).collect::<Vec<u64>>(),
            "MsgSeq from 1, no gaps"
        );
        // The same Random from the same sender within five minutes is the same message.
        let again = server
            .ok(SEND, send_body("chat", "o", 1000, "m00 again"))
            .await;
        assert_eq!(again["MsgSeq"], 1);

        let first = server
            .ok(HISTORY, json!({"GroupId": "chat", "ReqMsgNumber": 20}))
            .await;
        let list = first["RspMsgList"].as_array().unwrap();
        assert_eq!(list.len(), 20);
        assert_eq!(list[0]["MsgSeq"], 25, "newest first");
        assert_eq!(list[0]["MsgBody"], text("m24"));
        assert_eq!(list[0]["From_Account"], "o");
        assert_eq!(list[0]["MsgRandom"], 1024);
        assert_eq!(list[0]["MsgPriority"], 2);
        assert_eq!(list[0]["IsPlaceMsg"], 0);
        let oldest = list.last().unwrap()["MsgSeq"].as_u64().unwrap();
        let rest = server
            .ok(
                HISTORY,
                json!({"GroupId": "chat", "ReqMsgNumber": 20, "ReqMsgSeq": oldest - 1}),
            )
            .await;
        let seqs: Vec<u64> = rest["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [5, 4, 3, 2, 1]);
        server
            .fails(
                HISTORY,
                json!({"GroupId": "chat", "ReqMsgNumber": 21}),
                10004,
            )
            .await;

        // Unread counts come from sequences: b sent 8 of the 25, the last at seq 24.
        let joined = server
            .ok(JOINED, json!({"Member_Account": "b", "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum", "MsgSeq"]}}))
            .await;
        assert_eq!(
            joined["GroupIdList"][0]["SelfInfo"],
            json!({"MsgSeq": 24, "UnreadMsgNum": 1})
        );

        let afters = receiver.wait_for("Group.CallbackAfterSendMsg", 25).await;
        assert_eq!(afters[0].body["MsgSeq"], 1);
        assert_eq!(afters[0].body["GroupId"], "chat");
        assert_eq!(afters[0].body["Type"], "Public");
        assert_eq!(afters[0].body["Operator_Account"], ADMIN);
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            25,
            "the repeat reports nothing"
        );

        // Before-callback: deny, drop, rewrite; forbidding skips both callbacks.
        receiver.script([
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "spam"})),
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 2})),
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 0, "MsgBody": text("clean")})),
        ]);
        server
            .fails(SEND, send_body("chat", "a", 2001, "bad"), 10016)
            .await;
        let dropped = server
            .ok(SEND, send_body("chat", "a", 2002, "dropped"))
            .await;
        assert_eq!(dropped["MsgSeq"], 0);
        let rewritten = server.ok(SEND, send_body("chat", "a", 2003, "dirty")).await;
        assert_eq!(rewritten["MsgSeq"], 26);
        let mut quiet = send_body("chat", "a", 2004, "quiet");
        quiet["ForbidCallbackControl"] =
            json!(["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"]);
        assert_eq!(server.ok(SEND, quiet).await["MsgSeq"], 27);
        let newest = server
            .ok(HISTORY, json!({"GroupId": "chat", "ReqMsgNumber": 2}))
            .await;
        assert_eq!(newest["RspMsgList"][1]["MsgBody"], text("clean"));
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            26
        );

        // Online-only messages take no sequence and are not kept.
        let mut online = send_body("chat", "a", 2005, "now only");
        online["OnlineOnlyFlag"] = json!(1);
        assert_eq!(server.ok(SEND, online).await["MsgSeq"], 0);
        assert_eq!(
            server.ok(SEND, send_body("chat", "a", 2006, "kept")).await["MsgSeq"],
            28
        );

        // 40 messages per second per group (a second no earlier send was in).
        server.clock.freeze(server.clock.now_ms() + 5_000);
        let mut refused = 0;
        for i in 0..41u32 {
            let reply = server
                .call(SEND, send_body("chat", "o", 3000 + i, "burst"))
                .await;
            if reply["ErrorCode"] == 10023 {
                refused += 1;
            }
        }
        assert_eq!(refused, 1, "the 41st message of the second is refused");
        // High-priority messages are never refused by the limit; low ones go first.
        let mut high = send_body("chat", "o", 3100, "control");
        high["MsgPriority"] = json!("High");
        server.ok(SEND, high).await;
        server.clock.advance_ms(1_000);
        let mut lowest_refused = 0;
        for i in 0..21u32 {
            let mut body = send_body("chat", "o", 3200 + i, "chatter");
            body["MsgPriority"] = json!("Lowest");
            if server.call(SEND, body).await["ErrorCode"] == 10023 {
                lowest_refused += 1;
            }
        }
        assert_eq!(lowest_refused, 1, "Lowest gets half of the 40");
        server
            .ok(SEND, send_body("chat", "o", 3300, "normal still goes"))
            .await;
        server.clock.advance_ms(1_000);

        server
            .fails(SEND, send_body("nope", "a", 1, "x"), 10010)
            .await;
        server
            .fails(SEND, send_body("chat", "ghost", 1, "x"), 10019)
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "chat", "Random": 1, "MsgBody": []}),
                10004,
            )
            .await;
        server.fails(SEND, json!({"GroupId": "chat", "Random": 1, "MsgBody": text("x"), "MsgPriority": "Urgent"}), 10004).await;
    }
);

on_both_engines!(
    concurrent_senders_get_every_sequence_once,
    |server: TestServer| async move {
        let senders: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
        let mut ids: Vec<&str> = senders.iter().map(String::as_str).collect();
        ids.push("owner");
        import(&server, &ids).await;
        public_group(&server, "busy", "owner", &ids[..20]).await;
        // 20 senders × 2 messages: within the 40 per second.
        let calls = (0..40u32).map(|i| {
            let from = senders[i as usize % 20].clone();
            let server = &server;
            async move {
                server.ok(SEND, send_body("busy", &from, i, "hi")).await["MsgSeq"]
                    .as_u64()
                    .unwrap()
            }
        });
        let mut seqs = futures::future::join_all(calls).await;
        seqs.sort();
        assert_eq!(
            seqs,
            (1..=40).collect::<Vec<u64>>(),
            "1..N, no gap, no repeat"
        );
        let mut stored = Vec::new();
        let mut next: Option<u64> = None;
        loop {
            let mut body = json!({"GroupId": "busy", "ReqMsgNumber": 20});
            if let Some(n) = next {
                body["ReqMsgSeq"] = json!(n);
            }
            let page = server.ok(HISTORY, body).await;
            let list = page["RspMsgList"].as_array().unwrap();
            if list.is_empty() {
                break;
            }
            stored.extend(list.iter().map(|m| m["MsgSeq"].as_u64().unwrap()));
            let oldest = *stored.last().unwrap();
            if oldest == 1 {
                break;
            }
            next = Some(oldest - 1);
        }
        assert_eq!(stored, (1..=40).rev().collect::<Vec<u64>>());
    }
);

on_both_engines!(
    imports_unread_counts_and_deletions,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["o", "a", "b"]).await;
        let now = server.clock.now_secs();
        let created = server
            .ok(IMPORT_GROUP, json!({"Type": "Public", "Name": "old", "GroupId": "old", "Owner_Account": "o", "CreateTime": now - 1000}))
            .await;
        assert_eq!(created["GroupId"], "old");
        server
            .fails(
                IMPORT_GROUP,
                json!({"Type": "AVChatRoom", "Name": "live"}),
                10007,
            )
            .await;
        let members = server
            .ok(
                IMPORT_MEMBERS,
                json!({"GroupId": "old", "MemberList": [
                {"Member_Account": "a", "Role": "Admin", "JoinTime": now - 900},
                {"Member_Account": "o"}, {"Member_Account": "ghost"}]}),
            )
            .await;
        assert_eq!(
            members["MemberList"],
            json!([
                {"Member_Account": "a", "Result": 1},
                {"Member_Account": "o", "Result": 2},
                {"Member_Account": "ghost", "Result": 0}
            ])
        );
        let msg = |from: &str, t: i64, r: u32| json!({"From_Account": from, "SendTime": t, "Random": r, "MsgBody": text(&format!("{from}@{t}"))});
        let imported = server
            .ok(IMPORT_MSGS, json!({"GroupId": "old", "MsgList": [
                msg("o", now - 800, 1), msg("a", now - 700, 2), msg("a", now - 750, 3), msg("o", now + 60, 4)]}))
            .await;
        let results: Vec<(u64, u64)> = imported["ImportMsgResult"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["MsgSeq"].as_u64().unwrap(), r["Result"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            results,
            [(1, 0), (2, 0), (0, 10004), (0, 10004)],
            "out of order or in the future: 10004"
        );
        let info = server.ok(INFO, json!({"GroupIdList": ["old"], "ResponseFilter": {"GroupBaseInfoFilter": ["CreateTime", "NextMsgSeq", "MemberNum"]}})).await;
        assert_eq!(info["GroupInfo"][0]["CreateTime"], now - 1000);
        assert_eq!(info["GroupInfo"][0]["NextMsgSeq"], 3);
        assert_eq!(info["GroupInfo"][0]["MemberNum"], 2);
        let too_many: Vec<Value> = (0..8)
            .map(|i| msg("o", now - 100 + i, 10 + i as u32))
            .collect();
        server
            .fails(
                IMPORT_MSGS,
                json!({"GroupId": "old", "MsgList": too_many}),
                10004,
            )
            .await;

        // Imported messages count as read; set_unread_msg_num moves a member's position.
        assert_eq!(unread_of(&server, "a").await, 0);
        server
            .ok(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "a", "UnreadMsgNum": 1}),
            )
            .await;
        assert_eq!(unread_of(&server, "a").await, 1);
        server
            .ok(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "a", "UnreadMsgNum": 50}),
            )
            .await;
        assert_eq!(
            unread_of(&server, "a").await,
            2,
            "at most what the group holds"
        );
        server
            .fails(
                SET_UNREAD,
                json!({"GroupId": "old", "Member_Account": "b", "UnreadMsgNum": 1}),
                10004,
            )
            .await;

        // Deleting a sender's messages leaves placeholders.
        server.ok(SEND, send_body("old", "o", 5, "live one")).await;
        server
            .ok(
                DELETE_BY_SENDER,
                json!({"GroupId": "old", "Sender_Account": "a"}),
            )
            .await;
        let history = server
            .ok(HISTORY, json!({"GroupId": "old", "ReqMsgNumber": 10}))
            .await;
        let list = history["RspMsgList"].as_array().unwrap();
        let shapes: Vec<(u64, u64)> = list
            .iter()
            .map(|m| {
                (
                    m["MsgSeq"].as_u64().unwrap(),
                    m["IsPlaceMsg"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(shapes, [(3, 0), (2, 1), (1, 0)]);
        assert_eq!(list[1]["MsgBody"], json!([]));
        assert_eq!(list[2]["MsgBody"], text(&format!("o@{}", now - 800)));

        server.ok(CREATE, json!({"Type": "ChatRoom", "Name": "meet", "GroupId": "meet", "Owner_Account": "o"})).await;
        server
            .fails(
                SET_UNREAD,
                json!({"GroupId": "meet", "Member_Account": "o", "UnreadMsgNum": 1}),
                10007,
            )
            .await;
        // Imports report nothing.
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterCreateGroup")
                .await,
            1
        );
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterNewMemberJoin")
                .await,
            0
        );
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterSendMsg")
                .await,
            1
        );
    }
);

async fn unread_of(server: &TestServer, who: &str) -> Value {
    let body =
        json!({"Member_Account": who, "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum"]}});
    server.ok(JOINED, body).await["GroupIdList"][0]["SelfInfo"]["UnreadMsgNum"].clone()
}
on_both_engines!(
    failed_sends_are_reported_as_exceptions,
    |server: TestServer| async move {
        const EXCEPTION: &str = "Group.CallbackSendMsgException";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        receiver
            .settled_count(&server, "Group.CallbackAfterCreateGroup")
            .await;
        // The app's own refusal is not an exception.
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "no"}),
        )]);
        server
            .fails(SEND, send_body("g", "boss", 1, "denied"), 10016)
            .await;
        server
            .ok(
                "group_open_http_svc/forbid_send_msg",
                json!({"GroupId": "g", "Members_Account": ["ann"], "MuteTime": 100}),
            )
            .await;
        let mut body = send_body("g", "ann", 77, "muted");
        body["CloudCustomData"] = "ccd".into();
        server.fails(SEND, body, 10017).await;
        let got = receiver.wait_for(EXCEPTION, 1).await;
        let report = got[0].body.as_object().unwrap();
        assert_eq!(report["GroupId"], "g");
        assert_eq!(report["Type"], "Public");
        assert_eq!(report["From_Account"], "ann");
        assert_eq!(report["Operator_Account"], ADMIN);
        assert_eq!(report["Random"], 77);
        assert_eq!(report["OnlineOnlyFlag"], 0);
        assert_eq!(report["MsgBody"], text("muted"));
        assert_eq!(report["CloudCustomData"], "ccd");
        assert_eq!(report["ErrorCode"], 10017);
        assert!(!report["ErrorInfo"].as_str().unwrap().is_empty());
        assert!(report["EventTime"].as_u64().unwrap() > 0);
        assert!(!report.contains_key("TopicId"));
        assert_eq!(got[0].query["OptPlatform"], "RESTAPI");
        assert_eq!(receiver.settled_count(&server, EXCEPTION).await, 1);
        // A group that does not exist has no type to report: no exception.
        server
            .fails(SEND, send_body("nope", "boss", 2, "x"), 10010)
            .await;
        assert_eq!(receiver.settled_count(&server, EXCEPTION).await, 1);
    }
);
