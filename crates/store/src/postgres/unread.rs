//! One-to-one read marks and unread counts on PostgreSQL, with the pair key both sides of a
//! conversation share. The messages (`c2c`) and the conversation list (`conversations`) both
//! build on this module, which uses neither of them.

use sqlx::{PgPool, Postgres, Row, Transaction};

use crate::{C2cOutbox, StoreResult};

/// The two accounts of a conversation in order: the key its messages are stored under.
pub(crate) fn pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// `owner`'s unread messages over all peers, kept in its own row so a send does not sum them.
pub(super) async fn total_unread(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
) -> StoreResult<u64> {
    let total: Option<i64> =
        sqlx::query_scalar("SELECT total FROM c2c_unread_totals WHERE app_id = $1 AND owner = $2")
            .bind(app as i64)
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(total.unwrap_or(0).max(0) as u64)
}

pub(super) async fn add_to_total(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO c2c_unread_totals (app_id, owner, total) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, owner) DO UPDATE SET total = c2c_unread_totals.total + EXCLUDED.total",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn read_time<'e, E>(
    executor: E,
    app: u64,
    reader: &str,
    peer: &str,
) -> StoreResult<i64>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let time: Option<i64> = sqlx::query_scalar(
        "SELECT read_time FROM c2c_read WHERE app_id = $1 AND reader = $2 AND peer = $3",
    )
    .bind(app as i64)
    .bind(reader)
    .bind(peer)
    .fetch_optional(executor)
    .await?;
    Ok(time.unwrap_or(-1))
}

/// Recounts the unread messages `owner` has from `peer`: counted, not recalled, after the read mark.
pub(crate) async fn recount(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    peer: &str,
) -> StoreResult<()> {
    let (low, high) = pair(owner, peer);
    let read = read_time(&mut **tx, app, owner, peer).await?;
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3 AND from_account = $4 AND to_account = $5
           AND counts_unread = 1 AND (flag_bits & 8) = 0 AND in_recipient_history = 1
           AND msg_time > $6",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(peer)
    .bind(owner)
    .bind(read)
    .fetch_one(&mut **tx)
    .await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT unread FROM c2c_unread WHERE app_id = $1 AND owner = $2 AND peer = $3 FOR UPDATE",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(peer)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = EXCLUDED.unread",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(peer)
    .bind(unread)
    .execute(&mut **tx)
    .await?;
    let before = before.unwrap_or(0);
    if unread != before {
        add_to_total(tx, app, owner, unread - before).await?;
    }
    Ok(())
}

pub(crate) async fn unread(
    pool: &PgPool,
    app: u64,
    owner: &str,
    peers: &[String],
) -> StoreResult<(u64, Vec<u64>)> {
    let rows = sqlx::query("SELECT peer, unread FROM c2c_unread WHERE app_id = $1 AND owner = $2")
        .bind(app as i64)
        .bind(owner)
        .fetch_all(pool)
        .await?;
    let by_peer: std::collections::HashMap<String, i64> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let total = by_peer.values().sum::<i64>() as u64;
    let each = peers
        .iter()
        .map(|p| by_peer.get(p).copied().unwrap_or(0) as u64)
        .collect();
    Ok((total, each))
}

pub(crate) async fn mark_read(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    reader: &str,
    peer: &str,
    time: i64,
    outbox: C2cOutbox,
) -> StoreResult<(u64, Vec<crate::OutboxEvent>)> {
    sqlx::query(
        "INSERT INTO c2c_read (app_id, reader, peer, read_time) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, reader, peer) DO UPDATE SET read_time = GREATEST(c2c_read.read_time, EXCLUDED.read_time)",
    )
    .bind(app as i64)
    .bind(reader)
    .bind(peer)
    .bind(time)
    .execute(&mut **tx)
    .await?;
    recount(tx, app, reader, peer).await?;
    let total = total_unread(tx, app, reader).await?;
    Ok((total, outbox(total)))
}
