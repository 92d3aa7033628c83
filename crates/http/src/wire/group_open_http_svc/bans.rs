//! Bans from live groups (1047/50296, 50297, 50295).

use serde::{Deserialize, Serialize};

/// `ban_group_member`; also the body of `unban_group_member`, which ignores the last two.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BanGroupMember {
    pub group_id: String,
    #[serde(rename = "Members_Account")]
    pub members_account: Vec<String>,
    /// `ban_group_member` only: seconds.
    #[serde(default)]
    pub duration: u32,
    #[serde(default)]
    pub description: String,
}

pub type UnbanGroupMember = BanGroupMember;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupBanMember {
    pub group_id: String,
    #[serde(default)]
    pub offset: u64,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupBanMemberReply {
    pub banned_account_list: Vec<BannedAccount>,
    pub next_offset: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BannedAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub banned_until: i64,
}
