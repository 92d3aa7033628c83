//! Groups themselves: create, disband, read, change and list them (1047/34895, 34896, 34961,
//! 34962, 34925, 34960).

use natter_core::codes;
use natter_services::groups::{GroupRecord, NewGroup};
use serde::{Deserialize, Serialize};

use super::members::MemberInfo;
use super::{non_empty, on_off, GroupRef, KeyValue};

/// One `MemberList` item of `create_group`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct InitialMember {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    pub role: Option<String>,
}

/// `create_group`; also the body of `import_group` ([`super::ImportGroup`]).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroup {
    #[serde(rename = "Type")]
    pub group_type: String,
    pub name: String,
    #[serde(rename = "Owner_Account")]
    pub owner_account: Option<String>,
    pub group_id: Option<String>,
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub notification: String,
    #[serde(default)]
    pub face_url: String,
    pub max_member_count: Option<u64>,
    pub apply_join_option: Option<String>,
    pub invite_join_option: Option<String>,
    #[serde(default)]
    pub app_defined_data: Vec<KeyValue>,
    #[serde(default)]
    pub member_list: Vec<InitialMember>,
    #[serde(default)]
    pub support_topic: u32,
    /// `import_group` only.
    pub create_time: Option<i64>,
}

impl CreateGroup {
    pub fn into_new_group(self) -> NewGroup {
        NewGroup {
            group_type: self.group_type,
            name: self.name,
            owner: non_empty(self.owner_account),
            group_id: self.group_id,
            introduction: self.introduction,
            notification: self.notification,
            face_url: self.face_url,
            max_member_count: self.max_member_count,
            apply_join: self.apply_join_option,
            invite_join: self.invite_join_option,
            app_defined: KeyValue::pairs(self.app_defined_data),
            members: self
                .member_list
                .into_iter()
                .map(|m| (m.member_account, m.role))
                .collect(),
            support_topic: self.support_topic == 1,
        }
    }
}

/// `Type` and `HugeGroupFlag` only for a community, as in Tencent's samples.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupReply {
    pub group_id: String,
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub huge_group_flag: Option<u32>,
}

pub type DestroyGroup = GroupRef;

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupInfoFilter {
    pub group_base_info_filter: Option<Vec<String>>,
    pub member_info_filter: Option<Vec<String>>,
    #[serde(rename = "AppDefinedDataFilter_Group")]
    pub app_defined_data_filter_group: Option<Vec<String>>,
    #[serde(rename = "AppDefinedDataFilter_GroupMember")]
    pub app_defined_data_filter_group_member: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupInfo {
    pub group_id_list: Vec<String>,
    pub response_filter: Option<GroupInfoFilter>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetGroupInfoReply {
    pub group_info: Vec<GroupInfoItem>,
}

/// One `GroupInfo` item: the group's fields as the filter asks, or only the error.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupInfoItem {
    pub group_id: String,
    pub error_code: u32,
    pub error_info: String,
    #[serde(flatten)]
    pub base: GroupBaseInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_defined_data: Option<Vec<KeyValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_list: Option<Vec<MemberInfo>>,
}

impl GroupInfoItem {
    pub fn not_found(group_id: String) -> Self {
        GroupInfoItem {
            error_code: codes::GROUP_NOT_FOUND,
            error_info: format!("group {group_id} does not exist or was disbanded"),
            group_id,
            base: GroupBaseInfo::default(),
            app_defined_data: None,
            member_list: None,
        }
    }
}

/// The base fields of a group, as `get_group_info` and `get_joined_group_list` name them; a
/// filter keeps some of them.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupBaseInfo {
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    #[serde(rename = "Owner_Account", skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_info_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_msg_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_msg_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_num: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_member_num: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_join_option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_join_option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mute_all_member: Option<&'static str>,
}

impl GroupBaseInfo {
    /// The fields of `g` that `filter` names (all without one).
    pub fn of(app: u64, g: &GroupRecord, filter: Option<&[String]>) -> Self {
        let want = |name: &str| filter.is_none_or(|f| f.iter().any(|n| n == name));
        let text = |name: &str, value: &String| want(name).then(|| value.clone());
        GroupBaseInfo {
            group_type: text("Type", &g.group_type),
            name: text("Name", &g.name),
            appid: want("Appid").then_some(app),
            introduction: text("Introduction", &g.introduction),
            notification: text("Notification", &g.notification),
            face_url: text("FaceUrl", &g.face_url),
            owner_account: text("Owner_Account", &g.owner),
            create_time: want("CreateTime").then_some(g.created),
            info_seq: want("InfoSeq").then_some(g.info_seq),
            last_info_time: want("LastInfoTime").then_some(g.last_info_time),
            last_msg_time: want("LastMsgTime").then_some(g.last_msg_time),
            next_msg_seq: want("NextMsgSeq").then_some(g.next_msg_seq),
            member_num: want("MemberNum").then_some(g.member_count),
            max_member_num: want("MaxMemberNum").then_some(g.max_members),
            apply_join_option: text("ApplyJoinOption", &g.apply_join),
            invite_join_option: text("InviteJoinOption", &g.invite_join),
            mute_all_member: want("MuteAllMember").then(|| on_off(g.mute_all)),
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyGroupBaseInfo {
    pub group_id: String,
    pub name: Option<String>,
    pub introduction: Option<String>,
    pub notification: Option<String>,
    pub face_url: Option<String>,
    pub max_member_num: Option<u64>,
    pub apply_join_option: Option<String>,
    pub invite_join_option: Option<String>,
    #[serde(alias = "ShutUpAllMember")]
    pub mute_all_member: Option<String>,
    #[serde(default)]
    pub app_defined_data: Vec<KeyValue>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JoinedGroupFilter {
    #[serde(default)]
    pub group_base_info_filter: Vec<String>,
    #[serde(default)]
    pub self_info_filter: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetJoinedGroupList {
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    #[serde(default)]
    pub with_huge_groups: u32,
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: usize,
    pub group_type: Option<String>,
    pub response_filter: Option<JoinedGroupFilter>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetJoinedGroupListReply {
    pub total_count: u64,
    pub group_id_list: Vec<JoinedGroup>,
}

/// One joined group: its id, and with a `ResponseFilter` the fields it names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct JoinedGroup {
    pub group_id: String,
    #[serde(flatten)]
    pub base: GroupBaseInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_info: Option<MemberInfo>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetAppidGroupList {
    pub limit: Option<usize>,
    #[serde(default)]
    pub next: u64,
    pub group_type: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetAppidGroupListReply {
    pub total_count: u64,
    pub group_id_list: Vec<GroupIdItem>,
    pub next: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupIdItem {
    pub group_id: String,
}
