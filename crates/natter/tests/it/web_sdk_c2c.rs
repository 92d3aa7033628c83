//! The real Web SDK in Node (`tests/web-sdk/c2c-own.mjs`): one-to-one read receipts, the
//! notification settings (per peer and for all messages), deleting messages for oneself, a
//! merged message too large to send whole, and the recall time limit. The
//! server's REST history then agrees: the deleted messages are gone from the deleter's history
//! (`admin_getroammsg` is the operator's view) and kept in the peer's, and the message recalled
//! too late is not recalled.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, ALICE, BOB};

/// The texts of `operator`'s whole history with `peer`, with their `MsgFlagBits` (pages stop
/// near 13 KB, so it reads page after page).
async fn history(server: &TestServer, operator: &str, peer: &str) -> Vec<(String, u64)> {
    let mut texts = Vec::new();
    let mut last_key = String::new();
    loop {
        let page = server
            .ok(
                "openim/admin_getroammsg",
                json!({"Operator_Account": operator, "Peer_Account": peer, "MaxCnt": 100,
                       "MinTime": 0, "MaxTime": 4_000_000_000u64, "LastMsgKey": last_key}),
            )
            .await;
        for m in page["MsgList"].as_array().unwrap() {
            let text = m["MsgBody"][0]["MsgContent"]["Text"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            texts.push((text, m["MsgFlagBits"].as_u64().unwrap_or(0)));
        }
        if page["Complete"] == 1 {
            return texts;
        }
        last_key = page["LastMsgKey"].as_str().unwrap().to_owned();
    }
}

fn has(list: &[(String, u64)], text: &Value) -> bool {
    list.iter().any(|(t, _)| Some(t.as_str()) == text.as_str())
}

async fn own_side_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let clock_url = format!("{}/_natter/clock?{}", server.base, server.admin_query());
    let report = run_script(&server, "c2c-own.mjs", &[("CLOCK_URL", clock_url)]).await;
    let alice = history(&server, ALICE, BOB).await;
    let bob = history(&server, BOB, ALICE).await;
    for deleted in report["deleted"].as_array().unwrap() {
        assert!(
            !has(&alice, deleted),
            "{deleted} left A's history: {alice:?}"
        );
        assert!(has(&bob, deleted), "{deleted} stays in B's: {bob:?}");
    }
    assert!(has(&alice, &report["kept"]), "{alice:?}");
    let late = report["lateText"].as_str().unwrap();
    let flags = alice.iter().find(|(t, _)| t == late).map(|(_, f)| *f);
    assert_eq!(flags, Some(0), "the late recall changed nothing: {alice:?}");
}

mod own_side {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        own_side_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        own_side_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
