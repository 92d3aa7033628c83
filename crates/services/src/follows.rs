//! Follows (Tencent's follow and fans feature; the Web SDK's `followUser`, `unfollowUser`,
//! `getMyFollowersList`, `getMyFollowingList`, `getMutualFollowersList`, `getUserFollowInfo`,
//! `checkFollowType`). A follow is one-sided and needs no answer; two users who follow each
//! other are mutual. Limits are Tencent's: 20 users per follow, unfollow or count request, 100
//! per check, pages of 100 by default and at most 1,000, and at most 5,000 follows per user
//! (fans are unlimited). Tencent's pages list no error codes of their own for these, so they
//! answer with the relationship chain's (`sns`): 30001 for a bad request (and, per user, for
//! following oneself), 30003 for an account that does not exist, 30010 for a user who follows
//! 5,000 already.
//!
//! Each change is pushed as a `FollowChange` event to the user followed (their fans, and
//! perhaps their mutual follows, changed) and to the follower's other connections (their
//! follows changed).

use std::sync::Arc;

use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
use natter_events::{Priority, Push, Target};
/// The store's follow types, as the services' callers see them.
pub use natter_store::{FollowCounts, FollowEntry, FollowList};
use natter_store::{FollowCursor, FollowOutcome, ProfileValue, Store, UnfollowOutcome};
use natter_webhook::Origin;
use serde_json::json;

use crate::{internal, profile_fields, Fanout};

/// Most users one follow, unfollow or count request names.
pub const MAX_BATCH: usize = 20;
/// Most users one check names.
pub const MAX_CHECK: usize = 100;
/// Most users one user follows.
pub const MAX_FOLLOWING: u64 = 5_000;
/// A page's size when the request names none, and the largest one.
pub const DEFAULT_PAGE: u64 = 100;
pub const MAX_PAGE: u64 = 1_000;

/// The result for one user of a batch: 0, or the code and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowResult {
    pub user_id: String,
    pub code: u32,
    pub info: String,
}

impl FollowResult {
    fn ok(user_id: &str) -> Self {
        Self::failed(user_id, 0, "")
    }

    fn failed(user_id: &str, code: u32, info: impl Into<String>) -> Self {
        Self {
            user_id: user_id.to_owned(),
            code,
            info: info.into(),
        }
    }
}

/// One user of a follow list, with what their profile holds.
#[derive(Debug, Clone)]
pub struct ListedUser {
    pub entry: FollowEntry,
    pub profile: Vec<ProfileValue>,
}

/// A page of a follow list; `next_cursor` is "" after the last page.
#[derive(Debug, Clone)]
pub struct FollowPage {
    pub users: Vec<ListedUser>,
    pub next_cursor: String,
}

/// One user's follow counts, or why there are none.
#[derive(Debug, Clone)]
pub struct UserCounts {
    pub result: FollowResult,
    pub counts: FollowCounts,
}

#[derive(Clone)]
pub struct FollowService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    fanout: Fanout,
}

