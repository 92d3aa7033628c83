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
