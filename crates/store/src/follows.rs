//! Who follows whom (Tencent's follow and fans feature, the Web SDK's `followUser`): one row per
//! follower and followee, with when the follow began. Unlike a friendship it is one-sided and
//! needs no answer; two users who follow each other are "mutual". The rules (batch sizes, the
//! limit on follows, following oneself) are the services'; the store keeps the rows, counts them
//! and keeps a user's number of follows under the limit while it writes.

/// Migration 32, the same on both engines. The primary key serves a user's follows (and the
/// checks of one pair); the second index serves a user's followers, newest first.
pub(crate) const SCHEMA: &str = "CREATE TABLE follows (
    app_id      BIGINT NOT NULL,
    follower    TEXT   NOT NULL,
    followee    TEXT   NOT NULL,
    follow_time BIGINT NOT NULL,
    PRIMARY KEY (app_id, follower, followee)
);
CREATE INDEX follows_by_followee ON follows (app_id, followee, follow_time, follower);";

/// Which of a user's lists: Tencent's `FollowType` of `follow_get` (1 fans, 2 follows, 3 mutual).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowList {
    /// The users who follow the user (fans).
    Followers,
    /// The users the user follows.
    Following,
    /// The users who follow the user and whom the user follows.
    Mutual,
}

/// One user of a follow list and when they came into it (Unix seconds): when they followed, were
/// followed, or, in the mutual list, when the later of the two follows began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowEntry {
    pub user_id: String,
    pub time: i64,
}

/// Where a follow list's next page starts: after this entry. Lists run newest first, then by
/// UserID (bytewise), so a page is a keyset read whatever changes between pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowCursor {
    pub time: i64,
    pub user_id: String,
}

impl FollowCursor {
    /// Before the first entry of any list.
    pub fn start() -> Self {
        Self {
            time: i64::MAX,
            user_id: String::new(),
        }
    }
}

/// What one follow did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    /// Now followed; `mutual` when the followee follows the follower back.
    Followed { mutual: bool },
    /// Followed already: nothing changed.
    Already,
    /// The followee has no account.
    NoAccount,
    /// The follower follows `max` users already.
    LimitReached,
}

/// What one unfollow did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnfollowOutcome {
    /// No longer followed; `was_mutual` when the two followed each other until then.
    Unfollowed { was_mutual: bool },
    /// Not followed: nothing changed.
    NotFollowing,
}

/// A user's numbers of followers, of users followed, and of mutual follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowCounts {
    pub followers: u64,
    pub following: u64,
    pub mutual: u64,
}

/// How `user` and a peer stand: Tencent's `FollowType` of `follow_check`. 0 neither follows
/// the other; 1 the peer follows the user (a fan); 2 the user follows the peer; 3 both.
pub fn follow_type(peer_follows_user: bool, user_follows_peer: bool) -> u32 {
    u32::from(peer_follows_user) | (u32::from(user_follows_peer) << 1)
}
