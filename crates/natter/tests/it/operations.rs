//! Operations: `openconfigsvr/getappinfo` (daily counters) and `open_msg_svc/get_history`
//! (hourly message files served under `/_natter/history/`).

use std::io::Read;

use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::{import, send_body, text, SEND};
use crate::on_both_engines;
use crate::receiver::Answer;

const APP_INFO: &str = "openconfigsvr/getappinfo";
const HISTORY: &str = "open_msg_svc/get_history";

/// Today's counters (the first item), every value parsed as a number (`AppName`, `Company`
/// and `Date` aside).
async fn today(server: &TestServer) -> Value {
    let reply = server.ok(APP_INFO, json!({})).await;
    reply["Result"][0].clone()
}

fn n(item: &Value, field: &str) -> i64 {
    item[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string: {item}"))
        .parse()
        .unwrap()
}

/// How much each field moved between two reports of the same day.
fn moved(before: &Value, after: &Value, field: &str) -> i64 {
    n(after, field) - n(before, field)
}

on_both_engines!(
    counters_move_with_what_the_server_did,
    |server: TestServer| async move {
        let before = today(&server).await;
        assert_eq!(
            n(&before, "C2CUpMsgNum"),
            0,
            "a new server has counted nothing"
        );
        import(&server, &["u1", "u2", "u3"]).await;
        import(&server, &["u1"]).await; // already there: not a registration
        for (from, to, r) in [("u1", "u2", 1), ("u1", "u2", 2), ("u2", "u1", 3)] {
            server.ok(SEND, send_body(from, to, r, "hi")).await;
        }
        server
            .ok(
                "openim/batchsendmsg",
                json!({"From_Account": "u3", "To_Account": ["u1", "u2"], "MsgRandom": 9, "MsgBody": text("all")}),
            )
            .await;
        let created = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Owner_Account": "u1", "Type": "Public", "Name": "ops", "MemberList": [{"Member_Account": "u2"}]}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        server
            .ok(
                "group_open_http_svc/add_group_member",
                json!({"GroupId": group, "MemberList": [{"Member_Account": "u3"}]}),
            )
            .await;
        server
            .ok(
                "group_open_http_svc/delete_group_member",
                json!({"GroupId": group, "MemberToDel_Account": ["u3"]}),
            )
            .await;
        server
            .ok(
                "group_open_http_svc/send_group_msg",
                json!({"GroupId": group, "From_Account": "u1", "Random": 5, "MsgBody": text("g")}),
            )
            .await;
        server
            .ok(
                "sns/friend_add",
                json!({"From_Account": "u1", "ForceAddFlags": 1, "AddFriendItem": [{"To_Account": "u3", "AddSource": "AddSource_Type_Test"}]}),
            )
            .await;
        let mid = today(&server).await;
        server
            .ok(
                "sns/friend_delete",
                json!({"From_Account": "u1", "To_Account": ["u3"], "DeleteType": "Delete_Type_Both"}),
            )
            .await;
        server
            .ok(
                "group_open_http_svc/destroy_group",
                json!({"GroupId": group}),
            )
            .await;
        server
            .ok(
                "im_open_login_svc/account_delete",
                json!({"DeleteItem": [{"UserID": "u3"}, {"UserID": "nobody"}]}),
            )
            .await;
        let _a = Client::login(&server, "u1", "Web").await;
        let _b = Client::login(&server, "u1", "Android").await;
        let _c = Client::login(&server, "u2", "Web").await;
        let after = today(&server).await;

        let expect = [
            ("RegistUserNumOneDay", 3),
            ("RegistUserNumTotal", 2), // three imported, one deleted
            ("C2CUpMsgNum", 5),
            ("C2CDownMsgNum", 5),
            ("C2CSendMsgUserNum", 3),
            ("GroupUpMsgNum", 1),
            ("GroupDownMsgNum", 1), // two members, less the sender
            ("GroupSendMsgUserNum", 1),
            ("GroupSendMsgGroupNum", 1),
            ("UpMsgNum", 6),
            ("DownMsgNum", 6),
            ("SendMsgUserNum", 3),
            ("GroupNewGroupNum", 1),
            ("GroupDestroyGroupNum", 1),
            ("GroupAllGroupNum", 0),
            ("GroupJoinGroupTimes", 3), // the owner and u2 at creation, u3 added
            ("GroupQuitGroupTimes", 1),
            ("ChainIncrease", 2), // a two-way friendship is a row each way
            ("ChainDecrease", 2),
            ("LoginTimes", 3),
            ("LoginUserNum", 2),
            ("ActiveUserNum", 3), // senders and users who logged in
            ("APNSMsgNum", 0),
            ("CallBackReq", 0), // no callback URL
        ];
        for (field, delta) in expect {
            assert_eq!(moved(&before, &after, field), delta, "{field}: {after}");
        }
        assert_eq!(moved(&before, &mid, "ChainIncrease"), 2);
        assert_eq!(moved(&before, &mid, "ChainDecrease"), 0);
        assert_eq!(moved(&before, &mid, "GroupAllGroupNum"), 1);
        assert!(
            n(&after, "MaxOnlineNum") >= 2,
            "two users online at once: {after}"
        );
        assert_eq!(after["AppId"], APP.to_string());
    }
);

on_both_engines!(
    callbacks_sent_and_answered_are_counted,
    |server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        let receiver = server.webhook_receiver().await;
        // The first callback (the before-send one) gets HTTP 500: sent, not answered.
        receiver.script([Answer::Status(500)]);
        server.ok(SEND, send_body("a", "b", 1, "x")).await;
        server.ok(SEND, send_body("b", "a", 2, "y")).await;
        let sent = receiver
            .settled_count(&server, "C2C.CallbackBeforeSendMsg")
            .await
            + receiver
                .settled_count(&server, "C2C.CallbackAfterSendMsg")
                .await;
        assert_eq!(sent, 4);
        let item = today(&server).await;
        let total = receiver.received().len() as i64;
        assert_eq!(n(&item, "CallBackReq"), total, "{item}");
        assert_eq!(n(&item, "CallBackRsp"), total - 1, "{item}");
    }
);

