//! Group messages as one member sees them, over `/binfo` (and `/ws`), frame by frame: deleting
//! them for oneself (`delete_group_ramble_msg_by_seq`), which members read which messages
//! (`get_group_msg_receipts_by_users`), extensions of a community topic's messages, and the
//! group system notices the SDK deletes (`openim.deletemsg`).

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const INVALID: u64 = 10004;
const NO_PERMISSION: u64 = 10007;
const NO_GROUP: u64 = 10010;
const CANNOT_DELETE: u64 = 10035;
const NOT_SERVED: u64 = 60009;
const BAD_PARAM: u64 = 90001;
const TOPIC_NOT_FOUND: u64 = 110003;
const DELETE: &str = "group_open_http_svc.delete_group_ramble_msg_by_seq";

fn code(reply: &Value) -> u64 {
    reply["ErrorCode"].as_u64().unwrap_or(u64::MAX)
}

async fn ok(sdk: &mut SdkClient, servcmd: &str, body: Value) -> Value {
    let reply = sdk.call(servcmd, body).await;
    assert_eq!(code(&reply), 0, "{servcmd} as {}: {reply}", sdk.user());
    reply
}

/// A group of `group_type` created by `owner` with `others` in it (the SDK's `memberList`).
async fn group_of(owner: &mut SdkClient, group_type: &str, others: &[&str]) -> String {
    let members: Vec<Value> = others
        .iter()
        .map(|m| json!({"Member_Account": m}))
        .collect();
    let created = ok(
        owner,
        "group_open_http_svc.create_group",
        json!({"Type": group_type, "Name": "Own", "ApplyJoinOption": "FreeAccess",
               "MemberList": members}),
    )
    .await;
    created["GroupId"].as_str().unwrap().to_owned()
}

