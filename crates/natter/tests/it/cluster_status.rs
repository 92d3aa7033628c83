//! The Web SDK's user statuses in a cluster: a custom status set on one node is read on another,
//! and a subscriber on a third is told of it and of the user going offline when their last
//! connection (on any node) ends. Ignored unless `NATTER_TEST_POSTGRES` and `NATTER_TEST_NATS`
//! are set. (A dead node's users losing their custom status is in `cluster.rs`, with the node
//! killed there.)

use std::time::Duration;

use natter_core::LoginPolicy;
use serde_json::{json, Value};

use crate::binfo_status::{b64, next_status, ok};
use crate::cluster::{nodes, until_statuses};
use crate::messages::import;
use crate::sdk_client::SdkClient;

const GET: &str = "im_open_status.ws_get_user_status";
const SET: &str = "im_open_status.ws_set_custom_status";
const SUBSCRIBE: &str = "im_open_status.ws_status_subscribe";
const UNSUBSCRIBE: &str = "im_open_status.ws_status_unsubscribe";

/// `user`'s status as `sdk`'s node answers `getUserStatus`.
async fn status(sdk: &mut SdkClient, user: &str) -> Value {
    ok(sdk, GET, json!({"To_Account": [user]})).await["UserStatusList"][0].clone()
}

/// Asks until `user`'s status is `expected` (another node's change reaches this node's replica
/// a moment after it was answered); at most 30 s.
async fn until_status(sdk: &mut SdkClient, user: &str, expected: &Value) {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = status(sdk, user).await;
        if last == *expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("status of {user}: {last}, expected {expected}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn custom_statuses_and_their_subscribers_span_the_nodes() {
    let cluster = nodes(3, LoginPolicy::Unlimited).await;
    let (a, b, c) = (&cluster[0], &cluster[1], &cluster[2]);
    import(a, &["cs_x", "cs_y"]).await;
    let mut x = SdkClient::connect(a, "cs_x").await;
    let mut x_phone = SdkClient::connect(b, "cs_x").await;
    let mut y = SdkClient::connect(c, "cs_y").await;
    let online = json!({"To_Account": "cs_x", "Status": 1, "CustomStatus": ""});
    until_status(&mut y, "cs_x", &online).await;
    let reply = ok(&mut y, SUBSCRIBE, json!({"To_Account": ["cs_x"]})).await;
    assert_eq!(reply["ErrorList"], json!([]), "{reply}");

    // X sets a custom status on A: Y's node C pushes it to Y, and every node to X's devices.
    ok(&mut x, SET, json!({"CustomStatus": "on node A"})).await;
    let set = json!({"To_Account": "cs_x", "Status": 1, "CustomStatus": b64("on node A")});
    assert_eq!(next_status(&mut y).await, set);
    assert_eq!(next_status(&mut x).await, set);
    assert_eq!(next_status(&mut x_phone).await, set);
    // C had it before it pushed it, and B too.
    assert_eq!(status(&mut y, "cs_x").await, set);
    assert_eq!(status(&mut x_phone, "cs_x").await, set);
    // The same status again is told again, as on one node.
    ok(&mut x, SET, json!({"CustomStatus": "on node A"})).await;
    assert_eq!(next_status(&mut y).await, set);

    // X's phone on B goes: X is still online on A, with the status; no one is told anything.
    x_phone.close().await;
    until_statuses(c, &["cs_x"], &[("Online", &["Web"])]).await;
    assert_eq!(status(&mut y, "cs_x").await, set);
    // X's last connection, on A, ends: Y on C sees X logged out, the custom status gone.
    x.close().await;
    let gone = json!({"To_Account": "cs_x", "Status": 3, "CustomStatus": ""});
    assert_eq!(next_status(&mut y).await, gone);
    assert_eq!(status(&mut y, "cs_x").await, gone);

    // X comes back on B: online, without the old status.
    let mut x = SdkClient::connect(b, "cs_x").await;
    assert_eq!(next_status(&mut y).await, online);
    until_status(&mut x, "cs_x", &online).await;

    // Unsubscribed on C: X's next change is not pushed to Y (Y's own status push, which comes
    // after X's change in the cluster's order, is the next Y gets).
    ok(&mut y, UNSUBSCRIBE, json!({"To_Account": ["cs_x"]})).await;
    ok(&mut x, SET, json!({"CustomStatus": "later"})).await;
    ok(&mut y, SET, json!({"CustomStatus": "mine"})).await;
    assert_eq!(next_status(&mut y).await["To_Account"], "cs_y");
}
