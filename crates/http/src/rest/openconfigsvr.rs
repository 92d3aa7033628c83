//! `v4/openconfigsvr/*`: global mutes.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::openconfigsvr::{Getnospeaking, GetnospeakingReply, Setnospeaking};

pub async fn setnospeaking(ctx: Ctx, req: Setnospeaking) -> ApiResult<()> {
    ctx.services
        .mutes
        .set(
            ctx.app.sdkappid,
            &req.set_account,
            req.c2c_msg_nospeaking_time,
            req.groupmsg_nospeaking_time,
        )
        .await
}

pub async fn getnospeaking(ctx: Ctx, req: Getnospeaking) -> ApiResult<GetnospeakingReply> {
    let left = ctx
        .services
        .mutes
        .get(ctx.app.sdkappid, &req.get_account)
        .await?;
    Ok(GetnospeakingReply {
        c2c_msg_nospeaking_time: left.c2c_secs,
        groupmsg_nospeaking_time: left.group_secs,
    })
}
