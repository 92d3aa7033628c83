//! `v4/openim_msg_ext_http_svc/*`: message extensions of one-to-one and group messages. The wire
//! types are in [`crate::wire::openim_msg_ext_http_svc`].

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::openim_msg_ext_http_svc::{
    start_seq, GetKeyValues, GetKeyValuesReply, GroupGetKeyValues, GroupSetKeyValues, SetKeyValues,
    SetKeyValuesReply,
};

pub async fn get_key_values(ctx: Ctx, req: GetKeyValues) -> ApiResult<GetKeyValuesReply> {
    let target = req.target.into_target(Some(&ctx.identifier))?;
    let start_seq = start_seq(req.start_seq)?;
    let page = ctx
        .services
        .messages
        .extensions(&ctx.app, target, start_seq)
        .await?;
    Ok(page.into())
}

pub async fn set_key_values(ctx: Ctx, req: SetKeyValues) -> ApiResult<SetKeyValuesReply> {
    let target = req.target.into_target(Some(&ctx.identifier))?;
    let change = req.change.into_change()?;
    let changed = ctx
        .services
        .messages
        // An administrator's write: the keys' `Seq` is not compared.
        .change_extensions(&ctx.app, target, change, Vec::new(), &ctx.origin)
        .await?;
    Ok(changed.into())
}

pub async fn group_get_key_values(
    ctx: Ctx,
    req: GroupGetKeyValues,
) -> ApiResult<GetKeyValuesReply> {
    let start_seq = start_seq(req.start_seq)?;
    let page = ctx
        .services
        .groups
        .message_extensions(&ctx.app, (&req.group_id, None), req.msg_seq, start_seq)
        .await?;
    Ok(page.into())
}

pub async fn group_set_key_values(
    ctx: Ctx,
    req: GroupSetKeyValues,
) -> ApiResult<SetKeyValuesReply> {
    let change = req.change.into_change()?;
    let changed = ctx
        .services
        .groups
        .change_message_extensions(
            &ctx.app,
            (&req.group_id, None),
            req.msg_seq,
            change,
            // An administrator's write: the keys' `Seq` is not compared.
            Vec::new(),
            &ctx.origin,
        )
        .await?;
    Ok(changed.into())
}
