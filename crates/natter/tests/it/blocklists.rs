//! `sns/black_list_*`, and what users do from clients: friend requests with the app's
//! before-callbacks, and one-to-one sends checked against the relationship chain.

use natter_services::messages::SendC2c;
use natter_services::relations::{AddFriendItem, FriendResponse, ResponseAction};
use natter_webhook::Origin;
use serde_json::json;

use crate::friends::{allow_type, codes, item, pairs, relation, ADD};
use crate::harness::*;
use crate::messages::{history, import, texts};
use crate::on_both_engines;
use crate::receiver::Answer;

const BLOCK: &str = "sns/black_list_add";
const UNBLOCK: &str = "sns/black_list_delete";
const BLOCKS: &str = "sns/black_list_get";
const CHECK_BLOCKS: &str = "sns/black_list_check";

fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(a, c)| (a.to_string(), *c)).collect()
}

async fn block_relations(server: &TestServer, from: &str, to: &[&str], mode: &str) -> Vec<String> {
    let reply = server
        .ok(
            CHECK_BLOCKS,
            json!({"From_Account": from, "To_Account": to, "CheckType": mode}),
        )
        .await;
    reply["BlackListCheckItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Relation"].as_str().unwrap().to_owned())
        .collect()
}

on_both_engines!(
    blocking_ends_friendships_and_stops_requests,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["me", "pal", "foe", "other"]).await;
        for u in ["me", "pal", "foe"] {
            allow_type(&server, u, "AllowType_Type_AllowAny").await;
        }
        server
            .ok(
                ADD,
                json!({"From_Account": "me", "AddFriendItem": [item("pal")]}),
            )
            .await;
        let blocked = server
            .ok(
                BLOCK,
                json!({"From_Account": "me", "To_Account": ["pal", "foe", "ghost", "me"]}),
            )
            .await;
        assert_eq!(
            codes(&blocked, "ResultItem"),
            owned(&[("pal", 0), ("foe", 0), ("ghost", 30003), ("me", 30001)])
        );
        assert_eq!(blocked["Fail_Account"], json!(["ghost", "me"]));
        assert_eq!(
            relation(&server, "me", "pal").await,
            "CheckResult_Type_NoRelation",
            "blocklisting ends the friendship both ways"
        );
        let again = server
            .ok(BLOCK, json!({"From_Account": "me", "To_Account": ["pal"]}))
            .await;
        assert_eq!(codes(&again, "ResultItem"), owned(&[("pal", 30001)]));

        // Neither side can add the other.
        let mine = server
            .ok(
                ADD,
                json!({"From_Account": "me", "AddFriendItem": [item("foe")], "ForceAddFlags": 1}),
            )
            .await;
        assert_eq!(codes(&mine, "ResultItem"), owned(&[("foe", 30515)]));
        let theirs = server
            .ok(
                ADD,
                json!({"From_Account": "foe", "AddFriendItem": [item("me")]}),
            )
            .await;
        assert_eq!(codes(&theirs, "ResultItem"), owned(&[("me", 30525)]));

        server
            .ok(BLOCK, json!({"From_Account": "foe", "To_Account": ["me"]}))
            .await;
        assert_eq!(
            block_relations(
                &server,
                "me",
                &["pal", "foe", "other"],
                "BlackCheckResult_Type_Both"
            )
            .await,
            [
                "BlackCheckResult_Type_AWithB",
                "BlackCheckResult_Type_BothWay",
                "BlackCheckResult_Type_NO"
            ]
        );
        assert_eq!(
            block_relations(&server, "pal", &["me"], "BlackCheckResult_Type_Both").await,
            ["BlackCheckResult_Type_BWithA"]
        );
        assert_eq!(
            block_relations(&server, "pal", &["me"], "BlackCheckResult_Type_Single").await,
            ["BlackCheckResult_Type_NO"]
        );

        // One request per call; calls of different users may arrive in either order.
        let added = receiver.wait_for("Sns.CallbackBlackListAdd", 2).await;
        let mine = added
            .iter()
            .find(|r| pairs(&r.body).first().is_some_and(|(from, _)| from == "me"))
            .expect("me's blocklist callback");
        assert_eq!(
            pairs(&mine.body),
            [("me".into(), "pal".into()), ("me".into(), "foe".into())]
        );
        assert_eq!(mine.query["OptPlatform"], "RESTAPI");
        assert_eq!(
            receiver
                .settled_count(&server, "Sns.CallbackFriendDelete")
                .await,
            0,
            "Tencent names only friend deletions for this callback"
        );

        let removed = server
            .ok(
                UNBLOCK,
                json!({"From_Account": "me", "To_Account": ["pal", "other"]}),
            )
            .await;
        assert_eq!(
            codes(&removed, "ResultItem"),
            owned(&[("pal", 0), ("other", 30001)])
        );
        let deleted = receiver.wait_for("Sns.CallbackBlackListDelete", 1).await;
        assert_eq!(pairs(&deleted[0].body), [("me".into(), "pal".into())]);
        let friends_again = server
            .ok(
                ADD,
                json!({"From_Account": "me", "AddFriendItem": [item("pal")]}),
            )
            .await;
        assert_eq!(codes(&friends_again, "ResultItem"), owned(&[("pal", 0)]));
    }
);

