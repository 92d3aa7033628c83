//! Pinned group messages on SQLite (see `crate::pins`).

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::pins::{PinOutcome, PinnedMessage};
use crate::{PinReactionStore, StoreResult};

impl SqliteStore {
    pub(super) async fn pin_group_message_impl(
        &self,
        app: AppId,
        key: (String, String),
        pin: PinnedMessage,
        max: usize,
    ) -> StoreResult<PinOutcome> {
        let (group_id, topic_id) = key;
        // One writer thread: the count and the insert cannot interleave with another pin.
        self.write(move |conn| {
            let exists = conn
                .prepare_cached(
                    "SELECT 1 FROM group_pins
                     WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3 AND msg_seq = ?4",
                )?
                .query_row(
                    params![app as i64, group_id, topic_id, pin.msg_seq as i64],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if exists {
                return Ok(PinOutcome::AlreadyPinned);
            }
            let count: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM group_pins
                     WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3",
                )?
                .query_row(params![app as i64, group_id, topic_id], |r| r.get(0))?;
            if count as usize >= max {
                return Ok(PinOutcome::Full);
            }
            conn.prepare_cached(
                "INSERT INTO group_pins (app_id, group_id, topic_id, msg_seq, pinner, pinned_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                app as i64,
                group_id,
                topic_id,
                pin.msg_seq as i64,
                pin.pinner,
                pin.pinned_ms
            ])?;
            Ok(PinOutcome::Pinned)
        })
        .await
    }

    pub(super) async fn unpin_group_message_impl(
        &self,
        app: AppId,
        key: (String, String),
        msg_seq: u64,
    ) -> StoreResult<bool> {
        let (group_id, topic_id) = key;
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "DELETE FROM group_pins
                     WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3 AND msg_seq = ?4",
                )?
                .execute(params![app as i64, group_id, topic_id, msg_seq as i64])?
                > 0)
        })
        .await
    }

    pub(super) async fn pinned_group_messages_impl(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<PinnedMessage>> {
        let (group_id, topic_id) = key;
        self.readers
            .read(move |conn| {
                let mut statement = conn.prepare_cached(
                    "SELECT msg_seq, pinner, pinned_ms FROM group_pins
                     WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3
                     ORDER BY msg_seq",
                )?;
                let rows = statement.query_map(params![app as i64, group_id, topic_id], |r| {
                    Ok(PinnedMessage {
                        msg_seq: r.get::<_, i64>(0)? as u64,
                        pinner: r.get(1)?,
                        pinned_ms: r.get(2)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}

#[async_trait]
impl PinReactionStore for SqliteStore {
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

    async fn pinned_group_messages(
        &self,
        app: AppId,
        key: (String, String),
    ) -> StoreResult<Vec<crate::PinnedMessage>> {
        self.pinned_group_messages_impl(app, key).await
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
}
