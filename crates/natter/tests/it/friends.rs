//! `sns`: friends and friend lists through the REST API, with a webhook receiver.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;

pub(crate) const ADD: &str = "sns/friend_add";
pub(crate) const CHECK: &str = "sns/friend_check";
const IMPORT: &str = "sns/friend_import";
const UPDATE: &str = "sns/friend_update";
const DELETE: &str = "sns/friend_delete";
const DELETE_ALL: &str = "sns/friend_delete_all";
const GET: &str = "sns/friend_get";
const GET_LIST: &str = "sns/friend_get_list";
const LIST_ADD: &str = "sns/group_add";
const LIST_DELETE: &str = "sns/group_delete";
const LIST_GET: &str = "sns/group_get";

pub(crate) async fn allow_type(server: &TestServer, user: &str, value: &str) {
    server
        .ok(
            "profile/portrait_set",
            json!({"From_Account": user, "ProfileItem": [{"Tag": "Tag_Profile_IM_AllowType", "Value": value}]}),
        )
        .await;
}

pub(crate) fn item(to: &str) -> Value {
    json!({"To_Account": to, "AddSource": "AddSource_Type_Test"})
}

/// `(To_Account, ResultCode)` of each item of a batch reply.
pub(crate) fn codes(reply: &Value, array: &str) -> Vec<(String, u64)> {
    reply[array]
        .as_array()
        .unwrap_or_else(|| panic!("{array} missing: {reply}"))
        .iter()
        .map(|i| {
            (
                i["To_Account"].as_str().unwrap().to_owned(),
                i["ResultCode"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub(crate) fn pairs(body: &Value) -> Vec<(String, String)> {
    body["PairList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["From_Account"].as_str().unwrap().to_owned(),
                p["To_Account"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub(crate) async fn relation(server: &TestServer, from: &str, to: &str) -> String {
    let reply = server
        .ok(
            CHECK,
            json!({"From_Account": from, "To_Account": [to], "CheckType": "CheckResult_Type_Both"}),
        )
        .await;
    reply["InfoItem"][0]["Relation"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(a, c)| (a.to_string(), *c)).collect()
}

on_both_engines!(
    adding_follows_allow_type_and_reports_pairs,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["a", "any", "deny", "confirm", "unset", "single"]).await;
        allow_type(&server, "any", "AllowType_Type_AllowAny").await;
        allow_type(&server, "single", "AllowType_Type_AllowAny").await;
        allow_type(&server, "deny", "AllowType_Type_DenyAny").await;
        allow_type(&server, "confirm", "AllowType_Type_NeedConfirm").await;

        let reply = server
            .ok(ADD, json!({"From_Account": "a", "AddFriendItem": [
                {"To_Account": "any", "AddSource": "AddSource_Type_Web", "Remark": "Any", "GroupName": "work", "AddWording": "hi"},
                item("deny"), item("confirm"), item("unset"), item("ghost"), item("a"), item("any")
            ]}))
            .await;
        assert_eq!(
            codes(&reply, "ResultItem"),
            owned(&[
                ("any", 0),
                ("deny", 30516),
                ("confirm", 30539),
                ("unset", 30539),
                ("ghost", 30003),
                ("a", 30001),
                ("any", 30001)
            ])
        );
        assert_eq!(
            reply["Fail_Account"],
            json!(["deny", "confirm", "unset", "ghost", "a", "any"])
        );
        assert!(
            reply.get("ErrorDisplay").is_some(),
            "sns replies carry ErrorDisplay"
        );
        assert_eq!(
            relation(&server, "a", "any").await,
            "CheckResult_Type_BothWay"
        );
        assert_eq!(
            relation(&server, "a", "confirm").await,
            "CheckResult_Type_NoRelation"
        );

        let added = receiver.wait_for("Sns.CallbackFriendAdd", 1).await;
        let body = &added[0].body;
        assert_eq!(body["CallbackCommand"], "Sns.CallbackFriendAdd");
        assert_eq!(
            body["PairList"],
            json!([
                {"From_Account": "a", "To_Account": "any", "Initiator_Account": "a"},
                {"From_Account": "any", "To_Account": "a", "Initiator_Account": "a"}
            ])
        );
        assert_eq!(body["ClientCmd"], "friend_add");
        assert_eq!(body["Admin_Account"], ADMIN);
        assert_eq!(body["ForceFlag"], 0);
        assert_eq!(added[0].query["OptPlatform"], "RESTAPI");

        // Forcing skips the target's AllowType.
        let forced = server
            .ok(
                ADD,
                json!({"From_Account": "a", "AddFriendItem": [item("deny")], "ForceAddFlags": 1}),
            )
            .await;
        assert_eq!(codes(&forced, "ResultItem"), owned(&[("deny", 0)]));
        assert!(
            forced.get("Fail_Account").is_none(),
            "no Fail_Account when nothing failed"
        );
        assert_eq!(
            relation(&server, "a", "deny").await,
            "CheckResult_Type_BothWay"
        );
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 2).await;
        assert_eq!(added[1].body["ForceFlag"], 1);

        // One way: only the sender's list changes; adding again is refused.
        let one_way = json!({"From_Account": "a", "AddFriendItem": [item("single")], "AddType": "Add_Type_Single"});
        server.ok(ADD, one_way.clone()).await;
        assert_eq!(
            relation(&server, "a", "single").await,
            "CheckResult_Type_AWithB"
        );
        assert_eq!(
            relation(&server, "single", "a").await,
            "CheckResult_Type_BWithA"
        );
        let again = server.ok(ADD, one_way).await;
        assert_eq!(codes(&again, "ResultItem"), owned(&[("single", 30001)]));
        // A two-way add completes a one-way friendship.
        let both = server
            .ok(
                ADD,
                json!({"From_Account": "a", "AddFriendItem": [item("single")]}),
            )
            .await;
        assert_eq!(codes(&both, "ResultItem"), owned(&[("single", 0)]));
        assert_eq!(
            relation(&server, "a", "single").await,
            "CheckResult_Type_BothWay"
        );
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 4).await;
        assert_eq!(pairs(&added[2].body), [("a".into(), "single".into())]);
        assert_eq!(pairs(&added[3].body), [("single".into(), "a".into())]);

        let single_check = server
            .ok(CHECK, json!({"From_Account": "single", "To_Account": ["a", "deny"], "CheckType": "CheckResult_Type_Single"}))
            .await;
        assert_eq!(
            single_check["InfoItem"][0]["Relation"],
            "CheckResult_Type_AWithB"
        );
        assert_eq!(
            single_check["InfoItem"][1]["Relation"],
            "CheckResult_Type_NoRelation"
        );
        assert_eq!(single_check["InfoItem"][1]["ResultCode"], 0);
        assert_eq!(
            receiver
                .settled_count(&server, "Sns.CallbackFriendAdd")
                .await,
            4
        );
    }
);

on_both_engines!(
    imported_friends_carry_their_data_and_can_be_updated,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["owner", "f1", "f2", "stranger"]).await;
        server
            .ok("profile/portrait_set", json!({"From_Account": "f1", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Eff One"}]}))
            .await;
        let reply = server
            .ok(IMPORT, json!({"From_Account": "owner", "AddFriendItem": [
                {"To_Account": "f1", "AddSource": "AddSource_Type_Old", "Remark": "one", "RemarkTime": 1_500_000_000,
                 "GroupName": ["school", "team"], "AddWording": "from before", "AddTime": 1_400_000_000,
                 "CustomItem": [{"Tag": "Tag_SNS_Custom_Test", "Value": "x"}, {"Tag": "Tag_SNS_Custom_Rank", "Value": 7}]},
                {"To_Account": "f2", "AddSource": "AddSource_Type_Old"},
                {"To_Account": "nobody", "AddSource": "AddSource_Type_Old"}
            ]}))
            .await;
        assert_eq!(
            codes(&reply, "ResultItem"),
            owned(&[("f1", 0), ("f2", 0), ("nobody", 30003)])
        );
        // Imports are one way and report nothing.
        assert_eq!(
            relation(&server, "owner", "f1").await,
            "CheckResult_Type_AWithB"
        );
        assert_eq!(
            receiver
                .settled_count(&server, "Sns.CallbackFriendAdd")
                .await,
            0
        );

        let page = server
            .ok(GET, json!({"From_Account": "owner", "StartIndex": 0}))
            .await;
        assert_eq!(page["FriendNum"], 2);
        assert_eq!(page["CompleteFlag"], 1);
        assert_eq!(page["NextStartIndex"], 0);
        let first = &page["UserDataItem"][0];
        assert_eq!(first["To_Account"], "f1");
        let values: Vec<(String, Value)> = first["ValueItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["Tag"].as_str().unwrap().to_owned(), v["Value"].clone()))
            .collect();
        let value = |tag: &str| {
            values
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("Tag_SNS_IM_Remark"), Some(json!("one")));
        assert_eq!(value("Tag_SNS_IM_Group"), Some(json!(["school", "team"])));
        assert_eq!(
            value("Tag_SNS_IM_AddSource"),
            Some(json!("AddSource_Type_Old"))
        );
        assert_eq!(value("Tag_SNS_IM_AddWording"), Some(json!("from before")));
        assert_eq!(value("Tag_SNS_IM_AddTime"), Some(json!(1_400_000_000)));
        assert_eq!(value("Tag_SNS_Custom_Test"), Some(json!("x")));
        assert_eq!(value("Tag_SNS_Custom_Rank"), Some(json!(7)));
        let second: Vec<&str> = page["UserDataItem"][1]["ValueItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["Tag"].as_str().unwrap())
            .collect();
        assert_eq!(
            second,
            ["Tag_SNS_IM_AddSource", "Tag_SNS_IM_AddTime"],
            "unset fields are left out"
        );

        // Sequences the caller already has leave that kind of data out.
        let standard = page["StandardSequence"].as_u64().unwrap();
        let custom = page["CustomSequence"].as_u64().unwrap();
        assert!(standard > 0 && custom > 0, "{page}");
        let cached = server
            .ok(GET, json!({"From_Account": "owner", "StartIndex": 0, "StandardSequence": standard, "CustomSequence": custom}))
            .await;
        assert_eq!(cached["UserDataItem"][0]["ValueItem"], json!([]));
        let custom_only = server
            .ok(
                GET,
                json!({"From_Account": "owner", "StartIndex": 0, "StandardSequence": standard}),
            )
            .await;
        assert_eq!(
            custom_only["UserDataItem"][0]["ValueItem"],
            json!([{"Tag": "Tag_SNS_Custom_Test", "Value": "x"}, {"Tag": "Tag_SNS_Custom_Rank", "Value": 7}]),
            "custom fields only, in the order they were set"
        );

        // Updates: remark, lists (replaced), custom; other tags and strangers are refused.
        let updated = server
            .ok(UPDATE, json!({"From_Account": "owner", "UpdateItem": [
                {"To_Account": "f1", "SnsItem": [
                    {"Tag": "Tag_SNS_IM_Remark", "Value": "renamed"},
                    {"Tag": "Tag_SNS_IM_Group", "Value": ["team", "gym"]},
                    {"Tag": "Tag_SNS_Custom_Test", "Value": "y"}]},
                {"To_Account": "stranger", "SnsItem": [{"Tag": "Tag_SNS_IM_Remark", "Value": "?"}]}
            ]}))
            .await;
        assert_eq!(
            codes(&updated, "ResultItem"),
            owned(&[("f1", 0), ("stranger", 30001)])
        );
        assert_eq!(updated["Fail_Account"], json!(["stranger"]));
        server
            .fails(UPDATE, json!({"From_Account": "owner", "UpdateItem": [{"To_Account": "f1", "SnsItem": [{"Tag": "Tag_SNS_IM_AddSource", "Value": "AddSource_Type_X"}]}]}), 30001)
            .await;
        server
            .fails(UPDATE, json!({"From_Account": "owner", "UpdateItem": [{"To_Account": "f1", "SnsItem": [{"Tag": "Tag_SNS_Custom_Nope", "Value": "x"}]}]}), 30001)
            .await;
        server
            .fails(UPDATE, json!({"From_Account": "owner", "UpdateItem": [{"To_Account": "f1", "SnsItem": [{"Tag": "Tag_SNS_IM_Remark", "Value": "r".repeat(97)}]}]}), 30001)
            .await;
        let after = server
            .ok(GET, json!({"From_Account": "owner", "StartIndex": 0, "StandardSequence": standard, "CustomSequence": custom}))
            .await;
        assert!(after["StandardSequence"].as_u64().unwrap() > standard);
        assert!(after["CustomSequence"].as_u64().unwrap() > custom);

        // Specified friends: profile and friend tags in TagList order; strangers fail.
        let list = server
            .ok(GET_LIST, json!({"From_Account": "owner", "To_Account": ["f1", "stranger"],
                "TagList": ["Tag_SNS_IM_Remark", "Tag_Profile_IM_Nick", "Tag_SNS_IM_Group", "Tag_SNS_Custom_Test", "Tag_Profile_IM_Gender"]}))
            .await;
        assert_eq!(
            list["InfoItem"][0]["SnsProfileItem"],
            json!([
                {"Tag": "Tag_SNS_IM_Remark", "Value": "renamed"},
                {"Tag": "Tag_Profile_IM_Nick", "Value": "Eff One"},
                {"Tag": "Tag_SNS_IM_Group", "Value": ["team", "gym"]},
                {"Tag": "Tag_SNS_Custom_Test", "Value": "y"}
            ])
        );
        assert_eq!(list["InfoItem"][1]["ResultCode"], 30001);
        assert!(list["InfoItem"][1].get("SnsProfileItem").is_none());
        assert_eq!(list["Fail_Account"], json!(["stranger"]));
        server
            .fails(GET_LIST, json!({"From_Account": "owner", "To_Account": ["f1"], "TagList": ["Tag_SNS_IM_Nope"]}), 30001)
            .await;
        server
            .fails(
                GET_LIST,
                json!({"From_Account": "owner", "To_Account": ["f1"], "TagList": []}),
                30001,
            )
            .await;
    }
);

on_both_engines!(
    friend_get_pages_through_the_friend_limit,
    |server: TestServer| async move {
        let ids: Vec<String> = (0..3001).map(|i| format!("u{i:04}")).collect();
        let mut all: Vec<&str> = ids.iter().map(String::as_str).collect();
        all.push("hub");
        for chunk in all.chunks(100) {
            import(&server, chunk).await;
        }
        for chunk in ids[..3000].chunks(1000) {
            let items: Vec<Value> = chunk
                .iter()
                .map(|id| json!({"To_Account": id, "AddSource": "AddSource_Type_T"}))
                .collect();
            let reply = server
                .ok(
                    IMPORT,
                    json!({"From_Account": "hub", "AddFriendItem": items}),
                )
                .await;
            assert!(reply.get("Fail_Account").is_none(), "{reply}");
        }
        let over = server
            .ok(IMPORT, json!({"From_Account": "hub", "AddFriendItem": [{"To_Account": "u3000", "AddSource": "AddSource_Type_T"}]}))
            .await;
        assert_eq!(codes(&over, "ResultItem"), owned(&[("u3000", 30010)]));
        allow_type(&server, "u3000", "AllowType_Type_AllowAny").await;
        let add_over = server
            .ok(ADD, json!({"From_Account": "u3000", "AddFriendItem": [item("hub")], "ForceAddFlags": 1}))
            .await;
        assert_eq!(
            codes(&add_over, "ResultItem"),
            owned(&[("hub", 30014)]),
            "the peer's list is full"
        );

        let mut seen = Vec::new();
        let mut start = 0;
        let mut pages = 0;
        loop {
            let page = server
                .ok(GET, json!({"From_Account": "hub", "StartIndex": start}))
                .await;
            assert_eq!(page["FriendNum"], 3000);
            pages += 1;
            for f in page["UserDataItem"].as_array().unwrap() {
                seen.push(f["To_Account"].as_str().unwrap().to_owned());
            }
            if page["CompleteFlag"] == 1 {
                assert_eq!(page["NextStartIndex"], 0);
                break;
            }
            start = page["NextStartIndex"].as_u64().unwrap();
            assert_eq!(start as usize, seen.len());
        }
        assert_eq!(pages, 6, "500 friends a page");
        assert_eq!(seen, ids[..3000].to_vec(), "every friend once, by UserID");
    }
);

on_both_engines!(
    deleting_friends_one_way_both_ways_and_all,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["me", "p1", "p2", "p3", "p4"]).await;
        for p in ["p1", "p2", "p3", "p4"] {
            allow_type(&server, p, "AllowType_Type_AllowAny").await;
        }
        server
            .ok(ADD, json!({"From_Account": "me", "AddFriendItem": [item("p1"), item("p2"), item("p3"), item("p4")]}))
            .await;
        let deleted = server
            .ok(DELETE, json!({"From_Account": "me", "To_Account": ["p1", "p2", "p9"], "DeleteType": "Delete_Type_Single"}))
            .await;
        assert_eq!(
            codes(&deleted, "ResultItem"),
            owned(&[("p1", 0), ("p2", 0), ("p9", 31704)])
        );
        assert_eq!(
            relation(&server, "me", "p1").await,
            "CheckResult_Type_BWithA"
        );
        let both = server
            .ok(DELETE, json!({"From_Account": "me", "To_Account": ["p3"]}))
            .await;
        assert_eq!(codes(&both, "ResultItem"), owned(&[("p3", 0)]));
        assert_eq!(
            relation(&server, "me", "p3").await,
            "CheckResult_Type_NoRelation",
            "Delete_Type_Both is the default"
        );
        let reports = receiver.wait_for("Sns.CallbackFriendDelete", 2).await;
        assert_eq!(
            pairs(&reports[0].body),
            [("me".into(), "p1".into()), ("me".into(), "p2".into())]
        );
        assert_eq!(
            pairs(&reports[1].body),
            [("me".into(), "p3".into()), ("p3".into(), "me".into())]
        );

        // Delete all: one way by default.
        server.ok(DELETE_ALL, json!({"From_Account": "me"})).await;
        assert_eq!(
            relation(&server, "me", "p4").await,
            "CheckResult_Type_BWithA"
        );
        let page = server
            .ok(GET, json!({"From_Account": "me", "StartIndex": 0}))
            .await;
        assert_eq!(page["FriendNum"], 0);
        assert_eq!(page["UserDataItem"], json!([]));
        server
            .ok(
                DELETE_ALL,
                json!({"From_Account": "p4", "DeleteType": "Delete_Type_Both"}),
            )
            .await;
        let p4 = server
            .ok(GET, json!({"From_Account": "p4", "StartIndex": 0}))
            .await;
        assert_eq!(p4["FriendNum"], 0);
        let reports = receiver.wait_for("Sns.CallbackFriendDelete", 4).await;
        assert_eq!(pairs(&reports[2].body), [("me".into(), "p4".into())]);
        server
            .fails(DELETE, json!({"From_Account": "me", "To_Account": ["p1"], "DeleteType": "Delete_Type_Some"}), 30001)
            .await;
        server
            .fails(DELETE_ALL, json!({"From_Account": "ghost"}), 30003)
            .await;
    }
);

on_both_engines!(
    friend_lists_hold_friends_and_count_changes,
    |server: TestServer| async move {
        import(&server, &["o", "x", "y", "z"]).await;
        for p in ["x", "y"] {
            allow_type(&server, p, "AllowType_Type_AllowAny").await;
        }
        server
            .ok(
                ADD,
                json!({"From_Account": "o", "AddFriendItem": [item("x"), item("y")]}),
            )
            .await;
        let created = server
            .ok(
                LIST_ADD,
                json!({"From_Account": "o", "GroupName": ["a", "b"]}),
            )
            .await;
        assert!(
            created.get("ResultItem").is_none(),
            "no accounts, no ResultItem"
        );
        let first_seq = created["CurrentSequence"].as_u64().unwrap();
        assert!(first_seq > 0);
        let with = server
            .ok(
                LIST_ADD,
                json!({"From_Account": "o", "GroupName": ["c"], "To_Account": ["x", "z"]}),
            )
            .await;
        assert_eq!(codes(&with, "ResultItem"), owned(&[("x", 0), ("z", 32216)]));
        assert_eq!(with["Fail_Account"], json!(["z"]));
        assert!(with["CurrentSequence"].as_u64().unwrap() > first_seq);
        server
            .fails(
                LIST_ADD,
                json!({"From_Account": "o", "GroupName": ["a"]}),
                30001,
            )
            .await;
        server
            .fails(
                LIST_ADD,
                json!({"From_Account": "o", "GroupName": [""]}),
                30001,
            )
            .await;
        server
            .ok(UPDATE, json!({"From_Account": "o", "UpdateItem": [{"To_Account": "y", "SnsItem": [{"Tag": "Tag_SNS_IM_Group", "Value": ["a", "c"]}]}]}))
            .await;

        let all = server.ok(LIST_GET, json!({"From_Account": "o"})).await;
        assert_eq!(
            all["ResultItem"],
            json!([
                {"GroupName": "a", "FriendNumber": 1},
                {"GroupName": "b", "FriendNumber": 0},
                {"GroupName": "c", "FriendNumber": 2}
            ])
        );
        let with_friends = server
            .ok(
                LIST_GET,
                json!({"From_Account": "o", "NeedFriend": "Need_Friend_Type_Yes"}),
            )
            .await;
        assert_eq!(
            with_friends["ResultItem"][2]["To_Account"],
            json!(["x", "y"])
        );
        let named = server
            .ok(LIST_GET, json!({"From_Account": "o", "GroupName": ["a"]}))
            .await;
        assert_eq!(
            named["ResultItem"],
            json!([{"GroupName": "a", "FriendNumber": 1, "To_Account": ["y"]}])
        );
        server
            .fails(
                LIST_GET,
                json!({"From_Account": "o", "GroupName": ["nope"]}),
                30001,
            )
            .await;

        // Deleting a list takes its friends out of it.
        let before = all["CurrentSequence"].as_u64().unwrap();
        let deleted = server
            .ok(
                LIST_DELETE,
                json!({"From_Account": "o", "GroupName": ["c"]}),
            )
            .await;
        assert!(deleted["CurrentSequence"].as_u64().unwrap() > before);
        let list = server
            .ok(GET_LIST, json!({"From_Account": "o", "To_Account": ["x", "y"], "TagList": ["Tag_SNS_IM_Group"]}))
            .await;
        assert_eq!(list["InfoItem"][0]["SnsProfileItem"], json!([]));
        assert_eq!(
            list["InfoItem"][1]["SnsProfileItem"],
            json!([{"Tag": "Tag_SNS_IM_Group", "Value": ["a"]}])
        );
        server
            .fails(
                LIST_DELETE,
                json!({"From_Account": "o", "GroupName": ["c"]}),
                30001,
            )
            .await;

        // At most 32 lists.
        let names: Vec<String> = (0..30).map(|i| format!("n{i}")).collect();
        server
            .ok(LIST_ADD, json!({"From_Account": "o", "GroupName": names}))
            .await;
        server
            .fails(
                LIST_ADD,
                json!({"From_Account": "o", "GroupName": ["one_too_many"]}),
                30011,
            )
            .await;
    }
);

on_both_engines!(
    bad_requests_get_sns_codes,
    |server: TestServer| async move {
        import(&server, &["a", "b"]).await;
        server
            .fails(ADD, json!({"AddFriendItem": [item("b")]}), 30001)
            .await;
        server
            .fails(
                ADD,
                json!({"From_Account": "a", "AddFriendItem": [{"To_Account": "b"}]}),
                30001,
            )
            .await;
        server
            .fails(ADD, json!({"From_Account": "a", "AddFriendItem": [{"To_Account": "b", "AddSource": "Web"}]}), 30001)
            .await;
        server
            .fails(ADD, json!({"From_Account": "a", "AddFriendItem": [item("b")], "AddType": "Add_Type_Sometimes"}), 30001)
            .await;
        server
            .fails(
                ADD,
                json!({"From_Account": "a", "AddFriendItem": []}),
                30001,
            )
            .await;
        server
            .fails(
                ADD,
                json!({"From_Account": "ghost", "AddFriendItem": [item("b")]}),
                30003,
            )
            .await;
        server
            .fails(
                ADD,
                json!({"From_Account": 7, "AddFriendItem": [item("b")]}),
                60015,
            )
            .await;
        let too_many: Vec<String> = (0..1001).map(|i| format!("x{i}")).collect();
        server
            .fails(CHECK, json!({"From_Account": "a", "To_Account": too_many, "CheckType": "CheckResult_Type_Both"}), 30001)
            .await;
        server
            .fails(
                CHECK,
                json!({"From_Account": "a", "To_Account": ["b"], "CheckType": "Both"}),
                30001,
            )
            .await;
        server
            .fails(
                CHECK,
                json!({"From_Account": "a", "To_Account": ["b"]}),
                30001,
            )
            .await;
        server
            .fails(
                GET,
                json!({"From_Account": "a", "StartIndex": "zero"}),
                30001,
            )
            .await;
        server
            .fails(
                GET,
                json!({"From_Account": "ghost", "StartIndex": 0}),
                30003,
            )
            .await;
        server
            .fails(
                LIST_GET,
                json!({"From_Account": "a", "NeedFriend": "yes"}),
                30001,
            )
            .await;
        // Nothing half-written: the refused calls left no friends behind.
        assert_eq!(
            relation(&server, "a", "b").await,
            "CheckResult_Type_NoRelation"
        );
    }
);

on_both_engines!(
    deleting_an_account_removes_its_relations,
    |server: TestServer| async move {
        import(&server, &["stay", "leave", "third"]).await;
        allow_type(&server, "leave", "AllowType_Type_AllowAny").await;
        server
            .ok(
                ADD,
                json!({"From_Account": "stay", "AddFriendItem": [item("leave")]}),
            )
            .await;
        server
            .ok(
                "sns/black_list_add",
                json!({"From_Account": "third", "To_Account": ["leave"]}),
            )
            .await;
        assert_eq!(
            relation(&server, "stay", "leave").await,
            "CheckResult_Type_BothWay"
        );
        server
            .ok(
                "im_open_login_svc/account_delete",
                json!({"DeleteItem": [{"UserID": "leave"}]}),
            )
            .await;
        import(&server, &["leave"]).await;
        assert_eq!(
            relation(&server, "stay", "leave").await,
            "CheckResult_Type_NoRelation"
        );
        let blocks = server
            .ok("sns/black_list_check", json!({"From_Account": "third", "To_Account": ["leave"], "CheckType": "BlackCheckResult_Type_Both"}))
            .await;
        assert_eq!(
            blocks["BlackListCheckItem"][0]["Relation"],
            "BlackCheckResult_Type_NO"
        );
        let page = server
            .ok(GET, json!({"From_Account": "stay", "StartIndex": 0}))
            .await;
        assert_eq!(page["FriendNum"], 0);
    }
);
