//! Push to all users on PostgreSQL: labels, attribute names and push tasks (rules in
//! `crate::push`). A label change locks its users (sorted, so two changes never deadlock) for
//! its transaction, so two changes of one user's tags run one after the other and the tag limit
//! holds; tasks are claimed with `FOR UPDATE SKIP LOCKED`, one node per task.

use std::collections::BTreeMap;

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::{PgConnection, Postgres, Row, Transaction};

use super::PostgresStore;
use crate::push::apply;
use crate::{
    PushLabelChange, PushLabels, PushProgress, PushStore, PushTarget, PushTaskRecord, StoreResult,
};

async fn load_labels(conn: &mut PgConnection, app: AppId, user: &str) -> StoreResult<PushLabels> {
    let mut labels = PushLabels::default();
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM push_user_tags WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(user)
            .fetch_all(&mut *conn)
            .await?;
    labels.tags.extend(tags);
    let rows = sqlx::query(
        "SELECT attr_index, value FROM push_user_attrs WHERE app_id = $1 AND user_id = $2",
    )
    .bind(app as i64)
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        labels.attrs.insert(r.get::<i64, _>(0) as u32, r.get(1));
    }
    Ok(labels)
}

async fn write_labels(
    tx: &mut Transaction<'static, Postgres>,
    app: AppId,
    user: &str,
    labels: &PushLabels,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM push_user_tags WHERE app_id = $1 AND user_id = $2")
        .bind(app as i64)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM push_user_attrs WHERE app_id = $1 AND user_id = $2")
        .bind(app as i64)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    if !labels.tags.is_empty() {
        let tags: Vec<&str> = labels.tags.iter().map(String::as_str).collect();
        sqlx::query(
            "INSERT INTO push_user_tags (app_id, user_id, tag) SELECT $1, $2, unnest($3::text[])",
        )
        .bind(app as i64)
        .bind(user)
        .bind(&tags)
        .execute(&mut **tx)
        .await?;
    }
    for (index, value) in &labels.attrs {
        sqlx::query(
            "INSERT INTO push_user_attrs (app_id, user_id, attr_index, value)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(app as i64)
        .bind(user)
        .bind(*index as i64)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Removes a deleted account's push labels (with the account, in its transaction).
pub(super) async fn delete_account(
    tx: &mut Transaction<'static, Postgres>,
    app: AppId,
    user: &str,
) -> StoreResult<()> {
    write_labels(tx, app, user, &PushLabels::default()).await
}

fn task(r: &sqlx::postgres::PgRow, from: usize) -> PushTaskRecord {
    PushTaskRecord {
        task_id: r.get(from),
        created_ms: r.get(from + 1),
        spec: r.get(from + 2),
        cursor: r.get(from + 3),
        scanned: r.get::<i64, _>(from + 4) as u64,
        delivered: r.get::<i64, _>(from + 5) as u64,
        done: r.get::<i64, _>(from + 6) != 0,
        finished_ms: r.get(from + 7),
    }
}

const TASK_COLUMNS: &str =
    "task_id, created_ms, spec, cursor, scanned, delivered, done, finished_ms";

pub(super) async fn attr_names(db: &PostgresStore, app: AppId) -> StoreResult<Vec<(u32, String)>> {
    let rows = sqlx::query(
        "SELECT attr_index, name FROM push_attr_names WHERE app_id = $1 ORDER BY attr_index",
    )
    .bind(app as i64)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get::<i64, _>(0) as u32, r.get(1)))
        .collect())
}

