//! Group data through Tencent's Web SDK (`tests/web-sdk/group-data.mjs`): custom group
//! attributes, group counters and community topics, each changed by one user through the SDK
//! and seen by the other through the SDK's events.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn group_data_through_the_web_sdk(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "group-data.mjs", &[]).await;
    let group = step(&report, "A creates a Public group with B in it")["groupID"]
        .as_str()
        .unwrap()
        .to_owned();
    // The SDK's writes went through the REST services: their webhooks fired, from the Web.
    let attrs = receiver
        .wait_for("Group.CallbackAfterGroupAttrChanged", 3)
        .await;
    assert!(attrs.iter().all(|a| a.body["GroupId"] == group.as_str()));
    assert!(attrs.iter().all(|a| a.query["OptPlatform"] == "Web"));
    let kinds: Vec<&str> = attrs
        .iter()
        .map(|a| a.body["OptionType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["set", "modify", "delete"]);
    let counters = server
        .ok(
            "group_open_http_svc/get_group_counter",
            serde_json::json!({"GroupId": group}),
        )
        .await;
    assert_eq!(counters["GroupCounter"][0]["Value"], 7, "{counters}");
    let topic = step(
        &report,
        "topics: A creates a community and a topic, B sees it",
    );
    let created = receiver.wait_for("Group.CallbackAfterCreateTopic", 1).await;
    assert_eq!(created[0].body["TopicId"], topic["topicID"]);
    assert_eq!(created[0].query["OptPlatform"], "Web");
    let destroyed = receiver
        .wait_for("Group.CallbackAfterTopicDestroyed", 1)
        .await;
    assert_eq!(destroyed[0].body["TopicIdList"][0], topic["topicID"]);
}

mod group_data {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        group_data_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        group_data_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
