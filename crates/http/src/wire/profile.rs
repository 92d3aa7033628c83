//! `v4/profile/*` (Tencent pages 1047/34916, 1047/34917; fields from 1047/33520).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One profile field. `Value` is open: a string, a number or bytes, by tag.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagValue {
    pub tag: String,
    /// The tag's value: a string for `Tag_Profile_*`/`Tag_SNS_*` text tags, an integer for numeric
    /// ones, as Tencent's page for the tag says.
    pub value: Value,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PortraitSet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub profile_item: Vec<TagValue>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PortraitGet {
    /// Optional in the parse so that its absence gets the page's own code (40002).
    #[serde(rename = "To_Account")]
    pub to_account: Option<Vec<String>>,
    pub tag_list: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserProfileItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_item: Option<Vec<TagValue>>,
    pub result_code: u32,
    pub result_info: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PortraitGetReply {
    pub user_profile_item: Vec<UserProfileItem>,
    /// Present only when some account failed, as in Tencent's samples.
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    pub fail_account: Vec<String>,
}
