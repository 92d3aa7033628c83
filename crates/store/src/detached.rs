//! [`Detached`]: runs every storage operation on its own task.
//!
//! An HTTP handler's future is dropped when its client hangs up. Dropped in the middle of a
//! storage call, it would cancel the call too, and sqlx 0.8 then leaks an open transaction on a
//! pooled PostgreSQL connection when the cancelled call was inside `begin()` (sqlx issues #2805,
//! #4393): the next borrower's statements would run inside that stale transaction. The PostgreSQL
//! benchmark showed PostgreSQL's "there is already a transaction in progress" warnings when `wrk`
//! closed its connections at the end of a run. On its own task the call always runs to its end,
//! whoever stops waiting for it. (A test that cancels thousands of calls at random points did not
//! reproduce the leak deterministically, so none is kept.)

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use natter_core::AppId;

use crate::*;

/// A [`Store`] whose operations finish even when their caller goes away.
pub struct Detached<S>(Arc<S>);

impl<S: Store> Detached<S> {
    pub fn new(store: S) -> Self {
        Self(Arc::new(store))
    }
}

async fn detach<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    match tokio::spawn(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("storage task stopped: {e}"),
    }
}

#[async_trait]
impl<S: Store> Store for Detached<S> {
    fn backend(&self) -> &'static str {
        self.0.backend()
    }

    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move { inner.import_accounts(app, accounts, now_ms).await }).await
    }

    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        let inner = self.0.clone();
        detach(async move { inner.delete_accounts(app, user_ids).await }).await
    }

    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        let inner = self.0.clone();
        detach(async move { inner.accounts_exist(app, user_ids).await }).await
    }

    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        outbox: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        let inner = self.0.clone();
        detach(async move { inner.set_profile(app, user_id, items, now_ms, outbox).await }).await
    }

    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        let inner = self.0.clone();
        detach(async move { inner.get_profiles(app, user_ids, tags).await }).await
    }

    async fn send_c2c(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cSend> {
        let inner = self.0.clone();
        detach(async move { inner.send_c2c(app, message, outbox).await }).await
    }

    async fn c2c_history(&self, app: AppId, query: C2cHistoryQuery) -> StoreResult<Vec<StoredC2c>> {
        let inner = self.0.clone();
        detach(async move { inner.c2c_history(app, query).await }).await
    }

    async fn c2c_unread(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<(u64, Vec<u64>)> {
        let inner = self.0.clone();
        detach(async move { inner.c2c_unread(app, owner, peers).await }).await
    }

    async fn c2c_mark_read(
        &self,
        app: AppId,
        reader: String,
        peer: String,
        read_time: i64,
        now_ms: i64,
        outbox: C2cOutbox,
    ) -> StoreResult<u64> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .c2c_mark_read(app, reader, peer, read_time, now_ms, outbox)
                .await
        })
        .await
    }

    async fn c2c_read_time(&self, app: AppId, reader: String, peer: String) -> StoreResult<i64> {
        let inner = self.0.clone();
        detach(async move { inner.c2c_read_time(app, reader, peer).await }).await
    }

    async fn c2c_recall(
        &self,
        app: AppId,
        from: String,
        to: String,
        key: (i64, u32, u32),
        now_ms: i64,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cRecall> {
        let inner = self.0.clone();
        detach(async move { inner.c2c_recall(app, from, to, key, now_ms, outbox).await }).await
    }

    async fn import_c2c(&self, app: AppId, message: C2cMessage) -> StoreResult<C2cImport> {
        let inner = self.0.clone();
        detach(async move { inner.import_c2c(app, message).await }).await
    }

    async fn modify_c2c(
        &self,
        app: AppId,
        target: C2cMessageRef,
        body: Option<String>,
        cloud_custom_data: Option<String>,
    ) -> StoreResult<C2cModify> {
        let inner = self.0.clone();
        detach(async move { inner.modify_c2c(app, target, body, cloud_custom_data).await }).await
    }

    async fn c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        start_seq: u64,
        limit: usize,
    ) -> StoreResult<ExtensionRead> {
        let inner = self.0.clone();
        detach(async move { inner.c2c_extensions(app, target, start_seq, limit).await }).await
    }

    async fn change_c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        change: ExtensionChange,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .change_c2c_extensions(app, target, change, max_keys)
                .await
        })
        .await
    }

    async fn conversations(
        &self,
        app: AppId,
        owner: String,
        pinned: Option<bool>,
        cursor: ListCursor,
        limit: usize,
        include_empty: bool,
    ) -> StoreResult<Vec<Conversation>> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .conversations(app, owner, pinned, cursor, limit, include_empty)
                .await
        })
        .await
    }

    async fn delete_conversation(
        &self,
        app: AppId,
        owner: String,
        id: ConversationId,
        clear_history: bool,
    ) -> StoreResult<bool> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .delete_conversation(app, owner, id, clear_history)
                .await
        })
        .await
    }

    async fn contact_groups(&self, app: AppId, owner: String) -> StoreResult<Vec<ContactGroup>> {
        let inner = self.0.clone();
        detach(async move { inner.contact_groups(app, owner).await }).await
    }

    async fn contact_data(
        &self,
        app: AppId,
        owner: String,
        ids: Option<Vec<ConversationId>>,
        skip: usize,
        limit: usize,
    ) -> StoreResult<Vec<ContactData>> {
        let inner = self.0.clone();
        detach(async move { inner.contact_data(app, owner, ids, skip, limit).await }).await
    }

    async fn change_contacts(
        &self,
        app: AppId,
        owner: String,
        change: ContactChange,
        limits: ContactLimits,
        now_secs: i64,
    ) -> StoreResult<ContactOutcome> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .change_contacts(app, owner, change, limits, now_secs)
                .await
        })
        .await
    }

    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64> {
        let inner = self.0.clone();
        detach(async move { inner.purge_c2c(app, before, limit).await }).await
    }

    async fn relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
    ) -> StoreResult<Relations> {
        let inner = self.0.clone();
        detach(async move { inner.relations(app, owner, scope).await }).await
    }

    async fn edit_relations(
        &self,
        app: AppId,
        owner: String,
        scope: RelationScope,
        now_ms: i64,
        edit: RelationEdit,
    ) -> StoreResult<RelationOutcome> {
        let inner = self.0.clone();
        detach(async move { inner.edit_relations(app, owner, scope, now_ms, edit).await }).await
    }

    async fn friends_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<Friend>> {
        let inner = self.0.clone();
        detach(async move { inner.friends_page(app, owner, start, limit).await }).await
    }

    async fn blocklist_page(
        &self,
        app: AppId,
        owner: String,
        start: u64,
        limit: usize,
    ) -> StoreResult<RelationPage<BlockedAccount>> {
        let inner = self.0.clone();
        detach(async move { inner.blocklist_page(app, owner, start, limit).await }).await
    }

    async fn edit_group(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: GroupEdit,
    ) -> StoreResult<GroupOutcome> {
        let inner = self.0.clone();
        detach(async move { inner.edit_group(app, group_id, query, now_ms, edit).await }).await
    }

    async fn group_snapshot(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
    ) -> StoreResult<GroupSnapshot> {
        let inner = self.0.clone();
        detach(async move { inner.group_snapshot(app, group_id, query).await }).await
    }

    async fn groups(&self, app: AppId, ids: Vec<String>) -> StoreResult<Vec<Option<GroupRecord>>> {
        let inner = self.0.clone();
        detach(async move { inner.groups(app, ids).await }).await
    }

    async fn group_members(
        &self,
        app: AppId,
        group_id: String,
        from: MemberCursor,
        roles: Vec<String>,
        limit: usize,
    ) -> StoreResult<Vec<GroupMember>> {
        let inner = self.0.clone();
        detach(async move { inner.group_members(app, group_id, from, roles, limit).await }).await
    }

    async fn group_bans(
        &self,
        app: AppId,
        group_id: String,
        now: i64,
        offset: u64,
        limit: usize,
    ) -> StoreResult<Vec<(String, i64)>> {
        let inner = self.0.clone();
        detach(async move { inner.group_bans(app, group_id, now, offset, limit).await }).await
    }

    async fn topics(&self, app: AppId, group_id: String) -> StoreResult<Vec<TopicRecord>> {
        let inner = self.0.clone();
        detach(async move { inner.topics(app, group_id).await }).await
    }

    async fn topic_reads(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<Vec<(String, u64)>> {
        let inner = self.0.clone();
        detach(async move { inner.topic_reads(app, group_id, member).await }).await
    }

    async fn joined_groups(
        &self,
        app: AppId,
        member: String,
    ) -> StoreResult<Vec<(GroupRecord, GroupMember)>> {
        let inner = self.0.clone();
        detach(async move { inner.joined_groups(app, member).await }).await
    }

    async fn app_groups(
        &self,
        app: AppId,
        after: i64,
        limit: usize,
        group_type: Option<String>,
    ) -> StoreResult<(Vec<(String, i64)>, u64)> {
        let inner = self.0.clone();
        detach(async move { inner.app_groups(app, after, limit, group_type).await }).await
    }

    async fn join_applications(
        &self,
        app: AppId,
        group_ids: Vec<String>,
    ) -> StoreResult<Vec<JoinApplication>> {
        let inner = self.0.clone();
        detach(async move { inner.join_applications(app, group_ids).await }).await
    }

    async fn silent_after(&self, app: AppId, reads: Vec<(String, u64)>) -> StoreResult<Vec<u64>> {
        let inner = self.0.clone();
        detach(async move { inner.silent_after(app, reads).await }).await
    }

    async fn group_history(
        &self,
        app: AppId,
        group_id: String,
        max_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<GroupMessage>> {
        let inner = self.0.clone();
        detach(async move { inner.group_history(app, group_id, max_seq, limit).await }).await
    }

    async fn enqueue_outbox(
        &self,
        app: AppId,
        events: Vec<OutboxEvent>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move { inner.enqueue_outbox(app, events, now_ms).await }).await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let inner = self.0.clone();
        detach(async move { inner.claim_outbox(now_ms, lease_ms, limit).await }).await
    }

    async fn finish_outbox(&self, id: i64) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move { inner.finish_outbox(id).await }).await
    }

    async fn retry_outbox(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_ms: i64,
        error: String,
    ) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move {
            inner
                .retry_outbox(id, attempts, next_attempt_ms, error)
                .await
        })
        .await
    }

    async fn dead_letter_outbox(
        &self,
        id: i64,
        attempts: u32,
        error: String,
        now_ms: i64,
    ) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move { inner.dead_letter_outbox(id, attempts, error, now_ms).await }).await
    }

    async fn dead_letters(&self, app: AppId, limit: usize) -> StoreResult<Vec<DeadLetter>> {
        let inner = self.0.clone();
        detach(async move { inner.dead_letters(app, limit).await }).await
    }

    async fn outbox_len(&self) -> StoreResult<u64> {
        let inner = self.0.clone();
        detach(async move { inner.outbox_len().await }).await
    }

    async fn reset_app(&self, app: AppId) -> StoreResult<()> {
        let inner = self.0.clone();
        detach(async move { inner.reset_app(app).await }).await
    }

    async fn close(&self) {
        self.0.close().await
    }
}
