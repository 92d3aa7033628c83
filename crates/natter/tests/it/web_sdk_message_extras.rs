//! Message extensions and pins through Tencent's Web SDK (`tests/web-sdk/message-extras.mjs`): a
//! one-to-one and a group message sent with `isSupportExtension`, whose extensions each user
//! changes and the other sees through the SDK's events (the REST API reads what they left); the
//! group message pinned and unpinned by the owner, which the member sees and may not do.

use crate::harness::*;
use crate::messages::import;
use crate::web_sdk::{run_script, step, ALICE, BOB};

async fn extensions_and_pins_through_the_web_sdk(server: TestServer) {
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "message-extras.mjs", &[]).await;
    let expected = serde_json::json!({"votes": "2"});

    // What the SDKs left is what the REST API reads.
    let c2c = step(
        &report,
        "one-to-one: extensions set, changed and deleted on both ends",
    );
    assert_eq!(c2c["extensions"], expected, "{c2c}");
    // A fresh SDK's write of a key written since it could know: left alone, with its value.
    assert_eq!(
        c2c["conflict"],
        serde_json::json!({"code": 23001, "key": "votes", "value": "2"}),
        "{c2c}"
    );
    let history = server
        .ok(
            "openim/admin_getroammsg",
            serde_json::json!({"Operator_Account": ALICE, "Peer_Account": BOB, "MaxCnt": 10,
                               "MinTime": 0, "MaxTime": 4_000_000_000u64}),
        )
        .await;
    let msg_key = history["MsgList"][0]["MsgKey"].as_str().unwrap().to_owned();
    let rest = server
        .ok(
            "openim_msg_ext_http_svc/get_key_values",
            serde_json::json!({"From_Account": ALICE, "To_Account": BOB, "MsgKey": msg_key}),
        )
        .await;
    let keys: Vec<(&str, &str)> = rest["ExtensionList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Key"].as_str().unwrap(), e["Value"].as_str().unwrap()))
        .collect();
    assert_eq!(keys, [("votes", "2")], "{rest}");

    let group = step(
        &report,
        "group: extensions set, changed and deleted on both ends",
    );
    assert_eq!(group["extensions"], expected, "{group}");
    assert_eq!(group["conflict"]["code"], 23001, "{group}");
    let rest = server
        .ok(
            "openim_msg_ext_http_svc/group_get_key_values",
            serde_json::json!({"GroupId": group["groupID"], "MsgSeq": group["sequence"]}),
        )
        .await;
    assert_eq!(rest["ExtensionList"][0]["Key"], "votes", "{rest}");
    assert_eq!(rest["ExtensionList"][0]["Value"], "2", "{rest}");
    assert_eq!(rest["ExtensionList"].as_array().unwrap().len(), 1, "{rest}");

    // A member's unpin is refused with the group's permission code.
    let pins = step(
        &report,
        "group: the owner pins the message and unpins it; the member follows",
    );
    assert_eq!(pins["refusedWith"], 10007, "{pins}");
}

mod extensions_and_pins {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_web_sdk),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
    )]
    async fn sqlite() {
        extensions_and_pins_through_the_web_sdk(TestServer::start(Engine::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_web_sdk, natter_test_postgres)),
        ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        extensions_and_pins_through_the_web_sdk(TestServer::start(Engine::Postgres).await).await;
    }
}
