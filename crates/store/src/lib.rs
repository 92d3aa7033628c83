//! Storage for Natter: one domain-level [`Store`] trait, implemented by an embedded SQLite backend
//! (the default) and a PostgreSQL backend (for many stateless nodes). Both pass the same
//! conformance suite (`conformance` feature), which every new operation joins.
//!
//! The trait speaks the domain (accounts, profiles), not keys and values, so each backend can use
//! its own SQL, transactions and indexes.

mod applications;
mod c2c_own;
mod contacts;
pub mod dump;
mod follows;
mod group_own;
mod groups;
mod moderation;
mod ops;
mod pins;
pub mod postgres;
mod push;
mod reactions;
mod relations;
pub mod search;
mod sends;
pub mod sqlite;
mod topics;
mod types;

#[cfg(feature = "conformance")]
pub mod conformance;

use std::collections::HashMap;

use async_trait::async_trait;
use natter_core::ops::OpsBatch;
use natter_core::AppId;

pub use applications::{GroupRecall, JoinApplication};
pub use c2c_own::{DoNotDisturb, MUTE_FLAGS};
pub use follows::{
    follow_type, FollowCounts, FollowCursor, FollowEntry, FollowList, FollowOutcome,
    UnfollowOutcome,
};
pub use group_own::MemberStream;
pub use groups::{
    AnyReply, GroupChange, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupPlan,
    GroupQuery, GroupRecord, GroupSnapshot,
};
pub use moderation::{GlobalMute, RobotCreate, MUTED_FOREVER};
pub use ops::{ArchiveCursor, ArchiveKind, ArchivedMessage, OpsDays};
pub use pins::{PinOutcome, PinnedMessage};
pub use push::{PushLabelChange, PushLabels, PushProgress, PushTarget, PushTaskRecord};
pub use reactions::{
    ReactOutcome, ReactionLimits, ReactionMessage, ReactionSummary, ReactionUsers,
};
pub use relations::{
    BlockedAccount, Friend, FriendRequest, ItemResult, PeerRelations, RelationChange, RelationEdit,
    RelationOutcome, RelationPage, RelationPlan, RelationScope, RelationSequences, Relations,
    SequenceKind,
};
pub use search::SearchStore;
pub use sends::{GroupSendOutcome, GroupSendRecord, OutboxTemplate};
pub use topics::{MemberCursor, TopicRecord};
pub use types::{
    AccountImport, C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox,
    C2cRecall, C2cSend, ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome,
    Conversation, ConversationId, ConversationKind, DeadLetter, ExtensionChange, ExtensionItem,
    ExtensionOutcome, ExtensionRead, Extensions, ListCursor, MarkChange, OutboxEntry, OutboxEvent,
    ProfileValue, StoredC2c,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("storage is closed")]
    Closed,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    /// An import stream that does not fit this store (unknown table or column, a cut stream).
    #[error("import refused: {0}")]
    BadImport(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An uploaded file: SQLite keeps its bytes in the data directory (`files/<app>/<id>`) and the
/// rest in a row; PostgreSQL keeps all of it in a row, so every node serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// `Content-Type` to serve it with.
    pub content_type: String,
    /// The user who uploaded it.
    pub owner: String,
    pub created_ms: i64,
    pub bytes: Vec<u8>,
}