/// Sends `n` texts into the group (or topic) as `sdk`; their `MsgSeq`s.
async fn say(sdk: &mut SdkClient, group_id: &str, topic: Option<&str>, n: u32) -> Vec<u64> {
    let mut seqs = Vec::new();
    for i in 0..n {
        let mut body = json!({"GroupId": group_id, "Random": 1000 + i, "SupportMessageExtension": 1,
                              "NeedReadReceipt": 1,
                              "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("m{i}")}}]});
        if let Some(topic) = topic {
            body["TopicId"] = topic.into();
        }
        let reply = ok(sdk, "group_open_http_svc.send_group_msg", body).await;
        seqs.push(reply["MsgSeq"].as_u64().unwrap());
    }
    seqs
}

/// One `group_msg_get` page from `ReqMsgSeq` (0: the newest): its `MsgSeq`s, its
/// `InvisibleMsgSeq`, and `(IsFinished, NextReqMsgSeq)`.
/// A community created by `owner` with `member` in it and one topic named `topic_name`: the
/// community's and the topic's IDs.
async fn community_with_topic(
    owner: &mut SdkClient,
    member: &str,
    topic_name: &str,
) -> (String, String) {
    let created = json!({"Type": "Community", "Name": "Town", "SupportTopic": 1});
    let community = ok(owner, "million_group_open_http_svc.create_group", created).await["GroupId"]
        .as_str()
        .unwrap()
        .to_owned();
    let members = json!({"GroupId": community, "MemberList": [{"Member_Account": member}]});
    ok(
        owner,
        "million_group_open_http_svc.add_group_member",
        members,
    )
    .await;
    let topic = json!({"GroupId": community, "TopicName": topic_name});
    let topic_id = ok(owner, "million_group_open_http_svc.create_topic", topic).await["TopicId"]
        .as_str()
        .unwrap()
        .to_owned();
    (community, topic_id)
}

async fn page(
    sdk: &mut SdkClient,
    group_id: &str,
    from: u64,
    count: u64,
) -> (Vec<u64>, Value, (u64, u64)) {
    let reply = ok(
        sdk,
        "group_open_http_svc.group_msg_get",
        json!({"GroupId": group_id, "ReqMsgSeq": from, "ReqMsgNumber": count, "WithRecalledMsg": 1}),
    )
    .await;
    page_of(&reply)
}

fn page_of(reply: &Value) -> (Vec<u64>, Value, (u64, u64)) {
    let seqs = reply["RspMsgList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MsgSeq"].as_u64().unwrap())
        .collect();
    (
        seqs,
        reply.get("InvisibleMsgSeq").cloned().unwrap_or(json!([])),
        (
            reply["IsFinished"].as_u64().unwrap(),
            reply["NextReqMsgSeq"].as_u64().unwrap(),
        ),
    )
}

on_both_engines!(
    members_delete_group_messages_for_themselves_alone,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "go_owner").await;
        let mut member = SdkClient::connect(&server, "go_member").await;
        let mut stranger = SdkClient::connect(&server, "go_stranger").await;
        let group_id = group_of(&mut owner, "Public", &["go_member"]).await;
        let seqs = say(&mut owner, &group_id, None, 12).await;
        assert_eq!(seqs, (1..=12).collect::<Vec<u64>>());

        // Refusals: too many, not a MsgSeq, someone else's deletion, not a member, no group.
        let many: Vec<String> = (1..=31).map(|s| s.to_string()).collect();
        let body = |seqs: Value| json!({"GroupId": group_id, "Deleter_Account": "go_member", "Seqs": seqs});
        assert_eq!(code(&member.call(DELETE, body(json!(many))).await), INVALID);
        assert_eq!(code(&member.call(DELETE, body(json!([]))).await), INVALID);
        assert_eq!(
            code(&member.call(DELETE, body(json!(["x"]))).await),
            INVALID
        );
        let as_owner = json!({"GroupId": group_id, "Deleter_Account": "go_owner", "Seqs": ["3"]});
        assert_eq!(code(&member.call(DELETE, as_owner).await), NO_PERMISSION);
        let outsider =
            json!({"GroupId": group_id, "Deleter_Account": "go_stranger", "Seqs": ["3"]});
        assert_eq!(code(&stranger.call(DELETE, outsider).await), NO_PERMISSION);
        let nowhere =
            json!({"GroupId": "@TGS#nowhere", "Deleter_Account": "go_member", "Seqs": ["3"]});
        assert_eq!(code(&member.call(DELETE, nowhere).await), NO_GROUP);
        let room = group_of(&mut owner, "AVChatRoom", &[]).await;
        let in_room = json!({"GroupId": room, "Deleter_Account": "go_owner", "Seqs": ["1"]});
        assert_eq!(code(&owner.call(DELETE, in_room).await), CANNOT_DELETE);

        // The SDK's form (strings of digits); a number, and a MsgSeq past the last, pass too.
        ok(
            &mut member,
            DELETE,
            body(json!(["11", "10", "9", "8", "7", 3, "99"])),
        )
        .await;
        ok(&mut member, DELETE, body(json!(["10"]))).await;

        // The member's pages pass over them (listing them) and fill up with older messages.
        let (shown, invisible, (finished, next)) = page(&mut member, &group_id, 0, 4).await;
        assert_eq!(shown, vec![12, 6, 5, 4]);
        assert_eq!(invisible, json!([11, 10, 9, 8, 7]));
        assert_eq!((finished, next), (0, 3));
        let (shown, invisible, (finished, next)) = page(&mut member, &group_id, next, 4).await;
        assert_eq!(shown, vec![2, 1]);
        assert_eq!(invisible, json!([3]));
        assert_eq!((finished, next), (2, 0));
        // A page that starts inside the deleted run.
        let (shown, _, _) = page(&mut member, &group_id, 9, 2).await;
        assert_eq!(shown, vec![6, 5]);

        // Everyone else, the REST API included, keeps every message.
        let (shown, invisible, _) = page(&mut owner, &group_id, 0, 20).await;
        assert_eq!(shown, (1..=12).rev().collect::<Vec<u64>>());
        assert_eq!(invisible, json!([]));
        let rest = server
            .call(
                "group_open_http_svc/group_msg_get_simple",
                json!({"GroupId": group_id, "ReqMsgNumber": 20}),
            )
            .await;
        assert_eq!(rest["RspMsgList"].as_array().unwrap().len(), 12, "{rest}");

        // The member's other device, over /ws, reads the same history.
        let mut ws = Client::login(&server, "go_member", "Android").await;
        let reply = ws
            .ok(
                "group_open_http_svc.group_msg_get",
                json!({"GroupId": group_id, "ReqMsgNumber": 20}),
            )
            .await;
        let (shown, _, (finished, _)) = page_of(&reply);
        assert_eq!(shown, vec![12, 6, 5, 4, 2, 1]);
        assert_eq!(finished, 2);
    }
);

