//! One-to-one messages and unread counts on PostgreSQL.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row, Transaction};

use crate::{C2cHistoryQuery, C2cMessage, C2cOutbox, C2cSend, StoreResult, StoredC2c};

fn pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

pub(crate) async fn send(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    m: &C2cMessage,
    outbox: C2cOutbox,
) -> StoreResult<(C2cSend, Vec<crate::OutboxEvent>)> {
    let (low, high) = pair(&m.from, &m.to);
    let inserted = sqlx::query(
        "INSERT INTO c2c_messages (app_id, pair_low, pair_high, from_account, to_account, msg_seq, msg_random,
                                   msg_time, body, cloud_custom_data, in_sender_history)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(&m.from)
    .bind(&m.to)
    .bind(i64::from(m.msg_seq))
    .bind(i64::from(m.msg_random))
    .bind(m.msg_time)
    .bind(&m.body)
    .bind(&m.cloud_custom_data)
    .bind(i32::from(m.in_sender_history))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok((C2cSend::Duplicate, Vec::new()));
    }
    if m.counts_as_unread {
        sqlx::query(
            "INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES ($1, $2, $3, 1)
             ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = c2c_unread.unread + 1",
        )
        .bind(app as i64)
        .bind(&m.to)
        .bind(&m.from)
        .execute(&mut **tx)
        .await?;
    }
    let recipient_unread: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(unread), 0)::BIGINT FROM c2c_unread WHERE app_id = $1 AND owner = $2",
    )
    .bind(app as i64)
    .bind(&m.to)
    .fetch_one(&mut **tx)
    .await?;
    let recipient_unread = recipient_unread as u64;
    Ok((
        C2cSend::Stored { recipient_unread },
        outbox(recipient_unread),
    ))
}

fn stored(row: &PgRow) -> StoredC2c {
    StoredC2c {
        message: C2cMessage {
            from: row.get(0),
            to: row.get(1),
            msg_seq: row.get::<i64, _>(2) as u32,
            msg_random: row.get::<i64, _>(3) as u32,
            msg_time: row.get(4),
            body: row.get(5),
            cloud_custom_data: row.get(6),
            in_sender_history: row.get::<i32, _>(7) != 0,
            counts_as_unread: true,
        },
        flag_bits: row.get::<i32, _>(8) as u32,
    }
}

pub(crate) async fn history(
    pool: &PgPool,
    app: u64,
    q: &C2cHistoryQuery,
) -> StoreResult<Vec<StoredC2c>> {
    let (low, high) = pair(&q.operator, &q.peer);
    let (t, s, r) = q.before.unwrap_or((i64::MAX, u32::MAX, u32::MAX));
    let rows = sqlx::query(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits
         FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3
           AND msg_time BETWEEN $4 AND $5
           AND (from_account <> $6 OR in_sender_history = 1)
           AND ($10 OR (msg_time, msg_seq, msg_random) < ($7, $8, $9))
         ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC
         LIMIT $11",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(q.min_time)
    .bind(q.max_time)
    .bind(&q.operator)
    .bind(t)
    .bind(i64::from(s))
    .bind(i64::from(r))
    .bind(q.before.is_none())
    .bind(q.limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(stored).collect())
}
