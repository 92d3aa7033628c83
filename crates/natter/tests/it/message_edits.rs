//! `openim/importmsg`, `openim/modify_c2c_msg` and the one-to-one message extensions.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{history, import, send_body, text, texts, unread, SEND};
use crate::on_both_engines;

const IMPORT: &str = "openim/importmsg";
const MODIFY: &str = "openim/modify_c2c_msg";
const GET_EXT: &str = "openim_msg_ext_http_svc/get_key_values";
const SET_EXT: &str = "openim_msg_ext_http_svc/set_key_values";

fn import_body(
    sync: u32,
    from: &str,
    to: &str,
    seq: u32,
    random: u32,
    time: i64,
    t: &str,
) -> Value {
    json!({"SyncFromOldSystem": sync, "From_Account": from, "To_Account": to, "MsgSeq": seq,
           "MsgRandom": random, "MsgTimeStamp": time, "MsgBody": text(t), "CloudCustomData": "imported"})
}

on_both_engines!(
    import_keeps_the_first_copy_and_fires_nothing,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["old1", "old2"]).await;
        let t0 = 1_556_178_721;
        server
            .ok(IMPORT, import_body(2, "old1", "old2", 1, 10, t0, "first"))
            .await;
        server
            .ok(
                IMPORT,
                import_body(2, "old2", "old1", 2, 20, t0 + 5, "second"),
            )
            .await;
        // Duplicates (same seq, random and time), in either direction: accepted, not stored.
        server
            .ok(IMPORT, import_body(2, "old1", "old2", 1, 10, t0, "changed"))
            .await;
        server
            .ok(
                IMPORT,
                import_body(2, "old1", "old2", 2, 20, t0 + 5, "swapped"),
            )
            .await;
        // Imported out of order: history is still ordered by time.
        server
            .ok(
                IMPORT,
                import_body(2, "old1", "old2", 3, 30, t0 - 100, "earliest"),
            )
            .await;
        let page = history(&server, "old2", "old1", 10, None).await;
        assert_eq!(texts(&page), ["earliest", "first", "second"]);
        assert_eq!(page["MsgList"][1]["MsgTimeStamp"], t0);
        assert_eq!(page["MsgList"][1]["MsgKey"], format!("1_10_{t0}"));
        assert_eq!(page["MsgList"][1]["CloudCustomData"], "imported");
        // History imports are read; real-time imports (5) count as unread.
        assert_eq!(unread(&server, "old2", &[]).await["AllC2CUnreadMsgNum"], 0);
        let now = server.clock.now_secs();
        server
            .ok(IMPORT, import_body(5, "old1", "old2", 4, 40, now, "live"))
            .await;
        assert_eq!(unread(&server, "old2", &[]).await["AllC2CUnreadMsgNum"], 1);
        // The conversation moved to the newest imported message.
        let list = server
            .ok("recentcontact/get_list", json!({"From_Account": "old2", "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}))
            .await;
        assert_eq!(
            list["SessionItem"],
            json!([{"Type": 1, "To_Account": "old1", "MsgTime": now, "TopFlag": 0}])
        );
        // Imports fire no callbacks.
        server
            .ok(SEND, send_body("old1", "old2", 99, "marker"))
            .await;
        receiver.wait_for("C2C.CallbackAfterSendMsg", 1).await;
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackBeforeSendMsg")
                .await,
            1,
            "only the marker send"
        );
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackAfterSendMsg")
                .await,
            1
        );

        // Bad input, with Tencent's codes.
        let ok = import_body(2, "old1", "old2", 9, 9, t0, "x");
        let with = |field: &str, value: Value| {
            let mut body = ok.clone();
            body[field] = value;
            body
        };
        let without = |field: &str| {
            let mut body = ok.clone();
            body.as_object_mut().unwrap().remove(field);
            body
        };
        server
            .fails(IMPORT, with("SyncFromOldSystem", 1.into()), 90030)
            .await;
        server
            .fails(IMPORT, without("SyncFromOldSystem"), 90030)
            .await;
        server
            .fails(IMPORT, with("SyncFromOldSystem", "2".into()), 90030)
            .await;
        server.fails(IMPORT, without("MsgRandom"), 90005).await;
        server.fails(IMPORT, without("MsgTimeStamp"), 90006).await;
        server
            .fails(IMPORT, with("MsgTimeStamp", "yesterday".into()), 90006)
            .await;
        server
            .fails(IMPORT, with("From_Account", "ghost".into()), 90008)
            .await;
        server
            .fails(IMPORT, with("To_Account", "ghost".into()), 90012)
            .await;
        server.fails(IMPORT, without("To_Account"), 90003).await;
        server
            .fails(
                IMPORT,
                with("MsgBody", json!({"MsgType": "TIMTextElem"})),
                90007,
            )
            .await;
        server
            .fails(
                IMPORT,
                with(
                    "MsgBody",
                    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": 5}}]),
                ),
                90002,
            )
            .await;
        assert_eq!(
            history(&server, "old2", "old1", 10, None).await["MsgCnt"],
            5,
            "nothing half-written"
        );
    }
);

