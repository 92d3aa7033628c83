//! Relationships between accounts: friends, blocklists, friend requests (the relationship chain)
//! and follows.

use async_trait::async_trait;
use natter_core::AppId;

use crate::{
    BlockedAccount, FollowCounts, FollowCursor, FollowEntry, FollowList, FollowOutcome, Friend,
    FriendRequest, RelationEdit, RelationOutcome, RelationPage, RelationScope, Relations,
    StoreResult, UnfollowOutcome,
};

#[cfg(doc)] // for the doc links only
use crate::follow_type;

#[async_trait]
pub trait RelationStore: Send + Sync {
    /// A snapshot of `owner`'s relationship state and of the peers `scope` names.
    async fn relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
    ) -> StoreResult<Relations>;

    /// Loads the same snapshot inside a transaction (holding, on engines with concurrent
    /// writers, a lock on the owner and every named peer), lets `edit` decide, and writes its
    /// changes and outbox events unless it refused. All or nothing.
    async fn edit_relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
        now_ms: i64,
        edit: RelationEdit,
    ) -> StoreResult<RelationOutcome>;

    /// A page of `owner`'s friends, by UserID, from offset `start`.
    async fn friends_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<Friend>>;

    /// A page of `owner`'s blocklist, by UserID, from offset `start`.
    async fn blocklist_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<BlockedAccount>>;

    /// The friend requests still waiting that `user` sent or was sent, newest first (then by
    /// requester and target): what a client's list of requests in and out shows.
    async fn friend_requests(&self, app: AppId, user: String) -> StoreResult<Vec<FriendRequest>>;

    /// Marks the friend requests sent to `owner` until `up_to` (Unix seconds) read; the mark
    /// never moves back.
    async fn mark_friend_requests_read(
        &self,
        app: AppId,
        owner: String,
        up_to: i64,
    ) -> StoreResult<()>;

    /// Until when (Unix seconds) `owner` has read the friend requests sent to them; 0 never.
    async fn friend_requests_read_up_to(&self, app: AppId, owner: String) -> StoreResult<i64>;

    /// `follower` follows each of `followees`, in order, from `now` (Unix seconds), unless they
    /// follow `max` users already; a followee named twice is followed once. One write, under a
    /// lock on the follower and the followees (so concurrent follows neither pass `max` nor miss
    /// a mutual follow). `None` (nothing written) when the follower has no account.
    async fn follow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
        now: i64,
        max: u64,
    ) -> StoreResult<Option<Vec<FollowOutcome>>>;

    /// `follower` stops following each of `followees`, in order; one write, locked as
    /// [`follow`](Self::follow).
    async fn unfollow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
    ) -> StoreResult<Vec<UnfollowOutcome>>;

    /// Up to `limit` entries of one of `user`'s follow lists after `after`, newest first (then
    /// by UserID, bytewise).
    async fn follow_page(
        &self,
        app: AppId,
        user: String,
        list: FollowList,
        after: FollowCursor,
        limit: usize,
    ) -> StoreResult<Vec<FollowEntry>>;

    /// The follow counts of each of `users`, in order (all 0 for a user without follows).
    async fn follow_counts(&self, app: AppId, users: Vec<String>)
        -> StoreResult<Vec<FollowCounts>>;

    /// How `user` and each of `peers` stand ([`follow_type`]), in order.
    async fn follow_types(
        &self,
        app: AppId,
        user: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>>;
}
