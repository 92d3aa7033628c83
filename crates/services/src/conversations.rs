//! Conversation lists (`recentcontact`): the list each user's clients show, with Tencent's two
//! cursors (one for pinned conversations, one for the rest), and deleting a conversation.

use std::sync::Arc;

use natter_core::Clock;
use natter_core::{codes, ApiError, ApiResult, AppSettings};
pub use natter_store::{
    ContactChange, ContactData, ContactGroup, Conversation, ConversationId, ConversationKind,
    ListCursor, MarkChange,
};
use natter_store::{ContactLimits, ContactOutcome, Store};
use natter_webhook::Origin;

use crate::{internal, Fanout};

/// Conversations per page (Tencent's default pull size).
pub const PAGE_SIZE: usize = 100;

/// `AssistFlags` bits.
const SUPPORT_PINNED: u32 = 1;
const INCLUDE_EMPTY: u32 = 1 << 1;
const PAGE_PINNED: u32 = 1 << 2;

/// A `get_list` request: the owner, the two cursors and `AssistFlags`.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub owner: String,
    pub cursor: ListCursor,
    pub top_cursor: ListCursor,
    pub assist_flags: u32,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub conversations: Vec<Conversation>,
    pub complete: bool,
    /// Where the next page starts.
    pub cursor: ListCursor,
    pub top_cursor: ListCursor,
}

/// Conversation groups per user, conversations per group, marked conversations per user.
pub const LIMITS: ContactLimits = ContactLimits {
    groups: 20,
    per_group: 1000,
    marked: 1000,
};
/// Longest conversation group name, in bytes (Tencent's newest page; older ones said 32).
pub const MAX_GROUP_NAME_BYTES: usize = 64;
pub const MAX_CUSTOM_MARK_BYTES: usize = 256;
/// Most conversations one `create_contact_group` or `mark_contact` names.
pub const MAX_ITEMS_PER_CHANGE: usize = 100;
/// Most conversations one `search_contact_group` names.
pub const MAX_SEARCH_ITEMS: usize = 300;
/// Conversations per `get_contact_group` page.
pub const CONTACT_PAGE: usize = 100;

#[derive(Clone)]
pub struct ConversationService {
    pub(crate) store: Arc<dyn Store>,
    clock: Arc<Clock>,
    /// Tells the owner's other devices what changed (see `conversation_sync`).
    pub(crate) fanout: Fanout,
}

/// The cursor after `page`, which was read from `from` (newest first).
fn advance(from: ListCursor, page: &[Conversation]) -> ListCursor {
    let Some(last) = page.last() else {
        return from;
    };
    let at_last = page.iter().filter(|c| c.msg_time == last.msg_time).count();
    let skip = if from.time != 0 && from.time == last.msg_time {
        from.skip + at_last
    } else {
        at_last
    };
    ListCursor {
        time: last.msg_time,
        skip,
    }
}

