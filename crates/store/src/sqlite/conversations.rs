//! Conversation lists on SQLite.

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, Connection};

use super::unread::{pair, recount};
use super::{contacts, SqliteStore};
use crate::{
    ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome, Conversation,
    ConversationId, ConversationKind, ConversationStore, ListCursor, StoreResult,
};

/// Puts a one-to-one conversation in `owner`'s list, or moves it forward to `msg_time`.
pub(crate) fn touch(
    conn: &Connection,
    app: u64,
    owner: &str,
    peer: &str,
    msg_time: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO conversations (app_id, owner, kind, peer, msg_time) VALUES (?1, ?2, 1, ?3, ?4)
         ON CONFLICT (app_id, owner, kind, peer) DO UPDATE SET msg_time = MAX(msg_time, excluded.msg_time)",
    )?
    .execute(params![app as i64, owner, peer, msg_time])?;
    Ok(())
}

pub(crate) fn list(
    conn: &Connection,
    app: u64,
    owner: &str,
    pinned: Option<bool>,
    cursor: ListCursor,
    limit: usize,
    include_empty: bool,
) -> StoreResult<Vec<Conversation>> {
    let below = if cursor.time == 0 {
        i64::MAX
    } else {
        cursor.time
    };
    let rows = conn
        .prepare_cached(
            "SELECT kind, peer, msg_time, pinned FROM conversations
             WHERE app_id = ?1 AND owner = ?2 AND (?3 IS NULL OR pinned = ?3) AND msg_time <= ?4
               AND (?5 OR msg_time > 0)
             ORDER BY msg_time DESC, kind, peer
             LIMIT ?6 OFFSET ?7",
        )?
        .query_map(
            params![
                app as i64,
                owner,
                pinned,
                below,
                include_empty,
                limit as i64,
                crate::position(cursor.skip as u64)
            ],
            |r| {
                let kind: i64 = r.get(0)?;
                Ok((kind, r.get(1)?, r.get(2)?, r.get(3)?))
            },
        )?
        .collect::<Result<Vec<(i64, String, i64, bool)>, _>>()?;
    rows.into_iter()
        .map(|(kind, peer, msg_time, pinned)| {
            let kind = ConversationKind::from_code(kind)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("conversation kind {kind}")))?;
            Ok(Conversation {
                id: ConversationId { kind, peer },
                msg_time,
                pinned,
            })
        })
        .collect()
}

pub(crate) fn delete(
    conn: &Connection,
    app: u64,
    owner: &str,
    id: &ConversationId,
    clear_history: bool,
) -> StoreResult<bool> {
    let removed = conn
        .prepare_cached(
            "DELETE FROM conversations WHERE app_id = ?1 AND owner = ?2 AND kind = ?3 AND peer = ?4",
        )?
        .execute(params![app as i64, owner, id.kind as i64, id.peer])?;
    if id.kind == ConversationKind::C2c {
        let (low, high) = pair(owner, &id.peer);
        // Read up to the last message received in it: nothing stays unread.
        conn.prepare_cached(
            "INSERT INTO c2c_read (app_id, reader, peer, read_time)
             SELECT ?1, ?2, ?3, MAX(msg_time) FROM c2c_messages
             WHERE app_id = ?1 AND pair_low = ?4 AND pair_high = ?5 AND to_account = ?2
             HAVING COUNT(*) > 0
             ON CONFLICT (app_id, reader, peer) DO UPDATE SET read_time = MAX(read_time, excluded.read_time)",
        )?
        .execute(params![app as i64, owner, id.peer, low, high])?;
        recount(conn, app, owner, &id.peer)?;
        if clear_history {
            clear_c2c_history(conn, app, owner, &id.peer)?;
        }
    }
    Ok(removed > 0)
}

/// Hides `owner`'s messages with `peer` so far from `owner`'s history.
pub(crate) fn clear_c2c_history(
    conn: &Connection,
    app: u64,
    owner: &str,
    peer: &str,
) -> StoreResult<bool> {
    let (low, high) = pair(owner, peer);
    let cleared = conn
        .prepare_cached(
            "INSERT INTO c2c_cleared (app_id, owner, peer, cleared_id)
             SELECT ?1, ?2, ?3, MAX(id) FROM c2c_messages
             WHERE app_id = ?1 AND pair_low = ?4 AND pair_high = ?5
             HAVING COUNT(*) > 0
             ON CONFLICT (app_id, owner, peer) DO UPDATE SET cleared_id = excluded.cleared_id",
        )?
        .execute(params![app as i64, owner, peer, low, high])?;
    Ok(cleared > 0)
}

/// Pins or unpins conversations; one not in the list yet is added without a message.
pub(crate) fn set_pinned(
    conn: &Connection,
    app: u64,
    owner: &str,
    ids: &[ConversationId],
    pinned: bool,
) -> StoreResult<()> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO conversations (app_id, owner, kind, peer, msg_time, pinned)
         VALUES (?1, ?2, ?3, ?4, 0, ?5)
         ON CONFLICT (app_id, owner, kind, peer) DO UPDATE SET pinned = excluded.pinned",
    )?;
    for id in ids {
        upsert.execute(params![app as i64, owner, id.kind as i64, id.peer, pinned])?;
    }
    Ok(())
}

#[async_trait]
impl ConversationStore for SqliteStore {
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
            .read(move |conn| list(conn, app, &owner, pinned, cursor, limit, include_empty))
            .await
    }

    async fn delete_conversation(
        &self,
        app: AppId,
        owner: String,
        id: ConversationId,
        clear_history: bool,
    ) -> StoreResult<bool> {
        self.write(move |conn| delete(conn, app, &owner, &id, clear_history))
            .await
    }

    async fn set_conversations_pinned(
        &self,
        app: AppId,
        owner: String,
        ids: Vec<ConversationId>,
        pinned: bool,
    ) -> StoreResult<()> {
        self.write(move |conn| set_pinned(conn, app, &owner, &ids, pinned))
            .await
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
}
