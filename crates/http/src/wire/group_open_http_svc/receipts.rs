//! Read receipts of group messages (1047/49439, 1047/49438), and the client's
//! `send_group_msg_read_receipt`.

use natter_services::groups::Receipt;
use serde::{Deserialize, Serialize};

use super::MsgSeqItem;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMsgReceipt {
    pub group_id: String,
    pub msg_seq_list: Vec<MsgSeqItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMsgReceiptReply {
    pub group_msg_receipt_list: Vec<ReceiptItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiptItem {
    pub code: u32,
    pub msg_seq: u64,
    pub read_num: u32,
    pub unread_num: u32,
}

impl From<Receipt> for ReceiptItem {
    fn from(r: Receipt) -> Self {
        ReceiptItem {
            code: r.code,
            msg_seq: r.msg_seq,
            read_num: r.read_num,
            unread_num: r.unread_num,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMsgReceiptDetail {
    pub group_id: String,
    pub msg_seq: u64,
    /// 0: who has read it; 1: who has not.
    #[serde(default)]
    pub filter: u32,
    #[serde(default)]
    pub cursor: String,
    #[serde(default = "default_receipt_count")]
    pub count: usize,
}

fn default_receipt_count() -> usize {
    100
}

/// `ReadList` or `UnreadList`, as the request's `Filter` asked.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMsgReceiptDetailReply {
    pub msg_seq: u64,
    pub cursor: String,
    pub is_finished: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_list: Option<Vec<ReadAccount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_list: Option<Vec<UnreadAccount>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReadAccount {
    #[serde(rename = "Read_Account")]
    pub read_account: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UnreadAccount {
    #[serde(rename = "Unread_Account")]
    pub unread_account: String,
}

/// The client's `send_group_msg_read_receipt` (Natter's client protocol; no REST counterpart).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendGroupMsgReadReceipt {
    pub group_id: String,
    pub msg_seq_list: Vec<MsgSeqItem>,
}
