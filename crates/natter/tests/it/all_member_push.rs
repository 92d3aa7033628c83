//! `all_member_push`: attribute names, user attributes and tags, and `im_push` tasks (conditions,
//! online pushes, unread counts, online-only pushes, after-callbacks, a restart half way, and
//! progress on the control plane).

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::{history, import, texts};
use crate::on_both_engines;

const PUSH: &str = "all_member_push/im_push";
const SET_NAMES: &str = "all_member_push/im_set_attr_name";
const GET_NAMES: &str = "all_member_push/im_get_attr_name";
const SET_ATTR: &str = "all_member_push/im_set_attr";
const GET_ATTR: &str = "all_member_push/im_get_attr";
const REMOVE_ATTR: &str = "all_member_push/im_remove_attr";
const ADD_TAG: &str = "all_member_push/im_add_tag";
const GET_TAG: &str = "all_member_push/im_get_tag";
const REMOVE_TAG: &str = "all_member_push/im_remove_tag";
const REMOVE_ALL_TAGS: &str = "all_member_push/im_remove_all_tags";

fn text_body(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

/// Starts a push (a second after the previous one, Tencent's minimum spacing) and answers its
/// TaskId.
async fn push(server: &TestServer, mut body: Value, text: &str) -> String {
    server.clock.advance_ms(1_100);
    body["MsgBody"] = text_body(text);
    if body.get("MsgRandom").is_none() {
        body["MsgRandom"] = json!(rand_u32());
    }
    let reply = server.ok(PUSH, body).await;
    let task = reply["TaskId"].as_str().expect("a TaskId").to_owned();
    assert_eq!(task.len(), 32, "{reply}");
    task
}

fn rand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn tasks(server: &TestServer) -> Value {
    let reply = server.control(Method::GET, "/_natter/pushes", None).await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    reply
}

fn task_of(listing: &Value, task: &str) -> Value {
    listing["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task_id"] == task)
        .unwrap_or_else(|| panic!("task {task} not listed: {listing}"))
        .clone()
}

