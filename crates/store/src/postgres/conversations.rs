//! Conversation lists on PostgreSQL.

use async_trait::async_trait;
use natter_core::AppId;
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::unread::{pair, recount};
use super::{contacts, PostgresStore};
use crate::{
    ContactChange, ContactData, ContactGroup, ContactLimits, ContactOutcome, Conversation,
    ConversationId, ConversationKind, ConversationStore, ListCursor, StoreError, StoreResult,
};

/// Puts one-to-one conversations (owner, peer) in their owners' lists, or moves them forward to
/// `msg_time`, in one statement. Rows are written in owner order, so two opposite sends cannot
/// deadlock.
pub(crate) async fn touch(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    mut pairs: Vec<(&str, &str)>,
    msg_time: i64,
) -> StoreResult<()> {
    pairs.sort();
    let (owners, peers): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
    sqlx::query(
        "INSERT INTO conversations (app_id, owner, kind, peer, msg_time)
         SELECT $1, owner, 1, peer, $4 FROM UNNEST($2::TEXT[], $3::TEXT[]) AS t (owner, peer)
         ORDER BY owner
         ON CONFLICT (app_id, owner, kind, peer)
         DO UPDATE SET msg_time = GREATEST(conversations.msg_time, EXCLUDED.msg_time)",
    )
    .bind(app as i64)
    .bind(owners)
    .bind(peers)
    .bind(msg_time)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn list(
    pool: &PgPool,
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
    let rows = sqlx::query(
        "SELECT kind, peer, msg_time, pinned FROM conversations
         WHERE app_id = $1 AND owner = $2 AND ($3::BOOLEAN IS NULL OR pinned = $3) AND msg_time <= $4
           AND ($5 OR msg_time > 0)
         ORDER BY msg_time DESC, kind, peer COLLATE \"C\"
         LIMIT $6 OFFSET $7",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(pinned)
    .bind(below)
    .bind(include_empty)
    .bind(limit as i64)
    .bind(crate::position(cursor.skip as u64))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: i32 = r.get(0);
            let kind = ConversationKind::from_code(kind.into())
                .ok_or_else(|| StoreError::Corrupt(format!("conversation kind {kind}")))?;
            Ok(Conversation {
                id: ConversationId {
                    kind,
                    peer: r.get(1),
                },
                msg_time: r.get(2),
                pinned: r.get(3),
            })
        })
        .collect()
}

pub(crate) async fn delete(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    id: &ConversationId,
    clear_history: bool,
) -> StoreResult<bool> {
    let removed = sqlx::query(
        "DELETE FROM conversations WHERE app_id = $1 AND owner = $2 AND kind = $3 AND peer = $4",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(id.kind as i32)
    .bind(&id.peer)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if id.kind == ConversationKind::C2c {
        let (low, high) = pair(owner, &id.peer);
        // Read up to the last message received in it: nothing stays unread.
        sqlx::query(
            "INSERT INTO c2c_read (app_id, reader, peer, read_time)
             SELECT $1, $2, $3, MAX(msg_time) FROM c2c_messages
             WHERE app_id = $1 AND pair_low = $4 AND pair_high = $5 AND to_account = $2
             HAVING COUNT(*) > 0
             ON CONFLICT (app_id, reader, peer)
             DO UPDATE SET read_time = GREATEST(c2c_read.read_time, EXCLUDED.read_time)",
        )
        .bind(app as i64)
        .bind(owner)
        .bind(&id.peer)
        .bind(low)
        .bind(high)
        .execute(&mut **tx)
        .await?;
        recount(tx, app, owner, &id.peer).await?;
        if clear_history {
            clear_c2c_history(tx, app, owner, &id.peer).await?;
        }
    }
    Ok(removed > 0)
}

/// Hides `owner`'s messages with `peer` so far from `owner`'s history.
pub(crate) async fn clear_c2c_history(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    peer: &str,
) -> StoreResult<bool> {
    let (low, high) = pair(owner, peer);
    let cleared = sqlx::query(
        "INSERT INTO c2c_cleared (app_id, owner, peer, cleared_id)
         SELECT $1, $2, $3, MAX(id) FROM c2c_messages
         WHERE app_id = $1 AND pair_low = $4 AND pair_high = $5
         HAVING COUNT(*) > 0
         ON CONFLICT (app_id, owner, peer) DO UPDATE SET cleared_id = EXCLUDED.cleared_id",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(peer)
    .bind(low)
    .bind(high)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(cleared > 0)
}

/// Pins or unpins conversations; one not in the list yet is added without a message.
pub(crate) async fn set_pinned(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    ids: &[ConversationId],
    pinned: bool,
) -> StoreResult<()> {
    // In key order and once each: one statement may not update a row twice.
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let kinds: Vec<i32> = ids.iter().map(|id| id.kind as i32).collect();
    let peers: Vec<&str> = ids.iter().map(|id| id.peer.as_str()).collect();
    sqlx::query(
        "INSERT INTO conversations (app_id, owner, kind, peer, msg_time, pinned)
         SELECT $1, $2, kind, peer, 0, $5 FROM UNNEST($3::INT[], $4::TEXT[]) AS t (kind, peer)
         ON CONFLICT (app_id, owner, kind, peer) DO UPDATE SET pinned = EXCLUDED.pinned",
    )
    .bind(app as i64)
    .bind(owner)
    .bind(kinds)
    .bind(peers)
    .bind(pinned)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl ConversationStore for PostgresStore {
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
            list(&db.pool, app, &owner, pinned, cursor, limit, include_empty).await
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
            let removed = delete(&mut tx, app, &owner, &id, clear_history).await?;
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
            set_pinned(&mut tx, app, &owner, &ids, pinned).await?;
            tx.commit().await?;
            Ok(())
        })
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
}
