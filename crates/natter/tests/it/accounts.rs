//! `im_open_login_svc`: account_import, multiaccount_import, account_delete, account_check.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;

const IMPORT: &str = "im_open_login_svc/account_import";
const MULTI: &str = "im_open_login_svc/multiaccount_import";
const DELETE: &str = "im_open_login_svc/account_delete";
const CHECK: &str = "im_open_login_svc/account_check";

async fn statuses(server: &TestServer, ids: &[&str]) -> Vec<String> {
    let items: Vec<Value> = ids.iter().map(|id| json!({"UserID": id})).collect();
    let reply = server.ok(CHECK, json!({"CheckItem": items})).await;
    reply["ResultItem"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ids)
        .map(|(item, id)| {
            assert_eq!(item["UserID"], *id);
            assert_eq!(item["ResultCode"], 0);
            assert_eq!(item["ResultInfo"], "");
            item["AccountStatus"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn nick(server: &TestServer, id: &str) -> Value {
    let reply = server
        .ok(
            "profile/portrait_get",
            json!({"To_Account": [id], "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_Image"]}),
        )
        .await;
    reply["UserProfileItem"][0]["ProfileItem"].clone()
}

on_both_engines!(
    account_import_creates_and_updates,
    |server: TestServer| async move {
        let reply = server
            .ok(
                IMPORT,
                json!({"UserID": "alice", "Nick": "Alice", "FaceUrl": "http://x/a.png"}),
            )
            .await;
        assert_eq!(
            reply.as_object().unwrap().len(),
            3,
            "only the envelope: {reply}"
        );
        // The old field name.
        server.ok(IMPORT, json!({"Identifier": "bob"})).await;
        assert_eq!(
            statuses(&server, &["alice", "bob", "carol"]).await,
            ["Imported", "Imported", "NotImported"]
        );
        assert_eq!(
            nick(&server, "alice").await,
            json!([{"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"}, {"Tag": "Tag_Profile_IM_Image", "Value": "http://x/a.png"}])
        );
        // Re-importing updates the nick and keeps one account.
        server
            .ok(IMPORT, json!({"UserID": "alice", "Nick": "Alice 2"}))
            .await;
        assert_eq!(nick(&server, "alice").await[0]["Value"], "Alice 2");
    }
);

on_both_engines!(
    account_import_refuses_bad_input,
    |server: TestServer| async move {
        server.fails(IMPORT, json!({}), 70402).await;
        server.fails(IMPORT, json!({"UserID": ""}), 70402).await;
        server
            .fails(IMPORT, json!({"UserID": "x".repeat(33)}), 70402)
            .await;
        server.ok(IMPORT, json!({"UserID": "x".repeat(32)})).await;
        server
            .fails(IMPORT, json!({"UserID": "tab\there"}), 70402)
            .await;
        server.fails(IMPORT, json!({"UserID": 42}), 60015).await;
        server
            .fails(IMPORT, json!({"UserID": "n", "Nick": 5}), 70402)
            .await;
        server
            .fails(
                IMPORT,
                json!({"UserID": "n", "Nick": "x".repeat(501)}),
                40601,
            )
            .await;
        assert_eq!(
            statuses(&server, &["n"]).await,
            ["NotImported"],
            "a refused import writes nothing"
        );
    }
);

on_both_engines!(
    multiaccount_import_both_forms,
    |server: TestServer| async move {
        let reply = server
            .ok(MULTI, json!({"Accounts": ["m1", "m2", "x".repeat(33)]}))
            .await;
        assert_eq!(reply["FailAccounts"], json!(["x".repeat(33)]));
        let reply = server
            .ok(
                MULTI,
                json!({"AccountList": [
                    {"UserID": "m3", "Nick": "Three"},
                    {"UserID": "m1", "Nick": "One", "FaceUrl": "http://x/1.png"},
                    {"UserID": "m3", "Nick": "Three again"},
                ]}),
            )
            .await;
        assert_eq!(reply["FailAccounts"], json!([]));
        assert_eq!(
            statuses(&server, &["m1", "m2", "m3"]).await,
            ["Imported", "Imported", "Imported"]
        );
        assert_eq!(
            nick(&server, "m1").await[0]["Value"],
            "One",
            "existing accounts are updated"
        );
        assert_eq!(nick(&server, "m3").await[0]["Value"], "Three again");

        server.fails(MULTI, json!({}), 70402).await;
        server.fails(MULTI, json!({"Accounts": []}), 70402).await;
        server.fails(MULTI, json!({"Accounts": "m1"}), 70402).await;
        server
            .fails(MULTI, json!({"Accounts": [1, 2]}), 60015)
            .await;
        let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
        server
            .fails(MULTI, json!({"Accounts": too_many}), 70206)
            .await;
        assert_eq!(statuses(&server, &["u0"]).await, ["NotImported"]);
    }
);

on_both_engines!(account_delete_and_check, |server: TestServer| async move {
    server.ok(MULTI, json!({"Accounts": ["d1", "d2"]})).await;
    server.ok("profile/portrait_set", json!({"From_Account": "d1", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "D"}]})).await;
    let reply = server
        .ok(
            DELETE,
            json!({"DeleteItem": [{"UserID": "d1"}, {"UserID": "ghost"}]}),
        )
        .await;
    assert_eq!(
        reply["ResultItem"],
        json!([
            {"ResultCode": 0, "ResultInfo": "", "UserID": "d1"},
            {"ResultCode": 70107, "ResultInfo": "Err_TLS_PT_Open_Login_Account_Not_Exist", "UserID": "ghost"},
        ])
    );
    assert_eq!(
        statuses(&server, &["d1", "d2"]).await,
        ["NotImported", "Imported"]
    );
    // The profile went with the account: a re-import starts empty.
    server.ok(IMPORT, json!({"UserID": "d1"})).await;
    assert_eq!(nick(&server, "d1").await, json!([]));

    let hundred: Vec<Value> = (0..100)
        .map(|i| json!({"UserID": format!("c{i}")}))
        .collect();
    let reply = server.ok(CHECK, json!({"CheckItem": hundred})).await;
    assert_eq!(reply["ResultItem"].as_array().unwrap().len(), 100);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"UserID": format!("c{i}")}))
        .collect();
    server
        .fails(CHECK, json!({"CheckItem": too_many.clone()}), 70206)
        .await;
    server
        .fails(DELETE, json!({"DeleteItem": too_many}), 70206)
        .await;
    server.fails(CHECK, json!({}), 70402).await;
    server
        .fails(DELETE, json!({"DeleteItem": [{"UserID": 7}]}), 60015)
        .await;
});

on_both_engines!(apps_never_see_each_other, |server: TestServer| async move {
    server
        .ok(IMPORT, json!({"UserID": "shared", "Nick": "in app 1"}))
        .await;
    let other = server.admin_query_for(OTHER_APP);
    let reply = server
        .call_with_query(
            CHECK,
            &other,
            json!({"CheckItem": [{"UserID": "shared"}]}).to_string(),
        )
        .await;
    assert_eq!(
        reply["ResultItem"][0]["AccountStatus"], "NotImported",
        "{reply}"
    );
    // Reset of the other app leaves this one alone.
    let reset: Value = server
        .client
        .post(format!("{}/_natter/reset?{other}", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["ErrorCode"], 0);
    assert_eq!(statuses(&server, &["shared"]).await, ["Imported"]);
});

on_both_engines!(
    restart_keeps_everything,
    |mut server: TestServer| async move {
        server
            .ok(IMPORT, json!({"UserID": "durable", "Nick": "Still here"}))
            .await;
        server.restart().await;
        assert_eq!(statuses(&server, &["durable"]).await, ["Imported"]);
        assert_eq!(nick(&server, "durable").await[0]["Value"], "Still here");
    }
);
