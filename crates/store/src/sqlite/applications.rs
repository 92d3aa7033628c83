//! Join requests on SQLite (described in `crate::applications`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::{GroupChange, GroupQuery, GroupRecall, GroupSnapshot, JoinApplication, StoreResult};

fn application(row: &rusqlite::Row) -> rusqlite::Result<JoinApplication> {
    Ok(JoinApplication {
        group_id: row.get(0)?,
        applicant: row.get(1)?,
        message: row.get(2)?,
        time_ms: row.get(3)?,
        inviter: row.get(4)?,
    })
}

/// The waiting requests of the query's accounts.
pub(crate) fn load(
    conn: &Connection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
    snapshot: &mut GroupSnapshot,
) -> StoreResult<()> {
    if !query.applications || query.accounts.is_empty() {
        return Ok(());
    }
    let accounts = serde_json::Value::from(query.accounts.clone()).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT group_id, applicant, message, time_ms, inviter FROM group_applications
         WHERE app_id = ?1 AND group_id = ?2 AND applicant IN (SELECT value FROM json_each(?3))",
    )?;
    for row in stmt.query_map(params![app as i64, group_id, accounts], application)? {
        let a = row?;
        snapshot.applications.insert(a.applicant.clone(), a);
    }
    Ok(())
}

pub(crate) fn write(
    conn: &Connection,
    app: u64,
    group_id: &str,
    change: &GroupChange,
) -> StoreResult<()> {
    match change {
        GroupChange::PutApplication(a) => {
            conn.prepare_cached(
                "INSERT INTO group_applications
                     (app_id, group_id, applicant, message, time_ms, inviter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (app_id, group_id, applicant)
                 DO UPDATE SET message = excluded.message, time_ms = excluded.time_ms,
                     inviter = excluded.inviter",
            )?
            .execute(params![
                app as i64,
                group_id,
                a.applicant,
                a.message,
                a.time_ms,
                a.inviter
            ])?;
        }
        GroupChange::DeleteApplication(applicant) => {
            conn.prepare_cached(
                "DELETE FROM group_applications
                 WHERE app_id = ?1 AND group_id = ?2 AND applicant = ?3",
            )?
            .execute(params![app as i64, group_id, applicant])?;
        }
        _ => {}
    }
    Ok(())
}

/// The waiting requests of `group_ids`, by group then oldest first.
pub(crate) fn list(
    conn: &Connection,
    app: u64,
    group_ids: &[String],
) -> StoreResult<Vec<JoinApplication>> {
    let ids = serde_json::Value::from(group_ids.to_vec()).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT group_id, applicant, message, time_ms, inviter FROM group_applications
         WHERE app_id = ?1 AND group_id IN (SELECT value FROM json_each(?2))
         ORDER BY group_id, time_ms, applicant",
    )?;
    let rows = stmt.query_map(params![app as i64, ids], application)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records `member`'s clear of `group_id`'s history up to `up_to`, never moving it back.
pub(crate) fn clear_history(
    conn: &Connection,
    app: u64,
    group_id: &str,
    member: &str,
    up_to: u64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO group_history_clears (app_id, group_id, member, cleared_up_to)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (app_id, group_id, member)
         DO UPDATE SET cleared_up_to = MAX(cleared_up_to, excluded.cleared_up_to)",
    )?
    .execute(params![app as i64, group_id, member, up_to as i64])?;
    Ok(())
}

/// Up to which `MsgSeq` `member` cleared `group_id`'s history (0: never).
pub(crate) fn history_cleared(
    conn: &Connection,
    app: u64,
    group_id: &str,
    member: &str,
) -> StoreResult<u64> {
    let up_to: Option<i64> = conn
        .prepare_cached(
            "SELECT cleared_up_to FROM group_history_clears
             WHERE app_id = ?1 AND group_id = ?2 AND member = ?3",
        )?
        .query_row(params![app as i64, group_id, member], |row| row.get(0))
        .optional()?;
    Ok(up_to.unwrap_or(0) as u64)
}

/// The messages of `group_id` itself recalled from `since_ms` to `until_ms`, oldest recall first.
pub(crate) fn recalls(
    conn: &Connection,
    app: u64,
    group_id: &str,
    (since_ms, until_ms): (i64, i64),
    limit: usize,
) -> StoreResult<Vec<GroupRecall>> {
    let mut stmt = conn.prepare_cached(
        "SELECT msg_seq, msg_random, from_account, msg_time, recalled_ms, revoker
         FROM group_messages
         WHERE app_id = ?1 AND group_id = ?2 AND recalled = 1
           AND recalled_ms >= ?3 AND recalled_ms <= ?4
         ORDER BY recalled_ms, msg_seq LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![app as i64, group_id, since_ms, until_ms, limit as i64],
        |row| {
            Ok(GroupRecall {
                msg_seq: row.get::<_, i64>(0)? as u64,
                random: row.get::<_, i64>(1)? as u32,
                from: row.get(2)?,
                msg_time: row.get(3)?,
                recalled_ms: row.get(4)?,
                revoker: row.get(5)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
