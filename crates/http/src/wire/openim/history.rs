//! History and its state: `admin_getroammsg`, `get_c2c_unread_msg_num`, `admin_set_msg_read`,
//! `admin_msgwithdraw`.

use natter_core::{codes, ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::Field;

/// `admin_getroammsg` (page 35478).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetroammsg {
    #[serde(rename = "Operator_Account")]
    pub operator_account: Option<String>,
    /// Older name of `Operator_Account`.
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    pub peer_account: Option<String>,
    /// Older name of `Peer_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    pub max_cnt: u32,
    pub min_time: i64,
    pub max_time: i64,
    #[serde(default)]
    pub last_msg_key: Option<String>,
}

/// One message of a history page.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RoamMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub msg_seq: u32,
    pub msg_random: u32,
    pub msg_time_stamp: i64,
    pub msg_flag_bits: u32,
    pub is_peer_read: u32,
    pub msg_key: String,
    /// The elements as stored, verbatim.
    pub msg_body: Value,
    pub cloud_custom_data: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetroammsgReply {
    pub complete: u32,
    pub msg_cnt: usize,
    pub last_msg_time: i64,
    pub last_msg_key: String,
    pub msg_list: Vec<RoamMsg>,
}

/// `get_c2c_unread_msg_num` (page 41046).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetC2cUnreadMsgNum {
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    #[serde(rename = "Peer_Account", default)]
    pub peer_account: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PeerUnread {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "C2CUnreadMsgNum")]
    pub c2c_unread_msg_num: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PeerError {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: u32,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GetC2cUnreadMsgNumReply {
    #[serde(rename = "AllC2CUnreadMsgNum")]
    pub all_c2c_unread_msg_num: u64,
    #[serde(rename = "C2CUnreadMsgNumList", skip_serializing_if = "Vec::is_empty")]
    pub c2c_unread_msg_num_list: Vec<PeerUnread>,
    #[serde(rename = "ErrorList", skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<PeerError>,
}

/// `admin_set_msg_read` (page 38996).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AdminSetMsgRead {
    #[serde(rename = "Report_Account")]
    pub report_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    pub peer_account: Option<String>,
    /// Unix seconds; Tencent's page types it as a string, clients also send a number.
    #[serde(rename = "MsgReadTime", alias = "MsgReadedTime", default)]
    pub msg_read_time: Option<Field<i64>>,
}

impl AdminSetMsgRead {
    /// `MsgReadTime` as Unix seconds (`None` when absent, null or empty).
    pub fn read_time(&self) -> ApiResult<Option<i64>> {
        match &self.msg_read_time {
            None => Ok(None),
            Some(Field::Valid(t)) => Ok(Some(*t)),
            Some(Field::Invalid(Value::String(text))) if text.is_empty() => Ok(None),
            Some(Field::Invalid(v)) => v
                .as_str()
                .and_then(|text| text.trim().parse().ok())
                .map(Some)
                .ok_or_else(|| {
                    ApiError::new(
                        codes::C2C_BAD_PARAM,
                        format!("MsgReadTime must be Unix seconds, got {v}"),
                    )
                }),
        }
    }
}

/// `admin_msgwithdraw` (page 35015).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AdminMsgwithdraw {
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    #[serde(rename = "MsgKey")]
    pub msg_key: Option<String>,
}
