//! Tencent's own Web SDK (`@tencentcloud/chat`, pinned in `tests/web-sdk/package.json`) against
//! the real server: `tests/web-sdk/two-users.mjs` logs two users in through the SDK's
//! `proxyServer` option (a WebSocket to `/binfo`), they exchange C2C texts, read their
//! conversation list and history, and one changes its nick. Then the server side is checked:
//! REST history, the send and login callbacks.
//!
//! Needs Node and `npm ci` in `tests/web-sdk`; runs where `NATTER_TEST_WEB_SDK` names that
//! directory (elsewhere it is reported as ignored, see `build.rs`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{history, import};

const AFTER_SEND: &str = "C2C.CallbackAfterSendMsg";
const STATE: &str = "State.StateChange";
pub(crate) const ALICE: &str = "web_alice";
pub(crate) const BOB: &str = "web_bob";
/// A script stops itself after 60 s (cuts.mjs: 150 s); this is the backstop.
const NODE_TIMEOUT: Duration = Duration::from_secs(180);

/// The `tests/web-sdk` directory: `NATTER_TEST_WEB_SDK`, else the one in this crate.
fn web_sdk_dir() -> PathBuf {
    match std::env::var("NATTER_TEST_WEB_SDK") {
        Ok(dir) if !dir.trim().is_empty() && dir.trim() != "off" => PathBuf::from(dir.trim()),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web-sdk"),
    }
}

/// Runs `two-users.mjs` and returns its report; panics with the report and the script's stderr
/// (SDK errors and one line per WebSocket frame) unless every step passed.
async fn run_two_users(server: &TestServer) -> Value {
    run_script(server, "two-users.mjs", &[]).await
}

/// Runs one of the `tests/web-sdk` scripts for alice and bob; returns its report, or panics with
/// it and the script's stderr unless every step passed.
pub(crate) async fn run_script(server: &TestServer, script: &str, env: &[(&str, String)]) -> Value {
    let dir = web_sdk_dir();
    assert!(
        dir.join("node_modules/@tencentcloud/chat").is_dir(),
        "{} has no node_modules/@tencentcloud/chat: run `npm ci` there",
        dir.display()
    );
    let proxy = server.base.replacen("http://", "ws://", 1);
    let child = tokio::process::Command::new("node")
        .arg(dir.join(script))
        .args([
            proxy.as_str(),
            &APP.to_string(),
            ALICE,
            &server.sig(ALICE),
            BOB,
            &server.sig(BOB),
        ])
        .current_dir(&dir)
        .env("TIMEOUT_MS", "60000")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting node (Node 20 is needed for the Web SDK test)");
    let output = tokio::time::timeout(NODE_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} did not end in time"))
        .expect("waiting for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(400).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    let report: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!("{script} printed no JSON report ({}); stdout:\n{stdout}\nstderr (last lines):\n{tail}", output.status)
        });
    if !(output.status.success() && report["ok"] == true) {
        // The frames are in stderr too (one line each), in full order.
        let mut shown = report.clone();
        shown.as_object_mut().map(|r| r.remove("frames"));
        panic!(
            "the Web SDK run failed ({}) at step {}: {}\nstderr (last lines):\n{tail}\nreport without frames: {shown:#}",
            output.status, report["failed"], report["error"]
        );
    }
    report
}

/// The details the script reported for `name`.
pub(crate) fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name:?} in {report}"))
}

