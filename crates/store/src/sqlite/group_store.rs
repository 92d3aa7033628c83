//! `GroupStore` on SQLite: each operation runs the SQL of `groups.rs`, `topics.rs`,
//! `applications.rs` and `group_own.rs`, writes on the writer thread, reads on a reader.

use async_trait::async_trait;
use natter_core::AppId;

use super::{applications, groups, outbox, topics, SqliteStore};
use crate::{
    AnyReply, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupQuery, GroupRecall,
    GroupRecord, GroupSnapshot, GroupStore, JoinApplication, MemberCursor, MemberStream,
    StoreResult, TopicRecord,
};

#[async_trait]
impl GroupStore for SqliteStore {
    async fn edit_group_any(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: GroupEdit,
    ) -> StoreResult<GroupOutcome<AnyReply>> {
        // The one writer thread runs edits one at a time: no lock is needed.
        self.write(move |conn| {
            let snapshot = groups::load(conn, app, &group_id, &query)?;
            let plan = edit(&snapshot);
            let wrote_outbox = plan.refusal.is_none() && !plan.outbox.is_empty();
            if plan.refusal.is_none() {
                groups::write(conn, app, &group_id, &plan.changes)?;
                outbox::insert(conn, app, &plan.outbox, now_ms)?;
            }
            Ok(GroupOutcome {
                refusal: plan.refusal,
                reply: plan.reply,
                wrote_outbox,
            })
        })
        .await
    }

    async fn group_snapshot(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
    ) -> StoreResult<GroupSnapshot> {
        self.readers
            .read(move |conn| {
                // One read transaction: every statement of the load sees the same commit.
                let tx = conn.unchecked_transaction()?;
                let snapshot = groups::load(&tx, app, &group_id, &query)?;
                tx.commit()?;
                Ok(snapshot)
            })
            .await
    }

    async fn groups(&self, app: AppId, ids: Vec<String>) -> StoreResult<Vec<Option<GroupRecord>>> {
        self.readers
            .read(move |conn| groups::groups(conn, app, &ids))
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
        self.readers
            .read(move |conn| groups::members(conn, app, &group_id, &from, &roles, limit))
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
        self.readers
            .read(move |conn| groups::bans(conn, app, &group_id, now, offset, limit))
            .await
    }

    async fn topics(&self, app: AppId, group_id: String) -> StoreResult<Vec<TopicRecord>> {
        self.readers
            .read(move |conn| topics::topics(conn, app, &group_id))
            .await
    }

    async fn topic_reads(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<Vec<(String, u64)>> {
        self.readers
            .read(move |conn| topics::reads(conn, app, &group_id, &member))
            .await
    }

    async fn joined_groups(
        &self,
        app: AppId,
        member: String,
    ) -> StoreResult<Vec<(GroupRecord, GroupMember)>> {
        self.readers
            .read(move |conn| groups::joined(conn, app, &member))
            .await
    }

    async fn app_groups(
        &self,
        app: AppId,
        after: i64,
        limit: usize,
        group_type: Option<String>,
    ) -> StoreResult<(Vec<(String, i64)>, u64)> {
        self.readers
            .read(move |conn| groups::app_groups(conn, app, after, limit, group_type.as_deref()))
            .await
    }

    async fn join_applications(
        &self,
        app: AppId,
        group_ids: Vec<String>,
    ) -> StoreResult<Vec<JoinApplication>> {
        self.readers
            .read(move |conn| applications::list(conn, app, &group_ids))
            .await
    }

    async fn clear_group_history(
        &self,
        app: AppId,
        group_id: String,
        member: String,
        up_to: u64,
    ) -> StoreResult<()> {
        self.write(move |conn| applications::clear_history(conn, app, &group_id, &member, up_to))
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
        self.readers
            .read(move |conn| {
                applications::recalls(conn, app, &group_id, (since_ms, until_ms), limit)
            })
            .await
    }

    async fn group_history_cleared(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<u64> {
        self.readers
            .read(move |conn| applications::history_cleared(conn, app, &group_id, &member))
            .await
    }

    async fn hide_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        seqs: Vec<u64>,
    ) -> StoreResult<u64> {
        self.hide_group_messages_impl(app, stream, seqs).await
    }

    async fn hidden_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        low: u64,
        high: u64,
    ) -> StoreResult<Vec<u64>> {
        self.hidden_group_messages_impl(app, stream, low, high)
            .await
    }

    async fn silent_after(&self, app: AppId, reads: Vec<(String, u64)>) -> StoreResult<Vec<u64>> {
        self.readers
            .read(move |conn| groups::silent_after(conn, app, &reads))
            .await
    }

    async fn group_history(
        &self,
        app: AppId,
        group_id: String,
        max_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<GroupMessage>> {
        self.readers
            .read(move |conn| groups::history(conn, app, &group_id, max_seq, limit))
            .await
    }
}
