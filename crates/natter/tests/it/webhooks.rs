//! Webhooks against a real HTTP receiver: the request as Tencent sends it, switches, signing,
//! the outbox (retries, dead letters, restarts, order), the control plane, before-callbacks.

use std::time::Duration;

use natter_webhook::payloads::profile::{PortraitSet, ProfileItem};
use natter_webhook::{BeforeOutcome, FailurePolicy, Origin, WebhookConfig};
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::receiver::{Answer, Receiver};

const PORTRAIT: &str = "Profile.CallbackPortraitSet";

async fn with_receiver(
    engine: Engine,
    adjust: impl FnOnce(&mut WebhookConfig),
) -> (TestServer, Receiver) {
    let receiver = Receiver::start().await;
    let url = receiver.url.clone();
    let server = TestServer::start_with(engine, move |c| {
        c.apps[0].webhook.url = Some(url);
        adjust(&mut c.apps[0].webhook);
    })
    .await;
    (server, receiver)
}

fn set_nick(user: &str, nick: &str) -> Value {
    json!({"From_Account": user, "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": nick}]})
}

async fn portrait_set_fires_exactly_as_tencent(engine: Engine) {
    let (server, receiver) = with_receiver(engine, |w| w.token = Some("xxxxyyyy".into())).await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "u1"}))
        .await;
    let before = server.clock.now_ms();
    server
        .ok(
            "profile/portrait_set",
            json!({"From_Account": "u1", "ProfileItem": [
                {"Tag": "Tag_Profile_IM_Nick", "Value": "Nick"},
                {"Tag": "Tag_Profile_IM_Level", "Value": 7},
                {"Tag": "Tag_Profile_Custom_Hobby", "Value": "go"},
            ]}),
        )
        .await;
    let got = receiver.wait_for(PORTRAIT, 1).await.remove(0);
    assert_eq!(
        got.query_order,
        [
            "SdkAppid",
            "CallbackCommand",
            "contenttype",
            "ClientIP",
            "OptPlatform",
            "Sign",
            "RequestTime"
        ]
    );
    assert_eq!(got.query["SdkAppid"], APP.to_string());
    assert_eq!(got.query["contenttype"], "json");
    assert_eq!(got.query["ClientIP"], "127.0.0.1");
    assert_eq!(got.query["OptPlatform"], "RESTAPI");
    let time: i64 = got.query["RequestTime"].parse().unwrap();
    assert!((time - server.clock.now_secs()).abs() <= 2);
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(format!("xxxxyyyy{time}")));
    assert_eq!(
        got.query["Sign"], expected,
        "Sign = sha256(token + RequestTime)"
    );
    assert_eq!(got.content_type.as_deref(), Some("application/json"));
    let body = got.body.as_object().unwrap();
    assert_eq!(
        body.keys().collect::<Vec<_>>(),
        [
            "CallbackCommand",
            "Operator_Account",
            "From_Account",
            "EventTime",
            "ProfileItem"
        ]
    );
    assert_eq!(body["CallbackCommand"], PORTRAIT);
    assert_eq!(body["Operator_Account"], ADMIN);
    assert_eq!(body["From_Account"], "u1");
    let event_ms = body["EventTime"].as_i64().expect("EventTime is an integer");
    assert!(
        event_ms >= before && event_ms <= server.clock.now_ms(),
        "EventTime in milliseconds"
    );
    assert_eq!(
        body["ProfileItem"],
        json!([
            {"Tag": "Tag_Profile_IM_Nick", "Value": "Nick"},
            {"Tag": "Tag_Profile_IM_Level", "Value": 7},
            {"Tag": "Tag_Profile_Custom_Hobby", "Value": "go"},
        ])
    );
    // A refused change fires nothing.
    server
        .fails("profile/portrait_set", set_nick("ghost", "x"), 40003)
        .await;
    server.fails("profile/portrait_set", json!({"From_Account": "u1", "ProfileItem": [{"Tag": "Tag_Profile_IM_Gender", "Value": "x"}]}), 40605).await;
    assert_eq!(receiver.settled_count(&server, PORTRAIT).await, 1);
    // The inspector shows the delivery.
    let log = server.control(Method::GET, "/_natter/webhooks", None).await;
    let delivery = &log["deliveries"][0];
    assert_eq!(delivery["command"], PORTRAIT);
    assert_eq!(delivery["outcome"], "ok");
    assert_eq!(delivery["status"], 200);
    assert!(delivery["url"]
        .as_str()
        .unwrap()
        .contains("CallbackCommand=Profile.CallbackPortraitSet"));
    assert_eq!(delivery["body"]["From_Account"], "u1");
}

