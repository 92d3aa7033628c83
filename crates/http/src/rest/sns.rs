//! `v4/sns/*`: the relationship chain (friends 1047/34902–34910, friend lists 34950, 34926,
//! 40123, blocklist 34911–34914).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::relations::{
    AddFriendItem, AddFriends, BatchOutcome, CheckMode, FriendResponse, ImportFriendItem,
    ItemResult, ResponseAction, UpdateFriendItem,
};

use natter_webhook::Origin;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::parse_body;
use crate::handler::HandlerFuture;
use crate::handler::{fields, Ctx};

#[derive(Deserialize, Serialize)]
struct TagValue {
    #[serde(rename = "Tag")]
    tag: String,
    #[serde(rename = "Value")]
    value: Value,
}

impl From<(String, Value)> for TagValue {
    fn from((tag, value): (String, Value)) -> Self {
        Self { tag, value }
    }
}

#[derive(Serialize)]
struct ResultItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: String,
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

/// `ResultItem` and `Fail_Account` (only when something failed) of a batch reply.
#[derive(Serialize)]
struct BatchReply {
    #[serde(rename = "ResultItem")]
    result_item: Vec<ResultItem>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    fail_account: Vec<String>,
}

impl From<BatchOutcome> for BatchReply {
    fn from(outcome: BatchOutcome) -> Self {
        Self {
            fail_account: outcome.failed(),
            result_item: outcome.results.into_iter().map(Into::into).collect(),
        }
    }
}

fn origin(ctx: &Ctx) -> Origin {
    Origin::rest(ctx.client_ip)
}

#[derive(Deserialize)]
struct AddItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "AddSource")]
    add_source: String,
    #[serde(rename = "Remark", default)]
    remark: String,
    #[serde(rename = "GroupName", default)]
    group_name: String,
    #[serde(rename = "AddWording", default)]
    add_wording: String,
}

#[derive(Deserialize)]
struct FriendAddRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "AddFriendItem")]
    add_friend_item: Vec<AddItem>,
    #[serde(rename = "AddType")]
    add_type: Option<String>,
    #[serde(rename = "ForceAddFlags", default)]
    force_add_flags: u32,
}

fn add_items(items: Vec<AddItem>) -> Vec<AddFriendItem> {
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

pub fn friend_add(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendAddRequest>(body)?;
        let items = add_items(req.add_friend_item);
        let outcome = ctx
            .services
            .relations
            .add_friends(
                &ctx.app,
                AddFriends {
                    from: req.from_account,
                    items,
                    add_type: req.add_type,
                    force: req.force_add_flags == 1,
                    admin: ctx.identifier.clone(),
                },
                &origin(&ctx),
            )
            .await?;
        fields(BatchReply::from(outcome))
    })
}

#[derive(Deserialize)]
struct ImportItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "AddSource")]
    add_source: String,
    #[serde(rename = "Remark", default)]
    remark: String,
    #[serde(rename = "RemarkTime", default)]
    remark_time: i64,
    #[serde(rename = "GroupName", default)]
    group_name: Vec<String>,
    #[serde(rename = "AddWording", default)]
    add_wording: String,
    #[serde(rename = "AddTime", default)]
    add_time: i64,
    #[serde(rename = "CustomItem", default)]
    custom_item: Vec<TagValue>,
}

#[derive(Deserialize)]
struct FriendImportRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "AddFriendItem")]
    add_friend_item: Vec<ImportItem>,
}

pub fn friend_import(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendImportRequest>(body)?;
        let items = req
            .add_friend_item
            .into_iter()
            .map(|i| ImportFriendItem {
                to: i.to_account,
                remark: i.remark,
                remark_time: i.remark_time,
                groups: i.group_name,
                add_source: i.add_source,
                add_wording: i.add_wording,
                add_time: i.add_time,
                custom: i
                    .custom_item
                    .into_iter()
                    .map(|t| (t.tag, t.value))
                    .collect(),
            })
            .collect();
        let outcome = ctx
            .services
            .relations
            .import_friends(&ctx.app, req.from_account, items)
            .await?;
        fields(BatchReply::from(outcome))
    })
}

#[derive(Deserialize)]
struct UpdateItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "SnsItem")]
    sns_item: Vec<TagValue>,
}

#[derive(Deserialize)]
struct FriendUpdateRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "UpdateItem")]
    update_item: Vec<UpdateItem>,
}

