//! The PostgreSQL backend, for one or many stateless Natter nodes sharing one database.
//! Each write is one transaction; PostgreSQL itself groups concurrent commits into one WAL flush.

mod accounts;
mod applications;
mod c2c;
mod c2c_own;
mod contacts;
mod conversations;
mod copy;
mod dump;
mod extensions;
mod files;
mod follows;
mod group_own;
mod group_sends;
mod groups;
mod migrations;
mod moderation;
mod ops;
mod outbox;
mod pins;
mod push;
mod reactions;
mod relations;
mod search;
mod sends;
mod topics;
mod unread;

use std::collections::HashMap;
use std::future::Future;

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::MemberStream;
use crate::{
    AccountImport, C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox,
    C2cRecall, C2cSend, ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome,
    Conversation, ConversationId, DeadLetter, ExtensionChange, ExtensionOutcome, ExtensionRead,
    ListCursor, OutboxEntry, OutboxEvent, OutboxTemplate, ProfileValue, Store, StoreResult,
    StoredC2c, StoredFile,
};
use crate::{
    AnyReply, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupQuery, GroupRecall,
    GroupRecord, GroupSendOutcome, GroupSendRecord, GroupSnapshot, JoinApplication, MemberCursor,
    TopicRecord,
};
use crate::{
    BlockedAccount, Friend, FriendRequest, RelationEdit, RelationOutcome, RelationPage,
    RelationScope, Relations,
};
use crate::{PushLabelChange, PushLabels, PushProgress, PushTarget, PushTaskRecord};

/// A handle on the pool; clones share it.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