/// Polls the control plane until `ready` holds for the task (its progress is the barrier).
async fn wait_task(server: &TestServer, task: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..1500 {
        let t = task_of(&tasks(server).await, task);
        if ready(&t) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("task {task} never got there: {}", tasks(server).await);
}

async fn finished(server: &TestServer, task: &str) -> Value {
    wait_task(server, task, |t| t["state"] == "finished").await
}

/// What `user` received from the admin, oldest first.
async fn received(server: &TestServer, user: &str) -> Vec<String> {
    texts(&history(server, user, ADMIN, 100, None).await)
}

async fn unread_from_admin(server: &TestServer, user: &str) -> u64 {
    let reply = server
        .ok(
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": user, "Peer_Account": [ADMIN]}),
        )
        .await;
    reply["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"]
        .as_u64()
        .unwrap()
}

on_both_engines!(
    attribute_names_and_user_attributes,
    |server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        // Names: numbers "0" to "9", 1–50 bytes, no two alike.
        server
            .fails(SET_NAMES, json!({"AttrNames": {"10": "x"}}), 90001)
            .await;
        server
            .fails(SET_NAMES, json!({"AttrNames": {"01": "x"}}), 90001)
            .await;
        server
            .fails(SET_NAMES, json!({"AttrNames": {"0": ""}}), 90001)
            .await;
        server
            .fails(
                SET_NAMES,
                json!({"AttrNames": {"0": "n".repeat(51)}}),
                90001,
            )
            .await;
        server
            .fails(SET_NAMES, json!({"AttrNames": {"0": "x", "1": "x"}}), 90001)
            .await;
        server
            .fails(SET_NAMES, json!({"AttrNames": {"0": 5}}), 90001)
            .await;
        server.fails(SET_NAMES, json!({}), 90001).await;
        let names = server.ok(GET_NAMES, json!({})).await;
        assert_eq!(names["AttrNames"], json!({}));
        server
            .ok(SET_NAMES, json!({"AttrNames": {"0": "sex", "1": "city"}}))
            .await;
        server
            .ok(SET_NAMES, json!({"AttrNames": {"2": "level"}}))
            .await;
        let names = server.ok(GET_NAMES, json!({})).await;
        assert_eq!(
            names["AttrNames"],
            json!({"0": "sex", "1": "city", "2": "level"}),
            "numbers not named again keep their names"
        );

        // Values: names the app has, values up to 50 bytes, accounts that exist, 100 at most.
        server
            .fails(
                SET_ATTR,
                json!({"UserAttrs": [{"To_Account": "a", "Attrs": {"hobby": "x"}}]}),
                90033,
            )
            .await;
        server
            .fails(
                SET_ATTR,
                json!({"UserAttrs": [{"To_Account": "a", "Attrs": {"sex": "v".repeat(51)}}]}),
                90033,
            )
            .await;
        server
            .fails(
                SET_ATTR,
                json!({"UserAttrs": [{"To_Account": "ghost", "Attrs": {"sex": "f"}}]}),
                70107,
            )
            .await;
        let many: Vec<Value> = (0..101)
            .map(|i| json!({"To_Account": format!("u{i}"), "Attrs": {"sex": "f"}}))
            .collect();
        server
            .fails(SET_ATTR, json!({"UserAttrs": many}), 90018)
            .await;
        server
            .fails(SET_ATTR, json!({"UserAttrs": []}), 90001)
            .await;
        server.fails(SET_ATTR, json!({}), 90001).await;
        server
            .ok(
                SET_ATTR,
                json!({"UserAttrs": [
                    {"To_Account": "a", "Attrs": {"sex": "f", "city": "sz"}},
                    {"To_Account": "b", "Attrs": {"city": "bj"}}
                ]}),
            )
            .await;
        server
            .ok(
                SET_ATTR,
                json!({"UserAttrs": [{"To_Account": "a", "Attrs": {"level": "3"}}]}),
            )
            .await;
        let got = server.ok(GET_ATTR, json!({"To_Account": ["a", "b"]})).await;
        assert_eq!(
            got["UserAttrs"],
            json!([
                {"To_Account": "a", "Attrs": {"sex": "f", "city": "sz", "level": "3"}},
                {"To_Account": "b", "Attrs": {"city": "bj"}}
            ])
        );
        server
            .fails(GET_ATTR, json!({"To_Account": ["a", "ghost"]}), 70107)
            .await;

        // Renaming an attribute keeps the values stored under its number.
        server
            .ok(SET_NAMES, json!({"AttrNames": {"0": "gender"}}))
            .await;
        server
            .fails(
                REMOVE_ATTR,
                json!({"UserAttrs": [{"To_Account": "a", "Attrs": ["sex"]}]}),
                90033,
            )
            .await;
        server
            .ok(
                REMOVE_ATTR,
                json!({"UserAttrs": [{"To_Account": "a", "Attrs": ["city", "level"]}]}),
            )
            .await;
        let got = server.ok(GET_ATTR, json!({"To_Account": ["a"]})).await;
        assert_eq!(
            got["UserAttrs"],
            json!([{"To_Account": "a", "Attrs": {"gender": "f"}}])
        );
    }
);

on_both_engines!(user_tags, |server: TestServer| async move {
    import(&server, &["a", "b"]).await;
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "a", "Tags": eleven}]}),
            90032,
        )
        .await;
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "a", "Tags": [""]}]}),
            90040,
        )
        .await;
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "a", "Tags": ["t".repeat(51)]}]}),
            90020,
        )
        .await;
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "ghost", "Tags": ["x"]}]}),
            70107,
        )
        .await;
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "a", "Tags": "x"}]}),
            90001,
        )
        .await;
    server
        .ok(
            ADD_TAG,
            json!({"UserTags": [
                {"To_Account": "a", "Tags": ["vip", "gold"]},
                {"To_Account": "b", "Tags": ["vip"]}
            ]}),
        )
        .await;
    // Up to 100 tags per user: the call that would pass it writes nothing at all.
    for round in 0..9 {
        let ten: Vec<String> = (0..10).map(|i| format!("r{round}_{i}")).collect();
        server
            .ok(
                ADD_TAG,
                json!({"UserTags": [{"To_Account": "a", "Tags": ten}]}),
            )
            .await;
    }
    server
        .fails(
            ADD_TAG,
            json!({"UserTags": [
                {"To_Account": "b", "Tags": ["new"]},
                {"To_Account": "a", "Tags": ["1", "2", "3", "4", "5", "6", "7", "8", "9"]}
            ]}),
            90032,
        )
        .await;
    let got = server.ok(GET_TAG, json!({"To_Account": ["a", "b"]})).await;
    assert_eq!(got["UserTags"][0]["Tags"].as_array().unwrap().len(), 92);
    assert_eq!(
        got["UserTags"][1],
        json!({"To_Account": "b", "Tags": ["vip"]})
    );
    server
        .ok(
            REMOVE_TAG,
            json!({"UserTags": [{"To_Account": "b", "Tags": ["vip", "absent"]}]}),
        )
        .await;
    server
        .ok(REMOVE_ALL_TAGS, json!({"To_Account": ["a"]}))
        .await;
    server
        .fails(REMOVE_ALL_TAGS, json!({"To_Account": []}), 90001)
        .await;
    let got = server.ok(GET_TAG, json!({"To_Account": ["b", "a"]})).await;
    assert_eq!(
        got["UserTags"],
        json!([{"To_Account": "b", "Tags": []}, {"To_Account": "a", "Tags": []}])
    );
    server
        .ok(
            ADD_TAG,
            json!({"UserTags": [{"To_Account": "b", "Tags": ["z", "a"]}]}),
        )
        .await;
    let got = server.ok(GET_TAG, json!({"To_Account": ["b"]})).await;
    assert_eq!(got["UserTags"][0]["Tags"], json!(["a", "z"]));
});

