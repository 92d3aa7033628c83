//! Storage for Natter: one domain-level [`Store`] trait, implemented by an embedded SQLite backend
//! (the default) and a PostgreSQL backend (for many stateless nodes). Both pass the same
//! conformance suite (`conformance` feature), which every new operation joins.
//!
//! The trait speaks the domain (accounts, profiles), not keys and values, so each backend can use
//! its own SQL, transactions and indexes. Its operations are grouped in one trait per area
//! ([`traits`]: [`AccountStore`], [`GroupStore`], …) that `Store` requires, so `Arc<dyn Store>`
//! answers all of them.

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
pub mod traits;
mod types;

#[cfg(feature = "conformance")]
pub mod conformance;

/// [`Store`] and the area traits it is made of, for `use natter_store::prelude::*`. `dyn Store`
/// answers every area's operations without it; code holding a concrete store ([`SqliteStore`],
/// [`PostgresStore`]) or a generic `S: Store` needs the traits in scope.
///
/// [`SqliteStore`]: crate::sqlite::SqliteStore
/// [`PostgresStore`]: crate::postgres::PostgresStore
pub mod prelude {
    pub use crate::traits::{
        AccountStore, C2cStore, ConversationStore, GroupStore, OpsStore, OutboxStore,
        PinReactionStore, PushStore, RelationStore,
    };
    pub use crate::{SearchStore, Store};
}

use async_trait::async_trait;

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
pub use traits::{
    AccountStore, C2cStore, ConversationStore, GroupStore, OpsStore, OutboxStore, PinReactionStore,
    PushStore, RelationStore,
};
pub use types::{
    AccountImport, C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox,
    C2cRecall, C2cSend, ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome,
    Conversation, ConversationId, ConversationKind, DeadLetter, ExtensionChange, ExtensionItem,
    ExtensionOutcome, ExtensionRead, Extensions, ListCursor, MarkChange, OutboxEntry, OutboxEvent,
    ProfileValue, SeenSeqs, StoredC2c,
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
pub trait Store:
    AccountStore
    + RelationStore
    + C2cStore
    + ConversationStore
    + GroupStore
    + PinReactionStore
    + OutboxStore
    + OpsStore
    + PushStore
    + SearchStore
    + Send
    + Sync
    + 'static
{
    /// `"sqlite"` or `"postgres"`, for health output and logs.
    fn backend(&self) -> &'static str;

    /// One round trip to the engine (a trivial query), for the readiness check.
    async fn ping(&self) -> StoreResult<()>;

    /// Finishes pending writes and closes the storage cleanly.
    async fn close(&self);
}
