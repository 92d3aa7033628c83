//! One-to-one messages on SQLite.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::conversations::touch;
use super::unread::{add_to_total, pair, read_time, recount, total_unread};
use crate::{
    C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox, C2cRecall,
    C2cSend, StoreResult, StoredC2c,
};

/// Inserts the message unless the same one is stored; then raises the recipient's unread count
/// (when the message counts and is newer than the recipient's read mark) and moves the
/// conversations forward. Returns false for a duplicate.
fn insert(conn: &Connection, app: u64, m: &C2cMessage) -> StoreResult<bool> {
    let (low, high) = pair(&m.from, &m.to);
    let inserted = conn
        .prepare_cached(
            "INSERT INTO c2c_messages (app_id, pair_low, pair_high, from_account, to_account, msg_seq, msg_random,
                                       msg_time, body, cloud_custom_data, in_sender_history, counts_unread,
                                       offline_push_info, supports_extension)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
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
            m.in_sender_history,
            m.counts_as_unread,
            m.offline_push_info,
            m.supports_extension
        ])?;
    if inserted == 0 {
        return Ok(false);
    }
    if m.counts_as_unread && m.msg_time > read_time(conn, app, &m.to, &m.from)? {
        conn.prepare_cached(
            "INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = unread + 1",
        )?
        .execute(params![app as i64, m.to, m.from])?;
        add_to_total(conn, app, &m.to, 1)?;
    }
    if m.updates_conversation {
        touch(conn, app, &m.to, &m.from, m.msg_time)?;
        if m.in_sender_history {
            touch(conn, app, &m.from, &m.to, m.msg_time)?;
        }
    }
    Ok(true)
}

pub(crate) fn send(
    conn: &Connection,
    app: u64,
    m: &C2cMessage,
    outbox: C2cOutbox,
) -> StoreResult<(C2cSend, Vec<crate::OutboxEvent>)> {
    if !insert(conn, app, m)? {
        return Ok((C2cSend::Duplicate, Vec::new()));
    }
    let recipient_unread = total_unread(conn, app, &m.to)?;
    Ok((
        C2cSend::Stored { recipient_unread },
        outbox(recipient_unread),
    ))
}