async fn two_users_talk_through_the_web_sdk(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    import(&server, &[ALICE, BOB]).await;

    let report = run_two_users(&server).await;
    assert_eq!(report["unhandled"], json!([]), "{report}");
    let first = step(&report, "A sends B a text");
    let reply = step(&report, "B replies");
    let nick = step(&report, "A changes its nick")["nick"].clone();
    // B's setMessageRead reached A's SDK as the read receipt (MESSAGE_READ_BY_PEER).
    let read = step(&report, "A's SDK says MESSAGE_READ_BY_PEER for its message");
    assert_eq!(read["isPeerRead"], true, "{read}");
    // Group tips: the join tip reached the owner's SDK as a TIMGroupTipElem message, and the
    // kicked member's SDK dropped the group on the system notice.
    let tip = step(&report, "B joins A's group: A gets the join tip");
    assert_eq!(tip["operationType"], 1, "{tip}");
    assert_eq!(tip["userIDList"], json!([BOB]), "{tip}");
    let kicked = step(&report, "A removes B: the group leaves B's list");
    assert_eq!(kicked["operationType"], 4, "{kicked}");
    // One group message has one ID on the sender's SDK and on the receiver's (the SDK builds
    // it from the sender's clock, which Natter keeps as the message's time).
    let talk = step(&report, "A and B talk in the group");
    for who in ["a", "b"] {
        let sent = &talk[who]["sent"];
        assert!(sent.as_str().is_some_and(|id| !id.is_empty()), "{talk}");
        assert_eq!(sent, &talk[who]["received"], "{talk}");
    }
    // Group recall and edit: B edits and recalls its own group message and A's SDK sees both
    // (MESSAGE_MODIFIED, MESSAGE_REVOKED, and the recall in a fresh SDK's history); B may not
    // recall A's message.
    let edited = step(
        &report,
        "B edits its group message: A sees MESSAGE_MODIFIED",
    );
    assert!(
        edited["text"].as_str().unwrap().contains("edited"),
        "{edited}"
    );
    // An edit of a stale copy: the SDK's MSG_MODIFY_CONFLICT, with the message as it is.
    let conflict = step(
        &report,
        "B edits a stale copy: MSG_MODIFY_CONFLICT with the message as it is",
    );
    assert_eq!(conflict["code"], 2480, "{conflict}");
    assert_eq!(conflict["text"], edited["text"], "{conflict}");
    assert_eq!(conflict["version"], 1, "{conflict}");
    let refused = step(&report, "B may not recall A's group message");
    assert_eq!(refused["code"], 10007, "{refused}");
    let revoked = step(
        &report,
        "B recalls its group message: A sees MESSAGE_REVOKED, and so does history",
    );
    assert_eq!(revoked["revoker"], BOB, "{revoked}");
    let recall = receiver.wait_for("Group.CallbackAfterRecallMsg", 1).await;
    assert_eq!(recall[0].query["OptPlatform"], "Web");
    assert_eq!(recall[0].body["Operator_Account"], BOB);
    // Relation pushes: the request, the new friend and the deletion reached the SDKs' lists.
    let asked = step(&report, "A asks B to be friends: B's SDK lists the request");
    assert_eq!(asked["waiting"], true, "{asked}");
    let accepted = step(&report, "B accepts: A's SDK lists B as a friend");
    assert_eq!(accepted["friends"], json!([BOB]), "{accepted}");
    let deleted = step(&report, "A deletes B: B's SDK drops A");
    assert_eq!(deleted["friends"], json!([]), "{deleted}");

    // The two texts are in the C2C history as the SDK sent them (found by their MsgRandom), at
    // the time the SDK was given. Within one second the order is the store's (MsgSeq, then
    // MsgRandom), and two SDK instances can pick the same MsgSeq: only a later second must be later.
    let roam = history(&server, ALICE, BOB, 20, None).await;
    let list = roam["MsgList"].as_array().unwrap();
    assert_eq!(list.len(), 4, "two texts, an image and a file: {roam}");
    let mut at = Vec::new();
    for (sent, from, to) in [(first, ALICE, BOB), (reply, BOB, ALICE)] {
        let i = list
            .iter()
            .position(|m| m["MsgRandom"] == sent["random"])
            .unwrap_or_else(|| panic!("no MsgRandom {} in {roam}", sent["random"]));
        let m = &list[i];
        assert_eq!(
            json!([
                m["From_Account"],
                m["To_Account"],
                m["MsgBody"][0]["MsgContent"]["Text"],
                m["MsgTimeStamp"]
            ]),
            json!([from, to, sent["text"], sent["time"]]),
            "admin_getroammsg: {roam}"
        );
        at.push(i);
    }
    if first["time"].as_u64() < reply["time"].as_u64() {
        assert!(at[0] < at[1], "the reply came a second later: {roam}");
    }
    // The image and the file are there with the URLs of their uploads to Natter.
    let image = step(&report, "A sends B an image");
    let file = step(&report, "B receives the file and downloads the same bytes");
    let elem = |kind: &str| {
        list.iter()
            .map(|m| &m["MsgBody"][0])
            .find(|e| e["MsgType"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {roam}"))
    };
    let images = elem("TIMImageElem")["MsgContent"]["ImageInfoArray"].clone();
    assert_eq!(images[0]["URL"], image["url"], "{roam}");
    assert_eq!(
        (images[0]["Width"].clone(), images[0]["Height"].clone()),
        (json!(3), json!(2))
    );
    // The SDK writes a file's URL with `https://` whatever Natter's scheme; the receiver's
    // `fileDownloadProxy` puts its own address in place of `https://host`.
    let path = |url: &Value| {
        let url = url.as_str().unwrap();
        url[url.find("/_natter/files/").expect("a URL on Natter")..].to_owned()
    };
    let file_url = &elem("TIMFileElem")["MsgContent"]["Url"];
    assert_eq!(path(file_url), path(&file["url"]), "{roam}");

    // The nick set through the SDK is the account's.
    let profile = server
        .ok(
            "profile/portrait_get",
            json!({"To_Account": [ALICE], "TagList": ["Tag_Profile_IM_Nick"]}),
        )
        .await;
    assert_eq!(
        profile["UserProfileItem"][0]["ProfileItem"][0]["Value"], nick,
        "{profile}"
    );

    // One after-send callback per message, from the Web platform.
    let sends = receiver.wait_for(AFTER_SEND, 4).await;
    assert_eq!(receiver.settled_count(&server, AFTER_SEND).await, 4);
    let kinds = |kind: &str| {
        sends
            .iter()
            .filter(|r| r.body["MsgBody"][0]["MsgType"] == kind)
            .count()
    };
    assert_eq!((kinds("TIMImageElem"), kinds("TIMFileElem")), (1, 1));
    let sends: Vec<_> = sends
        .iter()
        .filter(|r| r.body["MsgBody"][0]["MsgType"] == "TIMTextElem")
        .collect();
    let mut seen: Vec<Value> = sends
        .iter()
        .map(|r| {
            json!([
                r.query.get("OptPlatform"),
                r.body["From_Account"],
                r.body["To_Account"],
                r.body["MsgBody"][0]["MsgContent"]["Text"],
                r.body["SendMsgResult"]
            ])
        })
        .collect();
    seen.sort_by_key(|v| v[1].as_str().map(|s| s == BOB));
    assert_eq!(
        seen,
        [
            json!(["Web", ALICE, BOB, first["text"], 0]),
            json!(["Web", BOB, ALICE, reply["text"], 0]),
        ]
    );

    // Each user logged in from the Web, and logged out when the script destroyed its SDK.
    for user in [ALICE, BOB] {
        let mut mine = Vec::new();
        for _ in 0..100 {
            receiver.settled_count(&server, STATE).await;
            mine = actions(&receiver.received(), user);
            if mine.len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            mine.first(),
            Some(&("Login".to_owned(), "Web".to_owned())),
            "{user}: State.StateChange {mine:?}"
        );
        assert_eq!(
            mine.last().map(|(action, _)| action.as_str()),
            Some("Logout"),
            "{user}: State.StateChange {mine:?}"
        );
    }
}

/// `user`'s `State.StateChange` callbacks: (Action, OptPlatform).
fn actions(received: &[crate::receiver::Received], user: &str) -> Vec<(String, String)> {
    received
        .iter()
        .filter(|r| {
            r.query.get("CallbackCommand").map(String::as_str) == Some(STATE)
                && r.body["Info"]["To_Account"] == user
        })
        .map(|r| {
            (
                r.body["Info"]["Action"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                r.query.get("OptPlatform").cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// The same SDK in a real Chromium (its browser build, which opens its socket in a Web Worker):
/// two users exchange a text, the receiver sees the conversation, reads it and reloads history;
/// then an image (which B's page shows) and a video go through the upload flow.
async fn two_users_talk_in_chromium(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    import(&server, &[ALICE, BOB]).await;
    let chromium = std::env::var("NATTER_TEST_CHROMIUM").expect("NATTER_TEST_CHROMIUM");
    let report = run_script(&server, "browser.mjs", &[("CHROMIUM", chromium)]).await;
    let sent = step(&report, "A sends B a text")["detail"].clone();
    assert_eq!(
        step(&report, "B receives it with the sender's id")["detail"],
        sent
    );
    assert_eq!(step(&report, "no page errors")["detail"], json!([]));

    // Files with proxyServer alone: B's page showed the image, and got the video's bytes.
    let shown = &step(&report, "B receives the image and shows it")["detail"];
    assert_eq!(
        (shown["width"].clone(), shown["height"].clone()),
        (json!(1), json!(1))
    );
    let video = &step(&report, "B receives the video and downloads the same bytes")["detail"];
    assert_eq!(video["type"], "video/mp4");

    // On the server: the messages are in the history, oldest first, and the sends came from the
    // Web.
    let roam = history(&server, ALICE, BOB, 20, None).await;
    let list = roam["MsgList"].as_array().unwrap();
    let kinds: Vec<&Value> = list.iter().map(|m| &m["MsgBody"][0]["MsgType"]).collect();
    assert_eq!(
        kinds,
        ["TIMTextElem", "TIMImageElem", "TIMVideoFileElem"],
        "{roam}"
    );
    let text = step(&report, "B reads it and reloads the history")["detail"]["texts"][0].clone();
    assert_eq!(list[0]["MsgBody"][0]["MsgContent"]["Text"], text);
    assert_eq!(
        list[2]["MsgBody"][0]["MsgContent"]["VideoUrl"], video["url"],
        "{roam}"
    );
    let sends = receiver.wait_for(AFTER_SEND, 3).await;
    assert_eq!(
        sends[0].query.get("OptPlatform").map(String::as_str),
        Some("Web")
    );
    assert_eq!(sends[0].body["From_Account"], ALICE);
}

/// A real video sent from Chromium gets a cover (Natter with ffmpeg): the SDK asks for it after
/// the upload, puts it into the message, and B's page shows it at the video's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_web_sdk, natter_test_browser, natter_test_ffmpeg)),
    ignore = "set NATTER_TEST_WEB_SDK, NATTER_TEST_CHROMIUM and NATTER_TEST_FFMPEG=/usr/bin/ffmpeg to run"
)]
async fn a_video_sent_from_a_browser_gets_a_cover() {
    use base64::Engine as _;
    let ffmpeg = std::path::PathBuf::from(std::env::var("NATTER_TEST_FFMPEG").unwrap());
    let server = TestServer::start_with(Engine::Sqlite, |config| {
        config.engines.ffmpeg = Some(ffmpeg.clone());
    })
    .await;
    import(&server, &[ALICE, BOB]).await;
    let video = crate::binfo_covers::test_video(&ffmpeg).await;
    let chromium = std::env::var("NATTER_TEST_CHROMIUM").expect("NATTER_TEST_CHROMIUM");
    let report = run_script(
        &server,
        "browser.mjs",
        &[
            ("CHROMIUM", chromium),
            (
                "VIDEO_BASE64",
                base64::engine::general_purpose::STANDARD.encode(video),
            ),
        ],
    )
    .await;
    let shown = &step(
        &report,
        "B receives the video with its cover and shows the cover",
    )["detail"];
    assert_eq!(
        (shown["width"].clone(), shown["height"].clone()),
        (json!(64), json!(48)),
        "{shown}"
    );
    assert_eq!(shown["said"], json!([64, 48]), "{shown}");
}

mod two_users_talk_in_a_browser {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_browser)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_CHROMIUM=<chromium binary> to run"
    )]
    async fn sqlite() {
        two_users_talk_in_chromium(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_browser, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK, NATTER_TEST_CHROMIUM and NATTER_TEST_POSTGRES to run"
    )]
    async fn postgres() {
        two_users_talk_in_chromium(TestServer::start(Engine::Postgres).await).await;
    }
}

/// `cuts.mjs`: 30 messages, alternating, while a proxy cuts the SDKs' sockets at seeded random
/// moments (`SEED` replays a run; the report names the seed it used). The script checks each
/// side's MESSAGE_RECEIVED and getMessageList; here the REST history must hold the same messages,
/// each once.
async fn talk_through_cut_sockets(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let mut env = vec![("TIMEOUT_MS", "150000".to_owned())];
    if let Ok(seed) = std::env::var("SEED") {
        env.push(("SEED", seed));
    }
    let report = run_script(&server, "cuts.mjs", &env).await;
    eprintln!(
        "cuts.mjs: seed {}, {} cuts",
        report["seed"],
        report["cuts"].as_array().map_or(0, Vec::len)
    );
    let sent = report["sent"].as_array().unwrap();
    assert_eq!(sent.len(), 30, "seed {}", report["seed"]);

    // The server's history, every page, newest first.
    let mut stored = Vec::new();
    let mut page = history(&server, ALICE, BOB, 20, None).await;
    loop {
        stored.extend(page["MsgList"].as_array().unwrap().iter().cloned());
        if page["Complete"] == 1 {
            break;
        }
        page = history(&server, ALICE, BOB, 20, Some(&page)).await;
    }
    let summary = |m: &Value| {
        json!([
            m["From_Account"],
            m["MsgRandom"],
            m["MsgTimeStamp"],
            m["MsgBody"][0]["MsgContent"]["Text"]
        ])
    };
    let mut in_history: Vec<Value> = stored.iter().map(summary).collect();
    let mut expected: Vec<Value> = sent
        .iter()
        .map(|m| json!([m["from"], m["random"], m["time"], m["text"]]))
        .collect();
    in_history.sort_by_key(|v| v.to_string());
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(
        in_history, expected,
        "admin_getroammsg holds each sent message once (seed {}, cuts {})",
        report["seed"], report["cuts"]
    );
}

mod talk_through_cut_sockets {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        talk_through_cut_sockets(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        talk_through_cut_sockets(TestServer::start(Engine::Postgres).await).await;
    }
}

mod two_users_talk {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        two_users_talk_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        two_users_talk_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
