//! `v4/group_open_attr_http_svc/*`: reading custom group attributes. The writes live under
//! `group_open_http_svc`, as Tencent's paths have them.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::group_open_attr_http_svc::{GetGroupAttr, GetGroupAttrReply, GroupAttr};

pub async fn get_group_attr(ctx: Ctx, req: GetGroupAttr) -> ApiResult<GetGroupAttrReply> {
    let attrs = ctx
        .services
        .groups
        .attributes(&ctx.app, &req.group_id)
        .await?
        .attrs;
    Ok(GetGroupAttrReply {
        group_attr_ary: attrs
            .into_iter()
            .map(|(key, value)| GroupAttr { key, value })
            .collect(),
    })
}
