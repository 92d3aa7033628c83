//! The browser console (`/console`) and what it needs from the control plane: its files served
//! with the right types and caching, `/_natter/usersig` on a local emulator only, the webhook
//! log's cursor and replay. The page itself is driven in Chromium by `console_browser.rs`.

use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;

const FILES: &[(&str, &str)] = &[
    ("", "text/html; charset=utf-8"),
    ("index.html", "text/html; charset=utf-8"),
    ("console.css", "text/css; charset=utf-8"),
    ("favicon.svg", "image/svg+xml"),
    ("js/main.js", "text/javascript; charset=utf-8"),
    ("js/api.js", "text/javascript; charset=utf-8"),
    ("js/ws.js", "text/javascript; charset=utf-8"),
    ("js/chat.js", "text/javascript; charset=utf-8"),
    ("js/webhooks.js", "text/javascript; charset=utf-8"),
];

/// A client that neither follows redirects nor asks for compression by itself.
fn plain() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .build()
        .unwrap()
}

fn text(headers: &reqwest::header::HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(&name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_files_are_served_with_types_and_caching() {
    let server = TestServer::start(Engine::Sqlite).await;
    let client = plain();

    // /console → console/, so the page's relative URLs resolve inside it.
    let r = client
        .get(format!("{}/console", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(text(r.headers(), header::LOCATION), "console/");

    for (file, content_type) in FILES {
        let url = format!("{}/console/{file}", server.base);
        let r = client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{file}");
        let h = r.headers().clone();
        assert_eq!(text(&h, header::CONTENT_TYPE), *content_type, "{file}");
        assert_eq!(text(&h, header::CACHE_CONTROL), "no-cache", "{file}");
        assert_eq!(
            text(&h, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{file}"
        );
        assert!(text(&h, header::CONTENT_ENCODING).is_empty(), "{file}");
        let tag = text(&h, header::ETAG);
        assert!(tag.starts_with('"') && tag.ends_with('"'), "{file}: {tag}");
        let body = r.text().await.unwrap();
        assert!(!body.is_empty(), "{file}");
        if content_type.starts_with("text/html") {
            let csp = text(&h, header::CONTENT_SECURITY_POLICY);
            assert!(csp.contains("default-src 'self'"), "{csp}");
            assert!(body.contains(r#"<script type="module" src="js/main.js">"#));
        }

        // Unchanged: a bodiless 304 with the same tag.
        let r = client
            .get(&url)
            .header(header::IF_NONE_MATCH, &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{file}");
        assert_eq!(text(r.headers(), header::ETAG), tag);
        assert!(r.bytes().await.unwrap().is_empty());
        // Another tag: the file again.
        let r = client
            .get(&url)
            .header(header::IF_NONE_MATCH, "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{file}");

        // Gzipped for clients that take it, and the same bytes once unzipped.
        let r = client
            .get(&url)
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(
            text(r.headers(), header::CONTENT_ENCODING),
            "gzip",
            "{file}"
        );
        assert_eq!(text(r.headers(), header::VARY), "Accept-Encoding");
        let zipped = r.bytes().await.unwrap();
        assert!(zipped.len() < body.len(), "{file}");
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&zipped[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, body, "{file}");
    }

    let r = client
        .get(format!("{}/console/js/nope.js", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client
        .get(format!("{}/console/../Cargo.toml", server.base))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
}

async fn mint(server: &TestServer, body: Value, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = server
        .client
        .post(format!("{}/_natter/usersig?sdkappid={APP}", server.base))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_emulator_mints_usersigs() {
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
    assert_eq!(
        health["emulator"], true,
        "the test server listens on 127.0.0.1"
    );

    // A minted admin sig works on the REST API.
    let (status, reply) = mint(&server, json!({"identifier": ADMIN}), &[]).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["ActionStatus"], "OK", "{reply}");
    assert_eq!(reply["Expire"], 86_400);
    let sig = reply["UserSig"].as_str().unwrap();
    let query = format!("sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=1");
    let checked = server
        .call_with_query(
            "im_open_login_svc/account_check",
            &query,
            json!({"CheckItem": [{"UserID": ADMIN}]}).to_string(),
        )
        .await;
    assert_eq!(checked["ActionStatus"], "OK", "{checked}");
    assert_eq!(checked["ResultItem"][0]["AccountStatus"], "Imported");

    // Bad requests get codes, not sigs.
    let (_, reply) = mint(&server, json!({"identifier": ""}), &[]).await;
    assert_eq!(reply["ErrorCode"], 70402, "{reply}");
    let (_, reply) = mint(&server, json!({"identifier": "a", "expire": 0}), &[]).await;
    assert_eq!(reply["ErrorCode"], 60003, "{reply}");
    let (_, reply) = mint(&server, json!({"who": "a"}), &[]).await;
    assert_eq!(reply["ErrorCode"], 60003, "{reply}");
    let r = server
        .client
        .post(format!("{}/_natter/usersig?sdkappid=42", server.base))
        .body(r#"{"identifier":"a"}"#)
        .send()
        .await
        .unwrap();
    let reply: Value = r.json().await.unwrap();
    assert_eq!(reply["ErrorCode"], 70020, "{reply}");

    // A page served from here may ask (its Origin is this server).
    let origin = server.base.clone();
    let (status, _) = mint(
        &server,
        json!({"identifier": ADMIN}),
        &[("Origin", &origin)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Through a proxy (even one on this machine) the request is not the machine's own; a name
    // that is not loopback in Host (DNS rebinding) or a page from elsewhere is not either.
    for headers in [
        [("X-Forwarded-For", "203.0.113.9")],
        [("Forwarded", "for=203.0.113.9")],
        [("Host", "rebound.example:8080")],
        [("Origin", "https://evil.example")],
        [("Origin", "null")],
    ] {
        let (status, reply) = mint(&server, json!({"identifier": ADMIN}), &headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply["ActionStatus"], "FAIL");
        assert!(reply.get("UserSig").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_others_can_reach_mints_nothing() {
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.listen = "0.0.0.0:0".parse().unwrap();
        // What `--emulator auto` (the default) resolves to on such an address.
        c.emulator = false;
    })
    .await;
    // Reach it on loopback: the request is local, but the server is not an emulator.
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let base = format!("http://127.0.0.1:{port}");
    let health: Value = server
        .client
        .get(format!("{base}/_natter/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["emulator"], false);
    let r = server
        .client
        .post(format!("{base}/_natter/usersig?sdkappid={APP}"))
        .body(json!({"identifier": ADMIN}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let reply: Value = r.json().await.unwrap();
    assert_eq!(reply["ErrorCode"], 60010, "{reply}");
    assert!(reply["ErrorInfo"].as_str().unwrap().contains("loopback"));
}

/// `GET /_natter/webhooks?after=`: each delivery once; replay sends one again.
async fn the_inspector_polls_with_a_cursor_and_replays(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    let first = server.control(Method::GET, "/_natter/webhooks", None).await;
    assert_eq!(first["deliveries"], json!([]), "{first}");
    let cursor = first["cursor"].as_u64().unwrap();

    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "u1"}))
        .await;
    let nick = json!({"From_Account": "u1", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "One"}]});
    server.ok("profile/portrait_set", nick).await;
    receiver
        .settled_count(&server, "Profile.CallbackPortraitSet")
        .await;

    let after = |c: u64| {
        let server = &server;
        async move {
            let query = format!("{}&after={c}", server.admin_query());
            let r: Value = server
                .client
                .get(format!("{}/_natter/webhooks?{query}", server.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r
        }
    };
    let page = after(cursor).await;
    let deliveries = page["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{page}");
    let d = &deliveries[0];
    assert_eq!(d["command"], "Profile.CallbackPortraitSet");
    assert_eq!(d["outcome"], "ok");
    assert_eq!(d["status"], 200);
    assert!(d["response"].as_str().unwrap().contains("ActionStatus"));
    let id = d["id"].as_u64().unwrap();
    assert!(id > cursor);
    let next = page["cursor"].as_u64().unwrap();
    assert_eq!(next, id);
    // Nothing new: nothing returned, the cursor stays.
    let page = after(next).await;
    assert_eq!(page["deliveries"], json!([]), "{page}");
    assert_eq!(page["cursor"], next);
    let bad = server
        .client
        .get(format!(
            "{}/_natter/webhooks?{}&after=soon",
            server.base,
            server.admin_query()
        ))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(bad["ErrorCode"], 60003, "{bad}");

    // Replay: the receiver gets the same callback again, and the log a new entry.
    let replayed = server
        .control(
            Method::POST,
            "/_natter/webhooks/replay",
            Some(json!({"delivery": id})),
        )
        .await;
    assert_eq!(replayed["ActionStatus"], "OK", "{replayed}");
    let got = receiver.wait_for("Profile.CallbackPortraitSet", 2).await;
    assert_eq!(got[1].body, got[0].body);
    assert_eq!(
        got[1].query.get("OptPlatform"),
        got[0].query.get("OptPlatform")
    );
    receiver
        .settled_count(&server, "Profile.CallbackPortraitSet")
        .await;
    let page = after(next).await;
    assert_eq!(page["deliveries"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["deliveries"][0]["body"], d["body"]);

    for wrong in [
        json!({"delivery": 999_999}),
        json!({"dead_letter": 999_999}),
        json!({}),
        json!({"delivery": id, "dead_letter": 1}),
    ] {
        let reply = server
            .control(
                Method::POST,
                "/_natter/webhooks/replay",
                Some(wrong.clone()),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 60003, "{wrong}: {reply}");
    }
}

on_both_engines!(
    the_inspector_polls_with_a_cursor_and_replays,
    the_inspector_polls_with_a_cursor_and_replays
);

/// A dead letter is replayed from the outbox's dead letters.
async fn a_dead_letter_is_replayed(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    receiver.script([crate::receiver::Answer::Status(500)]);
    server
        .ok("im_open_login_svc/account_import", json!({"UserID": "u1"}))
        .await;
    let nick = json!({"From_Account": "u1", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "One"}]});
    server.ok("profile/portrait_set", nick).await;
    receiver
        .settled_count(&server, "Profile.CallbackPortraitSet")
        .await;
    let log = server.control(Method::GET, "/_natter/webhooks", None).await;
    let dead = log["dead_letters"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "no retries by default: {log}");
    let replayed = server
        .control(
            Method::POST,
            "/_natter/webhooks/replay",
            Some(json!({"dead_letter": dead[0]["id"]})),
        )
        .await;
    assert_eq!(replayed["ActionStatus"], "OK", "{replayed}");
    let got = receiver.wait_for("Profile.CallbackPortraitSet", 2).await;
    assert_eq!(got[1].body, got[0].body);
}

on_both_engines!(a_dead_letter_is_replayed, a_dead_letter_is_replayed);

/// The token is shown as "(set)"; writing "(set)" back keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_settings_round_trip_keeps_the_token() {
    let server = TestServer::start(Engine::Sqlite).await;
    let receiver = server.webhook_receiver().await;
    let set = json!({"url": receiver.url, "token": "secret-token"});
    server
        .control(Method::POST, "/_natter/webhooks/config", Some(set))
        .await;
    let shown = server
        .control(Method::GET, "/_natter/webhooks/config", None)
        .await;
    assert_eq!(shown["config"]["token"], "(set)", "{shown}");
    let known = shown["commands_known"].as_array().unwrap();
    assert!(known
        .iter()
        .any(|c| c["command"] == "C2C.CallbackAfterSendMsg" && c["fired"] == true));
    // Written back as shown, with one switch: the token is still the secret one.
    let mut config = shown["config"].clone();
    config["commands"] = json!(["Profile.CallbackPortraitSet"]);
    server
        .control(Method::POST, "/_natter/webhooks/config", Some(config))
        .await;
    assert_eq!(
        server.services().webhooks.config(APP).token.as_deref(),
        Some("secret-token")
    );
}

/// `GET /_natter/accounts`: every account, a keyset page at a time, by prefix.
async fn accounts_are_listed_page_by_page(server: TestServer) {
    let users: Vec<Value> = ["p_b", "p_a", "p_c", "q_a"]
        .iter()
        .map(|u| json!({"UserID": u}))
        .collect();
    server
        .ok(
            "im_open_login_svc/multiaccount_import",
            json!({"AccountList": users}),
        )
        .await;
    let list = |extra: &str| {
        let url = format!(
            "{}/_natter/accounts?{}&{extra}",
            server.base,
            server.admin_query()
        );
        let client = server.client.clone();
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let all = list("").await;
    assert_eq!(
        all["accounts"],
        json!([ADMIN, "p_a", "p_b", "p_c", "q_a", "second_admin"]),
        "{all}"
    );
    assert!(all.get("next").is_none(), "one page: {all}");
    let first = list("prefix=p_&limit=2").await;
    assert_eq!(first["accounts"], json!(["p_a", "p_b"]), "{first}");
    assert_eq!(first["next"], "p_b");
    let second = list("prefix=p_&limit=2&after=p_b").await;
    assert_eq!(second["accounts"], json!(["p_c"]), "{second}");
    assert!(second.get("next").is_none(), "{second}");
    for bad in [
        "limit=0",
        "limit=1001",
        "limit=many",
        &format!("prefix={}", "x".repeat(33)),
    ] {
        let reply = list(bad).await;
        assert_eq!(reply["ErrorCode"], 70402, "{bad}: {reply}");
    }
    // Admins only.
    let reply: Value = server
        .client
        .get(format!("{}/_natter/accounts", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");
}

on_both_engines!(
    accounts_are_listed_page_by_page,
    accounts_are_listed_page_by_page
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_list_names_connected_users_and_their_platforms() {
    let server = TestServer::start(Engine::Sqlite).await;
    crate::messages::import(&server, &["ann", "ben", "cy"]).await;
    let empty = server.control(Method::GET, "/_natter/online", None).await;
    assert_eq!(empty["users"], json!([]), "{empty}");
    let _ann_web = crate::client::Client::login(&server, "ann", "Web").await;
    let _ann_phone = crate::client::Client::login(&server, "ann", "Android").await;
    let ben = crate::client::Client::login(&server, "ben", "iOS").await;
    let listed = server.control(Method::GET, "/_natter/online", None).await;
    assert_eq!(listed["ErrorCode"], 0, "{listed}");
    let users = listed["users"].as_array().unwrap();
    let ids: Vec<&str> = users
        .iter()
        .map(|u| u["UserID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ann", "ben"], "{listed}");
    let mut platforms: Vec<&str> = users[0]["Platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    platforms.sort();
    assert_eq!(platforms, ["Android", "Web"]);
    assert!(listed.get("next").is_none());
    // Once ben leaves, only ann is listed; without an admin UserSig, nothing is.
    ben.drop_link().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = server.control(Method::GET, "/_natter/online", None).await;
        if now["users"].as_array().unwrap().len() == 1 {
            assert_eq!(now["users"][0]["UserID"], "ann");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{now}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let refused: Value = server
        .client
        .get(format!("{}/_natter/online?sdkappid={APP}", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["ErrorCode"], 60004, "no identifier: {refused}");
}
