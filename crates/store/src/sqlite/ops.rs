//! Operations counters and message archives on SQLite.

use async_trait::async_trait;
use natter_core::ops::OpsBatch;
use natter_core::AppId;
use rusqlite::{params, Connection, Row};

use super::{migrations, SqliteStore};
use crate::{ArchiveCursor, ArchiveKind, ArchivedMessage, OpsDays, OpsStore, StoreResult};

pub(crate) fn record(conn: &Connection, batch: &OpsBatch) -> StoreResult<()> {
    let mut add = conn.prepare_cached(
        "INSERT INTO ops_counters (app_id, day, field, value) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (app_id, day, field) DO UPDATE SET value = value + excluded.value",
    )?;
    for ((app, day, field), n) in &batch.counts {
        add.execute(params![*app as i64, day, field, n])?;
    }
    let mut peak = conn.prepare_cached(
        "INSERT INTO ops_counters (app_id, day, field, value) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (app_id, day, field) DO UPDATE SET value = MAX(value, excluded.value)",
    )?;
    for ((app, day, field), v) in &batch.peaks {
        peak.execute(params![*app as i64, day, field, v])?;
    }
    let mut member = conn.prepare_cached(
        "INSERT INTO ops_members (app_id, day, field, member) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
    )?;
    for (app, day, field, who) in &batch.members {
        member.execute(params![*app as i64, day, field, who])?;
    }
    Ok(())
}

