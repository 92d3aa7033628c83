//! `v4/recentcontact/*`: conversation lists (Tencent pages 1047/43087, 1047/43088).

use natter_core::{codes, ApiError};
use natter_services::conversations::{
    ContactChange, ContactData, ContactGroup, ConversationId, ConversationKind, ListCursor,
    ListRequest, MarkChange,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::handler::HandlerFuture;
use crate::handler::{fields, Ctx};

#[derive(Deserialize)]
struct ListBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "TimeStamp", default)]
    time_stamp: i64,
    #[serde(rename = "StartIndex", default)]
    start_index: u32,
    #[serde(rename = "TopTimeStamp", default)]
    top_time_stamp: i64,
    #[serde(rename = "TopStartIndex", default)]
    top_start_index: u32,
    #[serde(rename = "AssistFlags", default)]
    assist_flags: u32,
}

#[derive(Serialize)]
struct SessionItem {
    #[serde(rename = "Type")]
    kind: u8,
    #[serde(rename = "To_Account", skip_serializing_if = "Option::is_none")]
    to_account: Option<String>,
    #[serde(rename = "GroupId", skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
    #[serde(rename = "MsgTime")]
    msg_time: i64,
    #[serde(rename = "TopFlag")]
    top_flag: u8,
    #[serde(flatten)]
    marks: Option<MarksView>,
}

#[derive(Serialize)]
struct ListReply {
    #[serde(rename = "SessionItem")]
    session_item: Vec<SessionItem>,
    #[serde(rename = "CompleteFlag")]
    complete_flag: u8,
    #[serde(rename = "TimeStamp")]
    time_stamp: i64,
    #[serde(rename = "StartIndex")]
    start_index: usize,
    #[serde(rename = "TopTimeStamp")]
    top_time_stamp: i64,
    #[serde(rename = "TopStartIndex")]
    top_start_index: usize,
}

pub fn get_list(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ListBody>(body)?;
        let owner = req.from_account.clone();
        let page = ctx
            .services
            .conversations
            .list(
                &ctx.app,
                ListRequest {
                    owner: req.from_account,
                    cursor: ListCursor {
                        time: req.time_stamp,
                        skip: req.start_index as usize,
                    },
                    top_cursor: ListCursor {
                        time: req.top_time_stamp,
                        skip: req.top_start_index as usize,
                    },
                    assist_flags: req.assist_flags,
                },
            )
            .await?;
        let data = ctx
            .services
            .conversations
            .data_of(&ctx.app, &owner, &page.conversations)
            .await?;
        let session_item = page
            .conversations
            .into_iter()
            .map(|c| {
                let marks = data.iter().find(|d| d.id == c.id).map(MarksView::of);
                let (to_account, group_id) = match c.id.kind {
                    ConversationKind::C2c => (Some(c.id.peer), None),
                    ConversationKind::Group => (None, Some(c.id.peer)),
                };
                SessionItem {
                    kind: c.id.kind as u8,
                    to_account,
                    group_id,
                    msg_time: c.msg_time,
                    top_flag: u8::from(c.pinned),
                    marks,
                }
            })
            .collect();
        fields(ListReply {
            session_item,
            complete_flag: u8::from(page.complete),
            time_stamp: page.cursor.time,
            start_index: page.cursor.skip,
            top_time_stamp: page.top_cursor.time,
            top_start_index: page.top_cursor.skip,
        })
    })
}

#[derive(Deserialize)]
struct DeleteBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "Type")]
    kind: i64,
    #[serde(rename = "To_Account", default)]
    to_account: Option<String>,
    /// Spelled with a lower-case "id" on this API only.
    #[serde(rename = "ToGroupid", default)]
    to_group_id: Option<String>,
    #[serde(rename = "ClearRamble", default)]
    clear_ramble: u32,
}

pub fn delete(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DeleteBody>(body)?;
        let bad = |info: &str| ApiError::new(codes::CONVERSATION_BAD_PARAM, info.to_owned());
        let kind = ConversationKind::from_code(req.kind)
            .ok_or_else(|| bad("Type must be 1 (one-to-one) or 2 (group)"))?;
        let peer = match kind {
            ConversationKind::C2c => req
                .to_account
                .ok_or_else(|| bad("To_Account is missing for a one-to-one conversation"))?,
            ConversationKind::Group => req
                .to_group_id
                .ok_or_else(|| bad("ToGroupid is missing for a group conversation"))?,
        };
        if req.clear_ramble > 1 {
            return Err(bad("ClearRamble must be 0 or 1"));
        }
        ctx.services
            .conversations
            .delete(
                &ctx.app,
                req.from_account,
                ConversationId { kind, peer },
                req.clear_ramble == 1,
            )
            .await?;
        Ok(Value::Null)
    })
}

