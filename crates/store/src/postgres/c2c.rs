//! One-to-one messages on PostgreSQL.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::conversations::touch;
use super::unread::{pair, recount, total_unread};
use crate::{
    C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox, C2cRecall,
    StoreResult, StoredC2c,
};

/// Inserts the message unless the same one is stored; then raises the recipient's unread count
/// (when the message counts and is newer than the recipient's read mark) and moves the
/// conversations forward. Returns false for a duplicate.
async fn insert(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    m: &C2cMessage,
) -> StoreResult<bool> {
    let (low, high) = pair(&m.from, &m.to);
    let inserted = sqlx::query(
        "INSERT INTO c2c_messages (app_id, pair_low, pair_high, from_account, to_account, msg_seq, msg_random,
                                   msg_time, body, cloud_custom_data, in_sender_history, counts_unread,
                                   offline_push_info, supports_extension)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
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
    .bind(i32::from(m.counts_as_unread))
    .bind(&m.offline_push_info)
    .bind(i32::from(m.supports_extension))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    if m.counts_as_unread {
        // One round trip: count the message unread unless the recipient has read past it, and
        // raise the recipient's total with it.
        sqlx::query(
            "WITH mark AS (
                 SELECT COALESCE((SELECT read_time FROM c2c_read
                                  WHERE app_id = $1 AND reader = $2 AND peer = $3), -1) AS read_time
             ), counted AS (
                 INSERT INTO c2c_unread (app_id, owner, peer, unread)
                 SELECT $1, $2, $3, 1 FROM mark WHERE $4 > mark.read_time
                 ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = c2c_unread.unread + 1
                 RETURNING 1
             )
             INSERT INTO c2c_unread_totals (app_id, owner, total)
             SELECT $1, $2, 1 FROM counted
             ON CONFLICT (app_id, owner) DO UPDATE SET total = c2c_unread_totals.total + 1",
        )
        .bind(app as i64)
        .bind(&m.to)
        .bind(&m.from)
        .bind(m.msg_time)
        .execute(&mut **tx)
        .await?;
    }
    if m.updates_conversation {
        let mut owners = vec![(m.to.as_str(), m.from.as_str())];
        if m.in_sender_history {
            owners.push((m.from.as_str(), m.to.as_str()));
        }
        touch(tx, app, owners, m.msg_time).await?;
    }
    Ok(true)
}

/// `importmsg`: first import wins, whichever direction the duplicate had.
pub(crate) async fn import(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    m: &C2cMessage,
) -> StoreResult<C2cImport> {
    let (low, high) = pair(&m.from, &m.to);
    let exists: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3 AND msg_time = $4 AND msg_seq = $5
           AND msg_random = $6 LIMIT 1",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(m.msg_time)
    .bind(i64::from(m.msg_seq))
    .bind(i64::from(m.msg_random))
    .fetch_optional(&mut **tx)
    .await?;
    if exists.is_some() || !insert(tx, app, m).await? {
        return Ok(C2cImport::Duplicate);
    }
    Ok(C2cImport::Imported)
}

/// The row id, flags and extension versions of the message `target` names, locked for the
/// transaction.
pub(crate) async fn find(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    target: &C2cMessageRef,
) -> StoreResult<Option<crate::types::MessageRow>> {
    let (low, high) = pair(&target.from, &target.to);
    let (time, seq, random) = target.position;
    let row = sqlx::query(
        "SELECT id, flag_bits, supports_extension, ext_latest_seq, ext_clear_seq FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3 AND msg_time = $4 AND msg_seq = $5
           AND msg_random = $6 AND from_account = $7
         FOR UPDATE",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(time)
    .bind(i64::from(seq))
    .bind(i64::from(random))
    .bind(&target.from)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| crate::types::MessageRow {
        id: r.get(0),
        flag_bits: r.get::<i32, _>(1) as u32,
        supports_extension: r.get::<i32, _>(2) != 0,
        ext_latest_seq: r.get::<i64, _>(3) as u64,
        ext_clear_seq: r.get::<i64, _>(4) as u64,
    }))
}

pub(crate) async fn modify(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    target: &C2cMessageRef,
    body: Option<&str>,
    cloud_custom_data: Option<&str>,
    expected_version: Option<u64>,
) -> StoreResult<C2cModify> {
    let Some(row) = find(tx, app, target).await? else {
        return Ok(C2cModify::NotFound);
    };
    let id = row.id;
    if row.flag_bits & 8 != 0 {
        return Ok(C2cModify::Recalled);
    }
    // Locked, so two edits based on the same version cannot both pass the check.
    let (old_body, old_data, version): (String, String, i64) = sqlx::query_as(
        "SELECT body, cloud_custom_data, msg_version FROM c2c_messages WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let version = version as u64;
    if expected_version.is_some_and(|expected| expected < version) {
        return Ok(C2cModify::Conflict {
            body: old_body,
            cloud_custom_data: old_data,
            version,
        });
    }
    sqlx::query(
        "UPDATE c2c_messages SET body = COALESCE($2, body), cloud_custom_data = COALESCE($3, cloud_custom_data),
                msg_version = msg_version + 1
         WHERE id = $1",
    )
    .bind(id)
    .bind(body)
    .bind(cloud_custom_data)
    .execute(&mut **tx)
    .await?;
    Ok(C2cModify::Modified {
        version: version + 1,
    })
}

pub(crate) async fn purge(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    before: i64,
    limit: usize,
) -> StoreResult<u64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM c2c_messages WHERE app_id = $1 AND msg_time < $2 ORDER BY msg_time LIMIT $3",
    )
    .bind(app as i64)
    .bind(before)
    .bind(limit as i64)
    .fetch_all(&mut **tx)
    .await?;
    for table in ["c2c_extensions", "c2c_reactions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE message_id = ANY($1)"))
            .bind(&ids)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM c2c_messages WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    Ok(ids.len() as u64)
}

