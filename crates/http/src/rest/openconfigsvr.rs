//! `v4/openconfigsvr/*`: operations data.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::openconfigsvr::{Getappinfo, GetappinfoReply};

/// `getappinfo`: the daily counters of the last 30 Beijing days, today first.
pub async fn getappinfo(ctx: Ctx, req: Getappinfo) -> ApiResult<GetappinfoReply> {
    let result = ctx
        .services
        .ops
        .app_info(&ctx.app, req.request_field)
        .await?;
    Ok(GetappinfoReply { result })
}
