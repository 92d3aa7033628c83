//! `v4/recentcontact/*`: conversation lists (Tencent pages 1047/43087, 1047/43088) and
//! conversation groups and marks (1047/53437–53442).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::conversations::{
    ContactChange, ContactData, ContactGroup, ConversationId, ConversationKind, MarkChange,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) fn bad(info: &str) -> ApiError {
    ApiError::new(codes::CONVERSATION_BAD_PARAM, info.to_owned())
}

/// `get_list` (page 43087).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetList {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(default)]
    pub time_stamp: i64,
    #[serde(default)]
    pub start_index: u32,
    #[serde(default)]
    pub top_time_stamp: i64,
    #[serde(default)]
    pub top_start_index: u32,
    #[serde(default)]
    pub assist_flags: u32,
}

/// One conversation of a `get_list` page.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SessionItem {
    #[serde(rename = "Type")]
    pub kind: u8,
    #[serde(rename = "To_Account", skip_serializing_if = "Option::is_none")]
    pub to_account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub msg_time: i64,
    pub top_flag: u8,
    #[serde(flatten)]
    pub marks: Option<MarksView>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetListReply {
    pub session_item: Vec<SessionItem>,
    pub complete_flag: u8,
    pub time_stamp: i64,
    pub start_index: usize,
    pub top_time_stamp: i64,
    pub top_start_index: usize,
}

/// `delete` (page 43088).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Delete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "Type")]
    pub kind: i64,
    #[serde(rename = "To_Account", default)]
    pub to_account: Option<String>,
    /// Spelled with a lower-case "id" on this API only.
    #[serde(rename = "ToGroupid", default)]
    pub to_group_id: Option<String>,
    #[serde(default)]
    pub clear_ramble: u32,
}

impl Delete {
    /// The conversation and whether its messages go too (`ClearRamble`).
    pub fn target(&self) -> ApiResult<(ConversationId, bool)> {
        let kind = ConversationKind::from_code(self.kind)
            .ok_or_else(|| bad("Type must be 1 (one-to-one) or 2 (group)"))?;
        let peer = match kind {
            ConversationKind::C2c => self
                .to_account
                .clone()
                .ok_or_else(|| bad("To_Account is missing for a one-to-one conversation"))?,
            ConversationKind::Group => self
                .to_group_id
                .clone()
                .ok_or_else(|| bad("ToGroupid is missing for a group conversation"))?,
        };
        if self.clear_ramble > 1 {
            return Err(bad("ClearRamble must be 0 or 1"));
        }
        Ok((ConversationId { kind, peer }, self.clear_ramble == 1))
    }
}

/// `ContactItem.Type`: 1 one-to-one, 2 group. Some of Tencent's pages type it as a string; it
/// is echoed back as sent, and anything else is kept to be refused with 50002.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ContactType {
    Code(i64),
    Text(String),
    Other(Value),
}

/// `ContactItem`: a conversation as the group and mark APIs name it.
#[derive(Debug, Deserialize, Serialize, Clone, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ContactItem {
    #[serde(rename = "Type")]
    pub kind: ContactType,
    #[serde(
        rename = "To_Account",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub to_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_group_id: Option<String>,
}

impl ContactItem {
    pub fn id(&self) -> ApiResult<ConversationId> {
        let code = match &self.kind {
            ContactType::Code(code) => Some(*code),
            ContactType::Text(text) => text.parse().ok(),
            ContactType::Other(_) => None,
        };
        let kind = code
            .and_then(ConversationKind::from_code)
            .ok_or_else(|| bad("ContactItem.Type must be 1 (one-to-one) or 2 (group)"))?;
        let peer = match kind {
            ConversationKind::C2c => self.to_account.clone(),
            ConversationKind::Group => self.to_group_id.clone(),
        }
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("ContactItem needs To_Account (Type 1) or ToGroupId (Type 2)"))?;
        Ok(ConversationId { kind, peer })
    }

    pub fn of(id: &ConversationId) -> Self {
        let (to_account, to_group_id) = match id.kind {
            ConversationKind::C2c => (Some(id.peer.clone()), None),
            ConversationKind::Group => (None, Some(id.peer.clone())),
        };
        Self {
            kind: ContactType::Code(i64::from(id.kind as u8)),
            to_account,
            to_group_id,
        }
    }
}

