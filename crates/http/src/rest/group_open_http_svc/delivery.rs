//! System notifications and live-group broadcasts.

use natter_core::message::check_body;
use natter_core::ApiResult;
use natter_services::groups::GROUP_BODY_CODES;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    non_empty, SendBroadcastMsg, SendBroadcastMsgReply, SendGroupSystemNotification,
};

pub async fn send_group_system_notification(
    ctx: Ctx,
    req: SendGroupSystemNotification,
) -> ApiResult<()> {
    ctx.services
        .groups
        .system_notification(
            &ctx.app,
            &req.group_id,
            req.to_members_account,
            req.content,
            non_empty(req.topic_id),
        )
        .await?;
    Ok(())
}

pub async fn send_broadcast_msg(
    ctx: Ctx,
    req: SendBroadcastMsg,
) -> ApiResult<SendBroadcastMsgReply> {
    let elements = check_body(
        req.msg_body.as_ref(),
        &req.cloud_custom_data,
        GROUP_BODY_CODES,
    )?;
    let msg_seq = ctx
        .services
        .groups
        .broadcast(
            &ctx.app,
            &ctx.identifier,
            non_empty(req.from_account),
            req.random,
            elements,
            req.cloud_custom_data,
        )
        .await?;
    Ok(SendBroadcastMsgReply { msg_seq })
}
