//! The SDK's commands on group messages already sent: recall (`revokeMessage`), edit
//! (`modifyMessage`), read receipts (`sendMessageReadReceipt`, `getMessageReadReceiptList`,
//! `getGroupMessageReadMemberList`, the experimental `getGroupReceiptsByUsers`) and deleting
//! messages for oneself (`deleteMessage`). Each checks the user's right in the group
//! ([`natter_services::groups::permissions`]) and runs the REST API's service with the user as
//! the actor, so the same callbacks fire and the members online get the same events.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::permissions::ClientAction;
use natter_services::groups::{EditOutcome, MessageEdit};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::handler::{typed, Ctx};
use crate::rest::group_open_http_svc as rest;
use crate::wire::group_open_http_svc::{GroupMsgRecall, MsgSeqItem, SendGroupMsgReadReceipt};
use crate::wire::openim::ModifyGroupMsg;

/// A topic the SDK names, or `None` for the group itself (it sends `""` then).
fn topic(topic_id: &Option<String>) -> Option<&str> {
    topic_id.as_deref().filter(|t| !t.is_empty())
}

/// `group_open_http_svc.group_msg_recall`: the REST body and reply (`RecallRetList`); a member
/// recalls their own messages, the owner and admins anyone's (10007 otherwise).
pub(super) async fn group_msg_recall(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupMsgRecall = ctx.parse(body.clone())?;
    let seqs = MsgSeqItem::seqs(req.msg_seq_list);
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::Recall {
                seqs: &seqs,
                topic: topic(&req.topic_id),
            },
        )
        .await?;
    typed(ctx, body, rest::group_msg_recall).await
}

/// `modify_group_msg` from the SDK: the REST body plus the `MsgVersion` of the SDK's copy of
/// the message (0, or absent, for a copy it never saw modified).
#[derive(Deserialize)]
struct SdkModifyGroupMsg {
    #[serde(flatten)]
    edit: ModifyGroupMsg,
    /// Absent or null for a copy the SDK never saw modified, as 0.
    #[serde(rename = "MsgVersion", default)]
    version: Option<u64>,
}

/// The reply to `modifyMessage`: the message as it now is, which the SDK puts in its own copy;
/// after a conflict (its copy was older than the stored message) a refusal with
/// [`codes::MSG_MODIFY_CONFLICT`] that carries the stored message all the same, so the SDK
/// shows it and the app may edit again.
pub(super) fn edit_reply(outcome: EditOutcome, mut reply: Map<String, Value>) -> ApiResult<Value> {
    let (message, conflict) = match outcome {
        EditOutcome::Modified(m) => (m, false),
        EditOutcome::Conflict(m) => (m, true),
    };
    reply.insert("MsgBody".into(), message.body);
    reply.insert("CloudCustomData".into(), message.cloud_custom_data.into());
    reply.insert("MsgVersion".into(), message.version.into());
    if conflict {
        let info = format!(
            "the message was modified since (MsgVersion {}); nothing changed",
            message.version
        );
        return Err(ApiError::new(codes::MSG_MODIFY_CONFLICT, info).with_details(reply));
    }
    Ok(Value::Object(reply))
}

/// `openim.modify_group_msg`: the user edits their own message, refused as a conflict when the
/// SDK's copy is older than the stored message ([`edit_reply`]).
pub(super) async fn modify_group_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let SdkModifyGroupMsg { edit: req, version } = ctx.parse(body)?;
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::ModifyMessage {
                seq: req.msg_seq,
                topic: topic(&req.topic_id),
            },
        )
        .await?;
    let modified = ctx
        .services
        .groups
        .modify_message(
            &ctx.app,
            &req.group_id,
            MessageEdit {
                topic_id: topic(&req.topic_id).map(str::to_owned),
                seq: req.msg_seq,
                body: req.msg_body,
                cloud_custom_data: req.cloud_custom_data,
                expected_version: Some(version.unwrap_or(0)),
            },
            &ctx.origin,
        )
        .await?;
    let mut reply = Map::new();
    reply.insert("MsgSeq".into(), req.msg_seq.into());
    edit_reply(modified, reply)
}

