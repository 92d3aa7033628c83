//! The SDK's cloud search commands (`searchCloudMessages`, `searchCloudUsers`,
//! `searchCloudGroups`, `searchCloudGroupMembers`; bodies in `wire::search`), for the logged-in
//! user (the bodies name no actor). The rules are `natter_services::search`'s. A found message
//! is given as the history commands give it, so the SDK reads it the same way; lists are newest
//! first on the wire, and the SDK shows them so, one-to-one and group alike (it reads a group's
//! list as history, oldest first, and turns it around).

use natter_core::ApiResult;
use natter_services::search::FoundMessage;
use serde_json::Value;

use super::commands::stored_event;
use super::groups::history_item;
use super::pushes::c2c_item;
use crate::handler::Ctx;
use crate::wire::profile::TagValue;
use crate::wire::search::{
    ConversationMsgs, FoundUser, GroupSearchQuery, GroupSearchReply, MemberSearchQuery,
    MemberSearchReply, MessageSearchQuery, MessageSearchReply, UserSearchQuery, UserSearchReply,
};

fn reply(value: impl serde::Serialize) -> ApiResult<Value> {
    Ok(serde_json::to_value(value).expect("a reply is JSON"))
}

/// A found message in the shape of `openim.getroammsg` or `group_msg_get`.
fn message_item(found: &FoundMessage, user: &str) -> Value {
    match found {
        FoundMessage::C2c(stored) => {
            let mut item = c2c_item(&stored_event(stored), user);
            item["IsPeerRead"] = 0.into();
            item["MsgFlagBits"] = stored.flag_bits.into();
            item
        }
        FoundMessage::Group { group_id, message } => history_item(message, group_id),
    }
}

/// `message_search.query` (`searchCloudMessages`).
pub(super) async fn message_query(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: MessageSearchQuery = ctx.parse(body)?;
    let (common, filters) = req.into_search()?;
    let page = ctx
        .services
        .search
        .messages(&ctx.app, &ctx.identifier, common, filters)
        .await?;
    let conversation_msgs = page
        .items
        .into_iter()
        .map(|hits| {
            let list: Vec<Value> = hits
                .messages
                .iter()
                .map(|m| message_item(m, &ctx.identifier))
                .collect();
            // `C2C<UserID>` or `GROUP<GroupId>` (a UserID may itself start with "GROUP").
            let id = &hits.conversation_id;
            let (user_id, group_id) = match id.strip_prefix("C2C") {
                Some(user) => (Some(user.to_owned()), None),
                None => (None, Some(id.trim_start_matches("GROUP").to_owned())),
            };
            ConversationMsgs {
                user_id,
                group_id,
                count: hits.count,
                message_list: list,
            }
        })
        .collect();
    reply(MessageSearchReply {
        total_count: page.total,
        cursor: page.cursor,
        conversation_msgs,
    })
}

/// `user_search.query` (`searchCloudUsers`).
pub(super) async fn user_query(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: UserSearchQuery = ctx.parse(body)?;
    let (common, filters) = req.into_search()?;
    let page = ctx.services.search.users(&ctx.app, common, filters).await?;
    let users = page
        .items
        .into_iter()
        .map(|(user_id, profile)| FoundUser {
            user_id,
            profile_items: profile
                .into_iter()
                .map(|v| TagValue {
                    tag: v.tag,
                    value: v.value,
                })
                .collect(),
        })
        .collect();
    reply(UserSearchReply {
        total_count: page.total,
        cursor: page.cursor,
        users,
    })
}

/// `group_search.query` (`searchCloudGroups`).
pub(super) async fn group_query(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupSearchQuery = ctx.parse(body)?;
    let (common, types) = req.into_search()?;
    let page = ctx
        .services
        .search
        .groups(&ctx.app, &ctx.identifier, common, types)
        .await?;
    reply(GroupSearchReply {
        total_count: page.total,
        cursor: page.cursor,
        groups: page.items.into_iter().map(Into::into).collect(),
    })
}

/// `group_member_search.query` (`searchCloudGroupMembers`).
pub(super) async fn group_member_query(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: MemberSearchQuery = ctx.parse(body)?;
    let (common, group_ids, types) = req.into_search()?;
    let page = ctx
        .services
        .search
        .members(&ctx.app, &ctx.identifier, common, group_ids, types)
        .await?;
    reply(MemberSearchReply {
        total_count: page.total,
        cursor: page.cursor,
        group_members: page.items.into_iter().map(Into::into).collect(),
    })
}