mod portrait_set_fires {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        portrait_set_fires_exactly_as_tencent(Engine::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_postgres),
        ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        portrait_set_fires_exactly_as_tencent(Engine::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switches_and_runtime_config() {
    let (server, receiver) = with_receiver(Engine::Sqlite, |w| {
        w.commands = Some(["Group.CallbackAfterGroupInfoChanged".to_owned()].into());
    })
    .await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "s1"}))
        .await;
    server
        .ok("profile/portrait_set", set_nick("s1", "off"))
        .await;
    assert_eq!(
        receiver.settled_count(&server, PORTRAIT).await,
        0,
        "switch off: nothing sent"
    );

    // Turn it on at run time through the control plane, pointing at a second receiver.
    let second = Receiver::start().await;
    let reply = server
        .control(
            Method::POST,
            "/_natter/webhooks/config",
            Some(json!({"url": second.url, "commands": [PORTRAIT]})),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    assert_eq!(reply["config"]["url"], second.url.as_str());
    server
        .ok("profile/portrait_set", set_nick("s1", "on"))
        .await;
    let got = second.wait_for(PORTRAIT, 1).await;
    assert_eq!(got[0].body["ProfileItem"][0]["Value"], "on");
    assert!(!got[0].query.contains_key("Sign"), "no token, no Sign");
    assert_eq!(receiver.settled_count(&server, PORTRAIT).await, 0);
    let read = server
        .control(Method::GET, "/_natter/webhooks/config", None)
        .await;
    assert_eq!(read["config"]["timeout_ms"], 2000, "Tencent's 2 s default");
    let bad = server
        .control(
            Method::POST,
            "/_natter/webhooks/config",
            Some(json!({"nope": 1})),
        )
        .await;
    assert_eq!(bad["ActionStatus"], "FAIL");
}

/// `Webhooks::drain` is a barrier: when it returns, what was recorded has been delivered and
/// settled, however slowly the app answers, so a count taken then is final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_waits_for_deliveries_in_flight() {
    let (server, receiver) = with_receiver(Engine::Sqlite, |_| {}).await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "d1"}))
        .await;
    receiver.script([Answer::Slow(Duration::from_millis(700))]);
    server
        .ok("profile/portrait_set", set_nick("d1", "slow"))
        .await;
    server
        .ok("profile/portrait_set", set_nick("d1", "next"))
        .await;
    assert_eq!(receiver.settled_count(&server, PORTRAIT).await, 2);
    let log = server.control(Method::GET, "/_natter/webhooks", None).await;
    let outcomes: Vec<(&Value, &Value)> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (&d["body"]["ProfileItem"][0]["Value"], &d["outcome"]))
        .collect();
    assert_eq!(
        outcomes,
        [
            (&json!("next"), &json!("ok")),
            (&json!("slow"), &json!("ok"))
        ],
        "both settled, in order: {log}"
    );
}

on_both_engines!(retries_then_dead_letters, |server: TestServer| async move {
    let receiver = Receiver::start().await;
    let config =
        json!({"url": receiver.url, "after_retries": 2, "retry_base_ms": 20, "retry_max_ms": 40});
    server
        .control(Method::POST, "/_natter/webhooks/config", Some(config))
        .await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "r1"}))
        .await;

    // Two failures, then success: delivered on the third attempt.
    receiver.script([Answer::Status(500), Answer::Json(json!("not an object"))]);
    server
        .ok("profile/portrait_set", set_nick("r1", "third time"))
        .await;
    let got = receiver.wait_for(PORTRAIT, 3).await;
    assert!(got
        .iter()
        .all(|r| r.body["ProfileItem"][0]["Value"] == "third time"));
    // Three failures: retries exhausted, a dead letter.
    receiver.script([
        Answer::Status(502),
        Answer::Status(502),
        Answer::Status(502),
    ]);
    server
        .ok("profile/portrait_set", set_nick("r1", "never"))
        .await;
    receiver.wait_for(PORTRAIT, 6).await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = server.control(Method::GET, "/_natter/webhooks", None).await;
        if !log["dead_letters"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dead = &log["dead_letters"][0];
    assert_eq!(dead["command"], PORTRAIT, "{log}");
    assert_eq!(dead["attempts"], 3);
    assert_eq!(dead["last_error"], "HTTP 502");
    assert_eq!(dead["body"]["ProfileItem"][0]["Value"], "never");
    let outcomes: Vec<&str> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["dead", "retrying", "retrying", "ok", "retrying", "retrying"],
        "newest first"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_of_one_user_arrive_in_order() {
    let (server, receiver) = with_receiver(Engine::Sqlite, |_| {}).await;
    server
        .ok(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["o1", "o2"]}),
        )
        .await;
    // A slow first answer must not let later events of the same user overtake it.
    receiver.script([Answer::Slow(Duration::from_millis(300))]);
    for i in 0..5 {
        server
            .ok("profile/portrait_set", set_nick("o1", &format!("n{i}")))
            .await;
        server
            .ok("profile/portrait_set", set_nick("o2", &format!("n{i}")))
            .await;
    }
    let got = receiver.wait_for(PORTRAIT, 10).await;
    for user in ["o1", "o2"] {
        let nicks: Vec<&str> = got
            .iter()
            .filter(|r| r.body["From_Account"] == user)
            .map(|r| r.body["ProfileItem"][0]["Value"].as_str().unwrap())
            .collect();
        assert_eq!(nicks, ["n0", "n1", "n2", "n3", "n4"], "{user}");
    }
}

