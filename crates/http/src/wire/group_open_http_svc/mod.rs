//! `v4/group_open_http_svc/*`: groups, their members and their messages (Tencent pages
//! 1047/34895 onwards; the field lists of each reply follow the samples there). One file per
//! area, as in `natter_services::groups`; the types shared by several areas are here.

mod applications;
mod attributes;
mod bans;
mod counters;
mod delivery;
mod imports;
mod info;
mod members;
mod messages;
mod receipts;
mod rooms;

pub use applications::*;
pub use attributes::*;
pub use bans::*;
pub use counters::*;
pub use delivery::*;
pub use imports::*;
pub use info::*;
pub use members::*;
pub use messages::*;
pub use receipts::*;
pub use rooms::*;

use natter_core::{codes, ApiError, ApiResult};
use serde::{Deserialize, Serialize};

/// One `AppDefinedData` / `AppMemberDefinedData` entry, asked and answered.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

impl KeyValue {
    /// The pairs a service takes.
    pub fn pairs(list: Vec<KeyValue>) -> Vec<(String, String)> {
        list.into_iter().map(|kv| (kv.key, kv.value)).collect()
    }

    /// The stored pairs as a reply lists them: only the keys in `only`, when given.
    pub fn list(pairs: &[(String, String)], only: Option<&[String]>) -> Vec<KeyValue> {
        pairs
            .iter()
            .filter(|(k, _)| only.is_none_or(|keys| keys.contains(k)))
            .map(|(key, value)| KeyValue {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }
}

/// A request naming only a group: `destroy_group`, `get_group_muted_account`,
/// `get_online_member_num`, `get_group_attr`, and the client's `quit_group`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRef {
    pub group_id: String,
}

/// One `MsgSeqList` item.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MsgSeqItem {
    pub msg_seq: u64,
}

impl MsgSeqItem {
    pub fn seqs(list: Vec<MsgSeqItem>) -> Vec<u64> {
        list.into_iter().map(|s| s.msg_seq).collect()
    }
}

/// `MuteAllMember` of a group or topic change: `On`, `Off` or absent.
pub fn mute_all_flag(value: Option<&str>) -> ApiResult<Option<bool>> {
    match value {
        None => Ok(None),
        Some("On") => Ok(Some(true)),
        Some("Off") => Ok(Some(false)),
        Some(other) => Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            format!("MuteAllMember {other:?} is not On or Off"),
        )),
    }
}

/// `On`/`Off`, as replies spell a flag.
pub fn on_off(on: bool) -> &'static str {
    if on {
        "On"
    } else {
        "Off"
    }
}

/// A `String` field where empty means absent (`From_Account`, `TopicId`).
pub fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}
