//! Request bodies Natter POSTs to the app backend, one typed struct per `CallbackCommand`, and the
//! answers it reads back ([`responses`]).
//!
//! Every struct serialises to exactly the JSON object Tencent Cloud Chat sends for that command
//! (field names, JSON types and field order), minus the leading `"CallbackCommand"` key, which
//! [`Payload::to_body`] adds from [`Payload::COMMAND`]. The command strings themselves come from
//! [`crate::commands`], so they are spelled in one place only.
//!
//! Conventions shared by all payloads:
//! * `EventTime` is milliseconds since the Unix epoch, emitted as a JSON integer (some of Tencent's
//!   English samples quote it as a string; their field tables and the Chinese pages say integer).
//! * `MsgTime` and `LastReadTime` are seconds since the Unix epoch.
//! * Member lists are arrays of `{"Member_Account": ..}` objects ([`MemberAccount`]).
//! * Fields Tencent only sends in some cases are `Option`s and are left out of the JSON when `None`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub mod alert;
pub mod c2c;
pub mod chatbot;
pub mod group;
pub mod profile;
pub mod responses;
pub mod sns;
pub mod state;
pub mod topic;

pub use alert::RequestOverLimit;
pub use c2c::{C2cAfterMsgReport, C2cAfterMsgWithDraw, C2cAfterSendMsg, C2cBeforeSendMsg};
pub use chatbot::OnC2cSignalMessage;
pub use group::{
    AfterChangeGroupOwner, AfterCreateGroup, AfterGroupAttrChanged, AfterGroupDestroyed,
    AfterGroupFull, AfterGroupInfoChanged, AfterMemberExit, AfterMemberFieldChanged,
    AfterNewMemberJoin, AfterReadReceipt, AfterRecallMsg, BeforeApplyJoinGroup, BeforeCreateGroup,
    BeforeInviteJoinGroup, GroupAfterSendMsg, GroupBeforeSendMsg, OnMemberStateChange,
    SendMsgException,
};
pub use profile::PortraitSet;
pub use sns::{
    BlackListAdd, BlackListDelete, FriendAdd, FriendDelete, PrevFriendAdd, PrevFriendResponse,
};
pub use state::StateChange;
pub use topic::{AfterCreateTopic, AfterTopicDestroyed, AfterTopicInfoChanged, BeforeCreateTopic};

/// A webhook request body for one `CallbackCommand`.
pub trait Payload: Serialize {
    /// The command word, taken from [`crate::commands`].
    const COMMAND: &'static str;

    /// The JSON object POSTed to the app backend: `"CallbackCommand"` first, then the payload's
    /// own fields in the order Tencent documents them.
    fn to_body(&self) -> Value {
        let mut body = Map::new();
        body.insert(
            "CallbackCommand".to_owned(),
            Value::String(Self::COMMAND.to_owned()),
        );
        match serde_json::to_value(self) {
            Ok(Value::Object(fields)) => body.extend(fields),
            Ok(other) => panic!(
                "{} payload must serialise to an object, got {other}",
                Self::COMMAND
            ),
            Err(err) => panic!("{} payload failed to serialise: {err}", Self::COMMAND),
        }
        Value::Object(body)
    }
}

/// Implements [`Payload`] for a struct with the given command constant.
macro_rules! payload {
    ($ty:ty, $command:path) => {
        impl $crate::payloads::Payload for $ty {
            const COMMAND: &'static str = $command;
        }
    };
}
pub(crate) use payload;

/// `COMMAND` of every payload type, in the order of [`crate::commands::COMMANDS`].
pub const ALL_COMMANDS: &[&str] = &[
    RequestOverLimit::COMMAND,
    StateChange::COMMAND,
    PortraitSet::COMMAND,
    PrevFriendAdd::COMMAND,
    PrevFriendResponse::COMMAND,
    FriendAdd::COMMAND,
    FriendDelete::COMMAND,
    BlackListAdd::COMMAND,
    BlackListDelete::COMMAND,
    C2cBeforeSendMsg::COMMAND,
    C2cAfterSendMsg::COMMAND,
    C2cAfterMsgReport::COMMAND,
    C2cAfterMsgWithDraw::COMMAND,
    BeforeCreateGroup::COMMAND,
    AfterCreateGroup::COMMAND,
    BeforeApplyJoinGroup::COMMAND,
    BeforeInviteJoinGroup::COMMAND,
    AfterNewMemberJoin::COMMAND,
    AfterMemberExit::COMMAND,
    GroupBeforeSendMsg::COMMAND,
    GroupAfterSendMsg::COMMAND,
    AfterGroupFull::COMMAND,
    AfterGroupDestroyed::COMMAND,
    AfterGroupInfoChanged::COMMAND,
    AfterRecallMsg::COMMAND,
    OnMemberStateChange::COMMAND,
    SendMsgException::COMMAND,
    BeforeCreateTopic::COMMAND,
    AfterCreateTopic::COMMAND,
    AfterTopicDestroyed::COMMAND,
    AfterTopicInfoChanged::COMMAND,
    AfterMemberFieldChanged::COMMAND,
    AfterGroupAttrChanged::COMMAND,
    AfterReadReceipt::COMMAND,
    AfterChangeGroupOwner::COMMAND,
    OnC2cSignalMessage::COMMAND,
];

