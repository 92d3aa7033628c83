//! One-to-one message extensions (key-value pairs on a message) on SQLite.

use std::collections::HashSet;

use rusqlite::{params, Connection};

use super::c2c::find;
use crate::{
    C2cMessageRef, ExtensionChange, ExtensionItem, ExtensionOutcome, ExtensionRead, Extensions,
    StoreResult,
};

pub(crate) fn read(
    conn: &Connection,
    app: u64,
    target: &C2cMessageRef,
    start_seq: u64,
    limit: usize,
) -> StoreResult<ExtensionRead> {
    let Some(row) = find(conn, app, target)? else {
        return Ok(ExtensionRead::NoMessage);
    };
    let (id, latest_seq, clear_seq) = (row.id, row.ext_latest_seq, row.ext_clear_seq);
    if !row.supports_extension {
        return Ok(ExtensionRead::NotEnabled);
    }
    let items = conn
        .prepare_cached(
            "SELECT key, value, seq FROM c2c_extensions WHERE message_id = ?1 AND seq >= ?2
             ORDER BY seq, key LIMIT ?3",
        )?
        .query_map(params![id, crate::position(start_seq), limit as i64], |r| {
            Ok(ExtensionItem {
                key: r.get(0)?,
                value: r.get(1)?,
                seq: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(ExtensionRead::Found(Extensions {
        latest_seq,
        clear_seq,
        items,
    }))
}

pub(crate) fn change(
    conn: &Connection,
    app: u64,
    target: &C2cMessageRef,
    mut change: ExtensionChange,
    seen: &[(String, u64)],
    max_keys: usize,
) -> StoreResult<ExtensionOutcome> {
    let Some(row) = find(conn, app, target)? else {
        return Ok(ExtensionOutcome::NoMessage);
    };
    let (id, latest_seq, clear_seq) = (row.id, row.ext_latest_seq, row.ext_clear_seq);
    if !row.supports_extension {
        return Ok(ExtensionOutcome::NotEnabled);
    }
    let stored: Vec<ExtensionItem> = conn
        .prepare_cached("SELECT key, value, seq FROM c2c_extensions WHERE message_id = ?1")?
        .query_map([id], |r| {
            Ok(ExtensionItem {
                key: r.get(0)?,
                value: r.get(1)?,
                seq: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let conflicts = change.drop_conflicts(seen, &stored);
    if change.is_empty() {
        return Ok(ExtensionOutcome::Changed {
            changed: Vec::new(),
            conflicts,
        });
    }
    let seq = latest_seq + 1;
    let mut changed = Vec::new();
    let mut clear_seq = clear_seq;
    match &change {
        ExtensionChange::Set(pairs) => {
            let existing: HashSet<&String> = stored.iter().map(|i| &i.key).collect();
            let added: HashSet<&String> = pairs
                .iter()
                .map(|(k, _)| k)
                .filter(|k| !existing.contains(k))
                .collect();
            if existing.len() + added.len() > max_keys {
                return Ok(ExtensionOutcome::TooManyKeys);
            }
            let mut upsert = conn.prepare_cached(
                "INSERT INTO c2c_extensions (app_id, message_id, key, value, seq) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (message_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
            )?;
            for (key, value) in pairs {
                upsert.execute(params![app as i64, id, key, value, seq as i64])?;
                changed.push(ExtensionItem {
                    key: key.clone(),
                    value: value.clone(),
                    seq,
                });
            }
        }
        ExtensionChange::Delete(keys) => {
            let mut delete = conn
                .prepare_cached("DELETE FROM c2c_extensions WHERE message_id = ?1 AND key = ?2")?;
            for key in keys {
                delete.execute(params![id, key])?;
                changed.push(ExtensionItem {
                    key: key.clone(),
                    value: String::new(),
                    seq,
                });
            }
        }
        ExtensionChange::Clear => {
            conn.prepare_cached("DELETE FROM c2c_extensions WHERE message_id = ?1")?
                .execute([id])?;
            clear_seq = seq;
        }
    }
    conn.prepare_cached(
        "UPDATE c2c_messages SET ext_latest_seq = ?2, ext_clear_seq = ?3 WHERE id = ?1",
    )?
    .execute(params![id, seq as i64, clear_seq as i64])?;
    Ok(ExtensionOutcome::Changed { changed, conflicts })
}
