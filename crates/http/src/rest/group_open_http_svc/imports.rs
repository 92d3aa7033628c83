//! Bringing a group's past from another system (no callbacks fire), and deleting a sender's
//! messages.

use natter_core::{codes, ApiError, ApiResult};

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    non_empty, DeleteGroupMsgBySender, ImportGroup, ImportGroupMember, ImportGroupMemberReply,
    ImportGroupMsg, ImportGroupMsgReply, ImportGroupReply, ImportMsgResult, ImportTopic,
    ImportTopicReply, SetUnreadMsgNum,
};

pub async fn import_group(ctx: Ctx, mut req: ImportGroup) -> ApiResult<ImportGroupReply> {
    let created = req.create_time.take();
    // Members come with import_group_member.
    req.member_list.clear();
    let group_id = ctx
        .services
        .groups
        .import(
            &ctx.app,
            &ctx.identifier,
            req.into_new_group(),
            created,
            &ctx.origin(),
        )
        .await?;
    Ok(ImportGroupReply { group_id })
}

pub async fn import_group_member(
    ctx: Ctx,
    req: ImportGroupMember,
) -> ApiResult<ImportGroupMemberReply> {
    let members = req.member_list.into_iter().map(Into::into).collect();
    let added = ctx
        .services
        .groups
        .import_members(&ctx.app, &req.group_id, members)
        .await?;
    Ok(ImportGroupMemberReply::of(added))
}

pub async fn import_group_msg(ctx: Ctx, req: ImportGroupMsg) -> ApiResult<ImportGroupMsgReply> {
    let messages = req
        .msg_list
        .into_iter()
        .map(|item| item.into_imported())
        .collect::<ApiResult<Vec<_>>>()?;
    let results = ctx
        .services
        .groups
        .import_messages(&ctx.app, &req.group_id, non_empty(req.topic_id), messages)
        .await?;
    Ok(ImportGroupMsgReply {
        import_msg_result: results
            .into_iter()
            .map(|(msg_seq, msg_time, result)| ImportMsgResult {
                msg_seq,
                msg_time,
                result,
            })
            .collect(),
    })
}

pub async fn set_unread_msg_num(ctx: Ctx, req: SetUnreadMsgNum) -> ApiResult<()> {
    ctx.services
        .groups
        .set_unread(
            &ctx.app,
            &req.group_id,
            req.member_account,
            req.unread_msg_num,
        )
        .await?;
    Ok(())
}

pub async fn delete_group_msg_by_sender(ctx: Ctx, req: DeleteGroupMsgBySender) -> ApiResult<()> {
    ctx.services
        .groups
        .delete_by_sender(&ctx.app, &req.group_id, req.sender_account)
        .await?;
    Ok(())
}

/// `import_topic`: a topic as another system had it (no callbacks).
pub async fn import_topic(ctx: Ctx, req: ImportTopic) -> ApiResult<ImportTopicReply> {
    if let Some(kind) = req.group_type.as_deref().filter(|k| *k != "Community") {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            format!("Type {kind:?}: topics exist only in Community groups"),
        ));
    }
    let topic_id = ctx
        .services
        .groups
        .import_topic(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.new_topic(),
            req.create_time,
            &ctx.origin(),
        )
        .await?;
    Ok(ImportTopicReply { topic_id })
}
