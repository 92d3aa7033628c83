//! One's own side of one-to-one conversations over `/binfo`, frame by frame: each command's
//! refusals (the codes the Web SDK gets for bad input) and what a success keeps.

use serde_json::{json, Value};

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

const BAD_PARAM: u64 = 90001;
const NOT_SELF: u64 = 90008;
const BAD_MSG_KEY: u64 = 90054;
const MSG_NOT_FOUND: u64 = 20022;

fn code(reply: &Value) -> u64 {
    reply["ErrorCode"].as_u64().unwrap_or(u64::MAX)
}

/// `from` sends a text to `to`; the message's `MsgKey` and `MsgTime`.
async fn send(sdk: &mut SdkClient, to: &str, random: u32) -> (String, i64) {
    let reply = sdk
        .call(
            "openim.sendmsg",
            json!({"To_Account": to, "MsgRandom": random, "MsgSeq": random,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]}),
        )
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    (
        reply["MsgKey"].as_str().unwrap().to_owned(),
        reply["MsgTime"].as_i64().unwrap(),
    )
}

on_both_engines!(
    own_side_commands_refuse_bad_input_with_tencents_codes,
    |server: TestServer| async move {
        let mut a = SdkClient::connect(&server, "own_a").await;
        let mut b = SdkClient::connect(&server, "own_b").await;
        let (key, time) = send(&mut a, "own_b", 7).await;

        // Notification settings: a flag of 0 to 2, at most 30 peers; a new flag is read back.
        let set = "openim.set_c2c_peer_mute_notifications";
        let reply = a
            .call(
                set,
                json!({"Peer_Account": ["own_b"], "Mute_Notifications": 5}),
            )
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let many: Vec<String> = (0..31).map(|i| format!("p{i}")).collect();
        let reply = a
            .call(set, json!({"Peer_Account": many, "Mute_Notifications": 1}))
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let reply = a
            .call(
                set,
                json!({"Peer_Account": ["own_b"], "Mute_Notifications": 1}),
            )
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        let got = a
            .call(
                "openim.get_c2c_peer_mute_notifications",
                json!({"To_Account": "own_a", "Peer_Account": ["own_b", "nobody"]}),
            )
            .await;
        assert_eq!(
            got["MuteNotificationsList"],
            json!([{"Peer_Account": "own_b", "MuteNotifications": 1},
                   {"Peer_Account": "nobody", "MuteNotifications": 0}]),
            "{got}"
        );
        let other = a
            .call(
                "openim.get_c2c_peer_mute_notifications",
                json!({"To_Account": "own_b", "Peer_Account": ["own_a"]}),
            )
            .await;
        assert_eq!(code(&other), NOT_SELF, "another's settings: {other}");

        // Do not disturb: a level of 0 to 2 over a span of time.
        let dnd = "im_msg_db_logic.ws_set_do_not_disturb";
        let reply = a
            .call(dnd, json!({"Level": 3, "StartTime": 0, "EndTime": 0}))
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let reply = a
            .call(dnd, json!({"Level": 2, "StartTime": 100, "EndTime": 50}))
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let reply = a
            .call(
                dnd,
                json!({"Level": 2, "StartTime": 100, "EndTime": 200, "IsRepeated": 1}),
            )
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        let got = a
            .call(
                "im_msg_db_logic.ws_get_do_not_disturb",
                json!({"To_Account": "own_a"}),
            )
            .await;
        assert_eq!(
            (
                &got["Level"],
                &got["StartTime"],
                &got["EndTime"],
                &got["IsRepeated"]
            ),
            (&json!(2), &json!(100), &json!(200), &json!(1)),
            "{got}"
        );

        // Read receipts: only for the peer's messages to the user, that exist.
        let receipt = "openim.c2c_msg_read_receipt";
        let (seq_random, _) = key.split_once('_').unwrap();
        let seq: u32 = seq_random.parse().unwrap();
        let item = |from: &str, random: u32| {
            json!({"From_Account": from, "To_Account": if from == "own_a" { "own_b" } else { "own_a" },
                   "MsgSeq": seq, "MsgRandom": random, "MsgTime": time})
        };
        let reply = b
            .call(
                receipt,
                json!({"Peer_Account": "own_a", "C2CMsgInfo": [item("own_b", 7)]}),
            )
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "its own message: {reply}");
        let reply = b
            .call(
                receipt,
                json!({"Peer_Account": "own_a", "C2CMsgInfo": [item("own_a", 8)]}),
            )
            .await;
        assert_eq!(code(&reply), MSG_NOT_FOUND, "no such message: {reply}");
        let reply = b
            .call(
                receipt,
                json!({"Peer_Account": "own_a", "C2CMsgInfo": [item("own_a", 7)]}),
            )
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        let pushed = a.next_push_of("C2cMsgInfo").await;
        assert_eq!(pushed["EventArray"][0]["Peer_Account"], "own_b", "{pushed}");

        // Deleting for oneself: as oneself, 1 to 30 valid keys.
        let delete = "openim.delete_c2c_msg_ramble";
        let reply = b
            .call(
                delete,
                json!({"From_Account": "own_a", "To_Account": "own_a", "MsgKeyList": [key]}),
            )
            .await;
        assert_eq!(code(&reply), NOT_SELF, "{reply}");
        let reply = b
            .call(delete, json!({"To_Account": "own_a", "MsgKeyList": []}))
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let reply = b
            .call(
                delete,
                json!({"To_Account": "own_a", "MsgKeyList": ["not a key"]}),
            )
            .await;
        assert_eq!(code(&reply), BAD_MSG_KEY, "{reply}");
        let reply = b
            .call(delete, json!({"To_Account": "own_a", "MsgKeyList": [key]}))
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        // The receipt is refused now: the message left B's history.
        let reply = b
            .call(
                receipt,
                json!({"Peer_Account": "own_a", "C2CMsgInfo": [item("own_a", 7)]}),
            )
            .await;
        assert_eq!(code(&reply), MSG_NOT_FOUND, "{reply}");

        // Merged messages: 1 to 300 messages; an unknown key finds nothing.
        let reply = a
            .call("im_long_msg.save_relay_json_msg", json!({"MsgList": []}))
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let reply = a
            .call(
                "im_long_msg.get_relay_json_msg",
                json!({"JsonMsgKey": "relay-0"}),
            )
            .await;
        assert_eq!(code(&reply), BAD_PARAM, "{reply}");
        let saved = a
            .call(
                "im_long_msg.save_relay_json_msg",
                json!({"MsgList": [{"From_Account": "own_a", "MsgBody": []}]}),
            )
            .await;
        assert_eq!(code(&saved), 0, "{saved}");
        let got = b
            .call(
                "im_long_msg.get_relay_json_msg",
                json!({"JsonMsgKey": saved["JsonMsgKey"]}),
            )
            .await;
        assert_eq!(
            got["MsgList"],
            json!([{"From_Account": "own_a", "MsgBody": []}]),
            "{got}"
        );
    }
);

