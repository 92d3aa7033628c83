//! The settings of one app (one SDKAppID), shared by every layer.

use std::collections::BTreeMap;

use crate::AppId;

/// The type of a custom profile field, as chosen in Tencent's console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomFieldKind {
    String,
    Integer,
}

/// One custom field declared for an app: `Tag_Profile_Custom_<Name>` (profiles) or
/// `Tag_SNS_Custom_<Name>` (friend data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct CustomProfileField {
    /// The part after `Tag_Profile_Custom_`: letters only, at most 8 bytes.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldKind,
    /// Longest string value in bytes (Tencent's console allows up to 500).
    #[serde(default = "default_custom_max_bytes")]
    pub max_bytes: usize,
}

fn default_custom_max_bytes() -> usize {
    500
}

/// One custom group field (`AppDefinedData`) or group member field (`AppMemberDefinedData`)
/// declared for an app, as in Tencent's console.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDataField {
    /// The key: letters, digits and underscores, at most 16 bytes.
    pub name: String,
    /// Longest value in bytes.
    #[serde(default = "default_custom_data_max_bytes")]
    pub max_bytes: usize,
}

fn default_custom_data_max_bytes() -> usize {
    4096
}

#[derive(Debug, Clone)]
pub struct AppSettings {
    pub sdkappid: AppId,
    pub secret_key: String,
    /// App admin accounts: the only identifiers allowed to call the REST API.
    pub admins: Vec<String>,
    pub custom_profile_fields: Vec<CustomProfileField>,
    /// Per-API frequency limits in calls per second, keyed by `service/command`;
    /// APIs not listed use Tencent's default. 0 means unlimited.
    pub rate_limits: BTreeMap<String, u32>,
    /// Days of one-to-one history kept (roaming messages); 0 keeps everything, as a self-hosted
    /// server is expected to (Tencent's plans keep 7 days and up).
    pub history_retention_days: u32,
    /// `Tag_SNS_Custom_<Name>` friend fields, declared like custom profile fields.
    pub custom_friend_fields: Vec<CustomProfileField>,
    /// Tencent's console switch "Check Relationship for One-to-One Messages" (off by default):
    /// client sends between users who are not friends both ways are refused (20009–20011).
    pub c2c_friend_check: bool,
    /// Tencent's console switch "Show 'Sent successfully' After Sending Messages" turned off
    /// (it is on by default): a client send to a user who blocklisted the sender then fails with
    /// 20007 instead of looking sent and being dropped.
    pub blocked_send_fails: bool,
    /// Declared `AppDefinedData` keys of groups. When any are declared, groups take only these
    /// (10004 otherwise); with none declared every key is taken (the emulator's default).
    pub custom_group_fields: Vec<CustomDataField>,
    /// Declared `AppMemberDefinedData` keys of group members, with the same rule.
    pub custom_member_fields: Vec<CustomDataField>,
}

impl AppSettings {
    pub fn is_admin(&self, identifier: &str) -> bool {
        self.admins.iter().any(|a| a == identifier)
    }

    pub fn custom_profile_field(&self, name: &str) -> Option<&CustomProfileField> {
        self.custom_profile_fields.iter().find(|f| f.name == name)
    }

    pub fn custom_friend_field(&self, name: &str) -> Option<&CustomProfileField> {
        self.custom_friend_fields.iter().find(|f| f.name == name)
    }
}
