//! Join requests on PostgreSQL (described in `crate::applications`).

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{GroupChange, GroupQuery, GroupRecall, GroupSnapshot, JoinApplication, StoreResult};

fn application(row: &PgRow) -> JoinApplication {
    JoinApplication {
        group_id: row.get(0),
        applicant: row.get(1),
        message: row.get(2),
        time_ms: row.get(3),
        inviter: row.get(4),
    }
}

/// The waiting requests of the query's accounts.
pub(crate) async fn load(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
    snapshot: &mut GroupSnapshot,
) -> StoreResult<()> {
    if !query.applications || query.accounts.is_empty() {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT group_id, applicant, message, time_ms, inviter FROM group_applications
         WHERE app_id = $1 AND group_id = $2 AND applicant = ANY($3)",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(&query.accounts)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let a = application(&row);
        snapshot.applications.insert(a.applicant.clone(), a);
    }
    Ok(())
}

pub(crate) async fn write(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    change: &GroupChange,
) -> StoreResult<()> {
    match change {
        GroupChange::PutApplication(a) => {
            sqlx::query(
                "INSERT INTO group_applications
                     (app_id, group_id, applicant, message, time_ms, inviter)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (app_id, group_id, applicant)
                 DO UPDATE SET message = excluded.message, time_ms = excluded.time_ms,
                     inviter = excluded.inviter",
            )
            .bind(app as i64)
            .bind(group_id)
            .bind(&a.applicant)
            .bind(&a.message)
            .bind(a.time_ms)
            .bind(&a.inviter)
            .execute(&mut *conn)
            .await?;
        }
        GroupChange::DeleteApplication(applicant) => {
            sqlx::query(
                "DELETE FROM group_applications
                 WHERE app_id = $1 AND group_id = $2 AND applicant = $3",
            )
            .bind(app as i64)
            .bind(group_id)
            .bind(applicant)
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// The waiting requests of `group_ids`, by group then oldest first.
pub(crate) async fn list(
    conn: &mut PgConnection,
    app: u64,
    group_ids: &[String],
) -> StoreResult<Vec<JoinApplication>> {
    let rows = sqlx::query(
        "SELECT group_id, applicant, message, time_ms, inviter FROM group_applications
         WHERE app_id = $1 AND group_id = ANY($2)
         ORDER BY group_id, time_ms, applicant",
    )
    .bind(app as i64)
    .bind(group_ids)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(application).collect())
}

/// Records `member`'s clear of `group_id`'s history up to `up_to`, never moving it back.
pub(crate) async fn clear_history(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    member: &str,
    up_to: u64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO group_history_clears (app_id, group_id, member, cleared_up_to)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, group_id, member)
         DO UPDATE SET cleared_up_to =
             GREATEST(group_history_clears.cleared_up_to, excluded.cleared_up_to)",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(member)
    .bind(up_to as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Up to which `MsgSeq` `member` cleared `group_id`'s history (0: never).
pub(crate) async fn history_cleared(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    member: &str,
) -> StoreResult<u64> {
    let up_to: Option<i64> = sqlx::query_scalar(
        "SELECT cleared_up_to FROM group_history_clears
         WHERE app_id = $1 AND group_id = $2 AND member = $3",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(member)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(up_to.unwrap_or(0) as u64)
}

/// The messages of `group_id` itself recalled from `since_ms` to `until_ms`, oldest recall first.
pub(crate) async fn recalls(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    (since_ms, until_ms): (i64, i64),
    limit: usize,
) -> StoreResult<Vec<GroupRecall>> {
    let rows = sqlx::query(
        "SELECT msg_seq, msg_random, from_account, msg_time, recalled_ms, revoker
         FROM group_messages
         WHERE app_id = $1 AND group_id = $2 AND recalled = 1
           AND recalled_ms >= $3 AND recalled_ms <= $4
         ORDER BY recalled_ms, msg_seq LIMIT $5",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(since_ms)
    .bind(until_ms)
    .bind(limit as i64)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|row| GroupRecall {
            msg_seq: row.get::<i64, _>(0) as u64,
            random: row.get::<i64, _>(1) as u32,
            from: row.get(2),
            msg_time: row.get(3),
            recalled_ms: row.get(4),
            revoker: row.get(5),
        })
        .collect())
}
