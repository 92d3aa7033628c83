//! One-to-one read marks and unread counts on SQLite, with the pair key both sides of a
//! conversation share. The messages (`c2c`) and the conversation list (`conversations`) both
//! build on this module, which uses neither of them.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{C2cOutbox, StoreResult};

/// The two accounts of a conversation in order: the key its messages are stored under.
pub(crate) fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// `owner`'s unread messages over all peers, kept in its own row so a send does not sum them.
pub(super) fn total_unread(conn: &Connection, app: u64, owner: &str) -> StoreResult<u64> {
    let total: Option<i64> = conn
        .prepare_cached("SELECT total FROM c2c_unread_totals WHERE app_id = ?1 AND owner = ?2")?
        .query_row(params![app as i64, owner], |r| r.get(0))
        .optional()?;
    Ok(total.unwrap_or(0).max(0) as u64)
}

pub(super) fn add_to_total(
    conn: &Connection,
    app: u64,
    owner: &str,
    delta: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO c2c_unread_totals (app_id, owner, total) VALUES (?1, ?2, ?3)
         ON CONFLICT (app_id, owner) DO UPDATE SET total = total + excluded.total",
    )?
    .execute(params![app as i64, owner, delta])?;
    Ok(())
}

pub(crate) fn read_time(conn: &Connection, app: u64, reader: &str, peer: &str) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT read_time FROM c2c_read WHERE app_id = ?1 AND reader = ?2 AND peer = ?3",
        )?
        .query_row(params![app as i64, reader, peer], |r| r.get(0))
        .optional()?
        .unwrap_or(-1))
}

/// Recounts the unread messages `owner` has from `peer`: counted, not recalled, after the read mark.
pub(crate) fn recount(conn: &Connection, app: u64, owner: &str, peer: &str) -> StoreResult<()> {
    let (low, high) = pair(owner, peer);
    let read = read_time(conn, app, owner, peer)?;
    let unread: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM c2c_messages
             WHERE app_id = ?1 AND pair_low = ?2 AND pair_high = ?3 AND from_account = ?4 AND to_account = ?5
               AND counts_unread = 1 AND (flag_bits & 8) = 0 AND in_recipient_history = 1
           AND msg_time > ?6",
        )?
        .query_row(params![app as i64, low, high, peer, owner, read], |r| r.get(0))?;
    let before: i64 = conn
        .prepare_cached(
            "SELECT unread FROM c2c_unread WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
        )?
        .query_row(params![app as i64, owner, peer], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = excluded.unread",
    )?
    .execute(params![app as i64, owner, peer, unread])?;
    if unread != before {
        add_to_total(conn, app, owner, unread - before)?;
    }
    Ok(())
}

pub(crate) fn unread(
    conn: &Connection,
    app: u64,
    owner: &str,
    peers: &[String],
) -> StoreResult<(u64, Vec<u64>)> {
    let mut select = conn.prepare_cached(
        "SELECT unread FROM c2c_unread WHERE app_id = ?1 AND owner = ?2 AND peer = ?3",
    )?;
    let mut each = Vec::with_capacity(peers.len());
    for peer in peers {
        let n: Option<i64> = select
            .query_row(params![app as i64, owner, peer], |r| r.get(0))
            .optional()?;
        each.push(n.unwrap_or(0) as u64);
    }
    Ok((total_unread(conn, app, owner)?, each))
}

pub(crate) fn mark_read(
    conn: &Connection,
    app: u64,
    reader: &str,
    peer: &str,
    time: i64,
    outbox: C2cOutbox,
) -> StoreResult<(u64, Vec<crate::OutboxEvent>)> {
    conn.prepare_cached(
        "INSERT INTO c2c_read (app_id, reader, peer, read_time) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (app_id, reader, peer) DO UPDATE SET read_time = MAX(read_time, excluded.read_time)",
    )?
    .execute(params![app as i64, reader, peer, time])?;
    recount(conn, app, reader, peer)?;
    let total = total_unread(conn, app, reader)?;
    Ok((total, outbox(total)))
}
