//! Group counters.

use natter_core::ApiResult;
use natter_services::groups::CounterMode;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    DeleteGroupCounter, GetGroupCounter, GetGroupCounterReply, GroupCounter, UpdateGroupCounter,
    UpdateGroupCounterReply,
};

pub async fn get_group_counter(ctx: Ctx, req: GetGroupCounter) -> ApiResult<GetGroupCounterReply> {
    let counters = ctx
        .services
        .groups
        .counters(&ctx.app, &req.group_id, req.group_counter_keys)
        .await?
        .counters;
    Ok(GetGroupCounterReply {
        group_counter: GroupCounter::list(counters),
    })
}

pub async fn update_group_counter(
    ctx: Ctx,
    req: UpdateGroupCounter,
) -> ApiResult<UpdateGroupCounterReply> {
    let mode = CounterMode::parse(req.mode.as_deref())?;
    let counters = ctx
        .services
        .groups
        .update_counters(
            &ctx.app,
            &req.group_id,
            mode,
            req.group_counter
                .into_iter()
                .map(|c| (c.key, c.value))
                .collect(),
        )
        .await?
        .counters;
    Ok(UpdateGroupCounterReply {
        group_counter: GroupCounter::list(counters),
    })
}

pub async fn delete_group_counter(ctx: Ctx, req: DeleteGroupCounter) -> ApiResult<()> {
    ctx.services
        .groups
        .delete_counters(
            &ctx.app,
            &req.group_id,
            req.group_counter_keys.unwrap_or_default(),
        )
        .await?;
    Ok(())
}