impl ConversationService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>, fanout: Fanout) -> Self {
        Self {
            store,
            clock,
            fanout,
        }
    }

    pub(crate) async fn owner_exists(&self, app: u64, owner: &str) -> ApiResult<()> {
        let exists = self
            .store
            .accounts_exist(app, vec![owner.to_owned()])
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        if !exists[0] {
            return Err(ApiError::new(
                codes::CONVERSATION_ACCOUNT_NOT_FOUND,
                format!("account {owner} is not imported"),
            ));
        }
        Ok(())
    }

    async fn page(
        &self,
        app: u64,
        owner: &str,
        pinned: Option<bool>,
        cursor: ListCursor,
        limit: usize,
        include_empty: bool,
    ) -> ApiResult<(Vec<Conversation>, bool)> {
        let mut page = self
            .store
            .conversations(
                app,
                owner.to_owned(),
                pinned,
                cursor,
                limit + 1,
                include_empty,
            )
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        let complete = page.len() <= limit;
        page.truncate(limit);
        Ok((page, complete))
    }

    /// `get_list`: pinned conversations first (when the caller supports pinning; paged by
    /// their own cursor when asked, otherwise all on the first page), then the others, newest
    /// message first, up to [`PAGE_SIZE`] per page.
    pub async fn list(&self, app: &AppSettings, req: ListRequest) -> ApiResult<ListPage> {
        self.owner_exists(app.sdkappid, &req.owner).await?;
        let include_empty = req.assist_flags & INCLUDE_EMPTY != 0;
        let mut conversations = Vec::new();
        let mut top_cursor = req.top_cursor;
        if req.assist_flags & SUPPORT_PINNED != 0 {
            let limit = if req.assist_flags & PAGE_PINNED != 0 {
                PAGE_SIZE
            } else {
                usize::MAX / 2
            };
            let (pinned, pinned_complete) = self
                .page(
                    app.sdkappid,
                    &req.owner,
                    Some(true),
                    req.top_cursor,
                    limit,
                    include_empty,
                )
                .await?;
            top_cursor = advance(req.top_cursor, &pinned);
            conversations = pinned;
            if !pinned_complete {
                return Ok(ListPage {
                    conversations,
                    complete: false,
                    cursor: req.cursor,
                    top_cursor,
                });
            }
        }
        let others = if req.assist_flags & SUPPORT_PINNED != 0 {
            Some(false)
        } else {
            None
        };
        let room = PAGE_SIZE.saturating_sub(conversations.len()).max(1);
        let (rest, complete) = self
            .page(
                app.sdkappid,
                &req.owner,
                others,
                req.cursor,
                room,
                include_empty,
            )
            .await?;
        let cursor = advance(req.cursor, &rest);
        conversations.extend(rest);
        Ok(ListPage {
            conversations,
            complete,
            cursor,
            top_cursor,
        })
    }

    /// `recentcontact/delete`: removes the conversation from the owner's list and clears its
    /// unread count; `clear_history` also removes its messages so far from the owner's history.
    /// The owner's other devices are told.
    pub async fn delete(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: String,
        id: ConversationId,
        clear_history: bool,
    ) -> ApiResult<()> {
        self.owner_exists(app.sdkappid, &owner).await?;
        if id.kind == ConversationKind::C2c {
            self.owner_exists(app.sdkappid, &id.peer).await?;
        }
        self.store
            .delete_conversation(app.sdkappid, owner.clone(), id.clone(), clear_history)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        self.announce(
            app,
            origin,
            &owner,
            crate::conversation_sync::deleted(&[id]),
        );
        Ok(())
    }
}

/// A page of conversation group and mark data (`get_contact_group`).
#[derive(Debug, Clone)]
pub struct ContactPage {
    pub data: Vec<ContactData>,
    pub groups: Vec<ContactGroup>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<usize>,
}

fn bad(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::CONVERSATION_BAD_PARAM, info)
}

fn check_group_name(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.len() > MAX_GROUP_NAME_BYTES {
        return Err(ApiError::new(
            codes::CONTACT_GROUP_NAME_INVALID,
            format!(
                "GroupName must be 1 to {MAX_GROUP_NAME_BYTES} bytes, got {}",
                name.len()
            ),
        ));
    }
    Ok(())
}

impl ConversationService {
    /// Applies one change to `owner`'s conversation groups or marks (all or nothing), tells the
    /// owner's other devices, and returns the group it was about.
    pub async fn change_contacts(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: String,
        change: ContactChange,
    ) -> ApiResult<Option<ContactGroup>> {
        match &change {
            ContactChange::CreateGroup { name, members } => {
                check_group_name(name)?;
                if members.len() > MAX_ITEMS_PER_CHANGE {
                    return Err(bad(format!(
                        "{} conversations in ContactItem; at most {MAX_ITEMS_PER_CHANGE} are allowed",
                        members.len()
                    )));
                }
            }
            ContactChange::RenameGroup { new, .. } => check_group_name(new)?,
            ContactChange::Mark(items) => {
                if items.is_empty() || items.len() > MAX_ITEMS_PER_CHANGE {
                    return Err(bad(format!(
                        "MarkItem must hold 1 to {MAX_ITEMS_PER_CHANGE} items, got {}",
                        items.len()
                    )));
                }
                if let Some(long) = items
                    .iter()
                    .filter_map(|i| i.custom_mark.as_ref())
                    .find(|m| m.len() > MAX_CUSTOM_MARK_BYTES)
                {
                    return Err(bad(format!(
                        "CustomMark is {} bytes; at most {MAX_CUSTOM_MARK_BYTES} are allowed",
                        long.len()
                    )));
                }
            }
            ContactChange::UpdateMembers { .. } | ContactChange::DeleteGroup { .. } => {}
        }
        self.owner_exists(app.sdkappid, &owner).await?;
        let outcome = self
            .store
            .change_contacts(
                app.sdkappid,
                owner.clone(),
                change.clone(),
                LIMITS,
                self.clock.now_secs(),
            )
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        match outcome {
            ContactOutcome::Done(group) => {
                self.announce_contacts(app, origin, &owner, &change, group.as_ref())
                    .await;
                Ok(group)
            }
            ContactOutcome::TooManyGroups => Err(ApiError::new(
                codes::CONTACT_TOO_MANY_GROUPS,
                format!("a user has at most {} conversation groups", LIMITS.groups),
            )),
            ContactOutcome::NameTaken => Err(bad("a conversation group with this name exists")),
            ContactOutcome::NoSuchGroup => Err(ApiError::new(
                codes::CONTACT_GROUP_NOT_FOUND,
                "no conversation group with this name",
            )),
            ContactOutcome::TooManyConversations => Err(ApiError::new(
                codes::CONTACT_TOO_MANY_CONVERSATIONS,
                format!(
                    "at most {} conversations per group and {} marked conversations",
                    LIMITS.per_group, LIMITS.marked
                ),
            )),
        }
    }

