//! Accounts and their profiles in SQLite: imports, deletes, kicks, listing, profile items.

use std::collections::HashMap;

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, OptionalExtension};

use super::*;
use crate::{AccountImport, AccountStore, OutboxEvent, ProfileValue, StoreResult, StoredFile};

impl SqliteStore {
    pub(super) async fn import_accounts_impl(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            let mut insert = conn.prepare_cached(
                "INSERT INTO accounts (app_id, user_id, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (app_id, user_id) DO NOTHING",
            )?;
            for account in &accounts {
                insert.execute(params![app as i64, account.user_id, now_ms])?;
                put_profile_items(conn, app, &account.user_id, &account.profile, now_ms)?;
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn delete_accounts_impl(
        &self,
        app: AppId,
        user_ids: Vec<String>,
    ) -> StoreResult<Vec<bool>> {
        self.write(move |conn| {
            let mut existed = Vec::with_capacity(user_ids.len());
            for user_id in &user_ids {
                let gone = conn
                    .prepare_cached("DELETE FROM accounts WHERE app_id = ?1 AND user_id = ?2")?
                    .execute(params![app as i64, user_id])?;
                conn.prepare_cached(
                    "DELETE FROM profile_items WHERE app_id = ?1 AND user_id = ?2",
                )?
                .execute(params![app as i64, user_id])?;
                relations::delete_account(conn, app, user_id)?;
                super::follows::delete_account(conn, app, user_id)?;
                moderation::delete_account(conn, app, user_id)?;
                push::delete_account(conn, app, user_id)?;
                existed.push(gone > 0);
            }
            Ok(existed)
        })
        .await
    }

    pub(super) async fn set_kicked_impl(
        &self,
        app: AppId,
        user: String,
        at_secs: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO user_kicks (app_id, user_id, kicked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (app_id, user_id) DO UPDATE SET kicked_at = excluded.kicked_at",
            )?
            .execute(params![app as i64, user, at_secs])?;
            Ok(())
        })
        .await
    }

    pub(super) async fn kicked_at_impl(
        &self,
        app: AppId,
        user: String,
    ) -> StoreResult<Option<i64>> {
        self.readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT kicked_at FROM user_kicks WHERE app_id = ?1 AND user_id = ?2",
                    )?
                    .query_row(params![app as i64, user], |row| row.get(0))
                    .optional()?)
            })
            .await
    }

    pub(super) async fn list_accounts_impl(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.readers
            .read(move |conn| {
                // UserIDs are printable ASCII (0x20–0x7e), so every ID that begins with the
                // prefix lies in [prefix, prefix + 0x7f) in byte order, and only those do.
                let upper = format!("{prefix}\u{7f}");
                let mut stmt = conn.prepare_cached(
                    "SELECT user_id FROM accounts WHERE app_id = ?1 AND user_id > ?2 \
                     AND user_id >= ?3 AND user_id < ?4 ORDER BY user_id LIMIT ?5",
                )?;
                let rows = stmt.query_map(
                    params![app as i64, after, prefix, upper, limit as i64],
                    |r| r.get::<_, String>(0),
                )?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    pub(super) async fn set_profile_impl(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        events: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            if !account_exists(conn, app, &user_id)? {
                return Ok(false);
            }
            put_profile_items(conn, app, &user_id, &items, now_ms)?;
            outbox::insert(conn, app, &events, now_ms)?;
            Ok(true)
        })
        .await
    }

    pub(super) async fn get_profiles_impl(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        self.readers
            .read(move |conn| {
                let mut found = HashMap::with_capacity(user_ids.len());
                // One statement per account (one read transaction): the account row, joined with
                // its profile items; an account without items still yields one row of NULLs.
                let mut select = conn.prepare_cached(
                    "SELECT p.tag, p.value FROM accounts a
                     LEFT JOIN profile_items p ON p.app_id = a.app_id AND p.user_id = a.user_id
                     WHERE a.app_id = ?1 AND a.user_id = ?2",
                )?;
                for user_id in user_ids {
                    if found.contains_key(&user_id) {
                        continue;
                    }
                    let mut rows = select.query(params![app as i64, user_id])?;
                    let mut items = None;
                    while let Some(row) = rows.next()? {
                        let items = items.get_or_insert_with(Vec::new);
                        let tag: Option<String> = row.get(0)?;
                        if let Some(tag) = tag.filter(|t| tags.contains(t)) {
                            items.push(parse_value(tag, row.get(1)?)?);
                        }
                    }
                    if let Some(items) = items {
                        found.insert(user_id, items);
                    }
                }
                Ok(found)
            })
            .await
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.import_accounts_impl(app, accounts, now_ms).await
    }

    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.delete_accounts_impl(app, user_ids).await
    }

    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.readers
            .read(move |conn| {
                user_ids
                    .iter()
                    .map(|id| account_exists(conn, app, id))
                    .collect()
            })
            .await
    }

    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.list_accounts_impl(app, prefix, after, limit).await
    }

    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()> {
        self.set_kicked_impl(app, user, at_secs).await
    }

    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>> {
        self.kicked_at_impl(app, user).await
    }

    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool> {
        self.put_file_impl(app, id, file).await
    }

    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>> {
        self.get_file_impl(app, id).await
    }

    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool> {
        self.set_global_mute_impl(app, user, c2c_until, group_until)
            .await
    }

    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<crate::GlobalMute> {
        self.global_mute_impl(app, user).await
    }

    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<crate::RobotCreate> {
        self.create_robot_impl(app, robot, max, now_ms).await
    }

    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.delete_robot_impl(app, user).await
    }

    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.robots_impl(app).await
    }

    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.is_robot_impl(app, user).await
    }

    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        events: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        self.set_profile_impl(app, user_id, items, now_ms, events)
            .await
    }

    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        self.get_profiles_impl(app, user_ids, tags).await
    }
}
