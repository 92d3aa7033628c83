//! The console in a real Chromium (`tests/web-sdk/console.mjs`, driven by `playwright-core`):
//! it signs in with a UserSig the local emulator mints, opens two chat panes as two users who
//! exchange one-to-one messages and talk in a group, shows the history, and the webhook
//! inspector shows the callbacks with the answers of a real receiver. Screenshots of each
//! main view go to `target/console-screenshots/`. Here the server side is checked too: the
//! messages are in the REST history and the receiver got the callbacks the panes caused.
//!
//! Runs where `NATTER_TEST_WEB_SDK` (the `tests/web-sdk` directory, after `npm ci` there) and
//! `NATTER_TEST_CHROMIUM` are set at build time; elsewhere it is reported as ignored.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::history;

const NODE_TIMEOUT: Duration = Duration::from_secs(180);
const ALICE: &str = "console_alice";
const BOB: &str = "console_bob";

fn web_sdk_dir() -> PathBuf {
    match std::env::var("NATTER_TEST_WEB_SDK") {
        Ok(dir) if !dir.trim().is_empty() && dir.trim() != "off" => PathBuf::from(dir.trim()),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web-sdk"),
    }
}

/// Where the screenshots go: `target/console-screenshots/<engine>`.
fn screenshots(engine: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("console-screenshots").join(engine)
}

async fn run_console(server: &TestServer, group: &str, shots: &PathBuf) -> Value {
    let dir = web_sdk_dir();
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "{} has no node_modules/playwright-core: run `npm ci` there",
        dir.display()
    );
    std::fs::create_dir_all(shots).unwrap();
    let chromium = std::env::var("NATTER_TEST_CHROMIUM").expect("NATTER_TEST_CHROMIUM");
    let child = tokio::process::Command::new("node")
        .arg(dir.join("console.mjs"))
        .args([
            &format!("{}/console", server.base),
            &APP.to_string(),
            ALICE,
            BOB,
            group,
        ])
        .current_dir(&dir)
        .env("CHROMIUM", chromium)
        .env("SCREENSHOTS", shots)
        .env("TIMEOUT_MS", "90000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting node");
    let output = tokio::time::timeout(NODE_TIMEOUT, child.wait_with_output())
        .await
        .expect("console.mjs did not end in time")
        .expect("waiting for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!("console.mjs printed no report; stdout:\n{stdout}\nstderr:\n{stderr}")
        });
    assert!(
        output.status.success() && report["ok"] == true,
        "console.mjs failed at {}: {}\nstderr:\n{stderr}\nreport: {report:#}",
        report["failed"],
        report["error"]
    );
    report
}

fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    &report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name:?} in {report}"))["detail"]
}