/// `importmsg`: first import wins, whichever direction the duplicate had.
pub(crate) fn import(conn: &Connection, app: u64, m: &C2cMessage) -> StoreResult<C2cImport> {
    let (low, high) = pair(&m.from, &m.to);
    let exists = conn
        .prepare_cached(
            "SELECT 1 FROM c2c_messages
             WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3 AND msg_time = ?4 AND msg_seq = ?5
               AND msg_random = ?6 LIMIT 1",
        )?
        .query_row(
            params![app as i64, low, high, m.msg_time, m.msg_seq, m.msg_random],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists || !insert(conn, app, m)? {
        return Ok(C2cImport::Duplicate);
    }
    Ok(C2cImport::Imported)
}

/// The row id, flags and extension versions of the message `target` names.
pub(crate) fn find(
    conn: &Connection,
    app: u64,
    target: &C2cMessageRef,
) -> StoreResult<Option<crate::types::MessageRow>> {
    let (low, high) = pair(&target.from, &target.to);
    let (time, seq, random) = target.position;
    Ok(conn
        .prepare_cached(
            "SELECT id, flag_bits, supports_extension, ext_latest_seq, ext_clear_seq FROM c2c_messages
             WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3 AND msg_time = ?4 AND msg_seq = ?5
               AND msg_random = ?6 AND from_account = ?7",
        )?
        .query_row(
            params![app as i64, low, high, time, seq, random, target.from],
            |r| {
                Ok(crate::types::MessageRow {
                    id: r.get(0)?,
                    flag_bits: r.get(1)?,
                    supports_extension: r.get(2)?,
                    ext_latest_seq: r.get(3)?,
                    ext_clear_seq: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub(crate) fn modify(
    conn: &Connection,
    app: u64,
    target: &C2cMessageRef,
    body: Option<&str>,
    cloud_custom_data: Option<&str>,
    expected_version: Option<u64>,
) -> StoreResult<C2cModify> {
    let Some(row) = find(conn, app, target)? else {
        return Ok(C2cModify::NotFound);
    };
    let id = row.id;
    if row.flag_bits & 8 != 0 {
        return Ok(C2cModify::Recalled);
    }
    let (old_body, old_data, version): (String, String, i64) = conn
        .prepare_cached(
            "SELECT body, cloud_custom_data, msg_version FROM c2c_messages WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let version = version as u64;
    if expected_version.is_some_and(|expected| expected < version) {
        return Ok(C2cModify::Conflict {
            body: old_body,
            cloud_custom_data: old_data,
            version,
        });
    }
    conn.prepare_cached(
        "UPDATE c2c_messages SET body = COALESCE(?2, body), cloud_custom_data = COALESCE(?3, cloud_custom_data),
                msg_version = msg_version + 1
         WHERE id = ?1",
    )?
    .execute(params![id, body, cloud_custom_data])?;
    Ok(C2cModify::Modified {
        version: version + 1,
    })
}

pub(crate) fn purge(conn: &Connection, app: u64, before: i64, limit: usize) -> StoreResult<u64> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM c2c_messages WHERE app_id = ?1 AND msg_time < ?2 ORDER BY msg_time LIMIT ?3",
        )?
        .query_map(params![app as i64, before, limit as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut drop_ext = conn.prepare_cached("DELETE FROM c2c_extensions WHERE message_id = ?1")?;
    let mut drop_reactions =
        conn.prepare_cached("DELETE FROM c2c_reactions WHERE message_id = ?1")?;
    let mut drop_msg = conn.prepare_cached("DELETE FROM c2c_messages WHERE id = ?1")?;
    for id in &ids {
        drop_ext.execute([id])?;
        drop_reactions.execute([id])?;
        drop_msg.execute([id])?;
    }
    Ok(ids.len() as u64)
}

pub(super) fn stored(row: &Row<'_>) -> rusqlite::Result<StoredC2c> {
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
            counts_as_unread: row.get(9)?,
            updates_conversation: true,
            offline_push_info: row.get(10)?,
            supports_extension: row.get(11)?,
        },
        flag_bits: row.get(8)?,
        version: row.get::<_, i64>(12)? as u64,
    })
}

pub(crate) fn history(
    conn: &Connection,
    app: u64,
    q: &C2cHistoryQuery,
) -> StoreResult<Vec<StoredC2c>> {
    let (low, high) = pair(&q.operator, &q.peer);
    let (t, s, r) = q.upper_bound();
    // The bound is one row value, so the index range starts right at it (an OR here would make
    // SQLite scan every message of the cursor's second).
    let mut select = conn.prepare_cached(
        "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                msg_version
         FROM c2c_messages
         WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3
           AND msg_time >= ?4
           AND (msg_time, msg_seq, msg_random) < (?5, ?6, ?7)
           AND (from_account <> ?8 OR in_sender_history = 1)
           AND (to_account <> ?8 OR in_recipient_history = 1)
           AND id > COALESCE((SELECT cleared_id FROM c2c_cleared
                              WHERE app_id = ?1 AND owner = ?8 AND peer = ?10), 0)
         ORDER BY msg_time DESC, msg_seq DESC, msg_random DESC
         LIMIT ?9",
    )?;
    let rows = select
        .query_map(
            params![
                app as i64,
                low,
                high,
                q.min_time,
                t,
                s,
                r,
                q.operator,
                q.limit as i64,
                q.peer
            ],
            stored,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The messages of one side of the catch-up (`?2` the user): their columns, after the position,
/// not recalled, not cleared by the user; `{side}` names the user's column and `{peer}` the other.
macro_rules! since_side {
    ($side:literal, $peer:literal, $extra:literal) => {
        concat!(
            "SELECT from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data,
                    in_sender_history, flag_bits, counts_unread, offline_push_info, supports_extension,
                msg_version
             FROM c2c_messages
             WHERE app_id = ?1 AND ", $side, " = ?2 ", $extra, "
               AND (msg_time, msg_seq, msg_random) > (?3, ?4, ?5)
               AND (flag_bits & 8) = 0
               AND id > COALESCE((SELECT cleared_id FROM c2c_cleared
                                  WHERE app_id = ?1 AND owner = ?2 AND peer = ", $peer, "), 0)
             ORDER BY msg_time, msg_seq, msg_random
             LIMIT ?6"
        )
    };
}

/// Catch-up: each side (received, sent) walks its own index from the position; the two are
/// merged and cut to the limit.
pub(crate) fn since(
    conn: &Connection,
    app: u64,
    user: &str,
    (t, s, r): (i64, u32, u32),
    limit: usize,
) -> StoreResult<Vec<StoredC2c>> {
    let mut select = conn.prepare_cached(concat!(
        "SELECT * FROM (",
        since_side!(
            "to_account",
            "c2c_messages.from_account",
            "AND in_recipient_history = 1"
        ),
        ") UNION ALL SELECT * FROM (",
        since_side!(
            "from_account",
            "c2c_messages.to_account",
            "AND to_account <> ?2 AND in_sender_history = 1"
        ),
        ") ORDER BY msg_time, msg_seq, msg_random LIMIT ?6"
    ))?;
    let rows = select
        .query_map(params![app as i64, user, t, s, r, limit as i64], stored)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(crate) fn recall(
    conn: &Connection,
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
    let row = match find(conn, app, &target)? {
        None => return Ok((C2cRecall::NotFound, Vec::new())),
        Some(row) if row.flag_bits & 8 != 0 => return Ok((C2cRecall::AlreadyRecalled, Vec::new())),
        Some(row) => row,
    };
    conn.prepare_cached("UPDATE c2c_messages SET flag_bits = flag_bits | 8 WHERE id = ?1")?
        .execute([row.id])?;
    recount(conn, app, to, from)?;
    let total = total_unread(conn, app, to)?;
    Ok((
        C2cRecall::Recalled {
            recipient_unread: total,
        },
        outbox(total),
    ))
}