/// `ContactItem`: a conversation as the group and mark APIs name it.
#[derive(Deserialize, Serialize, Clone)]
struct ContactItem {
    /// 1 one-to-one, 2 group; some of Tencent's pages type it as a string.
    #[serde(rename = "Type")]
    kind: Value,
    #[serde(
        rename = "To_Account",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    to_account: Option<String>,
    #[serde(rename = "ToGroupId", default, skip_serializing_if = "Option::is_none")]
    to_group_id: Option<String>,
}

impl ContactItem {
    fn id(&self) -> Result<ConversationId, ApiError> {
        let bad = |info: &str| ApiError::new(codes::CONVERSATION_BAD_PARAM, info.to_owned());
        let code = self
            .kind
            .as_i64()
            .or_else(|| self.kind.as_str().and_then(|s| s.parse().ok()));
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

    fn of(id: &ConversationId) -> Self {
        let (to_account, to_group_id) = match id.kind {
            ConversationKind::C2c => (Some(id.peer.clone()), None),
            ConversationKind::Group => (None, Some(id.peer.clone())),
        };
        Self {
            kind: (id.kind as u8).into(),
            to_account,
            to_group_id,
        }
    }
}

fn ids(items: &[ContactItem]) -> Result<Vec<ConversationId>, ApiError> {
    items.iter().map(ContactItem::id).collect()
}

#[derive(Serialize)]
struct GroupItem {
    #[serde(rename = "GroupName")]
    group_name: String,
    #[serde(rename = "GroupId")]
    group_id: u32,
}

impl From<ContactGroup> for GroupItem {
    fn from(g: ContactGroup) -> Self {
        Self {
            group_name: g.name,
            group_id: g.id,
        }
    }
}

#[derive(Serialize)]
struct ItemResult {
    #[serde(rename = "ContactItem")]
    contact_item: ContactItem,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: String,
}

impl ItemResult {
    fn ok(item: ContactItem) -> Self {
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
#[derive(Serialize)]
struct MarksView {
    #[serde(rename = "StandardMark", skip_serializing_if = "Option::is_none")]
    standard_mark: Option<String>,
    #[serde(rename = "CustomMark", skip_serializing_if = "Option::is_none")]
    custom_mark: Option<String>,
    #[serde(rename = "ContactGroupId", skip_serializing_if = "Vec::is_empty")]
    contact_group_id: Vec<u32>,
}

impl MarksView {
    fn of(data: &ContactData) -> Self {
        Self {
            standard_mark: standard_mark(data.standard_mark),
            custom_mark: (!data.custom_mark.is_empty()).then(|| data.custom_mark.clone()),
            contact_group_id: data.groups.clone(),
        }
    }
}

#[derive(Serialize)]
struct ContactDataItem {
    #[serde(flatten)]
    item: ContactItem,
    #[serde(flatten)]
    marks: MarksView,
    #[serde(rename = "Timestamp")]
    timestamp: i64,
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

#[derive(Deserialize)]
struct NewGroup {
    #[serde(rename = "GroupName")]
    group_name: String,
    #[serde(rename = "ContactItem", default)]
    contact_item: Vec<ContactItem>,
}

#[derive(Deserialize)]
struct CreateGroupBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "GroupContactItem")]
    group_contact_item: Vec<NewGroup>,
}

#[derive(Serialize)]
struct GroupResult {
    #[serde(rename = "GroupItem")]
    group_item: GroupItem,
    #[serde(rename = "ResultItem")]
    result_item: Vec<ItemResult>,
}

#[derive(Serialize)]
struct CreateGroupReply {
    #[serde(rename = "GroupResultItem")]
    group_result_item: Vec<GroupResult>,
}

pub fn create_contact_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<CreateGroupBody>(body)?;
        let [group] = <[NewGroup; 1]>::try_from(req.group_contact_item).map_err(|_| {
            ApiError::new(
                codes::CONVERSATION_BAD_PARAM,
                "GroupContactItem must hold exactly one group",
            )
        })?;
        let members = ids(&group.contact_item)?;
        let created = ctx
            .services
            .conversations
            .change_contacts(
                &ctx.app,
                req.from_account,
                ContactChange::CreateGroup {
                    name: group.group_name,
                    members,
                },
            )
            .await?
            .expect("a created group");
        fields(CreateGroupReply {
            group_result_item: vec![GroupResult {
                group_item: created.into(),
                result_item: group.contact_item.into_iter().map(ItemResult::ok).collect(),
            }],
        })
    })
}