on_both_engines!(
    modify_rewrites_history_for_both_sides,
    |server: TestServer| async move {
        import(&server, &["m1", "m2"]).await;
        let sent = server.ok(SEND, send_body("m1", "m2", 5, "typo")).await;
        let key = sent["MsgKey"].as_str().unwrap().to_owned();
        server
        .ok(MODIFY, json!({"From_Account": "m1", "To_Account": "m2", "MsgKey": key, "MsgBody": text("fixed")}))
        .await;
        server
        .ok(MODIFY, json!({"From_Account": "m1", "To_Account": "m2", "MsgKey": key, "CloudCustomData": "edited"}))
        .await;
        for (operator, peer) in [("m1", "m2"), ("m2", "m1")] {
            let page = history(&server, operator, peer, 10, None).await;
            assert_eq!(texts(&page), ["fixed"], "{operator}");
            assert_eq!(page["MsgList"][0]["CloudCustomData"], "edited");
            assert_eq!(
                page["MsgList"][0]["MsgKey"],
                key.as_str(),
                "the key does not change"
            );
        }
        // Errors: nothing to change, a bad body, an unknown message, a recalled one.
        let base = json!({"From_Account": "m1", "To_Account": "m2", "MsgKey": key});
        server.fails(MODIFY, base.clone(), 90001).await;
        let mut bad = base.clone();
        bad["MsgBody"] = json!([{"MsgType": "TIMNoSuchElem", "MsgContent": {}}]);
        server.fails(MODIFY, bad, 90002).await;
        server
        .fails(MODIFY, json!({"From_Account": "m2", "To_Account": "m1", "MsgKey": key, "CloudCustomData": "x"}), 20022)
        .await;
        server
        .fails(MODIFY, json!({"From_Account": "m1", "To_Account": "m2", "MsgKey": "1_2", "CloudCustomData": "x"}), 90054)
        .await;
        server
        .fails(MODIFY, json!({"From_Account": "ghost", "To_Account": "m2", "MsgKey": key, "CloudCustomData": "x"}), 90008)
        .await;
        server
            .ok(
                "openim/admin_msgwithdraw",
                json!({"From_Account": "m1", "To_Account": "m2", "MsgKey": key}),
            )
            .await;
        let mut recalled = base.clone();
        recalled["CloudCustomData"] = "after recall".into();
        server.fails(MODIFY, recalled, 20023).await;
    }
);

