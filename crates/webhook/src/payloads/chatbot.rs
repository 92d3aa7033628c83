//! Chatbots.

use serde::{Deserialize, Serialize};

use super::payload;
use crate::commands;

/// `Chatbot.OnC2CSignalMessage` (request/response): a client sent custom pass-through content to
/// a chatbot account (`@RBT#...`). The app answers with
/// [`ChatbotResponse`](super::responses::ChatbotResponse), whose `RspData` goes back to the chatbot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnC2cSignalMessage {
    /// The user.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The chatbot account.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u32,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
    /// The pass-through `data`, often JSON inside a string.
    #[serde(rename = "Data")]
    pub data: String,
}
payload!(OnC2cSignalMessage, commands::CHATBOT_ON_C2C_SIGNAL_MESSAGE);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    /// No sample body was available (1047/59057, CN 269/103730); written from the field table in
    /// its order, with values shaped like the other C2C samples. UNVERIFIED.
    #[test]
    fn field_table_body() {
        assert_body(
            &OnC2cSignalMessage {
                from_account: "jared".into(),
                to_account: "@RBT#001".into(),
                msg_seq: 48374,
                msg_random: 2837546,
                msg_key: "48374_2837546_1557481126".into(),
                event_time: 1670574414123,
                data: r#"{"cmd":"ping"}"#.into(),
            },
            r#"{
                "CallbackCommand": "Chatbot.OnC2CSignalMessage",
                "From_Account": "jared",
                "To_Account": "@RBT#001",
                "MsgSeq": 48374,
                "MsgRandom": 2837546,
                "MsgKey": "48374_2837546_1557481126",
                "EventTime": 1670574414123,
                "Data": "{\"cmd\":\"ping\"}"
            }"#,
        );
    }
}