/// `group_open_http_svc.group_msg_receipt`: the user has read these messages (as `/ws`'s
/// `send_group_msg_read_receipt`); their senders hear of the new counts.
pub(super) async fn group_msg_receipt(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SendGroupMsgReadReceipt = ctx.parse(body)?;
    ctx.services
        .groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    ctx.services
        .groups
        .send_read_receipts(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            MsgSeqItem::seqs(req.msg_seq_list),
            &ctx.origin,
        )
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupOf {
    group_id: String,
}

/// `group_open_http_svc.get_group_msg_receipt`: the REST API's, for members.
pub(super) async fn get_group_msg_receipt(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let group: GroupOf = ctx.parse(body.clone())?;
    ctx.services
        .groups
        .authorize(
            &ctx.app,
            &group.group_id,
            &ctx.identifier,
            ClientAction::Read,
        )
        .await?;
    typed(ctx, body, rest::get_group_msg_receipt).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReceiptDetail {
    group_id: String,
    msg_seq: u64,
    /// 0: who has read it; 1: who has not (the REST API's `Filter`).
    #[serde(default)]
    flag: u32,
    /// `""` (or the SDK's default 0) for the first page.
    #[serde(default)]
    cursor: Value,
    /// The page size (the REST API's `Count`).
    #[serde(default)]
    num: usize,
}

/// `group_open_http_svc.get_group_msg_receipt_detail`: the REST API's with the SDK's names
/// (`Flag`, `Num` in; `IsFinish` out), for members.
pub(super) async fn get_group_msg_receipt_detail(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ReceiptDetail = ctx.parse(body)?;
    ctx.services
        .groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let cursor = req.cursor.as_str().unwrap_or_default().to_owned();
    let mut rest_body = json!({
        "GroupId": req.group_id,
        "MsgSeq": req.msg_seq,
        "Filter": req.flag,
        "Cursor": cursor,
    });
    if req.num > 0 {
        rest_body["Count"] = req.num.into();
    }
    let mut reply = typed(ctx, rest_body, rest::get_group_msg_receipt_detail).await?;
    reply["IsFinish"] = reply["IsFinished"].clone();
    // The SDK maps the list it asked for; the other one is absent, which it leaves alone.
    Ok(reply)
}

/// A `MsgSeq` as the SDK writes it in `Seqs`: a string of digits (`"12"`), or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum SeqText {
    Number(u64),
    Text(String),
}

impl SeqText {
    fn seq(&self) -> ApiResult<u64> {
        match self {
            Self::Number(n) => Ok(*n),
            Self::Text(t) => t.parse().map_err(|_| {
                ApiError::new(
                    codes::GROUP_INVALID_PARAM,
                    format!("Seqs: {t:?} is not a MsgSeq"),
                )
            }),
        }
    }
}

#[derive(Deserialize)]
struct DeleteGroupRambleMsgBySeq {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "Deleter_Account", default)]
    deleter: Option<String>,
    #[serde(rename = "Seqs")]
    seqs: Vec<SeqText>,
    #[serde(rename = "TopicId", default)]
    topic_id: Option<String>,
}

/// `group_open_http_svc.delete_group_ramble_msg_by_seq`: the user deletes up to 30 messages of
/// a group or topic (by `MsgSeq`) from their own history; the other members keep them. The SDK
/// tells no other device (Tencent: deleted messages are not synced); the user's devices stop
/// seeing them at their next history pull.
pub(super) async fn delete_group_ramble_msg_by_seq(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: DeleteGroupRambleMsgBySeq = ctx.parse(body)?;
    if let Some(deleter) = req.deleter.as_deref().filter(|d| *d != ctx.identifier) {
        return Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            format!("Deleter_Account {deleter} is not the logged-in user; a user deletes only for themselves"),
        ));
    }
    let seqs = req
        .seqs
        .iter()
        .map(SeqText::seq)
        .collect::<ApiResult<Vec<_>>>()?;
    ctx.services
        .groups
        .delete_for_self(
            &ctx.app,
            &req.group_id,
            topic(&req.topic_id),
            &ctx.identifier,
            seqs,
        )
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct MemberReadMsg {
    #[serde(rename = "MsgSeq")]
    seq: u64,
    #[serde(rename = "MemberList_Account", default)]
    accounts: Vec<String>,
}

#[derive(Deserialize)]
struct ReceiptsByUsers {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberReadMsgList", default)]
    asked: Vec<MemberReadMsg>,
}

/// `group_open_http_svc.get_group_msg_receipts_by_users` (the SDK's experimental
/// `getGroupReceiptsByUsers`): which of the named members read each named message, for
/// members. `MsgReadList` has one item per message and member who read it (`MsgSeq`,
/// `Read_Account`), which the SDK hands the app as `{sequence, userID}`; a member who has not
/// read it has none. Natter keeps read positions, not when each was reached, so no
/// `Read_Time` is given.
pub(super) async fn get_group_msg_receipts_by_users(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: ReceiptsByUsers = ctx.parse(body)?;
    ctx.services
        .groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let asked = req.asked.into_iter().map(|m| (m.seq, m.accounts)).collect();
    let readers = ctx
        .services
        .groups
        .readers_among(&ctx.app, &req.group_id, asked)
        .await?;
    let list: Vec<Value> = readers
        .into_iter()
        .map(|(seq, account)| json!({"MsgSeq": seq, "Read_Account": account}))
        .collect();
    Ok(json!({"MsgReadList": list}))
}
