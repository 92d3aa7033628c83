//! `/binfo`'s conversation commands, frame by frame: pinning, marks, conversation groups (in
//! the REST shape and the SDK's own for adding conversations), clearing and deleting, reading
//! everything, the pushes that keep the user's other devices in step, and the refusals. The
//! bodies are what the pinned SDK sends (after its key conversion).

use serde_json::{json, Value};

use crate::harness::*;
use crate::messages::{import, send_body, unread};
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

/// Sends `body` as the user (`From_Account` filled in as the SDK does) and returns the reply.
async fn call(sdk: &mut SdkClient, servcmd: &str, mut body: Value) -> Value {
    let user = sdk.user().to_owned();
    body.as_object_mut()
        .unwrap()
        .entry("From_Account")
        .or_insert_with(|| user.into());
    sdk.call(servcmd, body).await
}

async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = call(sdk, servcmd, body).await;
    assert_eq!(reply["ErrorCode"], 0, "{servcmd}: {reply}");
    reply
}

async fn fails(sdk: &mut SdkClient, servcmd: &str, body: Value, code: u64) {
    let reply = call(sdk, servcmd, body).await;
    assert_eq!(reply["ErrorCode"], code, "{servcmd}: {reply}");
    assert!(
        !reply["ErrorInfo"].as_str().unwrap_or_default().is_empty(),
        "{reply}"
    );
}

/// The next conversation-list push to `sdk`: its one `RecentContactMod` change.
async fn next_change(sdk: &mut SdkClient) -> Value {
    let push = sdk.next_push_of("RecentContactMod").await;
    push["EventArray"][0]["RecentContactMod"][0].clone()
}

