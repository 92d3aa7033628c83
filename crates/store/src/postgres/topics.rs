//! Community topics on PostgreSQL (the rows are described in `crate::topics`). Topic changes
//! run inside their group's edit, under the group's lock.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::topics::{TOPIC_COLUMNS, TOPIC_UPDATE};
use crate::{GroupChange, GroupQuery, GroupSnapshot, StoreResult, TopicRecord};

fn topic(row: &PgRow) -> TopicRecord {
    TopicRecord {
        group_id: row.get(0),
        topic_id: row.get(1),
        name: row.get(2),
        introduction: row.get(3),
        notification: row.get(4),
        face_url: row.get(5),
        custom_string: row.get(6),
        creator: row.get(7),
        created: row.get(8),
        mute_all: row.get::<i64, _>(9) != 0,
        next_msg_seq: row.get::<i64, _>(10) as u64,
        last_msg_time: row.get(11),
        read_floor: row.get::<i64, _>(12) as u64,
    }
}

/// Fills the topic parts of a snapshot: the named topics of this group, and the named
/// accounts' read positions in `query.topic`.
pub(super) async fn load(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
    snapshot: &mut GroupSnapshot,
) -> StoreResult<()> {
    let app_id = app as i64;
    let ids: Vec<&String> = query.topic.iter().chain(&query.topics).collect();
    if !ids.is_empty() {
        let rows = sqlx::query(&format!(
            "SELECT {TOPIC_COLUMNS} FROM group_topics WHERE app_id = $1 AND group_id = $2
             AND topic_id = ANY($3)"
        ))
        .bind(app_id)
        .bind(group_id)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let t = topic(&r);
            snapshot.topics.insert(t.topic_id.clone(), t);
        }
    }
    if query.count_topics {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM group_topics WHERE app_id = $1 AND group_id = $2")
                .bind(app_id)
                .bind(group_id)
                .fetch_one(&mut *conn)
                .await?
                .get(0);
        snapshot.topic_count = count as u64;
    }
    if let Some(topic_id) = &query.topic {
        let rows = sqlx::query(
            "SELECT member, read_seq FROM topic_reads WHERE app_id = $1 AND topic_id = $2
             AND member = ANY($3)",
        )
        .bind(app_id)
        .bind(topic_id)
        .bind(&query.accounts)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            snapshot
                .topic_reads
                .insert(r.get(0), r.get::<i64, _>(1) as u64);
        }
    }
    Ok(())
}

/// Writes one topic change of `group_id`.
pub(super) async fn write(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    change: &GroupChange,
) -> StoreResult<()> {
    let app_id = app as i64;
    match change {
        GroupChange::PutTopic(t) => {
            sqlx::query(&format!(
                "INSERT INTO group_topics (app_id, {TOPIC_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (app_id, topic_id) DO UPDATE SET {TOPIC_UPDATE}"
            ))
            .bind(app_id)
            .bind(group_id)
            .bind(&t.topic_id)
            .bind(&t.name)
            .bind(&t.introduction)
            .bind(&t.notification)
            .bind(&t.face_url)
            .bind(&t.custom_string)
            .bind(&t.creator)
            .bind(t.created)
            .bind(i64::from(t.mute_all))
            .bind(t.next_msg_seq as i64)
            .bind(t.last_msg_time)
            .bind(t.read_floor as i64)
            .execute(&mut *conn)
            .await?;
        }
        GroupChange::DeleteTopic(topic_id) => {
            for table in ["group_topics", "topic_reads", "group_hidden_msgs"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE app_id = $1 AND group_id = $2 AND topic_id = $3"
                ))
                .bind(app_id)
                .bind(group_id)
                .bind(topic_id)
                .execute(&mut *conn)
                .await?;
            }
            for table in ["group_messages", "group_reactions"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE app_id = $1 AND group_id = $2"
                ))
                .bind(app_id)
                .bind(topic_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        GroupChange::ReadTopicUpTo {
            topic_id,
            member,
            seq,
        } => {
            sqlx::query(
                "INSERT INTO topic_reads (app_id, group_id, topic_id, member, read_seq)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (app_id, topic_id, member)
                 DO UPDATE SET read_seq = GREATEST(topic_reads.read_seq, excluded.read_seq)",
            )
            .bind(app_id)
            .bind(group_id)
            .bind(topic_id)
            .bind(member)
            .bind(*seq as i64)
            .execute(&mut *conn)
            .await?;
        }
        _ => unreachable!("not a topic change: {change:?}"),
    }
    Ok(())
}

/// Removes every topic of a group with its messages and read positions.
pub(super) async fn delete_all(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
) -> StoreResult<()> {
    let app_id = app as i64;
    for table in ["group_messages", "group_reactions"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE app_id = $1 AND group_id IN
                 (SELECT topic_id FROM group_topics WHERE app_id = $1 AND group_id = $2)"
        ))
        .bind(app_id)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    }
    for table in ["group_topics", "topic_reads"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE app_id = $1 AND group_id = $2"
        ))
        .bind(app_id)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A group's topics in creation order.
pub(super) async fn topics(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
) -> StoreResult<Vec<TopicRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {TOPIC_COLUMNS} FROM group_topics WHERE app_id = $1 AND group_id = $2
         ORDER BY created, topic_id COLLATE \"C\""
    ))
    .bind(app as i64)
    .bind(group_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(topic).collect())
}

/// `member`'s read positions in the topics of a group, by topic.
pub(super) async fn reads(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    member: &str,
) -> StoreResult<Vec<(String, u64)>> {
    let rows = sqlx::query(
        "SELECT topic_id, read_seq FROM topic_reads WHERE app_id = $1 AND group_id = $2
         AND member = $3",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(member)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get::<i64, _>(1) as u64))
        .collect())
}
