//! Groups on SQLite (the rows are described in `crate::groups`).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{applications, topics};
use crate::groups::{
    decode_counters, decode_extensions, decode_pairs, decode_recipients, encode_counters,
    encode_extensions, encode_pairs, encode_recipients, message_state, stream, GROUP_UPDATE,
    MEMBER_UPDATE,
};
use crate::{
    GroupChange, GroupMember, GroupMessage, GroupQuery, GroupRecord, GroupSnapshot, MemberCursor,
    StoreResult,
};

const GROUP_COLUMNS: &str = "group_id, group_type, name, introduction, notification, face_url,
    owner, created, max_members, apply_join, invite_join, mute_all, info_seq, last_info_time,
    next_msg_seq, last_msg_time, member_count, app_defined, support_topic, serial, attributes,
    counters, attr_seq, counter_seq";

/// A group row and its JSON columns (custom data, attributes, counters), decoded later.
type GroupRow = (GroupRecord, [String; 3]);

fn group(row: &Row) -> rusqlite::Result<GroupRow> {
    Ok((
        GroupRecord {
            group_id: row.get(0)?,
            group_type: row.get(1)?,
            name: row.get(2)?,
            introduction: row.get(3)?,
            notification: row.get(4)?,
            face_url: row.get(5)?,
            owner: row.get(6)?,
            created: row.get(7)?,
            max_members: row.get::<_, i64>(8)? as u64,
            apply_join: row.get(9)?,
            invite_join: row.get(10)?,
            mute_all: row.get::<_, i64>(11)? != 0,
            info_seq: row.get::<_, i64>(12)? as u64,
            last_info_time: row.get(13)?,
            next_msg_seq: row.get::<_, i64>(14)? as u64,
            last_msg_time: row.get(15)?,
            member_count: row.get::<_, i64>(16)? as u64,
            support_topic: row.get::<_, i64>(18)? != 0,
            serial: row.get(19)?,
            attr_seq: row.get::<_, i64>(22)? as u64,
            counter_seq: row.get::<_, i64>(23)? as u64,
            ..GroupRecord::default()
        },
        [row.get(17)?, row.get(20)?, row.get(21)?],
    ))
}

fn decode_group((mut g, [pairs, attributes, counters]): GroupRow) -> StoreResult<GroupRecord> {
    g.app_defined = decode_pairs(&pairs)?;
    g.attributes = decode_pairs(&attributes)?;
    g.counters = decode_counters(&counters)?;
    Ok(g)
}

const MEMBER_COLUMNS: &str = "member, role, join_time, msg_flag, name_card, muted_until,
    read_seq, last_send_time, app_defined";

fn member(row: &Row) -> rusqlite::Result<(GroupMember, String)> {
    Ok((
        GroupMember {
            member: row.get(0)?,
            role: row.get(1)?,
            join_time: row.get(2)?,
            msg_flag: row.get(3)?,
            name_card: row.get(4)?,
            muted_until: row.get(5)?,
            read_seq: row.get::<_, i64>(6)? as u64,
            last_send_time: row.get(7)?,
            app_defined: Vec::new(),
        },
        row.get(8)?,
    ))
}

fn decode_member((mut m, pairs): (GroupMember, String)) -> StoreResult<GroupMember> {
    m.app_defined = decode_pairs(&pairs)?;
    Ok(m)
}

pub(super) const MESSAGE_COLUMNS: &str = "msg_seq, msg_random, from_account, msg_time, body,
    cloud_custom_data, priority, recalled, extensions, need_receipt, silent, recipients,
    msg_version";

pub(super) fn message(row: &Row) -> rusqlite::Result<GroupMessage> {
    let extensions = decode_extensions(row.get(8)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(GroupMessage {
        seq: row.get::<_, i64>(0)? as u64,
        random: row.get::<_, i64>(1)? as u32,
        from: row.get(2)?,
        time: row.get(3)?,
        body: row.get(4)?,
        cloud_custom_data: row.get(5)?,
        priority: row.get::<_, i64>(6)? as u32,
        recalled: row.get::<_, i64>(7)? == 1,
        deleted: row.get::<_, i64>(7)? == 2,
        topic_id: String::new(),
        extensions,
        need_receipt: row.get::<_, i64>(9)? != 0,
        silent: row.get::<_, i64>(10)? != 0,
        recipients: decode_recipients(&row.get::<_, String>(11)?),
        version: row.get::<_, i64>(12)? as u64,
    })
}

pub(crate) fn find(
    conn: &Connection,
    app: u64,
    group_id: &str,
) -> StoreResult<Option<GroupRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE app_id = ?1 AND group_id = ?2"
    ))?
    .query_row(params![app as i64, group_id], group)
    .optional()?
    .map(decode_group)
    .transpose()
}