on_both_engines!(
    conditions_select_the_accounts,
    |server: TestServer| async move {
        import(&server, &["a", "b", "c", "d"]).await;
        server
            .ok(SET_NAMES, json!({"AttrNames": {"0": "sex", "1": "city"}}))
            .await;
        server
            .ok(
                ADD_TAG,
                json!({"UserTags": [
                    {"To_Account": "a", "Tags": ["vip", "sz"]},
                    {"To_Account": "b", "Tags": ["vip"]},
                    {"To_Account": "c", "Tags": ["sz"]}
                ]}),
            )
            .await;
        server
            .ok(
                SET_ATTR,
                json!({"UserAttrs": [
                    {"To_Account": "a", "Attrs": {"sex": "f", "city": "sz"}},
                    {"To_Account": "b", "Attrs": {"sex": "m", "city": "bj"}},
                    {"To_Account": "c", "Attrs": {"sex": "f", "city": "bj"}}
                ]}),
            )
            .await;
        let cases = [
            (json!({"TagsAnd": ["vip", "sz"]}), "tags and"),
            (json!({"TagsOr": ["vip", "sz"]}), "tags or"),
            (
                json!({"TagsAnd": ["vip"], "TagsOr": ["sz", "x"]}),
                "and with or",
            ),
            (json!({"AttrsAnd": {"sex": "f", "city": "bj"}}), "attrs and"),
            (json!({"AttrsOr": {"sex": "m", "city": "sz"}}), "attrs or"),
        ];
        for (condition, text) in cases {
            let task = push(&server, json!({"Condition": condition}), text).await;
            finished(&server, &task).await;
        }
        let everyone = push(&server, json!({}), "everyone").await;
        let done = finished(&server, &everyone).await;
        assert_eq!(done["scanned"], 6, "4 users and the 2 admins");
        assert_eq!(done["delivered"], 5, "all but the sender");
        assert_eq!(done["from"], ADMIN);

        assert_eq!(
            received(&server, "a").await,
            ["tags and", "tags or", "and with or", "attrs or", "everyone"]
        );
        assert_eq!(
            received(&server, "b").await,
            ["tags or", "attrs or", "everyone"]
        );
        assert_eq!(
            received(&server, "c").await,
            ["tags or", "attrs and", "everyone"]
        );
        assert_eq!(received(&server, "d").await, ["everyone"]);
        assert_eq!(received(&server, "second_admin").await, ["everyone"]);
        assert_eq!(unread_from_admin(&server, "a").await, 5);

        // Another sender.
        let task = push(
            &server,
            json!({"From_Account": "d", "Condition": {"TagsAnd": ["sz"]}}),
            "from d",
        )
        .await;
        finished(&server, &task).await;
        assert_eq!(
            texts(&history(&server, "c", "d", 10, None).await),
            ["from d"]
        );
        assert!(
            texts(&history(&server, "d", "a", 10, None).await).is_empty(),
            "the sender keeps no copy (SyncOtherMachine 2)"
        );
        assert_eq!(
            texts(&history(&server, "a", "d", 10, None).await),
            ["from d"]
        );

        // Refusals, each with Tencent's code and nothing pushed.
        server.clock.advance_ms(1_100);
        let refusals = [
            (
                json!({"Condition": {"TagsAnd": ["vip"], "AttrsOr": {"sex": "f"}}}),
                90039,
            ),
            (
                json!({"Condition": {"TagsAnd": ["vip"], "TagsOr": ["vip"]}}),
                90022,
            ),
            (
                json!({"Condition": {"TagsOr": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()}}),
                90032,
            ),
            (json!({"Condition": {"TagsOr": [""]}}), 90040),
            (json!({"Condition": {"TagsOr": ["t".repeat(51)]}}), 90020),
            (json!({"Condition": {"AttrsAnd": {"hobby": "x"}}}), 90033),
            (json!({"MsgLifeTime": 604_801}), 90026),
            (json!({"MsgLifeTime": "long"}), 90026),
            (json!({"From_Account": "ghost"}), 90008),
            (json!({"Condition": {"TagsOr": "vip"}}), 90001),
        ];
        for (mut body, code) in refusals {
            body["MsgRandom"] = json!(1);
            body["MsgBody"] = text_body("refused");
            server.fails(PUSH, body, code).await;
        }
        server
            .fails(PUSH, json!({"MsgBody": text_body("no random")}), 90005)
            .await;
        server
            .fails(
                PUSH,
                json!({"MsgRandom": 1, "MsgBody": "not an array"}),
                90007,
            )
            .await;
        // At most one push a second.
        push(&server, json!({}), "spaced").await;
        server
            .fails(
                PUSH,
                json!({"MsgRandom": 9, "MsgBody": text_body("too soon")}),
                90024,
            )
            .await;
    }
);

