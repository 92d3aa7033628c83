//! One-to-one message extensions (key-value pairs on a message) on PostgreSQL.

use std::collections::HashSet;

use sqlx::{PgPool, Postgres, Row, Transaction};

use super::c2c::find;
use crate::{
    C2cMessageRef, ExtensionChange, ExtensionItem, ExtensionOutcome, ExtensionRead, Extensions,
    StoreResult,
};

pub(crate) async fn read(
    pool: &PgPool,
    app: u64,
    target: &C2cMessageRef,
    start_seq: u64,
    limit: usize,
) -> StoreResult<ExtensionRead> {
    // A read-only transaction: the message's versions and its keys are one snapshot.
    let mut tx = pool.begin().await?;
    let Some(row) = find(&mut tx, app, target).await? else {
        return Ok(ExtensionRead::NoMessage);
    };
    let (id, latest_seq, clear_seq) = (row.id, row.ext_latest_seq, row.ext_clear_seq);
    if !row.supports_extension {
        return Ok(ExtensionRead::NotEnabled);
    }
    let rows = sqlx::query(
        "SELECT key, value, seq FROM c2c_extensions WHERE message_id = $1 AND seq >= $2
         ORDER BY seq, key LIMIT $3",
    )
    .bind(id)
    .bind(crate::position(start_seq))
    .bind(limit as i64)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ExtensionRead::Found(Extensions {
        latest_seq,
        clear_seq,
        items: rows
            .iter()
            .map(|r| ExtensionItem {
                key: r.get(0),
                value: r.get(1),
                seq: r.get::<i64, _>(2) as u64,
            })
            .collect(),
    }))
}

pub(crate) async fn change(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    target: &C2cMessageRef,
    mut change: ExtensionChange,
    seen: &[(String, u64)],
    max_keys: usize,
) -> StoreResult<ExtensionOutcome> {
    let Some(row) = find(tx, app, target).await? else {
        return Ok(ExtensionOutcome::NoMessage);
    };
    if !row.supports_extension {
        return Ok(ExtensionOutcome::NotEnabled);
    }
    // Locked and read again, so that concurrent changes take versions one after the other and
    // each sees the keys the one before wrote.
    let (latest_seq, clear_seq): (i64, i64) = sqlx::query_as(
        "SELECT ext_latest_seq, ext_clear_seq FROM c2c_messages WHERE id = $1 FOR UPDATE",
    )
    .bind(row.id)
    .fetch_one(&mut **tx)
    .await?;
    let (id, latest_seq, clear_seq) = (row.id, latest_seq as u64, clear_seq as u64);
    let stored: Vec<ExtensionItem> = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT key, value, seq FROM c2c_extensions WHERE message_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(key, value, seq)| ExtensionItem {
        key,
        value,
        seq: seq as u64,
    })
    .collect();
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
                .filter(|k| !existing.contains(*k))
                .collect();
            if existing.len() + added.len() > max_keys {
                return Ok(ExtensionOutcome::TooManyKeys);
            }
            for (key, value) in pairs {
                sqlx::query(
                    "INSERT INTO c2c_extensions (app_id, message_id, key, value, seq) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (message_id, key) DO UPDATE SET value = EXCLUDED.value, seq = EXCLUDED.seq",
                )
                .bind(app as i64)
                .bind(id)
                .bind(key)
                .bind(value)
                .bind(seq as i64)
                .execute(&mut **tx)
                .await?;
                changed.push(ExtensionItem {
                    key: key.clone(),
                    value: value.clone(),
                    seq,
                });
            }
        }
        ExtensionChange::Delete(keys) => {
            sqlx::query("DELETE FROM c2c_extensions WHERE message_id = $1 AND key = ANY($2)")
                .bind(id)
                .bind(keys)
                .execute(&mut **tx)
                .await?;
            changed = keys
                .iter()
                .map(|key| ExtensionItem {
                    key: key.clone(),
                    value: String::new(),
                    seq,
                })
                .collect();
        }
        ExtensionChange::Clear => {
            sqlx::query("DELETE FROM c2c_extensions WHERE message_id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            clear_seq = seq;
        }
    }
    sqlx::query("UPDATE c2c_messages SET ext_latest_seq = $2, ext_clear_seq = $3 WHERE id = $1")
        .bind(id)
        .bind(seq as i64)
        .bind(clear_seq as i64)
        .execute(&mut **tx)
        .await?;
    Ok(ExtensionOutcome::Changed { changed, conflicts })
}
