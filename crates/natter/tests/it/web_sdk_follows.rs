//! Follows through Tencent's Web SDK (`tests/web-sdk/follows.mjs`): a follow, a follow back and
//! an unfollow, each heard by the other user's SDK as its follow events; the lists and counts
//! the SDK reads; what is left is what a frame-level read sees.

use serde_json::json;

use crate::harness::*;
use crate::messages::import;
use crate::sdk_client::SdkClient;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn follows_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "follows.mjs", &[]).await;

    let first = step(
        &report,
        "A follows B (and an unknown user); B hears of a new fan",
    );
    assert_eq!(first["codes"][BOB], 0, "{first}");
    assert_eq!(first["codes"]["nobody_here"], 30003, "{first}");
    let lists = step(&report, "lists and counts agree");
    assert_eq!(lists["fan"]["nick"], "Bee", "{lists}");
    // After the unfollow B still follows A: A's fan, B's "I follow them" (2).
    let last = step(&report, "A unfollows B; B's fans and mutual list lose A");
    assert_eq!(last["followType"], 2, "{last}");

    let mut sdk = SdkClient::connect(&server, ALICE).await;
    let reply = sdk
        .call(
            "follow.follow_check",
            json!({"From_Account": ALICE, "To_Account": [BOB]}),
        )
        .await;
    assert_eq!(reply["ResultItem"][0]["FollowType"], 1, "{reply}");
}

mod follows {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        follows_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        follows_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
