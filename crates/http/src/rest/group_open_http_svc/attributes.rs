//! Custom group attributes: the writes (the read is `group_open_attr_http_svc/get_group_attr`).

use natter_core::ApiResult;
use natter_services::groups::AttrChange;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    ClearGroupAttr, DeleteGroupAttr, GroupAttrChange, ModifyGroupAttr, SetGroupAttr,
};

async fn change_attrs(ctx: Ctx, req: GroupAttrChange, change: AttrChange) -> ApiResult<()> {
    let group_id = req.group_id.clone();
    ctx.services
        .groups
        .change_attributes(
            &ctx.app,
            &ctx.identifier,
            &group_id,
            change,
            req.pairs(),
            None,
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn modify_group_attr(ctx: Ctx, req: ModifyGroupAttr) -> ApiResult<()> {
    change_attrs(ctx, req, AttrChange::Modify).await
}

pub async fn set_group_attr(ctx: Ctx, req: SetGroupAttr) -> ApiResult<()> {
    change_attrs(ctx, req, AttrChange::Set).await
}

pub async fn clear_group_attr(ctx: Ctx, req: ClearGroupAttr) -> ApiResult<()> {
    change_attrs(ctx, req, AttrChange::Clear).await
}

pub async fn delete_group_attr(ctx: Ctx, req: DeleteGroupAttr) -> ApiResult<()> {
    change_attrs(ctx, req, AttrChange::Delete).await
}
