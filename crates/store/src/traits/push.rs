//! Push to all: attribute names, users' push tags and attributes, and push tasks with their leases.

use async_trait::async_trait;
use natter_core::AppId;

use crate::{PushLabelChange, PushLabels, PushProgress, PushTarget, PushTaskRecord, StoreResult};

#[async_trait]
pub trait PushStore: Send + Sync {
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
}
