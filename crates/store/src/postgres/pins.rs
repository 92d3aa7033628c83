//! Pinned group messages on PostgreSQL (see `crate::pins`).

use async_trait::async_trait;
use natter_core::AppId;

use super::{reactions, PostgresStore};
use crate::pins::{PinOutcome, PinnedMessage};
use crate::{PinReactionStore, StoreResult};

pub(super) async fn pin_group_message(
    db: &PostgresStore,
    app: AppId,
    key: (String, String),
    pin: PinnedMessage,
    max: usize,
) -> StoreResult<PinOutcome> {
    let (group_id, topic_id) = key;
    let mut tx = db.pool.begin().await?;
    // Pins of one group (or topic) are counted and added one at a time, so two concurrent pins
    // never both take the last place.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
        .bind(format!("group_pins/{group_id}/{topic_id}"))
        .bind(app as i64)
        .execute(&mut *tx)
        .await?;
    let exists = sqlx::query_scalar::<_, i32>(
        "SELECT 1 FROM group_pins
         WHERE app_id = $1 AND group_id = $2 AND topic_id = $3 AND msg_seq = $4",
    )
    .bind(app as i64)
    .bind(&group_id)
    .bind(&topic_id)
    .bind(pin.msg_seq as i64)
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if exists {
        return Ok(PinOutcome::AlreadyPinned);
    }
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_pins WHERE app_id = $1 AND group_id = $2 AND topic_id = $3",
    )
    .bind(app as i64)
    .bind(&group_id)
    .bind(&topic_id)
    .fetch_one(&mut *tx)
    .await?;
    if count as usize >= max {
        return Ok(PinOutcome::Full);
    }
    sqlx::query(
        "INSERT INTO group_pins (app_id, group_id, topic_id, msg_seq, pinner, pinned_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(app as i64)
    .bind(&group_id)
    .bind(&topic_id)
    .bind(pin.msg_seq as i64)
    .bind(&pin.pinner)
    .bind(pin.pinned_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(PinOutcome::Pinned)
}

pub(super) async fn unpin_group_message(
    db: &PostgresStore,
    app: AppId,
    key: (String, String),
    msg_seq: u64,
) -> StoreResult<bool> {
    let (group_id, topic_id) = key;
    Ok(sqlx::query(
        "DELETE FROM group_pins
         WHERE app_id = $1 AND group_id = $2 AND topic_id = $3 AND msg_seq = $4",
    )
    .bind(app as i64)
    .bind(&group_id)
    .bind(&topic_id)
    .bind(msg_seq as i64)
    .execute(&db.pool)
    .await?
    .rows_affected()
        > 0)
}

pub(super) async fn pinned_group_messages(
    db: &PostgresStore,
    app: AppId,
    key: (String, String),
) -> StoreResult<Vec<PinnedMessage>> {
    let (group_id, topic_id) = key;
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT msg_seq, pinner, pinned_ms FROM group_pins
         WHERE app_id = $1 AND group_id = $2 AND topic_id = $3
         ORDER BY msg_seq",
    )
    .bind(app as i64)
    .bind(&group_id)
    .bind(&topic_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(msg_seq, pinner, pinned_ms)| PinnedMessage {
            msg_seq: msg_seq as u64,
            pinner,
            pinned_ms,
        })
        .collect())
}

#[async_trait]
impl PinReactionStore for PostgresStore {
    async fn pin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        pin: crate::PinnedMessage,
        max: usize,
    ) -> StoreResult<crate::PinOutcome> {
        self.detached(move |db| async move { pin_group_message(&db, app, key, pin, max).await })
            .await
    }

    async fn unpin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        msg_seq: u64,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move { unpin_group_message(&db, app, key, msg_seq).await })
            .await
    }

    async fn pinned_group_messages(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<crate::PinnedMessage>> {
        self.detached(move |db| async move { pinned_group_messages(&db, app, key).await })
            .await
    }

    async fn react(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        change: (String, String, bool),
        limits: crate::ReactionLimits,
        now_ms: i64,
    ) -> StoreResult<crate::ReactOutcome> {
        self.detached(move |db| async move {
            reactions::react(&db, app, message, change, limits, now_ms).await
        })
        .await
    }

    async fn message_reactions(
        &self,
        app: AppId,
        messages: Vec<crate::ReactionMessage>,
        me: String,
        listed: usize,
    ) -> StoreResult<Vec<Option<Vec<crate::ReactionSummary>>>> {
        self.detached(move |db| async move {
            reactions::message_reactions(&db, app, messages, me, listed).await
        })
        .await
    }

    async fn reaction_users(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        reaction: String,
        from: u64,
        limit: usize,
    ) -> StoreResult<Option<crate::ReactionUsers>> {
        self.detached(move |db| async move {
            reactions::reaction_users(&db, app, message, reaction, from, limit).await
        })
        .await
    }
}
