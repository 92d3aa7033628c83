//! Live groups: who is online (the member list itself is `group_open_avchatroom_http_svc`).

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{GetOnlineMemberNum, GetOnlineMemberNumReply};

pub async fn get_online_member_num(
    ctx: Ctx,
    req: GetOnlineMemberNum,
) -> ApiResult<GetOnlineMemberNumReply> {
    let online_member_num = ctx
        .services
        .groups
        .online_count(&ctx.app, &req.group_id)
        .await?;
    Ok(GetOnlineMemberNumReply { online_member_num })
}
