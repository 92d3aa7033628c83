//! Global mutes and chatbots in SQLite (see `crate::moderation`). Writes run on the writer
//! thread, which runs one job at a time, so counting chatbots before adding one cannot race.

use natter_core::AppId;
use rusqlite::{params, OptionalExtension};

use super::{account_exists, put_profile_items, SqliteStore};
use crate::{AccountImport, GlobalMute, RobotCreate, StoreResult};

impl SqliteStore {
    pub(super) async fn set_global_mute_impl(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            if !account_exists(conn, app, &user)? {
                return Ok(false);
            }
            conn.prepare_cached(
                "INSERT INTO global_mutes (app_id, user_id, c2c_until, group_until)
                 VALUES (?1, ?2, COALESCE(?3, 0), COALESCE(?4, 0))
                 ON CONFLICT (app_id, user_id) DO UPDATE SET
                    c2c_until = COALESCE(?3, global_mutes.c2c_until),
                    group_until = COALESCE(?4, global_mutes.group_until)",
            )?
            .execute(params![app as i64, user, c2c_until, group_until])?;
            Ok(true)
        })
        .await
    }

    pub(super) async fn global_mute_impl(
        &self,
        app: AppId,
        user: String,
    ) -> StoreResult<GlobalMute> {
        self.readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT c2c_until, group_until FROM global_mutes
                         WHERE app_id = ?1 AND user_id = ?2",
                    )?
                    .query_row(params![app as i64, user], |row| {
                        Ok(GlobalMute {
                            c2c_until: row.get(0)?,
                            group_until: row.get(1)?,
                        })
                    })
                    .optional()?
                    .unwrap_or_default())
            })
            .await
    }

    pub(super) async fn create_robot_impl(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<RobotCreate> {
        self.write(move |conn| {
            let existed = is_robot(conn, app, &robot.user_id)?;
            if !existed {
                let count: i64 = conn
                    .prepare_cached("SELECT COUNT(*) FROM robots WHERE app_id = ?1")?
                    .query_row(params![app as i64], |row| row.get(0))?;
                if count as usize >= max {
                    return Ok(RobotCreate::Full);
                }
                conn.prepare_cached(
                    "INSERT INTO robots (app_id, user_id, created_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![app as i64, robot.user_id, now_ms])?;
            }
            conn.prepare_cached(
                "INSERT INTO accounts (app_id, user_id, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (app_id, user_id) DO NOTHING",
            )?
            .execute(params![app as i64, robot.user_id, now_ms])?;
            put_profile_items(conn, app, &robot.user_id, &robot.profile, now_ms)?;
            Ok(if existed {
                RobotCreate::Existed
            } else {
                RobotCreate::Created
            })
        })
        .await
    }

    pub(super) async fn delete_robot_impl(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.write(move |conn| {
            Ok(conn
                .prepare_cached("DELETE FROM robots WHERE app_id = ?1 AND user_id = ?2")?
                .execute(params![app as i64, user])?
                > 0)
        })
        .await
    }

    pub(super) async fn robots_impl(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.readers
            .read(move |conn| {
                let mut statement =
                    conn.prepare_cached("SELECT user_id FROM robots WHERE app_id = ?1")?;
                let rows = statement.query_map(params![app as i64], |row| row.get(0))?;
                let mut robots = rows.collect::<Result<Vec<String>, _>>()?;
                robots.sort();
                Ok(robots)
            })
            .await
    }

    pub(super) async fn is_robot_impl(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.readers
            .read(move |conn| is_robot(conn, app, &user))
            .await
    }
}

fn is_robot(conn: &rusqlite::Connection, app: AppId, user: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM robots WHERE app_id = ?1 AND user_id = ?2")?
        .query_row(params![app as i64, user], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Forgets a deleted account's mutes and chatbot row (in `delete_accounts`' job).
pub(super) fn delete_account(
    conn: &rusqlite::Connection,
    app: AppId,
    user: &str,
) -> StoreResult<()> {
    for table in ["global_mutes", "robots"] {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE app_id = ?1 AND user_id = ?2"
        ))?
        .execute(params![app as i64, user])?;
    }
    Ok(())
}
