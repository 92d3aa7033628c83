//! `group_open_http_svc` group messages after they are sent: edits of history, message
//! extensions, read receipts, and mentions in the after-send callback.

use serde_json::{json, Value};

use crate::client::Client;
use crate::groups::*;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

on_both_engines!(
    group_history_can_be_modified,
    |server: TestServer| async move {
        const MODIFY_MSG: &str = "openim/modify_group_msg";
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        server.ok(SEND, send_body("g", "ann", 1, "first")).await;
        server.ok(SEND, send_body("g", "ann", 2, "second")).await;
        server
            .ok(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "MsgBody": text("edited"),
                    "CloudCustomData": "cd"}),
            )
            .await;
        server
            .ok(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 2, "CloudCustomData": "only data"}),
            )
            .await;
        let page = server
            .ok(HISTORY, json!({"GroupId": "g", "ReqMsgNumber": 20}))
            .await;
        let list = page["RspMsgList"].as_array().unwrap();
        assert_eq!(list[1]["MsgBody"], text("edited"));
        assert_eq!(list[1]["CloudCustomData"], "cd");
        assert_eq!(list[1]["From_Account"], "ann", "sender and time stay");
        assert_eq!(list[0]["MsgBody"], text("second"), "body kept");
        assert_eq!(list[0]["CloudCustomData"], "only data");

        server
            .fails(MODIFY_MSG, json!({"GroupId": "g", "MsgSeq": 1}), 90001)
            .await;
        server
            .fails(MODIFY_MSG, json!({"GroupId": "g", "MsgSeq": "x"}), 90001)
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "MsgBody": "not an array"}),
                90007,
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 9, "CloudCustomData": "x"}),
                10030,
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "nope", "MsgSeq": 1, "CloudCustomData": "x"}),
                10010,
            )
            .await;
        server
            .ok(
                "group_open_http_svc/group_msg_recall",
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        server
            .fails(
                MODIFY_MSG,
                json!({"GroupId": "g", "MsgSeq": 1, "CloudCustomData": "x"}),
                10032,
            )
            .await;
    }
);

on_both_engines!(
    group_message_extensions_are_versioned,
    |server: TestServer| async move {
        const GET_EXT: &str = "openim_msg_ext_http_svc/group_get_key_values";
        const SET_EXT: &str = "openim_msg_ext_http_svc/group_set_key_values";
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        let mut with_ext = send_body("g", "ann", 1, "vote");
        with_ext["SupportMessageExtension"] = 1.into();
        server.ok(SEND, with_ext).await;
        server.ok(SEND, send_body("g", "ann", 2, "plain")).await;
        let set = |op: u32, list: Value| json!({"GroupId": "g", "MsgSeq": 1, "OperateType": op, "ExtensionList": list});
        let kv = |k: &str, v: &str| json!({"Key": k, "Value": v, "Seq": 0});

        let first = server
            .ok(SET_EXT, set(1, json!([kv("k1", "v1"), kv("k2", "v2")])))
            .await;
        assert_eq!(
            first["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "k1", "Value": "v1", "Seq": 1}},
                   {"ErrorCode": 0, "Extension": {"Key": "k2", "Value": "v2", "Seq": 1}}])
        );
        server.ok(SET_EXT, set(1, json!([kv("k1", "v1b")]))).await;
        let all = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1}))
            .await;
        assert_eq!(all["LatestSeq"], 2);
        assert_eq!(all["ClearSeq"], 0);
        assert_eq!(all["CompleteFlag"], 1);
        assert_eq!(
            all["ExtensionList"],
            json!([{"Key": "k2", "Value": "v2", "Seq": 1}, {"Key": "k1", "Value": "v1b", "Seq": 2}])
        );
        let newer = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1, "StartSeq": 2}))
            .await;
        assert_eq!(newer["ExtensionList"].as_array().unwrap().len(), 1);
        let deleted = server.ok(SET_EXT, set(2, json!([kv("k2", "")]))).await;
        assert_eq!(
            deleted["ExtensionList"][0]["Extension"],
            json!({"Key": "k2", "Value": "", "Seq": 3})
        );
        server
            .ok(
                SET_EXT,
                json!({"GroupId": "g", "MsgSeq": 1, "OperateType": 3}),
            )
            .await;
        let cleared = server
            .ok(GET_EXT, json!({"GroupId": "g", "MsgSeq": 1}))
            .await;
        assert_eq!(
            (cleared["LatestSeq"].clone(), cleared["ClearSeq"].clone()),
            (json!(4), json!(4))
        );
        assert_eq!(cleared["ExtensionList"], json!([]));

        // Refusals.
        server
            .fails(GET_EXT, json!({"GroupId": "g", "MsgSeq": 2}), 90001)
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "g", "MsgSeq": 99}), 10030)
            .await;
        server
            .fails(SET_EXT, set(9, json!([kv("k", "v")])), 90001)
            .await;
        let many: Vec<Value> = (0..21).map(|i| kv(&format!("k{i}"), "v")).collect();
        server.fails(SET_EXT, set(1, json!(many)), 90001).await;
        server
            .fails(SET_EXT, set(1, json!([kv(&"k".repeat(101), "v")])), 90001)
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "nope", "MsgSeq": 1}), 10010)
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_c"}),
            )
            .await;
        server
            .fails(GET_EXT, json!({"GroupId": "@TGS#_c", "MsgSeq": 1}), 10007)
            .await;
    }
);