on_both_engines!(
    extensions_set_pull_delete_and_clear,
    |server: TestServer| async move {
        import(&server, &["x1", "x2"]).await;
        let mut body = send_body("x1", "x2", 1, "poll");
        body["SupportMessageExtension"] = 1.into();
        let key = server.ok(SEND, body).await["MsgKey"]
            .as_str()
            .unwrap()
            .to_owned();
        let plain = server.ok(SEND, send_body("x1", "x2", 2, "plain")).await["MsgKey"]
            .as_str()
            .unwrap()
            .to_owned();
        let target = |key: &str| json!({"From_Account": "x1", "To_Account": "x2", "MsgKey": key});
        let with = |key: &str, extra: Value| {
            let mut body = target(key);
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };

        let set = server
            .ok(
                SET_EXT,
                with(
                    &key,
                    json!({"OperateType": 1, "ExtensionList": [
            {"Key": "k1", "Value": "v1", "Seq": 0}, {"Key": "k2", "Value": "v2", "Seq": 0}]}),
                ),
            )
            .await;
        assert_eq!(
            set["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "k1", "Value": "v1", "Seq": 1}},
               {"ErrorCode": 0, "Extension": {"Key": "k2", "Value": "v2", "Seq": 1}}])
        );
        server
        .ok(SET_EXT, with(&key, json!({"OperateType": 1, "ExtensionList": [{"Key": "k3", "Value": "v3", "Seq": 0}]})))
        .await;
        let all = server.ok(GET_EXT, target(&key)).await;
        assert_eq!(all["CompleteFlag"], 1);
        assert_eq!(all["LatestSeq"], 2);
        assert_eq!(all["ClearSeq"], 0);
        assert_eq!(
            all["ExtensionList"],
            json!([{"Key": "k1", "Value": "v1", "Seq": 1}, {"Key": "k2", "Value": "v2", "Seq": 1}, {"Key": "k3", "Value": "v3", "Seq": 2}])
        );
        let newer = server.ok(GET_EXT, with(&key, json!({"StartSeq": 2}))).await;
        assert_eq!(
            newer["ExtensionList"],
            json!([{"Key": "k3", "Value": "v3", "Seq": 2}])
        );

        let deleted = server
        .ok(SET_EXT, with(&key, json!({"OperateType": 2, "ExtensionList": [{"Key": "k1", "Value": "", "Seq": 1}]})))
        .await;
        assert_eq!(
            deleted["ExtensionList"][0]["Extension"],
            json!({"Key": "k1", "Value": "", "Seq": 3})
        );
        server
            .ok(SET_EXT, with(&key, json!({"OperateType": 3})))
            .await;
        let cleared = server.ok(GET_EXT, target(&key)).await;
        assert_eq!(
            (cleared["LatestSeq"].clone(), cleared["ClearSeq"].clone()),
            (json!(4), json!(4))
        );
        assert_eq!(cleared["ExtensionList"], json!([]));

        // Limits and refusals.
        let many: Vec<Value> = (0..21)
            .map(|i| json!({"Key": format!("k{i}"), "Value": "v", "Seq": 0}))
            .collect();
        server
            .fails(
                SET_EXT,
                with(&key, json!({"OperateType": 1, "ExtensionList": many})),
                90001,
            )
            .await;
        server
        .fails(SET_EXT, with(&key, json!({"OperateType": 1, "ExtensionList": [{"Key": "k".repeat(101), "Value": "v"}]})), 90001)
        .await;
        server
        .fails(SET_EXT, with(&key, json!({"OperateType": 1, "ExtensionList": [{"Key": "k", "Value": "v".repeat(1001)}]})), 90001)
        .await;
        server
            .fails(SET_EXT, with(&key, json!({"OperateType": 4})), 90001)
            .await;
        server
            .fails(
                SET_EXT,
                with(&key, json!({"OperateType": 1, "ExtensionList": []})),
                90001,
            )
            .await;
        for batch in 0..15 {
            let list: Vec<Value> = (0..20)
                .map(|i| json!({"Key": format!("b{batch}-{i}"), "Value": "v"}))
                .collect();
            server
                .ok(
                    SET_EXT,
                    with(&key, json!({"OperateType": 1, "ExtensionList": list})),
                )
                .await;
        }
        server
            .fails(
                SET_EXT,
                with(
                    &key,
                    json!({"OperateType": 1, "ExtensionList": [{"Key": "one-more", "Value": "v"}]}),
                ),
                90001,
            )
            .await;
        let full = server.ok(GET_EXT, target(&key)).await;
        assert_eq!(
            full["ExtensionList"].as_array().unwrap().len(),
            200,
            "at most 200 per pull"
        );
        assert_eq!(full["CompleteFlag"], 0);
        let last_seq = full["ExtensionList"][199]["Seq"].as_u64().unwrap();
        let rest = server
            .ok(GET_EXT, with(&key, json!({"StartSeq": last_seq + 1})))
            .await;
        assert_eq!(rest["CompleteFlag"], 1);
        assert_eq!(rest["ExtensionList"].as_array().unwrap().len(), 100);

        server
            .fails(
                SET_EXT,
                with(
                    &plain,
                    json!({"OperateType": 1, "ExtensionList": [{"Key": "k", "Value": "v"}]}),
                ),
                90001,
            )
            .await;
        server.fails(GET_EXT, target(&plain), 90001).await;
        server.fails(GET_EXT, target("1_1_1"), 20022).await;
        server.fails(GET_EXT, target("nonsense"), 90054).await;
    }
);

/// History retention: an app that keeps one day of history neither shows nor keeps older messages.
async fn retention_drops_old_history(engine: Engine) {
    let server = TestServer::start_with(engine, |config| {
        config.apps[0].settings.history_retention_days = 1;
    })
    .await;
    import(&server, &["r1", "r2"]).await;
    let now = server.clock.now_secs();
    server
        .ok(
            IMPORT,
            import_body(2, "r1", "r2", 1, 1, now - 3 * 86_400, "old"),
        )
        .await;
    server
        .ok(
            IMPORT,
            import_body(2, "r1", "r2", 2, 2, now - 3_600, "recent"),
        )
        .await;
    server.ok(SEND, send_body("r2", "r1", 3, "new")).await;
    let page = history(&server, "r1", "r2", 10, None).await;
    assert_eq!(
        texts(&page),
        ["recent", "new"],
        "expired messages are not shown"
    );

    let settings = server.config.apps[0].settings.clone();
    let purged = server
        .services()
        .messages
        .purge_expired(&settings)
        .await
        .unwrap();
    assert!(purged <= 1, "only the old message can go: {purged}");
    let stored = server
        .services()
        .store
        .c2c_history(
            settings.sdkappid,
            natter_store::C2cHistoryQuery {
                operator: "r1".into(),
                peer: "r2".into(),
                min_time: 0,
                max_time: i64::MAX,
                before: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        2,
        "the expired message is deleted from storage"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_drops_old_history_sqlite() {
    retention_drops_old_history(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn retention_drops_old_history_postgres() {
    retention_drops_old_history(Engine::Postgres).await;
}
