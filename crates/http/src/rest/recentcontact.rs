//! `v4/recentcontact/*`: conversation lists (Tencent pages 1047/43087, 1047/43088).

use natter_core::{codes, ApiError};
use natter_services::conversations::{ConversationId, ConversationKind, ListCursor, ListRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{fields, Ctx};
use crate::routes::HandlerFuture;

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
        let session_item = page
            .conversations
            .into_iter()
            .map(|c| {
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