pub(crate) fn days(conn: &Connection, app: u64, first: u32, last: u32) -> StoreResult<OpsDays> {
    let app = app as i64;
    let mut values = Vec::new();
    let row =
        |r: &Row| -> rusqlite::Result<(u32, String, i64)> { Ok((r.get(0)?, r.get(1)?, r.get(2)?)) };
    let mut stmt = conn.prepare_cached(
        "SELECT day, field, value FROM ops_counters WHERE app_id = ?1 AND day BETWEEN ?2 AND ?3",
    )?;
    for r in stmt.query_map(params![app, first, last], row)? {
        values.push(r?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT day, field, COUNT(*) FROM ops_members
         WHERE app_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, field",
    )?;
    for r in stmt.query_map(params![app, first, last], row)? {
        values.push(r?);
    }
    let count = |sql: &str| -> StoreResult<u64> {
        let n: i64 = conn.prepare_cached(sql)?.query_row([app], |r| r.get(0))?;
        Ok(n as u64)
    };
    Ok(OpsDays {
        values,
        accounts: count("SELECT COUNT(*) FROM accounts WHERE app_id = ?1")?,
        groups: count("SELECT COUNT(*) FROM groups WHERE app_id = ?1")?,
    })
}

pub(crate) fn archive(
    conn: &Connection,
    app: u64,
    kind: ArchiveKind,
    from: i64,
    to: i64,
    after: Option<ArchiveCursor>,
    limit: usize,
) -> StoreResult<Vec<ArchivedMessage>> {
    // Start just before the hour when there is no cursor: every real position sorts after it.
    let after = after.unwrap_or(ArchiveCursor {
        time: from - 1,
        key: String::new(),
        n: 0,
    });
    let mut out = Vec::new();
    match kind {
        ArchiveKind::C2c => {
            let mut stmt = conn.prepare_cached(
                "SELECT id, from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data
                 FROM c2c_messages
                 WHERE app_id = ?1 AND msg_time >= ?2 AND msg_time < ?3
                   AND (msg_time > ?4 OR (msg_time = ?4 AND id > ?5))
                 ORDER BY msg_time, id LIMIT ?6",
            )?;
            let rows = stmt.query_map(
                params![app as i64, from, to, after.time, after.n, limit as i64],
                |r| {
                    let time: i64 = r.get(5)?;
                    let id: i64 = r.get(0)?;
                    Ok(ArchivedMessage {
                        from: r.get(1)?,
                        to: r.get(2)?,
                        msg_seq: r.get::<_, i64>(3)? as u64,
                        msg_random: r.get::<_, i64>(4)? as u64,
                        msg_time: time,
                        body: r.get(6)?,
                        cloud_custom_data: r.get(7)?,
                        cursor: ArchiveCursor {
                            time,
                            key: String::new(),
                            n: id,
                        },
                    })
                },
            )?;
            for r in rows {
                out.push(r?);
            }
        }
        ArchiveKind::Group => {
            let mut stmt = conn.prepare_cached(
                "SELECT group_id, from_account, msg_seq, msg_random, msg_time, body, cloud_custom_data
                 FROM group_messages
                 WHERE app_id = ?1 AND msg_time >= ?2 AND msg_time < ?3 AND recalled <> 2
                   AND (msg_time > ?4 OR (msg_time = ?4 AND (group_id > ?5 OR (group_id = ?5 AND msg_seq > ?6))))
                 ORDER BY msg_time, group_id, msg_seq LIMIT ?7",
            )?;
            let rows = stmt.query_map(
                params![
                    app as i64,
                    from,
                    to,
                    after.time,
                    after.key,
                    after.n,
                    limit as i64
                ],
                |r| {
                    let group: String = r.get(0)?;
                    let time: i64 = r.get(4)?;
                    let seq: i64 = r.get(2)?;
                    Ok(ArchivedMessage {
                        from: r.get(1)?,
                        to: group.clone(),
                        msg_seq: seq as u64,
                        msg_random: r.get::<_, i64>(3)? as u64,
                        msg_time: time,
                        body: r.get(5)?,
                        cloud_custom_data: r.get(6)?,
                        cursor: ArchiveCursor {
                            time,
                            key: group,
                            n: seq,
                        },
                    })
                },
            )?;
            for r in rows {
                out.push(r?);
            }
        }
    }
    Ok(out)
}

pub(crate) fn purge(conn: &Connection, before: u32) -> StoreResult<u64> {
    let counters = conn
        .prepare_cached("DELETE FROM ops_counters WHERE day < ?1")?
        .execute([before])?;
    let members = conn
        .prepare_cached("DELETE FROM ops_members WHERE day < ?1")?
        .execute([before])?;
    Ok((counters + members) as u64)
}

#[async_trait]
impl OpsStore for SqliteStore {
    async fn record_ops(&self, batch: natter_core::ops::OpsBatch) -> StoreResult<()> {
        self.write(move |conn| record(conn, &batch)).await
    }

    async fn ops_days(&self, app: AppId, first: u32, last: u32) -> StoreResult<crate::OpsDays> {
        self.readers
            .read(move |conn| days(conn, app, first, last))
            .await
    }

    async fn purge_ops(&self, before: u32) -> StoreResult<u64> {
        self.write(move |conn| purge(conn, before)).await
    }

    async fn archive_page(
        &self,
        app: AppId,
        kind: crate::ArchiveKind,
        from: i64,
        to: i64,
        after: Option<crate::ArchiveCursor>,
        limit: usize,
    ) -> StoreResult<Vec<crate::ArchivedMessage>> {
        self.readers
            .read(move |conn| archive(conn, app, kind, from, to, after, limit))
            .await
    }

    async fn reset_app(&self, app: AppId) -> StoreResult<()> {
        self.write(move |conn| {
            for table in migrations::APP_TABLES {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE app_id = ?1"),
                    [app as i64],
                )?;
            }
            Ok(())
        })
        .await?;
        self.remove_app_files(app)
    }

    async fn export_app(
        &self,
        app: AppId,
        out: tokio::sync::mpsc::Sender<crate::dump::DumpItem>,
    ) -> StoreResult<()> {
        self.export_app_impl(app, out).await
    }

    async fn import_app(
        &self,
        app: AppId,
        options: crate::dump::ImportOptions,
        input: tokio::sync::mpsc::Receiver<crate::dump::DumpItem>,
    ) -> StoreResult<crate::dump::ImportOutcome> {
        self.import_app_impl(app, options, input).await
    }

    async fn put_snapshot(
        &self,
        app: AppId,
        name: String,
        data: Vec<u8>,
        created_ms: i64,
    ) -> StoreResult<()> {
        self.put_snapshot_impl(app, name, data, created_ms).await
    }

    async fn get_snapshot(&self, app: AppId, name: String) -> StoreResult<Option<Vec<u8>>> {
        self.get_snapshot_impl(app, name).await
    }

    async fn list_snapshots(&self, app: AppId) -> StoreResult<Vec<crate::dump::SnapshotInfo>> {
        self.list_snapshots_impl(app).await
    }

    async fn delete_snapshot(&self, app: AppId, name: String) -> StoreResult<bool> {
        self.delete_snapshot_impl(app, name).await
    }

    async fn app_table_lists(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        self.app_table_lists_impl().await
    }
}
