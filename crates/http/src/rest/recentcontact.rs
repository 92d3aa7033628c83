//! `v4/recentcontact/*`: conversation lists, conversation groups and marks. The wire types are
//! in [`crate::wire::recentcontact`].

use natter_core::ApiResult;
use natter_services::conversations::{ContactChange, ConversationKind, ListCursor, ListRequest};

use crate::handler::Ctx;
use crate::wire::recentcontact::{
    bad, ids, ContactUpdateResult, CreateContactGroup, CreateContactGroupReply, DelContactGroup,
    DelContactGroupReply, Delete, GetContactGroup, GetContactGroupReply, GetList, GetListReply,
    GroupResult, ItemResult, MarkContact, MarkContactReply, MarkResult, MarksView, NewGroup,
    SearchContactGroup, SearchContactGroupReply, SessionItem, UpdateContactGroup,
    UpdateContactGroupReply, UpdateGroupResult,
};

pub async fn get_list(ctx: Ctx, req: GetList) -> ApiResult<GetListReply> {
    let owner = req.from_account.clone();
    let page = ctx
        .services
        .conversations
        .list(
            &ctx.app,
            ListRequest {
                owner: req.from_account,
                cursor: ListCursor {
                    time: req.time_stamp,
                    skip: req.start_index as usize,
                },
                top_cursor: ListCursor {
                    time: req.top_time_stamp,
                    skip: req.top_start_index as usize,
                },
                assist_flags: req.assist_flags,
            },
        )
        .await?;
    let data = ctx
        .services
        .conversations
        .data_of(&ctx.app, &owner, &page.conversations)
        .await?;
    let session_item = page
        .conversations
        .into_iter()
        .map(|c| {
            let marks = data.iter().find(|d| d.id == c.id).map(MarksView::of);
            let (to_account, group_id) = match c.id.kind {
                ConversationKind::C2c => (Some(c.id.peer), None),
                ConversationKind::Group => (None, Some(c.id.peer)),
            };
            SessionItem {
                kind: c.id.kind as u8,
                to_account,
                group_id,
                msg_time: c.msg_time,
                top_flag: u8::from(c.pinned),
                marks,
            }
        })
        .collect();
    Ok(GetListReply {
        session_item,
        complete_flag: u8::from(page.complete),
        time_stamp: page.cursor.time,
        start_index: page.cursor.skip,
        top_time_stamp: page.top_cursor.time,
        top_start_index: page.top_cursor.skip,
    })
}

pub async fn delete(ctx: Ctx, req: Delete) -> ApiResult<()> {
    let (id, clear_ramble) = req.target()?;
    ctx.services
        .conversations
        .delete(&ctx.app, &ctx.origin, req.from_account, id, clear_ramble)
        .await?;
    Ok(())
}

pub async fn create_contact_group(
    ctx: Ctx,
    req: CreateContactGroup,
) -> ApiResult<CreateContactGroupReply> {
    let [group] = <[NewGroup; 1]>::try_from(req.group_contact_item)
        .map_err(|_| bad("GroupContactItem must hold exactly one group"))?;
    let members = ids(&group.contact_item)?;
    let created = ctx
        .services
        .conversations
        .change_contacts(
            &ctx.app,
            &ctx.origin,
            req.from_account,
            ContactChange::CreateGroup {
                name: group.group_name,
                members,
            },
        )
        .await?
        .expect("a created group");
    Ok(CreateContactGroupReply {
        group_result_item: vec![GroupResult {
            group_item: created.into(),
            result_item: group.contact_item.into_iter().map(ItemResult::ok).collect(),
        }],
    })
}

pub async fn update_contact_group(
    ctx: Ctx,
    req: UpdateContactGroup,
) -> ApiResult<UpdateContactGroupReply> {
    let change = req.change()?;
    let group = ctx
        .services
        .conversations
        .change_contacts(&ctx.app, &ctx.origin, req.from_account, change)
        .await?
        .expect("an updated group");
    let update = req.update_group;
    Ok(UpdateContactGroupReply {
        update_type: req.update_type,
        update_group_result: UpdateGroupResult {
            update_group_type: update.update_group_type,
            group_name: group.name,
            group_id: group.id,
            old_group_name: update.old_group_name,
            contact_result_item: update
                .contact_update_item
                .into_iter()
                .map(|u| ContactUpdateResult {
                    contact_opt_type: u.contact_opt_type,
                    result: ItemResult::ok(u.contact_item),
                })
                .collect(),
        },
    })
}

pub async fn del_contact_group(ctx: Ctx, req: DelContactGroup) -> ApiResult<DelContactGroupReply> {
    let [name] = <[String; 1]>::try_from(req.group_name)
        .map_err(|_| bad("GroupName must name exactly one group"))?;
    let deleted = ctx
        .services
        .conversations
        .change_contacts(
            &ctx.app,
            &ctx.origin,
            req.from_account,
            ContactChange::DeleteGroup { name },
        )
        .await?
        .expect("a deleted group");
    Ok(DelContactGroupReply {
        group_item: vec![deleted.into()],
    })
}

pub async fn mark_contact(ctx: Ctx, req: MarkContact) -> ApiResult<MarkContactReply> {
    let changes = req.changes()?;
    ctx.services
        .conversations
        .change_contacts(
            &ctx.app,
            &ctx.origin,
            req.from_account,
            ContactChange::Mark(changes),
        )
        .await?;
    Ok(MarkContactReply {
        result_item: req
            .mark_item
            .into_iter()
            .map(|item| MarkResult {
                opt_type: item.opt_type,
                result: ItemResult::ok(item.contact_item),
            })
            .collect(),
    })
}

pub async fn search_contact_group(
    ctx: Ctx,
    req: SearchContactGroup,
) -> ApiResult<SearchContactGroupReply> {
    let (data, groups) = ctx
        .services
        .conversations
        .search_contacts(&ctx.app, req.from_account, ids(&req.contact_item)?)
        .await?;
    Ok(SearchContactGroupReply {
        contact_result_item: data.into_iter().map(Into::into).collect(),
        group_item: groups.into_iter().map(Into::into).collect(),
    })
}

pub async fn get_contact_group(ctx: Ctx, req: GetContactGroup) -> ApiResult<GetContactGroupReply> {
    let page = ctx
        .services
        .conversations
        .contact_page(&ctx.app, req.from_account, req.start_index)
        .await?;
    Ok(GetContactGroupReply {
        contact_item: page.data.into_iter().map(Into::into).collect(),
        group_item: page.groups.into_iter().map(Into::into).collect(),
        complete_flag: u8::from(page.next.is_none()),
        next_start_index: page.next.unwrap_or(0),
    })
}
