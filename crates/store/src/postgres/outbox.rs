//! The webhook outbox on PostgreSQL. Several nodes claim concurrently: `FOR UPDATE SKIP LOCKED`
//! hands each due event to exactly one of them, and the lease hides it from the others until it is
//! delivered, retried or its lease runs out (a node that died mid-delivery).

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::PostgresStore;
use crate::{DeadLetter, OutboxEntry, OutboxEvent, OutboxStore, StoreResult};

pub(crate) async fn insert(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    events: &[OutboxEvent],
    now_ms: i64,
) -> StoreResult<()> {
    for e in events {
        sqlx::query(
            "INSERT INTO webhook_outbox (app_id, command, order_key, body, client_ip, opt_platform, created_ms, next_attempt_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(app as i64)
        .bind(&e.command)
        .bind(&e.order_key)
        .bind(&e.body)
        .bind(&e.client_ip)
        .bind(&e.opt_platform)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn event(row: &PgRow, first: usize) -> OutboxEvent {
    OutboxEvent {
        command: row.get(first),
        order_key: row.get(first + 1),
        body: row.get(first + 2),
        client_ip: row.get(first + 3),
        opt_platform: row.get(first + 4),
    }
}

pub(crate) async fn claim(
    pool: &PgPool,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> StoreResult<Vec<OutboxEntry>> {
    let rows = sqlx::query(
        "UPDATE webhook_outbox SET leased_until_ms = $1 + $2
         WHERE id IN (
            SELECT o.id FROM webhook_outbox o
            WHERE o.next_attempt_ms <= $1 AND o.leased_until_ms <= $1
              AND NOT EXISTS (SELECT 1 FROM webhook_outbox e
                              WHERE e.app_id = o.app_id AND e.order_key = o.order_key AND e.id < o.id)
            ORDER BY o.id LIMIT $3
            FOR UPDATE SKIP LOCKED)
         RETURNING id, app_id, command, order_key, body, client_ip, opt_platform, created_ms, attempts",
    )
    .bind(now_ms)
    .bind(lease_ms)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    let mut claimed: Vec<OutboxEntry> = rows
        .iter()
        .map(|row| OutboxEntry {
            id: row.get(0),
            app: row.get::<i64, _>(1) as u64,
            event: event(row, 2),
            created_ms: row.get(7),
            attempts: row.get::<i32, _>(8) as u32,
        })
        .collect();
    claimed.sort_by_key(|e| e.id);
    Ok(claimed)
}

pub(crate) async fn finish(pool: &PgPool, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM webhook_outbox WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn retry(
    pool: &PgPool,
    id: i64,
    attempts: u32,
    next_attempt_ms: i64,
    error: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE webhook_outbox SET attempts = $2, next_attempt_ms = $3, leased_until_ms = 0, last_error = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(attempts as i32)
    .bind(next_attempt_ms)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn dead_letter(
    pool: &PgPool,
    id: i64,
    attempts: u32,
    error: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_dead_letters
            (id, app_id, command, order_key, body, client_ip, opt_platform, created_ms, attempts, last_error, dead_ms)
         SELECT id, app_id, command, order_key, body, client_ip, opt_platform, created_ms, $2, $3, $4
         FROM webhook_outbox WHERE id = $1",
    )
    .bind(id)
    .bind(attempts as i32)
    .bind(error)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM webhook_outbox WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn dead_letters(
    pool: &PgPool,
    app: u64,
    limit: usize,
) -> StoreResult<Vec<DeadLetter>> {
    let rows = sqlx::query(
        "SELECT id, command, order_key, body, client_ip, opt_platform, created_ms, attempts, last_error, dead_ms
         FROM webhook_dead_letters WHERE app_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(app as i64)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| DeadLetter {
            id: row.get(0),
            event: event(row, 1),
            created_ms: row.get(6),
            attempts: row.get::<i32, _>(7) as u32,
            last_error: row.get(8),
            dead_ms: row.get(9),
        })
        .collect())
}

pub(crate) async fn len(pool: &PgPool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_outbox")
        .fetch_one(pool)
        .await?;
    Ok(n as u64)
}

#[async_trait]
impl OutboxStore for PostgresStore {
    async fn enqueue_outbox(
        &self,
        app: AppId,
        events: Vec<OutboxEvent>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            insert(&mut tx, app, &events, now_ms).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>> {
        self.detached(move |db| async move { claim(&db.pool, now_ms, lease_ms, limit).await })
            .await
    }

    async fn finish_outbox(&self, id: i64) -> StoreResult<()> {
        self.detached(move |db| async move { finish(&db.pool, id).await })
            .await
    }

    async fn retry_outbox(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_ms: i64,
        error: String,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            retry(&db.pool, id, attempts, next_attempt_ms, &error).await
        })
        .await
    }

    async fn dead_letter_outbox(
        &self,
        id: i64,
        attempts: u32,
        error: String,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.detached(
            move |db| async move { dead_letter(&db.pool, id, attempts, &error, now_ms).await },
        )
        .await
    }

    async fn dead_letters(&self, app: AppId, limit: usize) -> StoreResult<Vec<DeadLetter>> {
        self.detached(move |db| async move { dead_letters(&db.pool, app, limit).await })
            .await
    }

    async fn outbox_len(&self) -> StoreResult<u64> {
        self.detached(move |db| async move { len(&db.pool).await })
            .await
    }
}
