//! Bringing a group's past from another system: groups, members, messages, unread counts and
//! topics (1047/34967, 34969, 34968, 34909, 53448), and deleting a sender's messages (1047/34970).

use natter_core::message::check_body;
use natter_core::ApiResult;
use natter_services::groups::{ImportedMember, ImportedMessage, GROUP_BODY_CODES};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::info::CreateGroup;
use super::members::AddGroupMemberReply;

/// `import_group` takes `create_group`'s fields and `CreateTime`; members come separately.
pub type ImportGroup = CreateGroup;

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportGroupReply {
    pub group_id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportGroupMember {
    pub group_id: String,
    pub member_list: Vec<ImportMemberItem>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportMemberItem {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub role: Option<String>,
    pub join_time: Option<i64>,
    #[serde(default)]
    pub unread_msg_num: u64,
}

impl From<ImportMemberItem> for ImportedMember {
    fn from(m: ImportMemberItem) -> Self {
        ImportedMember {
            member: m.member_account,
            role: m.role,
            join_time: m.join_time,
            unread: m.unread_msg_num,
        }
    }
}

pub type ImportGroupMemberReply = AddGroupMemberReply;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportGroupMsg {
    pub group_id: String,
    pub msg_list: Vec<ImportMsgItem>,
    pub topic_id: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportMsgItem {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub send_time: i64,
    #[serde(default)]
    pub random: u32,
    /// Kept verbatim once checked.
    pub msg_body: Option<Value>,
}

impl ImportMsgItem {
    /// The message with its body checked.
    pub fn into_imported(self) -> ApiResult<ImportedMessage> {
        let body = check_body(self.msg_body.as_ref(), "", GROUP_BODY_CODES)?;
        Ok(ImportedMessage {
            from: self.from_account,
            send_time: self.send_time,
            random: self.random,
            body,
        })
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportGroupMsgReply {
    pub import_msg_result: Vec<ImportMsgResult>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImportMsgResult {
    pub msg_seq: u64,
    pub msg_time: i64,
    pub result: u32,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SetUnreadMsgNum {
    pub group_id: String,
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub unread_msg_num: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteGroupMsgBySender {
    pub group_id: String,
    #[serde(rename = "Sender_Account")]
    pub sender_account: String,
}

/// `import_topic` takes `create_topic`'s fields, with `CreateTime` and `Type`.
pub type ImportTopic = crate::wire::million_group_open_http_svc::TopicProfile;
pub type ImportTopicReply = crate::wire::million_group_open_http_svc::CreateTopicReply;
