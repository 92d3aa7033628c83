//! Group messages after they are sent, over `/binfo`, frame by frame: recall (who may recall
//! whose), edit, and read receipts, with the pushes the Web SDK reads and the callbacks they
//! fire.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;
const MSG_NOT_FOUND: u64 = 10030;
const NOT_RECALLABLE: u64 = 10032;

fn text(body: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": body}}])
}

/// A `group_open_http_svc` command; its reply body.
async fn group(sdk: &mut SdkClient, command: &str, body: Value) -> Value {
    sdk.call(&format!("group_open_http_svc.{command}"), body)
        .await
}

/// A `group_open_http_svc` command that must succeed.
async fn ok(sdk: &mut SdkClient, command: &str, body: Value) -> Value {
    let reply = group(sdk, command, body).await;
    assert_eq!(
        reply["ErrorCode"],
        0,
        "{command} as {}: {reply}",
        sdk.user()
    );
    reply
}

/// Sends a text into the group as the SDK does; its `MsgSeq`.
async fn say(sdk: &mut SdkClient, group_id: &str, words: &str, receipt: bool) -> u64 {
    let random = next_random();
    let reply = ok(
        sdk,
        "send_group_msg",
        json!({"GroupId": group_id, "Random": random, "MsgBody": text(words),
               "NeedReadReceipt": u32::from(receipt)}),
    )
    .await;
    reply["MsgSeq"].as_u64().unwrap()
}

/// A `Random` of its own for each message (a repeated one would be the same message).
fn next_random() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The `MsgBody` of the next group system notice (`GroupTips`, `Event` 5) whose body holds
/// `key` (`GroupWithdrawInfoArray`, `GroupMsgReceiptList`); other pushes are passed over.
async fn next_notice(sdk: &mut SdkClient, key: &str) -> Value {
    loop {
        let push = sdk.next_push_of("GroupTips").await;
        let item = &push["EventArray"][0]["GroupTips"][0];
        if item["MsgBody"].get(key).is_some() {
            assert_eq!(item["Event"], 5, "{push}");
            return item.clone();
        }
    }
}

/// A Public group of `owner`, `admin` (made one) and `member`, all joined.
async fn club(owner: &mut SdkClient, admin: &mut SdkClient, member: &mut SdkClient) -> String {
    let created = ok(
        owner,
        "create_group",
        json!({"Type": "Public", "Name": "Posts", "ApplyJoinOption": "FreeAccess"}),
    )
    .await;
    let group_id = created["GroupId"].as_str().unwrap().to_owned();
    for sdk in [&mut *admin, &mut *member] {
        ok(sdk, "apply_join_group", json!({"GroupId": group_id})).await;
    }
    let admin_id = admin.user().to_owned();
    ok(
        owner,
        "modify_group_member_info",
        json!({"GroupId": group_id, "Member_Account": admin_id, "Role": "Admin"}),
    )
    .await;
    group_id
}

/// The group's history as the SDK pulls it, newest first.
async fn history(sdk: &mut SdkClient, group_id: &str) -> Vec<Value> {
    let page = ok(
        sdk,
        "group_msg_get",
        json!({"GroupId": group_id, "ReqMsgNumber": 20, "WithRecalledMsg": 1}),
    )
    .await;
    page["RspMsgList"].as_array().unwrap().clone()
}

