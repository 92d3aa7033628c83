//! Online status: `query_online_status`, `querystate`.

use serde::{Deserialize, Serialize};

use super::AccountError;

/// `query_online_status` and its old name `querystate` (page 35477).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOnlineStatus {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(default)]
    pub is_need_detail: u32,
}

/// One connected platform of a user.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PlatformStatus {
    pub platform: String,
    pub status: &'static str,
}

/// A user's state: sent as `State` and, for clients of the old page, also as `Status`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserStatus {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub state: &'static str,
    pub status: &'static str,
    /// Only when `IsNeedDetail` is 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Vec<PlatformStatus>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOnlineStatusReply {
    pub query_result: Vec<UserStatus>,
    /// Present only when some account does not exist.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}
