//! Accounts and their profile items on PostgreSQL.

use std::collections::HashMap;

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::{Postgres, Row, Transaction};

use super::{files, moderation, outbox, relations, PostgresStore};
use crate::{
    AccountImport, AccountStore, OutboxEvent, ProfileValue, StoreError, StoreResult, StoredFile,
};

pub(super) async fn import(
    db: &PostgresStore,
    app: AppId,
    accounts: Vec<AccountImport>,
    now_ms: i64,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    for account in &accounts {
        sqlx::query(
            "INSERT INTO accounts (app_id, user_id, created_ms) VALUES ($1, $2, $3)
             ON CONFLICT (app_id, user_id) DO NOTHING",
        )
        .bind(app as i64)
        .bind(&account.user_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        put_profile_items(&mut tx, app, &account.user_id, &account.profile, now_ms).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn delete(
    db: &PostgresStore,
    app: AppId,
    user_ids: Vec<String>,
) -> StoreResult<Vec<bool>> {
    let mut tx = db.begin().await?;
    let mut existed = Vec::with_capacity(user_ids.len());
    for user_id in &user_ids {
        let gone = sqlx::query("DELETE FROM accounts WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM profile_items WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        relations::delete_account(&mut tx, app, user_id).await?;
        super::follows::delete_account(&mut tx, app, user_id).await?;
        super::moderation::delete_account(&mut tx, app, user_id).await?;
        super::push::delete_account(&mut tx, app, user_id).await?;
        existed.push(gone > 0);
    }
    tx.commit().await?;
    Ok(existed)
}

pub(super) async fn exist(
    db: &PostgresStore,
    app: AppId,
    user_ids: Vec<String>,
) -> StoreResult<Vec<bool>> {
    let rows = sqlx::query("SELECT user_id FROM accounts WHERE app_id = $1 AND user_id = ANY($2)")
        .bind(app as i64)
        .bind(&user_ids)
        .fetch_all(&db.pool)
        .await?;
    let found: std::collections::HashSet<String> =
        rows.iter().map(|r| r.get::<String, _>(0)).collect();
    Ok(user_ids.iter().map(|id| found.contains(id)).collect())
}

/// Byte order (`COLLATE "C"`), as SQLite's, whatever the database's collation: the pages and
/// the prefix range (see the SQLite backend) are the same on both engines.
pub(super) async fn list(
    db: &PostgresStore,
    app: AppId,
    prefix: String,
    after: String,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let upper = format!("{prefix}\u{7f}");
    let rows = sqlx::query(
        "SELECT user_id FROM accounts WHERE app_id = $1 AND user_id COLLATE \"C\" > $2 \
         AND user_id COLLATE \"C\" >= $3 AND user_id COLLATE \"C\" < $4 \
         ORDER BY user_id COLLATE \"C\" LIMIT $5",
    )
    .bind(app as i64)
    .bind(&after)
    .bind(&prefix)
    .bind(&upper)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}

pub(super) async fn set_profile(
    db: &PostgresStore,
    app: AppId,
    user_id: String,
    items: Vec<ProfileValue>,
    now_ms: i64,
    events: Vec<OutboxEvent>,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    // Locks the account row, so a concurrent delete cannot leave orphan profile items.
    let exists = sqlx::query("SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2 FOR SHARE")
        .bind(app as i64)
        .bind(&user_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !exists {
        return Ok(false);
    }
    put_profile_items(&mut tx, app, &user_id, &items, now_ms).await?;
    outbox::insert(&mut tx, app, &events, now_ms).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn get_profiles(
    db: &PostgresStore,
    app: AppId,
    user_ids: Vec<String>,
    tags: Vec<String>,
) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
    // One round trip: each existing account, joined with its requested items (an account
    // without any yields one row with NULL tag).
    let rows = sqlx::query(
        "SELECT a.user_id, p.tag, p.value FROM accounts a
         LEFT JOIN profile_items p
           ON p.app_id = a.app_id AND p.user_id = a.user_id AND p.tag = ANY($3)
         WHERE a.app_id = $1 AND a.user_id = ANY($2)",
    )
    .bind(app as i64)
    .bind(&user_ids)
    .bind(&tags)
    .fetch_all(&db.pool)
    .await?;
    let mut found: HashMap<String, Vec<ProfileValue>> = HashMap::with_capacity(rows.len());
    for row in rows {
        let items = found.entry(row.get(0)).or_default();
        let Some(tag) = row.get::<Option<String>, _>(1) else {
            continue;
        };
        let text: String = row.get(2);
        let value = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("profile item {tag}: {e}")))?;
        items.push(ProfileValue { tag, value });
    }
    Ok(found)
}

pub(super) async fn put_profile_items(
    tx: &mut Transaction<'static, Postgres>,
    app: AppId,
    user_id: &str,
    items: &[ProfileValue],
    now_ms: i64,
) -> StoreResult<()> {
    for item in items {
        sqlx::query(
            "INSERT INTO profile_items (app_id, user_id, tag, value, updated_ms) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (app_id, user_id, tag) DO UPDATE SET value = EXCLUDED.value, updated_ms = EXCLUDED.updated_ms",
        )
        .bind(app as i64)
        .bind(user_id)
        .bind(&item.tag)
        .bind(item.value.to_string())
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `im_open_login_svc/kick`: the second of the user's last kick.
pub(super) async fn set_kicked(
    db: &PostgresStore,
    app: AppId,
    user: String,
    at_secs: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO user_kicks (app_id, user_id, kicked_at) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, user_id) DO UPDATE SET kicked_at = excluded.kicked_at",
    )
    .bind(app as i64)
    .bind(&user)
    .bind(at_secs)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn kicked_at(
    db: &PostgresStore,
    app: AppId,
    user: String,
) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT kicked_at FROM user_kicks WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(&user)
            .fetch_optional(&db.pool)
            .await?,
    )
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move { import(&db, app, accounts, now_ms).await })
            .await
    }

    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.detached(move |db| async move { delete(&db, app, user_ids).await })
            .await
    }

    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.detached(move |db| async move { exist(&db, app, user_ids).await })
            .await
    }

    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.detached(move |db| async move { list(&db, app, prefix, after, limit).await })
            .await
    }

    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()> {
        self.detached(move |db| async move { set_kicked(&db, app, user, at_secs).await })
            .await
    }

    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>> {
        self.detached(move |db| async move { kicked_at(&db, app, user).await })
            .await
    }

    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool> {
        if !crate::is_file_id(&id) {
            return Err(crate::StoreError::Corrupt(format!("not a file id: {id:?}")));
        }
        self.detached(move |db| async move { files::put(&db, app, id, file).await })
            .await
    }

    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>> {
        self.detached(move |db| async move { files::get(&db, app, id).await })
            .await
    }

    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            moderation::set_global_mute(&db, app, user, c2c_until, group_until).await
        })
        .await
    }

    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<crate::GlobalMute> {
        self.detached(move |db| async move { moderation::global_mute(&db, app, user).await })
            .await
    }

    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<crate::RobotCreate> {
        self.detached(move |db| async move {
            moderation::create_robot(&db, app, robot, max, now_ms).await
        })
        .await
    }

    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.detached(move |db| async move { moderation::delete_robot(&db, app, user).await })
            .await
    }

    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.detached(move |db| async move { moderation::robots(&db, app).await })
            .await
    }

    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.detached(move |db| async move { moderation::is_robot(&db, app, user).await })
            .await
    }

    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        events: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            set_profile(&db, app, user_id, items, now_ms, events).await
        })
        .await
    }

    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        self.detached(move |db| async move { get_profiles(&db, app, user_ids, tags).await })
            .await
    }
}
