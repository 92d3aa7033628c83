//! Community topics on SQLite (the rows are described in `crate::topics`).

use rusqlite::{params, Connection, Row};

use crate::topics::{TOPIC_COLUMNS, TOPIC_UPDATE};
use crate::{GroupChange, GroupQuery, GroupSnapshot, StoreResult, TopicRecord};

fn topic(row: &Row) -> rusqlite::Result<TopicRecord> {
    Ok(TopicRecord {
        group_id: row.get(0)?,
        topic_id: row.get(1)?,
        name: row.get(2)?,
        introduction: row.get(3)?,
        notification: row.get(4)?,
        face_url: row.get(5)?,
        custom_string: row.get(6)?,
        creator: row.get(7)?,
        created: row.get(8)?,
        mute_all: row.get::<_, i64>(9)? != 0,
        next_msg_seq: row.get::<_, i64>(10)? as u64,
        last_msg_time: row.get(11)?,
        read_floor: row.get::<_, i64>(12)? as u64,
    })
}

/// Fills the topic parts of a snapshot: the named topics of this group, and the named
/// accounts' read positions in `query.topic`.
pub(super) fn load(
    conn: &Connection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
    snapshot: &mut GroupSnapshot,
) -> StoreResult<()> {
    let app_id = app as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TOPIC_COLUMNS} FROM group_topics WHERE app_id = ?1 AND topic_id = ?2
         AND group_id = ?3"
    ))?;
    for id in query.topic.iter().chain(&query.topics) {
        for row in stmt.query_map(params![app_id, id, group_id], topic)? {
            let t = row?;
            snapshot.topics.insert(t.topic_id.clone(), t);
        }
    }
    if query.count_topics {
        snapshot.topic_count =
            conn.prepare_cached(
                "SELECT COUNT(*) FROM group_topics WHERE app_id = ?1 AND group_id = ?2",
            )?
            .query_row(params![app_id, group_id], |r| r.get::<_, i64>(0))? as u64;
    }
    if let Some(topic_id) = &query.topic {
        let accounts = serde_json::Value::from(query.accounts.clone()).to_string();
        let mut stmt = conn.prepare_cached(
            "SELECT member, read_seq FROM topic_reads WHERE app_id = ?1 AND topic_id = ?2
             AND member IN (SELECT value FROM json_each(?3))",
        )?;
        for row in stmt.query_map(params![app_id, topic_id, accounts], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })? {
            let (member, seq) = row?;
            snapshot.topic_reads.insert(member, seq);
        }
    }
    Ok(())
}

/// Writes one topic change of `group_id`.
pub(super) fn write(
    conn: &Connection,
    app: u64,
    group_id: &str,
    change: &GroupChange,
) -> StoreResult<()> {
    let app_id = app as i64;
    match change {
        GroupChange::PutTopic(t) => {
            conn.prepare_cached(&format!(
                "INSERT INTO group_topics (app_id, {TOPIC_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (app_id, topic_id) DO UPDATE SET {TOPIC_UPDATE}"
            ))?
            .execute(params![
                app_id,
                group_id,
                t.topic_id,
                t.name,
                t.introduction,
                t.notification,
                t.face_url,
                t.custom_string,
                t.creator,
                t.created,
                i64::from(t.mute_all),
                t.next_msg_seq as i64,
                t.last_msg_time,
                t.read_floor as i64,
            ])?;
        }
        GroupChange::DeleteTopic(topic_id) => {
            for table in ["group_topics", "topic_reads", "group_hidden_msgs"] {
                conn.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE app_id = ?1 AND group_id = ?2 AND topic_id = ?3"
                ))?
                .execute(params![app_id, group_id, topic_id])?;
            }
            for table in ["group_messages", "group_reactions"] {
                conn.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE app_id = ?1 AND group_id = ?2"
                ))?
                .execute(params![app_id, topic_id])?;
            }
        }
        GroupChange::ReadTopicUpTo {
            topic_id,
            member,
            seq,
        } => {
            conn.prepare_cached(
                "INSERT INTO topic_reads (app_id, group_id, topic_id, member, read_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (app_id, topic_id, member)
                 DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)",
            )?
            .execute(params![app_id, group_id, topic_id, member, *seq as i64])?;
        }
        _ => unreachable!("not a topic change: {change:?}"),
    }
    Ok(())
}

/// Removes every topic of a group with its messages and read positions.
pub(super) fn delete_all(conn: &Connection, app: u64, group_id: &str) -> StoreResult<()> {
    let app_id = app as i64;
    for table in ["group_messages", "group_reactions"] {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE app_id = ?1 AND group_id IN
                 (SELECT topic_id FROM group_topics WHERE app_id = ?1 AND group_id = ?2)"
        ))?
        .execute(params![app_id, group_id])?;
    }
    for table in ["group_topics", "topic_reads"] {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE app_id = ?1 AND group_id = ?2"
        ))?
        .execute(params![app_id, group_id])?;
    }
    Ok(())
}

/// A group's topics in creation order.
pub(super) fn topics(conn: &Connection, app: u64, group_id: &str) -> StoreResult<Vec<TopicRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TOPIC_COLUMNS} FROM group_topics WHERE app_id = ?1 AND group_id = ?2
         ORDER BY created, topic_id"
    ))?;
    let rows = stmt.query_map(params![app as i64, group_id], topic)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `member`'s read positions in the topics of a group, by topic.
pub(super) fn reads(
    conn: &Connection,
    app: u64,
    group_id: &str,
    member: &str,
) -> StoreResult<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT topic_id, read_seq FROM topic_reads WHERE app_id = ?1 AND group_id = ?2
         AND member = ?3",
    )?;
    let rows = stmt.query_map(params![app as i64, group_id, member], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