impl FollowService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>, fanout: Fanout) -> Self {
        Self {
            store,
            clock,
            fanout,
        }
    }

    /// `user` follows each of `targets`; a result per target, in order.
    pub async fn follow(
        &self,
        app: &AppSettings,
        origin: &Origin,
        user: &str,
        targets: Vec<String>,
    ) -> ApiResult<Vec<FollowResult>> {
        check_batch(&targets, MAX_BATCH)?;
        let others: Vec<String> = targets.iter().filter(|t| *t != user).cloned().collect();
        let now = self.clock.now_secs();
        let outcomes = if others.is_empty() {
            Vec::new()
        } else {
            self.store
                .follow(app.sdkappid, user.to_owned(), others, now, MAX_FOLLOWING)
                .await
                .map_err(internal(codes::SNS_INTERNAL))?
                .ok_or_else(|| {
                    ApiError::new(
                        codes::SNS_ACCOUNT_NOT_FOUND,
                        format!("From_Account {user} does not exist"),
                    )
                })?
        };
        let mut outcomes = outcomes.into_iter();
        let mut results = Vec::with_capacity(targets.len());
        for target in &targets {
            if target == user {
                results.push(FollowResult::failed(
                    target,
                    codes::SNS_INVALID_PARAM,
                    "a user cannot follow themselves",
                ));
                continue;
            }
            let outcome = outcomes.next().expect("one outcome per other target");
            results.push(match outcome {
                FollowOutcome::Followed { mutual } => {
                    self.push(app, origin, user, target, true, mutual, now);
                    FollowResult::ok(target)
                }
                FollowOutcome::Already => FollowResult::ok(target),
                FollowOutcome::NoAccount => FollowResult::failed(
                    target,
                    codes::SNS_ACCOUNT_NOT_FOUND,
                    format!("account {target} does not exist"),
                ),
                FollowOutcome::LimitReached => FollowResult::failed(
                    target,
                    codes::SNS_FRIEND_LIMIT,
                    format!("{user} follows {MAX_FOLLOWING} users already, the most allowed"),
                ),
            });
        }
        Ok(results)
    }

    /// `user` stops following each of `targets`; a result per target, in order (0 also for one
    /// not followed: there is nothing to undo).
    pub async fn unfollow(
        &self,
        app: &AppSettings,
        origin: &Origin,
        user: &str,
        targets: Vec<String>,
    ) -> ApiResult<Vec<FollowResult>> {
        check_batch(&targets, MAX_BATCH)?;
        let outcomes = self
            .store
            .unfollow(app.sdkappid, user.to_owned(), targets.clone())
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        let now = self.clock.now_secs();
        Ok(targets
            .iter()
            .zip(outcomes)
            .map(|(target, outcome)| {
                if let UnfollowOutcome::Unfollowed { was_mutual } = outcome {
                    self.push(app, origin, user, target, false, was_mutual, now);
                }
                FollowResult::ok(target)
            })
            .collect())
    }

    /// A page of one of `user`'s lists, from `cursor` ("" for the first page, else a page's
    /// `next_cursor`), of `want` users (0: the default), each with their profile's fields.
    pub async fn list(
        &self,
        app: &AppSettings,
        user: &str,
        list: FollowList,
        cursor: &str,
        want: u64,
    ) -> ApiResult<FollowPage> {
        let want = match want {
            0 => DEFAULT_PAGE,
            n if n > MAX_PAGE => {
                return Err(ApiError::new(
                    codes::SNS_INVALID_PARAM,
                    format!("WantNum {n} is over {MAX_PAGE}, the most one page holds"),
                ))
            }
            n => n,
        } as usize;
        let after = parse_cursor(cursor)?;
        let mut entries = self
            .store
            .follow_page(app.sdkappid, user.to_owned(), list, after, want + 1)
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        let more = entries.len() > want;
        entries.truncate(want);
        let next_cursor = match entries.last() {
            Some(last) if more => format!("{}:{}", last.time, last.user_id),
            _ => String::new(),
        };
        let ids: Vec<String> = entries.iter().map(|e| e.user_id.clone()).collect();
        let tags = profile_fields::all_tags(app);
        let mut profiles = if ids.is_empty() {
            Default::default()
        } else {
            self.store
                .get_profiles(app.sdkappid, ids, tags.clone())
                .await
                .map_err(internal(codes::SNS_INTERNAL))?
        };
        let users = entries
            .into_iter()
            .map(|entry| {
                let stored = profiles.remove(&entry.user_id).unwrap_or_default();
                // In the order of the tags, as `portrait_get` gives them.
                let profile = tags
                    .iter()
                    .filter_map(|t| stored.iter().find(|v| &v.tag == t).cloned())
                    .collect();
                ListedUser { entry, profile }
            })
            .collect();
        Ok(FollowPage { users, next_cursor })
    }

    /// The follow counts of each of `users`, in order; an account that does not exist gets 30003.
    pub async fn counts(
        &self,
        app: &AppSettings,
        users: Vec<String>,
    ) -> ApiResult<Vec<UserCounts>> {
        check_batch(&users, MAX_BATCH)?;
        let exist = self
            .store
            .accounts_exist(app.sdkappid, users.clone())
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        let counts = self
            .store
            .follow_counts(app.sdkappid, users.clone())
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        Ok(users
            .iter()
            .zip(exist)
            .zip(counts)
            .map(|((user, exists), counts)| UserCounts {
                result: if exists {
                    FollowResult::ok(user)
                } else {
                    FollowResult::failed(
                        user,
                        codes::SNS_ACCOUNT_NOT_FOUND,
                        format!("account {user} does not exist"),
                    )
                },
                counts,
            })
            .collect())
    }

    /// How `user` and each of `peers` stand (0 neither follows the other, 1 the peer follows
    /// the user, 2 the user follows the peer, 3 both), in order.
    pub async fn check(
        &self,
        app: &AppSettings,
        user: &str,
        peers: Vec<String>,
    ) -> ApiResult<Vec<(String, u32)>> {
        check_batch(&peers, MAX_CHECK)?;
        let types = self
            .store
            .follow_types(app.sdkappid, user.to_owned(), peers.clone())
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        Ok(peers.into_iter().zip(types).collect())
    }

    /// The `FollowChange` event of one follow or unfollow.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        app: &AppSettings,
        origin: &Origin,
        follower: &str,
        followee: &str,
        followed: bool,
        mutual: bool,
        now: i64,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let frame = json!({
            "Event": FOLLOW_CHANGE_EVENT,
            "From_Account": follower,
            "To_Account": followee,
            "Followed": u32::from(followed),
            "Mutual": u32::from(mutual),
            "FollowTime": now,
        });
        self.fanout.send(
            app.sdkappid,
            Target::Users(vec![followee.to_owned(), follower.to_owned()]),
            &Push::new(Priority::High, &frame),
            origin.connection,
        );
    }
}

