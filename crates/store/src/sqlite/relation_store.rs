//! `RelationStore` on SQLite: each operation runs the SQL of `relations.rs` and `follows.rs`,
//! writes on the writer thread, reads on a reader.

use async_trait::async_trait;
use natter_core::AppId;

use super::{outbox, relations, SqliteStore};
use crate::{
    BlockedAccount, Friend, FriendRequest, RelationEdit, RelationOutcome, RelationPage,
    RelationScope, RelationStore, Relations, StoreResult,
};

#[async_trait]
impl RelationStore for SqliteStore {
    async fn relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
    ) -> StoreResult<Relations> {
        self.readers
            .read(move |conn| relations::load(conn, app, &owner, &scope))
            .await
    }

    async fn edit_relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
        now_ms: i64,
        edit: RelationEdit,
    ) -> StoreResult<RelationOutcome> {
        // The one writer thread runs edits one at a time: no lock is needed.
        self.write(move |conn| {
            let snapshot = relations::load(conn, app, &owner, &scope)?;
            let plan = edit(&snapshot);
            let wrote_outbox = plan.refusal.is_none() && !plan.outbox.is_empty();
            if plan.refusal.is_none() {
                relations::write(conn, app, &plan.changes)?;
                outbox::insert(conn, app, &plan.outbox, now_ms)?;
            }
            Ok(RelationOutcome {
                results: plan.results,
                refusal: plan.refusal,
                sequences: relations::sequences(conn, app as i64, &owner)?,
                wrote_outbox,
            })
        })
        .await
    }

    async fn friends_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<Friend>> {
        self.readers
            .read(move |conn| relations::friends_page(conn, app, &owner, start, limit))
            .await
    }

    async fn blocklist_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<BlockedAccount>> {
        self.readers
            .read(move |conn| relations::blocklist_page(conn, app, &owner, start, limit))
            .await
    }

    async fn friend_requests(&self, app: AppId, user: String) -> StoreResult<Vec<FriendRequest>> {
        self.readers
            .read(move |conn| relations::friend_requests(conn, app, &user))
            .await
    }

    async fn mark_friend_requests_read(
        &self,
        app: AppId,
        owner: String,
        up_to: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| relations::mark_requests_read(conn, app, &owner, up_to))
            .await
    }

    async fn friend_requests_read_up_to(&self, app: AppId, owner: String) -> StoreResult<i64> {
        self.readers
            .read(move |conn| relations::requests_read_up_to(conn, app, &owner))
            .await
    }

    async fn follow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
        now: i64,
        max: u64,
    ) -> StoreResult<Option<Vec<crate::FollowOutcome>>> {
        self.follow_impl(app, follower, followees, now, max).await
    }

    async fn unfollow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
    ) -> StoreResult<Vec<crate::UnfollowOutcome>> {
        self.unfollow_impl(app, follower, followees).await
    }

    async fn follow_page(
        &self,
        app: AppId,
        user: String,
        list: crate::FollowList,
        after: crate::FollowCursor,
        limit: usize,
    ) -> StoreResult<Vec<crate::FollowEntry>> {
        self.follow_page_impl(app, user, list, after, limit).await
    }

    async fn follow_counts(
        &self,
        app: AppId,
        users: Vec<String>,
    ) -> StoreResult<Vec<crate::FollowCounts>> {
        self.follow_counts_impl(app, users).await
    }

    async fn follow_types(
        &self,
        app: AppId,
        user: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.follow_types_impl(app, user, peers).await
    }
}
