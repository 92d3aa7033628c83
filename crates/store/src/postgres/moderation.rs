//! Global mutes and chatbots on PostgreSQL (see `crate::moderation`). Creating a chatbot takes
//! a per-app transaction lock first, so two nodes never both add the app's last allowed one.

use natter_core::AppId;
use sqlx::{Postgres, Transaction};

use super::{accounts, PostgresStore};
use crate::{AccountImport, GlobalMute, RobotCreate, StoreResult};

pub(super) async fn set_global_mute(
    db: &PostgresStore,
    app: AppId,
    user: String,
    c2c_until: Option<i64>,
    group_until: Option<i64>,
) -> StoreResult<bool> {
    // One statement: the row is written only when the account exists.
    let written = sqlx::query(
        "INSERT INTO global_mutes (app_id, user_id, c2c_until, group_until)
         SELECT $1, $2, COALESCE($3::BIGINT, 0), COALESCE($4::BIGINT, 0)
         WHERE EXISTS (SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2)
         ON CONFLICT (app_id, user_id) DO UPDATE SET
            c2c_until = COALESCE($3::BIGINT, global_mutes.c2c_until),
            group_until = COALESCE($4::BIGINT, global_mutes.group_until)",
    )
    .bind(app as i64)
    .bind(&user)
    .bind(c2c_until)
    .bind(group_until)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(written > 0)
}

pub(super) async fn global_mute(
    db: &PostgresStore,
    app: AppId,
    user: String,
) -> StoreResult<GlobalMute> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT c2c_until, group_until FROM global_mutes WHERE app_id = $1 AND user_id = $2",
    )
    .bind(app as i64)
    .bind(&user)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row
        .map(|(c2c_until, group_until)| GlobalMute {
            c2c_until,
            group_until,
        })
        .unwrap_or_default())
}

pub(super) async fn create_robot(
    db: &PostgresStore,
    app: AppId,
    robot: AccountImport,
    max: usize,
    now_ms: i64,
) -> StoreResult<RobotCreate> {
    let mut tx = db.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('robots', $1))")
        .bind(app as i64)
        .execute(&mut *tx)
        .await?;
    let existed = is_robot_in(&mut tx, app, &robot.user_id).await?;
    if !existed {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM robots WHERE app_id = $1")
            .bind(app as i64)
            .fetch_one(&mut *tx)
            .await?;
        if count as usize >= max {
            return Ok(RobotCreate::Full);
        }
        sqlx::query("INSERT INTO robots (app_id, user_id, created_ms) VALUES ($1, $2, $3)")
            .bind(app as i64)
            .bind(&robot.user_id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO accounts (app_id, user_id, created_ms) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, user_id) DO NOTHING",
    )
    .bind(app as i64)
    .bind(&robot.user_id)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    accounts::put_profile_items(&mut tx, app, &robot.user_id, &robot.profile, now_ms).await?;
    tx.commit().await?;
    Ok(if existed {
        RobotCreate::Existed
    } else {
        RobotCreate::Created
    })
}

async fn is_robot_in(
    tx: &mut Transaction<'static, Postgres>,
    app: AppId,
    user: &str,
) -> StoreResult<bool> {
    Ok(
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM robots WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?
            .is_some(),
    )
}

pub(super) async fn delete_robot(
    db: &PostgresStore,
    app: AppId,
    user: String,
) -> StoreResult<bool> {
    Ok(
        sqlx::query("DELETE FROM robots WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(&user)
            .execute(&db.pool)
            .await?
            .rows_affected()
            > 0,
    )
}

pub(super) async fn robots(db: &PostgresStore, app: AppId) -> StoreResult<Vec<String>> {
    let mut robots: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM robots WHERE app_id = $1")
            .bind(app as i64)
            .fetch_all(&db.pool)
            .await?;
    // Bytewise, as on SQLite (the database's collation may order differently).
    robots.sort();
    Ok(robots)
}

pub(super) async fn is_robot(db: &PostgresStore, app: AppId, user: String) -> StoreResult<bool> {
    Ok(
        sqlx::query_scalar::<_, i32>("SELECT 1 FROM robots WHERE app_id = $1 AND user_id = $2")
            .bind(app as i64)
            .bind(&user)
            .fetch_optional(&db.pool)
            .await?
            .is_some(),
    )
}

/// Forgets a deleted account's mutes and chatbot row (in `delete_accounts`' transaction).
pub(super) async fn delete_account(
    tx: &mut Transaction<'static, Postgres>,
    app: AppId,
    user: &str,
) -> StoreResult<()> {
    for table in ["global_mutes", "robots"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE app_id = $1 AND user_id = $2"
        ))
        .bind(app as i64)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
