//! Read receipts of group messages.

use natter_core::{codes, ApiError, ApiResult};

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    GetGroupMsgReceipt, GetGroupMsgReceiptDetail, GetGroupMsgReceiptDetailReply,
    GetGroupMsgReceiptReply, MsgSeqItem, ReadAccount, UnreadAccount,
};

pub async fn get_group_msg_receipt(
    ctx: Ctx,
    req: GetGroupMsgReceipt,
) -> ApiResult<GetGroupMsgReceiptReply> {
    let receipts = ctx
        .services
        .groups
        .receipts(&ctx.app, &req.group_id, MsgSeqItem::seqs(req.msg_seq_list))
        .await?;
    Ok(GetGroupMsgReceiptReply {
        group_msg_receipt_list: receipts.into_iter().map(Into::into).collect(),
    })
}

pub async fn get_group_msg_receipt_detail(
    ctx: Ctx,
    req: GetGroupMsgReceiptDetail,
) -> ApiResult<GetGroupMsgReceiptDetailReply> {
    if req.filter > 1 {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            "Filter must be 0 (read) or 1 (unread)",
        ));
    }
    let unread = req.filter == 1;
    let detail = ctx
        .services
        .groups
        .receipt_detail(
            &ctx.app,
            &req.group_id,
            req.msg_seq,
            unread,
            &req.cursor,
            req.count,
        )
        .await?;
    let mut reply = GetGroupMsgReceiptDetailReply {
        msg_seq: req.msg_seq,
        cursor: detail.cursor,
        is_finished: u32::from(detail.finished),
        read_list: None,
        unread_list: None,
    };
    let accounts = detail.accounts.into_iter();
    if unread {
        reply.unread_list = Some(
            accounts
                .map(|unread_account| UnreadAccount { unread_account })
                .collect(),
        );
    } else {
        reply.read_list = Some(
            accounts
                .map(|read_account| ReadAccount { read_account })
                .collect(),
        );
    }
    Ok(reply)
}
