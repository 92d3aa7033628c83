//! Message reactions through Tencent's Web SDK (`tests/web-sdk/reactions.mjs`): on a one-to-one,
//! a group and a community topic's message, two users add and remove reactions and each hears of the other's
//! (MESSAGE_REACTIONS_UPDATED), lists them and pages a reaction's users; reacting twice and
//! removing a reaction one does not have get Tencent's codes.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

const ALREADY_REACTED: u64 = 23007;
const NOT_REACTED: u64 = 23008;

async fn reactions_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "reactions.mjs", &[]).await;
    for name in [
        "one-to-one: both react, list, page and take back",
        "group: both react, list, page and take back",
        "topic: both react, list, page and take back",
    ] {
        let done = step(&report, name);
        assert_eq!(done["twice"], ALREADY_REACTED, "{name}: {done}");
        assert_eq!(done["notThere"], NOT_REACTED, "{name}: {done}");
    }
}

mod reactions {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        reactions_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        reactions_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
