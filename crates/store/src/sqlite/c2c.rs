//! One-to-one messages and unread counts on SQLite.

use rusqlite::{params, Connection, Row};

use crate::{C2cHistoryQuery, C2cMessage, C2cOutbox, C2cSend, StoreResult, StoredC2c};

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

pub(crate) fn send(
    conn: &Connection,
    app: u64,
    m: &C2cMessage,
    outbox: C2cOutbox,
) -> StoreResult<(C2cSend, Vec<crate::OutboxEvent>)> {
    let (low, high) = pair(&m.from, &m.to);
    let inserted = conn
        .prepare_cached(
            "INSERT INTO c2c_messages (app_id, pair_low, pair_high, from_account, to_account, msg_seq, msg_random,
                                       msg_time, body, cloud_custom_data, in_sender_history)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            app as i64,
            low,
            high,
            m.from,
            m.to,
            m.msg_seq,
            m.msg_random,
            m.msg_time,
            m.body,
            m.cloud_custom_data,
            m.in_sender_history
        ])?;
    if inserted == 0 {
        return Ok((C2cSend::Duplicate, Vec::new()));
    }
    if m.counts_as_unread {
        conn.prepare_cached(
            "INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = unread + 1",
        )?
        .execute(params![app as i64, m.to, m.from])?;
    }
    let recipient_unread: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(unread), 0) FROM c2c_unread WHERE app_id = ?1 AND owner = ?2",
        )?
        .query_row(params![app as i64, m.to], |r| r.get(0))?;
    let recipient_unread = recipient_unread as u64;
    Ok((
        C2cSend::Stored { recipient_unread },
        outbox(recipient_unread),
    ))
}

fn stored(row: &Row<'_>) -> rusqlite::Result<StoredC2c> {
    Ok(StoredC2c {
        message: C2cMessage {
            from: row.get(0)?,
            to: row.get(1)?,
            msg_seq: row.get(2)?,
            msg_random: row.get(3)?,
            msg_time: row.get(4)?,
            body: row.get(5)?,
            cloud_custom_data: row.get(6)?,
            in_sender_history: row.get(7)?,
            counts_as_unread: true,
        },
        flag_bits: row.get(8)?,
    })
}

pub(crate) fn history(
    conn: &Connection,
    app: u64,
    q: &C2cHistoryQuery,
) -> StoreResult<Vec<StoredC2c>> {
    let (low, high) = pair(&q.operator, &q.peer);
    // Without a cursor, start above every real position.
    let (t, s, r) = q.before.unwrap_or((i64::MAX, u32::MAX, u32::MAX));
    let inclusive = q.before.is_none();
    let mut select = conn.prepare_cached(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits
         FROM c2c_messages
         WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3
           AND msg_time BETWEEN ?4 AND ?5
           AND (from_account <> ?6 OR in_sender_history = 1)
           AND (?10 OR (msg_time, msg_seq, msg_random) < (?7, ?8, ?9))
         ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC
         LIMIT ?11",
    )?;
    let rows = select
        .query_map(
            params![
                app as i64,
                low,
                high,
                q.min_time,
                q.max_time,
                q.operator,
                t,
                s,
                r,
                inclusive,
                q.limit as i64
            ],
            stored,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
