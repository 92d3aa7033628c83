//! Cloud search over `/binfo` and `/ws`, frame by frame: the bodies the pinned SDK sends (after
//! its key conversion), pages and cursors, what one user may find and another may not, and each
//! refusal's code (27003).

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

async fn c2c(server: &TestServer, from: &str, to: &str, random: u32, t: &str) {
    server
        .ok(
            "openim/sendmsg",
            json!({"From_Account": from, "To_Account": to, "MsgRandom": random,
                   "SyncOtherMachine": 1, "MsgBody": text(t)}),
        )
        .await;
    // Each message its own second, so the order is the order sent.
    server.clock.advance_ms(1_000);
}

async fn group_msg(server: &TestServer, group: &str, from: &str, random: u32, t: &str) {
    server
        .ok(
            "group_open_http_svc/send_group_msg",
            json!({"GroupId": group, "From_Account": from, "Random": random, "MsgBody": text(t)}),
        )
        .await;
    server.clock.advance_ms(1_000);
}

async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = sdk.call(servcmd, body).await;
    assert_eq!(reply["ErrorCode"], 0, "{servcmd}: {reply}");
    reply
}

/// The conversations of a reply, each as (UserID or GroupID, Count, the texts of its list).
fn conversations(reply: &Value) -> Vec<(String, u64, Vec<String>)> {
    reply["ConversationMsgs"]
        .as_array()
        .unwrap_or_else(|| panic!("no ConversationMsgs: {reply}"))
        .iter()
        .map(|c| {
            let id = c["UserID"].as_str().or(c["GroupID"].as_str()).unwrap();
            let texts = c["MessageList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    m["MsgBody"][0]["MsgContent"]["Text"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            (id.to_owned(), c["Count"].as_u64().unwrap(), texts)
        })
        .collect()
}

fn conv(id: &str, count: u64, texts: &[&str]) -> (String, u64, Vec<String>) {
    (
        id.into(),
        count,
        texts.iter().map(|t| t.to_string()).collect(),
    )
}

on_both_engines!(
    messages_are_found_in_the_users_own_conversations,
    |server: TestServer| async move {
        import(&server, &["cs_a", "cs_b", "cs_c"]).await;
        let created = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "Search club", "Owner_Account": "cs_a",
                       "MemberList": [{"Member_Account": "cs_b"}]}),
            )
            .await;
        let group = created["GroupId"].as_str().unwrap().to_owned();
        c2c(&server, "cs_a", "cs_b", 1, "hello bob").await;
        c2c(&server, "cs_b", "cs_a", 2, "Hello again, 100%").await;
        c2c(&server, "cs_b", "cs_c", 3, "hello secret").await;
        group_msg(&server, &group, "cs_a", 4, "hello group").await;
        group_msg(&server, &group, "cs_b", 5, "bye group").await;

        let mut a = SdkClient::connect(&server, "cs_a").await;
        // The SDK may use cloud search: purchase bit 40 (bit 8 of the high word) is on.
        let bits = a
            .call("im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2", json!({}))
            .await;
        let bits = bits["str_purchase_bits"].as_str().unwrap().to_owned();
        assert_eq!(bits.chars().rev().nth(40), Some('1'), "{bits}");

        // All conversations: newest match first; a conversation with more than one match
        // gives its count, one with one match the message.
        let all = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["HELLO"], "MatchType": "or", "Count": 100}),
        )
        .await;
        assert_eq!(all["TotalCount"], 2, "{all}");
        assert_eq!(all["Cursor"], "", "{all}");
        assert_eq!(
            conversations(&all),
            vec![conv(&group, 1, &["hello group"]), conv("cs_b", 2, &[])]
        );
        let found = &all["ConversationMsgs"][0]["MessageList"][0];
        assert_eq!(found["From_Account"], "cs_a", "{found}");
        assert_eq!(found["ToGroupId"], group.as_str(), "{found}");

        // One conversation, a page at a time: messages, newest first.
        let first = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["hello"], "MatchType": "or", "PeerAccount": "cs_b", "Count": 1}),
        )
        .await;
        assert_eq!(first["TotalCount"], 2, "{first}");
        assert_eq!(
            conversations(&first),
            vec![conv("cs_b", 1, &["Hello again, 100%"])]
        );
        let cursor = first["Cursor"].as_str().unwrap().to_owned();
        assert!(!cursor.is_empty(), "{first}");
        // A message arriving between pages does not shift them.
        c2c(&server, "cs_b", "cs_a", 6, "hello later").await;
        let second = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["hello"], "PeerAccount": "cs_b", "Count": 1, "Cursor": cursor}),
        )
        .await;
        assert_eq!(
            conversations(&second),
            vec![conv("cs_b", 1, &["hello bob"])]
        );
        assert_eq!(second["Cursor"], "", "{second}");

        // AND; `%` is a plain character; senders; types; a time range that ends before all.
        let and = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["hello", "100%"], "MatchType": "and"}),
        )
        .await;
        assert_eq!(
            conversations(&and),
            vec![conv("cs_b", 1, &["Hello again, 100%"])]
        );
        let by_b = ok(
            &mut a,
            "message_search.query",
            json!({"SendUserIDList": ["cs_b"], "GroupID": group}),
        )
        .await;
        assert_eq!(conversations(&by_b), vec![conv(&group, 1, &["bye group"])]);
        let typed = ok(
            &mut a,
            "message_search.query",
            json!({"MsgTypeList": ["TIMCustomElem"]}),
        )
        .await;
        assert_eq!(typed["TotalCount"], 0, "{typed}");
        let early = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["hello"], "StartTime": 1, "EndTime": 2}),
        )
        .await;
        assert_eq!(early["TotalCount"], 0, "{early}");

        // c never sees a's messages, nor the group it is not in.
        let mut c = SdkClient::connect(&server, "cs_c").await;
        let theirs = ok(
            &mut c,
            "message_search.query",
            json!({"KeywordList": ["hello"]}),
        )
        .await;
        assert_eq!(
            conversations(&theirs),
            vec![conv("cs_b", 1, &["hello secret"])]
        );
        let in_group = ok(
            &mut c,
            "message_search.query",
            json!({"KeywordList": ["hello"], "GroupID": group}),
        )
        .await;
        assert_eq!(in_group["TotalCount"], 0, "{in_group}");

        // A history a cleared for themselves is not searched any more.
        server
            .ok(
                "recentcontact/delete",
                json!({"From_Account": "cs_a", "Type": 1, "To_Account": "cs_b", "ClearRamble": 1}),
            )
            .await;
        let cleared = ok(
            &mut a,
            "message_search.query",
            json!({"KeywordList": ["hello"], "PeerAccount": "cs_b"}),
        )
        .await;
        assert_eq!(cleared["TotalCount"], 0, "{cleared}");

        // Refusals: 27003, with what is wrong.
        for (body, says) in [
            (json!({}), "keywords"),
            (
                json!({"KeywordList": ["1", "2", "3", "4", "5", "6"]}),
                "6 keywords",
            ),
            (json!({"KeywordList": ["x"], "Count": 101}), "Count"),
            (
                json!({"KeywordList": ["x"], "MatchType": "xor"}),
                "MatchType",
            ),
            (
                json!({"KeywordList": ["x"], "Cursor": "nonsense"}),
                "Cursor",
            ),
            (json!({"MsgTypeList": ["TIMFaceElem"]}), "TIMFaceElem"),
            (
                json!({"KeywordList": ["x"], "PeerAccount": "cs_b", "GroupID": group}),
                "not both",
            ),
        ] {
            let reply = a.call("message_search.query", body.clone()).await;
            assert_eq!(reply["ErrorCode"], 27003, "{body}: {reply}");
            let info = reply["ErrorInfo"].as_str().unwrap();
            assert!(info.contains(says), "{body}: {info}");
        }
    }
);