/// `user`'s conversations as the SDK's list shows them: (peer, pinned).
async fn listed(sdk: &mut SdkClient) -> Vec<(String, u64)> {
    let page = ok(
        sdk,
        "recentcontact.page_get",
        json!({"TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7}),
    )
    .await;
    page["SessionItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let peer = i["To_Account"].as_str().or(i["GroupId"].as_str()).unwrap();
            (peer.to_owned(), i["TopFlag"].as_u64().unwrap())
        })
        .collect()
}

on_both_engines!(
    conversation_changes_reach_the_users_other_devices,
    |server: TestServer| async move {
        import(&server, &["cv_me", "cv_a", "cv_c"]).await;
        server
            .ok("openim/sendmsg", send_body("cv_a", "cv_me", 1, "from a"))
            .await;
        server
            .ok("openim/sendmsg", send_body("cv_c", "cv_me", 2, "from c"))
            .await;
        let mut me = SdkClient::connect(&server, "cv_me").await;
        let mut other = SdkClient::connect(&server, "cv_me").await;

        // Pin: the other device is told; the list shows it first, pinned.
        ok(
            &mut me,
            "recentcontact.top",
            json!({"OperationType": 1, "RecentContactItem": [{"Type": 1, "To_Account": "cv_a"}]}),
        )
        .await;
        let change = next_change(&mut other).await;
        assert_eq!(change["PushType"], 2, "{change}");
        assert_eq!(
            change["RecentContactTopItem"]["RecentContactList"],
            json!([{"Type": 1, "UserId": "cv_a"}])
        );
        assert_eq!(
            listed(&mut other).await,
            [("cv_a".to_owned(), 1), ("cv_c".to_owned(), 0)]
        );
        ok(
            &mut me,
            "recentcontact.top",
            json!({"OperationType": 2, "RecentContactItem": [{"Type": 1, "To_Account": "cv_a"}]}),
        )
        .await;
        assert_eq!(next_change(&mut other).await["PushType"], 3);

        // A mark: the reply as REST's, the other device gets the marks as they are now.
        let reply = ok(
            &mut me,
            "recentcontact.mark_contact",
            json!({"MarkItem": [{"OptType": 1, "ContactItem": {"Type": 1, "To_Account": "cv_a"}, "SetMark": [1]}]}),
        )
        .await;
        assert_eq!(reply["ResultItem"][0]["ResultCode"], 0, "{reply}");
        let change = next_change(&mut other).await;
        assert_eq!(change["PushType"], 4, "{change}");
        let mark = &change["RecentContactMarkContact"]["RecentContactMarkContactItem"][0];
        assert_eq!(
            mark["RecentContactItem"],
            json!({"Type": 1, "UserId": "cv_a"})
        );
        assert_eq!(mark["StandardMark"], "10");

        // A conversation group, created, filled the SDK's way, renamed and deleted.
        let reply = ok(
            &mut me,
            "recentcontact.create_contact_group",
            json!({"GroupContactItem": [{"GroupName": "work", "ContactItem": [{"Type": 1, "To_Account": "cv_a"}]}]}),
        )
        .await;
        let group_id = reply["GroupResultItem"][0]["GroupItem"]["GroupId"].clone();
        assert!(group_id.as_u64().is_some(), "{reply}");
        let change = next_change(&mut other).await;
        assert_eq!(change["PushType"], 5, "{change}");
        let created = &change["RecentContactCreateContactGroup"]["MsgContactGroupContactItem"][0];
        assert_eq!(
            created["MsgGroupItem"],
            json!({"GroupId": group_id, "GroupName": "work"})
        );
        assert_eq!(
            created["MsgRecentContactItem"],
            json!([{"Type": 1, "UserId": "cv_a"}])
        );

        let reply = ok(
            &mut me,
            "recentcontact.update_contact_group",
            json!({"UpdateType": 1, "UpdateGroup": {"UpdateGroupType": 2, "GroupName": "work",
                "UpdateItem": [{"OperationType": 1, "ContactItem": {"Type": 1, "To_Account": "cv_c"}}]}}),
        )
        .await;
        let result = &reply["UpdateGroupResult"];
        assert_eq!(result["GroupId"], group_id, "{reply}");
        assert_eq!(result["ContactResultItem"][0]["ResultCode"], 0, "{reply}");
        assert_eq!(
            result["ContactResultItem"][0]["ContactItem"]["To_Account"],
            "cv_c"
        );
        let change = next_change(&mut other).await;
        let update = &change["RecentContactUpdateContactGroup"]["MsgUpdateGroup"];
        assert_eq!(update["UpdateGroupType"], 2, "{change}");
        assert_eq!(update["OldGroupName"], "work");
        assert_eq!(
            update["RecentContactUpdateGroupItem"],
            json!([{"ContactOptType": 1, "RecentContactItem": {"Type": 1, "UserId": "cv_c"}}])
        );
        let groups = ok(&mut other, "recentcontact.get_contact_group", json!({})).await;
        assert_eq!(
            groups["ContactItem"].as_array().unwrap().len(),
            2,
            "{groups}"
        );

        ok(
            &mut me,
            "recentcontact.update_contact_group",
            json!({"UpdateType": 1, "UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "work", "NewGroupName": "job"}}),
        )
        .await;
        let change = next_change(&mut other).await;
        let update = &change["RecentContactUpdateContactGroup"]["MsgUpdateGroup"];
        assert_eq!(update["UpdateGroupType"], 1, "{change}");
        assert_eq!(update["GroupName"], "job");
        assert_eq!(update["OldGroupName"], "work");
        assert_eq!(update["GroupId"], group_id);

        let reply = ok(
            &mut me,
            "recentcontact.del_contact_group",
            json!({"GroupName": ["job"]}),
        )
        .await;
        assert_eq!(reply["GroupItem"][0]["GroupId"], group_id, "{reply}");
        let change = next_change(&mut other).await;
        assert_eq!(change["PushType"], 6, "{change}");
        assert_eq!(
            change["RecentContactDelContactGroup"]["MsgGroupItem"][0]["GroupName"],
            "job"
        );

        // Clearing a history: gone for the user, kept for the peer, the conversation stays.
        ok(
            &mut me,
            "recentcontact.clear_msg",
            json!({"Type": 1, "To_Account": "cv_a"}),
        )
        .await;
        let roam = ok(
            &mut me,
            "openim.getroammsg",
            json!({"Peer_Account": "cv_a", "MaxCnt": 15, "LastMsgTime": 0, "MsgKey": ""}),
        )
        .await;
        assert_eq!(roam["MsgList"], json!([]), "{roam}");
        let theirs = crate::messages::history(&server, "cv_a", "cv_me", 15, None).await;
        assert_eq!(theirs["MsgList"].as_array().unwrap().len(), 1, "{theirs}");
        assert_eq!(listed(&mut me).await.len(), 2);

        // Everything read: the unread count goes to 0, the other device is told.
        assert_eq!(unread(&server, "cv_me", &[]).await["AllC2CUnreadMsgNum"], 2);
        let reply = ok(
            &mut me,
            "openim.read_all_unread_msg",
            json!({"C2CReadAllMsg": 1, "GroupReadInfo": []}),
        )
        .await;
        assert_eq!(reply["C2CReadAllMsg"], 1, "{reply}");
        assert_eq!(unread(&server, "cv_me", &[]).await["AllC2CUnreadMsgNum"], 0);
        let read = other.next_push_of("C2cNotifyMsgArray").await;
        assert!(
            read["EventArray"][0]["C2cNotifyMsgArray"][0]
                .get("ReadC2cMsgNotify")
                .is_some(),
            "{read}"
        );

        // Deleting: one result per conversation; an unknown peer fails alone.
        let reply = ok(
            &mut me,
            "recentcontact.batch_delete",
            json!({"ContactItem": [{"Type": 1, "To_Account": "cv_a"},
                {"Type": 1, "To_Account": "cv_nobody"}], "ClearRamble": 0}),
        )
        .await;
        let results = reply["ResultItem"].as_array().unwrap();
        assert_eq!(results[0]["ResultCode"], 0, "{reply}");
        assert_eq!(results[0]["To_Account"], "cv_a");
        assert_eq!(results[0]["Type"], 1);
        assert_eq!(results[1]["ResultCode"], 50001, "{reply}");
        assert_eq!(results[1]["To_Account"], "cv_nobody");
        let change = next_change(&mut other).await;
        assert_eq!(change["PushType"], 1, "{change}");
        assert_eq!(
            change["RecentContactDeleteItem"]["RecentContactList"],
            json!([{"Type": 1, "UserId": "cv_a"}])
        );
        assert_eq!(listed(&mut other).await, [("cv_c".to_owned(), 0)]);
    }
);

on_both_engines!(
    conversation_commands_refuse_bad_requests,
    |server: TestServer| async move {
        import(&server, &["cr_me", "cr_peer"]).await;
        let mut me = SdkClient::connect(&server, "cr_me").await;
        let one = json!([{"Type": 1, "To_Account": "cr_peer"}]);

        // Acting for someone else.
        for servcmd in [
            "recentcontact.top",
            "recentcontact.batch_delete",
            "recentcontact.clear_msg",
            "recentcontact.mark_contact",
        ] {
            fails(
                &mut me,
                servcmd,
                json!({"From_Account": "cr_peer", "OperationType": 1, "RecentContactItem": one,
                    "ContactItem": one, "Type": 1, "To_Account": "cr_peer"}),
                50002,
            )
            .await;
        }
        // Pins: an unknown operation, nothing named, a conversation of no kind.
        fails(
            &mut me,
            "recentcontact.top",
            json!({"OperationType": 3, "RecentContactItem": one}),
            50002,
        )
        .await;
        fails(
            &mut me,
            "recentcontact.top",
            json!({"OperationType": 1, "RecentContactItem": []}),
            50002,
        )
        .await;
        fails(
            &mut me,
            "recentcontact.top",
            json!({"OperationType": 1, "RecentContactItem": [{"Type": 3, "To_Account": "x"}]}),
            50002,
        )
        .await;
        // Deletes: over the limit, a bad ClearRamble.
        let many: Vec<Value> = (0..101)
            .map(|i| json!({"Type": 1, "To_Account": format!("cr_{i}")}))
            .collect();
        fails(
            &mut me,
            "recentcontact.batch_delete",
            json!({"ContactItem": many}),
            50002,
        )
        .await;
        fails(
            &mut me,
            "recentcontact.batch_delete",
            json!({"ContactItem": one, "ClearRamble": 2}),
            50002,
        )
        .await;
        // Clearing: an unknown peer, an unknown group (a group's own rules are in
        // binfo_invitations.rs).
        fails(
            &mut me,
            "recentcontact.clear_msg",
            json!({"Type": 1, "To_Account": "cr_nobody"}),
            50001,
        )
        .await;
        fails(
            &mut me,
            "recentcontact.clear_msg",
            json!({"Type": 2, "ToGroupid": "@TGS#1"}),
            10010,
        )
        .await;
        // Conversation groups: a name too long, an unknown group.
        fails(
            &mut me,
            "recentcontact.create_contact_group",
            json!({"GroupContactItem": [{"GroupName": "x".repeat(65), "ContactItem": one}]}),
            51011,
        )
        .await;
        fails(
            &mut me,
            "recentcontact.update_contact_group",
            json!({"UpdateType": 1, "UpdateGroup": {"UpdateGroupType": 2, "GroupName": "none",
                "UpdateItem": [{"OperationType": 1, "ContactItem": {"Type": 1, "To_Account": "cr_peer"}}]}}),
            51009,
        )
        .await;
        // Reading everything: a bad flag.
        let reply = me
            .call(
                "openim.read_all_unread_msg",
                json!({"C2CReadAllMsg": 2, "GroupReadInfo": []}),
            )
            .await;
        assert_ne!(reply["ErrorCode"], 0, "{reply}");
        assert_eq!(reply["ErrorCode"], 90001, "{reply}");
    }
);
