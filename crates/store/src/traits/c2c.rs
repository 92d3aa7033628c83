//! One-to-one messages: sending, history and catch-up, read marks, recalls, edits, extensions,
//! and what an owner sets on their side of a conversation (cleared or deleted messages, mutes, do
//! not disturb).

use async_trait::async_trait;
use natter_core::AppId;

use crate::{
    AccountStore, C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox,
    C2cRecall, C2cSend, DoNotDisturb, ExtensionChange, ExtensionOutcome, ExtensionRead,
    OutboxTemplate, SeenSeqs, StoreResult, StoredC2c,
};

#[cfg(doc)] // for the doc links only
use crate::MUTE_FLAGS;

#[async_trait]
pub trait C2cStore: AccountStore + Send + Sync {
    /// Stores a one-to-one message, raises the recipient's unread count (unless the message does
    /// not count), and writes the outbox rows `outbox` builds from the recipient's new unread
    /// total, all in one transaction.
    async fn send_c2c(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cSend>;

    /// [`send_c2c`](Self::send_c2c) with the outbox rows as templates the store completes with
    /// the recipient's new unread total, and, with `check_accounts`, the sender's and the
    /// recipient's existence checked first (`NoSender`, `NoRecipient`: nothing written). On
    /// PostgreSQL it is one round trip: one call of the function migration 27 creates.
    async fn send_c2c_prepared(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: Vec<OutboxTemplate>,
        check_accounts: bool,
    ) -> StoreResult<C2cSend> {
        if check_accounts {
            let exist = self
                .accounts_exist(app, vec![message.from.clone(), message.to.clone()])
                .await?;
            if !exist[0] {
                return Ok(C2cSend::NoSender);
            }
            if !exist[1] {
                return Ok(C2cSend::NoRecipient);
            }
        }
        let outbox: C2cOutbox =
            Box::new(move |unread| outbox.into_iter().map(|t| t.fill(unread)).collect());
        self.send_c2c(app, message, outbox).await
    }

    /// One page of the one-to-one history between `operator` and `peer`, seen by `operator`,
    /// newest first (by MsgTime, then MsgSeq, then MsgRandom).
    async fn c2c_history(&self, app: AppId, query: C2cHistoryQuery) -> StoreResult<Vec<StoredC2c>>;

    /// Catch-up: the one-to-one messages involving `user` (received, or sent and kept in the
    /// sender's history) after the position `after` (MsgTime, MsgSeq, MsgRandom), oldest first, at
    /// most `limit`. Recalled messages and those `user` cleared from their history are left out.
    async fn c2c_since(
        &self,
        app: AppId,
        user: String,
        after: (i64, u32, u32),
        limit: usize,
    ) -> StoreResult<Vec<StoredC2c>>;

    /// Unread one-to-one messages of `owner`: the total, and the count from each of `peers`.
    async fn c2c_unread(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<(u64, Vec<u64>)>;

    /// Marks `reader`'s conversation with `peer` read up to `read_time` (Unix seconds, never moving
    /// back), recounts its unread messages, and writes the outbox rows built from the reader's new
    /// total, in one transaction. Returns that total.
    async fn c2c_mark_read(
        &self,
        app: AppId,
        reader: String,
        peer: String,
        read_time: i64,
        now_ms: i64,
        outbox: C2cOutbox,
    ) -> StoreResult<u64>;

    /// How far `reader` has read the conversation with `peer` (Unix seconds; -1 never).
    async fn c2c_read_time(&self, app: AppId, reader: String, peer: String) -> StoreResult<i64>;

    /// Flags the message (`from` → `to`, at position (MsgTime, MsgSeq, MsgRandom)) as recalled,
    /// recounts `to`'s unread messages from `from`, and writes the outbox rows built from `to`'s new
    /// total, in one transaction.
    async fn c2c_recall(
        &self,
        app: AppId,
        from: String,
        to: String,
        key: (i64, u32, u32),
        now_ms: i64,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cRecall>;

    /// Imports a one-to-one message (`importmsg`): stored unless the conversation holds a message
    /// with the same (MsgTime, MsgSeq, MsgRandom) in either direction; counts as unread when the
    /// message says so; moves both sides' conversations forward. Writes no outbox rows.
    async fn import_c2c(&self, app: AppId, message: C2cMessage) -> StoreResult<C2cImport>;

    /// Replaces the body and/or the CloudCustomData of a stored one-to-one message and adds one
    /// to its `MsgVersion`; with `expected_version` (the version the editor saw), refused as a
    /// [`C2cModify::Conflict`] when the stored version is newer.
    async fn modify_c2c(
        &self,
        app: AppId,
        target: C2cMessageRef,
        body: Option<String>,
        cloud_custom_data: Option<String>,
        expected_version: Option<u64>,
    ) -> StoreResult<C2cModify>;

    /// The extensions of a message with `seq >= start_seq`, at most `limit` of them.
    async fn c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        start_seq: u64,
        limit: usize,
    ) -> StoreResult<ExtensionRead>;

    /// Applies one change to a message's extensions as one new version, but for the keys
    /// written since the version `seen` names for them (conflicts, left alone); refused
    /// (nothing written) when the message would hold more than `max_keys` keys.
    async fn change_c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        change: ExtensionChange,
        seen: SeenSeqs,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome>;

    /// Hides `owner`'s one-to-one messages with `peer` so far from `owner`'s history (the peer
    /// keeps them); the conversation stays in the list. Returns whether there were any.
    async fn clear_c2c_history(&self, app: AppId, owner: String, peer: String)
        -> StoreResult<bool>;

    /// Deletes one-to-one messages from `owner`'s own history (the Web SDK's `deleteMessage`):
    /// each message of the conversation with `peer` at one of `positions` (MsgTime, MsgSeq,
    /// MsgRandom), whoever sent it, leaves `owner`'s history, catch-up and unread count; the
    /// peer keeps it. Returns how many messages left `owner`'s history (0 for those gone already).
    async fn hide_c2c_messages(
        &self,
        app: AppId,
        owner: String,
        peer: String,
        positions: Vec<(i64, u32, u32)>,
    ) -> StoreResult<u64>;

    /// Sets how `owner` is told of each of `peers`' messages (a flag of [`MUTE_FLAGS`]).
    async fn set_c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
        flag: u32,
    ) -> StoreResult<()>;

    /// How `owner` is told of each of `peers`' messages, in their order (0 when never set).
    async fn c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>>;

    /// Sets `owner`'s setting for all messages (do not disturb).
    async fn set_do_not_disturb(
        &self,
        app: AppId,
        owner: String,
        setting: DoNotDisturb,
    ) -> StoreResult<()>;

    /// `owner`'s setting for all messages (the default when never set).
    async fn do_not_disturb(&self, app: AppId, owner: String) -> StoreResult<DoNotDisturb>;

    /// Deletes up to `limit` of one app's one-to-one messages older than `before` (Unix
    /// seconds), with their extensions: the history retention sweep, in bounded steps so other
    /// writes are not held up. Returns how many were deleted.
    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64>;
}
