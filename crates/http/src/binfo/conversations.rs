//! The SDK's conversation commands that are not the REST API's own shape: deleting several
//! conversations, pinning, clearing a history, reading everything, and the SDK's way of adding
//! conversations to a conversation group. Each acts only for the logged-in user ([`as_user`]);
//! the rules are the conversation service's, which also tells the user's other devices.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::conversations::{ConversationId, ConversationKind};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::commands::as_user;
use crate::handler::Ctx;
use crate::rest::recentcontact;

/// A conversation as the SDK names it: `Type` 1 with `To_Account`, or 2 with a group id, which
/// the SDK spells `ToGroupid` (batch_delete, clear_msg), `GroupId` (top) or `ToGroupId`.
#[derive(Deserialize)]
struct SdkConversation {
    #[serde(rename = "Type")]
    kind: i64,
    #[serde(rename = "To_Account")]
    to_account: Option<String>,
    #[serde(rename = "ToGroupid", alias = "GroupId", alias = "ToGroupId")]
    group_id: Option<String>,
}

impl SdkConversation {
    fn id(&self) -> ApiResult<ConversationId> {
        let bad = |info: &str| ApiError::new(codes::CONVERSATION_BAD_PARAM, info.to_owned());
        let kind = ConversationKind::from_code(self.kind)
            .ok_or_else(|| bad("Type must be 1 (one-to-one) or 2 (group)"))?;
        let peer = match kind {
            ConversationKind::C2c => self.to_account.clone(),
            ConversationKind::Group => self.group_id.clone(),
        }
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("a conversation needs To_Account (Type 1) or a group id (Type 2)"))?;
        Ok(ConversationId { kind, peer })
    }
}

/// The result of one conversation of `batch_delete`, keyed as the SDK reads it back.
fn delete_result(id: &ConversationId, outcome: ApiResult<()>) -> Value {
    let (code, info) = match outcome {
        Ok(()) => (0, String::new()),
        Err(e) => (e.code, e.info),
    };
    let mut item = json!({"Type": id.kind as u8, "ResultCode": code, "ResultInfo": info});
    let key = match id.kind {
        ConversationKind::C2c => "To_Account",
        ConversationKind::Group => "ToGroupid",
    };
    item[key] = id.peer.clone().into();
    item
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchDelete {
    contact_item: Vec<SdkConversation>,
    #[serde(default)]
    clear_ramble: u32,
}

/// Most conversations one `batch_delete` names (the SDK's `deleteConversation` list limit).
const MAX_BATCH_DELETE: usize = 100;

/// `recentcontact.batch_delete` (`deleteConversation`): removes conversations from the user's
/// list, each on its own (one result per conversation), with their history when `ClearRamble`.
pub(super) async fn batch_delete(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: BatchDelete| async move {
            if req.contact_item.is_empty() || req.contact_item.len() > MAX_BATCH_DELETE {
                return Err(ApiError::new(
                    codes::CONVERSATION_BAD_PARAM,
                    format!(
                        "ContactItem must hold 1 to {MAX_BATCH_DELETE} conversations, got {}",
                        req.contact_item.len()
                    ),
                ));
            }
            if req.clear_ramble > 1 {
                return Err(ApiError::new(
                    codes::CONVERSATION_BAD_PARAM,
                    "ClearRamble must be 0 or 1",
                ));
            }
            let ids = req
                .contact_item
                .iter()
                .map(SdkConversation::id)
                .collect::<ApiResult<Vec<_>>>()?;
            let mut results = Vec::with_capacity(ids.len());
            for id in ids {
                let outcome = ctx
                    .services
                    .conversations
                    .delete(
                        &ctx.app,
                        &ctx.origin,
                        ctx.identifier.clone(),
                        id.clone(),
                        req.clear_ramble == 1,
                    )
                    .await;
                results.push(delete_result(&id, outcome));
            }
            Ok(json!({ "ResultItem": results }))
        },
    )
    .await
}

#[derive(Deserialize)]
struct ClearMsg {
    #[serde(flatten)]
    conversation: SdkConversation,
}

