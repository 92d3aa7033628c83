//! The REST envelope and every refusal before a handler runs: auth, routing, limits, bodies.

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::*;

const CHECK: &str = "im_open_login_svc/account_check";

fn check_body() -> String {
    json!({"CheckItem": [{"UserID": ADMIN}]}).to_string()
}

async fn code_for_query(server: &TestServer, query: &str) -> Value {
    let reply = server.call_with_query(CHECK, query, check_body()).await;
    assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");
    reply["ErrorCode"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_checks_answer_with_tencent_codes() {
    let server = TestServer::start(Engine::Sqlite).await;
    let now = server.clock.now_secs() as u64;
    let sig = server.sig(ADMIN);
    let other_key = natter_usersig::generate(APP, "another-key", ADMIN, 86_400, now, None);
    let for_bob = natter_usersig::generate(APP, KEY, "bob", 86_400, now, None);
    let other_app = natter_usersig::generate(OTHER_APP, KEY, ADMIN, 86_400, now, None);
    let expired = natter_usersig::generate(APP, KEY, ADMIN, 10, now - 100, None);
    let q = |appid: &str, id: &str, sig: &str| {
        format!("sdkappid={appid}&identifier={id}&usersig={sig}&random=1")
    };
    let cases = [
        (
            "no sdkappid",
            format!("identifier={ADMIN}&usersig={sig}"),
            60012,
        ),
        ("sdkappid not a number", q("abc", ADMIN, &sig), 60006),
        ("unknown sdkappid", q("1400009999", ADMIN, &sig), 70020),
        (
            "no identifier",
            format!("sdkappid={APP}&usersig={sig}"),
            60004,
        ),
        (
            "no usersig",
            format!("sdkappid={APP}&identifier={ADMIN}"),
            70002,
        ),
        (
            "garbage usersig",
            q(&APP.to_string(), ADMIN, "not-a-sig"),
            70003,
        ),
        (
            "truncated usersig",
            q(&APP.to_string(), ADMIN, &sig[..40]),
            70003,
        ),
        ("other key", q(&APP.to_string(), ADMIN, &other_key), 70009),
        (
            "identifier mismatch",
            q(&APP.to_string(), ADMIN, &for_bob),
            70013,
        ),
        (
            "sdkappid mismatch",
            q(&APP.to_string(), ADMIN, &other_app),
            70014,
        ),
        ("expired", q(&APP.to_string(), ADMIN, &expired), 70001),
        (
            "plain JSON (v0) sig",
            q(&APP.to_string(), ADMIN, "%7B%22TLS.sig%22%3A%22x%22%7D"),
            70016,
        ),
        ("not an admin", q(&APP.to_string(), "bob", &for_bob), 60010),
    ];
    for (what, query, code) in cases {
        assert_eq!(code_for_query(&server, &query).await, code, "{what}");
    }
    // The second configured admin may call too.
    let second = natter_usersig::generate(APP, KEY, "second_admin", 86_400, now, None);
    let reply = server
        .call_with_query(
            CHECK,
            &q(&APP.to_string(), "second_admin", &second),
            check_body(),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigs_made_by_tencents_libraries_are_accepted() {
    let server = TestServer::start(Engine::Sqlite).await;
    server.clock.freeze(1_700_000_010_000);
    // usersig.md §9: PyPI tls-sig-api-v2 1.1 and npm tls-sig-api-v2 1.0.2, frozen at 1700000000.
    for sig in [
        "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqUsTAzgQuWZOaChAzN0RQXZ6aDLIkIz6lyDCtNc3ZJ069wKvQISCz0djHxTHTUr8xKTk0xzXDxzYsqzsn3M-e0VaoFAE8uNc0_",
        "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNVbIyNEcVTa0oyCxKVbKyMDOBCRVnpitZKUWE51Q5hpWmObuk6Vc4FXoEJBZ6u5h4JjrqV2Ylp6aYZrj45kUV5*T7mXvaKtUCAL4xNG0_",
    ] {
        let query = format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1&contenttype=json");
        let reply = server.call_with_query(CHECK, &query, check_body()).await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
    }
    // The same sig a second past its expiry: refused, although it was verified (and cached) before.
    server.clock.freeze(1_700_086_401_000);
    let query = format!(
        "sdkappid={APP}&identifier={ADMIN}&usersig=eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqUsTAzgQuWZOaChAzN0RQXZ6aDLIkIz6lyDCtNc3ZJ069wKvQISCz0djHxTHTUr8xKTk0xzXDxzYsqzsn3M-e0VaoFAE8uNc0_"
    );
    assert_eq!(code_for_query(&server, &query).await, 70001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_answers_60009_and_never_fakes_success() {
    let server = TestServer::start(Engine::Sqlite).await;
    server
        .fails("openim/no_such_command", json!({}), 60009)
        .await;
    server
        .fails("no_such_service/account_check", json!({}), 60009)
        .await;
    // Known to Tencent, not built yet: says so, for every such API in the route table.
    let unbuilt: Vec<String> = natter_http::routes::ROUTES
        .iter()
        .filter(|api| api.handler.is_none())
        .map(|api| api.name())
        .collect();
    for api in &unbuilt {
        let reply = server.fails(api, json!({}), 60009).await;
        assert!(
            reply["ErrorInfo"]
                .as_str()
                .unwrap()
                .contains("not implemented"),
            "{reply}"
        );
    }
    // Paths are case-sensitive, as Tencent's are.
    server
        .fails("IM_OPEN_LOGIN_SVC/account_check", json!({}), 60009)
        .await;
    let reply = server
        .client
        .post(format!(
            "{}/v4/too/many/parts?{}",
            server.base,
            server.admin_query()
        ))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.json::<Value>().await.unwrap()["ErrorCode"], 60009);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_checked_before_handlers() {
    let server = TestServer::start(Engine::Sqlite).await;
    let q = server.admin_query();
    for (what, body) in [
        ("malformed", "{\"CheckItem\": [".to_owned()),
        ("not an object", "[1,2]".to_owned()),
    ] {
        let reply = server.call_with_query(CHECK, &q, body).await;
        assert_eq!(reply["ErrorCode"], 60003, "{what}: {reply}");
    }
    // Over the limit (64 KiB in tests), announced by Content-Length.
    let huge = format!(
        "{{\"CheckItem\":[],\"pad\":\"{}\"}}",
        "x".repeat(100 * 1024)
    );
    let reply = server.call_with_query(CHECK, &q, huge).await;
    assert_eq!(reply["ErrorCode"], 93000, "{reply}");
    // Over the limit without Content-Length (chunked): refused once the limit is passed.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!("POST /v4/{CHECK}?{q} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "y".repeat(16 * 1024);
    for _ in 0..8 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"ErrorCode\":93000"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_client_habits_are_accepted() {
    let server = TestServer::start(Engine::Sqlite).await;
    let url = format!(
        "{}/v4/{CHECK}?{}&random=5&random=6",
        server.base,
        server.admin_query()
    );
    // GET with a JSON body.
    let get: Value = server
        .client
        .get(&url)
        .body(check_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(get["ErrorCode"], 0, "{get}");
    // A form content type (curl's default), and none at all.
    let form: Value = server
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(check_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(form["ErrorCode"], 0, "{form}");
    // No body at all (a bare GET, as some SDKs send field-less calls) is `{}`: a field-less API
    // answers, one that needs fields names the missing one with its invalid-parameter code.
    let groups_url = format!(
        "{}/v4/group_open_http_svc/get_appid_group_list?{}",
        server.base,
        server.admin_query()
    );
    for request in [
        server.client.get(&groups_url),
        server.client.post(&groups_url),
    ] {
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        assert!(reply["GroupIdList"].is_array(), "{reply}");
    }
    let bare: Value = server
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bare["ErrorCode"], 70402, "{bare}");
    assert!(
        bare["ErrorInfo"].as_str().unwrap().contains("CheckItem"),
        "{bare}"
    );
    // Other methods are an HTTP parse error, still with HTTP 200.
    let put = server
        .client
        .put(&url)
        .body(check_body())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(put.json::<Value>().await.unwrap()["ErrorCode"], 60002);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frequency_limits_answer_60007_per_app_and_api() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.apps[0].settings.rate_limits.insert(CHECK.into(), 3);
    })
    .await;
    server.clock.freeze(server.clock.now_ms());
    let body = json!({"CheckItem": [{"UserID": ADMIN}]});
    for _ in 0..3 {
        server.ok(CHECK, body.clone()).await;
    }
    let reply = server.fails(CHECK, body.clone(), 60007).await;
    assert!(
        reply["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("3 calls per second"),
        "{reply}"
    );
    // Another API of the same app has its own budget.
    server
        .ok(
            "profile/portrait_get",
            json!({"To_Account": [ADMIN], "TagList": ["Tag_Profile_IM_Nick"]}),
        )
        .await;
    // The next second starts a new window.
    server.clock.advance_ms(1_000);
    server.ok(CHECK, body).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_reset() {
    let server = TestServer::start(Engine::Sqlite).await;
    let health: Value = server
        .client
        .get(format!("{}/_natter/health", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["storage"], "sqlite");

    server
        .ok(
            "im_open_login_svc/account_import",
            json!({"UserID": "resettable"}),
        )
        .await;
    server
        .fails("openim/no_such_command", json!({}), 60009)
        .await;
    let metrics = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("natter_rest_requests_total{"), "{metrics}");
    assert!(
        metrics.contains("api=\"im_open_login_svc/account_import\""),
        "{metrics}"
    );
    assert!(metrics.contains("code=\"60009\""), "{metrics}");
    assert!(
        metrics.contains("natter_rest_request_duration_seconds"),
        "{metrics}"
    );

    // Reset needs an admin UserSig.
    let bob = natter_usersig::generate(
        APP,
        KEY,
        "bob",
        86_400,
        server.clock.now_secs() as u64,
        None,
    );
    let refused: Value = server
        .client
        .post(format!(
            "{}/_natter/reset?sdkappid={APP}&identifier=bob&usersig={bob}",
            server.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["ErrorCode"], 60010, "{refused}");
    let reset: Value = server
        .client
        .post(format!(
            "{}/_natter/reset?{}",
            server.base,
            server.admin_query()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["ErrorCode"], 0, "{reset}");
    let check = server
        .ok(
            CHECK,
            json!({"CheckItem": [{"UserID": "resettable"}, {"UserID": ADMIN}]}),
        )
        .await;
    assert_eq!(check["ResultItem"][0]["AccountStatus"], "NotImported");
    assert_eq!(
        check["ResultItem"][1]["AccountStatus"], "Imported",
        "admins come back after a reset"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_on_a_known_path_gets_405_with_the_envelope() {
    let server = TestServer::start(Engine::Sqlite).await;
    for (method, path) in [
        (reqwest::Method::POST, "/_natter/health"),
        (reqwest::Method::PUT, "/_natter/webhooks/replay"),
        (reqwest::Method::DELETE, "/_natter/clock"),
    ] {
        let response = server
            .client
            .request(method.clone(), format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");
        assert_eq!(reply["ErrorCode"], 60002, "{reply}");
        assert!(
            reply["ErrorInfo"].as_str().unwrap().contains(path),
            "{reply}"
        );
    }
}
