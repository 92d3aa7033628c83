//! Push to all users on SQLite: labels, attribute names and push tasks (rules in `crate::push`).
//! Writes run on the single writer, so a load-change-write is never interleaved with another.

use std::collections::BTreeMap;

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, Connection};

use super::SqliteStore;
use crate::push::apply;
use crate::{
    PushLabelChange, PushLabels, PushProgress, PushStore, PushTarget, PushTaskRecord, StoreResult,
};

fn load_labels(conn: &Connection, app: AppId, user: &str) -> StoreResult<PushLabels> {
    let mut labels = PushLabels::default();
    let mut tags =
        conn.prepare_cached("SELECT tag FROM push_user_tags WHERE app_id = ?1 AND user_id = ?2")?;
    for tag in tags.query_map(params![app as i64, user], |r| r.get::<_, String>(0))? {
        labels.tags.insert(tag?);
    }
    let mut attrs = conn.prepare_cached(
        "SELECT attr_index, value FROM push_user_attrs WHERE app_id = ?1 AND user_id = ?2",
    )?;
    let rows = attrs.query_map(params![app as i64, user], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (index, value) = row?;
        labels.attrs.insert(index as u32, value);
    }
    Ok(labels)
}

fn write_labels(conn: &Connection, app: AppId, user: &str, labels: &PushLabels) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM push_user_tags WHERE app_id = ?1 AND user_id = ?2")?
        .execute(params![app as i64, user])?;
    conn.prepare_cached("DELETE FROM push_user_attrs WHERE app_id = ?1 AND user_id = ?2")?
        .execute(params![app as i64, user])?;
    let mut tag = conn
        .prepare_cached("INSERT INTO push_user_tags (app_id, user_id, tag) VALUES (?1, ?2, ?3)")?;
    for t in &labels.tags {
        tag.execute(params![app as i64, user, t])?;
    }
    let mut attr = conn.prepare_cached(
        "INSERT INTO push_user_attrs (app_id, user_id, attr_index, value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (index, value) in &labels.attrs {
        attr.execute(params![app as i64, user, *index as i64, value])?;
    }
    Ok(())
}

/// Removes a deleted account's push labels (with the account, in its transaction).
pub(super) fn delete_account(conn: &Connection, app: AppId, user: &str) -> StoreResult<()> {
    write_labels(conn, app, user, &PushLabels::default())
}

const TASK_COLUMNS: &str =
    "task_id, created_ms, spec, cursor, scanned, delivered, done, finished_ms";

fn task(row: &rusqlite::Row<'_>) -> rusqlite::Result<PushTaskRecord> {
    Ok(PushTaskRecord {
        task_id: row.get(0)?,
        created_ms: row.get(1)?,
        spec: row.get(2)?,
        cursor: row.get(3)?,
        scanned: row.get::<_, i64>(4)? as u64,
        delivered: row.get::<_, i64>(5)? as u64,
        done: row.get::<_, i64>(6)? != 0,
        finished_ms: row.get(7)?,
    })
}

impl SqliteStore {
    pub(super) async fn push_attr_names_impl(&self, app: AppId) -> StoreResult<Vec<(u32, String)>> {
        self.readers
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT attr_index, name FROM push_attr_names WHERE app_id = ?1
                     ORDER BY attr_index",
                )?;
                let rows = stmt.query_map(params![app as i64], |r| {
                    Ok((r.get::<_, i64>(0)? as u32, r.get::<_, String>(1)?))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
    }

    pub(super) async fn set_push_attr_names_impl(
        &self,
        app: AppId,
        names: Vec<(u32, String)>,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM push_attr_names WHERE app_id = ?1")?
                .execute(params![app as i64])?;
            let mut insert = conn.prepare_cached(
                "INSERT INTO push_attr_names (app_id, attr_index, name) VALUES (?1, ?2, ?3)",
            )?;
            for (index, name) in &names {
                insert.execute(params![app as i64, *index as i64, name])?;
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn push_labels_impl(
        &self,
        app: AppId,
        users: Vec<String>,
    ) -> StoreResult<Vec<PushLabels>> {
        self.readers
            .read(move |conn| users.iter().map(|u| load_labels(conn, app, u)).collect())
            .await
    }

    pub(super) async fn change_push_labels_impl(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>> {
        self.write(move |conn| {
            let mut state = BTreeMap::new();
            for user in change.users() {
                let labels = load_labels(conn, app, &user)?;
                state.insert(user, labels);
            }
            let touched = match apply(&change, &mut state, max_tags) {
                Ok(touched) => touched,
                Err(user) => return Ok(Err(user)),
            };
            for user in touched {
                write_labels(conn, app, &user, &state[&user])?;
            }
            Ok(Ok(()))
        })
        .await
    }

    pub(super) async fn push_targets_impl(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        self.readers
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT user_id FROM accounts WHERE app_id = ?1 AND user_id > ?2
                     ORDER BY user_id LIMIT ?3",
                )?;
                let users = stmt
                    .query_map(params![app as i64, after, limit as i64], |r| {
                        r.get::<_, String>(0)
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut labels: BTreeMap<String, PushLabels> = users
                    .iter()
                    .map(|u| (u.clone(), PushLabels::default()))
                    .collect();
                if let (true, Some(last)) = (with_labels, users.last()) {
                    // The page's labels in two range reads (the page is a key range).
                    let mut tags = conn.prepare_cached(
                        "SELECT user_id, tag FROM push_user_tags
                         WHERE app_id = ?1 AND user_id > ?2 AND user_id <= ?3",
                    )?;
                    let rows = tags.query_map(params![app as i64, after, last], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?;
                    for row in rows {
                        let (user, tag) = row?;
                        if let Some(l) = labels.get_mut(&user) {
                            l.tags.insert(tag);
                        }
                    }
                    let mut attrs = conn.prepare_cached(
                        "SELECT user_id, attr_index, value FROM push_user_attrs
                         WHERE app_id = ?1 AND user_id > ?2 AND user_id <= ?3",
                    )?;
                    let rows = attrs.query_map(params![app as i64, after, last], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    })?;
                    for row in rows {
                        let (user, index, value) = row?;
                        if let Some(l) = labels.get_mut(&user) {
                            l.attrs.insert(index as u32, value);
                        }
                    }
                }
                Ok(users
                    .into_iter()
                    .map(|user_id| {
                        let labels = labels.remove(&user_id).unwrap_or_default();
                        PushTarget { user_id, labels }
                    })
                    .collect())
            })
            .await
    }

    pub(super) async fn create_push_task_impl(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO push_tasks (app_id, task_id, created_ms, spec, cursor, scanned,
                     delivered, done, finished_ms, owner, leased_until_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                app as i64,
                task.task_id,
                task.created_ms,
                task.spec,
                task.cursor,
                task.scanned as i64,
                task.delivered as i64,
                i64::from(task.done),
                task.finished_ms,
                owner,
                lease_until_ms
            ])?;
            Ok(())
        })
        .await
    }

