//! Cloud search through Tencent's Web SDK (`tests/web-sdk/search.mjs`): the four methods of its
//! cloud search plugin find what each user may see, and pages go on with the SDK's cursor.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn search_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "search.mjs", &[]).await;

    let messages = step(&report, "searchCloudMessages: all conversations, then one");
    assert_eq!(messages["total"], 2, "{messages}");
    // B's one-to-one conversation with A and the group: each has A's text messages.
    assert_eq!(messages["bySender"], 2, "{messages}");
    let others = step(
        &report,
        "searchCloudUsers, searchCloudGroups, searchCloudGroupMembers",
    );
    assert_eq!(others["users"], 1, "{others}");
}

mod search {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        search_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        search_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
