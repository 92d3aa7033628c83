//! The outbox of after-callback events: writing, claiming, finishing, retrying and dead letters.

use async_trait::async_trait;
use natter_core::AppId;

use crate::{DeadLetter, OutboxEntry, OutboxEvent, StoreResult};

#[async_trait]
pub trait OutboxStore: Send + Sync {
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
}