/// One element of a `MsgBody` array: the same schema the REST send APIs use. `MsgContent` is kept
/// as raw JSON because its shape depends on `MsgType` (`TIMTextElem`, `TIMCustomElem`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MsgBodyElement {
    #[serde(rename = "MsgType")]
    pub msg_type: String,
    #[serde(rename = "MsgContent")]
    pub msg_content: Value,
}

impl MsgBodyElement {
    /// A `TIMTextElem` carrying `text`.
    pub fn text(text: impl Into<String>) -> Self {
        let mut content = Map::new();
        content.insert("Text".to_owned(), Value::String(text.into()));
        Self {
            msg_type: "TIMTextElem".to_owned(),
            msg_content: Value::Object(content),
        }
    }
}

/// An entry of a member list: `{"Member_Account": "<UserID>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
}

impl MemberAccount {
    pub fn new(member_account: impl Into<String>) -> Self {
        Self {
            member_account: member_account.into(),
        }
    }
}

/// Builds a member list from user IDs.
pub fn member_list<I, S>(ids: I) -> Vec<MemberAccount>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    ids.into_iter().map(MemberAccount::new).collect()
}

/// A custom group or topic field given at creation: `{"Key": .., "Value": ..}` (capitalised, unlike
/// the lowercase group attributes in [`group::GroupAttr`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDefinedData {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

impl UserDefinedData {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::Payload;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use std::fmt::Debug;

    /// Asserts that `payload` serialises to `sample` (same values, same key order at every level)
    /// and that the body parses back into an equal payload.
    pub(crate) fn assert_body<P>(payload: &P, sample: &str)
    where
        P: Payload + DeserializeOwned + PartialEq + Debug,
    {
        let expected: Value = serde_json::from_str(sample).expect("sample is valid JSON");
        let actual = payload.to_body();
        assert_eq!(
            actual,
            expected,
            "\nactual:   {}\nexpected: {}",
            serde_json::to_string_pretty(&actual).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
        assert_key_order(&actual, &expected, "$");
        let top: Vec<&str> = actual
            .as_object()
            .expect("body is an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(top.first(), Some(&"CallbackCommand"));
        let back: P = serde_json::from_value(actual).expect("body parses back into the payload");
        assert_eq!(&back, payload);
    }

    fn assert_key_order(actual: &Value, expected: &Value, path: &str) {
        match (actual, expected) {
            (Value::Object(a), Value::Object(e)) => {
                let ak: Vec<&String> = a.keys().collect();
                let ek: Vec<&String> = e.keys().collect();
                assert_eq!(ak, ek, "key order differs at {path}");
                for (k, v) in a {
                    assert_key_order(v, &e[k], &format!("{path}.{k}"));
                }
            }
            (Value::Array(a), Value::Array(e)) => {
                for (i, (av, ev)) in a.iter().zip(e).enumerate() {
                    assert_key_order(av, ev, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{self, COMMANDS};
    use std::collections::BTreeSet;

    #[test]
    fn all_commands_match_the_command_table() {
        let payloads: BTreeSet<&str> = ALL_COMMANDS.iter().copied().collect();
        assert_eq!(
            payloads.len(),
            ALL_COMMANDS.len(),
            "a command is listed twice"
        );
        let table: BTreeSet<&str> = COMMANDS.iter().map(|c| c.command).collect();
        assert_eq!(payloads, table);
        // Same order as the table, so the two lists are easy to compare by eye.
        let table_order: Vec<&str> = COMMANDS.iter().map(|c| c.command).collect();
        assert_eq!(ALL_COMMANDS, table_order.as_slice());
    }

    #[test]
    fn every_payload_command_is_known_to_find() {
        for c in ALL_COMMANDS {
            assert!(
                commands::find(c).is_some(),
                "{c} missing from commands::find"
            );
        }
    }

    #[test]
    fn to_body_puts_callback_command_first() {
        let body = AfterGroupFull {
            group_id: "@TGS#1".to_owned(),
            event_time: 1,
        }
        .to_body();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["CallbackCommand", "GroupId", "EventTime"]);
        assert_eq!(body["CallbackCommand"], commands::GROUP_AFTER_GROUP_FULL);
    }

    #[test]
    fn text_element_shape() {
        let v = serde_json::to_value(MsgBodyElement::text("hi")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}})
        );
    }
}