async fn two_users_in_the_console(server: TestServer, engine: &str) {
    let receiver = server.webhook_receiver().await;
    // The receiver answers every callback with an answer of its own, which the inspector must
    // show as the app's answer.
    let answer =
        json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "seen by the test receiver"});
    receiver.script(std::iter::repeat_n(
        crate::receiver::Answer::Json(answer),
        1000,
    ));
    server
        .ok(
            "im_open_login_svc/multiaccount_import",
            json!({"AccountList": [{"UserID": ALICE, "Nick": "Alice"}, {"UserID": BOB, "Nick": "Bob"}]}),
        )
        .await;
    let group = server
        .ok(
            "group_open_http_svc/create_group",
            json!({"Type": "Public", "Name": "Console room", "Owner_Account": ALICE, "ApplyJoinOption": "FreeAccess"}),
        )
        .await["GroupId"]
        .as_str()
        .unwrap()
        .to_owned();

    let shots = screenshots(engine);
    let report = run_console(&server, &group, &shots).await;
    assert_eq!(step(&report, "no page errors"), &json!([]), "{report}");

    // What the panes sent is in the server's history, from the right users.
    let sent = step(&report, "A and B exchange one-to-one messages");
    let roam = history(&server, ALICE, BOB, 20, None).await;
    let texts: Vec<(Value, Value)> = roam["MsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["From_Account"].clone(),
                m["MsgBody"][0]["MsgContent"]["Text"].clone(),
            )
        })
        .collect();
    assert!(texts.contains(&(json!(ALICE), sent["a"].clone())), "{roam}");
    assert!(texts.contains(&(json!(BOB), sent["b"].clone())), "{roam}");
    let in_group = step(&report, "B joins the group and both talk there");
    let simple = server
        .ok(
            "group_open_http_svc/group_msg_get_simple",
            json!({"GroupId": group, "ReqMsgNumber": 20, "WithRecalledMsg": 1}),
        )
        .await;
    let group_texts: Vec<&Value> = simple["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["IsPlaceMsg"] == 0)
        .map(|m| &m["MsgBody"][0]["MsgContent"]["Text"])
        .collect();
    assert!(group_texts.contains(&&in_group["a"]), "{simple}");
    // B recalled its group message from its pane: history keeps it, recalled, and the app
    // heard of it from the Web.
    assert!(!group_texts.contains(&&in_group["b"]), "{simple}");
    let recalled: Vec<&Value> = simple["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["IsPlaceMsg"] == 2)
        .collect();
    assert_eq!(recalled.len(), 1, "{simple}");
    assert_eq!(recalled[0]["From_Account"], BOB, "{simple}");
    let recall = receiver.wait_for("Group.CallbackAfterRecallMsg", 1).await;
    assert_eq!(recall[0].body["Operator_Account"], BOB);
    assert_eq!(recall[0].query["OptPlatform"], "Web");

    // The callbacks the panes caused reached the receiver, from the Web, as a real client's.
    let sends = receiver.wait_for("C2C.CallbackAfterSendMsg", 2).await;
    assert!(sends
        .iter()
        .all(|r| r.query.get("OptPlatform").map(String::as_str) == Some("Web")));
    receiver
        .wait_for("Group.CallbackAfterNewMemberJoin", 1)
        .await;
    receiver.wait_for("Group.CallbackAfterSendMsg", 3).await;
    // B's read receipt and B leaving, as a client's.
    let receipt = step(
        &report,
        "A asks for a read receipt in the group; B reads; B leaves",
    );
    let receipts = receiver.wait_for("Group.CallbackAfterReadReceipt", 1).await;
    assert_eq!(
        receipts[0].body["GroupId"],
        group.as_str(),
        "{:?}",
        receipts[0].body
    );
    let exits = receiver.wait_for("Group.CallbackAfterMemberExit", 1).await;
    assert_eq!(exits[0].body["ExitMemberList"][0]["Member_Account"], BOB);
    assert!(group_texts.contains(&&receipt["text"]), "{simple}");
    // The inspector showed the receiver's own answer for the first send.
    let shown = step(
        &report,
        "the inspector shows the callback and the app's answer",
    );
    assert!(
        shown["answer"]
            .as_str()
            .unwrap()
            .contains("seen by the test receiver"),
        "{shown}"
    );
    // The community, its topic and its attribute the page made are on the server.
    let made = step(
        &report,
        "groups: create a community, a topic and an attribute",
    );
    let community = made["community"].as_str().unwrap();
    let info = server
        .ok(
            "group_open_http_svc/get_group_info",
            json!({"GroupIdList": [community]}),
        )
        .await;
    assert_eq!(info["GroupInfo"][0]["Type"], "Community", "{info}");
    assert_eq!(info["GroupInfo"][0]["Owner_Account"], ALICE, "{info}");
    let topics = server
        .ok(
            "million_group_open_http_svc/get_topic",
            json!({"GroupId": community}),
        )
        .await;
    assert_eq!(
        topics["TopicAndSelfInfo"][0]["TopicInfo"]["TopicName"], made["topic"],
        "{topics}"
    );
    let attrs = server
        .ok(
            "group_open_attr_http_svc/get_group_attr",
            json!({"GroupId": community}),
        )
        .await;
    assert_eq!(
        attrs["GroupAttrAry"],
        json!([{"key": "theme", "value": made["attr"]}])
    );

    // The page switched State.StateChange off, and nothing else.
    let config = server.services().webhooks.config(APP);
    let on = config.commands.as_ref().expect("a switch was turned off");
    assert!(!on.contains("State.StateChange"), "{on:?}");
    assert!(on.contains("C2C.CallbackAfterSendMsg"), "{on:?}");
    for view in [
        "signin",
        "accounts",
        "groups",
        "conversations",
        "online",
        "chat",
        "webhooks",
        "webhooks-dark",
    ] {
        let png = shots.join(format!("{view}.png"));
        let bytes = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 1000, "{} is missing or empty", png.display());
    }
}

mod two_users_in_the_console {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_browser)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_CHROMIUM=<chromium binary> to run"
    )]
    async fn sqlite() {
        two_users_in_the_console(TestServer::start(Engine::Sqlite).await, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_browser, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK, NATTER_TEST_CHROMIUM and NATTER_TEST_POSTGRES to run"
    )]
    async fn postgres() {
        two_users_in_the_console(TestServer::start(Engine::Postgres).await, "postgres").await;
    }
}
