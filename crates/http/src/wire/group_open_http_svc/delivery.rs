//! System notifications (1047/34958) and live-group broadcasts (1047/49440).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendGroupSystemNotification {
    pub group_id: String,
    #[serde(rename = "ToMembers_Account", default)]
    pub to_members_account: Vec<String>,
    pub content: String,
    pub topic_id: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendBroadcastMsg {
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    pub random: u32,
    /// Kept verbatim once checked.
    pub msg_body: Option<Value>,
    #[serde(default)]
    pub cloud_custom_data: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendBroadcastMsgReply {
    pub msg_seq: u64,
}