pub(super) async fn set_attr_names(
    db: &PostgresStore,
    app: AppId,
    names: Vec<(u32, String)>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM push_attr_names WHERE app_id = $1")
        .bind(app as i64)
        .execute(&mut *tx)
        .await?;
    for (index, name) in &names {
        sqlx::query("INSERT INTO push_attr_names (app_id, attr_index, name) VALUES ($1, $2, $3)")
            .bind(app as i64)
            .bind(*index as i64)
            .bind(name)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn labels(
    db: &PostgresStore,
    app: AppId,
    users: Vec<String>,
) -> StoreResult<Vec<PushLabels>> {
    let mut conn = db.pool.acquire().await?;
    let mut out = Vec::with_capacity(users.len());
    for user in &users {
        out.push(load_labels(&mut conn, app, user).await?);
    }
    Ok(out)
}

pub(super) async fn change_labels(
    db: &PostgresStore,
    app: AppId,
    change: PushLabelChange,
    max_tags: usize,
) -> StoreResult<Result<(), String>> {
    let mut tx = db.begin().await?;
    let users = change.users();
    for user in &users {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
            .bind(format!("push labels:{user}"))
            .bind(app as i64)
            .execute(&mut *tx)
            .await?;
    }
    let mut state = BTreeMap::new();
    for user in users {
        let labels = load_labels(&mut tx, app, &user).await?;
        state.insert(user, labels);
    }
    let touched = match apply(&change, &mut state, max_tags) {
        Ok(touched) => touched,
        Err(user) => return Ok(Err(user)),
    };
    for user in touched {
        write_labels(&mut tx, app, &user, &state[&user]).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

pub(super) async fn targets(
    db: &PostgresStore,
    app: AppId,
    after: String,
    limit: usize,
    with_labels: bool,
) -> StoreResult<Vec<PushTarget>> {
    let mut conn = db.pool.acquire().await?;
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM accounts WHERE app_id = $1 AND user_id > $2
         ORDER BY user_id LIMIT $3",
    )
    .bind(app as i64)
    .bind(&after)
    .bind(limit as i64)
    .fetch_all(&mut *conn)
    .await?;
    let mut labels: BTreeMap<String, PushLabels> = users
        .iter()
        .map(|u| (u.clone(), PushLabels::default()))
        .collect();
    if let (true, Some(last)) = (with_labels, users.last()) {
        // The page's labels in two range reads (the page is a key range).
        let rows = sqlx::query(
            "SELECT user_id, tag FROM push_user_tags
             WHERE app_id = $1 AND user_id > $2 AND user_id <= $3",
        )
        .bind(app as i64)
        .bind(&after)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            if let Some(l) = labels.get_mut(&r.get::<String, _>(0)) {
                l.tags.insert(r.get(1));
            }
        }
        let rows = sqlx::query(
            "SELECT user_id, attr_index, value FROM push_user_attrs
             WHERE app_id = $1 AND user_id > $2 AND user_id <= $3",
        )
        .bind(app as i64)
        .bind(&after)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            if let Some(l) = labels.get_mut(&r.get::<String, _>(0)) {
                l.attrs.insert(r.get::<i64, _>(1) as u32, r.get(2));
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
}

pub(super) async fn create_task(
    db: &PostgresStore,
    app: AppId,
    task: PushTaskRecord,
    owner: String,
    lease_until_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO push_tasks (app_id, task_id, created_ms, spec, cursor, scanned, delivered,
             done, finished_ms, owner, leased_until_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(app as i64)
    .bind(&task.task_id)
    .bind(task.created_ms)
    .bind(&task.spec)
    .bind(&task.cursor)
    .bind(task.scanned as i64)
    .bind(task.delivered as i64)
    .bind(i64::from(task.done))
    .bind(task.finished_ms)
    .bind(&owner)
    .bind(lease_until_ms)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn claim_tasks(
    db: &PostgresStore,
    owner: String,
    now_ms: i64,
    lease_until_ms: i64,
    limit: usize,
) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
    let sql = format!(
        "UPDATE push_tasks SET owner = $1, leased_until_ms = $2
         WHERE (app_id, task_id) IN (
             SELECT app_id, task_id FROM push_tasks
             WHERE done = 0 AND leased_until_ms < $3
             ORDER BY created_ms LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING app_id, {TASK_COLUMNS}"
    );
    let rows = sqlx::query(&sql)
        .bind(&owner)
        .bind(lease_until_ms)
        .bind(now_ms)
        .bind(limit as i64)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<i64, _>(0) as AppId, task(r, 1)))
        .collect())
}

pub(super) async fn advance_task(
    db: &PostgresStore,
    app: AppId,
    task_id: String,
    owner: String,
    progress: PushProgress,
    now_ms: i64,
    lease_until_ms: i64,
) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE push_tasks SET cursor = $1, scanned = scanned + $2, delivered = delivered + $3,
             done = $4, finished_ms = CASE WHEN $4 = 1 THEN $5 ELSE 0 END, leased_until_ms = $6
         WHERE app_id = $7 AND task_id = $8 AND owner = $9 AND done = 0",
    )
    .bind(&progress.cursor)
    .bind(progress.scanned as i64)
    .bind(progress.delivered as i64)
    .bind(i64::from(progress.done))
    .bind(now_ms)
    .bind(lease_until_ms)
    .bind(app as i64)
    .bind(&task_id)
    .bind(&owner)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub(super) async fn release_task(
    db: &PostgresStore,
    app: AppId,
    task_id: String,
    owner: String,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE push_tasks SET leased_until_ms = 0
         WHERE app_id = $1 AND task_id = $2 AND owner = $3",
    )
    .bind(app as i64)
    .bind(&task_id)
    .bind(&owner)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn tasks(
    db: &PostgresStore,
    app: AppId,
    limit: usize,
) -> StoreResult<Vec<PushTaskRecord>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM push_tasks WHERE app_id = $1
         ORDER BY created_ms DESC, task_id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(app as i64)
        .bind(limit as i64)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(|r| task(r, 0)).collect())
}

#[async_trait]
impl PushStore for PostgresStore {
    async fn push_attr_names(&self, app: AppId) -> StoreResult<Vec<(u32, String)>> {
        self.detached(move |db| async move { attr_names(&db, app).await })
            .await
    }

    async fn set_push_attr_names(&self, app: AppId, names: Vec<(u32, String)>) -> StoreResult<()> {
        self.detached(move |db| async move { set_attr_names(&db, app, names).await })
            .await
    }

    async fn push_labels(&self, app: AppId, users: Vec<String>) -> StoreResult<Vec<PushLabels>> {
        self.detached(move |db| async move { labels(&db, app, users).await })
            .await
    }

    async fn change_push_labels(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>> {
        self.detached(move |db| async move { change_labels(&db, app, change, max_tags).await })
            .await
    }

    async fn push_targets(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        self.detached(move |db| async move { targets(&db, app, after, limit, with_labels).await })
            .await
    }

    async fn create_push_task(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.detached(
            move |db| async move { create_task(&db, app, task, owner, lease_until_ms).await },
        )
        .await
    }

    async fn claim_push_tasks(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
        self.detached(move |db| async move {
            claim_tasks(&db, owner, now_ms, lease_until_ms, limit).await
        })
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
        self.detached(move |db| async move {
            advance_task(&db, app, task_id, owner, progress, now_ms, lease_until_ms).await
        })
        .await
    }

    async fn release_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()> {
        self.detached(move |db| async move { release_task(&db, app, task_id, owner).await })
            .await
    }

    async fn push_tasks(&self, app: AppId, limit: usize) -> StoreResult<Vec<PushTaskRecord>> {
        self.detached(move |db| async move { tasks(&db, app, limit).await })
            .await
    }
}