pub fn friend_update(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendUpdateRequest>(body)?;
        let items = req
            .update_item
            .into_iter()
            .map(|i| UpdateFriendItem {
                to: i.to_account,
                items: i.sns_item.into_iter().map(|t| (t.tag, t.value)).collect(),
            })
            .collect();
        let outcome = ctx
            .services
            .relations
            .update_friends(&ctx.app, req.from_account, items)
            .await?;
        fields(BatchReply::from(outcome))
    })
}

#[derive(Deserialize)]
struct FriendDeleteRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    #[serde(rename = "DeleteType")]
    delete_type: Option<String>,
}

pub fn friend_delete(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendDeleteRequest>(body)?;
        let outcome = ctx
            .services
            .relations
            .delete_friends(
                &ctx.app,
                req.from_account,
                req.to_account,
                req.delete_type.as_deref(),
                &origin(&ctx),
            )
            .await?;
        fields(BatchReply::from(outcome))
    })
}

#[derive(Deserialize)]
struct FriendDeleteAllRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "DeleteType")]
    delete_type: Option<String>,
}

pub fn friend_delete_all(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendDeleteAllRequest>(body)?;
        ctx.services
            .relations
            .delete_all_friends(
                &ctx.app,
                req.from_account,
                req.delete_type.as_deref(),
                &origin(&ctx),
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct CheckRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    #[serde(rename = "CheckType")]
    check_type: String,
}

impl CheckRequest {
    fn mode(&self, prefix: &str) -> ApiResult<CheckMode> {
        CheckMode::parse(&self.check_type, prefix).ok_or_else(|| {
            natter_core::ApiError::new(
                natter_core::codes::SNS_INVALID_PARAM,
                format!(
                    "CheckType {:?} is not {prefix}Single or {prefix}Both",
                    self.check_type
                ),
            )
        })
    }
}

#[derive(Serialize)]
struct RelationItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "Relation")]
    relation: &'static str,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: String,
}

/// `friend_check` and `black_list_check`: the same request, the relation per account under
/// each API's own names.
async fn check(ctx: Ctx, body: Value, blocks: bool) -> ApiResult<Value> {
    let req = ctx.parse::<CheckRequest>(body)?;
    let relations = ctx.services.relations.clone();
    let (found, field) = if blocks {
        let mode = req.mode("BlackCheckResult_Type_")?;
        let found = relations
            .check_blocks(&ctx.app, req.from_account, req.to_account, mode)
            .await?;
        (found, "BlackListCheckItem")
    } else {
        let mode = req.mode("CheckResult_Type_")?;
        let found = relations
            .check_friends(&ctx.app, req.from_account, req.to_account, mode)
            .await?;
        (found, "InfoItem")
    };
    let items: Vec<RelationItem> = found
        .into_iter()
        .map(|r| RelationItem {
            to_account: r.to,
            relation: r.relation,
            result_code: 0,
            result_info: String::new(),
        })
        .collect();
    Ok(serde_json::json!({ field: fields(items)? }))
}

pub fn friend_check(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(check(ctx, body, false))
}

#[derive(Deserialize)]
struct FriendGetRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "StartIndex")]
    start_index: u64,
    #[serde(rename = "StandardSequence", default)]
    standard_sequence: u64,
    #[serde(rename = "CustomSequence", default)]
    custom_sequence: u64,
}

#[derive(Serialize)]
struct UserDataItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "ValueItem")]
    value_item: Vec<TagValue>,
}

#[derive(Serialize)]
struct FriendGetReply {
    #[serde(rename = "UserDataItem")]
    user_data_item: Vec<UserDataItem>,
    #[serde(rename = "StandardSequence")]
    standard_sequence: u64,
    #[serde(rename = "CustomSequence")]
    custom_sequence: u64,
    #[serde(rename = "FriendNum")]
    friend_num: u64,
    #[serde(rename = "CompleteFlag")]
    complete_flag: u32,
    #[serde(rename = "NextStartIndex")]
    next_start_index: u64,
}

