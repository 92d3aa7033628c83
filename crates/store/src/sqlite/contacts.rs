//! Conversation groups and marks on SQLite: load one user's state, write back a diff (the rules
//! are in `crate::contacts`).

use rusqlite::{params, Connection};

use crate::contacts::ContactState;
use crate::contacts::{Diff, Marks};
use crate::{ConversationId, ConversationKind, StoreError, StoreResult};

fn conversation(kind: i64, peer: String) -> StoreResult<ConversationId> {
    let kind = ConversationKind::from_code(kind)
        .ok_or_else(|| StoreError::Corrupt(format!("conversation kind {kind}")))?;
    Ok(ConversationId { kind, peer })
}

pub(crate) fn load(conn: &Connection, app: u64, owner: &str) -> StoreResult<ContactState> {
    let mut state = ContactState::default();
    let mut groups = conn.prepare_cached(
        "SELECT group_id, name FROM contact_groups WHERE app_id = ?1 AND owner = ?2",
    )?;
    for row in groups.query_map(params![app as i64, owner], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (id, name): (u32, String) = row?;
        state.groups.insert(id, name);
    }
    let mut members = conn.prepare_cached(
        "SELECT group_id, kind, peer FROM contact_group_members WHERE app_id = ?1 AND owner = ?2",
    )?;
    for row in members.query_map(params![app as i64, owner], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (group, kind, peer) = row?;
        state.members.insert((group, conversation(kind, peer)?));
    }
    let mut marks = conn.prepare_cached(
        "SELECT kind, peer, standard_mark, custom_mark, updated FROM contact_marks
         WHERE app_id = ?1 AND owner = ?2",
    )?;
    for row in marks.query_map(params![app as i64, owner], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })? {
        let (kind, peer, standard, custom, updated) = row?;
        state.data.insert(
            conversation(kind, peer)?,
            Marks {
                // 64 mark bits, stored as a signed integer.
                standard: standard as u64,
                custom,
                updated,
            },
        );
    }
    Ok(state)
}

pub(crate) fn write(conn: &Connection, app: u64, owner: &str, diff: &Diff) -> StoreResult<()> {
    let app = app as i64;
    for id in &diff.delete_groups {
        conn.prepare_cached(
            "DELETE FROM contact_groups WHERE app_id = ?1 AND owner = ?2 AND group_id = ?3",
        )?
        .execute(params![app, owner, id])?;
    }
    for (id, name) in &diff.put_groups {
        conn.prepare_cached(
            "INSERT INTO contact_groups (app_id, owner, group_id, name) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (app_id, owner, group_id) DO UPDATE SET name = excluded.name",
        )?
        .execute(params![app, owner, id, name])?;
    }
    for (group, c) in &diff.delete_members {
        conn.prepare_cached(
            "DELETE FROM contact_group_members
             WHERE app_id = ?1 AND owner = ?2 AND group_id = ?3 AND kind = ?4 AND peer = ?5",
        )?
        .execute(params![app, owner, group, c.kind as i64, c.peer])?;
    }
    for (group, c) in &diff.add_members {
        conn.prepare_cached(
            "INSERT INTO contact_group_members (app_id, owner, group_id, kind, peer) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![app, owner, group, c.kind as i64, c.peer])?;
    }
    for c in &diff.delete_data {
        conn.prepare_cached(
            "DELETE FROM contact_marks WHERE app_id = ?1 AND owner = ?2 AND kind = ?3 AND peer = ?4",
        )?
        .execute(params![app, owner, c.kind as i64, c.peer])?;
    }
    for (c, marks) in &diff.put_data {
        conn.prepare_cached(
            "INSERT INTO contact_marks (app_id, owner, kind, peer, standard_mark, custom_mark, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (app_id, owner, kind, peer) DO UPDATE SET
                 standard_mark = excluded.standard_mark, custom_mark = excluded.custom_mark,
                 updated = excluded.updated",
        )?
        .execute(params![
            app,
            owner,
            c.kind as i64,
            c.peer,
            marks.standard as i64,
            marks.custom,
            marks.updated
        ])?;
    }
    Ok(())
}
