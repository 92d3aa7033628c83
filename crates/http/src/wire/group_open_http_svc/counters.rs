//! Group counters (1047/53427–53429).

use serde::{Deserialize, Serialize};

/// `get_group_counter` and `delete_group_counter`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupCounterKeys {
    pub group_id: String,
    pub group_counter_keys: Option<Vec<String>>,
}

pub type GetGroupCounter = GroupCounterKeys;
pub type DeleteGroupCounter = GroupCounterKeys;

/// One counter, asked and answered.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupCounter {
    pub key: String,
    pub value: i64,
}

impl GroupCounter {
    pub fn list(counters: Vec<(String, i64)>) -> Vec<GroupCounter> {
        counters
            .into_iter()
            .map(|(key, value)| GroupCounter { key, value })
            .collect()
    }
}

/// The reply of `get_group_counter` and `update_group_counter`: the counters after the call.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupCounterReply {
    pub group_counter: Vec<GroupCounter>,
}

pub type GetGroupCounterReply = GroupCounterReply;
pub type UpdateGroupCounterReply = GroupCounterReply;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateGroupCounter {
    pub group_id: String,
    pub group_counter: Vec<GroupCounter>,
    /// `Set` (default), `Increase` or `Decrease`.
    pub mode: Option<String>,
}
