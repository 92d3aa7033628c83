//! Group messages: send, pull history, recall (1047/34959, 34971, 34965).

use natter_core::message::check_body;
use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{priority_number, GroupSend, GROUP_BODY_CODES};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{non_empty, MsgSeqItem};

/// `send_group_msg`, from REST or a client.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendGroupMsg {
    pub group_id: String,
    pub random: u32,
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    pub msg_priority: Option<String>,
    /// Kept verbatim once checked.
    pub msg_body: Option<Value>,
    #[serde(default)]
    pub cloud_custom_data: String,
    #[serde(default)]
    pub online_only_flag: u32,
    #[serde(default)]
    pub forbid_callback_control: Vec<String>,
    pub topic_id: Option<String>,
    #[serde(default)]
    pub support_message_extension: u32,
    #[serde(default)]
    pub need_read_receipt: u32,
    #[serde(default)]
    pub group_at_info: Vec<GroupAtItem>,
    #[serde(default)]
    pub send_msg_control: Vec<String>,
    #[serde(rename = "To_Account", default)]
    pub to_account: Vec<String>,
}

/// One `GroupAtInfo` item: `GroupAtAllFlag` 1 mentions everyone, 0 the `GroupAt_Account`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupAtItem {
    #[serde(default)]
    pub group_at_all_flag: u32,
    #[serde(rename = "GroupAt_Account")]
    pub group_at_account: Option<String>,
}

impl SendGroupMsg {
    /// The group and the checked message.
    pub fn into_group_send(self) -> ApiResult<(String, GroupSend)> {
        let body = check_body(
            self.msg_body.as_ref(),
            &self.cloud_custom_data,
            GROUP_BODY_CODES,
        )?;
        let forbids = |name: &str| self.forbid_callback_control.iter().any(|f| f == name);
        let controls = |name: &str| self.send_msg_control.iter().any(|c| c == name);
        if let Some(other) = self
            .send_msg_control
            .iter()
            .find(|c| !matches!(c.as_str(), "NoUnread" | "NoLastMsg"))
        {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("SendMsgControl {other:?} is not NoUnread or NoLastMsg"),
            ));
        }
        let send = GroupSend {
            from: non_empty(self.from_account.clone()),
            random: self.random,
            body,
            cloud_custom_data: self.cloud_custom_data.clone(),
            priority: priority_number(self.msg_priority.as_deref())?,
            online_only: self.online_only_flag == 1,
            forbid_before_callback: forbids("ForbidBeforeSendMsgCallback"),
            forbid_after_callback: forbids("ForbidAfterSendMsgCallback"),
            topic_id: non_empty(self.topic_id.clone()),
            supports_extension: self.support_message_extension == 1,
            need_receipt: self.need_read_receipt == 1,
            mentions: self
                .group_at_info
                .iter()
                .map(|m| match (m.group_at_all_flag, &m.group_at_account) {
                    (1, _) => Ok(None),
                    (0, Some(account)) if !account.is_empty() => Ok(Some(account.clone())),
                    _ => Err(ApiError::new(
                        codes::GROUP_INVALID_PARAM,
                        "each GroupAtInfo item needs GroupAtAllFlag 1, or 0 with a GroupAt_Account",
                    )),
                })
                .collect::<Result<_, _>>()?,
            no_unread: controls("NoUnread"),
            no_last_msg: controls("NoLastMsg"),
            to_accounts: self.to_account.clone(),
            client_time: None,
        };
        Ok((self.group_id, send))
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendGroupMsgReply {
    pub msg_time: i64,
    pub msg_seq: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupMsgGetSimple {
    pub group_id: String,
    pub req_msg_number: usize,
    pub req_msg_seq: Option<u64>,
    #[serde(default)]
    pub with_recalled_msg: u32,
    pub topic_id: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupMsgGetSimpleReply {
    pub group_id: String,
    pub is_finished: u32,
    pub rsp_msg_list: Vec<HistoryMsg>,
    /// Only when the request named a topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
}

/// One message of `RspMsgList`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// 0 a message, 1 a deleted one, 2 a recalled one (both with an empty body).
    pub is_place_msg: u32,
    /// The stored body, verbatim.
    pub msg_body: Value,
    pub msg_priority: u32,
    pub msg_random: u32,
    pub msg_seq: u64,
    pub msg_time_stamp: i64,
    pub cloud_custom_data: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupMsgRecall {
    pub group_id: String,
    pub msg_seq_list: Vec<MsgSeqItem>,
    pub topic_id: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupMsgRecallReply {
    pub recall_ret_list: Vec<RecallResult>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RecallResult {
    pub msg_seq: u64,
    pub ret_code: u32,
}
