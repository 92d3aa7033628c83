//! `recentcontact`: the conversation list and deleting conversations.

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{history, import, send_body, unread, SEND};
use crate::on_both_engines;

const LIST: &str = "recentcontact/get_list";

async fn list_page(server: &TestServer, owner: &str, cursor: Option<&Value>, flags: u32) -> Value {
    let mut body = json!({"From_Account": owner, "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": flags});
    if let Some(previous) = cursor {
        for field in ["TimeStamp", "StartIndex", "TopTimeStamp", "TopStartIndex"] {
            body[field] = previous[field].clone();
        }
    }
    server.ok(LIST, body).await
}

fn peers(page: &Value) -> Vec<String> {
    page["SessionItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["To_Account"].as_str().unwrap().to_owned())
        .collect()
}

on_both_engines!(
    the_list_pages_newest_first_with_cursors,
    |server: TestServer| async move {
        let friends: Vec<String> = (0..130).map(|i| format!("f{i:03}")).collect();
        let mut ids: Vec<&str> = friends.iter().map(String::as_str).collect();
        ids.push("owner");
        for chunk in ids.chunks(100) {
            import(&server, chunk).await;
        }
        // Two friends per second, so pages split ties.
        server.clock.freeze(server.clock.now_ms());
        let mut expected = Vec::new();
        for (i, friend) in friends.iter().enumerate() {
            server
                .ok(SEND, send_body(friend, "owner", i as u32, "hi"))
                .await;
            expected.push(friend.clone());
            if i % 2 == 1 {
                server.clock.advance_ms(1000);
            }
        }
        // Newest first; within one second, by UserID.
        expected.reverse();
        for pair in expected.chunks_mut(2) {
            pair.sort();
        }
        let first = list_page(&server, "owner", None, 7).await;
        assert_eq!(first["CompleteFlag"], 0);
        assert_eq!(first["SessionItem"].as_array().unwrap().len(), 100);
        assert_eq!(first["SessionItem"][0]["Type"], 1);
        assert_eq!(first["SessionItem"][0]["TopFlag"], 0);
        assert!(
            first.get("ErrorDisplay").is_some(),
            "recentcontact replies carry ErrorDisplay"
        );
        let second = list_page(&server, "owner", Some(&first), 7).await;
        assert_eq!(second["CompleteFlag"], 1);
        let mut all = peers(&first);
        all.extend(peers(&second));
        assert_eq!(all, expected, "every conversation once, in order");

        // A message moves its conversation to the front.
        server.clock.advance_ms(5000);
        server
            .ok(SEND, send_body("owner", "f000", 999, "back to you"))
            .await;
        let again = list_page(&server, "owner", None, 7).await;
        assert_eq!(again["SessionItem"][0]["To_Account"], "f000");
        assert_eq!(again["SessionItem"][0]["MsgTime"], server.clock.now_secs());

        // NoLastMsg leaves the list as it was.
        let mut quiet = send_body("f129", "owner", 1000, "psst");
        quiet["SendMsgControl"] = json!(["NoLastMsg"]);
        server.clock.advance_ms(5000);
        server.ok(SEND, quiet).await;
        let after = list_page(&server, "owner", None, 7).await;
        assert_eq!(after["SessionItem"][0]["To_Account"], "f000");

        server.fails(LIST, json!({"From_Account": "ghost", "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}), 50001).await;
        server.fails(LIST, json!({"TimeStamp": 0}), 50002).await;
        server
            .fails(
                LIST,
                json!({"From_Account": "owner", "TimeStamp": "now"}),
                50002,
            )
            .await;
    }
);

on_both_engines!(deleting_a_conversation, |server: TestServer| async move {
    import(&server, &["d1", "d2", "d3"]).await;
    server.ok(SEND, send_body("d2", "d1", 1, "one")).await;
    server.ok(SEND, send_body("d2", "d1", 2, "two")).await;
    server.ok(SEND, send_body("d3", "d1", 3, "three")).await;
    assert_eq!(unread(&server, "d1", &[]).await["AllC2CUnreadMsgNum"], 3);

    server
        .ok(
            "recentcontact/delete",
            json!({"From_Account": "d1", "Type": 1, "To_Account": "d2", "ClearRamble": 0}),
        )
        .await;
    assert_eq!(peers(&list_page(&server, "d1", None, 7).await), ["d3"]);
    assert_eq!(
        unread(&server, "d1", &[]).await["AllC2CUnreadMsgNum"],
        1,
        "its unread count went with it"
    );
    assert_eq!(
        history(&server, "d1", "d2", 10, None).await["MsgCnt"],
        2,
        "history kept"
    );

    server
        .ok(
            "recentcontact/delete",
            json!({"From_Account": "d1", "Type": 1, "To_Account": "d3", "ClearRamble": 1}),
        )
        .await;
    assert_eq!(
        history(&server, "d1", "d3", 10, None).await["MsgCnt"],
        0,
        "history cleared for d1"
    );
    assert_eq!(
        history(&server, "d3", "d1", 10, None).await["MsgCnt"],
        1,
        "d3 keeps its copy"
    );
    assert_eq!(peers(&list_page(&server, "d3", None, 7).await), ["d1"]);

    // A new message brings the conversation back.
    server.clock.advance_ms(1000);
    server.ok(SEND, send_body("d3", "d1", 4, "again")).await;
    assert_eq!(peers(&list_page(&server, "d1", None, 7).await), ["d3"]);
    assert_eq!(history(&server, "d1", "d3", 10, None).await["MsgCnt"], 1);

    // A group conversation that is not in the list: nothing to do, not an error.
    server
        .ok(
            "recentcontact/delete",
            json!({"From_Account": "d1", "Type": 2, "ToGroupid": "@TGS#none"}),
        )
        .await;
    let delete = "recentcontact/delete";
    server
        .fails(
            delete,
            json!({"From_Account": "d1", "Type": 3, "To_Account": "d2"}),
            50002,
        )
        .await;
    server
        .fails(delete, json!({"From_Account": "d1", "Type": 1}), 50002)
        .await;
    server
        .fails(
            delete,
            json!({"From_Account": "d1", "Type": 2, "ToGroupId": "@TGS#x"}),
            50002,
        )
        .await;
    server
        .fails(
            delete,
            json!({"From_Account": "ghost", "Type": 1, "To_Account": "d2"}),
            50001,
        )
        .await;
    server
        .fails(
            delete,
            json!({"From_Account": "d1", "Type": 1, "To_Account": "ghost"}),
            50001,
        )
        .await;
});

fn contact(peer: &str) -> Value {
    json!({"Type": 1, "To_Account": peer})
}

on_both_engines!(
    conversation_groups_and_marks,
    |server: TestServer| async move {
        import(&server, &["cg", "p1", "p2", "p3"]).await;
        for (i, peer) in ["p1", "p2", "p3"].iter().enumerate() {
            server.ok(SEND, send_body(peer, "cg", i as u32, "hi")).await;
        }
        let create = |name: &str, items: Value| json!({"From_Account": "cg", "GroupContactItem": [{"GroupName": name, "ContactItem": items}]});
        let created = server
            .ok(
                "recentcontact/create_contact_group",
                create("work", json!([contact("p1"), contact("p2")])),
            )
            .await;
        assert_eq!(
            created["GroupResultItem"],
            json!([{"GroupItem": {"GroupName": "work", "GroupId": 1},
                "ResultItem": [{"ContactItem": contact("p1"), "ResultCode": 0, "ResultInfo": ""},
                               {"ContactItem": contact("p2"), "ResultCode": 0, "ResultInfo": ""}]}])
        );
        assert!(created.get("ErrorDisplay").is_some());
        server
            .ok(
                "recentcontact/create_contact_group",
                create("family", json!([{"Type": 2, "ToGroupId": "@TGS#home"}])),
            )
            .await;
        // Rename, then move p2 out and p3 in.
        let renamed = server
        .ok("recentcontact/update_contact_group", json!({"From_Account": "cg", "UpdateType": 1,
            "UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "family", "NewGroupName": "home"}}))
        .await;
        assert_eq!(renamed["UpdateGroupResult"]["GroupName"], "home");
        assert_eq!(renamed["UpdateGroupResult"]["GroupId"], 2);
        assert_eq!(renamed["UpdateGroupResult"]["OldGroupName"], "family");
        let moved = server
            .ok(
                "recentcontact/update_contact_group",
                json!({"From_Account": "cg", "UpdateType": 1,
            "UpdateGroup": {"UpdateGroupType": 2, "OldGroupName": "work", "ContactUpdateItem": [
                {"ContactOptType": 2, "ContactItem": contact("p2")},
                {"ContactOptType": 1, "ContactItem": contact("p3")}]}}),
            )
            .await;
        assert_eq!(
            moved["UpdateGroupResult"]["ContactResultItem"][1],
            json!({"ContactOptType": 1, "ContactItem": contact("p3"), "ResultCode": 0, "ResultInfo": ""})
        );
        // Marks: bits 1 and 2 on p1, a custom mark on p2.
        let marked = server
            .ok(
                "recentcontact/mark_contact",
                json!({"From_Account": "cg", "MarkItem": [
            {"OptType": 1, "ContactItem": contact("p1"), "SetMark": [1, 2, 5]},
            {"OptType": 2, "ContactItem": contact("p2"), "CustomMark": "vip", "SetMark": [9]}]}),
            )
            .await;
        assert_eq!(marked["ResultItem"][1]["OptType"], 2);
        server
            .ok(
                "recentcontact/mark_contact",
                json!({"From_Account": "cg", "MarkItem": [
            {"OptType": 3, "ContactItem": contact("p1"), "ClearMark": [5], "CustomMark": "best"}]}),
            )
            .await;

        let now = server.clock.now_secs();
        let search = server
        .ok("recentcontact/search_contact_group", json!({"From_Account": "cg", "ContactItem": [contact("p1"), contact("p2"), contact("nobody")]}))
        .await;
        let items = search["ContactResultItem"].as_array().unwrap();
        assert_eq!(items.len(), 2, "only conversations with data: {search}");
        assert_eq!(items[0]["To_Account"], "p1");
        assert_eq!(items[0]["StandardMark"], "110");
        assert_eq!(items[0]["CustomMark"], "best");
        assert_eq!(items[0]["ContactGroupId"], json!([1]));
        assert!((items[0]["Timestamp"].as_i64().unwrap() - now).abs() <= 1);
        assert_eq!(items[1]["CustomMark"], "vip");
        assert!(
            items[1].get("StandardMark").is_none(),
            "OptType 2 leaves the standard marks: {search}"
        );
        assert!(items[1].get("ContactGroupId").is_none());
        assert_eq!(
            search["GroupItem"],
            json!([{"GroupName": "work", "GroupId": 1}, {"GroupName": "home", "GroupId": 2}])
        );

        let all = server
            .ok(
                "recentcontact/get_contact_group",
                json!({"From_Account": "cg", "StartIndex": 0}),
            )
            .await;
        assert_eq!(all["CompleteFlag"], 1);
        let peers: Vec<Value> = all["ContactItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.get("To_Account").or(c.get("ToGroupId")).cloned().unwrap())
            .collect();
        assert_eq!(
            peers,
            vec![json!("p1"), json!("p2"), json!("p3"), json!("@TGS#home")]
        );

        // The conversation list shows the marks and groups.
        let list = list_page(&server, "cg", None, 63).await;
        let p1 = list["SessionItem"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["To_Account"] == "p1")
            .unwrap()
            .clone();
        assert_eq!(p1["StandardMark"], "110");
        assert_eq!(p1["CustomMark"], "best");
        assert_eq!(p1["ContactGroupId"], json!([1]));

        // Deleting a group takes it off its conversations.
        let deleted = server
            .ok(
                "recentcontact/del_contact_group",
                json!({"From_Account": "cg", "GroupName": ["work"]}),
            )
            .await;
        assert_eq!(
            deleted["GroupItem"],
            json!([{"GroupName": "work", "GroupId": 1}])
        );
        let after = server
            .ok(
                "recentcontact/search_contact_group",
                json!({"From_Account": "cg", "ContactItem": [contact("p1"), contact("p3")]}),
            )
            .await;
        assert_eq!(
            after["ContactResultItem"].as_array().unwrap().len(),
            1,
            "p3 had only the group: {after}"
        );
        assert!(after["ContactResultItem"][0]
            .get("ContactGroupId")
            .is_none());

        // Limits and refusals.
        server
            .fails(
                "recentcontact/create_contact_group",
                create("home", json!([])),
                50002,
            )
            .await;
        for i in 0..19 {
            server
                .ok(
                    "recentcontact/create_contact_group",
                    create(&format!("g{i}"), json!([])),
                )
                .await;
        }
        server
            .fails(
                "recentcontact/create_contact_group",
                create("one too many", json!([])),
                51010,
            )
            .await;
        server
            .fails(
                "recentcontact/create_contact_group",
                create(&"n".repeat(65), json!([])),
                51011,
            )
            .await;
        server
            .fails(
                "recentcontact/update_contact_group",
                json!({"From_Account": "cg", "UpdateType": 1,
            "UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "nope", "NewGroupName": "x"}}),
                51009,
            )
            .await;
        server
            .fails(
                "recentcontact/del_contact_group",
                json!({"From_Account": "cg", "GroupName": ["nope"]}),
                51009,
            )
            .await;
        server
            .fails(
                "recentcontact/del_contact_group",
                json!({"From_Account": "cg", "GroupName": ["a", "b"]}),
                50002,
            )
            .await;
        server
        .fails("recentcontact/mark_contact", json!({"From_Account": "cg", "MarkItem": [{"OptType": 1, "ContactItem": contact("p1"), "SetMark": [64]}]}), 50002)
        .await;
        server
        .fails("recentcontact/mark_contact", json!({"From_Account": "cg", "MarkItem": [{"OptType": 4, "ContactItem": contact("p1")}]}), 50002)
        .await;
        server
        .fails("recentcontact/mark_contact", json!({"From_Account": "cg", "MarkItem": [{"OptType": 2, "ContactItem": {"Type": 3, "To_Account": "p1"}}]}), 50002)
        .await;
        server
        .fails("recentcontact/mark_contact", json!({"From_Account": "cg", "MarkItem": [{"OptType": 2, "ContactItem": contact("p1"), "CustomMark": "m".repeat(257)}]}), 50002)
        .await;
        let many: Vec<Value> = (0..1001)
        .map(|i| json!({"OptType": 2, "ContactItem": contact(&format!("u{i}")), "CustomMark": "x"}))
        .collect();
        for chunk in many.chunks(100).take(9) {
            server
                .ok(
                    "recentcontact/mark_contact",
                    json!({"From_Account": "cg", "MarkItem": chunk}),
                )
                .await;
        }
        // 2 marked before + 900 = 902; 100 more would pass 1000.
        server
            .fails(
                "recentcontact/mark_contact",
                json!({"From_Account": "cg", "MarkItem": many[900..1000].to_vec()}),
                51008,
            )
            .await;
        server
            .fails(
                "recentcontact/get_contact_group",
                json!({"From_Account": "ghost", "StartIndex": 0}),
                50001,
            )
            .await;
        let first = server
            .ok(
                "recentcontact/get_contact_group",
                json!({"From_Account": "cg", "StartIndex": 0}),
            )
            .await;
        assert_eq!(first["CompleteFlag"], 0);
        assert_eq!(first["ContactItem"].as_array().unwrap().len(), 100);
        let mut seen = 100;
        let mut next = first["NextStartIndex"].clone();
        loop {
            let page = server
                .ok(
                    "recentcontact/get_contact_group",
                    json!({"From_Account": "cg", "StartIndex": next}),
                )
                .await;
            seen += page["ContactItem"].as_array().unwrap().len();
            if page["CompleteFlag"] == 1 {
                break;
            }
            next = page["NextStartIndex"].clone();
        }
        assert_eq!(seen, 903, "p1, p2, the group conversation and 900 marked");
    }
);