on_both_engines!(
    online_users_unread_counts_and_after_callbacks,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["on", "off"]).await;
        let mut online = Client::login(&server, "on", "Web").await;
        let task = push(&server, json!({"MsgLifeTime": 120}), "stored").await;
        let event = online.event().await;
        assert_eq!(event["Event"], "C2cMsg");
        assert_eq!(event["From_Account"], ADMIN);
        assert_eq!(event["To_Account"], "on");
        assert_eq!(event["MsgBody"], text_body("stored"));
        assert_eq!(event["OnlineOnlyFlag"], 0);
        finished(&server, &task).await;
        assert_eq!(unread_from_admin(&server, "off").await, 1);
        assert_eq!(unread_from_admin(&server, "on").await, 1);

        // MsgLifeTime 0: only those online get it; nothing stored, nothing unread.
        let task = push(&server, json!({"MsgLifeTime": 0}), "online only").await;
        let event = online.event().await;
        assert_eq!(event["MsgBody"], text_body("online only"));
        assert_eq!(event["OnlineOnlyFlag"], 1);
        finished(&server, &task).await;
        assert_eq!(received(&server, "off").await, ["stored"]);
        assert_eq!(unread_from_admin(&server, "off").await, 1);

        // After-callbacks as for an admin send: one per account and push (on, off,
        // second_admin), the online-only ones at once with UnreadMsgNum -1; no before-callbacks.
        let afters = receiver.wait_for("C2C.CallbackAfterSendMsg", 6).await;
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackAfterSendMsg")
                .await,
            6
        );
        assert_eq!(
            receiver
                .settled_count(&server, "C2C.CallbackBeforeSendMsg")
                .await,
            0
        );
        let to_off: Vec<&Value> = afters
            .iter()
            .map(|r| &r.body)
            .filter(|b| b["To_Account"] == "off")
            .collect();
        assert_eq!(to_off.len(), 2);
        let stored = to_off.iter().find(|b| b["OnlineOnlyFlag"] == 0).unwrap();
        assert_eq!(stored["From_Account"], ADMIN);
        assert_eq!(stored["UnreadMsgNum"], 1);
        assert_eq!(stored["MsgBody"], text_body("stored"));
        let online_only = to_off.iter().find(|b| b["OnlineOnlyFlag"] == 1).unwrap();
        assert_eq!(online_only["UnreadMsgNum"], -1);
    }
);

