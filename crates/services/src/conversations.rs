//! Conversation lists (`recentcontact`): the list each user's clients show, with Tencent's two
//! cursors (one for pinned conversations, one for the rest), and deleting a conversation.

use std::sync::Arc;

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::Store;
pub use natter_store::{Conversation, ConversationId, ConversationKind, ListCursor};

use crate::internal;

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

#[derive(Clone)]
pub struct ConversationService {
    store: Arc<dyn Store>,
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
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    async fn owner_exists(&self, app: u64, owner: &str) -> ApiResult<()> {
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
    pub async fn delete(
        &self,
        app: &AppSettings,
        owner: String,
        id: ConversationId,
        clear_history: bool,
    ) -> ApiResult<()> {
        self.owner_exists(app.sdkappid, &owner).await?;
        if id.kind == ConversationKind::C2c {
            self.owner_exists(app.sdkappid, &id.peer).await?;
        }
        self.store
            .delete_conversation(app.sdkappid, owner, id, clear_history)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        Ok(())
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
