//! `C2cStore` on PostgreSQL: each operation runs, on a task of its own (`detached`), the SQL of
//! `c2c.rs`, `sends.rs`, `unread.rs`, `extensions.rs` and `c2c_own.rs`.

use async_trait::async_trait;
use natter_core::AppId;

use super::{c2c, c2c_own, conversations, extensions, outbox, sends, unread, PostgresStore};
use crate::{
    C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify, C2cOutbox, C2cRecall,
    C2cSend, C2cStore, ExtensionChange, ExtensionOutcome, ExtensionRead, OutboxTemplate, SeenSeqs,
    StoreResult, StoredC2c,
};

#[async_trait]
impl C2cStore for PostgresStore {
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
        expected_version: Option<u64>,
    ) -> StoreResult<C2cModify> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let outcome = c2c::modify(
                &mut tx,
                app,
                &target,
                body.as_deref(),
                cloud_custom_data.as_deref(),
                expected_version,
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
        seen: SeenSeqs,
        max_keys: usize,
    ) -> StoreResult<ExtensionOutcome> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let outcome =
                extensions::change(&mut tx, app, &target, change, &seen, max_keys).await?;
            tx.commit().await?;
            Ok(outcome)
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

    async fn purge_c2c(&self, app: AppId, before: i64, limit: usize) -> StoreResult<u64> {
        self.detached(move |db| async move {
            let mut tx = db.begin().await?;
            let purged = c2c::purge(&mut tx, app, before, limit).await?;
            tx.commit().await?;
            Ok(purged)
        })
        .await
    }
}
