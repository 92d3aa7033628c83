//! Message reactions over `/binfo` (and `/ws`), frame by frame: the Web SDK's
//! `openim_msg_ext_http_svc.reaction_*` and `group_reaction_*` commands, Tencent's limits and
//! codes, the lists and pages, and the pushes the SDK turns into MESSAGE_REACTIONS_UPDATED.

use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const BAD_PARAM: u64 = 90001;
const BAD_MSG_KEY: u64 = 90054;
const C2C_NOT_FOUND: u64 = 20022;
const TOPIC_NOT_SUPPORTED: u64 = 11000;
const TOPIC_NOT_FOUND: u64 = 110003;
const NO_PERMISSION: u64 = 10007;
const GROUP_NOT_FOUND: u64 = 10010;
const GROUP_MSG_NOT_FOUND: u64 = 10030;
const TOO_MANY_REACTIONS: u64 = 23005;
const ALREADY_REACTED: u64 = 23007;
const NOT_REACTED: u64 = 23008;

fn code(reply: &Value) -> u64 {
    reply["ErrorCode"].as_u64().unwrap_or(u64::MAX)
}

async fn ext(sdk: &mut SdkClient, command: &str, body: Value) -> Value {
    sdk.call(&format!("openim_msg_ext_http_svc.{command}"), body)
        .await
}

async fn ok(sdk: &mut SdkClient, command: &str, body: Value) -> Value {
    let reply = ext(sdk, command, body).await;
    assert_eq!(code(&reply), 0, "{command} as {}: {reply}", sdk.user());
    reply
}

/// The next push that holds `kind` in any item of its `EventArray`; that item's value.
async fn next_reaction_push(sdk: &mut SdkClient, kind: &str) -> Value {
    loop {
        let (head, body) = sdk.next_push().await.expect("the connection is open");
        if head["servcmd"] != "im_open_push.msg_push" {
            continue;
        }
        let items = body["EventArray"].as_array().cloned().unwrap_or_default();
        if let Some(item) = items.iter().find(|i| i.get(kind).is_some()) {
            return item[kind].clone();
        }
    }
}

/// The next `/ws` event named `name` (others are passed over).
async fn next_ws_event(ws: &mut Client, name: &str) -> Value {
    loop {
        let event = ws.event().await;
        if event["Event"] == name {
            return event;
        }
    }
}

