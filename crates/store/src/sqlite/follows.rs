//! Follows on SQLite (see `crate::follows`). The single writer serialises every write, so a
//! follow's count and checks need no lock of their own.

use natter_core::AppId;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::{
    follow_type, FollowCounts, FollowCursor, FollowEntry, FollowList, FollowOutcome, StoreResult,
    UnfollowOutcome,
};

fn follows(conn: &Connection, app: i64, follower: &str, followee: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM follows WHERE app_id = ?1 AND follower = ?2 AND followee = ?3",
        )?
        .query_row(params![app, follower, followee], |_| Ok(()))
        .optional()?
        .is_some())
}

fn account_exists(conn: &Connection, app: i64, user: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM accounts WHERE app_id = ?1 AND user_id = ?2")?
        .query_row(params![app, user], |_| Ok(()))
        .optional()?
        .is_some())
}

impl SqliteStore {
    pub(super) async fn follow_impl(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
        now: i64,
        max: u64,
    ) -> StoreResult<Option<Vec<FollowOutcome>>> {
        self.write(move |conn| {
            let app = app as i64;
            if !account_exists(conn, app, &follower)? {
                return Ok(None);
            }
            let mut count: u64 = conn
                .prepare_cached("SELECT COUNT(*) FROM follows WHERE app_id = ?1 AND follower = ?2")?
                .query_row(params![app, follower], |r| r.get::<_, i64>(0))?
                as u64;
            let mut outcomes = Vec::with_capacity(followees.len());
            for followee in &followees {
                let outcome = if follows(conn, app, &follower, followee)? {
                    FollowOutcome::Already
                } else if !account_exists(conn, app, followee)? {
                    FollowOutcome::NoAccount
                } else if count >= max {
                    FollowOutcome::LimitReached
                } else {
                    conn.prepare_cached(
                        "INSERT INTO follows (app_id, follower, followee, follow_time)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![app, follower, followee, now])?;
                    count += 1;
                    FollowOutcome::Followed {
                        mutual: follows(conn, app, followee, &follower)?,
                    }
                };
                outcomes.push(outcome);
            }
            Ok(Some(outcomes))
        })
        .await
    }

    pub(super) async fn unfollow_impl(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
    ) -> StoreResult<Vec<UnfollowOutcome>> {
        self.write(move |conn| {
            let app = app as i64;
            let mut outcomes = Vec::with_capacity(followees.len());
            for followee in &followees {
                let gone = conn
                    .prepare_cached(
                        "DELETE FROM follows WHERE app_id = ?1 AND follower = ?2 AND followee = ?3",
                    )?
                    .execute(params![app, follower, followee])?;
                outcomes.push(if gone == 0 {
                    UnfollowOutcome::NotFollowing
                } else {
                    UnfollowOutcome::Unfollowed {
                        was_mutual: follows(conn, app, followee, &follower)?,
                    }
                });
            }
            Ok(outcomes)
        })
        .await
    }

    pub(super) async fn follow_page_impl(
        &self,
        app: AppId,
        user: String,
        list: FollowList,
        after: FollowCursor,
        limit: usize,
    ) -> StoreResult<Vec<FollowEntry>> {
        self.readers
            .read(move |conn| {
                // Each list as (user_id, since) rows, then one keyset filter and order for all.
                let rows = match list {
                    FollowList::Followers => {
                        "SELECT follower AS user_id, follow_time AS since FROM follows
                         WHERE app_id = ?1 AND followee = ?2"
                    }
                    FollowList::Following => {
                        "SELECT followee AS user_id, follow_time AS since FROM follows
                         WHERE app_id = ?1 AND follower = ?2"
                    }
                    FollowList::Mutual => {
                        "SELECT mine.followee AS user_id,
                                MAX(mine.follow_time, theirs.follow_time) AS since
                         FROM follows mine JOIN follows theirs
                           ON theirs.app_id = mine.app_id AND theirs.follower = mine.followee
                          AND theirs.followee = mine.follower
                         WHERE mine.app_id = ?1 AND mine.follower = ?2"
                    }
                };
                let sql = format!(
                    "SELECT user_id, since FROM ({rows})
                     WHERE since < ?3 OR (since = ?3 AND user_id > ?4)
                     ORDER BY since DESC, user_id LIMIT ?5"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let entries = stmt
                    .query_map(
                        params![app as i64, user, after.time, after.user_id, limit as i64],
                        |r| {
                            Ok(FollowEntry {
                                user_id: r.get(0)?,
                                time: r.get(1)?,
                            })
                        },
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(entries)
            })
            .await
    }

    pub(super) async fn follow_counts_impl(
        &self,
        app: AppId,
        users: Vec<String>,
    ) -> StoreResult<Vec<FollowCounts>> {
        self.readers
            .read(move |conn| {
                let app = app as i64;
                let mut counts = Vec::with_capacity(users.len());
                for user in &users {
                    let count = |sql: &str| -> StoreResult<u64> {
                        Ok(conn
                            .prepare_cached(sql)?
                            .query_row(params![app, user], |r| r.get::<_, i64>(0))?
                            as u64)
                    };
                    counts.push(FollowCounts {
                        followers: count(
                            "SELECT COUNT(*) FROM follows WHERE app_id = ?1 AND followee = ?2",
                        )?,
                        following: count(
                            "SELECT COUNT(*) FROM follows WHERE app_id = ?1 AND follower = ?2",
                        )?,
                        mutual: count(
                            "SELECT COUNT(*) FROM follows mine JOIN follows theirs
                               ON theirs.app_id = mine.app_id AND theirs.follower = mine.followee
                              AND theirs.followee = mine.follower
                             WHERE mine.app_id = ?1 AND mine.follower = ?2",
                        )?,
                    });
                }
                Ok(counts)
            })
            .await
    }

    pub(super) async fn follow_types_impl(
        &self,
        app: AppId,
        user: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.readers
            .read(move |conn| {
                let app = app as i64;
                peers
                    .iter()
                    .map(|peer| {
                        Ok(follow_type(
                            follows(conn, app, peer, &user)?,
                            follows(conn, app, &user, peer)?,
                        ))
                    })
                    .collect::<StoreResult<Vec<u32>>>()
            })
            .await
    }
}

/// Removes every follow of or by a deleted account (inside the deletion's write).
pub(crate) fn delete_account(conn: &Connection, app: u64, user: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "DELETE FROM follows WHERE app_id = ?1 AND (follower = ?2 OR followee = ?2)",
    )?
    .execute(params![app as i64, user])?;
    Ok(())
}