/// The conversations a list of `ContactItem`s names.
pub fn ids(items: &[ContactItem]) -> ApiResult<Vec<ConversationId>> {
    items.iter().map(ContactItem::id).collect()
}

/// A conversation group.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupItem {
    pub group_name: String,
    pub group_id: u32,
}

impl From<ContactGroup> for GroupItem {
    fn from(g: ContactGroup) -> Self {
        Self {
            group_name: g.name,
            group_id: g.id,
        }
    }
}

/// The outcome for one `ContactItem`, echoed back.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResult {
    pub contact_item: ContactItem,
    pub result_code: u32,
    pub result_info: String,
}

impl ItemResult {
    pub fn ok(item: ContactItem) -> Self {
        Self {
            contact_item: item,
            result_code: 0,
            result_info: String::new(),
        }
    }
}

/// The standard mark bits as Tencent shows them: binary digits, bit 0 last.
fn standard_mark(bits: u64) -> Option<String> {
    (bits != 0).then(|| format!("{bits:b}"))
}

/// A conversation's marks and groups, each field only when set.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarksView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_mark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_mark: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contact_group_id: Vec<u32>,
}

impl MarksView {
    pub fn of(data: &ContactData) -> Self {
        Self {
            standard_mark: standard_mark(data.standard_mark),
            custom_mark: (!data.custom_mark.is_empty()).then(|| data.custom_mark.clone()),
            contact_group_id: data.groups.clone(),
        }
    }
}

/// A conversation with its marks and groups.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ContactDataItem {
    #[serde(flatten)]
    pub item: ContactItem,
    #[serde(flatten)]
    pub marks: MarksView,
    #[serde(rename = "Timestamp")]
    pub timestamp: i64,
}

impl From<ContactData> for ContactDataItem {
    fn from(data: ContactData) -> Self {
        Self {
            item: ContactItem::of(&data.id),
            marks: MarksView::of(&data),
            timestamp: data.updated,
        }
    }
}

/// A group to create, with its first conversations.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NewGroup {
    pub group_name: String,
    #[serde(default)]
    pub contact_item: Vec<ContactItem>,
}

/// `create_contact_group` (page 53437).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateContactGroup {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub group_contact_item: Vec<NewGroup>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupResult {
    pub group_item: GroupItem,
    pub result_item: Vec<ItemResult>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateContactGroupReply {
    pub group_result_item: Vec<GroupResult>,
}

/// One conversation to add to (1) or remove from (2) a group.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ContactUpdate {
    pub contact_opt_type: u32,
    pub contact_item: ContactItem,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupUpdate {
    /// 1 rename, 2 change conversations.
    pub update_group_type: u32,
    pub old_group_name: String,
    #[serde(default)]
    pub new_group_name: Option<String>,
    #[serde(default)]
    pub contact_update_item: Vec<ContactUpdate>,
}

/// `update_contact_group` (page 53439).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateContactGroup {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub update_type: u32,
    pub update_group: GroupUpdate,
}

