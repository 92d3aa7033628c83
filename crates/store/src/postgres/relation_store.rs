//! `RelationStore` on PostgreSQL: each operation runs, on a task of its own (`detached`), the SQL
//! of `relations.rs` and `follows.rs`.

use async_trait::async_trait;
use natter_core::AppId;

use super::{follows, relations, PostgresStore};
use crate::{
    BlockedAccount, Friend, FriendRequest, RelationEdit, RelationOutcome, RelationPage,
    RelationScope, RelationStore, Relations, StoreResult,
};

#[async_trait]
impl RelationStore for PostgresStore {
    async fn relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
    ) -> StoreResult<Relations> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::load(&mut conn, app, &owner, &scope).await
        })
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
        self.detached(move |db| async move {
            relations::edit(&db, app, owner, scope, now_ms, edit).await
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
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::friends_page(&mut conn, app, &owner, start, limit).await
        })
        .await
    }

    async fn blocklist_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<BlockedAccount>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::blocklist_page(&mut conn, app, &owner, start, limit).await
        })
        .await
    }

    async fn friend_requests(&self, app: AppId, user: String) -> StoreResult<Vec<FriendRequest>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::friend_requests(&mut conn, app, &user).await
        })
        .await
    }

    async fn mark_friend_requests_read(
        &self,
        app: AppId,
        owner: String,
        up_to: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::mark_requests_read(&mut conn, app, &owner, up_to).await
        })
        .await
    }

    async fn friend_requests_read_up_to(&self, app: AppId, owner: String) -> StoreResult<i64> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            relations::requests_read_up_to(&mut conn, app, &owner).await
        })
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
        self.detached(move |db| async move {
            follows::follow(&db, app, &follower, &followees, now, max).await
        })
        .await
    }

    async fn unfollow(
        &self,
        app: AppId,
        follower: String,
        followees: Vec<String>,
    ) -> StoreResult<Vec<crate::UnfollowOutcome>> {
        self.detached(
            move |db| async move { follows::unfollow(&db, app, &follower, &followees).await },
        )
        .await
    }

    async fn follow_page(
        &self,
        app: AppId,
        user: String,
        list: crate::FollowList,
        after: crate::FollowCursor,
        limit: usize,
    ) -> StoreResult<Vec<crate::FollowEntry>> {
        self.detached(
            move |db| async move { follows::page(&db, app, &user, list, &after, limit).await },
        )
        .await
    }

    async fn follow_counts(
        &self,
        app: AppId,
        users: Vec<String>,
    ) -> StoreResult<Vec<crate::FollowCounts>> {
        self.detached(move |db| async move { follows::counts(&db, app, &users).await })
            .await
    }

    async fn follow_types(
        &self,
        app: AppId,
        user: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.detached(move |db| async move { follows::types(&db, app, &user, &peers).await })
            .await
    }
}