/// The `/ws` event of a follow or unfollow (docs/client-protocol.md).
pub const FOLLOW_CHANGE_EVENT: &str = "FollowChange";

fn check_batch(users: &[String], max: usize) -> ApiResult<()> {
    if users.is_empty() {
        return Err(ApiError::new(
            codes::SNS_INVALID_PARAM,
            "To_Account names no user",
        ));
    }
    if users.len() > max {
        return Err(ApiError::new(
            codes::SNS_INVALID_PARAM,
            format!(
                "{} users in one request; at most {max} are allowed",
                users.len()
            ),
        ));
    }
    Ok(())
}

/// A page's `next_cursor` is `<time>:<UserID>` of its last user; "" is the first page.
fn parse_cursor(cursor: &str) -> ApiResult<FollowCursor> {
    if cursor.is_empty() {
        return Ok(FollowCursor::start());
    }
    cursor
        .split_once(':')
        .and_then(|(time, user_id)| {
            Some(FollowCursor {
                time: time.parse().ok()?,
                user_id: user_id.to_owned(),
            })
        })
        .ok_or_else(|| {
            ApiError::new(
                codes::SNS_INVALID_PARAM,
                format!("StartCursor {cursor:?} is not a cursor a page of this list gave"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_no_page_gave() {
        assert_eq!(parse_cursor("").unwrap(), FollowCursor::start());
        let cursor = parse_cursor("1700000000:a:b").unwrap();
        assert_eq!(cursor.time, 1_700_000_000);
        assert_eq!(cursor.user_id, "a:b");
        for bad in ["x", "x:y", ":a"] {
            assert_eq!(
                parse_cursor(bad).unwrap_err().code,
                codes::SNS_INVALID_PARAM
            );
        }
    }
}
