//! Custom group attributes (1047/44188–44190, 1047/59499).

use serde::{Deserialize, Serialize};

/// One custom attribute, asked and answered. Tencent spells these two in lower case.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
pub struct GroupAttr {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `modify_group_attr`, `set_group_attr`, `clear_group_attr` and `delete_group_attr`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupAttrChange {
    pub group_id: String,
    #[serde(default)]
    pub group_attr: Vec<GroupAttr>,
}

impl GroupAttrChange {
    pub fn pairs(self) -> Vec<(String, String)> {
        self.group_attr
            .into_iter()
            .map(|a| (a.key, a.value))
            .collect()
    }
}

pub type ModifyGroupAttr = GroupAttrChange;
pub type SetGroupAttr = GroupAttrChange;
pub type ClearGroupAttr = GroupAttrChange;
pub type DeleteGroupAttr = GroupAttrChange;