/// File ids are 1–64 ASCII letters, digits, `-` and `_` (never a path).
pub fn is_file_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A position a client chose (an offset, a `Next`, a start sequence) as an SQL integer. Both
/// engines store 64-bit signed integers; a value at or above 2^63 becomes the largest one, so it
/// reads an empty page on both instead of wrapping to a negative number (PostgreSQL refuses a
/// negative OFFSET, SQLite reads it as 0: the first page again).
pub(crate) fn position(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[async_trait]
pub trait Store: SearchStore + Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`, for health output and logs.
    fn backend(&self) -> &'static str;

    /// One round trip to the engine (a trivial query), for the readiness check.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates the accounts that do not exist yet and writes the given profile items of each
    /// (re-importing an account only updates those items). All or nothing.
    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Deletes accounts and everything that belongs to them. Returns, per requested UserID in
    /// order, whether it existed.
    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>>;

    /// Per requested UserID in order: whether the account exists.
    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>>;

    /// Up to `limit` of the app's UserIDs in byte order: those after `after` ("" from the
    /// start) that begin with `prefix` ("" for all). A keyset page on the accounts' primary
    /// key, so a page costs the same in an app of 100,000 accounts (the console's list).
    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>>;

    /// Records that `user`'s logins were invalidated (`im_open_login_svc/kick`) at `at_secs` (Unix
    /// seconds); a later kick replaces an earlier one.
    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()>;

    /// When `user`'s logins were last invalidated (Unix seconds), if ever.
    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>>;

    /// Keeps an uploaded file (a message's image, file, sound or video) under `id`, which is
    /// one of [`is_file_id`]'s. False (and nothing written) when `id` holds a file already:
    /// an upload URL is good for one upload.
    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool>;

    /// The file kept under `id`, if any.
    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>>;

    /// Sets `user`'s global mute ends (see [`GlobalMute`]); `None` leaves that one as it is.
    /// Returns false (and writes nothing) when the account does not exist.
    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool>;

    /// `user`'s global mute ends (both 0 when never set).
    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<GlobalMute>;

    /// Makes `robot.user_id` a chatbot: creates its account if needed and writes its profile
    /// items, unless the app has `max` chatbots already (counting under a lock, so concurrent
    /// creations never pass it). All or nothing.
    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<RobotCreate>;

    /// Ends `user`'s being a chatbot (its account stays). Returns whether it was one.
    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool>;

    /// The app's chatbots, by UserID (bytewise on both engines).
    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>>;

    /// Whether `user` is one of the app's chatbots.
    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool>;

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

    /// Writes profile items of an existing account and the `outbox` events in one transaction.
    /// Returns false (and writes nothing) when the account does not exist.
    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        outbox: Vec<OutboxEvent>,
    ) -> StoreResult<bool>;

    /// The stored items among `tags` for each existing account; accounts that do not exist are
    /// absent from the map.
    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>>;

    /// Stores a one-to-one message, raises the recipient's unread count (unless the message does
    /// not count), and writes the outbox rows `outbox` builds from the recipient's new unread
    /// total, all in one transaction.
    async fn send_c2c(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cSend>;

    /// [`send_c2c`](Store::send_c2c) with the outbox rows as templates the store completes with
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

    /// Replaces the body and/or the CloudCustomData of a stored one-to-one message.
    async fn modify_c2c(
        &self,
        app: AppId,
        target: C2cMessageRef,
        body: Option<String>,
        cloud_custom_data: Option<String>,
    ) -> StoreResult<C2cModify>;

    /// The extensions of a message with `seq >= start_seq`, at most `limit` of them.
    async fn c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        start_seq: u64,
        limit: usize,
    ) -> StoreResult<ExtensionRead>;

    /// Applies one change to a message's extensions as one new version; refused (nothing
    /// written) when the message would hold more than `max_keys` keys.
    async fn change_c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        change: ExtensionChange,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome>;

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

    /// Deletes up to `limit` of one app's one-to-one messages older than `before` (Unix
    /// seconds), with their extensions: the history retention sweep, in bounded steps so other
    /// writes are not held up. Returns how many were deleted.
    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64>;

    /// A snapshot of `owner`'s relationship state and of the peers `scope` names.
    async fn relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
    ) -> StoreResult<Relations>;

    /// Loads the same snapshot inside a transaction (holding, on engines with concurrent
    /// writers, a lock on the owner and every named peer), lets `edit` decide, and writes its
    /// changes and outbox events unless it refused. All or nothing.
    async fn edit_relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
        now_ms: i64,
        edit: RelationEdit,
    ) -> StoreResult<RelationOutcome>;

    /// A page of `owner`'s friends, by UserID, from offset `start`.
    async fn friends_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<Friend>>;

    /// A page of `owner`'s blocklist, by UserID, from offset `start`.
    async fn blocklist_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<BlockedAccount>>;

    /// `follower` follows each of `followees`, in order, from `now` (Unix seconds), unless they
    /// follow `max` users already; a followee named twice is followed once. One write, under a
    /// lock on the follower and the followees (so concurrent follows neither pass `max` nor miss
    /// a mutual follow). `None` (nothing written) when the follower has no account.
    async fn follow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
        now: i64,
        max: u64,
    ) -> StoreResult<Option<Vec<FollowOutcome>>>;

    /// `follower` stops following each of `followees`, in order; one write, locked as
    /// [`follow`](Self::follow).
    async fn unfollow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
    ) -> StoreResult<Vec<UnfollowOutcome>>;

    /// Up to `limit` entries of one of `user`'s follow lists after `after`, newest first (then
    /// by UserID, bytewise).
    async fn follow_page(
        &self,
        app: AppId,
        user: String,
        list: FollowList,
        after: FollowCursor,
        limit: usize,
    ) -> StoreResult<Vec<FollowEntry>>;

    /// The follow counts of each of `users`, in order (all 0 for a user without follows).
    async fn follow_counts(&self, app: AppId, users: Vec<String>)
        -> StoreResult<Vec<FollowCounts>>;

    /// How `user` and each of `peers` stand ([`follow_type`]), in order.
    async fn follow_types(
        &self,
        app: AppId,
        user: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>>;

    /// The friend requests still waiting that `user` sent or was sent, newest first (then by
    /// requester and target): what a client's list of requests in and out shows.
    async fn friend_requests(&self, app: AppId, user: String) -> StoreResult<Vec<FriendRequest>>;

    /// Marks the friend requests sent to `owner` until `up_to` (Unix seconds) read; the mark
    /// never moves back.
    async fn mark_friend_requests_read(
        &self,
        app: AppId,
        owner: String,
        up_to: i64,
    ) -> StoreResult<()>;

    /// Until when (Unix seconds) `owner` has read the friend requests sent to them; 0 never.
    async fn friend_requests_read_up_to(&self, app: AppId, owner: String) -> StoreResult<i64>;

    /// The object-safe form of `edit_group` (an inherent method of `dyn Store`, which callers
    /// use): loads a snapshot of one group (with what `query` asks for) inside a transaction that
    /// holds the group's lock, lets `edit` decide, and writes its changes and outbox events
    /// unless it refused. All or nothing. The reply is handed back untouched.
    async fn edit_group_any(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: GroupEdit,
    ) -> StoreResult<GroupOutcome<AnyReply>>;

    /// Stores a group (or topic) message with the group's (or topic's) next `MsgSeq`, unless the
    /// group or topic is missing, the sender sent it already, does not exist or is muted in the
    /// group (see [`GroupSendOutcome`]); moves the sender's read position and last send, the
    /// group's last-message time, and writes the after-callback rows filled with the `MsgSeq`,
    /// all in one transaction under the group's lock. On PostgreSQL it is one round trip: one
    /// call of the function migration 27 creates.
    async fn send_group_message(
        &self,
        app: AppId,
        send: GroupSendRecord,
    ) -> StoreResult<GroupSendOutcome> {
        sends::send_group_by_edit(self, app, send).await
    }

    /// The same snapshot an edit would get, read without a lock or a write transaction (for
    /// reads such as roles and a member's standing).
    async fn group_snapshot(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
    ) -> StoreResult<GroupSnapshot>;

    /// The groups of `ids`, in order; `None` for one that does not exist.
    async fn groups(&self, app: AppId, ids: Vec<String>) -> StoreResult<Vec<Option<GroupRecord>>>;

    /// A page of a group's members of `roles` (all when empty), in the order they joined.
    async fn group_members(
        &self,
        app: AppId,
        group_id: String,
        from: MemberCursor,
        roles: Vec<String>,
        limit: usize,
    ) -> StoreResult<Vec<GroupMember>>;

    /// A page of the accounts banned from a group at `now` (Unix seconds) with when each ban
    /// ends, by account, from offset `offset`.
    async fn group_bans(
        &self,
        app: AppId,
        group_id: String,
        now: i64,
        offset: u64,
        limit: usize,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// The topics of a community, in creation order.
    async fn topics(&self, app: AppId, group_id: String) -> StoreResult<Vec<TopicRecord>>;

    /// `member`'s read positions (`MsgSeq`) in the topics of a group that they have read.
    async fn topic_reads(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<Vec<(String, u64)>>;

    /// Every group `member` is in, with their membership, in the order they joined.
    async fn joined_groups(
        &self,
        app: AppId,
        member: String,
    ) -> StoreResult<Vec<(GroupRecord, GroupMember)>>;

    /// A page of the app's group IDs in creation order after `after` (a serial; 0 from the
    /// start), of one type or all; and how many there are in all.
    async fn app_groups(
        &self,
        app: AppId,
        after: i64,
        limit: usize,
        group_type: Option<String>,
    ) -> StoreResult<(Vec<(String, i64)>, u64)>;

    /// The join requests waiting in `group_ids`, by group, oldest first.
    async fn join_applications(
        &self,
        app: AppId,
        group_ids: Vec<String>,
    ) -> StoreResult<Vec<JoinApplication>>;

    /// `member` cleared the history of `group_id` for themselves up to `up_to` (a `MsgSeq`): their
    /// history reads start after it. A clear never moves back.
    async fn clear_group_history(
        &self,
        app: AppId,
        group_id: String,
        member: String,
        up_to: u64,
    ) -> StoreResult<()>;

    /// The messages of `group_id` itself (not its topics) recalled from `since_ms` to `until_ms`
    /// (inclusive), in the order they were recalled, at most `limit`.
    async fn group_recalls(
        &self,
        app: AppId,
        group_id: String,
        since_ms: i64,
        until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<GroupRecall>>;

    /// Up to which `MsgSeq` `member` cleared the history of `group_id` (0: never).
    async fn group_history_cleared(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<u64>;

    /// The member of `stream` deleted these messages (`MsgSeq`s) of it from their own history;
    /// returns how many were not deleted already. The other members keep them.
    async fn hide_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        seqs: Vec<u64>,
    ) -> StoreResult<u64>;

    /// The messages of `stream` its member deleted for themselves, with `MsgSeq` from `low` to
    /// `high` (inclusive), in ascending order.
    async fn hidden_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        low: u64,
        high: u64,
    ) -> StoreResult<Vec<u64>>;

    /// For each `(group, read_seq)`: how many of the group's messages after `read_seq` do not
    /// count as unread (a member's unread count is the distance to the last `MsgSeq`, less these).
    async fn silent_after(&self, app: AppId, reads: Vec<(String, u64)>) -> StoreResult<Vec<u64>>;

    /// Up to `limit` messages of a group (or, given a topic's ID, of that topic) with
    /// `MsgSeq <= max_seq`, newest first.
    async fn group_history(
        &self,
        app: AppId,
        group_id: String,
        max_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<GroupMessage>>;

    /// Writes after-callback events that belong to no stored change (a login, a member coming
    /// online in a live room), so they are delivered like every other after-callback.
    async fn enqueue_outbox(
        &self,
        app: AppId,
        events: Vec<OutboxEvent>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Claims up to `limit` outbox events that are due, for `lease_ms`: only the oldest pending
    /// event of each order key is claimable, so events of one key are delivered in order, and a
    /// claimed event is invisible to other claimers (other nodes) until its lease runs out.
    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>>;

    /// Removes a delivered event.
    async fn finish_outbox(&self, id: i64) -> StoreResult<()>;

    /// Records a failed attempt and when to try again.
    async fn retry_outbox(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_ms: i64,
        error: String,
    ) -> StoreResult<()>;

    /// Moves an event whose retries ran out to the dead letters.
    async fn dead_letter_outbox(
        &self,
        id: i64,
        attempts: u32,
        error: String,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The newest dead letters of one app.
    async fn dead_letters(&self, app: AppId, limit: usize) -> StoreResult<Vec<DeadLetter>>;

    /// How many events wait in the outbox (all apps), for metrics.
    async fn outbox_len(&self) -> StoreResult<u64>;

    /// Adds a batch of operations counters: sums are added, peaks raised, and set members
    /// added once (a member already in the day's set is not counted again). All or nothing.
    async fn record_ops(&self, batch: OpsBatch) -> StoreResult<()>;

    /// The operations data of one app for the days `first..=last` (`YYYYMMDD`), with its
    /// number of accounts and groups now.
    async fn ops_days(&self, app: AppId, first: u32, last: u32) -> StoreResult<OpsDays>;

    /// Deletes every app's operations data of the days before `before` (`YYYYMMDD`): reports
    /// cover 30 days, so older rows only take room. Returns how many rows went.
    async fn purge_ops(&self, before: u32) -> StoreResult<u64>;

    /// One page of the stored messages of `kind` with `from <= MsgTime < to` (Unix seconds),
    /// after `after` (from the start when `None`), in archive order: by `MsgTime`, then group
    /// and `MsgSeq` (groups, topics included) or storage order (one-to-one); at most `limit`.
    /// Deleted group messages are left out; recalled ones are listed.
    async fn archive_page(
        &self,
        app: AppId,
        kind: ArchiveKind,
        from: i64,
        to: i64,
        after: Option<ArchiveCursor>,
        limit: usize,
    ) -> StoreResult<Vec<ArchivedMessage>>;

    /// Removes every piece of one app's data (the emulator's reset). Other apps are untouched.
    async fn reset_app(&self, app: AppId) -> StoreResult<()>;

    /// Streams every row of one app's exported tables ([`dump`]) into `out`, from one
    /// consistent read: [`dump::DumpItem::Begin`], then each table and its rows (tables by
    /// name, rows by primary key, bytewise), then `End`. Fails with [`StoreError::Closed`]
    /// when `out` is dropped.
    async fn export_app(
        &self,
        app: AppId,
        out: tokio::sync::mpsc::Sender<dump::DumpItem>,
    ) -> StoreResult<()>;

    /// Writes an app's rows from a stream made by [`export_app`](Self::export_app) (of either
    /// engine) in one transaction: refused (nothing written) when the app holds anything and
    /// `replace` is not asked; otherwise the app's exported tables are emptied first. Commits
    /// only on `End`; a stream that stops before it, or names a table or column this store
    /// does not have, writes nothing ([`StoreError::BadImport`]). Every value is kept, but
    /// one-to-one message row ids that another app holds already move past the used ones, in
    /// order.
    async fn import_app(
        &self,
        app: AppId,
        options: dump::ImportOptions,
        input: tokio::sync::mpsc::Receiver<dump::DumpItem>,
    ) -> StoreResult<dump::ImportOutcome>;

    /// Keeps `data` (an export) as the app's snapshot `name`, replacing one of that name.
    async fn put_snapshot(
        &self,
        app: AppId,
        name: String,
        data: Vec<u8>,
        created_ms: i64,
    ) -> StoreResult<()>;

    /// The data of the app's snapshot `name`, if any.
    async fn get_snapshot(&self, app: AppId, name: String) -> StoreResult<Option<Vec<u8>>>;

    /// The app's snapshots, by name.
    async fn list_snapshots(&self, app: AppId) -> StoreResult<Vec<dump::SnapshotInfo>>;

    /// Deletes the app's snapshot `name`; returns whether it existed.
    async fn delete_snapshot(&self, app: AppId, name: String) -> StoreResult<bool>;

    /// For the test that keeps the reset and the export complete: the tables the reset empties
    /// (`APP_TABLES`) and every table of the schema that has an `app_id` column, both sorted.
    #[doc(hidden)]
    async fn app_table_lists(&self) -> StoreResult<(Vec<String>, Vec<String>)>;

    /// The app's push attribute names, by number (0–9).
    async fn push_attr_names(&self, app: AppId) -> StoreResult<Vec<(u32, String)>>;

    /// Replaces the app's push attribute names with `names` (number → name).
    async fn set_push_attr_names(&self, app: AppId, names: Vec<(u32, String)>) -> StoreResult<()>;

    /// The push tags and attributes of each of `users`, in order (empty for a user with none).
    async fn push_labels(&self, app: AppId, users: Vec<String>) -> StoreResult<Vec<PushLabels>>;

    /// Applies one change to users' push tags or attributes, all or nothing: `Ok(Err(user))`
    /// (nothing written) when a user would hold more than `max_tags` tags.
    async fn change_push_labels(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>>;

    /// Up to `limit` accounts after `after` in the engine's account order (the cursor of a push
    /// task), with their push labels when `with_labels`.
    async fn push_targets(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>>;

    /// Stores a new push task, leased to `owner` until `lease_until_ms`.
    async fn create_push_task(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()>;

    /// Leases to `owner`, until `lease_until_ms`, up to `limit` unfinished push tasks (of any
    /// app) whose lease ran out by `now_ms`: those of a stopped or crashed node. Each task is
    /// claimed by one node at a time.
    async fn claim_push_tasks(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>>;

    /// Records one batch of a task (cursor, added counts, maybe done, at `now_ms`) and renews
    /// `owner`'s lease, in one statement. False (nothing written) when `owner` no longer holds
    /// the task or it is finished.
    async fn advance_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
        progress: PushProgress,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> StoreResult<bool>;

    /// Gives up `owner`'s lease of a task (a node stopping cleanly), so any node may resume it.
    async fn release_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()>;

    /// The app's newest push tasks, newest first.
    async fn push_tasks(&self, app: AppId, limit: usize) -> StoreResult<Vec<PushTaskRecord>>;

    /// Finishes pending writes and closes the storage cleanly.
    async fn close(&self);
}
