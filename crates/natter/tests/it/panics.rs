//! A request whose handler panics gets an internal-error answer, is counted in `/metrics`, and
//! harms nothing else: REST goes on serving, a WebSocket closes only itself. The panicking
//! request (`natter_test/panic`) exists only in builds with natter-http's `test-panic` feature,
//! which these tests turn on.

use std::time::Duration;

use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::sdk_client::SdkClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_request_answers_and_harms_nothing_else() {
    let server = TestServer::start(Engine::Sqlite).await;
    import(&server, &["alice", "bob"]).await;

    // REST: the envelope with an internal-error code, HTTP 200, and the next call is served.
    let reply = server.call("natter_test/panic", json!({})).await;
    assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");
    assert_eq!(reply["ErrorCode"], 70500, "{reply}");
    assert!(
        reply["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("internal error"),
        "{reply}"
    );
    server
        .ok(
            "im_open_login_svc/account_check",
            json!({"CheckItem": [{"UserID": "alice"}]}),
        )
        .await;

    // /ws: the request is answered with the error, then only that connection closes.
    let mut alice = Client::login(&server, "alice", "Web").await;
    let mut bob = Client::login(&server, "bob", "Web").await;
    let reply = alice.request("natter_test.panic", json!({})).await;
    assert_eq!(reply["ErrorCode"], 70500, "{reply}");
    assert!(alice.next_frame().await.is_none(), "the connection closes");
    bob.ok("ping", json!({})).await;

    // /binfo: the same, with close code 1011 (internal error).
    let mut sdk = SdkClient::connect(&server, "alice").await;
    let body = sdk.call("natter_test.panic", json!({})).await;
    assert_eq!(body["ErrorCode"], 70500, "{body}");
    match sdk.raw_message(Duration::from_secs(10)).await {
        Some(Some(Message::Close(Some(frame)))) => {
            assert_eq!(frame.code, CloseCode::Error, "{frame:?}")
        }
        other => panic!("expected a close frame with 1011, got {other:?}"),
    }
    bob.ok("ping", json!({})).await;

    // Each panic is counted, by protocol and API.
    let metrics = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for protocol in ["rest", "ws", "binfo"] {
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("natter_handler_panics_total{")
                    && l.contains(&format!("protocol=\"{protocol}\""))),
            "{protocol}: {metrics}"
        );
    }
}
