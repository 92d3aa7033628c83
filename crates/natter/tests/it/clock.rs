//! `/_natter/clock` moves the server's time in emulator mode (an admin UserSig needed) and is
//! refused otherwise; what depends on time follows it (here: UserSig expiry).

use serde_json::{json, Value};

use crate::harness::*;

async fn clock(server: &TestServer, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/_natter/clock?{}", server.base, server.admin_query());
    let request = match body {
        Some(body) => server.client.post(url).body(body.to_string()),
        None => server.client.get(url),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn moved(server: &TestServer, body: Value) -> Value {
    let (status, reply) = clock(server, Some(body)).await;
    assert_eq!((status, &reply["ErrorCode"]), (200, &json!(0)), "{reply}");
    reply
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_freezes_moves_and_resumes() {
    let server = TestServer::start(Engine::Sqlite).await;
    let (status, now) = clock(&server, None).await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["Frozen"], false);

    let at = 1_900_000_000_000i64;
    let frozen = moved(&server, json!({"Action": "freeze", "Ms": at})).await;
    assert_eq!(
        (frozen["NowMs"].as_i64(), &frozen["Frozen"]),
        (Some(at), &json!(true))
    );
    assert_eq!(server.clock.now_ms(), at, "the server's own clock moved");
    let later = moved(&server, json!({"Action": "advance", "Ms": 90_000})).await;
    assert_eq!(later["NowMs"].as_i64(), Some(at + 90_000));
    let set = moved(&server, json!({"Action": "set", "Ms": at + 5})).await;
    assert_eq!(set["NowMs"].as_i64(), Some(at + 5));
    let running = moved(&server, json!({"Action": "resume"})).await;
    assert_eq!(running["Frozen"], false);
    assert!(running["NowMs"].as_i64().unwrap() >= at + 5);

    // Bad requests name the problem.
    let (_, reply) = clock(&server, Some(json!({"Action": "advance"}))).await;
    assert_eq!(reply["ErrorCode"], 60003, "{reply}");
    let (_, reply) = clock(&server, Some(json!({"Action": "rewind"}))).await;
    assert_eq!(reply["ErrorCode"], 60003, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usersigs_expire_by_the_moved_clock() {
    let server = TestServer::start(Engine::Sqlite).await;
    // A user's sig for one hour, made now; two hours later it is refused with 70001.
    let sig =
        natter_usersig::generate(APP, KEY, ADMIN, 3_600, server.clock.now_secs() as u64, None);
    let query =
        format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json");
    let check = json!({"CheckItem": [{"UserID": ADMIN}]}).to_string();
    let reply = server
        .call_with_query("im_open_login_svc/account_check", &query, check.clone())
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    moved(&server, json!({"Action": "advance", "Ms": 2 * 3_600_000})).await;
    let reply = server
        .call_with_query("im_open_login_svc/account_check", &query, check)
        .await;
    assert_eq!(reply["ErrorCode"], 70001, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_emulator_mode_the_clock_is_refused() {
    let server = TestServer::start_with(Engine::Sqlite, |config| config.emulator = false).await;
    let before = server.clock.now_ms();
    for body in [None, Some(json!({"Action": "advance", "Ms": 86_400_000}))] {
        let (status, reply) = clock(&server, body).await;
        assert_eq!(status, 403, "{reply}");
        assert_eq!(reply["ErrorCode"], 60010, "{reply}");
    }
    assert!(
        server.clock.now_ms() - before < 86_400_000,
        "the clock did not move"
    );
    // And without an admin UserSig in emulator mode: the usual refusal.
    let server = TestServer::start(Engine::Sqlite).await;
    let reply: Value = server
        .client
        .get(format!("{}/_natter/clock?sdkappid={APP}", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["ErrorCode"], 60004, "no identifier: {reply}");
}
