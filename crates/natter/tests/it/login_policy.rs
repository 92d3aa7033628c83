//! Tencent's console "Login Settings" (`login_policy`, `web_instances`): a login past the limit
//! pushes the older device out with the kick the client understands (`/ws`: the `Kicked` event;
//! the Web SDK: its KICKED_OUT push), and the login's `State.StateChange` names the devices it
//! kicked (`KickedDevice`).

use natter_core::LoginPolicy;
use serde_json::json;

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::sdk_client::SdkClient;

async fn server_with(policy: LoginPolicy, web_instances: u32) -> TestServer {
    TestServer::start_with(Engine::Sqlite, move |config| {
        let app = &mut config.apps[0].settings;
        app.login_policy = policy;
        app.web_instances = web_instances;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_device_per_platform_pushes_out_the_older_one() {
    let server = server_with(LoginPolicy::PerPlatform, 1).await;
    let receiver = server.webhook_receiver().await;
    import(&server, &["alice"]).await;
    let mut phone = Client::login(&server, "alice", "Android").await;
    let mut web = Client::login(&server, "alice", "Web").await;
    let mut new_phone = Client::login(&server, "alice", "Android").await;

    let kicked = phone.event().await;
    assert_eq!(kicked, json!({"Event": "Kicked", "KickType": 2}));
    assert!(
        phone.next_frame().await.is_none(),
        "the older phone is closed"
    );
    web.ok("ping", json!({})).await;
    new_phone.ok("ping", json!({})).await;

    // The third login names the device it kicked; the kicked one logs out as kicked.
    let states = receiver.wait_for("State.StateChange", 4).await;
    let login = states
        .iter()
        .filter(|r| r.body["Info"]["Action"] == "Login")
        .nth(2)
        .expect("three logins");
    assert_eq!(
        login.body["KickedDevice"],
        json!([{"Platform": "Android"}]),
        "{:?}",
        login.body
    );
    assert!(states
        .iter()
        .any(|r| r.body["Info"]["Action"] == "Logout" && r.body["Info"]["Reason"] == "Kicked"));
    let first_two = states
        .iter()
        .filter(|r| r.body["Info"]["Action"] == "Login")
        .take(2);
    for earlier in first_two {
        assert!(
            earlier.body.get("KickedDevice").is_none(),
            "{:?}",
            earlier.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_device_policy_pushes_out_every_other_login() {
    let server = server_with(LoginPolicy::Single, 1).await;
    import(&server, &["bob"]).await;
    let mut web = Client::login(&server, "bob", "Web").await;
    let mut mac = Client::login(&server, "bob", "Mac").await;
    let mut phone = Client::login(&server, "bob", "iOS").await;
    for older in [&mut web, &mut mac] {
        assert_eq!(older.event().await["KickType"], 2);
        assert!(older.next_frame().await.is_none());
    }
    phone.ok("ping", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_instances_past_the_limit_get_the_sdks_kicked_out_push() {
    let server = server_with(LoginPolicy::PerPlatform, 2).await;
    import(&server, &["cat"]).await;
    let mut first = SdkClient::connect(&server, "cat").await;
    let mut second = SdkClient::connect(&server, "cat").await;
    let mut third = SdkClient::connect(&server, "cat").await;
    // The oldest Web instance goes, with KickType 1 (another instance), and its socket closes.
    let (head, body) = first.next_push().await.expect("a kick before the close");
    assert_eq!(
        head["servcmd"], "im_open_status.stat_forceoffline",
        "{head}"
    );
    assert_eq!(
        body["EventArray"][0]["C2cNotifyMsgArray"][0]["KickoutMsgNotify"]["KickType"], 1,
        "{body}"
    );
    assert!(first.next_push().await.is_none(), "closed after the kick");
    // Two instances stay.
    for sdk in [&mut second, &mut third] {
        let reply = sdk.call("heartbeat.alive", json!({})).await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
    }
}
