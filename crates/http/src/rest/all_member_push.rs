//! `v4/all_member_push/*`: push to all users, and the attribute names, user attributes and tags
//! pushes select by. The wire types are in [`crate::wire::all_member_push`].

use natter_core::ApiResult;
use serde_json::{Map, Value};

use crate::handler::Ctx;
use crate::wire::all_member_push::{
    ImAddTag, ImGetAttr, ImGetAttrName, ImGetAttrNameReply, ImGetAttrReply, ImGetTag,
    ImGetTagReply, ImPush, ImPushReply, ImRemoveAllTags, ImRemoveAttr, ImRemoveTag, ImSetAttr,
    ImSetAttrName, UserAttrs, UserTags,
};

pub async fn im_push(ctx: Ctx, req: ImPush) -> ApiResult<ImPushReply> {
    let request = req.into_request(&ctx.identifier)?;
    let task_id = ctx
        .services
        .pushes
        .push(&ctx.app, ctx.origin.client_ip.clone(), request)
        .await?;
    Ok(ImPushReply { task_id })
}

pub async fn im_set_attr_name(ctx: Ctx, req: ImSetAttrName) -> ApiResult<()> {
    let names = req.into_names()?;
    ctx.services.pushes.set_attr_names(&ctx.app, names).await
}

pub async fn im_get_attr_name(ctx: Ctx, _req: ImGetAttrName) -> ApiResult<ImGetAttrNameReply> {
    let names = ctx.services.pushes.attr_names(&ctx.app).await?;
    Ok(ImGetAttrNameReply {
        attr_names: names
            .into_iter()
            .map(|(i, n)| (i.to_string(), Value::String(n)))
            .collect(),
    })
}

pub async fn im_get_attr(ctx: Ctx, req: ImGetAttr) -> ApiResult<ImGetAttrReply> {
    let users = ctx
        .services
        .pushes
        .user_attrs(&ctx.app, req.to_account)
        .await?;
    Ok(ImGetAttrReply {
        user_attrs: users
            .into_iter()
            .map(|(to_account, attrs)| UserAttrs {
                to_account,
                attrs: attrs
                    .into_iter()
                    .map(|(n, v)| (n, Value::String(v)))
                    .collect::<Map<_, _>>(),
            })
            .collect(),
    })
}

pub async fn im_set_attr(ctx: Ctx, req: ImSetAttr) -> ApiResult<()> {
    let items = req.into_items()?;
    ctx.services.pushes.set_user_attrs(&ctx.app, items).await
}

pub async fn im_remove_attr(ctx: Ctx, req: ImRemoveAttr) -> ApiResult<()> {
    let items = req
        .user_attrs
        .into_iter()
        .map(|u| (u.to_account, u.attrs))
        .collect();
    ctx.services.pushes.remove_user_attrs(&ctx.app, items).await
}

pub async fn im_get_tag(ctx: Ctx, req: ImGetTag) -> ApiResult<ImGetTagReply> {
    let users = ctx
        .services
        .pushes
        .user_tags(&ctx.app, req.to_account)
        .await?;
    Ok(ImGetTagReply {
        user_tags: users
            .into_iter()
            .map(|(to_account, tags)| UserTags { to_account, tags })
            .collect(),
    })
}

pub async fn im_add_tag(ctx: Ctx, req: ImAddTag) -> ApiResult<()> {
    ctx.services
        .pushes
        .add_tags(&ctx.app, req.into_items())
        .await
}

pub async fn im_remove_tag(ctx: Ctx, req: ImRemoveTag) -> ApiResult<()> {
    ctx.services
        .pushes
        .remove_tags(&ctx.app, req.into_items())
        .await
}

pub async fn im_remove_all_tags(ctx: Ctx, req: ImRemoveAllTags) -> ApiResult<()> {
    ctx.services
        .pushes
        .remove_all_tags(&ctx.app, req.to_account)
        .await
}