/// `recentcontact.clear_msg` (`clearHistoryMessage`): the user's history of a one-to-one
/// conversation goes (the peer keeps theirs), or of a group for them alone (their
/// `group_msg_get` starts after the group's last message); the conversation stays.
pub(super) async fn clear_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: ClearMsg| async move {
            let id = req.conversation.id()?;
            if id.kind == ConversationKind::Group {
                ctx.services
                    .groups
                    .clear_history_for(&ctx.app, &id.peer, &ctx.identifier)
                    .await?;
                return Ok(Value::Null);
            }
            ctx.services
                .conversations
                .clear_history(&ctx.app, ctx.identifier.clone(), id)
                .await?;
            Ok(Value::Null)
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Top {
    /// 1 pin, 2 unpin.
    operation_type: u32,
    recent_contact_item: Vec<SdkConversation>,
}

/// `recentcontact.top` (`pinConversation`): pins or unpins conversations.
pub(super) async fn top(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(ctx, body, "From_Account", |ctx: Ctx, req: Top| async move {
        let pin = match req.operation_type {
            1 => true,
            2 => false,
            _ => {
                return Err(ApiError::new(
                    codes::CONVERSATION_BAD_PARAM,
                    "OperationType must be 1 (pin) or 2 (unpin)",
                ))
            }
        };
        let ids = req
            .recent_contact_item
            .iter()
            .map(SdkConversation::id)
            .collect::<ApiResult<Vec<_>>>()?;
        ctx.services
            .conversations
            .pin(&ctx.app, &ctx.origin, ctx.identifier.clone(), ids, pin)
            .await?;
        Ok(Value::Null)
    })
    .await
}

/// Renames `from` to `to` in an object, when present.
fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.entry(to).or_insert(value);
    }
}

/// `recentcontact.update_contact_group`: the REST API's body, or the SDK's own for adding and
/// removing conversations (`addConversationsToGroup` and `deleteConversationsFromGroup` send
/// `GroupName`, `UpdateItem`, `OperationType` and a `GroupId` for the REST API's
/// `OldGroupName`, `ContactUpdateItem`, `ContactOptType` and `ToGroupId`).
pub(super) async fn update_contact_group(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    if let Some(update) = body.get_mut("UpdateGroup").and_then(Value::as_object_mut) {
        rename(update, "GroupName", "OldGroupName");
        rename(update, "UpdateItem", "ContactUpdateItem");
        if let Some(items) = update
            .get_mut("ContactUpdateItem")
            .and_then(Value::as_array_mut)
        {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                rename(item, "OperationType", "ContactOptType");
                if let Some(contact) = item.get_mut("ContactItem").and_then(Value::as_object_mut) {
                    rename(contact, "GroupId", "ToGroupId");
                }
            }
        }
    }
    as_user(
        ctx,
        body,
        "From_Account",
        recentcontact::update_contact_group,
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupRead {
    group_id: String,
    msg_seq: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReadAllUnreadMsg {
    #[serde(rename = "C2CReadAllMsg", default)]
    c2c_read_all_msg: u32,
    #[serde(default)]
    group_read_info: Vec<GroupRead>,
}

/// `openim.read_all_unread_msg` (`setAllMessageRead`): every one-to-one conversation read up
/// to now when `C2CReadAllMsg` is 1, and each named group up to its `MsgSeq` (a group's
/// failure is its `RetCode`, as the SDK reads it).
pub(super) async fn read_all_unread_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ReadAllUnreadMsg = ctx.parse(body)?;
    if req.c2c_read_all_msg > 1 {
        return Err(ApiError::new(
            ctx.rules.invalid_param,
            "C2CReadAllMsg must be 0 or 1",
        ));
    }
    if req.c2c_read_all_msg == 1 {
        ctx.services
            .messages
            .read_all(&ctx.app, &ctx.origin, ctx.identifier.clone())
            .await?;
    }
    let mut groups = Vec::with_capacity(req.group_read_info.len());
    for read in req.group_read_info {
        let outcome = ctx
            .services
            .groups
            .read_up_to(&ctx.app, &read.group_id, &ctx.identifier, read.msg_seq)
            .await;
        groups.push(json!({
            "GroupId": read.group_id,
            "MsgSeq": read.msg_seq,
            "LastReadMsgSeq": read.msg_seq,
            "RetCode": outcome.err().map_or(0, |e| e.code),
        }));
    }
    Ok(json!({
        "C2CReadAllMsg": req.c2c_read_all_msg,
        "GroupReadInfoArray": groups,
    }))
}