pub(crate) fn load(
    conn: &Connection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
) -> StoreResult<GroupSnapshot> {
    let app_id = app as i64;
    let mut snapshot = GroupSnapshot {
        group: find(conn, app, group_id)?,
        ..GroupSnapshot::default()
    };
    // Messages are looked up in the topic's stream when the edit is about a topic.
    let stream = query.topic.as_deref().unwrap_or(group_id);
    let json = serde_json::Value::from(query.accounts.clone()).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM accounts WHERE app_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))",
    )?;
    for id in stmt.query_map(params![app_id, json], |r| r.get::<_, String>(0))? {
        snapshot.existing.insert(id?);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE app_id = ?1 AND group_id = ?2
         AND member IN (SELECT value FROM json_each(?3))"
    ))?;
    for row in stmt.query_map(params![app_id, group_id, json], member)? {
        let m = decode_member(row?)?;
        snapshot.members.insert(m.member.clone(), m);
    }
    if let Some((from, random, since)) = &query.duplicate_of {
        snapshot.duplicate = conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = ?1 AND group_id = ?2
                 AND msg_random = ?3 AND from_account = ?4 AND msg_time >= ?5"
            ))?
            .query_row(
                params![app_id, stream, i64::from(*random), from, since],
                message,
            )
            .optional()?;
    }
    for seq in &query.messages {
        let found = conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = ?1 AND group_id = ?2
                 AND msg_seq = ?3"
            ))?
            .query_row(params![app_id, stream, *seq as i64], message)
            .optional()?;
        if let Some(mut m) = found {
            m.topic_id = query.topic.clone().unwrap_or_default();
            snapshot.messages.insert(*seq, m);
        }
    }
    if let Some(m) = &mut snapshot.duplicate {
        m.topic_id = query.topic.clone().unwrap_or_default();
    }
    if query.bans {
        let mut stmt = conn.prepare_cached(
            "SELECT member, until FROM group_bans WHERE app_id = ?1 AND group_id = ?2
             AND member IN (SELECT value FROM json_each(?3))",
        )?;
        for row in stmt.query_map(params![app_id, group_id, json], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (member, until) = row?;
            snapshot.bans.insert(member, until);
        }
    }
    topics::load(conn, app, group_id, query, &mut snapshot)?;
    applications::load(conn, app, group_id, query, &mut snapshot)?;
    Ok(snapshot)
}