on_both_engines!(
    extension_keys_written_since_the_sdk_saw_them_are_left_alone,
    |server: TestServer| async move {
        const SET: &str = "openim_msg_ext_http_svc.set_key_values";
        const CONFLICT: u64 = 23001;
        let mut a = SdkClient::connect(&server, "ext_a").await;
        let mut b = SdkClient::connect(&server, "ext_b").await;
        let sent = a
            .call(
                "openim.sendmsg",
                json!({"To_Account": "ext_b", "MsgRandom": 5, "MsgSeq": 5, "SupportMessageExtension": 1,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "vote"}}]}),
            )
            .await;
        assert_eq!(code(&sent), 0, "{sent}");
        let message = json!({"From_Account": "ext_a", "To_Account": "ext_b",
                             "MsgKey": sent["MsgKey"], "OperateType": 1});
        let set = |list: Value| {
            let mut body = message.clone();
            body["ExtensionList"] = list;
            body
        };
        let reply = a
            .call(
                SET,
                set(json!([{"Key": "choice", "Value": "red", "Seq": 0}])),
            )
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        assert_eq!(reply["Seq"], 1, "{reply}");

        // b's SDK has not seen `choice` (Seq 0): that key is left alone and answered with its
        // value now (23001); b's other key is written as version 2.
        let reply = b
            .call(
                SET,
                set(json!([{"Key": "choice", "Value": "blue", "Seq": 0},
                           {"Key": "note", "Value": "hm", "Seq": 0}])),
            )
            .await;
        assert_eq!(code(&reply), 0, "{reply}");
        assert_eq!(
            reply["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "note", "Value": "hm", "Seq": 2}},
                   {"ErrorCode": CONFLICT, "Extension": {"Key": "choice", "Value": "red", "Seq": 1}}]),
            "{reply}"
        );
        assert_eq!(reply["Seq"], 2, "{reply}");
        // Every key stale: nothing is written (no new version), a deletion neither.
        let mut delete = set(json!([{"Key": "note", "Value": "", "Seq": 1}]));
        delete["OperateType"] = json!(2);
        let reply = a.call(SET, delete).await;
        assert_eq!(
            reply["ExtensionList"],
            json!([{"ErrorCode": CONFLICT, "Extension": {"Key": "note", "Value": "hm", "Seq": 2}}]),
            "{reply}"
        );
        assert!(reply.get("Seq").is_none(), "{reply}");
        // From the version it now knows, b's write goes through.
        let reply = b
            .call(
                SET,
                set(json!([{"Key": "choice", "Value": "blue", "Seq": 1}])),
            )
            .await;
        assert_eq!(
            reply["ExtensionList"],
            json!([{"ErrorCode": 0, "Extension": {"Key": "choice", "Value": "blue", "Seq": 3}}]),
            "{reply}"
        );
        let got = a
            .call(
                "openim_msg_ext_http_svc.get_key_values",
                json!({"From_Account": "ext_a", "To_Account": "ext_b", "MsgKey": sent["MsgKey"],
                       "startSeq": 0}),
            )
            .await;
        assert_eq!(got["LatestSeq"], 3, "{got}");
        assert_eq!(
            got["ExtensionList"],
            json!([{"Key": "note", "Value": "hm", "Seq": 2},
                   {"Key": "choice", "Value": "blue", "Seq": 3}]),
            "{got}"
        );
    }
);
