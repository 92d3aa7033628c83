//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, so every
//! acknowledged write survives a crash or power loss; a group-committing writer thread
//! ([`writer`]) and a pool of readers ([`readers`]).

mod accounts;
mod applications;
mod c2c;
mod c2c_own;
mod contacts;
mod conversations;
mod dump;
mod extensions;
mod files;
mod follows;
mod group_own;
mod groups;
mod migrations;
mod moderation;
mod ops;
mod outbox;
mod pins;
mod push;
mod reactions;
mod readers;
mod relations;
mod search;
mod topics;
mod unread;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::MemberStream;
use crate::{
    AccountImport, C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox,
    C2cRecall, C2cSend, ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome,
    Conversation, ConversationId, DeadLetter, ExtensionChange, ExtensionOutcome, ExtensionRead,
    ListCursor, OutboxEntry, OutboxEvent, ProfileValue, Store, StoreError, StoreResult, StoredC2c,
    StoredFile,
};
use crate::{
    AnyReply, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupQuery, GroupRecall,
    GroupRecord, GroupSnapshot, JoinApplication, MemberCursor, TopicRecord,
};
use crate::{
    BlockedAccount, Friend, FriendRequest, RelationEdit, RelationOutcome, RelationPage,
    RelationScope, Relations,
};
use crate::{PushLabelChange, PushLabels, PushProgress, PushTarget, PushTaskRecord};
use readers::Readers;
use writer::Writer;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<Writer>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Readers,
}

const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        Self::open_with_schema_limit(path, None)
    }

    /// Like [`open`](Self::open) but stops migrating at `limit`: lets tests build an "old" data dir.
    #[doc(hidden)]
    pub fn open_with_schema_limit(path: impl AsRef<Path>, limit: Option<i64>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 268435456;",
        )?;
        migrations::migrate(&mut conn, limit)?;
        // rusqlite caches 16 statements by default; the write paths use more than that, and a
        // statement evicted from the cache is parsed again on its next use.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let (writer, thread) = Writer::start(conn);
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            // A 64 MiB page cache and memory-mapped reads: with the default 2 MiB cache a long
            // history's indexes did not fit, and every miss was a read system call.
            reader.execute_batch(
                "PRAGMA busy_timeout = 5000;
                 PRAGMA cache_size = -65536;
                 PRAGMA mmap_size = 268435456;",
            )?;
            reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            readers.push(reader);
        }
        Ok(Self {
            path,
            writer: Mutex::new(Some(writer)),
            writer_thread: Mutex::new(Some(thread)),
            readers: Readers::new(readers),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write<F, R>(&self, work: F) -> StoreResult<R>
    where
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let writer = self
            .writer
            .lock()
            .expect("writer handle lock")
            .clone()
            .ok_or(StoreError::Closed)?;
        writer.write(work).await
    }
}