on_both_engines!(
    one_to_one_reactions_keep_tencents_rules_and_reach_both_sides,
    |server: TestServer| async move {
        let mut ann = SdkClient::connect(&server, "rx_ann").await;
        let mut ann_other = SdkClient::connect(&server, "rx_ann").await;
        let mut bob = SdkClient::connect(&server, "rx_bob").await;
        let mut carol = SdkClient::connect(&server, "rx_carol").await;
        let mut bob_ws = Client::login(&server, "rx_bob", "Android").await;
        let sent = ann
            .call(
                "openim.sendmsg",
                json!({"To_Account": "rx_bob", "MsgRandom": 77, "MsgSeq": 7,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]}),
            )
            .await;
        assert_eq!(code(&sent), 0, "{sent}");
        let key = sent["MsgKey"].as_str().unwrap().to_owned();
        let time = sent["MsgTime"].as_i64().unwrap();
        let seq: u64 = key.split('_').next().unwrap().parse().unwrap();
        let message = |reaction: &str| {
            json!({"From_Account": "rx_ann", "To_Account": "rx_bob", "MsgKey": key,
                   "Reaction": reaction})
        };

        // Bob reacts, as the SDK asks: naming himself.
        let mut add = message("smile");
        add["Add_Account"] = json!(["rx_bob"]);
        let reply = ok(&mut bob, "reaction_add", add).await;
        assert_eq!(reply["Count"], 1, "{reply}");
        assert_eq!(reply["Reaction_Account"], json!(["rx_bob"]), "{reply}");
        // Ann hears of it, the message named by the parts of its SDK ID.
        let list = next_reaction_push(&mut ann, "MsgReactionNotifyList").await;
        let info = &list[0]["C2CMsgInfo"];
        assert_eq!(info["MsgRandom"], 77, "{list}");
        assert_eq!(info["MsgClientTime"], time, "{list}");
        assert!(info["TinyId"].as_str().is_some(), "{list}");
        let summary = &list[0]["MsgReactionSummary"][0];
        assert_eq!(summary["Reaction"], "smile", "{list}");
        assert_eq!(summary["Count"], 1, "{list}");
        assert_eq!(summary["Reaction_Account"], json!(["rx_bob"]), "{list}");
        assert_eq!(summary["ReactedByMe"], 0, "every user is named: {list}");
        // So does Bob's other device, over /ws.
        let event = next_ws_event(&mut bob_ws, "C2cMsgReaction").await;
        assert_eq!(event["Operator_Account"], "rx_bob", "{event}");
        assert_eq!(event["OperateType"], 1, "{event}");
        assert_eq!(event["MsgKey"], key.as_str(), "{event}");

        // Refusals: twice; someone else's conversation; as someone else; a bad MsgKey; a
        // reaction ID out of bounds.
        let again = ext(&mut bob, "reaction_add", message("smile")).await;
        assert_eq!(code(&again), ALREADY_REACTED, "{again}");
        let stranger = ext(&mut carol, "reaction_add", message("smile")).await;
        assert_eq!(code(&stranger), C2C_NOT_FOUND, "{stranger}");
        let mut as_ann = message("heart");
        as_ann["Add_Account"] = json!(["rx_ann"]);
        let refused = ext(&mut bob, "reaction_add", as_ann).await;
        assert_eq!(code(&refused), BAD_PARAM, "{refused}");
        let mut bad_key = message("heart");
        bad_key["MsgKey"] = json!("not-a-key");
        assert_eq!(
            code(&ext(&mut bob, "reaction_add", bad_key).await),
            BAD_MSG_KEY
        );
        let mut missing = message("heart");
        missing["MsgKey"] = json!("1_2_3");
        assert_eq!(
            code(&ext(&mut bob, "reaction_add", missing).await),
            C2C_NOT_FOUND
        );
        let long = "x".repeat(101);
        assert_eq!(
            code(&ext(&mut bob, "reaction_add", message(&long)).await),
            BAD_PARAM
        );

        // Ann reacts too: her other device learns first that she did, then the reaction.
        ok(&mut ann, "reaction_add", message("smile")).await;
        let (_, push) = loop {
            let (head, body) = ann_other.next_push().await.unwrap();
            if body["EventArray"][0].get("MsgReactionNotify").is_some() {
                break (head, body);
            }
        };
        let mine = &push["EventArray"][0]["MsgReactionNotify"];
        assert_eq!(mine["Reaction"], "smile", "{push}");
        assert_eq!(mine["OperateType"], 1, "{push}");
        let summary = &push["EventArray"][1]["MsgReactionNotifyList"][0]["MsgReactionSummary"][0];
        assert_eq!(summary["Count"], 2, "{push}");
        assert_eq!(summary["ReactedByMe"], 1, "{push}");
        let event = next_ws_event(&mut bob_ws, "C2cMsgReaction").await;
        assert_eq!(event["Reaction_Account"], json!(["rx_bob", "rx_ann"]));

        // Ten different reactions at most.
        for i in 1..10 {
            ok(&mut ann, "reaction_add", message(&format!("r{i}"))).await;
        }
        let full = ext(&mut bob, "reaction_add", message("eleventh")).await;
        assert_eq!(code(&full), TOO_MANY_REACTIONS, "{full}");

        // The list: per MsgKey, each reaction with its first users (Count of them) and whether
        // the reader has it; a message that does not exist has none.
        let stat = ok(
            &mut bob,
            "reaction_multi_stat",
            json!({"From_Account": "rx_bob", "To_Account": "rx_ann",
                   "MsgKeyList": [key, "1_2_3"], "Count": 1}),
        )
        .await;
        let results = stat["Results"].as_array().unwrap();
        assert_eq!(results[0]["MsgKey"], key.as_str(), "{stat}");
        let reactions = results[0]["MsgReactionSummary"].as_array().unwrap();
        assert_eq!(reactions.len(), 10, "{stat}");
        assert_eq!(reactions[0]["Reaction"], "smile");
        assert_eq!(reactions[0]["Count"], 2);
        assert_eq!(reactions[0]["Reaction_Account"], json!(["rx_bob"]));
        assert_eq!(reactions[0]["ReactedByMe"], 1);
        assert_eq!(reactions[1]["ReactedByMe"], 0);
        assert_eq!(results[1]["ErrorCode"], C2C_NOT_FOUND, "{stat}");
        assert_eq!(results[1]["MsgReactionSummary"], json!([]), "{stat}");
        let keys: Vec<String> = (0..21).map(|i| format!("{i}_1_1")).collect();
        let many = ext(
            &mut bob,
            "reaction_multi_stat",
            json!({"From_Account": "rx_bob", "To_Account": "rx_ann", "MsgKeyList": keys}),
        )
        .await;
        assert_eq!(code(&many), BAD_PARAM, "{many}");
        let other = ext(
            &mut carol,
            "reaction_multi_stat",
            json!({"From_Account": "rx_ann", "To_Account": "rx_bob", "MsgKeyList": [key]}),
        )
        .await;
        assert_eq!(code(&other), C2C_NOT_FOUND, "{other}");

        // Pages of a reaction's users, in the order they reacted.
        let mut page = message("smile");
        page["Count"] = json!(1);
        page["NextSeq"] = json!(0);
        let outside = ext(&mut carol, "reaction_iterate", page.clone()).await;
        assert_eq!(code(&outside), C2C_NOT_FOUND, "{outside}");
        let first = ok(&mut bob, "reaction_iterate", page.clone()).await;
        assert_eq!(first["Reaction_Account"], json!(["rx_bob"]), "{first}");
        assert_ne!(first["NextSeq"], 0, "{first}");
        page["NextSeq"] = first["NextSeq"].clone();
        let last = ok(&mut bob, "reaction_iterate", page).await;
        assert_eq!(last["Reaction_Account"], json!(["rx_ann"]), "{last}");
        assert_eq!(last["NextSeq"], 0, "{last}");

        // Taking back: one's own reaction only; the other side hears of it.
        let none = ext(&mut bob, "reaction_del", message("r1")).await;
        assert_eq!(code(&none), NOT_REACTED, "{none}");
        let mut del = message("smile");
        del["Del_Account"] = json!(["rx_bob"]);
        let reply = ok(&mut bob, "reaction_del", del).await;
        assert_eq!(reply["Count"], 1, "{reply}");
        let list = loop {
            let list = next_reaction_push(&mut ann, "MsgReactionNotifyList").await;
            if list[0]["MsgReactionSummary"][0]["Count"] == 1
                && list[0]["MsgReactionSummary"][0]["Reaction"] == "smile"
                && list[0]["MsgReactionSummary"][0]["Reaction_Account"] == json!(["rx_ann"])
            {
                break list;
            }
        };
        assert_eq!(list[0]["MsgReactionSummary"][0]["ReactedByMe"], 1);

        // A recalled message takes no change.
        let recalled = ann
            .call(
                "openim.msgwithdraw",
                json!({"MsgInfo": {"From_Account": "rx_ann", "To_Account": "rx_bob",
                       "MsgSeq": seq, "MsgRandom": 77, "MsgTimeStamp": time}}),
            )
            .await;
        assert_eq!(code(&recalled), 0, "{recalled}");
        let late = ext(&mut bob, "reaction_add", message("late")).await;
        assert_eq!(code(&late), C2C_NOT_FOUND, "{late}");
    }
);

