//! One-to-one (C2C) messages.

use serde::{Deserialize, Serialize};

use super::{payload, MsgBodyElement};
use crate::commands;

/// `C2C.CallbackBeforeSendMsg` (before, may rewrite): a one-to-one message is about to be
/// delivered. The app answers with [`SendMsgResponse`](super::responses::SendMsgResponse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct C2cBeforeSendMsg {
    /// Sender.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// Recipient.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u32,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    /// Seconds since the epoch.
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    /// `"{MsgSeq}_{MsgRandom}_{MsgTime}"`; usable with the C2C recall REST API.
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    /// Client-side unique message id.
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    /// `1` for an online-only message, else `0`.
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgBodyElement>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(C2cBeforeSendMsg, commands::C2C_BEFORE_SEND_MSG);

/// `C2C.CallbackAfterSendMsg`: a one-to-one message was sent (also fired when delivery failed,
/// with a non-zero `SendMsgResult`). Carries the body as rewritten by the before-callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct C2cAfterSendMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u32,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    /// Seconds since the epoch.
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u32,
    /// `0` on success, else the delivery error code.
    #[serde(rename = "SendMsgResult")]
    pub send_msg_result: i64,
    /// `send msg succeed` on success, else the delivery error text.
    #[serde(rename = "ErrorInfo")]
    pub error_info: String,
    /// `To_Account`'s total unread one-to-one count; `-1` when delivery failed.
    #[serde(rename = "UnreadMsgNum")]
    pub unread_msg_num: i64,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgBodyElement>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(C2cAfterSendMsg, commands::C2C_AFTER_SEND_MSG);

/// `C2C.CallbackAfterMsgReport`: a user marked a one-to-one conversation as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct C2cAfterMsgReport {
    /// The reader.
    #[serde(rename = "Report_Account")]
    pub report_account: String,
    /// The other side of the conversation.
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    /// Seconds since the epoch.
    #[serde(rename = "LastReadTime")]
    pub last_read_time: u64,
    /// The reader's total unread one-to-one count, all conversations together.
    #[serde(rename = "UnreadMsgNum")]
    pub unread_msg_num: i64,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(C2cAfterMsgReport, commands::C2C_AFTER_MSG_REPORT);

/// `C2C.CallbackAfterMsgWithDraw` (capital `D`): a one-to-one message was recalled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct C2cAfterMsgWithDraw {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// Key of the recalled message.
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    /// `To_Account`'s total unread one-to-one count.
    #[serde(rename = "UnreadMsgNum")]
    pub unread_msg_num: i64,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(C2cAfterMsgWithDraw, commands::C2C_AFTER_MSG_WITHDRAW);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;
    use crate::payloads::Payload;

    /// Sample of the Chinese page, the newest one (it has `MsgId` and `EventTime`).
    #[test]
    fn before_send_msg_documented_sample() {
        assert_body(
            &C2cBeforeSendMsg {
                from_account: "jared".into(),
                to_account: "Jonh".into(),
                msg_seq: 48374,
                msg_random: 2837546,
                msg_time: 1557481126,
                msg_key: "48374_2837546_1557481126".into(),
                msg_id: "144115233406643804-1727580296-4026038328".into(),
                online_only_flag: 1,
                msg_body: vec![MsgBodyElement::text("red packet")],
                cloud_custom_data: "your cloud custom data".into(),
                event_time: 1670574414123,
            },
            r#"{
                "CallbackCommand": "C2C.CallbackBeforeSendMsg",
                "From_Account": "jared",
                "To_Account": "Jonh",
                "MsgSeq": 48374,
                "MsgRandom": 2837546,
                "MsgTime": 1557481126,
                "MsgKey": "48374_2837546_1557481126",
                "MsgId": "144115233406643804-1727580296-4026038328",
                "OnlineOnlyFlag": 1,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } }
                ],
                "CloudCustomData": "your cloud custom data",
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// The published sample has no `MsgId` / `EventTime`; both are in the field tables (CN), so
    /// they are added here where the tables put them: `MsgId` after `MsgKey`, `EventTime` last.
    #[test]
    fn after_send_msg_documented_sample() {
        assert_body(
            &C2cAfterSendMsg {
                from_account: "jared".into(),
                to_account: "Jonh".into(),
                msg_seq: 48374,
                msg_random: 2837546,
                msg_time: 1557481126,
                msg_key: "48374_2837546_1557481126".into(),
                msg_id: "144115233406643804-1727580296-4026038328".into(),
                online_only_flag: 1,
                send_msg_result: 0,
                error_info: "send msg succeed".into(),
                unread_msg_num: 7,
                msg_body: vec![MsgBodyElement::text("red packet")],
                cloud_custom_data: "your cloud custom data".into(),
                event_time: 1670574414123,
            },
            r#"{
                "CallbackCommand": "C2C.CallbackAfterSendMsg",
                "From_Account": "jared",
                "To_Account": "Jonh",
                "MsgSeq": 48374,
                "MsgRandom": 2837546,
                "MsgTime": 1557481126,
                "MsgKey": "48374_2837546_1557481126",
                "MsgId": "144115233406643804-1727580296-4026038328",
                "OnlineOnlyFlag": 1,
                "SendMsgResult": 0,
                "ErrorInfo": "send msg succeed",
                "UnreadMsgNum": 7,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } }
                ],
                "CloudCustomData": "your cloud custom data",
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// Failed delivery: `UnreadMsgNum` is `-1`, so it must be a signed integer.
    #[test]
    fn after_send_msg_failed_delivery_has_negative_unread() {
        let body = C2cAfterSendMsg {
            from_account: "a".into(),
            to_account: "b".into(),
            msg_seq: 1,
            msg_random: 2,
            msg_time: 3,
            msg_key: "1_2_3".into(),
            msg_id: "x".into(),
            online_only_flag: 0,
            send_msg_result: 20006,
            error_info: "blocked".into(),
            unread_msg_num: -1,
            msg_body: vec![],
            cloud_custom_data: String::new(),
            event_time: 4,
        }
        .to_body();
        assert_eq!(body["UnreadMsgNum"], -1);
        assert_eq!(body["SendMsgResult"], 20006);
    }

    /// The English sample has `UnreadMsgNum` and no `EventTime`; the newest Chinese sample has
    /// `EventTime` and no `UnreadMsgNum`. We send both (English sample + `EventTime` last).
    #[test]
    fn after_msg_report_documented_sample() {
        assert_body(
            &C2cAfterMsgReport {
                report_account: "jared".into(),
                peer_account: "Jonh".into(),
                last_read_time: 1614754606,
                unread_msg_num: 7,
                event_time: 1670574414123,
            },
            r#"{
                "CallbackCommand": "C2C.CallbackAfterMsgReport",
                "Report_Account": "jared",
                "Peer_Account": "Jonh",
                "LastReadTime": 1614754606,
                "UnreadMsgNum": 7,
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// Same split as the read report: English sample plus the Chinese page's `EventTime`.
    #[test]
    fn after_msg_withdraw_documented_sample() {
        assert_body(
            &C2cAfterMsgWithDraw {
                from_account: "jared".into(),
                to_account: "Jonh".into(),
                msg_key: "48374_2837546_1557481126".into(),
                unread_msg_num: 7,
                event_time: 1670574414123,
            },
            r#"{
                "CallbackCommand": "C2C.CallbackAfterMsgWithDraw",
                "From_Account": "jared",
                "To_Account": "Jonh",
                "MsgKey": "48374_2837546_1557481126",
                "UnreadMsgNum": 7,
                "EventTime": 1670574414123
            }"#,
        );
    }
}
