//! The one custom-field policy: an app that declares no custom fields of a kind takes any
//! well-formed key of that kind; once it declares any, it takes only those (the default app of
//! the tests declares profile and friend fields, the other app declares group and member data).

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;

/// Calls `api` as the admin of the other app, which declares no profile or friend fields.
async fn other(server: &TestServer, api: &str, body: Value) -> Value {
    server
        .call_with_query(api, &server.admin_query_for(OTHER_APP), body.to_string())
        .await
}

async fn other_ok(server: &TestServer, api: &str, body: Value) -> Value {
    let reply = other(server, api, body).await;
    assert_eq!(reply["ActionStatus"], "OK", "{api}: {reply}");
    reply
}

fn set(tag: &str, value: Value) -> Value {
    json!({"From_Account": "u1", "ProfileItem": [{"Tag": tag, "Value": value}]})
}

on_both_engines!(
    undeclared_kinds_take_any_key_declared_kinds_only_theirs,
    |server: TestServer| async move {
        other_ok(
            &server,
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["u1", "u2"]}),
        )
        .await;

        // Profiles: any name of 1 to 8 letters, a string of up to 500 bytes or a number.
        other_ok(
            &server,
            "profile/portrait_set",
            json!({"From_Account": "u1", "ProfileItem": [
                {"Tag": "Tag_Profile_Custom_Mood", "Value": "sunny"},
                {"Tag": "Tag_Profile_Custom_Points", "Value": 12}]}),
        )
        .await;
        let got = other_ok(
            &server,
            "profile/portrait_get",
            json!({"To_Account": ["u1"], "TagList": ["Tag_Profile_Custom_Mood", "Tag_Profile_Custom_Points"]}),
        )
        .await;
        assert_eq!(
            got["UserProfileItem"][0]["ProfileItem"],
            json!([{"Tag": "Tag_Profile_Custom_Mood", "Value": "sunny"},
                   {"Tag": "Tag_Profile_Custom_Points", "Value": 12}]),
            "{got}"
        );
        for (what, body, code) in [
            (
                "digits in the name",
                set("Tag_Profile_Custom_Mood2", json!("x")),
                40009,
            ),
            (
                "a name over 8 letters",
                set("Tag_Profile_Custom_Favourite", json!("x")),
                40009,
            ),
            (
                "over 500 bytes",
                set("Tag_Profile_Custom_Mood", json!("m".repeat(501))),
                40601,
            ),
        ] {
            let reply = other(&server, "profile/portrait_set", body).await;
            assert_eq!(reply["ErrorCode"], code, "{what}: {reply}");
        }
        let reply = other(
            &server,
            "profile/portrait_set",
            set("Tag_Profile_Custom_Mood", json!(true)),
        )
        .await;
        assert_eq!(reply["ActionStatus"], "FAIL", "a boolean: {reply}");

        // Friends: the same for `Tag_SNS_Custom_*`.
        other_ok(
            &server,
            "sns/friend_import",
            json!({"From_Account": "u1", "AddFriendItem": [{"To_Account": "u2",
                   "AddSource": "AddSource_Type_Test",
                   "CustomItem": [{"Tag": "Tag_SNS_Custom_Since", "Value": "school"}]}]}),
        )
        .await;
        let friends = other_ok(
            &server,
            "sns/friend_get_list",
            json!({"From_Account": "u1", "To_Account": ["u2"], "TagList": ["Tag_SNS_Custom_Since"]}),
        )
        .await;
        assert_eq!(
            friends["InfoItem"][0]["SnsProfileItem"],
            json!([{"Tag": "Tag_SNS_Custom_Since", "Value": "school"}]),
            "{friends}"
        );

        // The default app declares its profile and friend fields: others are refused there.
        crate::messages::import(&server, &["d1", "d2"]).await;
        server
            .fails(
                "profile/portrait_set",
                json!({"From_Account": "d1", "ProfileItem": [{"Tag": "Tag_Profile_Custom_Mood", "Value": "x"}]}),
                40009,
            )
            .await;
        // And the other app declares its group data: an undeclared key is refused there.
        let reply = other(
            &server,
            "group_open_http_svc/create_group",
            json!({"Type": "Public", "Name": "g", "Owner_Account": "u1",
                   "AppDefinedData": [{"Key": "Mood", "Value": "x"}]}),
        )
        .await;
        assert_eq!(reply["ErrorCode"], 10004, "{reply}");
    }
);
