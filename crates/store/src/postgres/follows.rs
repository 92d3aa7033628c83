//! Follows on PostgreSQL (see `crate::follows`). A follow or unfollow locks the account rows of
//! the follower and the followees (in UserID order, so two writes never wait on each other in a
//! circle): concurrent follows by one user cannot pass the limit, two users following each other
//! at once both see the mutual follow, and an account deleted meanwhile gets no new rows.

use std::collections::HashSet;

use natter_core::AppId;
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use crate::{
    follow_type, FollowCounts, FollowCursor, FollowEntry, FollowList, FollowOutcome, StoreResult,
    UnfollowOutcome,
};

/// Locks the accounts of `users` that exist and returns them.
async fn lock_accounts(
    conn: &mut PgConnection,
    app: i64,
    mut users: Vec<String>,
) -> StoreResult<HashSet<String>> {
    users.sort();
    users.dedup();
    let rows = sqlx::query(
        "SELECT user_id FROM accounts WHERE app_id = $1 AND user_id = ANY($2)
         ORDER BY user_id FOR UPDATE",
    )
    .bind(app)
    .bind(&users)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

async fn follows(
    conn: &mut PgConnection,
    app: i64,
    follower: &str,
    followee: &str,
) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM follows WHERE app_id = $1 AND follower = $2 AND followee = $3")
            .bind(app)
            .bind(follower)
            .bind(followee)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

pub(super) async fn follow(
    db: &PostgresStore,
    app: AppId,
    follower: &str,
    followees: &[String],
    now: i64,
    max: u64,
) -> StoreResult<Option<Vec<FollowOutcome>>> {
    let app = app as i64;
    let mut tx = db.begin().await?;
    let mut users = followees.to_vec();
    users.push(follower.to_owned());
    let existing = lock_accounts(&mut tx, app, users).await?;
    if !existing.contains(follower) {
        return Ok(None);
    }
    let mut count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM follows WHERE app_id = $1 AND follower = $2")
            .bind(app)
            .bind(follower)
            .fetch_one(&mut *tx)
            .await?;
    let mut outcomes = Vec::with_capacity(followees.len());
    for followee in followees {
        let outcome = if follows(&mut tx, app, follower, followee).await? {
            FollowOutcome::Already
        } else if !existing.contains(followee) {
            FollowOutcome::NoAccount
        } else if count as u64 >= max {
            FollowOutcome::LimitReached
        } else {
            sqlx::query(
                "INSERT INTO follows (app_id, follower, followee, follow_time)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(app)
            .bind(follower)
            .bind(followee)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            count += 1;
            FollowOutcome::Followed {
                mutual: follows(&mut tx, app, followee, follower).await?,
            }
        };
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(Some(outcomes))
}

pub(super) async fn unfollow(
    db: &PostgresStore,
    app: AppId,
    follower: &str,
    followees: &[String],
) -> StoreResult<Vec<UnfollowOutcome>> {
    let app = app as i64;
    let mut tx = db.begin().await?;
    let mut users = followees.to_vec();
    users.push(follower.to_owned());
    lock_accounts(&mut tx, app, users).await?;
    let mut outcomes = Vec::with_capacity(followees.len());
    for followee in followees {
        let gone = sqlx::query(
            "DELETE FROM follows WHERE app_id = $1 AND follower = $2 AND followee = $3",
        )
        .bind(app)
        .bind(follower)
        .bind(followee)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        outcomes.push(if gone == 0 {
            UnfollowOutcome::NotFollowing
        } else {
            UnfollowOutcome::Unfollowed {
                was_mutual: follows(&mut tx, app, followee, follower).await?,
            }
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}

pub(super) async fn page(
    db: &PostgresStore,
    app: AppId,
    user: &str,
    list: FollowList,
    after: &FollowCursor,
    limit: usize,
) -> StoreResult<Vec<FollowEntry>> {
    // Each list as (user_id, since) rows, then one keyset filter and order for all. `COLLATE "C"`
    // orders UserIDs bytewise, as SQLite does.
    let rows = match list {
        FollowList::Followers => {
            "SELECT follower AS user_id, follow_time AS since FROM follows
             WHERE app_id = $1 AND followee = $2"
        }
        FollowList::Following => {
            "SELECT followee AS user_id, follow_time AS since FROM follows
             WHERE app_id = $1 AND follower = $2"
        }
        FollowList::Mutual => {
            "SELECT mine.followee AS user_id,
                    GREATEST(mine.follow_time, theirs.follow_time) AS since
             FROM follows mine JOIN follows theirs
               ON theirs.app_id = mine.app_id AND theirs.follower = mine.followee
              AND theirs.followee = mine.follower
             WHERE mine.app_id = $1 AND mine.follower = $2"
        }
    };
    let sql = format!(
        "SELECT user_id, since FROM ({rows}) AS list
         WHERE since < $3 OR (since = $3 AND user_id COLLATE \"C\" > $4)
         ORDER BY since DESC, user_id COLLATE \"C\" LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(app as i64)
        .bind(user)
        .bind(after.time)
        .bind(&after.user_id)
        .bind(limit as i64)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| FollowEntry {
            user_id: r.get(0),
            time: r.get(1),
        })
        .collect())
}

pub(super) async fn counts(
    db: &PostgresStore,
    app: AppId,
    users: &[String],
) -> StoreResult<Vec<FollowCounts>> {
    let rows = sqlx::query(
        "SELECT u,
            (SELECT COUNT(*) FROM follows WHERE app_id = $1 AND followee = u),
            (SELECT COUNT(*) FROM follows WHERE app_id = $1 AND follower = u),
            (SELECT COUNT(*) FROM follows mine JOIN follows theirs
               ON theirs.app_id = mine.app_id AND theirs.follower = mine.followee
              AND theirs.followee = mine.follower
             WHERE mine.app_id = $1 AND mine.follower = u)
         FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n",
    )
    .bind(app as i64)
    .bind(users)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| FollowCounts {
            followers: r.get::<i64, _>(1) as u64,
            following: r.get::<i64, _>(2) as u64,
            mutual: r.get::<i64, _>(3) as u64,
        })
        .collect())
}

pub(super) async fn types(
    db: &PostgresStore,
    app: AppId,
    user: &str,
    peers: &[String],
) -> StoreResult<Vec<u32>> {
    let column = |sql: &'static str| {
        let pool = db.pool.clone();
        let peers = peers.to_vec();
        let user = user.to_owned();
        async move {
            let rows = sqlx::query(sql)
                .bind(app as i64)
                .bind(&user)
                .bind(&peers)
                .fetch_all(&pool)
                .await?;
            StoreResult::Ok(
                rows.iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect::<HashSet<_>>(),
            )
        }
    };
    let fans = column(
        "SELECT follower FROM follows WHERE app_id = $1 AND followee = $2 AND follower = ANY($3)",
    )
    .await?;
    let followed = column(
        "SELECT followee FROM follows WHERE app_id = $1 AND follower = $2 AND followee = ANY($3)",
    )
    .await?;
    Ok(peers
        .iter()
        .map(|p| follow_type(fans.contains(p), followed.contains(p)))
        .collect())
}

/// Removes every follow of or by a deleted account (inside the deletion's transaction).
pub(crate) async fn delete_account(
    conn: &mut PgConnection,
    app: u64,
    user: &str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM follows WHERE app_id = $1 AND (follower = $2 OR followee = $2)")
        .bind(app as i64)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}