    pub(super) async fn claim_push_tasks_impl(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
        self.write(move |conn| {
            let sql = format!(
                "SELECT app_id, {TASK_COLUMNS} FROM push_tasks
                 WHERE done = 0 AND leased_until_ms < ?1 ORDER BY created_ms LIMIT ?2"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let claimable = stmt
                .query_map(params![now_ms, limit as i64], |r| {
                    let app: i64 = r.get(0)?;
                    let rest = PushTaskRecord {
                        task_id: r.get(1)?,
                        created_ms: r.get(2)?,
                        spec: r.get(3)?,
                        cursor: r.get(4)?,
                        scanned: r.get::<_, i64>(5)? as u64,
                        delivered: r.get::<_, i64>(6)? as u64,
                        done: r.get::<_, i64>(7)? != 0,
                        finished_ms: r.get(8)?,
                    };
                    Ok((app as AppId, rest))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut lease = conn.prepare_cached(
                "UPDATE push_tasks SET owner = ?1, leased_until_ms = ?2
                 WHERE app_id = ?3 AND task_id = ?4",
            )?;
            for (app, task) in &claimable {
                lease.execute(params![owner, lease_until_ms, *app as i64, task.task_id])?;
            }
            Ok(claimable)
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn advance_push_task_impl(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
        progress: PushProgress,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE push_tasks SET cursor = ?1, scanned = scanned + ?2,
                         delivered = delivered + ?3, done = ?4,
                         finished_ms = CASE WHEN ?4 = 1 THEN ?5 ELSE 0 END, leased_until_ms = ?6
                     WHERE app_id = ?7 AND task_id = ?8 AND owner = ?9 AND done = 0",
                )?
                .execute(params![
                    progress.cursor,
                    progress.scanned as i64,
                    progress.delivered as i64,
                    i64::from(progress.done),
                    now_ms,
                    lease_until_ms,
                    app as i64,
                    task_id,
                    owner
                ])?;
            Ok(changed == 1)
        })
        .await
    }

    pub(super) async fn release_push_task_impl(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE push_tasks SET leased_until_ms = 0
                 WHERE app_id = ?1 AND task_id = ?2 AND owner = ?3",
            )?
            .execute(params![app as i64, task_id, owner])?;
            Ok(())
        })
        .await
    }

    pub(super) async fn push_tasks_impl(
        &self,
        app: AppId,
        limit: usize,
    ) -> StoreResult<Vec<PushTaskRecord>> {
        self.readers
            .read(move |conn| {
                let sql = format!(
                    "SELECT {TASK_COLUMNS} FROM push_tasks WHERE app_id = ?1
                     ORDER BY created_ms DESC, task_id DESC LIMIT ?2"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![app as i64, limit as i64], task)?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await
    }
}

#[async_trait]
impl PushStore for SqliteStore {
    async fn push_attr_names(&self, app: AppId) -> StoreResult<Vec<(u32, String)>> {
        self.push_attr_names_impl(app).await
    }

    async fn set_push_attr_names(&self, app: AppId, names: Vec<(u32, String)>) -> StoreResult<()> {
        self.set_push_attr_names_impl(app, names).await
    }

    async fn push_labels(&self, app: AppId, users: Vec<String>) -> StoreResult<Vec<PushLabels>> {
        self.push_labels_impl(app, users).await
    }

    async fn change_push_labels(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>> {
        self.change_push_labels_impl(app, change, max_tags).await
    }

    async fn push_targets(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        self.push_targets_impl(app, after, limit, with_labels).await
    }

    async fn create_push_task(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.create_push_task_impl(app, task, owner, lease_until_ms)
            .await
    }

    async fn claim_push_tasks(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
        self.claim_push_tasks_impl(owner, now_ms, lease_until_ms, limit)
            .await
    }

    async fn advance_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
        progress: PushProgress,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> StoreResult<bool> {
        self.advance_push_task_impl(app, task_id, owner, progress, now_ms, lease_until_ms)
            .await
    }

    async fn release_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()> {
        self.release_push_task_impl(app, task_id, owner).await
    }

    async fn push_tasks(&self, app: AppId, limit: usize) -> StoreResult<Vec<PushTaskRecord>> {
        self.push_tasks_impl(app, limit).await
    }
}