/// Connections a node keeps to PostgreSQL unless told otherwise (`--database-pool`).
pub const DEFAULT_POOL: u32 = 32;

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) with a pool of `DEFAULT_POOL` connections and brings
    /// the schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_pooled(url, DEFAULT_POOL).await
    }

    /// [`Self::connect`] with at most `pool` connections.
    pub async fn connect_pooled(url: &str, pool: u32) -> StoreResult<Self> {
        Self::open(url, pool, None).await
    }

    #[doc(hidden)]
    pub async fn connect_with_schema_limit(url: &str, limit: Option<i64>) -> StoreResult<Self> {
        Self::open(url, DEFAULT_POOL, limit).await
    }

    async fn open(url: &str, pool: u32, limit: Option<i64>) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse()?;
        // sqlx pings a connection when it goes back to the pool (a broken one is dropped there)
        // and, by default, again before handing it out: a round trip of its own on every call.
        // The second ping is left out; a connection the server closed while it sat idle fails
        // its next call once (an internal error) and is dropped.
        let pool = PgPoolOptions::new()
            .max_connections(pool)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        migrations::migrate(&pool, limit).await?;
        Ok(Self { pool })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Runs one call's `work` on its own task and waits for it; every [`Store`] method goes
    /// through here.
    ///
    /// An HTTP handler's future is dropped when its client hangs up. Dropped in the middle of a
    /// storage call, it would cancel the call too, and sqlx 0.8 then leaks an open transaction on
    /// a pooled connection when the cancelled call was inside `begin()` (sqlx issues #2805,
    /// #4393): the next borrower's statements would run inside that stale transaction. The
    /// PostgreSQL benchmark showed PostgreSQL's "there is already a transaction in progress"
    /// warnings when `wrk` closed its connections at the end of a run. On its own task the call
    /// always runs to its end, whoever stops waiting for it. (A test that cancels thousands of
    /// calls at random points did not reproduce the leak deterministically, so none is kept.)
    /// SQLite needs none of this: its writes run on the writer thread, its reads inline.
    async fn detached<T, F>(&self, work: impl FnOnce(Self) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        match tokio::spawn(work(self.clone())).await {
            Ok(value) => value,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("storage task stopped: {e}"),
        }
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.detached(|store| async move {
            sqlx::query("SELECT 1").execute(&store.pool).await?;
            Ok(())
        })
        .await
    }

    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move { accounts::import(&db, app, accounts, now_ms).await })
            .await
    }

    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.detached(move |db| async move { accounts::delete(&db, app, user_ids).await })
            .await
    }

    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()> {
        self.detached(move |db| async move { accounts::set_kicked(&db, app, user, at_secs).await })
            .await
    }

    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            moderation::set_global_mute(&db, app, user, c2c_until, group_until).await
        })
        .await
    }

    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<crate::GlobalMute> {
        self.detached(move |db| async move { moderation::global_mute(&db, app, user).await })
            .await
    }

    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<crate::RobotCreate> {
        self.detached(move |db| async move {
            moderation::create_robot(&db, app, robot, max, now_ms).await
        })
        .await
    }

    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.detached(move |db| async move { moderation::delete_robot(&db, app, user).await })
            .await
    }

    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.detached(move |db| async move { moderation::robots(&db, app).await })
            .await
    }

    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.detached(move |db| async move { moderation::is_robot(&db, app, user).await })
            .await
    }

    async fn pin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        pin: crate::PinnedMessage,
        max: usize,
    ) -> StoreResult<crate::PinOutcome> {
        self.detached(
            move |db| async move { pins::pin_group_message(&db, app, key, pin, max).await },
        )
        .await
    }

    async fn unpin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        msg_seq: u64,
    ) -> StoreResult<bool> {
        self.detached(
            move |db| async move { pins::unpin_group_message(&db, app, key, msg_seq).await },
        )
        .await
    }

    async fn react(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        change: (String, String, bool),
        limits: crate::ReactionLimits,
        now_ms: i64,
    ) -> StoreResult<crate::ReactOutcome> {
        self.detached(move |db| async move {
            reactions::react(&db, app, message, change, limits, now_ms).await
        })
        .await
    }

    async fn message_reactions(
        &self,
        app: AppId,
        messages: Vec<crate::ReactionMessage>,
        me: String,
        listed: usize,
    ) -> StoreResult<Vec<Option<Vec<crate::ReactionSummary>>>> {
        self.detached(move |db| async move {
            reactions::message_reactions(&db, app, messages, me, listed).await
        })
        .await
    }

    async fn reaction_users(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        reaction: String,
        from: u64,
        limit: usize,
    ) -> StoreResult<Option<crate::ReactionUsers>> {
        self.detached(move |db| async move {
            reactions::reaction_users(&db, app, message, reaction, from, limit).await
        })
        .await
    }

    async fn pinned_group_messages(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<crate::PinnedMessage>> {
        self.detached(move |db| async move { pins::pinned_group_messages(&db, app, key).await })
            .await
    }

    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool> {
        if !crate::is_file_id(&id) {
            return Err(crate::StoreError::Corrupt(format!("not a file id: {id:?}")));
        }
        self.detached(move |db| async move { files::put(&db, app, id, file).await })
            .await
    }

    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>> {
        self.detached(move |db| async move { files::get(&db, app, id).await })
            .await
    }

    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>> {
        self.detached(move |db| async move { accounts::kicked_at(&db, app, user).await })
            .await
    }

    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.detached(move |db| async move { accounts::exist(&db, app, user_ids).await })
            .await
    }

    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.detached(move |db| async move { accounts::list(&db, app, prefix, after, limit).await })
            .await
    }

    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        events: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            accounts::set_profile(&db, app, user_id, items, now_ms, events).await
        })
        .await
    }

    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        self.detached(
            move |db| async move { accounts::get_profiles(&db, app, user_ids, tags).await },
        )
        .await
    }

    async fn send_c2c(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cSend> {
        // The closure needs the unread total before the outbox rows can be written, so this
        // form takes a transaction around the send function; `send_c2c_prepared` is one call.
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let sent = sends::send_c2c(&mut tx, app, &message, Vec::new(), false).await?;
            if let C2cSend::Stored { recipient_unread } = sent {
                let events = outbox(recipient_unread);
                outbox::insert(&mut tx, app, &events, message.msg_time * 1000).await?;
            }
            tx.commit().await?;
            Ok(sent)
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

    async fn send_c2c_prepared(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: Vec<OutboxTemplate>,
        check_accounts: bool,
    ) -> StoreResult<C2cSend> {
        self.detached(move |db| async move {
            let mut conn = db.pool.acquire().await?;
            sends::send_c2c(&mut conn, app, &message, outbox, check_accounts).await
        })
        .await
    }

    async fn c2c_history(&self, app: AppId, query: C2cHistoryQuery) -> StoreResult<Vec<StoredC2c>> {
        self.detached(move |db| async move { c2c::history(&db.pool, app, &query).await })
            .await
    }

    async fn c2c_since(
        &self,
        app: AppId,
        user: String,
        after: (i64, u32, u32),
        limit: usize,
    ) -> StoreResult<Vec<StoredC2c>> {
        self.detached(move |db| async move { c2c::since(&db.pool, app, &user, after, limit).await })
            .await
    }

    async fn c2c_unread(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<(u64, Vec<u64>)> {
        self.detached(move |db| async move { unread::unread(&db.pool, app, &owner, &peers).await })
            .await
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
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let (total, events) =
                unread::mark_read(&mut tx, app, &reader, &peer, read_time, outbox).await?;
            outbox::insert(&mut tx, app, &events, now_ms).await?;
            tx.commit().await?;
            Ok(total)
        })
        .await
    }

    async fn c2c_read_time(&self, app: AppId, reader: String, peer: String) -> StoreResult<i64> {
        self.detached(
            move |db| async move { unread::read_time(&db.pool, app, &reader, &peer).await },
        )
        .await
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
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let (outcome, events) = c2c::recall(&mut tx, app, &from, &to, key, outbox).await?;
            outbox::insert(&mut tx, app, &events, now_ms).await?;
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    async fn import_c2c(&self, app: AppId, message: C2cMessage) -> StoreResult<C2cImport> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let outcome = c2c::import(&mut tx, app, &message).await?;
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    async fn modify_c2c(
        &self,
        app: AppId,
        target: C2cMessageRef,
        body: Option<String>,
        cloud_custom_data: Option<String>,
    ) -> StoreResult<C2cModify> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let outcome = c2c::modify(
                &mut tx,
                app,
                &target,
                body.as_deref(),
                cloud_custom_data.as_deref(),
            )
            .await?;
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    async fn c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        start_seq: u64,
        limit: usize,
    ) -> StoreResult<ExtensionRead> {
        self.detached(move |db| async move {
            extensions::read(&db.pool, app, &target, start_seq, limit).await
        })
        .await
    }

    async fn change_c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        change: ExtensionChange,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let outcome = extensions::change(&mut tx, app, &target, &change, max_keys).await?;
            tx.commit().await?;
            Ok(outcome)
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
        self.detached(move |db| async move {
            conversations::list(&db.pool, app, &owner, pinned, cursor, limit, include_empty).await
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
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let removed = conversations::delete(&mut tx, app, &owner, &id, clear_history).await?;
            tx.commit().await?;
            Ok(removed)
        })
        .await
    }

    async fn set_conversations_pinned(
        &self,
        app: AppId,
        owner: String,
        ids: Vec<ConversationId>,
        pinned: bool,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            conversations::set_pinned(&mut tx, app, &owner, &ids, pinned).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn clear_c2c_history(
        &self,
        app: AppId,
        owner: String,
        peer: String,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let cleared = conversations::clear_c2c_history(&mut tx, app, &owner, &peer).await?;
            tx.commit().await?;
            Ok(cleared)
        })
        .await
    }

    async fn hide_c2c_messages(
        &self,
        app: AppId,
        owner: String,
        peer: String,
        positions: Vec<(i64, u32, u32)>,
    ) -> StoreResult<u64> {
        self.detached(move |db| async move {
            c2c_own::hide_c2c_messages(&db, app, &owner, &peer, &positions).await
        })
        .await
    }

    async fn set_c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
        flag: u32,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            c2c_own::set_c2c_peer_mutes(&db, app, &owner, &peers, flag).await
        })
        .await
    }

    async fn c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.detached(
            move |db| async move { c2c_own::c2c_peer_mutes(&db, app, &owner, &peers).await },
        )
        .await
    }

    async fn set_do_not_disturb(
        &self,
        app: AppId,
        owner: String,
        setting: crate::DoNotDisturb,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            c2c_own::set_do_not_disturb(&db, app, &owner, setting).await
        })
        .await
    }

    async fn do_not_disturb(&self, app: AppId, owner: String) -> StoreResult<crate::DoNotDisturb> {
        self.detached(move |db| async move { c2c_own::do_not_disturb(&db, app, &owner).await })
            .await
    }

    async fn contact_groups(&self, app: AppId, owner: String) -> StoreResult<Vec<ContactGroup>> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let state = contacts::load(&mut tx, app, &owner, false).await?;
            tx.commit().await?;
            Ok(crate::contacts::groups(&state))
        })
        .await
    }

    async fn contact_data(
        &self,
        app: AppId,
        owner: String,
        ids: Option<Vec<ConversationId>>,
        skip: usize,
        limit: usize,
    ) -> StoreResult<Vec<ContactData>> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let state = contacts::load(&mut tx, app, &owner, false).await?;
            tx.commit().await?;
            Ok(crate::contacts::data(&state, ids, skip, limit))
        })
        .await
    }

    async fn change_contacts(
        &self,
        app: AppId,
        owner: String,
        change: ContactChange,
        limits: ContactLimits,
        now_secs: i64,
    ) -> StoreResult<ContactOutcome> {
        self.detached(move |db| async move {
            contacts::change(&db, app, owner, change, limits, now_secs).await
        })
        .await
    }

    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let purged = c2c::purge(&mut tx, app, before, limit).await?;
            tx.commit().await?;
            Ok(purged)
        })
        .await
    }

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

    async fn enqueue_outbox(
        &self,
        app: AppId,
        events: Vec<OutboxEvent>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            outbox::insert(&mut tx, app, &events, now_ms).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>> {
        self.detached(
            move |db| async move { outbox::claim(&db.pool, now_ms, lease_ms, limit).await },
        )
        .await
    }

    async fn finish_outbox(&self, id: i64) -> StoreResult<()> {
        self.detached(move |db| async move { outbox::finish(&db.pool, id).await })
            .await
    }

    async fn retry_outbox(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_ms: i64,
        error: String,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            outbox::retry(&db.pool, id, attempts, next_attempt_ms, &error).await
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
        self.detached(move |db| async move {
            outbox::dead_letter(&db.pool, id, attempts, &error, now_ms).await
        })
        .await
    }

    async fn dead_letters(&self, app: AppId, limit: usize) -> StoreResult<Vec<DeadLetter>> {
        self.detached(move |db| async move { outbox::dead_letters(&db.pool, app, limit).await })
            .await
    }

    async fn outbox_len(&self) -> StoreResult<u64> {
        self.detached(move |db| async move { outbox::len(&db.pool).await })
            .await
    }

    async fn record_ops(&self, batch: natter_core::ops::OpsBatch) -> StoreResult<()> {
        self.detached(move |db| async move { ops::record(&db, batch).await })
            .await
    }

    async fn ops_days(&self, app: AppId, first: u32, last: u32) -> StoreResult<crate::OpsDays> {
        self.detached(move |db| async move { ops::days(&db, app, first, last).await })
            .await
    }

    async fn purge_ops(&self, before: u32) -> StoreResult<u64> {
        self.detached(move |db| async move { ops::purge(&db, before).await })
            .await
    }

    async fn archive_page(
        &self,
        app: AppId,
        kind: crate::ArchiveKind,
        from: i64,
        to: i64,
        after: Option<crate::ArchiveCursor>,
        limit: usize,
    ) -> StoreResult<Vec<crate::ArchivedMessage>> {
        self.detached(move |db| async move {
            ops::archive(&db, app, kind, from, to, after, limit).await
        })
        .await
    }

    async fn reset_app(&self, app: AppId) -> StoreResult<()> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            for table in migrations::APP_TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
                    .bind(app as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn export_app(
        &self,
        app: AppId,
        out: tokio::sync::mpsc::Sender<crate::dump::DumpItem>,
    ) -> StoreResult<()> {
        self.export_app_impl(app, out).await
    }

    async fn import_app(
        &self,
        app: AppId,
        options: crate::dump::ImportOptions,
        input: tokio::sync::mpsc::Receiver<crate::dump::DumpItem>,
    ) -> StoreResult<crate::dump::ImportOutcome> {
        self.import_app_impl(app, options, input).await
    }

    async fn put_snapshot(
        &self,
        app: AppId,
        name: String,
        data: Vec<u8>,
        created_ms: i64,
    ) -> StoreResult<()> {
        self.put_snapshot_impl(app, name, data, created_ms).await
    }

    async fn get_snapshot(&self, app: AppId, name: String) -> StoreResult<Option<Vec<u8>>> {
        self.get_snapshot_impl(app, name).await
    }

    async fn list_snapshots(&self, app: AppId) -> StoreResult<Vec<crate::dump::SnapshotInfo>> {
        self.list_snapshots_impl(app).await
    }

    async fn delete_snapshot(&self, app: AppId, name: String) -> StoreResult<bool> {
        self.delete_snapshot_impl(app, name).await
    }

    async fn app_table_lists(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        self.app_table_lists_impl().await
    }

    async fn push_attr_names(&self, app: AppId) -> StoreResult<Vec<(u32, String)>> {
        self.detached(move |db| async move { push::attr_names(&db, app).await })
            .await
    }

    async fn set_push_attr_names(&self, app: AppId, names: Vec<(u32, String)>) -> StoreResult<()> {
        self.detached(move |db| async move { push::set_attr_names(&db, app, names).await })
            .await
    }

    async fn push_labels(&self, app: AppId, users: Vec<String>) -> StoreResult<Vec<PushLabels>> {
        self.detached(move |db| async move { push::labels(&db, app, users).await })
            .await
    }

    async fn change_push_labels(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>> {
        self.detached(
            move |db| async move { push::change_labels(&db, app, change, max_tags).await },
        )
        .await
    }

    async fn push_targets(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        self.detached(
            move |db| async move { push::targets(&db, app, after, limit, with_labels).await },
        )
        .await
    }

    async fn create_push_task(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            push::create_task(&db, app, task, owner, lease_until_ms).await
        })
        .await
    }

    async fn claim_push_tasks(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
        self.detached(move |db| async move {
            push::claim_tasks(&db, owner, now_ms, lease_until_ms, limit).await
        })
        .await
    }

    async fn advance_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
        progress: PushProgress,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> StoreResult<bool> {
        self.detached(move |db| async move {
            push::advance_task(&db, app, task_id, owner, progress, now_ms, lease_until_ms).await
        })
        .await
    }

    async fn release_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()> {
        self.detached(move |db| async move { push::release_task(&db, app, task_id, owner).await })
            .await
    }

    async fn push_tasks(&self, app: AppId, limit: usize) -> StoreResult<Vec<PushTaskRecord>> {
        self.detached(move |db| async move { push::tasks(&db, app, limit).await })
            .await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