on_both_engines!(
    the_blocklist_pages_with_start_index,
    |server: TestServer| async move {
        let targets: Vec<String> = (0..5).map(|i| format!("t{i}")).collect();
        let mut ids: Vec<&str> = targets.iter().map(String::as_str).collect();
        ids.push("owner");
        import(&server, &ids).await;
        let at = server.clock.now_secs();
        server
            .ok(
                BLOCK,
                json!({"From_Account": "owner", "To_Account": targets}),
            )
            .await;
        let mut seen = Vec::new();
        let mut start = 0;
        let sequence = loop {
            let page = server
                .ok(BLOCKS, json!({"From_Account": "owner", "StartIndex": start, "MaxLimited": 2, "LastSequence": 0}))
                .await;
            for b in page["BlackListItem"].as_array().unwrap() {
                seen.push(b["To_Account"].as_str().unwrap().to_owned());
                assert!(b["AddBlackTimeStamp"].as_i64().unwrap() >= at);
            }
            assert!(
                page.get("CurrentSequence").is_none(),
                "the wire name is misspelled"
            );
            start = page["StartIndex"].as_u64().unwrap();
            if start == 0 {
                break page["CurruentSequence"].as_u64();
            }
        };
        assert_eq!(seen, targets, "every blocked account once");
        assert_eq!(sequence, Some(5), "one step per blocklisted account");
        server
            .fails(BLOCKS, json!({"From_Account": "owner", "StartIndex": 0, "MaxLimited": 1001, "LastSequence": 0}), 30001)
            .await;
        server
            .fails(
                BLOCKS,
                json!({"From_Account": "owner", "StartIndex": 0, "MaxLimited": 10}),
                30001,
            )
            .await;
    }
);

on_both_engines!(
    the_blocklist_holds_a_thousand,
    |server: TestServer| async move {
        let targets: Vec<String> = (0..1001).map(|i| format!("b{i:04}")).collect();
        let mut ids: Vec<&str> = targets.iter().map(String::as_str).collect();
        ids.push("owner");
        for chunk in ids.chunks(100) {
            import(&server, chunk).await;
        }
        let full = server
            .ok(
                BLOCK,
                json!({"From_Account": "owner", "To_Account": &targets[..1000]}),
            )
            .await;
        assert!(
            full.get("Fail_Account").is_none(),
            "{}",
            full["Fail_Account"]
        );
        let over = server
            .ok(
                BLOCK,
                json!({"From_Account": "owner", "To_Account": [&targets[1000]]}),
            )
            .await;
        assert_eq!(codes(&over, "ResultItem"), owned(&[("b1000", 30013)]));
    }
);

on_both_engines!(
    concurrent_blocks_all_count,
    |server: TestServer| async move {
        let targets: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        let mut ids: Vec<&str> = targets.iter().map(String::as_str).collect();
        ids.push("owner");
        import(&server, &ids).await;
        let calls = targets.iter().map(|t| {
            server.call(
                BLOCK,
                json!({"From_Account": "owner", "To_Account": [t, "c0"]}),
            )
        });
        let replies = futures::future::join_all(calls).await;
        let blocked_c0 = replies
            .iter()
            .flat_map(|r| codes(r, "ResultItem"))
            .filter(|(a, code)| a == "c0" && *code == 0)
            .count();
        assert_eq!(blocked_c0, 1, "exactly one request blocklists c0 first");
        let page = server
            .ok(BLOCKS, json!({"From_Account": "owner", "StartIndex": 0, "MaxLimited": 100, "LastSequence": 0}))
            .await;
        assert_eq!(page["BlackListItem"].as_array().unwrap().len(), 40);
        assert_eq!(page["CurruentSequence"], 40);
    }
);

fn client() -> Origin {
    Origin::client("10.0.0.7", "Android")
}

fn request_item(to: &str) -> AddFriendItem {
    AddFriendItem {
        to: to.into(),
        add_source: "AddSource_Type_Android".into(),
        remark: format!("{to}!"),
        group_name: "met".into(),
        add_wording: "hello".into(),
    }
}

