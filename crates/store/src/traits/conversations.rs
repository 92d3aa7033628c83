//! An owner's conversation list (paging, deleting, pinning) and its contact groups and marks.

use async_trait::async_trait;
use natter_core::AppId;

use crate::{
    ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome, Conversation,
    ConversationId, ListCursor, StoreResult,
};

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// One page of `owner`'s conversations, newest message first (ties by kind and peer):
    /// `pinned` picks the pinned or the other ones (`None`: all); conversations without a message
    /// only with `include_empty`.
    async fn conversations(
        &self,
        app: AppId,
        owner: String,
        pinned: Option<bool>,
        cursor: ListCursor,
        limit: usize,
        include_empty: bool,
    ) -> StoreResult<Vec<Conversation>>;

    /// Removes a conversation from `owner`'s list and clears its unread count; with
    /// `clear_history`, also hides its messages so far from `owner`'s history (the peer keeps
    /// them). Returns whether the conversation was in the list.
    async fn delete_conversation(
        &self,
        app: AppId,
        owner: String,
        id: ConversationId,
        clear_history: bool,
    ) -> StoreResult<bool>;

    /// Pins or unpins conversations in `owner`'s list; a conversation not in the list yet is
    /// added without a message (shown only to a caller that asks for empty conversations).
    async fn set_conversations_pinned(
        &self,
        app: AppId,
        owner: String,
        ids: Vec<ConversationId>,
        pinned: bool,
    ) -> StoreResult<()>;

    /// `owner`'s conversation groups, by id.
    async fn contact_groups(&self, app: AppId, owner: String) -> StoreResult<Vec<ContactGroup>>;

    /// The marks and groups of `owner`'s conversations that have any: those of `ids`, or with
    /// `ids` `None` a page of all of them (by kind, then peer).
    async fn contact_data(
        &self,
        app: AppId,
        owner: String,
        ids: Option<Vec<ConversationId>>,
        skip: usize,
        limit: usize,
    ) -> StoreResult<Vec<ContactData>>;

    /// Applies one change to `owner`'s conversation groups or marks, all or nothing.
    async fn change_contacts(
        &self,
        app: AppId,
        owner: String,
        change: ContactChange,
        limits: ContactLimits,
        now_secs: i64,
    ) -> StoreResult<ContactOutcome>;
}
