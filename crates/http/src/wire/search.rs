//! The Web SDK's cloud search commands (`message_search.query`, `user_search.query`,
//! `group_search.query`, `group_member_search.query`: its `searchCloudMessages`,
//! `searchCloudUsers`, `searchCloudGroups`, `searchCloudGroupMembers`), with the field names the
//! SDK sends and reads. Tencent has no REST API for them; `/binfo` and `/ws` take them.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::search::{Common, FoundGroup, FoundMember, MessageFilters, UserFilters};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::profile::TagValue;

/// `MatchType` of a message search: `or` (the default) or `and`.
fn match_all(match_type: &str) -> ApiResult<bool> {
    match match_type {
        "" | "or" => Ok(false),
        "and" => Ok(true),
        other => Err(ApiError::new(
            codes::SEARCH_INVALID_PARAM,
            format!("MatchType {other}: or, and"),
        )),
    }
}

/// `KeywordMatchType` of the other searches: 0 or (the default), 1 and.
fn keyword_match_all(kind: u32) -> ApiResult<bool> {
    match kind {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(ApiError::new(
            codes::SEARCH_INVALID_PARAM,
            format!("KeywordMatchType {other}: 0 (or), 1 (and)"),
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MessageSearchQuery {
    pub keyword_list: Vec<String>,
    pub match_type: String,
    /// The one-to-one conversation searched (the SDK's `conversationID` `C2C…`).
    pub peer_account: Option<String>,
    /// The group searched (`GROUP…`).
    #[serde(rename = "GroupID")]
    pub group_id: Option<String>,
    pub count: u64,
    pub cursor: String,
    pub msg_type_list: Vec<String>,
    #[serde(rename = "SendUserIDList")]
    pub send_user_id_list: Vec<String>,
    /// Unix seconds; 0 or absent: unbounded.
    pub start_time: i64,
    pub end_time: i64,
}

impl MessageSearchQuery {
    pub fn into_search(self) -> ApiResult<(Common, MessageFilters)> {
        let common = Common {
            keywords: self.keyword_list,
            match_all: match_all(&self.match_type)?,
            count: self.count,
            cursor: self.cursor,
        };
        let filters = MessageFilters {
            senders: self.send_user_id_list,
            types: self.msg_type_list,
            peer: self.peer_account.filter(|p| !p.is_empty()),
            group: self.group_id.filter(|g| !g.is_empty()),
            start_time: self.start_time,
            end_time: self.end_time,
        };
        Ok((common, filters))
    }
}

/// One conversation of a message search's reply (`ConversationMsgs`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConversationMsgs {
    #[serde(rename = "UserID", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(rename = "GroupID", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub count: usize,
    /// Messages as the history commands give them (`getroammsg`, `group_msg_get`).
    pub message_list: Vec<Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageSearchReply {
    pub total_count: u64,
    pub cursor: String,
    pub conversation_msgs: Vec<ConversationMsgs>,
}

/// What the user, group and member searches share.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeywordQuery {
    pub keywords: Vec<String>,
    pub keyword_match_type: u32,
    pub count: u64,
    pub cursor: String,
}

impl KeywordQuery {
    fn common(self) -> ApiResult<Common> {
        Ok(Common {
            keywords: self.keywords,
            match_all: keyword_match_all(self.keyword_match_type)?,
            count: self.count,
            cursor: self.cursor,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UserSearchQuery {
    #[serde(flatten)]
    pub keywords: KeywordQuery,
    /// `Tag_Profile_IM_BirthDay` from and to (inclusive).
    pub user_birth_start: Option<u64>,
    pub user_birth_end: Option<u64>,
    /// `Gender_Type_Male` or `Gender_Type_Female`.
    pub user_gender_type: Option<String>,
}

impl UserSearchQuery {
    pub fn into_search(self) -> ApiResult<(Common, UserFilters)> {
        let filters = UserFilters {
            gender: self.user_gender_type,
            birth_start: self.user_birth_start,
            birth_end: self.user_birth_end,
        };
        Ok((self.keywords.common()?, filters))
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FoundUser {
    #[serde(rename = "UserID")]
    pub user_id: String,
    pub profile_items: Vec<TagValue>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserSearchReply {
    pub total_count: u64,
    pub cursor: String,
    pub users: Vec<FoundUser>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GroupSearchQuery {
    #[serde(flatten)]
    pub keywords: KeywordQuery,
    /// Group types searched (the SDK's `groupTypeList`); absent: all but AVChatRooms.
    pub group_type: Vec<String>,
}

impl GroupSearchQuery {
    pub fn into_search(self) -> ApiResult<(Common, Vec<String>)> {
        Ok((self.keywords.common()?, self.group_type))
    }
}

#[derive(Debug, Serialize)]
pub struct GroupItem {
    #[serde(rename = "GroupID")]
    pub group_id: String,
    #[serde(rename = "GroupName")]
    pub name: String,
    #[serde(rename = "GroupType")]
    pub group_type: String,
    #[serde(rename = "GroupFaceUrl")]
    pub face_url: String,
    #[serde(rename = "GroupIntroduction")]
    pub introduction: String,
    #[serde(rename = "GroupOwnerUserID")]
    pub owner: String,
    #[serde(rename = "GroupMemberNum")]
    pub member_count: u64,
    #[serde(rename = "GroupAddOption")]
    pub apply_join: String,
    #[serde(rename = "GroupInviteOption")]
    pub invite_join: String,
}

impl From<FoundGroup> for GroupItem {
    fn from(g: FoundGroup) -> Self {
        Self {
            group_id: g.group_id,
            name: g.name,
            group_type: g.group_type,
            face_url: g.face_url,
            introduction: g.introduction,
            owner: g.owner,
            member_count: g.member_count,
            apply_join: g.apply_join,
            invite_join: g.invite_join,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupSearchReply {
    pub total_count: u64,
    pub cursor: String,
    pub groups: Vec<GroupItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MemberSearchQuery {
    #[serde(flatten)]
    pub keywords: KeywordQuery,
    pub group_type: Vec<String>,
    /// Only these groups (the SDK's `groupIDList`); absent: all of the user's.
    pub group_id_list: Vec<String>,
}

impl MemberSearchQuery {
    pub fn into_search(self) -> ApiResult<(Common, Vec<String>, Vec<String>)> {
        Ok((self.keywords.common()?, self.group_id_list, self.group_type))
    }
}

#[derive(Debug, Serialize)]
pub struct MemberItem {
    #[serde(rename = "GroupID")]
    pub group_id: String,
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "GroupType")]
    pub group_type: String,
    #[serde(rename = "GroupFaceUrl")]
    pub group_face_url: String,
    #[serde(rename = "GroupMemberUserID")]
    pub user_id: String,
    #[serde(rename = "GroupMemberUserName")]
    pub nick: String,
    #[serde(rename = "GroupMemberNameCard")]
    pub name_card: String,
    #[serde(rename = "GroupMemberAvatar")]
    pub avatar: String,
}

impl From<FoundMember> for MemberItem {
    fn from(m: FoundMember) -> Self {
        Self {
            group_id: m.group_id,
            group_name: m.group_name,
            group_type: m.group_type,
            group_face_url: m.group_face_url,
            user_id: m.user_id,
            nick: m.nick,
            name_card: m.name_card,
            avatar: m.avatar,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MemberSearchReply {
    pub total_count: u64,
    pub cursor: String,
    pub group_members: Vec<MemberItem>,
}
