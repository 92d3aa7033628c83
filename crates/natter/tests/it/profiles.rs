//! `profile`: portrait_set and portrait_get with standard and custom fields.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;

const SET: &str = "profile/portrait_set";
const GET: &str = "profile/portrait_get";

fn set(user: &str, items: Value) -> Value {
    json!({"From_Account": user, "ProfileItem": items})
}

fn tv(tag: &str, value: Value) -> Value {
    json!({"Tag": tag, "Value": value})
}

on_both_engines!(
    every_standard_field_round_trips,
    |server: TestServer| async move {
        server
            .ok("im_open_login_svc/account_import", json!({"UserID": "p1"}))
            .await;
        let items = json!([
            tv("Tag_Profile_IM_Nick", json!("Pat")),
            tv("Tag_Profile_IM_Gender", json!("Gender_Type_Female")),
            tv("Tag_Profile_IM_BirthDay", json!(19991231)),
            tv("Tag_Profile_IM_Location", json!("86 44 3 1")),
            tv("Tag_Profile_IM_SelfSignature", json!("hello")),
            tv("Tag_Profile_IM_AllowType", json!("AllowType_Type_DenyAny")),
            tv("Tag_Profile_IM_Language", json!(2)),
            tv("Tag_Profile_IM_Image", json!("http://x/p.png")),
            tv("Tag_Profile_IM_MsgSettings", json!(1)),
            tv(
                "Tag_Profile_IM_AdminForbidType",
                json!("AdminForbid_Type_SendOut")
            ),
            tv("Tag_Profile_IM_Level", json!(4294967295u64)),
            tv("Tag_Profile_IM_Role", json!(7)),
            tv("Tag_Profile_Custom_Hobby", json!("chess")),
            tv("Tag_Profile_Custom_Score", json!(99)),
        ]);
        let reply = server.ok(SET, set("p1", items.clone())).await;
        assert_eq!(
            reply["ErrorDisplay"], "",
            "profile replies carry ErrorDisplay"
        );
        let tags: Vec<Value> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["Tag"].clone())
            .collect();
        let reply = server
            .ok(GET, json!({"To_Account": ["p1"], "TagList": tags}))
            .await;
        assert_eq!(reply["ErrorDisplay"], "");
        assert_eq!(reply["UserProfileItem"][0]["ProfileItem"], items);
        assert_eq!(reply["UserProfileItem"][0]["ResultCode"], 0);
        assert!(
            reply.get("Fail_Account").is_none(),
            "Fail_Account only when something failed: {reply}"
        );
    }
);

