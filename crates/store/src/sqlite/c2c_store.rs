//! `C2cStore` on SQLite: each operation runs the SQL of `c2c.rs`, `unread.rs`, `extensions.rs` and
//! `c2c_own.rs`, writes on the writer thread, reads on a reader.

use async_trait::async_trait;
use natter_core::AppId;

use super::{c2c, conversations, extensions, outbox, unread, SqliteStore};
use crate::{
    C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox, C2cRecall,
    C2cSend, C2cStore, ExtensionChange, ExtensionOutcome, ExtensionRead, SeenSeqs, StoreResult,
    StoredC2c,
};

#[async_trait]
impl C2cStore for SqliteStore {
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
        expected_version: Option<u64>,
    ) -> StoreResult<C2cModify> {
        self.write(move |conn| {
            c2c::modify(
                conn,
                app,
                &target,
                body.as_deref(),
                cloud_custom_data.as_deref(),
                expected_version,
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
        seen: SeenSeqs,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome> {
        self.write(move |conn| extensions::change(conn, app, &target, change, &seen, max_keys))
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

    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64> {
        self.write(move |conn| c2c::purge(conn, app, before, limit))
            .await
    }
}