pub(crate) fn write(
    conn: &Connection,
    app: u64,
    group_id: &str,
    changes: &[GroupChange],
) -> StoreResult<()> {
    let app_id = app as i64;
    for change in changes {
        match change {
            GroupChange::PutGroup(g) => {
                conn.prepare_cached(&format!(
                    "INSERT INTO groups (app_id, {GROUP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                         ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                         (SELECT COALESCE(MAX(serial), 0) + 1 FROM groups WHERE app_id = ?1),
                         ?21, ?22, ?23, ?24)
                     ON CONFLICT (app_id, group_id) DO UPDATE SET {GROUP_UPDATE}"
                ))?
                .execute(params![
                    app_id,
                    g.group_id,
                    g.group_type,
                    g.name,
                    g.introduction,
                    g.notification,
                    g.face_url,
                    g.owner,
                    g.created,
                    g.max_members as i64,
                    g.apply_join,
                    g.invite_join,
                    i64::from(g.mute_all),
                    g.info_seq as i64,
                    g.last_info_time,
                    g.next_msg_seq as i64,
                    g.last_msg_time,
                    g.member_count as i64,
                    encode_pairs(&g.app_defined),
                    i64::from(g.support_topic),
                    encode_pairs(&g.attributes),
                    encode_counters(&g.counters),
                    g.attr_seq as i64,
                    g.counter_seq as i64,
                ])?;
            }
            GroupChange::DeleteGroup => {
                // Topic messages first: they are found through the topic rows.
                topics::delete_all(conn, app, group_id)?;
                for table in [
                    "groups",
                    "group_members",
                    "group_messages",
                    "group_bans",
                    "group_applications",
                    "group_history_clears",
                    "group_pins",
                    "group_reactions",
                    "group_hidden_msgs",
                ] {
                    conn.prepare_cached(&format!(
                        "DELETE FROM {table} WHERE app_id = ?1 AND group_id = ?2"
                    ))?
                    .execute(params![app_id, group_id])?;
                }
            }
            GroupChange::PutMember(m) => {
                conn.prepare_cached(&format!(
                    "INSERT INTO group_members (app_id, group_id, {MEMBER_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (app_id, group_id, member) DO UPDATE SET {MEMBER_UPDATE}"
                ))?
                .execute(params![
                    app_id,
                    group_id,
                    m.member,
                    m.role,
                    m.join_time,
                    m.msg_flag,
                    m.name_card,
                    m.muted_until,
                    m.read_seq as i64,
                    m.last_send_time,
                    encode_pairs(&m.app_defined),
                ])?;
            }
            GroupChange::DeleteMember(member) => {
                // A member who leaves takes their topic read positions along.
                for table in ["group_members", "topic_reads"] {
                    conn.prepare_cached(&format!(
                        "DELETE FROM {table} WHERE app_id = ?1 AND group_id = ?2 AND member = ?3"
                    ))?
                    .execute(params![app_id, group_id, member])?;
                }
            }
            GroupChange::RecallMessage {
                topic_id,
                seq,
                recalled_ms,
                revoker,
            } => {
                conn.prepare_cached(
                    "UPDATE group_messages SET recalled = 1, recalled_ms = ?4, revoker = ?5
                     WHERE app_id = ?1 AND group_id = ?2 AND msg_seq = ?3",
                )?
                .execute(params![
                    app_id,
                    stream(group_id, topic_id),
                    *seq as i64,
                    recalled_ms,
                    revoker
                ])?;
            }
            GroupChange::EditMessage(m) => {
                conn.prepare_cached(
                    "UPDATE group_messages SET body = ?4, cloud_custom_data = ?5, extensions = ?6,
                         msg_version = ?7
                     WHERE app_id = ?1 AND group_id = ?2 AND msg_seq = ?3",
                )?
                .execute(params![
                    app_id,
                    stream(group_id, &m.topic_id),
                    m.seq as i64,
                    m.body,
                    m.cloud_custom_data,
                    encode_extensions(&m.extensions),
                    m.version as i64,
                ])?;
            }
            GroupChange::DeleteMessagesBy(sender) => {
                conn.prepare_cached(
                    "UPDATE group_messages SET recalled = 2, body = '[]', cloud_custom_data = ''
                     WHERE app_id = ?1 AND from_account = ?3 AND group_id IN (SELECT ?2 UNION ALL
                         SELECT topic_id FROM group_topics WHERE app_id = ?1 AND group_id = ?2)",
                )?
                .execute(params![app_id, group_id, sender])?;
            }
            GroupChange::PutBan {
                member,
                until,
                description,
            } => {
                conn.prepare_cached(
                    "INSERT INTO group_bans (app_id, group_id, member, until, description)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (app_id, group_id, member)
                     DO UPDATE SET until = excluded.until, description = excluded.description",
                )?
                .execute(params![app_id, group_id, member, until, description])?;
            }
            GroupChange::DeleteBan(member) => {
                conn.prepare_cached(
                    "DELETE FROM group_bans WHERE app_id = ?1 AND group_id = ?2 AND member = ?3",
                )?
                .execute(params![app_id, group_id, member])?;
            }
            GroupChange::PutTopic(_)
            | GroupChange::DeleteTopic(_)
            | GroupChange::ReadTopicUpTo { .. } => topics::write(conn, app, group_id, change)?,
            GroupChange::PutApplication(_) | GroupChange::DeleteApplication(_) => {
                applications::write(conn, app, group_id, change)?
            }
            GroupChange::ReadAllUpTo(seq) => {
                conn.prepare_cached(
                    "UPDATE group_members SET read_seq = MAX(read_seq, ?3)
                     WHERE app_id = ?1 AND group_id = ?2",
                )?
                .execute(params![app_id, group_id, *seq as i64])?;
            }
            GroupChange::AddMessage(m) => {
                conn.prepare_cached(&format!(
                    "INSERT INTO group_messages (app_id, group_id, {MESSAGE_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
                         ?12, ?13, ?14, ?15)"
                ))?
                .execute(params![
                    app_id,
                    stream(group_id, &m.topic_id),
                    m.seq as i64,
                    i64::from(m.random),
                    m.from,
                    m.time,
                    m.body,
                    m.cloud_custom_data,
                    i64::from(m.priority),
                    message_state(m),
                    encode_extensions(&m.extensions),
                    i64::from(m.need_receipt),
                    i64::from(m.silent),
                    encode_recipients(&m.recipients),
                    m.version as i64,
                ])?;
            }
        }
    }
    Ok(())
}

/// The groups of `ids`, in order (`None` for one that does not exist).
pub(crate) fn groups(
    conn: &Connection,
    app: u64,
    ids: &[String],
) -> StoreResult<Vec<Option<GroupRecord>>> {
    ids.iter().map(|id| find(conn, app, id)).collect()
}

