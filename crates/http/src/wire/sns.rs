//! `v4/sns/*`: the relationship chain (friends 1047/34902–34910, friend lists 34950, 34926,
//! 40123, blocklist 34911–34914), and the client's `friend_add` and `friend_response`.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::relations::{
    AddFriendItem, AddFriends, BatchOutcome, CheckMode, FriendRelation, FriendResponse,
    ImportFriendItem, ItemResult, ResponseAction, UpdateFriendItem,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A friend field (`SnsItem`, `CustomItem`, `ValueItem`). `Value` is open: its type depends on
/// the tag.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagValue {
    pub tag: String,
    /// The tag's value: a string for `Tag_Profile_*`/`Tag_SNS_*` text tags, an integer for numeric
    /// ones, as Tencent's page for the tag says.
    pub value: Value,
}

impl From<(String, Value)> for TagValue {
    fn from((tag, value): (String, Value)) -> Self {
        Self { tag, value }
    }
}

impl From<TagValue> for (String, Value) {
    fn from(t: TagValue) -> Self {
        (t.tag, t.value)
    }
}

/// The outcome for one account of a batch.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ResultItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub result_code: u32,
    pub result_info: String,
}

impl From<ItemResult> for ResultItem {
    fn from(r: ItemResult) -> Self {
        Self {
            to_account: r.item,
            result_code: r.code,
            result_info: r.info,
        }
    }
}

/// The reply of a batch of friend or blocklist changes, REST or client: `ResultItem` and
/// `Fail_Account` (only when something failed).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BatchReply {
    pub result_item: Vec<ResultItem>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    pub fail_account: Vec<String>,
}

impl From<BatchOutcome> for BatchReply {
    fn from(outcome: BatchOutcome) -> Self {
        Self {
            fail_account: outcome.failed(),
            result_item: outcome.results.into_iter().map(Into::into).collect(),
        }
    }
}

/// One entry of `AddFriendItem`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendAddItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub add_source: String,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub add_wording: String,
}

/// `AddFriendItem` lists as the service's requests, for REST and client friend adds.
fn add_items(items: Vec<FriendAddItem>) -> Vec<AddFriendItem> {
    items
        .into_iter()
        .map(|i| AddFriendItem {
            to: i.to_account,
            remark: i.remark,
            group_name: i.group_name,
            add_source: i.add_source,
            add_wording: i.add_wording,
        })
        .collect()
}

/// `friend_add` (page 34902).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub add_friend_item: Vec<FriendAddItem>,
    pub add_type: Option<String>,
    #[serde(default)]
    pub force_add_flags: u32,
}

impl FriendAdd {
    /// The request of an admin (`admin`, the URL's identifier).
    pub fn into_request(self, admin: String) -> AddFriends {
        AddFriends {
            from: self.from_account,
            items: add_items(self.add_friend_item),
            add_type: self.add_type,
            force: self.force_add_flags == 1,
            admin,
        }
    }
}

/// A client's `friend_add`: the sender is the client.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ClientFriendAdd {
    pub add_friend_item: Vec<FriendAddItem>,
    pub add_type: Option<String>,
}

impl ClientFriendAdd {
    /// The items and `AddType`.
    pub fn into_parts(self) -> (Vec<AddFriendItem>, Option<String>) {
        (add_items(self.add_friend_item), self.add_type)
    }
}

/// One answer of a client's `friend_response`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ResponseFriendItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub response_action: String,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub tag_name: String,
}

/// A client's `friend_response`: its answers to the requests waiting for it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ClientFriendResponse {
    pub response_friend_item: Vec<ResponseFriendItem>,
}

impl ClientFriendResponse {
    pub fn into_responses(self) -> ApiResult<Vec<FriendResponse>> {
        self.response_friend_item
            .into_iter()
            .map(|i| {
                let action = ResponseAction::parse(&i.response_action).ok_or_else(|| {
                    ApiError::new(
                        codes::SNS_INVALID_PARAM,
                        format!("ResponseAction {:?} is not Response_Action_AgreeAndAdd, Response_Action_Agree or Response_Action_Reject", i.response_action),
                    )
                })?;
                Ok(FriendResponse {
                    to: i.to_account,
                    remark: i.remark,
                    tag_name: i.tag_name,
                    action,
                })
            })
            .collect()
    }
}

/// One entry of `friend_import`'s `AddFriendItem`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendImportItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub add_source: String,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub remark_time: i64,
    #[serde(default)]
    pub group_name: Vec<String>,
    #[serde(default)]
    pub add_wording: String,
    #[serde(default)]
    pub add_time: i64,
    #[serde(default)]
    pub custom_item: Vec<TagValue>,
}

impl From<FriendImportItem> for ImportFriendItem {
    fn from(i: FriendImportItem) -> Self {
        Self {
            to: i.to_account,
            remark: i.remark,
            remark_time: i.remark_time,
            groups: i.group_name,
            add_source: i.add_source,
            add_wording: i.add_wording,
            add_time: i.add_time,
            custom: i.custom_item.into_iter().map(Into::into).collect(),
        }
    }
}

