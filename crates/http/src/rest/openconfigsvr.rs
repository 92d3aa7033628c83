//! `v4/openconfigsvr/*`: global mutes and operations data.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::openconfigsvr::{
    Getappinfo, GetappinfoReply, Getnospeaking, GetnospeakingReply, Setnospeaking,
};

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

/// `getappinfo`: the daily counters of the last 30 Beijing days, today first.
pub async fn getappinfo(ctx: Ctx, req: Getappinfo) -> ApiResult<GetappinfoReply> {
    let result = ctx
        .services
        .ops
        .app_info(&ctx.app, req.request_field)
        .await?;
    Ok(GetappinfoReply { result })
}
