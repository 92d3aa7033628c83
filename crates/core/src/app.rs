//! The settings of one app (one SDKAppID), shared by every layer.

use std::collections::BTreeMap;

use crate::AppId;

/// The type of a custom profile field, as chosen in Tencent's console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomFieldKind {
    String,
    Integer,
    /// A field of an app that declares none of its kind: a string or an unsigned integer.
    #[serde(skip)]
    Any,
}

/// How many devices a user may be logged in on at once, as Tencent's console offers it
/// ("Login Settings"). A login past the limit kicks the older device(s) out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginPolicy {
    /// No limit: every login stays (Natter's default, convenient for an emulator).
    #[default]
    Unlimited,
    /// One device in all: a new login kicks every other one.
    Single,
    /// One device per platform (Android, iOS, iPad, Windows, Mac, Linux) and up to
    /// `web_instances` Web instances: a new login kicks the oldest one past its platform's limit.
    PerPlatform,
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
    /// Tencent's console "Login Settings": how many devices may be online at once.
    pub login_policy: LoginPolicy,
    /// Web instances allowed at once under [`LoginPolicy::PerPlatform`] (Tencent: 1 to 10).
    pub web_instances: u32,
    /// Tencent's console "Message Recall" time limit: how long after sending a client may
    /// recall its message (the Web SDK's `revokeMessage`), in seconds; Tencent's default is 2
    /// minutes. 0 lifts the limit. The REST API's recalls have none (Tencent's pages).
    pub recall_window_secs: u32,
    /// The local profanity lexicon the Web SDK's filter plugin downloads
    /// (`im_msg_audit_mgr.get_local_words`); empty by default.
    pub local_words: Vec<LocalWord>,
}

/// One word (or pattern) of the local profanity lexicon: a message that has it is refused by
/// the sender's SDK, or has it replaced when `replacement` is given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LocalWord {
    pub word: String,
    /// What the word is replaced with; none: the message is not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// `word` is a regular expression (JavaScript's, matched case-insensitively).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regex: bool,
}

/// Tencent's default recall time limit for clients: 2 minutes.
pub const DEFAULT_RECALL_WINDOW_SECS: u32 = 120;

impl AppSettings {
    pub fn is_admin(&self, identifier: &str) -> bool {
        self.admins.iter().any(|a| a == identifier)
    }

    /// The custom profile field `Tag_Profile_Custom_<name>`, under the one custom-field policy
    /// of every kind (profiles, friends, groups, members): an app that declares none of a kind
    /// takes any well-formed name of that kind, so a backend written against Tencent works on a
    /// fresh Natter without setup; once any are declared, only those.
    pub fn custom_profile_field(&self, name: &str) -> Option<CustomProfileField> {
        declared_or_open(&self.custom_profile_fields, name)
    }

    /// The custom friend field `Tag_SNS_Custom_<name>`, under the same policy.
    pub fn custom_friend_field(&self, name: &str) -> Option<CustomProfileField> {
        declared_or_open(&self.custom_friend_fields, name)
    }

    /// One line per kind for the start-up log: which custom fields this app takes.
    pub fn custom_field_policy(&self) -> String {
        fn one(kind: &str, declared: usize) -> String {
            match declared {
                0 => format!("{kind}: any key"),
                n => format!("{kind}: {n} declared"),
            }
        }
        [
            one("profile", self.custom_profile_fields.len()),
            one("friend", self.custom_friend_fields.len()),
            one("group", self.custom_group_fields.len()),
            one("member", self.custom_member_fields.len()),
        ]
        .join(", ")
    }
}

/// Longest value of an undeclared custom profile or friend field (Tencent's console maximum).
pub const OPEN_CUSTOM_MAX_BYTES: usize = 500;

/// Whether `name` is a custom profile or friend field name as Tencent's console allows:
/// 1 to 8 letters.
pub fn is_custom_field_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 8 && name.bytes().all(|b| b.is_ascii_alphabetic())
}

fn declared_or_open(declared: &[CustomProfileField], name: &str) -> Option<CustomProfileField> {
    if declared.is_empty() {
        return is_custom_field_name(name).then(|| CustomProfileField {
            name: name.to_owned(),
            kind: CustomFieldKind::Any,
            max_bytes: OPEN_CUSTOM_MAX_BYTES,
        });
    }
    declared.iter().find(|f| f.name == name).cloned()
}
