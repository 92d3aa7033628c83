//! Pinned group messages over `/binfo`, frame by frame: who may pin, the limit of 10, the list,
//! and the group tips (`OpType` 16 and 17) the Web SDK turns into PINNED_GROUP_MESSAGE_UPDATED.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const NO_PERMISSION: u64 = 10007;
const INVALID: u64 = 10004;
const MSG_NOT_FOUND: u64 = 10030;
const PINNED_LIMIT: u64 = 10070;
const ALREADY_PINNED: u64 = 10071;

async fn group(sdk: &mut SdkClient, command: &str, body: Value) -> Value {
    sdk.call(&format!("group_open_http_svc.{command}"), body)
        .await
}

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

fn code(reply: &Value) -> u64 {
    reply["ErrorCode"].as_u64().unwrap_or_default()
}

/// Sends a text into the group; its `MsgSeq`.
async fn say(sdk: &mut SdkClient, group_id: &str, random: u32, words: &str) -> u64 {
    let reply = ok(
        sdk,
        "send_group_msg",
        json!({"GroupId": group_id, "Random": random,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": words}}]}),
    )
    .await;
    reply["MsgSeq"].as_u64().unwrap()
}

/// The body of the next group tip with `OpType` `op` (other pushes are passed over).
async fn next_pin_tip(sdk: &mut SdkClient, op: u64) -> Value {
    loop {
        let push = sdk.next_push_of("GroupTips").await;
        let body = &push["EventArray"][0]["GroupTips"][0]["MsgBody"];
        if body["OpType"] == op {
            return body.clone();
        }
    }
}

fn pin_body(group_id: &str, seq: u64, pinner: &str) -> Value {
    json!({"GroupId": group_id, "TopicId": "", "MsgSeq": seq, "Pinner_Account": pinner})
}

on_both_engines!(
    owners_and_admins_pin_up_to_ten_messages_and_members_hear_of_it,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "pin_owner").await;
        let mut admin = SdkClient::connect(&server, "pin_admin").await;
        let mut member = SdkClient::connect(&server, "pin_member").await;
        let created = ok(
            &mut owner,
            "create_group",
            json!({"Type": "Public", "Name": "Pins", "ApplyJoinOption": "FreeAccess"}),
        )
        .await;
        let group_id = created["GroupId"].as_str().unwrap().to_owned();
        for sdk in [&mut admin, &mut member] {
            ok(sdk, "apply_join_group", json!({"GroupId": group_id})).await;
        }
        ok(
            &mut owner,
            "modify_group_member_info",
            json!({"GroupId": group_id, "Member_Account": "pin_admin", "Role": "Admin"}),
        )
        .await;
        let mut seqs = Vec::new();
        for i in 0..11u32 {
            seqs.push(say(&mut member, &group_id, 100 + i, &format!("text {i}")).await);
        }

        // A plain member may not pin; nor pin as someone else.
        let refused = group(
            &mut member,
            "pin_message",
            pin_body(&group_id, seqs[0], "pin_member"),
        )
        .await;
        assert_eq!(code(&refused), NO_PERMISSION, "{refused}");
        let refused = group(
            &mut admin,
            "pin_message",
            pin_body(&group_id, seqs[0], "pin_owner"),
        )
        .await;
        assert_eq!(code(&refused), NO_PERMISSION, "{refused}");
        // No such message.
        let missing = group(
            &mut admin,
            "pin_message",
            pin_body(&group_id, 9_999, "pin_admin"),
        )
        .await;
        assert_eq!(code(&missing), MSG_NOT_FOUND, "{missing}");

        // The admin pins: the others hear of it with the whole message.
        ok(
            &mut admin,
            "pin_message",
            pin_body(&group_id, seqs[0], "pin_admin"),
        )
        .await;
        let tip = next_pin_tip(&mut member, 16).await;
        assert_eq!(
            tip["MsgOperatorMemberExtraInfo"]["UserId"], "pin_admin",
            "{tip}"
        );
        assert_eq!(tip["PinnedMsg"]["MsgSeq"], seqs[0], "{tip}");
        assert_eq!(tip["PinnedMsg"]["MsgRandom"], 100, "{tip}");
        assert_eq!(
            tip["PinnedMsg"]["MsgBody"][0]["MsgContent"]["Text"], "text 0",
            "{tip}"
        );
        let again = group(
            &mut owner,
            "pin_message",
            pin_body(&group_id, seqs[0], "pin_owner"),
        )
        .await;
        assert_eq!(code(&again), ALREADY_PINNED, "{again}");

        // Ten at most.
        for seq in &seqs[1..10] {
            ok(
                &mut owner,
                "pin_message",
                pin_body(&group_id, *seq, "pin_owner"),
            )
            .await;
        }
        let full = group(
            &mut owner,
            "pin_message",
            pin_body(&group_id, seqs[10], "pin_owner"),
        )
        .await;
        assert_eq!(code(&full), PINNED_LIMIT, "{full}");

        // Any member reads the list, by sequence, with each pinner.
        let list = ok(
            &mut member,
            "get_pinned_messages",
            json!({"GroupId": group_id}),
        )
        .await;
        let items = list["PinnedMsgList"].as_array().unwrap();
        assert_eq!(items.len(), 10, "{list}");
        assert_eq!(items[0]["MsgSeq"], seqs[0]);
        assert_eq!(items[0]["Pinner_Account"], "pin_admin");
        assert_eq!(items[1]["Pinner_Account"], "pin_owner");

        // Unpinning: the others hear of it with the parts of the message's ID; a second time is
        // refused; the place is free again.
        ok(
            &mut owner,
            "unpin_message",
            json!({"GroupId": group_id, "TopicId": "", "MsgSeq": seqs[0],
                   "UnPinner_Account": "pin_owner"}),
        )
        .await;
        let tip = next_pin_tip(&mut member, 17).await;
        assert_eq!(tip["SdkGroupMessageId"]["MsgSeq"], seqs[0], "{tip}");
        assert_eq!(tip["SdkGroupMessageId"]["MsgRandom"], 100, "{tip}");
        let twice = group(
            &mut owner,
            "unpin_message",
            json!({"GroupId": group_id, "MsgSeq": seqs[0], "UnPinner_Account": "pin_owner"}),
        )
        .await;
        assert_eq!(code(&twice), INVALID, "{twice}");
        ok(
            &mut owner,
            "pin_message",
            pin_body(&group_id, seqs[10], "pin_owner"),
        )
        .await;
        let list = ok(
            &mut admin,
            "get_pinned_messages",
            json!({"GroupId": group_id}),
        )
        .await;
        assert_eq!(
            list["PinnedMsgList"].as_array().unwrap().len(),
            10,
            "{list}"
        );
    }
);