on_both_engines!(
    group_reactions_are_for_members_and_reach_them,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "gx_owner").await;
        let mut member = SdkClient::connect(&server, "gx_member").await;
        let mut outsider = SdkClient::connect(&server, "gx_out").await;
        let created = owner
            .call(
                "group_open_http_svc.create_group",
                json!({"Type": "Public", "Name": "Reactions", "ApplyJoinOption": "FreeAccess"}),
            )
            .await;
        assert_eq!(code(&created), 0, "{created}");
        let group_id = created["GroupId"].as_str().unwrap().to_owned();
        let joined = member
            .call(
                "group_open_http_svc.apply_join_group",
                json!({"GroupId": group_id}),
            )
            .await;
        assert_eq!(code(&joined), 0, "{joined}");
        let sent = owner
            .call(
                "group_open_http_svc.send_group_msg",
                json!({"GroupId": group_id, "Random": 55,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "vote"}}]}),
            )
            .await;
        assert_eq!(code(&sent), 0, "{sent}");
        let seq = sent["MsgSeq"].as_u64().unwrap();
        let on = |seq: u64, reaction: &str| json!({"GroupId": group_id, "MsgSeq": seq, "Reaction": reaction});

        // Members only; a message that exists; a topic only of a community with topics; a
        // group that exists.
        let refused = ext(&mut outsider, "group_reaction_add", on(seq, "ok")).await;
        assert_eq!(code(&refused), NO_PERMISSION, "{refused}");
        let missing = ext(&mut member, "group_reaction_add", on(seq + 100, "ok")).await;
        assert_eq!(code(&missing), GROUP_MSG_NOT_FOUND, "{missing}");
        let mut topic = on(seq, "ok");
        topic["TopicId"] = json!("@TGS#_x@TOPIC#_y");
        let topic = ext(&mut member, "group_reaction_add", topic).await;
        assert_eq!(code(&topic), TOPIC_NOT_SUPPORTED, "{topic}");
        let mut nowhere = on(seq, "ok");
        nowhere["GroupId"] = json!("@TGS#nowhere");
        let nowhere = ext(&mut member, "group_reaction_add", nowhere).await;
        assert_eq!(code(&nowhere), GROUP_NOT_FOUND, "{nowhere}");

        // The member reacts; the owner hears of it.
        let mut add = on(seq, "ok");
        add["Add_Account"] = json!(["gx_member"]);
        ok(&mut member, "group_reaction_add", add).await;
        let list = next_reaction_push(&mut owner, "MsgReactionNotifyList").await;
        let info = &list[0]["GroupMsgInfo"];
        assert_eq!(info["GroupId"], group_id.as_str(), "{list}");
        assert_eq!(info["MsgSeq"], seq, "{list}");
        assert_eq!(info["MsgRandom"], 55, "{list}");
        let summary = &list[0]["MsgReactionSummary"][0];
        assert_eq!(summary["Reaction_Account"], json!(["gx_member"]), "{list}");
        assert_eq!(summary["ReactedByMe"], 0, "{list}");
        ok(&mut owner, "group_reaction_add", on(seq, "ok")).await;
        ok(&mut owner, "group_reaction_add", on(seq, "fire")).await;

        // The list, by MsgSeq; a page of users.
        let stat = ok(
            &mut member,
            "group_reaction_multi_stat",
            json!({"GroupId": group_id, "MsgSeqList": [seq, seq + 100], "Count": 10}),
        )
        .await;
        let results = stat["Results"].as_array().unwrap();
        assert_eq!(results[0]["MsgSeq"], seq, "{stat}");
        let reactions = &results[0]["MsgReactionSummary"];
        assert_eq!(reactions[0]["Reaction"], "ok", "{stat}");
        assert_eq!(
            reactions[0]["Reaction_Account"],
            json!(["gx_member", "gx_owner"])
        );
        assert_eq!(reactions[0]["ReactedByMe"], 1);
        assert_eq!(reactions[1]["Reaction"], "fire");
        assert_eq!(reactions[1]["ReactedByMe"], 0);
        assert_eq!(results[1]["ErrorCode"], GROUP_MSG_NOT_FOUND, "{stat}");
        let outside = ext(
            &mut outsider,
            "group_reaction_multi_stat",
            json!({"GroupId": group_id, "MsgSeqList": [seq]}),
        )
        .await;
        assert_eq!(code(&outside), NO_PERMISSION, "{outside}");
        let mut page = on(seq, "ok");
        page["Count"] = json!(100);
        let users = ok(&mut owner, "group_reaction_iterate", page).await;
        assert_eq!(
            users["Reaction_Account"],
            json!(["gx_member", "gx_owner"]),
            "{users}"
        );
        assert_eq!(users["NextSeq"], 0, "{users}");

        // Taking back, once.
        ok(&mut member, "group_reaction_del", on(seq, "ok")).await;
        let twice = ext(&mut member, "group_reaction_del", on(seq, "ok")).await;
        assert_eq!(code(&twice), NOT_REACTED, "{twice}");
        let again = ext(&mut owner, "group_reaction_add", on(seq, "fire")).await;
        assert_eq!(code(&again), ALREADY_REACTED, "{again}");

        // A recalled message takes no change.
        let recalled = owner
            .call(
                "group_open_http_svc.group_msg_recall",
                json!({"GroupId": group_id, "MsgSeqList": [{"MsgSeq": seq}]}),
            )
            .await;
        assert_eq!(code(&recalled), 0, "{recalled}");
        let late = ext(&mut member, "group_reaction_add", on(seq, "late")).await;
        assert_eq!(code(&late), GROUP_MSG_NOT_FOUND, "{late}");
    }
);