on_both_engines!(
    pending_callbacks_survive_a_restart,
    |mut server: TestServer| async move {
        // The app backend is down, and retries are an hour apart.
        let down = "http://127.0.0.1:9/im/callback";
        server
            .control(
                Method::POST,
                "/_natter/webhooks/config",
                Some(json!({"url": down, "after_retries": 5, "retry_base_ms": 3_600_000})),
            )
            .await;
        server
            .ok("im_open_login_svc/account_import", json!({"UserID": "p1"}))
            .await;
        server
            .ok("profile/portrait_set", set_nick("p1", "kept"))
            .await;
        let mut seen_retry = false;
        for _ in 0..200 {
            let log = server.control(Method::GET, "/_natter/webhooks", None).await;
            if log["deliveries"][0]["outcome"] == "retrying" {
                seen_retry = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            seen_retry,
            "the first attempt failed and a retry was scheduled"
        );
        // Restart; the backend is up now, and an hour has passed.
        let receiver = Receiver::start().await;
        server.config.apps[0].webhook.url = Some(receiver.url.clone());
        server.config.apps[0].webhook.after_retries = 5;
        server.restart().await;
        server.clock.advance_ms(3_600_001);
        let got = receiver.wait_for(PORTRAIT, 1).await;
        assert_eq!(got[0].body["ProfileItem"][0]["Value"], "kept");
        assert_eq!(got[0].body["From_Account"], "p1");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_and_the_over_limit_alarm() {
    let (server, receiver) = with_receiver(Engine::Sqlite, |_| {}).await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "f1"}))
        .await;
    let reply = server
        .control(
            Method::POST,
            "/_natter/webhooks/faults",
            Some(json!({"command": PORTRAIT, "kind": "timeout", "count": 1})),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    server
        .ok("profile/portrait_set", set_nick("f1", "lost"))
        .await;
    server
        .ok("profile/portrait_set", set_nick("f1", "arrives"))
        .await;
    let got = receiver.wait_for(PORTRAIT, 1).await;
    assert_eq!(got[0].body["ProfileItem"][0]["Value"], "arrives");
    let log = server.control(Method::GET, "/_natter/webhooks", None).await;
    assert_eq!(
        log["dead_letters"][0]["last_error"], "fault injected: timeout",
        "{log}"
    );
    let unknown = server
        .control(
            Method::POST,
            "/_natter/webhooks/faults",
            Some(json!({"command": "No.Such", "kind": "fail", "count": 1})),
        )
        .await;
    assert_eq!(unknown["ActionStatus"], "FAIL");

    // Alert.RequestOverLimit: the call that passes 80% of the limit (default 100/s here).
    server.clock.freeze(server.clock.now_ms());
    let body = json!({"CheckItem": [{"UserID": "f1"}]});
    for _ in 0..81 {
        server
            .ok("im_open_login_svc/account_check", body.clone())
            .await;
    }
    let alarm = receiver
        .wait_for("Alert.RequestOverLimit", 1)
        .await
        .remove(0);
    assert_eq!(
        alarm.body,
        json!({"CallbackCommand": "Alert.RequestOverLimit", "ServiceName": "im_open_login_svc", "Command": "account_check", "Request": 81, "Limit": 100})
    );
    assert_eq!(
        alarm.query_order,
        ["SdkAppid", "CallbackCommand", "contenttype", "OptPlatform"],
        "no ClientIP on the alarm"
    );
    for _ in 0..10 {
        server
            .ok("im_open_login_svc/account_check", body.clone())
            .await;
    }
    assert_eq!(
        receiver
            .settled_count(&server, "Alert.RequestOverLimit")
            .await,
        1,
        "once per second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_callbacks_decide() {
    let (server, receiver) = with_receiver(Engine::Sqlite, |w| w.timeout_ms = 200).await;
    let webhooks = &server.services().webhooks;
    let payload = PortraitSet {
        operator_account: ADMIN.into(),
        from_account: "b1".into(),
        event_time: 1,
        profile_item: vec![ProfileItem::new("Tag_Profile_IM_Nick", "x")],
    };
    let origin = Origin::rest("10.1.2.3");
    let answer = |code: i64, info: &str| {
        Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": code, "ErrorInfo": info}))
    };
    receiver.script([
        Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 0, "MsgBody": []})),
        answer(1, "no"),
        answer(2, ""),
        answer(120_001, "custom"),
        Answer::Slow(Duration::from_millis(600)),
        Answer::Status(500),
    ]);
    match webhooks.before(APP, &payload, &origin).await {
        BeforeOutcome::Allow(Some(reply)) => assert_eq!(reply["MsgBody"], json!([])),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Deny { info: "no".into() }
    );
    assert_eq!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Discard
    );
    assert_eq!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Custom {
            code: 120_001,
            info: "custom".into()
        }
    );
    // Timeout and failure: Tencent's default is to allow.
    assert_eq!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Allow(None)
    );
    assert_eq!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Allow(None)
    );
    assert_eq!(receiver.received()[0].query["ClientIP"], "10.1.2.3");
    // With the deny policy, a failure refuses.
    let mut config = (*webhooks.config(APP)).clone();
    config.on_before_failure = FailurePolicy::Deny;
    webhooks.configure(APP, config).unwrap();
    receiver.script([Answer::Status(503)]);
    assert!(matches!(
        webhooks.before(APP, &payload, &origin).await,
        BeforeOutcome::Deny { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_custom_ca_and_a_client_certificate() {
    use rcgen::{
        BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = Issuer::new(ca_params, ca_key);
    let issue = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![usage];
        (
            params.signed_by(&key, &ca).unwrap().pem(),
            key.serialize_pem(),
        )
    };
    let (server_cert, server_key) = issue(
        vec!["127.0.0.1".into()],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client_cert, client_key) =
        issue(vec!["natter".into()], ExtendedKeyUsagePurpose::ClientAuth);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, pem: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    let ca_path = write("ca.pem", &ca_cert.pem());
    let client_cert_path = write("client.pem", &client_cert);
    let client_key_path = write("client.key", &client_key);

    let receiver = Receiver::start_mutual_tls(&server_cert, &server_key, &ca_cert.pem()).await;
    let server = TestServer::start(Engine::Sqlite).await;
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "t1"}))
        .await;

    // Trusting the CA but without a client certificate: the receiver refuses the handshake.
    let without = json!({"url": receiver.url, "ca_cert": ca_path});
    assert_eq!(
        server
            .control(Method::POST, "/_natter/webhooks/config", Some(without))
            .await["ErrorCode"],
        0
    );
    server
        .ok("profile/portrait_set", set_nick("t1", "refused"))
        .await;
    let mut log = Value::Null;
    for _ in 0..200 {
        log = server.control(Method::GET, "/_natter/webhooks", None).await;
        if !log["dead_letters"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        log["dead_letters"][0]["body"]["ProfileItem"][0]["Value"], "refused",
        "{log}"
    );

    // With the client certificate: delivered.
    let with = json!({"url": receiver.url, "ca_cert": ca_path, "client_cert": client_cert_path, "client_key": client_key_path});
    assert_eq!(
        server
            .control(Method::POST, "/_natter/webhooks/config", Some(with))
            .await["ErrorCode"],
        0
    );
    server
        .ok("profile/portrait_set", set_nick("t1", "accepted"))
        .await;
    let got = receiver.wait_for(PORTRAIT, 1).await;
    assert_eq!(got[0].body["ProfileItem"][0]["Value"], "accepted");
    assert_eq!(got.len(), 1);

    // A missing key file is refused when the settings are given, not at delivery time.
    let broken = json!({"url": receiver.url, "client_cert": client_cert_path});
    assert_eq!(
        server
            .control(Method::POST, "/_natter/webhooks/config", Some(broken))
            .await["ActionStatus"],
        "FAIL"
    );
}