on_both_engines!(
    members_recall_their_own_group_messages_and_managers_anyones,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "gr_owner").await;
        let mut admin = SdkClient::connect(&server, "gr_admin").await;
        let mut member = SdkClient::connect(&server, "gr_member").await;
        let group_id = club(&mut owner, &mut admin, &mut member).await;
        let mine = say(&mut member, &group_id, "member's", false).await;
        let admins = say(&mut admin, &group_id, "admin's", false).await;
        let owners = say(&mut owner, &group_id, "owner's", false).await;

        // A plain member may not recall someone else's message: the whole call is refused.
        for seq in [admins, owners] {
            let refused = group(
                &mut member,
                "group_msg_recall",
                json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": seq}], "TopicId": ""}),
            )
            .await;
            assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");
        }
        // A stranger's recall is refused before anything is read.
        let mut stranger = SdkClient::connect(&server, "gr_stranger").await;
        let refused = group(
            &mut stranger,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": mine}]}),
        )
        .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");

        // The member recalls their own: the SDK's body and the REST reply.
        let recalled = ok(
            &mut member,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": mine}], "TopicId": ""}),
        )
        .await;
        assert_eq!(
            recalled["RecallRetList"],
            json!([{"MsgSeq": mine, "RetCode": 0}]),
            "{recalled}"
        );
        // Every other member's SDK hears of it: a group system notice listing the message by
        // the fields the SDK finds it by, with the recaller.
        for sdk in [&mut owner, &mut admin] {
            let notice = next_notice(sdk, "GroupWithdrawInfoArray").await;
            assert_eq!(notice["GroupInfo"]["GroupId"], group_id.as_str());
            let item = &notice["MsgBody"]["GroupWithdrawInfoArray"][0];
            assert_eq!(item["GroupId"], group_id.as_str(), "{notice}");
            assert_eq!(item["MsgSeq"], mine, "{notice}");
            assert!(item["MsgRandom"].as_u64().is_some(), "{notice}");
            assert!(item["TinyId"].as_str().is_some(), "{notice}");
            assert_eq!(item["RevokerInfo"]["Revoker_Account"], "gr_member");
        }
        let callback = receiver.wait_for("Group.CallbackAfterRecallMsg", 1).await;
        assert_eq!(callback[0].query["OptPlatform"], "Web");
        assert_eq!(callback[0].body["Operator_Account"], "gr_member");
        assert_eq!(callback[0].body["MsgSeqList"], json!([{"MsgSeq": mine}]));

        // Again, or a message that does not exist: per message, as over REST.
        let again = ok(
            &mut member,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": mine}]}),
        )
        .await;
        assert_eq!(again["RecallRetList"][0]["RetCode"], NOT_RECALLABLE);
        let missing = ok(
            &mut admin,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": 999}]}),
        )
        .await;
        assert_eq!(missing["RecallRetList"][0]["RetCode"], MSG_NOT_FOUND);

        // The owner and an admin recall anyone's.
        ok(
            &mut admin,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": owners}]}),
        )
        .await;
        ok(
            &mut owner,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": admins}]}),
        )
        .await;
        let notice = next_notice(&mut member, "GroupWithdrawInfoArray").await;
        assert_eq!(
            notice["MsgBody"]["GroupWithdrawInfoArray"][0]["MsgSeq"],
            owners
        );
        assert_eq!(notice["RevokerInfo"]["Revoker_Account"], "gr_admin");

        // On catch-up the history shows each as recalled (`IsPlaceMsg` 2) without its text
        // (an empty one: the SDK drops a message without elements).
        let pulled = history(&mut member, &group_id).await;
        for seq in [mine, admins, owners] {
            let item = pulled.iter().find(|m| m["MsgSeq"] == seq).unwrap();
            assert_eq!(item["IsPlaceMsg"], 2, "{item}");
            assert_eq!(item["MsgBody"], text(""), "{item}");
        }
        assert_eq!(
            receiver
                .settled_count(&server, "Group.CallbackAfterRecallMsg")
                .await,
            3
        );
    }
);

on_both_engines!(
    a_member_edits_their_own_group_message_and_members_see_it,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "ge_owner").await;
        let mut admin = SdkClient::connect(&server, "ge_admin").await;
        let mut member = SdkClient::connect(&server, "ge_member").await;
        let group_id = club(&mut owner, &mut admin, &mut member).await;
        let seq = say(&mut member, &group_id, "teh typo", false).await;

        // Not even the owner edits someone else's message.
        let refused = owner
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgVersion": 0,
                       "MsgBody": text("mine now")}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{refused}");

        // The SDK's modifyMessage: the reply is the message as it now is.
        let edited = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgVersion": 0,
                       "MsgBody": text("the typo"), "CloudCustomData": "v2"}),
            )
            .await;
        assert_eq!(edited["ErrorCode"], 0, "{edited}");
        assert_eq!(edited["MsgBody"], text("the typo"));
        assert_eq!(edited["CloudCustomData"], "v2");
        let version = edited["MsgVersion"].as_i64().unwrap();
        assert_eq!(version, 1, "{edited}");

        // Members get the new message, named as the SDK names its copy.
        for sdk in [&mut owner, &mut admin] {
            let push = sdk.next_push_of("GroupMsgModNotifys").await;
            let item = &push["EventArray"][0]["GroupMsgModNotifys"][0];
            assert_eq!(item["GroupId"], group_id.as_str(), "{push}");
            assert_eq!(item["From_Account"], "ge_member");
            assert_eq!(item["MsgSeq"], seq);
            assert_eq!(item["MsgBody"], text("the typo"));
            assert_eq!(item["CloudCustomData"], "v2");
            assert_eq!(item["MsgVersion"], version);
        }
        let pulled = history(&mut owner, &group_id).await;
        let item = pulled.iter().find(|m| m["MsgSeq"] == seq).unwrap();
        assert_eq!(item["MsgBody"], text("the typo"), "{item}");
        assert_eq!(item["MsgVersion"], 1, "{item}");

        // An edit of a copy older than the stored message is a conflict (20027, the SDK's
        // MSG_MODIFY_CONFLICT) carrying the message as it is; nothing changes.
        let conflict = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgVersion": 0,
                       "MsgBody": text("stale")}),
            )
            .await;
        assert_eq!(conflict["ErrorCode"], 20027, "{conflict}");
        assert_eq!(conflict["MsgBody"], text("the typo"), "{conflict}");
        assert_eq!(conflict["CloudCustomData"], "v2", "{conflict}");
        assert_eq!(conflict["MsgVersion"], 1, "{conflict}");
        // The REST API names no version: its edit wins, and moves the version on.
        server
            .ok(
                "openim/modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgBody": text("by the admin")}),
            )
            .await;
        let conflict = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgVersion": 1,
                       "MsgBody": text("stale")}),
            )
            .await;
        assert_eq!(conflict["ErrorCode"], 20027, "{conflict}");
        assert_eq!(conflict["MsgBody"], text("by the admin"), "{conflict}");
        assert_eq!(conflict["MsgVersion"], 2, "{conflict}");
        let edited = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgVersion": 2,
                       "MsgBody": text("fresh")}),
            )
            .await;
        assert_eq!(edited["ErrorCode"], 0, "{edited}");
        assert_eq!(edited["MsgVersion"], 3, "{edited}");
        // The owner heard of the REST edit and of this one, not of the refused ones.
        for (body, version) in [("by the admin", 2), ("fresh", 3)] {
            let push = owner.next_push_of("GroupMsgModNotifys").await;
            let item = &push["EventArray"][0]["GroupMsgModNotifys"][0];
            assert_eq!(item["MsgBody"], text(body), "{push}");
            assert_eq!(item["MsgVersion"], version, "{push}");
        }

        // A recalled message cannot be edited (10032), one that does not exist neither (10030).
        ok(
            &mut member,
            "group_msg_recall",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": seq}]}),
        )
        .await;
        let refused = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": seq, "MsgBody": text("again")}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], NOT_RECALLABLE, "{refused}");
        let refused = member
            .call(
                "openim.modify_group_msg",
                json!({"GroupId": group_id, "MsgSeq": 999, "MsgBody": text("again")}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], MSG_NOT_FOUND, "{refused}");
    }
);

