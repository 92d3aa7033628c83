//! `GroupStore` on PostgreSQL: each operation runs, on a task of its own (`detached`), the SQL of
//! `groups.rs`, `group_sends.rs`, `topics.rs`, `applications.rs` and `group_own.rs`.

use async_trait::async_trait;
use natter_core::AppId;

use super::{applications, group_own, group_sends, groups, topics, PostgresStore};
use crate::{
    AnyReply, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupQuery, GroupRecall,
    GroupRecord, GroupSendOutcome, GroupSendRecord, GroupSnapshot, GroupStore, JoinApplication,
    MemberCursor, MemberStream, StoreResult, TopicRecord,
};

#[async_trait]
impl GroupStore for PostgresStore {
    async fn edit_group_any(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: GroupEdit,
    ) -> StoreResult<GroupOutcome<AnyReply>> {
        self.detached(move |db| async move {
            groups::edit(&db, app, group_id, query, now_ms, edit).await
        })
        .await
    }

    async fn send_group_message(
        &self,
        app: AppId,
        send: GroupSendRecord,
    ) -> StoreResult<GroupSendOutcome> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            group_sends::send_group(&mut conn, app, send).await
        })
        .await
    }

    async fn group_snapshot(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
    ) -> StoreResult<GroupSnapshot> {
        self.detached(move |db| async move {
            // One snapshot of the database for all of the load's statements.
            let mut tx = db.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            let snapshot = groups::load(&mut tx, app, &group_id, &query).await?;
            tx.commit().await?;
            Ok(snapshot)
        })
        .await
    }

    async fn groups(&self, app: AppId, ids: Vec<String>) -> StoreResult<Vec<Option<GroupRecord>>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                out.push(groups::find(&mut conn, app, id).await?);
            }
            Ok(out)
        })
        .await
    }

    async fn group_members(
        &self,
        app: AppId,
        group_id: String,
        from: MemberCursor,
        roles: Vec<String>,
        limit: usize,
    ) -> StoreResult<Vec<GroupMember>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::members(&mut conn, app, &group_id, &from, &roles, limit).await
        })
        .await
    }

    async fn group_bans(
        &self,
        app: AppId,
        group_id: String,
        now: i64,
        offset: u64,
        limit: usize,
    ) -> StoreResult<Vec<(String, i64)>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::bans(&mut conn, app, &group_id, now, offset, limit).await
        })
        .await
    }

    async fn topics(&self, app: AppId, group_id: String) -> StoreResult<Vec<TopicRecord>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            topics::topics(&mut conn, app, &group_id).await
        })
        .await
    }

    async fn topic_reads(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<Vec<(String, u64)>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            topics::reads(&mut conn, app, &group_id, &member).await
        })
        .await
    }

    async fn joined_groups(
        &self,
        app: AppId,
        member: String,
    ) -> StoreResult<Vec<(GroupRecord, GroupMember)>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::joined(&mut conn, app, &member).await
        })
        .await
    }

    async fn app_groups(
        &self,
        app: AppId,
        after: i64,
        limit: usize,
        group_type: Option<String>,
    ) -> StoreResult<(Vec<(String, i64)>, u64)> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::app_groups(&mut conn, app, after, limit, group_type.as_deref()).await
        })
        .await
    }

    async fn join_applications(
        &self,
        app: AppId,
        group_ids: Vec<String>,
    ) -> StoreResult<Vec<JoinApplication>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            applications::list(&mut conn, app, &group_ids).await
        })
        .await
    }

    async fn clear_group_history(
        &self,
        app: AppId,
        group_id: String,
        member: String,
        up_to: u64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            applications::clear_history(&mut conn, app, &group_id, &member, up_to).await
        })
        .await
    }

    async fn group_recalls(
        &self,
        app: AppId,
        group_id: String,
        since_ms: i64,
        until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<GroupRecall>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            applications::recalls(&mut conn, app, &group_id, (since_ms, until_ms), limit).await
        })
        .await
    }

    async fn group_history_cleared(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<u64> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            applications::history_cleared(&mut conn, app, &group_id, &member).await
        })
        .await
    }

    async fn hide_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        seqs: Vec<u64>,
    ) -> StoreResult<u64> {
        self.detached(move |db| async move {
            group_own::hide_group_messages(&db, app, &stream, &seqs).await
        })
        .await
    }

    async fn hidden_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        low: u64,
        high: u64,
    ) -> StoreResult<Vec<u64>> {
        self.detached(move |db| async move {
            group_own::hidden_group_messages(&db, app, &stream, low, high).await
        })
        .await
    }

    async fn silent_after(&self, app: AppId, reads: Vec<(String, u64)>) -> StoreResult<Vec<u64>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::silent_after(&mut conn, app, &reads).await
        })
        .await
    }

    async fn group_history(
        &self,
        app: AppId,
        group_id: String,
        max_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<GroupMessage>> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            groups::history(&mut conn, app, &group_id, max_seq, limit).await
        })
        .await
    }
}
