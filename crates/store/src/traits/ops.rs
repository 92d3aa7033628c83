//! Whole-app operations: usage counters, the message archive, the reset, export and import,
//! snapshots.

use async_trait::async_trait;
use natter_core::ops::OpsBatch;
use natter_core::AppId;

use crate::dump;
use crate::{ArchiveCursor, ArchiveKind, ArchivedMessage, OpsDays, StoreResult};

#[cfg(doc)] // for the doc links only
use crate::StoreError;

#[async_trait]
pub trait OpsStore: Send + Sync {
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
}