impl UpdateContactGroup {
    pub fn change(&self) -> ApiResult<ContactChange> {
        if self.update_type != 1 {
            return Err(bad("UpdateType must be 1 (update a group)"));
        }
        let update = &self.update_group;
        match update.update_group_type {
            1 => Ok(ContactChange::RenameGroup {
                old: update.old_group_name.clone(),
                new: update
                    .new_group_name
                    .clone()
                    .ok_or_else(|| bad("NewGroupName is missing"))?,
            }),
            2 => {
                let (mut add, mut remove) = (Vec::new(), Vec::new());
                for item in &update.contact_update_item {
                    match item.contact_opt_type {
                        1 => add.push(item.contact_item.id()?),
                        2 => remove.push(item.contact_item.id()?),
                        _ => return Err(bad("ContactOptType must be 1 (add) or 2 (remove)")),
                    }
                }
                Ok(ContactChange::UpdateMembers {
                    name: update.old_group_name.clone(),
                    add,
                    remove,
                })
            }
            _ => Err(bad(
                "UpdateGroupType must be 1 (rename) or 2 (change conversations)",
            )),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ContactUpdateResult {
    pub contact_opt_type: u32,
    #[serde(flatten)]
    pub result: ItemResult,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateGroupResult {
    pub update_group_type: u32,
    pub group_name: String,
    pub group_id: u32,
    pub old_group_name: String,
    pub contact_result_item: Vec<ContactUpdateResult>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateContactGroupReply {
    pub update_type: u32,
    pub update_group_result: UpdateGroupResult,
}

/// `del_contact_group` (page 53441).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DelContactGroup {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub group_name: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DelContactGroupReply {
    pub group_item: Vec<GroupItem>,
}

/// One entry of `mark_contact`'s `MarkItem`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarkItem {
    /// 1 standard marks, 2 custom mark, 3 both.
    pub opt_type: u32,
    pub contact_item: ContactItem,
    #[serde(default)]
    pub clear_mark: Vec<u32>,
    #[serde(default)]
    pub set_mark: Vec<u32>,
    #[serde(default)]
    pub custom_mark: Option<String>,
}

/// `mark_contact` (page 53438).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarkContact {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub mark_item: Vec<MarkItem>,
}

/// Bit numbers (0–63) as a mask.
fn bits(numbers: &[u32]) -> ApiResult<u64> {
    numbers.iter().try_fold(0u64, |mask, &n| {
        if n < 64 {
            Ok(mask | 1 << n)
        } else {
            Err(ApiError::new(
                codes::CONVERSATION_BAD_PARAM,
                format!("mark bit {n} is out of range; standard marks are bits 0 to 63"),
            ))
        }
    })
}

impl MarkContact {
    pub fn changes(&self) -> ApiResult<Vec<MarkChange>> {
        let mut changes = Vec::with_capacity(self.mark_item.len());
        for item in &self.mark_item {
            let (standard, custom) = match item.opt_type {
                1 => (true, false),
                2 => (false, true),
                3 => (true, true),
                _ => {
                    return Err(bad(
                        "OptType must be 1 (standard marks), 2 (custom mark) or 3 (both)",
                    ))
                }
            };
            let (set_bits, clear_bits) = if standard {
                (bits(&item.set_mark)?, bits(&item.clear_mark)?)
            } else {
                (0, 0)
            };
            changes.push(MarkChange {
                id: item.contact_item.id()?,
                set_bits,
                clear_bits,
                custom_mark: if custom {
                    Some(item.custom_mark.clone().unwrap_or_default())
                } else {
                    None
                },
            });
        }
        Ok(changes)
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarkResult {
    pub opt_type: u32,
    #[serde(flatten)]
    pub result: ItemResult,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MarkContactReply {
    pub result_item: Vec<MarkResult>,
}

/// `search_contact_group` (page 53442).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SearchContactGroup {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    pub contact_item: Vec<ContactItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SearchContactGroupReply {
    pub contact_result_item: Vec<ContactDataItem>,
    pub group_item: Vec<GroupItem>,
}

/// `get_contact_group` (page 53440).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetContactGroup {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(default)]
    pub start_index: usize,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetContactGroupReply {
    pub contact_item: Vec<ContactDataItem>,
    pub group_item: Vec<GroupItem>,
    pub complete_flag: u8,
    pub next_start_index: usize,
}