on_both_engines!(
    request_field_selects_fields_of_thirty_days,
    |server: TestServer| async move {
        let reply = server
            .ok(
                APP_INFO,
                json!({"RequestField": ["ChainIncrease", "C2CUpMsgNum"]}),
            )
            .await;
        let days = reply["Result"].as_array().unwrap();
        assert_eq!(days.len(), 30);
        let now = server.clock.now_secs();
        for (back, item) in days.iter().enumerate() {
            let keys: Vec<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, ["C2CUpMsgNum", "ChainIncrease", "Date"], "{item}");
            let day = natter_core::ops::beijing_day(now - back as i64 * 86_400);
            assert_eq!(item["Date"], day.to_string(), "newest first, one a day");
        }
        let all = server.ok(APP_INFO, json!({})).await;
        assert_eq!(
            all["Result"][0].as_object().unwrap().len(),
            32,
            "every field without RequestField"
        );
        let refused = server
            .fails(APP_INFO, json!({"RequestField": ["Nope"]}), 40001)
            .await;
        assert!(refused["ErrorInfo"].as_str().unwrap().contains("Nope"));
        server
            .fails(APP_INFO, json!({"RequestField": "ChainIncrease"}), 40001)
            .await;
    }
);

/// The start (Unix seconds) of the hour `hours` before the current one.
fn hour_before(server: &TestServer, hours: i64) -> i64 {
    (server.clock.now_secs() / 3600 - hours) * 3600
}

fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Downloads a `get_history` file and checks it against the reply; returns its `MsgList`.
async fn download(server: &TestServer, file: &Value) -> Vec<Value> {
    let response = server
        .client
        .get(file["URL"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let gz = response.bytes().await.unwrap();
    assert_eq!(gz.len() as u64, file["GzipSize"].as_u64().unwrap());
    assert_eq!(md5_hex(&gz), file["GzipMD5"]);
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw.len() as u64, file["FileSize"].as_u64().unwrap());
    assert_eq!(md5_hex(&raw), file["FileMD5"]);
    let text = String::from_utf8(raw).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "{\"MsgList\":[", "Tencent's layout: header line");
    assert_eq!(*lines.last().unwrap(), "]}", "and a closing line");
    let parsed: Value = serde_json::from_str(&text).unwrap();
    parsed["MsgList"].as_array().unwrap().clone()
}