pub fn friend_get(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendGetRequest>(body)?;
        let page = ctx
            .services
            .relations
            .get_friends(
                &ctx.app,
                req.from_account,
                req.start_index,
                req.standard_sequence,
                req.custom_sequence,
            )
            .await?;
        fields(FriendGetReply {
            user_data_item: page
                .friends
                .into_iter()
                .map(|(to_account, values)| UserDataItem {
                    to_account,
                    value_item: values.into_iter().map(Into::into).collect(),
                })
                .collect(),
            standard_sequence: page.standard_sequence,
            custom_sequence: page.custom_sequence,
            friend_num: page.friend_num,
            complete_flag: u32::from(page.complete),
            next_start_index: page.next_start_index,
        })
    })
}

#[derive(Deserialize)]
struct FriendGetListRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    #[serde(rename = "TagList")]
    tag_list: Vec<String>,
}

#[derive(Serialize)]
struct SnsProfileInfo {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "SnsProfileItem", skip_serializing_if = "Option::is_none")]
    sns_profile_item: Option<Vec<TagValue>>,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: String,
}

#[derive(Serialize)]
struct FriendGetListReply {
    #[serde(rename = "InfoItem")]
    info_item: Vec<SnsProfileInfo>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    fail_account: Vec<String>,
}

pub fn friend_get_list(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<FriendGetListRequest>(body)?;
        let profiles = ctx
            .services
            .relations
            .friend_profiles(&ctx.app, req.from_account, req.to_account, req.tag_list)
            .await?;
        let fail_account = profiles
            .iter()
            .filter(|p| p.code != 0)
            .map(|p| p.to.clone())
            .collect();
        fields(FriendGetListReply {
            info_item: profiles
                .into_iter()
                .map(|p| SnsProfileInfo {
                    to_account: p.to,
                    sns_profile_item: p
                        .items
                        .map(|items| items.into_iter().map(Into::into).collect()),
                    result_code: p.code,
                    result_info: p.info,
                })
                .collect(),
            fail_account,
        })
    })
}

#[derive(Deserialize)]
struct GroupAddRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "GroupName")]
    group_name: Vec<String>,
    #[serde(rename = "To_Account")]
    to_account: Option<Vec<String>>,
}

#[derive(Serialize)]
struct GroupAddReply {
    #[serde(rename = "ResultItem", skip_serializing_if = "Option::is_none")]
    result_item: Option<Vec<ResultItem>>,
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    fail_account: Vec<String>,
    #[serde(rename = "CurrentSequence")]
    current_sequence: u64,
}

pub fn group_add(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GroupAddRequest>(body)?;
        let with_accounts = req.to_account.as_ref().is_some_and(|a| !a.is_empty());
        let outcome = ctx
            .services
            .relations
            .add_lists(&ctx.app, req.from_account, req.group_name, req.to_account)
            .await?;
        fields(GroupAddReply {
            fail_account: outcome.failed(),
            current_sequence: outcome.list_sequence,
            result_item: with_accounts
                .then(|| outcome.results.into_iter().map(Into::into).collect()),
        })
    })
}

#[derive(Deserialize)]
struct GroupDeleteRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "GroupName")]
    group_name: Vec<String>,
}

#[derive(Serialize)]
struct SequenceReply {
    #[serde(rename = "CurrentSequence")]
    current_sequence: u64,
}

pub fn group_delete(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GroupDeleteRequest>(body)?;
        let current_sequence = ctx
            .services
            .relations
            .delete_lists(&ctx.app, req.from_account, req.group_name)
            .await?;
        fields(SequenceReply { current_sequence })
    })
}

#[derive(Deserialize)]
struct GroupGetRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "NeedFriend")]
    need_friend: Option<String>,
    #[serde(rename = "GroupName", default)]
    group_name: Vec<String>,
    /// Required by older versions of the page; accepted and not needed.
    #[serde(rename = "LastSequence")]
    _last_sequence: Option<u64>,
}

#[derive(Serialize)]
struct ListItem {
    #[serde(rename = "GroupName")]
    group_name: String,
    #[serde(rename = "FriendNumber")]
    friend_number: u64,
    #[serde(rename = "To_Account", skip_serializing_if = "Option::is_none")]
    to_account: Option<Vec<String>>,
}

#[derive(Serialize)]
struct GroupGetReply {
    #[serde(rename = "ResultItem")]
    result_item: Vec<ListItem>,
    #[serde(rename = "CurrentSequence")]
    current_sequence: u64,
}