on_both_engines!(
    group_read_receipts_reach_the_sender_and_count_readers,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        let mut owner = SdkClient::connect(&server, "gt_owner").await;
        let mut admin = SdkClient::connect(&server, "gt_admin").await;
        let mut member = SdkClient::connect(&server, "gt_member").await;
        let group_id = club(&mut owner, &mut admin, &mut member).await;
        let asked = say(&mut owner, &group_id, "read me", true).await;

        // The SDK's sendMessageReadReceipt.
        ok(
            &mut member,
            "group_msg_receipt",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": asked}]}),
        )
        .await;
        // The sender's SDK hears the new counts.
        let notice = next_notice(&mut owner, "GroupMsgReceiptList").await;
        let item = &notice["MsgBody"]["GroupMsgReceiptList"][0];
        assert_eq!(notice["GroupInfo"]["GroupId"], group_id.as_str());
        assert_eq!(item["MsgSeq"], asked, "{notice}");
        assert_eq!(item["ReadNum"], 1, "{notice}");
        assert_eq!(item["UnreadNum"], 1, "{notice}");
        assert!(item["TinyId"].as_str().is_some(), "{notice}");
        let callback = receiver.wait_for("Group.CallbackAfterReadReceipt", 1).await;
        assert_eq!(callback[0].query["OptPlatform"], "Web");

        // getMessageReadReceiptList.
        let counts = ok(
            &mut owner,
            "get_group_msg_receipt",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": asked}]}),
        )
        .await;
        let item = &counts["GroupMsgReceiptList"][0];
        assert_eq!(
            (&item["Code"], &item["ReadNum"], &item["UnreadNum"]),
            (&json!(0), &json!(1), &json!(1)),
            "{counts}"
        );
        // getGroupMessageReadMemberList, read and unread, in the SDK's names.
        let read = ok(
            &mut owner,
            "get_group_msg_receipt_detail",
            json!({"GroupId": group_id, "MsgSeq": asked, "Flag": 0, "Cursor": "", "Num": 100}),
        )
        .await;
        assert_eq!(
            read["ReadList"],
            json!([{"Read_Account": "gt_member"}]),
            "{read}"
        );
        assert_eq!(read["IsFinish"], 1, "{read}");
        let unread = ok(
            &mut owner,
            "get_group_msg_receipt_detail",
            json!({"GroupId": group_id, "MsgSeq": asked, "Flag": 1, "Cursor": 0, "Num": 0}),
        )
        .await;
        assert_eq!(
            unread["UnreadList"],
            json!([{"Unread_Account": "gt_admin"}]),
            "{unread}"
        );

        // Receipts are for members.
        let mut stranger = SdkClient::connect(&server, "gt_stranger").await;
        for (command, body) in [
            (
                "group_msg_receipt",
                json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": asked}]}),
            ),
            (
                "get_group_msg_receipt",
                json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": asked}]}),
            ),
            (
                "get_group_msg_receipt_detail",
                json!({"GroupId": group_id, "MsgSeq": asked, "Flag": 0}),
            ),
        ] {
            let refused = group(&mut stranger, command, body).await;
            assert_eq!(refused["ErrorCode"], NO_PERMISSION, "{command}: {refused}");
        }
    }
);