on_both_engines!(
    topic_messages_are_deleted_for_oneself_per_topic,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "gt_owner").await;
        let mut member = SdkClient::connect(&server, "gt_member").await;
        let (community, topic) = community_with_topic(&mut owner, "gt_member", "news").await;
        say(&mut owner, &community, Some(&topic), 3).await;
        let delete = json!({"GroupId": community, "TopicId": topic, "Deleter_Account": "gt_member",
                            "Seqs": ["2"]});
        ok(&mut member, DELETE, delete).await;
        let unknown = json!({"GroupId": community, "TopicId": format!("{community}@TOPIC#_none"),
                             "Deleter_Account": "gt_member", "Seqs": ["2"]});
        assert_eq!(code(&member.call(DELETE, unknown).await), TOPIC_NOT_FOUND);
        let body = json!({"GroupId": community, "TopicId": topic, "ReqMsgNumber": 20});
        let history = "million_group_open_http_svc.group_msg_get";
        let (shown, invisible, _) = page_of(&member.call(history, body.clone()).await);
        assert_eq!((shown, invisible), (vec![3, 1], json!([2])));
        let (shown, _, _) = page_of(&owner.call(history, body).await);
        assert_eq!(shown, vec![3, 2, 1]);
    }
);

on_both_engines!(
    receipts_by_users_name_who_read_which_message,
    |server: TestServer| async move {
        let cmd = "group_open_http_svc.get_group_msg_receipts_by_users";
        let mut owner = SdkClient::connect(&server, "gr_owner").await;
        let mut ann = SdkClient::connect(&server, "gr_ann").await;
        let mut bob = SdkClient::connect(&server, "gr_bob").await;
        let mut stranger = SdkClient::connect(&server, "gr_stranger").await;
        let group_id = group_of(&mut owner, "Public", &["gr_ann", "gr_bob"]).await;
        let seqs = say(&mut owner, &group_id, None, 2).await;
        ok(
            &mut ann,
            "group_open_http_svc.group_msg_receipt",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": seqs[1]}]}),
        )
        .await;
        ok(
            &mut bob,
            "group_open_http_svc.group_msg_receipt",
            json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": seqs[0]}]}),
        )
        .await;
        let ask = json!({"GroupId": group_id, "MemberReadMsgList": [
            {"MsgSeq": seqs[0], "MemberList_Account": ["gr_ann", "gr_bob", "gr_owner", "gr_stranger"]},
            {"MsgSeq": seqs[1], "MemberList_Account": ["gr_bob", "gr_ann"]},
            {"MsgSeq": 99, "MemberList_Account": ["gr_ann"]}]});
        let reply = ok(&mut owner, cmd, ask.clone()).await;
        // ann read both (her position is past the first), bob only the first; the sender
        // and a non-member never count, nor a message that does not exist.
        assert_eq!(
            reply["MsgReadList"],
            json!([{"MsgSeq": seqs[0], "Read_Account": "gr_ann"},
                   {"MsgSeq": seqs[0], "Read_Account": "gr_bob"},
                   {"MsgSeq": seqs[1], "Read_Account": "gr_ann"}]),
            "{reply}"
        );
        assert_eq!(code(&stranger.call(cmd, ask).await), NO_PERMISSION);
        let empty = json!({"GroupId": group_id, "MemberReadMsgList": []});
        assert_eq!(code(&owner.call(cmd, empty).await), INVALID);
        let nobody = json!({"GroupId": group_id, "MemberReadMsgList": [{"MsgSeq": 1, "MemberList_Account": []}]});
        assert_eq!(code(&owner.call(cmd, nobody).await), INVALID);
    }
);