on_both_engines!(
    portrait_set_refusals_write_nothing,
    |server: TestServer| async move {
        server
            .ok(
                "im_open_login_svc/account_import",
                json!({"UserID": "p2", "Nick": "Before"}),
            )
            .await;
        let nick = tv("Tag_Profile_IM_Nick", json!("After"));
        let cases = [
            (
                "unknown account",
                set("ghost", json!([nick.clone()])),
                40003,
            ),
            (
                "unknown tag",
                set(
                    "p2",
                    json!([nick.clone(), tv("Tag_Profile_IM_Nope", json!("x"))]),
                ),
                40009,
            ),
            (
                "undeclared custom tag",
                set(
                    "p2",
                    json!([nick.clone(), tv("Tag_Profile_Custom_Other", json!("x"))]),
                ),
                40009,
            ),
            (
                "too long",
                set(
                    "p2",
                    json!([
                        nick.clone(),
                        tv("Tag_Profile_IM_SelfSignature", json!("s".repeat(501)))
                    ]),
                ),
                40601,
            ),
            (
                "custom too long",
                set(
                    "p2",
                    json!([
                        nick.clone(),
                        tv("Tag_Profile_Custom_Hobby", json!("h".repeat(21)))
                    ]),
                ),
                40601,
            ),
            (
                "location over 16 bytes",
                set(
                    "p2",
                    json!([tv("Tag_Profile_IM_Location", json!("l".repeat(17)))]),
                ),
                40601,
            ),
            (
                "bad enum",
                set(
                    "p2",
                    json!([nick.clone(), tv("Tag_Profile_IM_Gender", json!("Male"))]),
                ),
                40605,
            ),
            (
                "string for integer",
                set(
                    "p2",
                    json!([nick.clone(), tv("Tag_Profile_IM_Level", json!("3"))]),
                ),
                40610,
            ),
            (
                "integer for string",
                set("p2", json!([tv("Tag_Profile_IM_Nick", json!(3))])),
                40610,
            ),
            (
                "negative integer",
                set("p2", json!([tv("Tag_Profile_IM_Role", json!(-1))])),
                40610,
            ),
            ("empty list", set("p2", json!([])), 40001),
            (
                "no From_Account",
                json!({"ProfileItem": [nick.clone()]}),
                40001,
            ),
            (
                "From_Account not a string",
                json!({"From_Account": 5, "ProfileItem": [nick.clone()]}),
                60015,
            ),
            (
                "ProfileItem not a list",
                json!({"From_Account": "p2", "ProfileItem": {}}),
                40001,
            ),
        ];
        for (what, body, code) in cases {
            let reply = server.call(SET, body).await;
            assert_eq!(reply["ErrorCode"], code, "{what}: {reply}");
            assert_eq!(reply["ActionStatus"], "FAIL", "{what}");
        }
        let reply = server
            .ok(
                GET,
                json!({"To_Account": ["p2"], "TagList": ["Tag_Profile_IM_Nick"]}),
            )
            .await;
        assert_eq!(
            reply["UserProfileItem"][0]["ProfileItem"][0]["Value"], "Before",
            "nothing half-applied"
        );
    }
);

on_both_engines!(
    portrait_get_reports_per_account,
    |server: TestServer| async move {
        server
            .ok(
                "im_open_login_svc/multiaccount_import",
                json!({"AccountList": [{"UserID": "g1", "Nick": "One"}, {"UserID": "g2"}]}),
            )
            .await;
        server
            .ok(
                SET,
                set(
                    "g2",
                    json!([
                        tv("Tag_Profile_IM_Level", json!(5)),
                        tv("Tag_Profile_IM_Nick", json!("Two"))
                    ]),
                ),
            )
            .await;
        let reply = server
        .ok(GET, json!({"To_Account": ["g2", "ghost", "g1"], "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_Level"]}))
        .await;
        assert_eq!(
            reply["UserProfileItem"],
            json!([
                {"To_Account": "g2", "ProfileItem": [tv("Tag_Profile_IM_Nick", json!("Two")), tv("Tag_Profile_IM_Level", json!(5))], "ResultCode": 0, "ResultInfo": ""},
                {"To_Account": "ghost", "ResultCode": 40003, "ResultInfo": "account does not exist"},
                {"To_Account": "g1", "ProfileItem": [tv("Tag_Profile_IM_Nick", json!("One"))], "ResultCode": 0, "ResultInfo": ""},
            ])
        );
        assert_eq!(reply["Fail_Account"], json!(["ghost"]));

        server
            .fails(GET, json!({"TagList": ["Tag_Profile_IM_Nick"]}), 40002)
            .await;
        server
            .fails(
                GET,
                json!({"To_Account": [], "TagList": ["Tag_Profile_IM_Nick"]}),
                40002,
            )
            .await;
        server
            .fails(
                GET,
                json!({"To_Account": ["g1"], "TagList": ["Tag_Profile_IM_Nope"]}),
                40009,
            )
            .await;
        server
            .fails(GET, json!({"To_Account": ["g1"]}), 40001)
            .await;
        let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
        server
            .fails(
                GET,
                json!({"To_Account": many, "TagList": ["Tag_Profile_IM_Nick"]}),
                40001,
            )
            .await;
    }
);
