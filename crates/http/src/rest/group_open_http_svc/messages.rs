//! Group messages: send, pull history, recall.

use natter_core::ApiResult;
use serde_json::Value;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    non_empty, GroupMsgGetSimple, GroupMsgGetSimpleReply, GroupMsgRecall, GroupMsgRecallReply,
    HistoryMsg, MsgSeqItem, RecallResult, SendGroupMsg, SendGroupMsgReply,
};

pub async fn send_group_msg(ctx: Ctx, req: SendGroupMsg) -> ApiResult<SendGroupMsgReply> {
    let (group_id, send) = req.into_group_send()?;
    let sent = ctx
        .services
        .groups
        .send(&ctx.app, &ctx.identifier, &group_id, send, &ctx.origin())
        .await?;
    Ok(SendGroupMsgReply {
        msg_time: sent.msg_time,
        msg_seq: sent.msg_seq,
    })
}

pub async fn group_msg_get_simple(
    ctx: Ctx,
    req: GroupMsgGetSimple,
) -> ApiResult<GroupMsgGetSimpleReply> {
    let topic_id = non_empty(req.topic_id);
    let messages = ctx
        .services
        .groups
        .history(
            &ctx.app,
            &req.group_id,
            topic_id.as_deref(),
            req.req_msg_seq,
            req.req_msg_number,
            req.with_recalled_msg == 1,
        )
        .await?;
    let rsp_msg_list = messages
        .into_iter()
        .map(|m| {
            let placeholder = m.recalled || m.deleted;
            HistoryMsg {
                is_place_msg: if m.deleted {
                    1
                } else if m.recalled {
                    2
                } else {
                    0
                },
                msg_body: if placeholder {
                    Value::Array(Vec::new())
                } else {
                    serde_json::from_str(&m.body).unwrap_or_else(|_| Value::Array(Vec::new()))
                },
                from_account: m.from,
                msg_priority: m.priority,
                msg_random: m.random,
                msg_seq: m.seq,
                msg_time_stamp: m.time,
                cloud_custom_data: m.cloud_custom_data,
            }
        })
        .collect();
    Ok(GroupMsgGetSimpleReply {
        group_id: req.group_id,
        is_finished: 1,
        rsp_msg_list,
        topic_id,
    })
}

pub async fn group_msg_recall(ctx: Ctx, req: GroupMsgRecall) -> ApiResult<GroupMsgRecallReply> {
    let results = ctx
        .services
        .groups
        .recall(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            non_empty(req.topic_id),
            MsgSeqItem::seqs(req.msg_seq_list),
            &ctx.origin(),
        )
        .await?;
    Ok(GroupMsgRecallReply {
        recall_ret_list: results
            .into_iter()
            .map(|(msg_seq, ret_code)| RecallResult { msg_seq, ret_code })
            .collect(),
    })
}