on_both_engines!(
    topic_messages_take_extensions_like_group_messages,
    |server: TestServer| async move {
        const SET: &str = "openim_msg_ext_http_svc.group_set_key_values";
        const GET: &str = "openim_msg_ext_http_svc.group_get_key_values";
        let mut owner = SdkClient::connect(&server, "ge_owner").await;
        let mut member = SdkClient::connect(&server, "ge_member").await;
        let mut stranger = SdkClient::connect(&server, "ge_stranger").await;
        let (community, topic) = community_with_topic(&mut owner, "ge_member", "votes").await;
        let seq = say(&mut owner, &community, Some(&topic), 1).await[0];
        let set = json!({"GroupId": community, "TopicId": topic, "MsgSeq": seq, "OperateType": 1,
                         "ExtensionList": [{"Key": "ge_member", "Value": "yes", "Seq": 0}]});
        let reply = ok(&mut member, SET, set.clone()).await;
        assert_eq!(
            reply["ExtensionList"][0]["Extension"],
            json!({"Key": "ge_member", "Value": "yes", "Seq": 1}),
            "{reply}"
        );
        // The owner's SDK hears of it (MESSAGE_EXTENSIONS_UPDATED).
        let push = owner.next_push_of("MsgExtensionNotify").await;
        let notify = &push["EventArray"][0]["MsgExtensionNotify"];
        assert_eq!(notify["ExtensionGroupMsgInfo"]["MsgSeq"], seq, "{push}");
        assert_eq!(notify["SetKVInfo"][0]["MsgKeyValue"][0]["Key"], "ge_member");
        let got = ok(
            &mut owner,
            GET,
            json!({"GroupId": community, "TopicId": topic, "MsgSeq": seq, "startSeq": 0}),
        )
        .await;
        assert_eq!(
            got["ExtensionList"],
            json!([{"Key": "ge_member", "Value": "yes", "Seq": 1}])
        );
        // A key written since the SDK saw it (Seq 0 < 1) is left alone and answered with its
        // value now (23001); the other key is written.
        let stale = json!({"GroupId": community, "TopicId": topic, "MsgSeq": seq, "OperateType": 1,
                           "ExtensionList": [{"Key": "ge_member", "Value": "no", "Seq": 0},
                                             {"Key": "ge_owner", "Value": "yes", "Seq": 0}]});
        let reply = ok(&mut owner, SET, stale).await;
        assert_eq!(
            reply["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "ge_owner", "Value": "yes", "Seq": 2}},
                   {"ErrorCode": 23001, "Extension": {"Key": "ge_member", "Value": "yes", "Seq": 1}}]),
            "{reply}"
        );
        // The member hears of the key written only.
        let push = member.next_push_of("MsgExtensionNotify").await;
        let notify = &push["EventArray"][0]["MsgExtensionNotify"];
        assert_eq!(
            notify["SetKVInfo"][0]["MsgKeyValue"],
            json!([{"Key": "ge_owner", "Value": "yes", "Seq": 2}]),
            "{push}"
        );
        // The same MsgSeq in the community itself is another message (none there).
        let own = json!({"GroupId": community, "MsgSeq": seq, "startSeq": 0});
        assert_eq!(code(&owner.call(GET, own).await), NO_PERMISSION);
        let unknown = json!({"GroupId": community, "TopicId": format!("{community}@TOPIC#_none"),
                             "MsgSeq": seq, "startSeq": 0});
        assert_eq!(code(&owner.call(GET, unknown).await), TOPIC_NOT_FOUND);
        assert_eq!(code(&stranger.call(SET, set).await), NO_PERMISSION);
    }
);

on_both_engines!(
    group_system_notices_are_deleted_and_kick_other_is_no_request,
    |server: TestServer| async move {
        let mut sdk = SdkClient::connect(&server, "gn_user").await;
        let notice =
            json!({"DelMsgList": [{"From_Account": "@TIM#SYSTEM", "MsgSeq": 0, "MsgRandom": 77}]});
        ok(&mut sdk, "openim.deletemsg", notice).await;
        let other =
            json!({"DelMsgList": [{"From_Account": "gn_peer", "MsgSeq": 1, "MsgRandom": 2}]});
        assert_eq!(code(&sdk.call("openim.deletemsg", other).await), BAD_PARAM);
        assert_eq!(
            code(&sdk.call("openim.deletemsg", json!({})).await),
            BAD_PARAM
        );
        // A push the SDK takes, never a request it sends.
        assert_eq!(
            code(&sdk.call("StatSvc.KickOther", json!({})).await),
            NOT_SERVED
        );
    }
);