on_both_engines!(
    client_requests_pass_the_apps_before_callbacks,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["asker", "open", "shy", "vetoed"]).await;
        allow_type(&server, "open", "AllowType_Type_AllowAny").await;
        allow_type(&server, "vetoed", "AllowType_Type_AllowAny").await;
        let app = server.services().apps.get(APP).unwrap().clone();
        let relations = &server.services().relations;
        // The profile callbacks go first, so the scripted answer meets the friend request.
        receiver.wait_for("Profile.CallbackPortraitSet", 2).await;
        receiver.script([Answer::Json(json!({
            "ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "",
            "ResultItem": [{"To_Account": "vetoed", "ResultCode": 38001, "ResultInfo": "not today"}]
        }))]);
        let outcome = relations
            .request_friends(
                &app,
                "asker".into(),
                vec![
                    request_item("open"),
                    request_item("shy"),
                    request_item("vetoed"),
                ],
                None,
                &client(),
            )
            .await
            .unwrap();
        let result: Vec<(String, u32)> = outcome
            .results
            .iter()
            .map(|r| (r.item.clone(), r.code))
            .collect();
        assert_eq!(
            result,
            [
                ("open".into(), 0),
                ("shy".into(), 30539),
                ("vetoed".into(), 38001)
            ]
        );
        assert_eq!(outcome.results[2].info, "not today");
        let before = receiver.wait_for("Sns.CallbackPrevFriendAdd", 1).await;
        assert_eq!(before[0].query["OptPlatform"], "Android");
        assert_eq!(before[0].query["ClientIP"], "10.0.0.7");
        assert_eq!(before[0].body["Requester_Account"], "asker");
        assert_eq!(before[0].body["AddType"], "Add_Type_Both");
        assert_eq!(before[0].body["FriendItem"][1]["To_Account"], "shy");
        assert_eq!(before[0].body["FriendItem"][1]["GroupName"], "met");
        assert_eq!(
            relation(&server, "asker", "vetoed").await,
            "CheckResult_Type_NoRelation"
        );
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 1).await;
        assert_eq!(added[0].body["ClientCmd"], "friend_add");
        assert_eq!(added[0].body["Admin_Account"], "");

        // "shy" answers the waiting request; a second answer finds nothing waiting.
        let answer = FriendResponse {
            to: "asker".into(),
            remark: "the asker".into(),
            tag_name: "new".into(),
            action: ResponseAction::AgreeAndAdd,
        };
        let answered = relations
            .respond_to_requests(&app, "shy".into(), vec![answer.clone()], &client())
            .await
            .unwrap();
        assert_eq!(answered.results[0].code, 0);
        assert_eq!(
            relation(&server, "shy", "asker").await,
            "CheckResult_Type_BothWay"
        );
        let again = relations
            .respond_to_requests(&app, "shy".into(), vec![answer], &client())
            .await
            .unwrap();
        assert_eq!(again.results[0].code, 30614);
        let response = receiver.wait_for("Sns.CallbackPrevFriendResponse", 1).await;
        assert_eq!(
            response[0].body["ResponseFriendItem"][0]["ResponseAction"],
            "Response_Action_AgreeAndAdd"
        );
        assert_eq!(response[0].body["ResponseFriendItem"][0]["TagName"], "new");
        let added = receiver.wait_for("Sns.CallbackFriendAdd", 2).await;
        assert_eq!(added[1].body["ClientCmd"], "friend_response");
        assert_eq!(
            added[1].body["PairList"],
            json!([
                {"From_Account": "asker", "To_Account": "shy", "Initiator_Account": "asker"},
                {"From_Account": "shy", "To_Account": "asker", "Initiator_Account": "asker"}
            ])
        );
        // Each side keeps its own remark and list.
        let mine = server
            .ok("sns/friend_get_list", json!({"From_Account": "asker", "To_Account": ["shy"], "TagList": ["Tag_SNS_IM_Remark", "Tag_SNS_IM_Group"]}))
            .await;
        assert_eq!(
            mine["InfoItem"][0]["SnsProfileItem"],
            json!([{"Tag": "Tag_SNS_IM_Remark", "Value": "shy!"}, {"Tag": "Tag_SNS_IM_Group", "Value": ["met"]}])
        );
        let theirs = server
            .ok("sns/friend_get_list", json!({"From_Account": "shy", "To_Account": ["asker"], "TagList": ["Tag_SNS_IM_Remark", "Tag_SNS_IM_Group"]}))
            .await;
        assert_eq!(
            theirs["InfoItem"][0]["SnsProfileItem"],
            json!([{"Tag": "Tag_SNS_IM_Remark", "Value": "the asker"}, {"Tag": "Tag_SNS_IM_Group", "Value": ["new"]}])
        );

        // A rejected request leaves no friendship and no request behind.
        relations
            .request_friends(
                &app,
                "vetoed".into(),
                vec![request_item("shy")],
                Some("Add_Type_Single"),
                &client(),
            )
            .await
            .unwrap();
        let reject = FriendResponse {
            to: "vetoed".into(),
            remark: String::new(),
            tag_name: String::new(),
            action: ResponseAction::Reject,
        };
        let rejected = relations
            .respond_to_requests(&app, "shy".into(), vec![reject.clone()], &client())
            .await
            .unwrap();
        assert_eq!(rejected.results[0].code, 0);
        assert_eq!(
            relation(&server, "vetoed", "shy").await,
            "CheckResult_Type_NoRelation"
        );
        let gone = relations
            .respond_to_requests(&app, "shy".into(), vec![reject], &client())
            .await
            .unwrap();
        assert_eq!(gone.results[0].code, 30614);
    }
);

