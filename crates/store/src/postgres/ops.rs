//! Operations counters and message archives on PostgreSQL.

use async_trait::async_trait;
use natter_core::ops::OpsBatch;
use natter_core::AppId;
use sqlx::Row;

use super::{migrations, PostgresStore};
use crate::{ArchiveCursor, ArchiveKind, ArchivedMessage, OpsDays, OpsStore, StoreResult};

/// One statement per kind of update, each taking the whole batch as arrays, so a flush is three
/// round trips however many counters moved.
pub(super) async fn record(db: &PostgresStore, batch: OpsBatch) -> StoreResult<()> {
    type Keyed = (Vec<i64>, Vec<i64>, Vec<String>, Vec<i64>);
    fn columns<'a>(rows: impl Iterator<Item = (&'a (u64, u32, &'static str), &'a i64)>) -> Keyed {
        let mut c: Keyed = Default::default();
        for ((app, day, field), v) in rows {
            c.0.push(*app as i64);
            c.1.push(*day as i64);
            c.2.push((*field).to_owned());
            c.3.push(*v);
        }
        c
    }
    let mut tx = db.begin().await?;
    let (apps, days, fields, values) = columns(batch.counts.iter());
    sqlx::query(
        "INSERT INTO ops_counters (app_id, day, field, value)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[])
         ON CONFLICT (app_id, day, field) DO UPDATE SET value = ops_counters.value + excluded.value",
    )
    .bind(apps)
    .bind(days)
    .bind(fields)
    .bind(values)
    .execute(&mut *tx)
    .await?;
    let (apps, days, fields, values) = columns(batch.peaks.iter());
    sqlx::query(
        "INSERT INTO ops_counters (app_id, day, field, value)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[])
         ON CONFLICT (app_id, day, field)
         DO UPDATE SET value = GREATEST(ops_counters.value, excluded.value)",
    )
    .bind(apps)
    .bind(days)
    .bind(fields)
    .bind(values)
    .execute(&mut *tx)
    .await?;
    let (mut apps, mut days, mut fields, mut members) = (vec![], vec![], vec![], vec![]);
    for (app, day, field, member) in batch.members {
        apps.push(app as i64);
        days.push(day as i64);
        fields.push(field.to_owned());
        members.push(member);
    }
    sqlx::query(
        "INSERT INTO ops_members (app_id, day, field, member)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[])
         ON CONFLICT DO NOTHING",
    )
    .bind(apps)
    .bind(days)
    .bind(fields)
    .bind(members)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn days(
    db: &PostgresStore,
    app: u64,
    first: u32,
    last: u32,
) -> StoreResult<OpsDays> {
    let app = app as i64;
    let rows = sqlx::query(
        "SELECT day, field, value FROM ops_counters WHERE app_id = $1 AND day BETWEEN $2 AND $3
         UNION ALL
         SELECT day, field, COUNT(*) FROM ops_members
         WHERE app_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day, field",
    )
    .bind(app)
    .bind(first as i64)
    .bind(last as i64)
    .fetch_all(&db.pool)
    .await?;
    let values = rows
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)? as u32, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE app_id = $1")
        .bind(app)
        .fetch_one(&db.pool)
        .await?;
    let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups WHERE app_id = $1")
        .bind(app)
        .fetch_one(&db.pool)
        .await?;
    Ok(OpsDays {
        values,
        accounts: accounts as u64,
        groups: groups as u64,
    })
}

pub(super) async fn archive(
    db: &PostgresStore,
    app: u64,
    kind: ArchiveKind,
    from: i64,
    to: i64,
    after: Option<ArchiveCursor>,
    limit: usize,
) -> StoreResult<Vec<ArchivedMessage>> {
    let after = after.unwrap_or(ArchiveCursor {
        time: from - 1,
        key: String::new(),
        n: 0,
    });
    let rows = match kind {
        ArchiveKind::C2c => {
            sqlx::query(
                "SELECT id, from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data
                 FROM c2c_messages
                 WHERE app_id = $1 AND msg_time >= $2 AND msg_time < $3 AND (msg_time, id) > ($4, $5)
                 ORDER BY msg_time, id LIMIT $6",
            )
            .bind(app as i64)
            .bind(from)
            .bind(to)
            .bind(after.time)
            .bind(after.n)
            .bind(limit as i64)
            .fetch_all(&db.pool)
            .await?
        }
        ArchiveKind::Group => {
            sqlx::query(
                "SELECT group_id, from_account, msg_seq, msg_random, msg_time, body, cloud_custom_data
                 FROM group_messages
                 WHERE app_id = $1 AND msg_time >= $2 AND msg_time < $3 AND recalled <> 2
                   AND (msg_time, group_id, msg_seq) > ($4, $5, $6)
                 ORDER BY msg_time, group_id, msg_seq LIMIT $7",
            )
            .bind(app as i64)
            .bind(from)
            .bind(to)
            .bind(after.time)
            .bind(&after.key)
            .bind(after.n)
            .bind(limit as i64)
            .fetch_all(&db.pool)
            .await?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(match kind {
            ArchiveKind::C2c => {
                let time: i64 = r.try_get(5)?;
                ArchivedMessage {
                    from: r.try_get(1)?,
                    to: r.try_get(2)?,
                    msg_seq: r.try_get::<i64, _>(3)? as u64,
                    msg_random: r.try_get::<i64, _>(4)? as u64,
                    msg_time: time,
                    body: r.try_get(6)?,
                    cloud_custom_data: r.try_get(7)?,
                    cursor: ArchiveCursor {
                        time,
                        key: String::new(),
                        n: r.try_get(0)?,
                    },
                }
            }
            ArchiveKind::Group => {
                let group: String = r.try_get(0)?;
                let time: i64 = r.try_get(4)?;
                let seq: i64 = r.try_get(2)?;
                ArchivedMessage {
                    from: r.try_get(1)?,
                    to: group.clone(),
                    msg_seq: seq as u64,
                    msg_random: r.try_get::<i64, _>(3)? as u64,
                    msg_time: time,
                    body: r.try_get(5)?,
                    cloud_custom_data: r.try_get(6)?,
                    cursor: ArchiveCursor {
                        time,
                        key: group,
                        n: seq,
                    },
                }
            }
        });
    }
    Ok(out)
}

pub(super) async fn purge(db: &PostgresStore, before: u32) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let mut gone = 0;
    for table in ["ops_counters", "ops_members"] {
        gone += sqlx::query(&format!("DELETE FROM {table} WHERE day < $1"))
            .bind(before as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(gone)
}

#[async_trait]
impl OpsStore for PostgresStore {
    async fn record_ops(&self, batch: natter_core::ops::OpsBatch) -> StoreResult<()> {
        self.detached(move |db| async move { record(&db, batch).await })
            .await
    }

    async fn ops_days(&self, app: AppId, first: u32, last: u32) -> StoreResult<crate::OpsDays> {
        self.detached(move |db| async move { days(&db, app, first, last).await })
            .await
    }

    async fn purge_ops(&self, before: u32) -> StoreResult<u64> {
        self.detached(move |db| async move { purge(&db, before).await })
            .await
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
        self.detached(
            move |db| async move { archive(&db, app, kind, from, to, after, limit).await },
        )
        .await
    }

    async fn reset_app(&self, app: AppId) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            for table in migrations::APP_TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
                    .bind(app as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
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