#[derive(Deserialize)]
struct ContactUpdate {
    #[serde(rename = "ContactOptType")]
    contact_opt_type: u32,
    #[serde(rename = "ContactItem")]
    contact_item: ContactItem,
}

#[derive(Deserialize)]
struct GroupUpdate {
    #[serde(rename = "UpdateGroupType")]
    update_group_type: u32,
    #[serde(rename = "OldGroupName")]
    old_group_name: String,
    #[serde(rename = "NewGroupName", default)]
    new_group_name: Option<String>,
    #[serde(rename = "ContactUpdateItem", default)]
    contact_update_item: Vec<ContactUpdate>,
}

#[derive(Deserialize)]
struct UpdateGroupBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "UpdateType")]
    update_type: u32,
    #[serde(rename = "UpdateGroup")]
    update_group: GroupUpdate,
}

#[derive(Serialize)]
struct ContactUpdateResult {
    #[serde(rename = "ContactOptType")]
    contact_opt_type: u32,
    #[serde(flatten)]
    result: ItemResult,
}

#[derive(Serialize)]
struct UpdateGroupResult {
    #[serde(rename = "UpdateGroupType")]
    update_group_type: u32,
    #[serde(rename = "GroupName")]
    group_name: String,
    #[serde(rename = "GroupId")]
    group_id: u32,
    #[serde(rename = "OldGroupName")]
    old_group_name: String,
    #[serde(rename = "ContactResultItem")]
    contact_result_item: Vec<ContactUpdateResult>,
}

#[derive(Serialize)]
struct UpdateGroupReply {
    #[serde(rename = "UpdateType")]
    update_type: u32,
    #[serde(rename = "UpdateGroupResult")]
    update_group_result: UpdateGroupResult,
}

pub fn update_contact_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<UpdateGroupBody>(body)?;
        let bad = |info: &str| ApiError::new(codes::CONVERSATION_BAD_PARAM, info.to_owned());
        if req.update_type != 1 {
            return Err(bad("UpdateType must be 1 (update a group)"));
        }
        let update = req.update_group;
        let change = match update.update_group_type {
            1 => ContactChange::RenameGroup {
                old: update.old_group_name.clone(),
                new: update
                    .new_group_name
                    .clone()
                    .ok_or_else(|| bad("NewGroupName is missing"))?,
            },
            2 => {
                let (mut add, mut remove) = (Vec::new(), Vec::new());
                for item in &update.contact_update_item {
                    match item.contact_opt_type {
                        1 => add.push(item.contact_item.id()?),
                        2 => remove.push(item.contact_item.id()?),
                        _ => return Err(bad("ContactOptType must be 1 (add) or 2 (remove)")),
                    }
                }
                ContactChange::UpdateMembers {
                    name: update.old_group_name.clone(),
                    add,
                    remove,
                }
            }
            _ => {
                return Err(bad(
                    "UpdateGroupType must be 1 (rename) or 2 (change conversations)",
                ))
            }
        };
        let group = ctx
            .services
            .conversations
            .change_contacts(&ctx.app, req.from_account, change)
            .await?
            .expect("an updated group");
        fields(UpdateGroupReply {
            update_type: req.update_type,
            update_group_result: UpdateGroupResult {
                update_group_type: update.update_group_type,
                group_name: group.name,
                group_id: group.id,
                old_group_name: update.old_group_name,
                contact_result_item: update
                    .contact_update_item
                    .into_iter()
                    .map(|u| ContactUpdateResult {
                        contact_opt_type: u.contact_opt_type,
                        result: ItemResult::ok(u.contact_item),
                    })
                    .collect(),
            },
        })
    })
}

#[derive(Deserialize)]
struct DeleteGroupBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "GroupName")]
    group_name: Vec<String>,
}