on_both_engines!(
    users_groups_and_members_are_found,
    |server: TestServer| async move {
        import(&server, &["su_a", "su_b", "su_c"]).await;
        for (user, nick) in [("su_b", "Bobby Tables"), ("su_c", "Carol")] {
            server
                .ok(
                    "profile/portrait_set",
                    json!({"From_Account": user, "ProfileItem": [
                        {"Tag": "Tag_Profile_IM_Nick", "Value": nick},
                        {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Female"}]}),
                )
                .await;
        }
        let mut group_ids = Vec::new();
        for (kind, name, owner, members) in [
            ("Public", "Tables club", "su_a", vec!["su_b"]),
            ("Private", "Tables at work", "su_c", vec!["su_b"]),
            ("AVChatRoom", "Tables live", "su_a", vec![]),
        ] {
            let list: Vec<Value> = members
                .iter()
                .map(|m| json!({"Member_Account": m}))
                .collect();
            let created = server
                .ok(
                    "group_open_http_svc/create_group",
                    json!({"Type": kind, "Name": name, "Owner_Account": owner, "MemberList": list}),
                )
                .await;
            group_ids.push(created["GroupId"].as_str().unwrap().to_owned());
        }
        server
            .ok(
                "group_open_http_svc/modify_group_member_info",
                json!({"GroupId": group_ids[0], "Member_Account": "su_a", "NameCard": "Captain"}),
            )
            .await;
        let mut a = SdkClient::connect(&server, "su_a").await;

        // Users: an exact UserID or part of a nickname; gender.
        let users = ok(
            &mut a,
            "user_search.query",
            json!({"Keywords": ["tables", "su_c"], "KeywordMatchType": 0, "Count": 20}),
        )
        .await;
        assert_eq!(users["TotalCount"], 2, "{users}");
        assert_eq!(users["Users"][0]["UserID"], "su_b", "{users}");
        let nick = users["Users"][0]["ProfileItems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["Tag"] == "Tag_Profile_IM_Nick")
            .cloned();
        assert_eq!(nick.unwrap()["Value"], "Bobby Tables", "{users}");
        let paged = ok(
            &mut a,
            "user_search.query",
            json!({"Keywords": ["tables", "su_c"], "Count": 1}),
        )
        .await;
        let next = ok(
            &mut a,
            "user_search.query",
            json!({"Keywords": ["tables", "su_c"], "Count": 1, "Cursor": paged["Cursor"]}),
        )
        .await;
        assert_eq!(next["Users"][0]["UserID"], "su_c", "{next}");
        assert_eq!(next["Cursor"], "", "{next}");
        let men = ok(
            &mut a,
            "user_search.query",
            json!({"Keywords": ["tables"], "UserGenderType": "Gender_Type_Male"}),
        )
        .await;
        assert_eq!(men["TotalCount"], 0, "{men}");

        // Groups: a's public one; not the AVChatRoom, not the work group a is not in.
        let groups = ok(
            &mut a,
            "group_search.query",
            json!({"Keywords": ["TABLES"], "KeywordMatchType": 0}),
        )
        .await;
        assert_eq!(groups["TotalCount"], 1, "{groups}");
        let g = &groups["Groups"][0];
        assert_eq!(
            (
                &g["GroupID"],
                &g["GroupName"],
                &g["GroupType"],
                &g["GroupOwnerUserID"]
            ),
            (
                &json!(group_ids[0]),
                &json!("Tables club"),
                &json!("Public"),
                &json!("su_a")
            ),
            "{groups}"
        );
        // b is in the work group, so b finds it.
        let mut b = SdkClient::connect(&server, "su_b").await;
        let theirs = ok(
            &mut b,
            "group_search.query",
            json!({"Keywords": ["tables"]}),
        )
        .await;
        assert_eq!(theirs["TotalCount"], 2, "{theirs}");

        // Members of a's groups: by nickname or name card.
        let members = ok(
            &mut a,
            "group_member_search.query",
            json!({"Keywords": ["bobby", "captain"], "KeywordMatchType": 0}),
        )
        .await;
        let found: Vec<(String, String, String)> = members["GroupMembers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["GroupMemberUserID"].as_str().unwrap().to_owned(),
                    m["GroupMemberUserName"].as_str().unwrap().to_owned(),
                    m["GroupMemberNameCard"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("su_a".into(), String::new(), "Captain".into()),
                ("su_b".into(), "Bobby Tables".into(), String::new())
            ],
            "{members}"
        );
        assert_eq!(members["GroupMembers"][0]["GroupName"], "Tables club");
        // c's work group is not a's: b is found there only by b, who is in it.
        let in_work = ok(
            &mut b,
            "group_member_search.query",
            json!({"Keywords": ["carol"], "GroupIdList": [group_ids[1]]}),
        )
        .await;
        assert_eq!(
            in_work["GroupMembers"][0]["GroupMemberUserID"], "su_c",
            "{in_work}"
        );
        let not_mine = ok(
            &mut a,
            "group_member_search.query",
            json!({"Keywords": ["carol"]}),
        )
        .await;
        assert_eq!(not_mine["TotalCount"], 0, "{not_mine}");

        // Refusals: no keywords, too many, a bad match type or group type, or page.
        for (servcmd, body) in [
            ("user_search.query", json!({"Keywords": []})),
            (
                "user_search.query",
                json!({"Keywords": ["x"], "KeywordMatchType": 2}),
            ),
            (
                "user_search.query",
                json!({"Keywords": ["x"], "UserGenderType": "Gender_Type_Robot"}),
            ),
            (
                "group_search.query",
                json!({"Keywords": ["1", "2", "3", "4", "5", "6"]}),
            ),
            (
                "group_search.query",
                json!({"Keywords": ["x"], "GroupType": ["AVChatRoom"]}),
            ),
            (
                "group_member_search.query",
                json!({"Keywords": ["x"], "Count": 1000}),
            ),
        ] {
            let reply = a.call(servcmd, body.clone()).await;
            assert_eq!(reply["ErrorCode"], 27003, "{servcmd} {body}: {reply}");
        }

        // /ws runs the same commands.
        let mut ws = Client::login(&server, "su_a", "Android").await;
        let reply = ws
            .ok("group_search.query", json!({"Keywords": ["tables"]}))
            .await;
        assert_eq!(reply["TotalCount"], 1, "{reply}");
    }
);