/// Imports `n` accounts `p000`, `p001`, … (100 per call, Tencent's batch limit).
async fn import_many(server: &TestServer, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("p{i:03}")).collect();
    for chunk in ids.chunks(100) {
        server
            .ok(
                "im_open_login_svc/multiaccount_import",
                json!({ "Accounts": chunk }),
            )
            .await;
    }
    ids
}

on_both_engines!(
    a_push_resumes_after_a_restart_and_delivers_once,
    |mut server: TestServer| async move {
        let ids = import_many(&server, 250).await;
        // The first batch (100 accounts) runs whole; the second is delivered and then held
        // before its progress is saved: the worst moment for a stop.
        let paused = server
            .control(
                Method::POST,
                "/_natter/pushes/pause",
                Some(json!({"batches": 1, "at": "save"})),
            )
            .await;
        assert_eq!(paused["paused"], json!({"batches": 1, "at": "save"}));
        let task = push(&server, json!({}), "once").await;
        let held = wait_task(&server, &task, |t| t["held"] == true).await;
        assert_eq!(held["state"], "running");
        assert_eq!(held["running_here"], true);
        assert_eq!(held["scanned"], 100, "one batch saved: {held}");
        assert_eq!(
            held["delivered"], 99,
            "the sender is among the first 100 accounts"
        );
        // Accounts of the unsaved second batch already have the message.
        assert_eq!(unread_from_admin(&server, "p150").await, 1);

        // Later seconds: a resumed delivery must still be the same message, not a second one.
        server.clock.advance_ms(5_000);
        server.restart().await;
        let done = finished(&server, &task).await;
        assert_eq!(done["scanned"], 252, "250 accounts and the 2 admins");
        assert_eq!(done["delivered"], 251);
        assert!(done["finished_ms"].as_i64().unwrap() > 0);
        for (n, id) in ids.iter().chain([&"second_admin".to_string()]).enumerate() {
            if n % 150 == 149 {
                // admin_getroammsg allows 200 calls a second (windows follow the clock).
                server.clock.advance_ms(1_000);
            }
            assert_eq!(
                received(&server, id).await,
                ["once"],
                "{id} gets the message exactly once"
            );
        }
        assert_eq!(unread_from_admin(&server, "p150").await, 1);
        let listing = tasks(&server).await;
        assert_eq!(
            listing["paused"],
            Value::Null,
            "a pause is the node's, not stored"
        );
    }
);

on_both_engines!(
    a_pause_holds_pushes_until_resumed,
    |server: TestServer| async move {
        import(&server, &["a"]).await;
        server
            .control(Method::POST, "/_natter/pushes/pause", None)
            .await;
        let task = push(&server, json!({}), "later").await;
        let held = wait_task(&server, &task, |t| t["held"] == true).await;
        assert_eq!(
            (held["scanned"].as_u64(), held["delivered"].as_u64()),
            (Some(0), Some(0))
        );
        assert!(received(&server, "a").await.is_empty());
        let bad = server
            .control(
                Method::POST,
                "/_natter/pushes/pause",
                Some(json!({"at": "sometime"})),
            )
            .await;
        assert_eq!(bad["ErrorCode"], 60003, "{bad}");
        let resumed = server
            .control(Method::POST, "/_natter/pushes/resume", None)
            .await;
        assert_eq!(resumed["paused"], Value::Null);
        finished(&server, &task).await;
        assert_eq!(received(&server, "a").await, ["later"]);
        // The control plane needs the admin's UserSig.
        let anonymous = server
            .client
            .get(format!("{}/_natter/pushes", server.base))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(anonymous["ErrorCode"], 60012, "no sdkappid: {anonymous}");
    }
);

on_both_engines!(
    pushes_per_day_are_limited,
    |server: TestServer| async move {
        // 2030-01-01 10:00 UTC, well inside one UTC day whenever the test runs.
        server.clock.freeze(1_893_492_000_000);
        import(&server, &["a"]).await;
        for n in 0..100 {
            push(&server, json!({"MsgLifeTime": 0}), &format!("push {n}")).await;
        }
        server.clock.advance_ms(1_100);
        server
            .fails(
                PUSH,
                json!({"MsgRandom": 1, "MsgBody": text_body("101st")}),
                90047,
            )
            .await;
        // The next UTC day starts a new count.
        server.clock.advance_ms(14 * 3_600_000);
        push(&server, json!({}), "next day").await;
    }
);
