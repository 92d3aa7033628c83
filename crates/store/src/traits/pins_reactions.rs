//! Pinned group messages and message reactions (one-to-one and group).

use async_trait::async_trait;
use natter_core::AppId;

use crate::{
    PinOutcome, PinnedMessage, ReactOutcome, ReactionLimits, ReactionMessage, ReactionSummary,
    ReactionUsers, StoreResult,
};

#[async_trait]
pub trait PinReactionStore: Send + Sync {
    /// Pins message `pin.msg_seq` of a group, `key` being (group, topic or ""), unless it is
    /// pinned already or `max` messages are; the count and the insert are one write.
    async fn pin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        pin: PinnedMessage,
        max: usize,
    ) -> StoreResult<PinOutcome>;

    /// Unpins a message; false when it was not pinned.
    async fn unpin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        msg_seq: u64,
    ) -> StoreResult<bool>;

    /// A group's (or topic's) pinned messages, by sequence.
    async fn pinned_group_messages(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<PinnedMessage>>;

    /// Adds (`change.2` true) or removes `change.1`'s reaction `change.0` on a message that
    /// exists and is not recalled, within `limits` (checked in the same write); returns the
    /// reaction as it is after the change, with its first `limits.listed_users` users.
    async fn react(
        &self,
        app: AppId,
        message: ReactionMessage,
        change: (String, String, bool),
        limits: ReactionLimits,
        now_ms: i64,
    ) -> StoreResult<ReactOutcome>;

    /// Per message in order, its reactions (in the order of their first user, each with its
    /// first `listed` users and whether `me` is among its users); `None`: no such message.
    async fn message_reactions(
        &self,
        app: AppId,
        messages: Vec<ReactionMessage>,
        me: String,
        listed: usize,
    ) -> StoreResult<Vec<Option<Vec<ReactionSummary>>>>;

    /// Up to `limit` users of a message's reaction, in the order they reacted, from position
    /// `from` (0: the start; else a page's `next`); `None`: no such message.
    async fn reaction_users(
        &self,
        app: AppId,
        message: ReactionMessage,
        reaction: String,
        from: u64,
        limit: usize,
    ) -> StoreResult<Option<ReactionUsers>>;
}
