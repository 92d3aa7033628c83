//! The published contract (`/_natter/openapi.json`) against the wire: real replies of a handful
//! of APIs, successes and refusals, must validate against the reply schema the document gives
//! for their path, so the document cannot drift from what the server answers.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;

/// The document, fetched from the server without credentials (it is public documentation).
async fn contract(server: &TestServer) -> Value {
    let response = server
        .client
        .get(format!("{}/_natter/openapi.json", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    document
}

/// Calls `api` and checks the reply against the document's reply schema of its path.
async fn call_checked(server: &TestServer, document: &Value, api: &str, body: Value) -> Value {
    let reply = server.call(api, body).await;
    let problems = contract_problems(document, api, &reply);
    assert!(
        problems.is_empty(),
        "{api}: the reply breaks the contract: {problems:?}\n{reply}"
    );
    reply
}

/// What in `reply` breaks the document's reply schema of `api`.
fn contract_problems(document: &Value, api: &str, reply: &Value) -> Vec<String> {
    // The whole document is the root, so the `$ref`s into `components` resolve.
    let mut root = document.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$ref"] = json!(format!(
        "#/paths/~1v4~1{}/post/responses/200/content/application~1json/schema",
        api.replace('/', "~1")
    ));
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("{api}: the document's schema does not compile: {e}"));
    validator
        .iter_errors(reply)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

on_both_engines!(
    real_replies_validate_against_the_contract,
    |server: TestServer| async move {
        let doc = contract(&server).await;
        let ok = |reply: &Value| assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let failed = |reply: &Value| assert_eq!(reply["ActionStatus"], "FAIL", "{reply}");

        for user in ["alice", "bob"] {
            let r = call_checked(
                &server,
                &doc,
                "im_open_login_svc/account_import",
                json!({"UserID": user, "Nick": user}),
            )
            .await;
            ok(&r);
        }
        failed(
            &call_checked(
                &server,
                &doc,
                "im_open_login_svc/account_import",
                json!({"UserID": 5}),
            )
            .await,
        );
        ok(&call_checked(
            &server,
            &doc,
            "im_open_login_svc/account_check",
            json!({"CheckItem": [{"UserID": "alice"}, {"UserID": "nobody"}]}),
        )
        .await);

        ok(&call_checked(
            &server,
            &doc,
            "profile/portrait_set",
            json!({"From_Account": "alice", "ProfileItem": [
                {"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"},
                {"Tag": "Tag_Profile_IM_AllowType", "Value": "AllowType_Type_NeedConfirm"}]}),
        )
        .await);
        ok(&call_checked(
            &server,
            &doc,
            "profile/portrait_get",
            json!({"To_Account": ["alice", "bob"],
                   "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_AllowType"]}),
        )
        .await);
        failed(
            &call_checked(
                &server,
                &doc,
                "profile/portrait_get",
                json!({"To_Account": "alice"}),
            )
            .await,
        );

        let text = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]);
        ok(&call_checked(
            &server,
            &doc,
            "openim/sendmsg",
            json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 1,
                   "MsgBody": text}),
        )
        .await);
        failed(
            &call_checked(
                &server,
                &doc,
                "openim/sendmsg",
                json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 2,
                   "MsgBody": []}),
            )
            .await,
        );
        ok(&call_checked(
            &server,
            &doc,
            "openim/admin_getroammsg",
            json!({"Operator_Account": "alice", "Peer_Account": "bob", "MaxCnt": 10,
                   "MinTime": 0, "MaxTime": 4_000_000_000u64}),
        )
        .await);

        ok(&call_checked(
            &server,
            &doc,
            "group_open_http_svc/create_group",
            json!({"Type": "Public", "GroupId": "g1", "Name": "g", "Owner_Account": "alice",
                   "MemberList": [{"Member_Account": "bob"}]}),
        )
        .await);
        failed(
            &call_checked(
                &server,
                &doc,
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "GroupId": "g1", "Name": "g", "Owner_Account": "alice"}),
            )
            .await,
        );
        ok(&call_checked(
            &server,
            &doc,
            "group_open_http_svc/get_group_info",
            json!({"GroupIdList": ["g1", "missing"]}),
        )
        .await);
        ok(&call_checked(
            &server,
            &doc,
            "group_open_http_svc/send_group_msg",
            json!({"GroupId": "g1", "From_Account": "alice", "Random": 3,
                   "MsgBody": text}),
        )
        .await);
        ok(&call_checked(
            &server,
            &doc,
            "group_open_http_svc/group_msg_get_simple",
            json!({"GroupId": "g1", "ReqMsgNumber": 10}),
        )
        .await);

        ok(&call_checked(
            &server,
            &doc,
            "sns/friend_add",
            json!({"From_Account": "bob", "AddFriendItem": [
                {"To_Account": "alice", "AddSource": "AddSource_Type_Test"}]}),
        )
        .await);
        ok(&call_checked(
            &server,
            &doc,
            "sns/friend_get",
            json!({"From_Account": "bob", "StartIndex": 0}),
        )
        .await);
        failed(&call_checked(&server, &doc, "sns/friend_get", json!({"StartIndex": 0})).await);
        ok(&call_checked(
            &server,
            &doc,
            "recentcontact/get_list",
            json!({"From_Account": "bob", "TimeStamp": 0, "StartIndex": 0,
                   "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 15}),
        )
        .await);

        // A refusal before any handler (a bad signature) has the same failure envelope.
        let reply = server
            .call_with_query(
                "openim/sendmsg",
                "sdkappid=1&identifier=x&usersig=bad&random=1&contenttype=json",
                "{}",
            )
            .await;
        failed(&reply);
        assert_eq!(
            contract_problems(&doc, "openim/sendmsg", &reply),
            Vec::<String>::new()
        );

        // The schemas do refuse what the server must not answer.
        for wrong in [
            json!({"ActionStatus": "OK", "ErrorCode": 0}),
            json!({"ActionStatus": "FAIL", "ErrorCode": 0, "ErrorInfo": ""}),
            json!({"ActionStatus": "FAIL", "ErrorCode": 90001, "ErrorInfo": "x", "MsgKey": "k"}),
            json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "MsgTime": "soon"}),
        ] {
            assert!(
                !contract_problems(&doc, "openim/sendmsg", &wrong).is_empty(),
                "{wrong}"
            );
        }
    }
);