fn account_exists(conn: &Connection, app: AppId, user_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM accounts WHERE app_id = ?1 AND user_id = ?2")?
        .query_row(params![app as i64, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn put_profile_items(
    conn: &Connection,
    app: AppId,
    user_id: &str,
    items: &[ProfileValue],
    now_ms: i64,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO profile_items (app_id, user_id, tag, value, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (app_id, user_id, tag) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
    )?;
    for item in items {
        upsert.execute(params![
            app as i64,
            user_id,
            item.tag,
            item.value.to_string(),
            now_ms
        ])?;
    }
    Ok(())
}

fn parse_value(tag: String, text: String) -> StoreResult<ProfileValue> {
    let value = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("profile item {tag}: {e}")))?;
    Ok(ProfileValue { tag, value })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.readers
            .read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.import_accounts_impl(app, accounts, now_ms).await
    }

    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.delete_accounts_impl(app, user_ids).await
    }

    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()> {
        self.set_kicked_impl(app, user, at_secs).await
    }

    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool> {
        self.put_file_impl(app, id, file).await
    }

    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool> {
        self.set_global_mute_impl(app, user, c2c_until, group_until)
            .await
    }

    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<crate::GlobalMute> {
        self.global_mute_impl(app, user).await
    }

    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<crate::RobotCreate> {
        self.create_robot_impl(app, robot, max, now_ms).await
    }

    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.delete_robot_impl(app, user).await
    }

    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.robots_impl(app).await
    }

    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool> {
        self.is_robot_impl(app, user).await
    }

    async fn pin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        pin: crate::PinnedMessage,
        max: usize,
    ) -> StoreResult<crate::PinOutcome> {
        self.pin_group_message_impl(app, key, pin, max).await
    }

    async fn unpin_group_message(
        &self,
        app: AppId,
        key: (String, String),
        msg_seq: u64,
    ) -> StoreResult<bool> {
        self.unpin_group_message_impl(app, key, msg_seq).await
    }

    async fn react(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        change: (String, String, bool),
        limits: crate::ReactionLimits,
        now_ms: i64,
    ) -> StoreResult<crate::ReactOutcome> {
        self.react_impl(app, message, change, limits, now_ms).await
    }

    async fn message_reactions(
        &self,
        app: AppId,
        messages: Vec<crate::ReactionMessage>,
        me: String,
        listed: usize,
    ) -> StoreResult<Vec<Option<Vec<crate::ReactionSummary>>>> {
        self.message_reactions_impl(app, messages, me, listed).await
    }

    async fn reaction_users(
        &self,
        app: AppId,
        message: crate::ReactionMessage,
        reaction: String,
        from: u64,
        limit: usize,
    ) -> StoreResult<Option<crate::ReactionUsers>> {
        self.reaction_users_impl(app, message, reaction, from, limit)
            .await
    }

    async fn pinned_group_messages(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<crate::PinnedMessage>> {
        self.pinned_group_messages_impl(app, key).await
    }

    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>> {
        self.get_file_impl(app, id).await
    }

    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>> {
        self.kicked_at_impl(app, user).await
    }

    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>> {
        self.readers
            .read(move |conn| {
                user_ids
                    .iter()
                    .map(|id| account_exists(conn, app, id))
                    .collect()
            })
            .await
    }

    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        self.list_accounts_impl(app, prefix, after, limit).await
    }

    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        events: Vec<OutboxEvent>,
    ) -> StoreResult<bool> {
        self.set_profile_impl(app, user_id, items, now_ms, events)
            .await
    }

    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>> {
        self.get_profiles_impl(app, user_ids, tags).await
    }

    async fn send_c2c(
        &self,
        app: AppId,
        message: C2cMessage,
        outbox: C2cOutbox,
    ) -> StoreResult<C2cSend> {
        self.write(move |conn| {
            let (sent, events) = c2c::send(conn, app, &message, outbox)?;
            outbox::insert(conn, app, &events, message.msg_time * 1000)?;
            Ok(sent)
        })
        .await
    }

    async fn c2c_history(&self, app: AppId, query: C2cHistoryQuery) -> StoreResult<Vec<StoredC2c>> {
        self.readers
            .read(move |conn| c2c::history(conn, app, &query))
            .await
    }

    async fn c2c_since(
        &self,
        app: AppId,
        user: String,
        after: (i64, u32, u32),
        limit: usize,
    ) -> StoreResult<Vec<StoredC2c>> {
        self.readers
            .read(move |conn| c2c::since(conn, app, &user, after, limit))
            .await
    }

    async fn c2c_unread(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<(u64, Vec<u64>)> {
        self.readers
            .read(move |conn| unread::unread(conn, app, &owner, &peers))
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
        self.write(move |conn| {
            let (total, events) = unread::mark_read(conn, app, &reader, &peer, read_time, outbox)?;
            outbox::insert(conn, app, &events, now_ms)?;
            Ok(total)
        })
        .await
    }

    async fn c2c_read_time(&self, app: AppId, reader: String, peer: String) -> StoreResult<i64> {
        self.readers
            .read(move |conn| unread::read_time(conn, app, &reader, &peer))
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
        self.write(move |conn| {
            let (outcome, events) = c2c::recall(conn, app, &from, &to, key, outbox)?;
            outbox::insert(conn, app, &events, now_ms)?;
            Ok(outcome)
        })
        .await
    }

    async fn import_c2c(&self, app: AppId, message: C2cMessage) -> StoreResult<C2cImport> {
        self.write(move |conn| c2c::import(conn, app, &message))
            .await
    }

    async fn modify_c2c(
        &self,
        app: AppId,
        target: C2cMessageRef,
        body: Option<String>,
        cloud_custom_data: Option<String>,
    ) -> StoreResult<C2cModify> {
        self.write(move |conn| {
            c2c::modify(
                conn,
                app,
                &target,
                body.as_deref(),
                cloud_custom_data.as_deref(),
            )
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
        self.readers
            .read(move |conn| extensions::read(conn, app, &target, start_seq, limit))
            .await
    }

    async fn change_c2c_extensions(
        &self,
        app: AppId,
        target: C2cMessageRef,
        change: ExtensionChange,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome> {
        self.write(move |conn| extensions::change(conn, app, &target, &change, max_keys))
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
        self.readers
            .read(move |conn| {
                conversations::list(conn, app, &owner, pinned, cursor, limit, include_empty)
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
        self.write(move |conn| conversations::delete(conn, app, &owner, &id, clear_history))
            .await
    }

    async fn set_conversations_pinned(
        &self,
        app: AppId,
        owner: String,
        ids: Vec<ConversationId>,
        pinned: bool,
    ) -> StoreResult<()> {
        self.write(move |conn| conversations::set_pinned(conn, app, &owner, &ids, pinned))
            .await
    }

    async fn clear_c2c_history(
        &self,
        app: AppId,
        owner: String,
        peer: String,
    ) -> StoreResult<bool> {
        self.write(move |conn| conversations::clear_c2c_history(conn, app, &owner, &peer))
            .await
    }

    async fn hide_c2c_messages(
        &self,
        app: AppId,
        owner: String,
        peer: String,
        positions: Vec<(i64, u32, u32)>,
    ) -> StoreResult<u64> {
        self.hide_c2c_messages_impl(app, owner, peer, positions)
            .await
    }

    async fn set_c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
        flag: u32,
    ) -> StoreResult<()> {
        self.set_c2c_peer_mutes_impl(app, owner, peers, flag).await
    }

    async fn c2c_peer_mutes(
        &self,
        app: AppId,
        owner: String,
        peers: Vec<String>,
    ) -> StoreResult<Vec<u32>> {
        self.c2c_peer_mutes_impl(app, owner, peers).await
    }

    async fn set_do_not_disturb(
        &self,
        app: AppId,
        owner: String,
        setting: crate::DoNotDisturb,
    ) -> StoreResult<()> {
        self.set_do_not_disturb_impl(app, owner, setting).await
    }

    async fn do_not_disturb(&self, app: AppId, owner: String) -> StoreResult<crate::DoNotDisturb> {
        self.do_not_disturb_impl(app, owner).await
    }

    async fn contact_groups(&self, app: AppId, owner: String) -> StoreResult<Vec<ContactGroup>> {
        self.readers
            .read(move |conn| Ok(crate::contacts::groups(&contacts::load(conn, app, &owner)?)))
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
        self.readers
            .read(move |conn| {
                let state = contacts::load(conn, app, &owner)?;
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
        self.write(move |conn| {
            let before = contacts::load(conn, app, &owner)?;
            let mut after = before.clone();
            let outcome = crate::contacts::apply(&mut after, change, limits, now_secs);
            if matches!(outcome, ContactOutcome::Done(_)) {
                contacts::write(conn, app, &owner, &crate::contacts::diff(&before, &after))?;
            }
            Ok(outcome)
        })
        .await
    }

    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64> {
        self.write(move |conn| c2c::purge(conn, app, before, limit))
            .await
    }

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

    async fn enqueue_outbox(
        &self,
        app: AppId,
        events: Vec<OutboxEvent>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| outbox::insert(conn, app, &events, now_ms))
            .await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<OutboxEntry>> {
        self.write(move |conn| outbox::claim(conn, now_ms, lease_ms, limit))
            .await
    }

    async fn finish_outbox(&self, id: i64) -> StoreResult<()> {
        self.write(move |conn| outbox::finish(conn, id)).await
    }

    async fn retry_outbox(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_ms: i64,
        error: String,
    ) -> StoreResult<()> {
        self.write(move |conn| outbox::retry(conn, id, attempts, next_attempt_ms, &error))
            .await
    }

    async fn dead_letter_outbox(
        &self,
        id: i64,
        attempts: u32,
        error: String,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| outbox::dead_letter(conn, id, attempts, &error, now_ms))
            .await
    }

    async fn dead_letters(&self, app: AppId, limit: usize) -> StoreResult<Vec<DeadLetter>> {
        self.readers
            .read(move |conn| outbox::dead_letters(conn, app, limit))
            .await
    }

    async fn outbox_len(&self) -> StoreResult<u64> {
        self.readers.read(outbox::len).await
    }

    async fn record_ops(&self, batch: natter_core::ops::OpsBatch) -> StoreResult<()> {
        self.write(move |conn| ops::record(conn, &batch)).await
    }

    async fn ops_days(&self, app: AppId, first: u32, last: u32) -> StoreResult<crate::OpsDays> {
        self.readers
            .read(move |conn| ops::days(conn, app, first, last))
            .await
    }

    async fn purge_ops(&self, before: u32) -> StoreResult<u64> {
        self.write(move |conn| ops::purge(conn, before)).await
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
        self.readers
            .read(move |conn| ops::archive(conn, app, kind, from, to, after, limit))
            .await
    }

    async fn reset_app(&self, app: AppId) -> StoreResult<()> {
        self.write(move |conn| {
            for table in migrations::APP_TABLES {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE app_id = ?1"),
                    [app as i64],
                )?;
            }
            Ok(())
        })
        .await?;
        self.remove_app_files(app)
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
        self.push_attr_names_impl(app).await
    }

    async fn set_push_attr_names(&self, app: AppId, names: Vec<(u32, String)>) -> StoreResult<()> {
        self.set_push_attr_names_impl(app, names).await
    }

    async fn push_labels(&self, app: AppId, users: Vec<String>) -> StoreResult<Vec<PushLabels>> {
        self.push_labels_impl(app, users).await
    }

    async fn change_push_labels(
        &self,
        app: AppId,
        change: PushLabelChange,
        max_tags: usize,
    ) -> StoreResult<Result<(), String>> {
        self.change_push_labels_impl(app, change, max_tags).await
    }

    async fn push_targets(
        &self,
        app: AppId,
        after: String,
        limit: usize,
        with_labels: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        self.push_targets_impl(app, after, limit, with_labels).await
    }

    async fn create_push_task(
        &self,
        app: AppId,
        task: PushTaskRecord,
        owner: String,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.create_push_task_impl(app, task, owner, lease_until_ms)
            .await
    }

    async fn claim_push_tasks(
        &self,
        owner: String,
        now_ms: i64,
        lease_until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AppId, PushTaskRecord)>> {
        self.claim_push_tasks_impl(owner, now_ms, lease_until_ms, limit)
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
        self.advance_push_task_impl(app, task_id, owner, progress, now_ms, lease_until_ms)
            .await
    }

    async fn release_push_task(
        &self,
        app: AppId,
        task_id: String,
        owner: String,
    ) -> StoreResult<()> {
        self.release_push_task_impl(app, task_id, owner).await
    }

    async fn push_tasks(&self, app: AppId, limit: usize) -> StoreResult<Vec<PushTaskRecord>> {
        self.push_tasks_impl(app, limit).await
    }

    async fn close(&self) {
        // Dropping the last writer handle lets the thread drain its queue, checkpoint and close.
        self.writer.lock().expect("writer handle lock").take();
        self.readers.close();
        let thread = self
            .writer_thread
            .lock()
            .expect("writer thread lock")
            .take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