on_both_engines!(
    get_history_serves_an_hours_messages,
    |server: TestServer| async move {
        let real_now = server.clock.now_ms();
        let start = hour_before(&server, 3);
        let hour = natter_core::ops::beijing_hour_name(start);
        import(&server, &["a", "b", "c"]).await;
        let at = |secs: i64| server.clock.freeze(secs * 1000);
        at(start - 200);
        let created = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Owner_Account": "a", "Type": "Public", "Name": "h", "MemberList": [{"Member_Account": "b"}]}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        let group_send = |random: u32, t: &str| json!({"GroupId": group, "From_Account": "a", "Random": random, "MsgBody": text(t)});
        at(start - 1);
        server.ok(SEND, send_body("a", "b", 1, "before")).await;
        server
            .ok(
                "group_open_http_svc/send_group_msg",
                group_send(1, "g-before"),
            )
            .await;
        at(start);
        server.ok(SEND, send_body("a", "b", 2, "first")).await;
        server.ok(SEND, send_body("c", "a", 3, "second")).await;
        let mut online_only = send_body("a", "c", 4, "not kept");
        online_only["MsgLifeTime"] = json!(0);
        server.ok(SEND, online_only).await;
        server
            .ok("group_open_http_svc/send_group_msg", group_send(2, "g-in"))
            .await;
        at(start + 3599);
        server.ok(SEND, send_body("b", "a", 5, "last")).await;
        server
            .ok(
                "group_open_http_svc/send_group_msg",
                group_send(3, "g-last"),
            )
            .await;
        at(start + 3600);
        server.ok(SEND, send_body("a", "b", 6, "after")).await;
        server.clock.freeze(real_now);

        let reply = server
            .ok(HISTORY, json!({"ChatType": "C2C", "MsgTime": hour}))
            .await;
        let files = reply["File"].as_array().unwrap();
        assert_eq!(files.len(), 1);
        let file = &files[0];
        let url = file["URL"].as_str().unwrap();
        assert!(
            url.starts_with(&format!(
                "{}/_natter/history/{APP}/C2C/{hour}.gz?",
                server.base
            )),
            "{url}"
        );
        let expires = natter_core::ops::beijing_datetime(server.clock.now_secs() + 3600);
        assert_eq!(file["ExpireTime"], expires);
        let list = download(&server, file).await;
        let seen: Vec<(String, String, i64, u64)> = list
            .iter()
            .map(|m| {
                (
                    m["From_Account"].as_str().unwrap().to_owned(),
                    m["MsgBody"][0]["MsgContent"]["Text"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    m["MsgTimestamp"].as_i64().unwrap(),
                    m["MsgRandom"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("a".into(), "first".into(), start, 2),
                ("c".into(), "second".into(), start, 3),
                ("b".into(), "last".into(), start + 3599, 5),
            ]
        );
        assert_eq!(list[0]["To_Account"], "b");
        assert_eq!(list[0]["MsgSeq"], 2);
        assert_eq!(list[0]["MsgKey"], format!("2_2_{start}"));

        let reply = server
            .ok(HISTORY, json!({"ChatType": "Group", "MsgTime": hour}))
            .await;
        let list = download(&server, &reply["File"][0]).await;
        let texts: Vec<&str> = list
            .iter()
            .map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["g-in", "g-last"]);
        assert_eq!(list[0]["GroupId"], group.as_str());
        assert_eq!(list[0]["From_Account"], "a");
        assert_eq!(list[0]["MsgSeq"], 2, "the second message of the group");

        // An hour without messages still has its (empty) file.
        let quiet = natter_core::ops::beijing_hour_name(hour_before(&server, 5));
        let reply = server
            .ok(HISTORY, json!({"ChatType": "C2C", "MsgTime": quiet}))
            .await;
        assert!(download(&server, &reply["File"][0]).await.is_empty());
    }
);

on_both_engines!(
    get_history_refuses_hours_it_has_no_file_for,
    |server: TestServer| async move {
        let name = |start: i64| natter_core::ops::beijing_hour_name(start);
        let current = name(hour_before(&server, 0));
        for chat in ["C2C", "Group"] {
            server
                .fails(HISTORY, json!({"ChatType": chat, "MsgTime": current}), 1004)
                .await;
        }
        let future = name(hour_before(&server, -5));
        server
            .fails(HISTORY, json!({"ChatType": "C2C", "MsgTime": future}), 1004)
            .await;
        let old = name(hour_before(&server, 8 * 24));
        server
            .fails(HISTORY, json!({"ChatType": "C2C", "MsgTime": old}), 1004)
            .await;
        // Just inside the 7 days: served.
        let oldest = name(hour_before(&server, 7 * 24 - 1));
        server
            .ok(HISTORY, json!({"ChatType": "C2C", "MsgTime": oldest}))
            .await;
        let last = name(hour_before(&server, 1));
        server
            .fails(HISTORY, json!({"ChatType": "c2c", "MsgTime": last}), 60003)
            .await;
        for bad in ["2023022912", "20240101", "2024-01-01", "2024010124"] {
            server
                .fails(HISTORY, json!({"ChatType": "C2C", "MsgTime": bad}), 60003)
                .await;
        }
        server
            .fails(
                HISTORY,
                json!({"ChatType": "C2C", "MsgTime": 2024010100u64}),
                60003,
            )
            .await;
        server
            .fails(HISTORY, json!({"ChatType": "C2C"}), 60003)
            .await;
    }
);

on_both_engines!(
    history_urls_cannot_be_forged_or_used_late,
    |server: TestServer| async move {
        let hour = natter_core::ops::beijing_hour_name(hour_before(&server, 2));
        let reply = server
            .ok(HISTORY, json!({"ChatType": "C2C", "MsgTime": hour}))
            .await;
        let url = reply["File"][0]["URL"].as_str().unwrap().to_owned();
        let status = |url: String| {
            let client = server.client.clone();
            async move { client.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status(url.clone()).await, 200);
        let other = natter_core::ops::beijing_hour_name(hour_before(&server, 3));
        let tampered = [
            url.replace(&format!("/{hour}.gz"), &format!("/{other}.gz")),
            url.replace("/C2C/", "/Group/"),
            {
                let (head, sig) = url.rsplit_once("sig=").unwrap();
                let flipped = if sig.starts_with('0') { "1" } else { "0" };
                format!("{head}sig={flipped}{}", &sig[1..])
            },
            {
                let at = url.find("expires=").unwrap() + "expires=".len();
                format!("{}9{}", &url[..at], &url[at..])
            },
            url.split('?').next().unwrap().to_owned(),
        ];
        for bad in tampered {
            assert_eq!(status(bad.clone()).await, 403, "{bad}");
        }
        let other_app = url.replace(&format!("/{APP}/"), &format!("/{OTHER_APP}/"));
        assert_eq!(status(other_app).await, 403, "signed for its own app only");
        server.clock.advance_ms(3_601_000);
        assert_eq!(status(url).await, 403, "expired after an hour");
    }
);

on_both_engines!(
    counters_are_kept_per_day_and_across_restarts,
    |mut server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        let now = server.clock.now_ms();
        // Yesterday (Beijing time) one message, today two.
        server.clock.freeze(now - 86_400_000);
        server.ok(SEND, send_body("a", "b", 1, "yesterday")).await;
        server.clock.freeze(now);
        server.ok(SEND, send_body("a", "b", 2, "today")).await;
        server.ok(SEND, send_body("b", "a", 3, "today")).await;
        // Nothing was asked for yet: the counts are still in memory, and a clean stop writes
        // them.
        server.restart().await;
        let reply = server
            .ok(
                APP_INFO,
                json!({"RequestField": ["C2CUpMsgNum", "C2CSendMsgUserNum"]}),
            )
            .await;
        let days = &reply["Result"];
        assert_eq!(days[0]["C2CUpMsgNum"], "2", "{reply}");
        assert_eq!(days[0]["C2CSendMsgUserNum"], "2");
        assert_eq!(days[1]["C2CUpMsgNum"], "1", "{reply}");
        assert_eq!(days[1]["C2CSendMsgUserNum"], "1");
        assert_eq!(days[2]["C2CUpMsgNum"], "0");
    }
);

on_both_engines!(
    a_reset_forgets_the_apps_counters,
    |server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        server.ok(SEND, send_body("a", "b", 1, "x")).await;
        // Counted, not written yet (nothing asked for it): the reset must forget it too.
        server
            .control(reqwest::Method::POST, "/_natter/reset", None)
            .await;
        let item = today(&server).await;
        assert_eq!(n(&item, "C2CUpMsgNum"), 0, "{item}");
        assert_eq!(n(&item, "RegistUserNumOneDay"), 0, "{item}");
        assert_eq!(n(&item, "ActiveUserNum"), 0, "{item}");
        let admins = server.config.apps[0].settings.admins.len() as i64;
        assert_eq!(
            n(&item, "RegistUserNumTotal"),
            admins,
            "only the admin accounts, made again by the reset: {item}"
        );
    }
);