fn client_send(from: &str, to: &str, random: u32, text: &str) -> SendC2c {
    SendC2c {
        from: from.into(),
        to: to.into(),
        msg_seq: None,
        msg_random: random,
        body: vec![json!({"MsgType": "TIMTextElem", "MsgContent": {"Text": text}})],
        cloud_custom_data: String::new(),
        sync_other_machine: 1,
        msg_life_time: 604_800,
        no_unread: false,
        no_last_msg: false,
        offline_push_info: String::new(),
        supports_extension: false,
        forbid_before_callback: false,
        forbid_after_callback: false,
        client_time: None,
        need_read_receipt: false,
    }
}

fn code_of(result: Result<impl std::fmt::Debug, natter_core::ApiError>) -> u32 {
    result.map(|_| 0).unwrap_or_else(|e| e.code)
}

on_both_engines!(
    client_sends_respect_blocklists_and_friend_checks,
    |server: TestServer| async move {
        import(&server, &["s", "r", "mutual", "mine", "theirs"]).await;
        for u in ["mutual", "mine", "theirs", "s"] {
            allow_type(&server, u, "AllowType_Type_AllowAny").await;
        }
        server
            .ok(BLOCK, json!({"From_Account": "r", "To_Account": ["s"]}))
            .await;
        let mut app = natter_core::AppSettings::clone(server.services().apps.get(APP).unwrap());
        let messages = &server.services().messages;

        // Blocked: looks sent (Tencent's default), nothing stored.
        messages
            .send(&app, &client(), client_send("s", "r", 1, "hidden"))
            .await
            .unwrap();
        let seen: Vec<String> = texts(&history(&server, "r", "s", 10, None).await);
        assert!(seen.is_empty(), "{seen:?}");
        app.blocked_send_fails = true;
        assert_eq!(
            code_of(
                messages
                    .send(&app, &client(), client_send("s", "r", 2, "x"))
                    .await
            ),
            20007
        );
        // The blocklist works one way: r may still write to s.
        messages
            .send(&app, &client(), client_send("r", "s", 3, "from r"))
            .await
            .unwrap();
        // The admin's REST send skips the check.
        server
            .ok("openim/sendmsg", json!({"From_Account": "s", "To_Account": "r", "MsgRandom": 4, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "by admin"}}]}))
            .await;
        let mut stored = texts(&history(&server, "r", "s", 10, None).await);
        stored.sort();
        assert_eq!(
            stored,
            ["by admin", "from r"],
            "the hidden send was not stored"
        );

        // Friend checks, when the app asks for them.
        server
            .ok(
                ADD,
                json!({"From_Account": "s", "AddFriendItem": [item("mutual")]}),
            )
            .await;
        server.ok(ADD, json!({"From_Account": "s", "AddFriendItem": [item("mine")], "AddType": "Add_Type_Single"})).await;
        server.ok(ADD, json!({"From_Account": "theirs", "AddFriendItem": [item("s")], "AddType": "Add_Type_Single"})).await;
        import(&server, &["nobody_to_me"]).await;
        messages
            .send(
                &app,
                &client(),
                client_send("s", "nobody_to_me", 5, "ok without checks"),
            )
            .await
            .unwrap();
        app.c2c_friend_check = true;
        let cases = [
            ("mutual", 0),
            ("mine", 20010),
            ("theirs", 20011),
            ("nobody_to_me", 20009),
        ];
        for (i, (to, expected)) in cases.into_iter().enumerate() {
            let result = messages
                .send(
                    &app,
                    &client(),
                    client_send("s", to, 10 + i as u32, "checked"),
                )
                .await;
            assert_eq!(code_of(result), expected, "s → {to}");
        }
        // REST sends by the admin skip the checks even when the app asks for them.
        let rest = Origin::rest("127.0.0.1");
        messages
            .send(&app, &rest, client_send("s", "nobody_to_me", 20, "admin"))
            .await
            .unwrap();
        messages
            .send(&app, &rest, client_send("s", "r", 21, "admin"))
            .await
            .unwrap();
    }
);