pub(crate) fn members(
    conn: &Connection,
    app: u64,
    group_id: &str,
    from: &MemberCursor,
    roles: &[String],
    limit: usize,
) -> StoreResult<Vec<GroupMember>> {
    let roles = serde_json::Value::from(roles.to_vec()).to_string();
    let (offset, after) = match from {
        MemberCursor::Offset(n) => (crate::position(*n), None),
        MemberCursor::After { join_time, member } => (0, Some((*join_time, member.as_str()))),
    };
    let (join_time, member_id) = after.unwrap_or((i64::MIN, ""));
    // Members are most of a group: walking the join order and skipping the others is cheap.
    // The few owners and admins are found through the role index (then sorted).
    let (index, filter) = if roles == "[]" {
        ("", "AND ?7 = '[]'")
    } else if roles.contains("\"Member\"") {
        ("", "AND role IN (SELECT value FROM json_each(?7))")
    } else {
        (
            "INDEXED BY group_members_by_role",
            "AND role IN (SELECT value FROM json_each(?7))",
        )
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members {index} WHERE app_id = ?1 AND group_id = ?2
         AND (join_time, member) > (?5, ?6) {filter}
         ORDER BY join_time, member LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(
        params![
            app as i64,
            group_id,
            limit as i64,
            offset,
            join_time,
            member_id,
            roles
        ],
        member,
    )?;
    rows.map(|r| decode_member(r?)).collect()
}

pub(crate) fn joined(
    conn: &Connection,
    app: u64,
    member_id: &str,
) -> StoreResult<Vec<(GroupRecord, GroupMember)>> {
    let columns: Vec<String> = GROUP_COLUMNS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .chain(MEMBER_COLUMNS.split(',').map(|c| format!("m.{}", c.trim())))
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM group_members m JOIN groups g ON g.app_id = m.app_id AND g.group_id = m.group_id
         WHERE m.app_id = ?1 AND m.member = ?2 ORDER BY m.join_time, g.group_id",
        columns.join(", ")
    ))?;
    let rows = stmt.query_map(params![app as i64, member_id], |row| {
        let g = group(row)?;
        let m = GroupMember {
            member: row.get(24)?,
            role: row.get(25)?,
            join_time: row.get(26)?,
            msg_flag: row.get(27)?,
            name_card: row.get(28)?,
            muted_until: row.get(29)?,
            read_seq: row.get::<_, i64>(30)? as u64,
            last_send_time: row.get(31)?,
            app_defined: Vec::new(),
        };
        Ok((g, (m, row.get::<_, String>(32)?)))
    })?;
    rows.map(|r| {
        let (g, m) = r?;
        Ok((decode_group(g)?, decode_member(m)?))
    })
    .collect()
}

pub(crate) fn app_groups(
    conn: &Connection,
    app: u64,
    after: i64,
    limit: usize,
    group_type: Option<&str>,
) -> StoreResult<(Vec<(String, i64)>, u64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT group_id, serial FROM groups WHERE app_id = ?1 AND serial > ?2
         AND (?3 IS NULL OR group_type = ?3) ORDER BY serial LIMIT ?4",
    )?;
    let page = stmt
        .query_map(params![app as i64, after, group_type, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM groups WHERE app_id = ?1 AND (?2 IS NULL OR group_type = ?2)",
        )?
        .query_row(params![app as i64, group_type], |r| r.get(0))?;
    Ok((page, total as u64))
}

pub(crate) fn silent_after(
    conn: &Connection,
    app: u64,
    reads: &[(String, u64)],
) -> StoreResult<Vec<u64>> {
    let mut count = conn.prepare_cached(
        "SELECT COUNT(*) FROM group_messages
         WHERE app_id = ?1 AND group_id = ?2 AND msg_seq > ?3 AND silent <> 0",
    )?;
    reads
        .iter()
        .map(|(group_id, after)| {
            let n: i64 =
                count.query_row(params![app as i64, group_id, *after as i64], |r| r.get(0))?;
            Ok(n as u64)
        })
        .collect()
}

pub(crate) fn history(
    conn: &Connection,
    app: u64,
    group_id: &str,
    max_seq: u64,
    limit: usize,
) -> StoreResult<Vec<GroupMessage>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = ?1 AND group_id = ?2
         AND msg_seq <= ?3 ORDER BY msg_seq DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(
        params![app as i64, group_id, crate::position(max_seq), limit as i64],
        message,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn bans(
    conn: &Connection,
    app: u64,
    group_id: &str,
    now: i64,
    offset: u64,
    limit: usize,
) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member, until FROM group_bans WHERE app_id = ?1 AND group_id = ?2 AND until > ?3
         ORDER BY member LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt.query_map(
        params![
            app as i64,
            group_id,
            now,
            limit as i64,
            crate::position(offset)
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
