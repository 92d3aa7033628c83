//! Group invitations that wait for approval and a group history cleared for oneself, through
//! Tencent's Web SDK (`tests/web-sdk/group-invites.mjs`): a member invites, the owner sees the
//! notice and the application and agrees, the invitee's SDK takes the group in; then the
//! invitee clears the group's history and, reloaded, sees only what came after; a recall made
//! while the invitee's socket is cut reaches its SDK when it reconnects (`batch_get_group_notify`).

use serde_json::json;

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

const CAROL: &str = "web_carol";

async fn invitations_through_the_web_sdk(server: TestServer) {
    let receiver = server.webhook_receiver().await;
    import(&server, &[ALICE, BOB, CAROL]).await;
    let env = [
        ("USER_C", CAROL.to_owned()),
        ("SIG_C", server.sig(CAROL)),
        // The SDK takes a few seconds to come back after its socket is cut.
        ("TIMEOUT_MS", "150000".to_owned()),
    ];
    let report = run_script(&server, "group-invites.mjs", &env).await;
    assert_eq!(report["unhandled"], json!([]), "{report}");
    let group = step(
        &report,
        "A creates a Work group whose invitations need approval",
    )["groupID"]
        .as_str()
        .unwrap()
        .to_owned();
    let application = step(&report, "A gets the system notice and the application");
    assert_eq!(application["applicationType"], 2, "{application}");
    // The approval ran the REST services: the join was reported, from the Web, as an invitation.
    let joins = receiver
        .wait_for("Group.CallbackAfterNewMemberJoin", 1)
        .await;
    let join = joins
        .iter()
        .find(|j| j.body["NewMemberList"][0]["Member_Account"] == CAROL)
        .expect("carol's join reported");
    assert_eq!(join.body["GroupId"], group.as_str());
    assert_eq!(join.body["JoinType"], "Invited");
    assert_eq!(join.body["Operator_Account"], ALICE);
    assert_eq!(join.query["OptPlatform"], "Web");
    // The clear was carol's alone: the group keeps every message.
    let history = server
        .ok(
            "group_open_http_svc/group_msg_get_simple",
            json!({"GroupId": group, "ReqMsgNumber": 20}),
        )
        .await;
    let texts: Vec<&str> = history["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str())
        .collect();
    // (The recalled message is not listed.)
    assert_eq!(texts, ["after the clear", "before the clear"], "{history}");
}

mod group_invites {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        invitations_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        invitations_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