pub(super) fn stored(row: &PgRow) -> StoredC2c {
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
            counts_as_unread: row.get::<i32, _>(9) != 0,
            updates_conversation: true,
            offline_push_info: row.get(10),
            supports_extension: row.get::<i32, _>(11) != 0,
        },
        flag_bits: row.get::<i32, _>(8) as u32,
        version: row.get::<i64, _>(12) as u64,
    }
}

pub(crate) async fn history(
    pool: &PgPool,
    app: u64,
    q: &C2cHistoryQuery,
) -> StoreResult<Vec<StoredC2c>> {
    let (low, high) = pair(&q.operator, &q.peer);
    let (t, s, r) = q.upper_bound();
    let rows = sqlx::query(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                msg_version
         FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $2 AND pair_high = $3
           AND msg_time >= $4
           AND (msg_time, msg_seq, msg_random) < ($5, $6, $7)
           AND (from_account <> $8 OR in_sender_history = 1)
           AND (to_account <> $8 OR in_recipient_history = 1)
           AND id > COALESCE((SELECT cleared_id FROM c2c_cleared
                              WHERE app_id = $1 AND owner = $8 AND peer = $10), 0)
         ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC
         LIMIT $9",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(q.min_time)
    .bind(t)
    .bind(i64::from(s))
    .bind(i64::from(r))
    .bind(&q.operator)
    .bind(q.limit as i64)
    .bind(&q.peer)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(stored).collect())
}

/// The messages of one side of the catch-up (`$2` the user): after the position, not recalled,
/// not cleared by the user; the first literal names the user's column, the second the peer's.
macro_rules! since_side {
    ($side:literal, $peer:literal, $extra:literal) => {
        concat!(
            "(SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                     in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                     msg_version
              FROM c2c_messages m
              WHERE app_id = $1 AND ", $side, " = $2 ", $extra, "
                AND (msg_time, msg_seq, msg_random) > ($3, $4, $5)
                AND (flag_bits & 8) = 0
                AND id > COALESCE((SELECT cleared_id FROM c2c_cleared c
                                   WHERE c.app_id = $1 AND c.owner = $2 AND c.peer = ", $peer, "), 0)
              ORDER BY msg_time, msg_seq, msg_random
              LIMIT $6)"
        )
    };
}

/// Catch-up: each side (received, sent) walks its own index from the position; the two are
/// merged and cut to the limit.
pub(crate) async fn since(
    pool: &PgPool,
    app: u64,
    user: &str,
    (t, s, r): (i64, u32, u32),
    limit: usize,
) -> StoreResult<Vec<StoredC2c>> {
    let rows = sqlx::query(concat!(
        since_side!(
            "to_account",
            "m.from_account",
            "AND in_recipient_history = 1"
        ),
        " UNION ALL ",
        since_side!(
            "from_account",
            "m.to_account",
            "AND to_account <> $2 AND in_sender_history = 1"
        ),
        " ORDER BY 5, 3, 4 LIMIT $6"
    ))
    .bind(app as i64)
    .bind(user)
    .bind(t)
    .bind(i64::from(s))
    .bind(i64::from(r))
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(stored).collect())
}

pub(crate) async fn recall(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    from: &str,
    to: &str,
    (time, seq, random): (i64, u32, u32),
    outbox: C2cOutbox,
) -> StoreResult<(C2cRecall, Vec<crate::OutboxEvent>)> {
    let target = C2cMessageRef {
        from: from.to_owned(),
        to: to.to_owned(),
        position: (time, seq, random),
    };
    let row = match find(tx, app, &target).await? {
        None => return Ok((C2cRecall::NotFound, Vec::new())),
        Some(row) if row.flag_bits & 8 != 0 => return Ok((C2cRecall::AlreadyRecalled, Vec::new())),
        Some(row) => row,
    };
    sqlx::query("UPDATE c2c_messages SET flag_bits = flag_bits | 8 WHERE id = $1")
        .bind(row.id)
        .execute(&mut **tx)
        .await?;
    recount(tx, app, to, from).await?;
    let total = total_unread(tx, app, to).await?;
    Ok((
        C2cRecall::Recalled {
            recipient_unread: total,
        },
        outbox(total),
    ))
}