    /// `get_contact_group`: a page of the owner's grouped or marked conversations, with all of
    /// the owner's groups.
    pub async fn contact_page(
        &self,
        app: &AppSettings,
        owner: String,
        start: usize,
    ) -> ApiResult<ContactPage> {
        self.owner_exists(app.sdkappid, &owner).await?;
        let mut data = self
            .store
            .contact_data(app.sdkappid, owner.clone(), None, start, CONTACT_PAGE + 1)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        let next = (data.len() > CONTACT_PAGE).then_some(start + CONTACT_PAGE);
        data.truncate(CONTACT_PAGE);
        let groups = self.groups(app.sdkappid, owner).await?;
        Ok(ContactPage { data, groups, next })
    }

    /// `search_contact_group`: the data of the named conversations (those that have any), with
    /// all of the owner's groups.
    pub async fn search_contacts(
        &self,
        app: &AppSettings,
        owner: String,
        ids: Vec<ConversationId>,
    ) -> ApiResult<(Vec<ContactData>, Vec<ContactGroup>)> {
        if ids.is_empty() || ids.len() > MAX_SEARCH_ITEMS {
            return Err(bad(format!(
                "ContactItem must hold 1 to {MAX_SEARCH_ITEMS} conversations, got {}",
                ids.len()
            )));
        }
        self.owner_exists(app.sdkappid, &owner).await?;
        let data = self
            .store
            .contact_data(app.sdkappid, owner.clone(), Some(ids), 0, 0)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        Ok((data, self.groups(app.sdkappid, owner).await?))
    }

    async fn groups(&self, app: u64, owner: String) -> ApiResult<Vec<ContactGroup>> {
        self.store
            .contact_groups(app, owner)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))
    }

    /// The marks and groups of the conversations on a list page.
    pub async fn data_of(
        &self,
        app: &AppSettings,
        owner: &str,
        conversations: &[Conversation],
    ) -> ApiResult<Vec<ContactData>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        let ids = conversations.iter().map(|c| c.id.clone()).collect();
        self.store
            .contact_data(app.sdkappid, owner.to_owned(), Some(ids), 0, 0)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: i64) -> Conversation {
        Conversation {
            id: ConversationId {
                kind: ConversationKind::C2c,
                peer: format!("p{time}"),
            },
            msg_time: time,
            pinned: false,
        }
    }

    #[test]
    fn cursors_count_the_conversations_already_seen_at_the_last_time() {
        let first = ListCursor { time: 0, skip: 0 };
        let next = advance(first, &[at(9), at(7), at(7)]);
        assert_eq!(next, ListCursor { time: 7, skip: 2 });
        // The next page starts among the 7s: the count goes on.
        assert_eq!(
            advance(next, &[at(7), at(7)]),
            ListCursor { time: 7, skip: 4 }
        );
        assert_eq!(
            advance(next, &[at(7), at(5)]),
            ListCursor { time: 5, skip: 1 }
        );
        assert_eq!(advance(next, &[]), next);
    }
}