pub fn group_get(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GroupGetRequest>(body)?;
        let need_friend = match req.need_friend.as_deref() {
            None | Some("") => false,
            Some("Need_Friend_Type_Yes") => true,
            Some(other) => {
                return Err(natter_core::ApiError::new(
                    natter_core::codes::SNS_INVALID_PARAM,
                    format!("NeedFriend {other:?} is not Need_Friend_Type_Yes"),
                ))
            }
        };
        let (lists, current_sequence) = ctx
            .services
            .relations
            .get_lists(&ctx.app, req.from_account, need_friend, req.group_name)
            .await?;
        fields(GroupGetReply {
            result_item: lists
                .into_iter()
                .map(|l| ListItem {
                    group_name: l.name,
                    friend_number: l.friend_number,
                    to_account: l.members,
                })
                .collect(),
            current_sequence,
        })
    })
}

#[derive(Deserialize)]
struct AccountsRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
}

pub fn black_list_add(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<AccountsRequest>(body)?;
        let outcome = ctx
            .services
            .relations
            .block(&ctx.app, req.from_account, req.to_account, &origin(&ctx))
            .await?;
        fields(BatchReply::from(outcome))
    })
}

pub fn black_list_delete(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<AccountsRequest>(body)?;
        let outcome = ctx
            .services
            .relations
            .unblock(&ctx.app, req.from_account, req.to_account, &origin(&ctx))
            .await?;
        fields(BatchReply::from(outcome))
    })
}

#[derive(Deserialize)]
struct BlackListGetRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "StartIndex")]
    start_index: u64,
    #[serde(rename = "MaxLimited")]
    max_limited: u64,
    /// REST callers send 0; nothing depends on it.
    #[serde(rename = "LastSequence")]
    _last_sequence: u64,
}

#[derive(Serialize)]
struct BlackListItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "AddBlackTimeStamp")]
    add_black_time_stamp: i64,
}

#[derive(Serialize)]
struct BlackListGetReply {
    #[serde(rename = "BlackListItem")]
    black_list_item: Vec<BlackListItem>,
    #[serde(rename = "StartIndex")]
    start_index: u64,
    /// Misspelled on the wire, as Tencent's samples and every SDK have it.
    #[serde(rename = "CurruentSequence")]
    curruent_sequence: u64,
}

pub fn black_list_get(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<BlackListGetRequest>(body)?;
        let page = ctx
            .services
            .relations
            .blocklist(&ctx.app, req.from_account, req.start_index, req.max_limited)
            .await?;
        fields(BlackListGetReply {
            black_list_item: page
                .items
                .into_iter()
                .map(|b| BlackListItem {
                    to_account: b.peer,
                    add_black_time_stamp: b.at,
                })
                .collect(),
            start_index: page.next_start_index,
            curruent_sequence: page.sequence,
        })
    })
}

pub fn black_list_check(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(check(ctx, body, true))
}

/// Reads a client's `friend_add` body: the items and `AddType` (the sender is the client).
pub(crate) fn client_friend_add(body: Value) -> ApiResult<(Vec<AddFriendItem>, Option<String>)> {
    #[derive(Deserialize)]
    struct Request {
        #[serde(rename = "AddFriendItem")]
        add_friend_item: Vec<AddItem>,
        #[serde(rename = "AddType")]
        add_type: Option<String>,
    }
    let req: Request = parse_body(body, codes::SNS_INVALID_PARAM)?;
    Ok((add_items(req.add_friend_item), req.add_type))
}

/// Reads a client's `friend_response` body: its answers to the requests waiting for it.
pub(crate) fn client_friend_response(body: Value) -> ApiResult<Vec<FriendResponse>> {
    #[derive(Deserialize)]
    struct Item {
        #[serde(rename = "To_Account")]
        to_account: String,
        #[serde(rename = "ResponseAction")]
        response_action: String,
        #[serde(rename = "Remark", default)]
        remark: String,
        #[serde(rename = "TagName", default)]
        tag_name: String,
    }
    #[derive(Deserialize)]
    struct Request {
        #[serde(rename = "ResponseFriendItem")]
        response_friend_item: Vec<Item>,
    }
    let req: Request = parse_body(body, codes::SNS_INVALID_PARAM)?;
    req.response_friend_item
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

/// The reply of a batch of friend changes, REST or client.
pub(crate) fn batch_reply(outcome: BatchOutcome) -> ApiResult<Value> {
    fields(BatchReply::from(outcome))
}
