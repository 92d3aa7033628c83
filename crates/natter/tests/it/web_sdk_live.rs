//! AVChatRoom viewers without an account through Tencent's Web SDK (`tests/web-sdk/live.mjs`):
//! a logged-in owner talks in the room and an SDK instance that never logs in joins it and
//! receives the messages through the SDK's long polling, and both hear when the room is
//! disbanded; another group type refuses it.

use serde_json::json;

use crate::harness::*;
use crate::live::CREATE;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn viewers_without_login_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let mut ids = Vec::new();
    for (kind, owner) in [("AVChatRoom", BOB), ("Public", ALICE)] {
        let created = server
            .ok(
                CREATE,
                json!({"Type": kind, "Name": "live", "Owner_Account": owner}),
            )
            .await;
        ids.push(created["GroupId"].as_str().unwrap().to_owned());
    }
    let env = [("ROOM", ids[0].clone()), ("PUBLIC", ids[1].clone())];
    let report = run_script(&server, "live.mjs", &env).await;

    let joined = step(&report, "a viewer who never logged in joins the AVChatRoom");
    assert_eq!(joined["status"], "JoinedSuccess", "{joined}");
    let member = step(
        &report,
        "A joins the room logged in (its messages come as pushes: no polling)",
    );
    assert_eq!(member["status"], "JoinedSuccess", "{member}");
    let polled = step(&report, "the viewer receives A's message by long polling");
    assert!(polled["polls"].as_u64().unwrap() >= 1, "{polled}");
    let disbanded = step(
        &report,
        "the owner disbands the room: the member and the viewer are told",
    );
    assert_eq!(disbanded["member"], 5, "{disbanded}");
    assert_eq!(disbanded["viewer"], 5, "{disbanded}");
    assert_eq!(disbanded["rejoin"], 10010, "{disbanded}");
    let refused = step(
        &report,
        "a group of another type refuses a viewer without login",
    );
    assert_eq!(refused["code"], 10007, "{refused}");
}

mod viewers_without_login {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        viewers_without_login_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        viewers_without_login_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
