//! `v4/group_open_avchatroom_http_svc/*`: who is online in a live group (1047/50293) and their
//! member marks (1047/50294).

use natter_services::groups::{MemberMarks, OnlineMember};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetMembers {
    pub group_id: String,
    /// The page's cursor: 0 first, then the `NextTimestamp` of the page before.
    #[serde(default)]
    pub timestamp: i64,
    /// Only members carrying this mark (seen in Tencent's sample request).
    pub mark: Option<u64>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetMembersReply {
    pub member_list: Vec<OnlineMemberItem>,
    pub next_timestamp: i64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OnlineMemberItem {
    pub join_time: i64,
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub nick_name: String,
    pub avatar: String,
}

impl From<OnlineMember> for OnlineMemberItem {
    fn from(m: OnlineMember) -> Self {
        OnlineMemberItem {
            join_time: m.join_time,
            member_account: m.account,
            nick_name: m.nick,
            avatar: m.avatar,
        }
    }
}

/// One member's marks, asked and answered.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarkItem {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub marks: Vec<u64>,
}

impl From<MarkItem> for MemberMarks {
    fn from(m: MarkItem) -> Self {
        MemberMarks {
            account: m.member_account,
            marks: m.marks,
        }
    }
}

impl From<MemberMarks> for MarkItem {
    fn from(m: MemberMarks) -> Self {
        MarkItem {
            member_account: m.account,
            marks: m.marks,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyUserInfo {
    pub group_id: String,
    /// 1 sets the marks, 2 deletes them.
    pub command_type: u32,
    pub member_list: Vec<MarkItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyUserInfoReply {
    pub command_type: u32,
    pub member_list: Vec<MarkItem>,
}