on_both_engines!(
    read_receipts_count_from_read_positions,
    |server: TestServer| async move {
        const RECEIPTS: &str = "group_open_http_svc/get_group_msg_receipt";
        const DETAIL: &str = "group_open_http_svc/get_group_msg_receipt_detail";
        const READ: &str = "Group.CallbackAfterReadReceipt";
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann", "bob", "cat", "out"]).await;
        public_group(&server, "g", "boss", &["ann", "bob", "cat"]).await;
        let mut asks = send_body("g", "ann", 1, "seen?");
        asks["NeedReadReceipt"] = 1.into();
        server.ok(SEND, asks).await;
        server.ok(SEND, send_body("g", "ann", 2, "plain")).await;
        let seqs = json!([{"MsgSeq": 1}, {"MsgSeq": 2}, {"MsgSeq": 99}]);
        let before = server
            .ok(RECEIPTS, json!({"GroupId": "g", "MsgSeqList": seqs}))
            .await;
        assert_eq!(
            before["GroupMsgReceiptList"][0],
            json!({"Code": 0, "MsgSeq": 1, "ReadNum": 0, "UnreadNum": 3}),
            "the sender counts on neither side"
        );
        assert_eq!(before["GroupMsgReceiptList"][1]["Code"], 10062);
        assert_eq!(before["GroupMsgReceiptList"][2]["Code"], 10062);

        let mut bob = Client::login(&server, "bob", "iPad").await;
        let mut out = Client::login(&server, "out", "iPad").await;
        bob.ok(
            "send_group_msg_read_receipt",
            json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
        )
        .await;
        let reported = receiver.wait_for(READ, 1).await;
        let body = reported[0].body.as_object().unwrap();
        assert_eq!(body["GroupId"], "g");
        assert_eq!(body["Type"], "Public");
        assert_eq!(
            body["GroupMsgReceiptList"],
            json!([{"MsgSeq": 1, "ReadNum": 1, "UnreadNum": 2,
                "ReadReceiptMembers": [{"Member_Account": "bob"}]}])
        );
        assert!(body["EventTime"].as_u64().unwrap() > 0);
        assert_eq!(reported[0].query["OptPlatform"], "iPad");
        let err = out
            .request(
                "send_group_msg_read_receipt",
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        assert_eq!(err["ErrorCode"], 10007);

        let after = server
            .ok(
                RECEIPTS,
                json!({"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        assert_eq!(after["GroupMsgReceiptList"][0]["ReadNum"], 1);
        assert_eq!(after["GroupMsgReceiptList"][0]["UnreadNum"], 2);
        let read = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 0, "Cursor": "", "Count": 10}),
            )
            .await;
        assert_eq!(read["ReadList"], json!([{"Read_Account": "bob"}]));
        assert_eq!(
            (read["IsFinished"].clone(), read["Cursor"].clone()),
            (json!(1), json!(""))
        );
        // Unread, one per page, in join order (same second: by account).
        let first = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 1, "Cursor": "", "Count": 1}),
            )
            .await;
        assert_eq!(first["UnreadList"], json!([{"Unread_Account": "boss"}]));
        assert_eq!(first["IsFinished"], 0);
        let cursor = first["Cursor"].as_str().unwrap().to_owned();
        let second = server
            .ok(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 1, "Cursor": cursor, "Count": 1}),
            )
            .await;
        assert_eq!(second["UnreadList"], json!([{"Unread_Account": "cat"}]));
        assert_eq!(second["IsFinished"], 1);

        // Refusals.
        server
            .fails(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 2, "Filter": 0}),
                10062,
            )
            .await;
        server
            .fails(
                DETAIL,
                json!({"GroupId": "g", "MsgSeq": 1, "Filter": 2}),
                10004,
            )
            .await;
        server
            .fails(RECEIPTS, json!({"GroupId": "g", "MsgSeqList": []}), 10004)
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "l", "GroupId": "live"}),
            )
            .await;
        server
            .fails(
                RECEIPTS,
                json!({"GroupId": "live", "MsgSeqList": [{"MsgSeq": 1}]}),
                10007,
            )
            .await;
    }
);

on_both_engines!(
    mentions_reach_the_after_send_callback,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["boss", "ann"]).await;
        public_group(&server, "g", "boss", &["ann"]).await;
        let mut body = send_body("g", "ann", 1, "@all @boss");
        body["GroupAtInfo"] =
            json!([{"GroupAtAllFlag": 1}, {"GroupAtAllFlag": 0, "GroupAt_Account": "boss"}]);
        server.ok(SEND, body).await;
        server
            .ok(SEND, send_body("g", "ann", 2, "no mention"))
            .await;
        let sent = receiver.wait_for("Group.CallbackAfterSendMsg", 2).await;
        assert_eq!(
            sent[0].body["GroupAtInfo"],
            json!([{"GroupAtAllFlag": 1}, {"GroupAtAllFlag": 0, "GroupAt_Account": "boss"}])
        );
        assert!(
            sent[1].body.get("GroupAtInfo").is_none(),
            "only when mentioning"
        );
        let mut bad = send_body("g", "ann", 3, "x");
        bad["GroupAtInfo"] = json!([{"GroupAtAllFlag": 0}]);
        server.fails(SEND, bad, 10004).await;
        // A topic in a group that has none is refused rather than imported into the group.
        server
            .fails(
                "group_open_http_svc/import_group_msg",
                json!({"GroupId": "g", "TopicId": "g@TOPIC#_t", "MsgList": [{"From_Account": "ann",
                    "SendTime": 1, "Random": 1, "MsgBody": text("x")}]}),
                11000,
            )
            .await;
    }
);
