//! Members: add, remove, read and change them, their roles, owner and mutes (1047/34921,
//! 34949, 34948, 34963, 34966, 34900, 34951, 34964), and the client's `join_group` and
//! `quit_group`.

use natter_services::groups::{AddedMember, GroupMember, MemberChange};
use serde::{Deserialize, Serialize};

use super::{GroupRef, KeyValue};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MemberAccountItem {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AddGroupMember {
    pub group_id: String,
    pub member_list: Vec<MemberAccountItem>,
    /// Accepted and ignored.
    #[serde(default)]
    pub silence: u32,
}

/// The reply of `add_group_member` and `import_group_member`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AddGroupMemberReply {
    pub member_list: Vec<MemberResult>,
}

impl AddGroupMemberReply {
    pub fn of(added: Vec<AddedMember>) -> Self {
        AddGroupMemberReply {
            member_list: added
                .into_iter()
                .map(|a| MemberResult {
                    member_account: a.member,
                    result: a.result as u8,
                })
                .collect(),
        }
    }
}

/// One account's `Result`: 0 failed, 1 added, 2 already a member, 3 waiting for approval (a
/// client's invitation into a group whose `InviteJoinOption` is `NeedPermission`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MemberResult {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub result: u8,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteGroupMember {
    pub group_id: String,
    #[serde(rename = "MemberToDel_Account")]
    pub member_to_del_account: Vec<String>,
    /// Accepted and ignored, like `Reason`.
    #[serde(default)]
    pub silence: u32,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMemberInfo {
    pub group_id: String,
    pub member_info_filter: Option<Vec<String>>,
    #[serde(default)]
    pub member_role_filter: Vec<String>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember")]
    pub app_defined_data_filter_group_member: Option<Vec<String>>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: u64,
    /// Communities page with this cursor instead of `Offset`.
    #[serde(default)]
    pub next: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMemberInfoReply {
    pub member_num: u64,
    pub member_list: Vec<MemberInfo>,
    /// Communities only, while more pages follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A member's fields, as the member APIs name them; each API keeps some of them. Also the
/// `SelfInfo` of `get_joined_group_list`, which may add `UnreadMsgNum`.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MemberInfo {
    #[serde(rename = "Member_Account", skip_serializing_if = "Option::is_none")]
    pub member_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_send_msg_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mute_until: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_card: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_member_defined_data: Option<Vec<KeyValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_msg_num: Option<u64>,
}

impl MemberInfo {
    /// The fields of `m` that `want` accepts by name; `AppMemberDefinedData` holds only the
    /// keys in `custom`, when given.
    pub fn of(m: &GroupMember, want: &dyn Fn(&str) -> bool, custom: Option<&[String]>) -> Self {
        let text = |name: &str, value: &String| want(name).then(|| value.clone());
        MemberInfo {
            member_account: text("Member_Account", &m.member),
            role: text("Role", &m.role),
            join_time: want("JoinTime").then_some(m.join_time),
            msg_seq: want("MsgSeq").then_some(m.read_seq),
            msg_flag: text("MsgFlag", &m.msg_flag),
            last_send_msg_time: want("LastSendMsgTime").then_some(m.last_send_time),
            mute_until: want("MuteUntil").then_some(m.muted_until),
            name_card: text("NameCard", &m.name_card),
            app_member_defined_data: want("AppMemberDefinedData")
                .then(|| KeyValue::list(&m.app_defined, custom)),
            unread_msg_num: None,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetRoleInGroup {
    pub group_id: String,
    #[serde(rename = "User_Account")]
    pub user_account: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetRoleInGroupReply {
    pub user_id_list: Vec<MemberRole>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MemberRole {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub role: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeGroupOwner {
    pub group_id: String,
    #[serde(rename = "NewOwner_Account")]
    pub new_owner_account: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyGroupMemberInfo {
    pub group_id: String,
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub role: Option<String>,
    pub msg_flag: Option<String>,
    pub name_card: Option<String>,
    #[serde(alias = "ShutUpTime")]
    pub mute_time: Option<u64>,
    #[serde(default)]
    pub app_member_defined_data: Vec<KeyValue>,
}

impl ModifyGroupMemberInfo {
    /// The member and the change.
    pub fn into_change(self) -> (String, MemberChange) {
        let change = MemberChange {
            role: self.role,
            msg_flag: self.msg_flag,
            name_card: self.name_card,
            mute_time: self.mute_time,
            app_defined: KeyValue::pairs(self.app_member_defined_data),
        };
        (self.member_account, change)
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ForbidSendMsg {
    pub group_id: String,
    #[serde(rename = "Members_Account")]
    pub members_account: Vec<String>,
    #[serde(alias = "ShutUpTime")]
    pub mute_time: u64,
}

pub type GetGroupMutedAccount = GroupRef;
/// The old name of `get_group_muted_account`, with the old field names in its reply.
pub type GetGroupShuttedUin = GroupRef;

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupMutedAccountReply {
    pub group_id: String,
    pub muted_account_list: Vec<MutedAccount>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MutedAccount {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub muted_until: i64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupShuttedUinReply {
    pub group_id: String,
    pub shutted_uin_list: Vec<ShuttedUin>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ShuttedUin {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub shutted_until: i64,
}

/// The client's `join_group` (Natter's client protocol; no REST counterpart).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JoinGroup {
    pub group_id: String,
    /// What the applicant tells the admins, where the group needs approval.
    #[serde(default)]
    pub apply_msg: String,
}

/// The reply of the client's `join_group`: 1 while the request waits for an admin.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JoinGroupReply {
    pub pending: u32,
}

/// The client's `quit_group`.
pub type QuitGroup = GroupRef;
