//! Conversation groups and marks on PostgreSQL: load one user's state, write back a diff (the
//! rules are in `crate::contacts`).

use sqlx::{Postgres, Row, Transaction};

use crate::contacts::{ContactState, Diff, Marks};
use crate::{ContactChange, ContactLimits, ContactOutcome};
use crate::{ConversationId, ConversationKind, StoreError, StoreResult};
use natter_core::AppId;

fn conversation(kind: i32, peer: String) -> StoreResult<ConversationId> {
    let kind = ConversationKind::from_code(kind.into())
        .ok_or_else(|| StoreError::Corrupt(format!("conversation kind {kind}")))?;
    Ok(ConversationId { kind, peer })
}

/// Loads `owner`'s state; with `lock`, first takes a transaction lock on the owner, so two
/// changes of one user's groups and marks run one after the other.
pub(crate) async fn load(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    lock: bool,
) -> StoreResult<ContactState> {
    if lock {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
            .bind(format!("contacts:{owner}"))
            .bind(app as i64)
            .execute(&mut **tx)
            .await?;
    }
    let mut state = ContactState::default();
    let rows =
        sqlx::query("SELECT group_id, name FROM contact_groups WHERE app_id = $1 AND owner = $2")
            .bind(app as i64)
            .bind(owner)
            .fetch_all(&mut **tx)
            .await?;
    for r in rows {
        state.groups.insert(r.get::<i32, _>(0) as u32, r.get(1));
    }
    let rows = sqlx::query(
        "SELECT group_id, kind, peer FROM contact_group_members WHERE app_id = $1 AND owner = $2",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        state
            .members
            .insert((r.get::<i32, _>(0) as u32, conversation(r.get(1), r.get(2))?));
    }
    let rows = sqlx::query(
        "SELECT kind, peer, standard_mark, custom_mark, updated FROM contact_marks
         WHERE app_id = $1 AND owner = $2",
    )
    .bind(app as i64)
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        state.data.insert(
            conversation(r.get(0), r.get(1))?,
            Marks {
                // 64 mark bits, stored as a signed integer.
                standard: r.get::<i64, _>(2) as u64,
                custom: r.get(3),
                updated: r.get(4),
            },
        );
    }
    Ok(state)
}

pub(crate) async fn write(
    tx: &mut Transaction<'static, Postgres>,
    app: u64,
    owner: &str,
    diff: &Diff,
) -> StoreResult<()> {
    let app = app as i64;
    for id in &diff.delete_groups {
        sqlx::query(
            "DELETE FROM contact_groups WHERE app_id = $1 AND owner = $2 AND group_id = $3",
        )
        .bind(app)
        .bind(owner)
        .bind(*id as i32)
        .execute(&mut **tx)
        .await?;
    }
    for (id, name) in &diff.put_groups {
        sqlx::query(
            "INSERT INTO contact_groups (app_id, owner, group_id, name) VALUES ($1, $2, $3, $4)
             ON CONFLICT (app_id, owner, group_id) DO UPDATE SET name = EXCLUDED.name",
        )
        .bind(app)
        .bind(owner)
        .bind(*id as i32)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    }
    for (group, c) in &diff.delete_members {
        sqlx::query(
            "DELETE FROM contact_group_members
             WHERE app_id = $1 AND owner = $2 AND group_id = $3 AND kind = $4 AND peer = $5",
        )
        .bind(app)
        .bind(owner)
        .bind(*group as i32)
        .bind(c.kind as i32)
        .bind(&c.peer)
        .execute(&mut **tx)
        .await?;
    }
    for (group, c) in &diff.add_members {
        sqlx::query(
            "INSERT INTO contact_group_members (app_id, owner, group_id, kind, peer) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(app)
        .bind(owner)
        .bind(*group as i32)
        .bind(c.kind as i32)
        .bind(&c.peer)
        .execute(&mut **tx)
        .await?;
    }
    for c in &diff.delete_data {
        sqlx::query(
            "DELETE FROM contact_marks WHERE app_id = $1 AND owner = $2 AND kind = $3 AND peer = $4",
        )
        .bind(app)
        .bind(owner)
        .bind(c.kind as i32)
        .bind(&c.peer)
        .execute(&mut **tx)
        .await?;
    }
    for (c, marks) in &diff.put_data {
        sqlx::query(
            "INSERT INTO contact_marks (app_id, owner, kind, peer, standard_mark, custom_mark, updated)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (app_id, owner, kind, peer) DO UPDATE SET
                 standard_mark = EXCLUDED.standard_mark, custom_mark = EXCLUDED.custom_mark,
                 updated = EXCLUDED.updated",
        )
        .bind(app)
        .bind(owner)
        .bind(c.kind as i32)
        .bind(&c.peer)
        .bind(marks.standard as i64)
        .bind(&marks.custom)
        .bind(marks.updated)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One `change_contacts` of the trait, in one transaction.
pub(super) async fn change(
    db: &super::PostgresStore,
    app: AppId,
    owner: String,
    change: ContactChange,
    limits: ContactLimits,
    now_secs: i64,
) -> StoreResult<ContactOutcome> {
    let mut tx = db.begin().await?;
    let before = load(&mut tx, app, &owner, true).await?;
    let mut after = before.clone();
    let outcome = crate::contacts::apply(&mut after, change, limits, now_secs);
    if matches!(outcome, ContactOutcome::Done(_)) {
        write(
            &mut tx,
            app,
            &owner,
            &crate::contacts::diff(&before, &after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}