#[derive(Serialize)]
struct DeleteGroupReply {
    #[serde(rename = "GroupItem")]
    group_item: Vec<GroupItem>,
}

pub fn del_contact_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DeleteGroupBody>(body)?;
        let [name] = <[String; 1]>::try_from(req.group_name).map_err(|_| {
            ApiError::new(
                codes::CONVERSATION_BAD_PARAM,
                "GroupName must name exactly one group",
            )
        })?;
        let deleted = ctx
            .services
            .conversations
            .change_contacts(
                &ctx.app,
                req.from_account,
                ContactChange::DeleteGroup { name },
            )
            .await?
            .expect("a deleted group");
        fields(DeleteGroupReply {
            group_item: vec![deleted.into()],
        })
    })
}

#[derive(Deserialize)]
struct MarkItem {
    #[serde(rename = "OptType")]
    opt_type: u32,
    #[serde(rename = "ContactItem")]
    contact_item: ContactItem,
    #[serde(rename = "ClearMark", default)]
    clear_mark: Vec<u32>,
    #[serde(rename = "SetMark", default)]
    set_mark: Vec<u32>,
    #[serde(rename = "CustomMark", default)]
    custom_mark: Option<String>,
}

#[derive(Deserialize)]
struct MarkBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "MarkItem")]
    mark_item: Vec<MarkItem>,
}

#[derive(Serialize)]
struct MarkResult {
    #[serde(rename = "OptType")]
    opt_type: u32,
    #[serde(flatten)]
    result: ItemResult,
}

#[derive(Serialize)]
struct MarkReply {
    #[serde(rename = "ResultItem")]
    result_item: Vec<MarkResult>,
}

/// Bit numbers (0–63) as a mask.
fn bits(numbers: &[u32]) -> Result<u64, ApiError> {
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

pub fn mark_contact(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MarkBody>(body)?;
        let mut changes = Vec::with_capacity(req.mark_item.len());
        for item in &req.mark_item {
            let (standard, custom) = match item.opt_type {
                1 => (true, false),
                2 => (false, true),
                3 => (true, true),
                _ => {
                    return Err(ApiError::new(
                        codes::CONVERSATION_BAD_PARAM,
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
        ctx.services
            .conversations
            .change_contacts(&ctx.app, req.from_account, ContactChange::Mark(changes))
            .await?;
        fields(MarkReply {
            result_item: req
                .mark_item
                .into_iter()
                .map(|item| MarkResult {
                    opt_type: item.opt_type,
                    result: ItemResult::ok(item.contact_item),
                })
                .collect(),
        })
    })
}

#[derive(Deserialize)]
struct SearchBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "ContactItem")]
    contact_item: Vec<ContactItem>,
}

#[derive(Serialize)]
struct SearchReply {
    #[serde(rename = "ContactResultItem")]
    contact_result_item: Vec<ContactDataItem>,
    #[serde(rename = "GroupItem")]
    group_item: Vec<GroupItem>,
}

pub fn search_contact_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<SearchBody>(body)?;
        let (data, groups) = ctx
            .services
            .conversations
            .search_contacts(&ctx.app, req.from_account, ids(&req.contact_item)?)
            .await?;
        fields(SearchReply {
            contact_result_item: data.into_iter().map(Into::into).collect(),
            group_item: groups.into_iter().map(Into::into).collect(),
        })
    })
}

#[derive(Deserialize)]
struct GetContactsBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "StartIndex", default)]
    start_index: usize,
}

#[derive(Serialize)]
struct GetContactsReply {
    #[serde(rename = "ContactItem")]
    contact_item: Vec<ContactDataItem>,
    #[serde(rename = "GroupItem")]
    group_item: Vec<GroupItem>,
    #[serde(rename = "CompleteFlag")]
    complete_flag: u8,
    #[serde(rename = "NextStartIndex")]
    next_start_index: usize,
}

pub fn get_contact_group(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GetContactsBody>(body)?;
        let page = ctx
            .services
            .conversations
            .contact_page(&ctx.app, req.from_account, req.start_index)
            .await?;
        fields(GetContactsReply {
            contact_item: page.data.into_iter().map(Into::into).collect(),
            group_item: page.groups.into_iter().map(Into::into).collect(),
            complete_flag: u8::from(page.next.is_none()),
            next_start_index: page.next.unwrap_or(0),
        })
    })
}
