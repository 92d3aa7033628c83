//! Live groups: how many members are online (1047/38521).

use serde::Serialize;

use super::GroupRef;

pub type GetOnlineMemberNum = GroupRef;

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetOnlineMemberNumReply {
    pub online_member_num: u64,
}