on_both_engines!(
    topic_message_reactions_reach_the_communitys_members,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "tx_owner").await;
        let mut member = SdkClient::connect(&server, "tx_member").await;
        let mut outsider = SdkClient::connect(&server, "tx_out").await;
        let community = owner
            .call(
                "million_group_open_http_svc.create_group",
                json!({"Type": "Community", "Name": "Town", "SupportTopic": 1,
                       "MemberList": [{"Member_Account": "tx_member"}]}),
            )
            .await;
        assert_eq!(code(&community), 0, "{community}");
        let group_id = community["GroupId"].as_str().unwrap().to_owned();
        let mut topics = Vec::new();
        for name in ["votes", "chat"] {
            let topic = owner
                .call(
                    "million_group_open_http_svc.create_topic",
                    json!({"GroupId": group_id, "TopicName": name}),
                )
                .await;
            assert_eq!(code(&topic), 0, "{topic}");
            topics.push(topic["TopicId"].as_str().unwrap().to_owned());
        }
        let sent = owner
            .call(
                "group_open_http_svc.send_group_msg",
                json!({"GroupId": group_id, "TopicId": topics[0], "Random": 77,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "vote"}}]}),
            )
            .await;
        assert_eq!(code(&sent), 0, "{sent}");
        let seq = sent["MsgSeq"].as_u64().unwrap();
        let on = |topic: &str, reaction: &str| json!({"GroupId": group_id, "TopicId": topic, "MsgSeq": seq, "Reaction": reaction});

        // The member reacts to the topic's message; the owner hears of it, the topic named.
        ok(&mut member, "group_reaction_add", on(&topics[0], "yes")).await;
        let list = next_reaction_push(&mut owner, "MsgReactionNotifyList").await;
        let info = &list[0]["GroupMsgInfo"];
        assert_eq!(info["GroupId"], group_id.as_str(), "{list}");
        assert_eq!(info["TopicId"], topics[0].as_str(), "{list}");
        assert_eq!(info["MsgSeq"], seq, "{list}");
        assert_eq!(info["MsgRandom"], 77, "{list}");
        let summary = &list[0]["MsgReactionSummary"][0];
        assert_eq!(summary["Reaction"], "yes", "{list}");
        assert_eq!(summary["Reaction_Account"], json!(["tx_member"]), "{list}");
        ok(&mut owner, "group_reaction_add", on(&topics[0], "yes")).await;

        // The topic's message has them; the same MsgSeq elsewhere is another message.
        let stat = |topic: &str| json!({"GroupId": group_id, "TopicId": topic, "MsgSeqList": [seq], "Count": 10});
        let read = ok(&mut member, "group_reaction_multi_stat", stat(&topics[0])).await;
        let reactions = &read["Results"][0]["MsgReactionSummary"];
        assert_eq!(reactions[0]["Reaction"], "yes", "{read}");
        assert_eq!(
            reactions[0]["Reaction_Account"],
            json!(["tx_member", "tx_owner"]),
            "{read}"
        );
        assert_eq!(reactions[0]["ReactedByMe"], 1, "{read}");
        let other = ok(&mut member, "group_reaction_multi_stat", stat(&topics[1])).await;
        assert_eq!(
            other["Results"][0]["ErrorCode"], GROUP_MSG_NOT_FOUND,
            "{other}"
        );
        let mut page = on(&topics[0], "yes");
        page["Count"] = json!(100);
        let users = ok(&mut owner, "group_reaction_iterate", page).await;
        assert_eq!(
            users["Reaction_Account"],
            json!(["tx_member", "tx_owner"]),
            "{users}"
        );
        ok(&mut member, "group_reaction_del", on(&topics[0], "yes")).await;
        let twice = ext(&mut member, "group_reaction_del", on(&topics[0], "yes")).await;
        assert_eq!(code(&twice), NOT_REACTED, "{twice}");

        // Members of the community only; a topic that exists.
        let refused = ext(&mut outsider, "group_reaction_add", on(&topics[0], "no")).await;
        assert_eq!(code(&refused), NO_PERMISSION, "{refused}");
        let gone = format!("{group_id}@TOPIC#_none");
        let missing = ext(&mut member, "group_reaction_add", on(&gone, "no")).await;
        assert_eq!(code(&missing), TOPIC_NOT_FOUND, "{missing}");
    }
);
