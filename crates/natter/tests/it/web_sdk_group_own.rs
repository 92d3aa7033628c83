//! Group messages as one member sees them, through Tencent's Web SDK
//! (`tests/web-sdk/group-own.mjs`): a group message deleted by one member for itself, which the
//! REST API and the sender keep; which members read a message (`getGroupReceiptsByUsers`); an
//! extension on a community topic's message; a join request answered from its system notice,
//! which the SDK then deletes.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn group_messages_as_one_member_sees_them(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "group-own.mjs", &[]).await;

    let group = step(&report, "A creates a Public group with B in it");
    let deleted = step(
        &report,
        "B deletes one of A's group messages for itself; A keeps it",
    );
    // The REST API keeps the message B deleted for itself.
    let rest = server
        .ok(
            "group_open_http_svc/group_msg_get_simple",
            serde_json::json!({"GroupId": group["groupID"], "ReqMsgNumber": 20}),
        )
        .await;
    let seqs: Vec<&serde_json::Value> = rest["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["MsgSeq"])
        .collect();
    assert!(seqs.contains(&&deleted["deletedSequence"]), "{rest}");

    // What the app gets from the experimental call: the SDK's names for Natter's items.
    let receipts = step(
        &report,
        "A asks which of its members read a message (getGroupReceiptsByUsers)",
    );
    let item = &receipts["dataList"][0];
    assert_eq!(item["userID"], BOB, "{receipts}");
    assert_eq!(item["sequence"], receipts["sequence"], "{receipts}");

    let topic = step(
        &report,
        "topic: B sets an extension on A's message; A sees it and reads it back",
    );
    assert_eq!(topic["extensions"][BOB], "yes", "{topic}");
}

mod group_own {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        group_messages_as_one_member_sees_them(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        group_messages_as_one_member_sees_them(TestServer::start(Engine::Postgres).await).await;
    }
}
