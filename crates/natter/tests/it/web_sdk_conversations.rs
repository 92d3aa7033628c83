//! The real Web SDK in Node (`tests/web-sdk/conversations.mjs`): a user on two devices pins,
//! marks, unpins and deletes a conversation on one and the other follows through the SDK's own
//! pushes; another user subscribes to the first one's status and sees the custom status set.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn conversations_and_status_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "conversations.mjs", &[]).await;
    let status = &step(
        &report,
        "B subscribes to A's status and sees A's custom status",
    )["status"];
    assert_eq!(status["customStatus"], "in a meeting", "{report}");
    // The server kept what the SDK did: the conversation is gone from the list.
    let list = server
        .ok(
            "recentcontact/get_list",
            serde_json::json!({"From_Account": ALICE, "TimeStamp": 0, "StartIndex": 0,
                "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}),
        )
        .await;
    assert_eq!(list["SessionItem"], serde_json::json!([]), "{list}");
}

mod conversations_and_status {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        conversations_and_status_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        conversations_and_status_through_the_web_sdk(TestServer::start(Engine::Postgres).await)
            .await;
    }
}