/// `friend_import` (page 34903).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendImport {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub add_friend_item: Vec<FriendImportItem>,
}

/// One entry of `friend_update`'s `UpdateItem`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendUpdateItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub sns_item: Vec<TagValue>,
}

impl From<FriendUpdateItem> for UpdateFriendItem {
    fn from(i: FriendUpdateItem) -> Self {
        Self {
            to: i.to_account,
            items: i.sns_item.into_iter().map(Into::into).collect(),
        }
    }
}

/// `friend_update` (page 34904).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendUpdate {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub update_item: Vec<FriendUpdateItem>,
}

/// `friend_delete` (page 34905).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    pub delete_type: Option<String>,
}

/// `friend_delete_all` (page 34906).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendDeleteAll {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub delete_type: Option<String>,
}

/// `friend_check` (page 34907) and `black_list_check` (page 34913): the same request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendCheck {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    pub check_type: String,
}

pub type BlackListCheck = FriendCheck;

impl FriendCheck {
    /// `CheckType`, named `<prefix>Single` or `<prefix>Both` by each API.
    pub fn mode(&self, prefix: &str) -> ApiResult<CheckMode> {
        CheckMode::parse(&self.check_type, prefix).ok_or_else(|| {
            ApiError::new(
                codes::SNS_INVALID_PARAM,
                format!(
                    "CheckType {:?} is not {prefix}Single or {prefix}Both",
                    self.check_type
                ),
            )
        })
    }
}

/// The relation with one account.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RelationItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub relation: &'static str,
    pub result_code: u32,
    pub result_info: String,
}

impl From<FriendRelation> for RelationItem {
    fn from(r: FriendRelation) -> Self {
        Self {
            to_account: r.to,
            relation: r.relation,
            result_code: 0,
            result_info: String::new(),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendCheckReply {
    pub info_item: Vec<RelationItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BlackListCheckReply {
    pub black_list_check_item: Vec<RelationItem>,
}

/// `friend_get` (page 34908).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub start_index: u64,
    #[serde(default)]
    pub standard_sequence: u64,
    #[serde(default)]
    pub custom_sequence: u64,
}

/// One friend of a `friend_get` page.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserDataItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub value_item: Vec<TagValue>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendGetReply {
    pub user_data_item: Vec<UserDataItem>,
    pub standard_sequence: u64,
    pub custom_sequence: u64,
    pub friend_num: u64,
    pub complete_flag: u32,
    pub next_start_index: u64,
}

/// `friend_get_list` (page 34910).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendGetList {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    pub tag_list: Vec<String>,
}

/// One account of `friend_get_list`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SnsProfileInfo {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_profile_item: Option<Vec<TagValue>>,
    pub result_code: u32,
    pub result_info: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FriendGetListReply {
    pub info_item: Vec<SnsProfileInfo>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    pub fail_account: Vec<String>,
}

/// `group_add` (page 34950): new friend lists, optionally with friends in them.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub group_name: Vec<String>,
    #[serde(rename = "To_Account")]
    pub to_account: Option<Vec<String>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupAddReply {
    /// Only when the request named accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_item: Option<Vec<ResultItem>>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    pub fail_account: Vec<String>,
    pub current_sequence: u64,
}

/// `group_delete` (page 34926).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub group_name: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDeleteReply {
    pub current_sequence: u64,
}

/// `group_get` (page 40123).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// `Need_Friend_Type_Yes` lists each list's friends.
    pub need_friend: Option<String>,
    #[serde(default)]
    pub group_name: Vec<String>,
    /// Required by older versions of the page; accepted and not needed.
    #[serde(rename = "LastSequence")]
    pub _last_sequence: Option<u64>,
}

impl GroupGet {
    pub fn need_friend(&self) -> ApiResult<bool> {
        match self.need_friend.as_deref() {
            None | Some("") => Ok(false),
            Some("Need_Friend_Type_Yes") => Ok(true),
            Some(other) => Err(ApiError::new(
                codes::SNS_INVALID_PARAM,
                format!("NeedFriend {other:?} is not Need_Friend_Type_Yes"),
            )),
        }
    }
}

/// One friend list.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ListItem {
    pub group_name: String,
    pub friend_number: u64,
    #[serde(rename = "To_Account", skip_serializing_if = "Option::is_none")]
    pub to_account: Option<Vec<String>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupGetReply {
    pub result_item: Vec<ListItem>,
    pub current_sequence: u64,
}

/// `black_list_add` (page 34911) and `black_list_delete` (page 34912).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BlackListAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

pub type BlackListDelete = BlackListAdd;

/// `black_list_get` (page 34914).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BlackListGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub start_index: u64,
    pub max_limited: u64,
    /// REST callers send 0; nothing depends on it.
    #[serde(rename = "LastSequence")]
    pub _last_sequence: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BlackListItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub add_black_time_stamp: i64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BlackListGetReply {
    pub black_list_item: Vec<BlackListItem>,
    pub start_index: u64,
    /// Misspelled on the wire, as Tencent's samples and every SDK have it.
    #[serde(rename = "CurruentSequence")]
    pub curruent_sequence: u64,
}
