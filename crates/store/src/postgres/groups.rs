//! Groups on PostgreSQL (the rows are described in `crate::groups`). An edit holds a transaction
//! lock on its group, so concurrent sends into one group take `MsgSeq` one after the other.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::{applications, topics};
use crate::groups::{
    decode_counters, decode_extensions, decode_pairs, decode_recipients, encode_counters,
    encode_extensions, encode_pairs, encode_recipients, message_state, stream, GROUP_UPDATE,
    MEMBER_UPDATE,
};
use crate::{AnyReply, GroupEdit, GroupOutcome};
use crate::{
    GroupChange, GroupMember, GroupMessage, GroupQuery, GroupRecord, GroupSnapshot, MemberCursor,
    StoreResult,
};
use natter_core::AppId;

const GROUP_COLUMNS: &str = "group_id, group_type, name, introduction, notification, face_url,
    owner, created, max_members, apply_join, invite_join, mute_all, info_seq, last_info_time,
    next_msg_seq, last_msg_time, member_count, app_defined, support_topic, serial, attributes,
    counters, attr_seq, counter_seq";

fn group(row: &PgRow, first: usize) -> StoreResult<GroupRecord> {
    let i = |n: usize| first + n;
    Ok(GroupRecord {
        group_id: row.get(i(0)),
        group_type: row.get(i(1)),
        name: row.get(i(2)),
        introduction: row.get(i(3)),
        notification: row.get(i(4)),
        face_url: row.get(i(5)),
        owner: row.get(i(6)),
        created: row.get(i(7)),
        max_members: row.get::<i64, _>(i(8)) as u64,
        apply_join: row.get(i(9)),
        invite_join: row.get(i(10)),
        mute_all: row.get::<i64, _>(i(11)) != 0,
        info_seq: row.get::<i64, _>(i(12)) as u64,
        last_info_time: row.get(i(13)),
        next_msg_seq: row.get::<i64, _>(i(14)) as u64,
        last_msg_time: row.get(i(15)),
        member_count: row.get::<i64, _>(i(16)) as u64,
        app_defined: decode_pairs(row.get(i(17)))?,
        support_topic: row.get::<i64, _>(i(18)) != 0,
        serial: row.get(i(19)),
        attributes: decode_pairs(row.get(i(20)))?,
        counters: decode_counters(row.get(i(21)))?,
        attr_seq: row.get::<i64, _>(i(22)) as u64,
        counter_seq: row.get::<i64, _>(i(23)) as u64,
    })
}

const MEMBER_COLUMNS: &str = "member, role, join_time, msg_flag, name_card, muted_until,
    read_seq, last_send_time, app_defined";

fn member(row: &PgRow, first: usize) -> StoreResult<GroupMember> {
    let i = |n: usize| first + n;
    Ok(GroupMember {
        member: row.get(i(0)),
        role: row.get(i(1)),
        join_time: row.get(i(2)),
        msg_flag: row.get(i(3)),
        name_card: row.get(i(4)),
        muted_until: row.get(i(5)),
        read_seq: row.get::<i64, _>(i(6)) as u64,
        last_send_time: row.get(i(7)),
        app_defined: decode_pairs(row.get(i(8)))?,
    })
}

pub(super) const MESSAGE_COLUMNS: &str = "msg_seq, msg_random, from_account, msg_time, body,
    cloud_custom_data, priority, recalled, extensions, need_receipt, silent, recipients,
    msg_version";

pub(super) fn message(row: &PgRow) -> StoreResult<GroupMessage> {
    Ok(GroupMessage {
        seq: row.get::<i64, _>(0) as u64,
        random: row.get::<i64, _>(1) as u32,
        from: row.get(2),
        time: row.get(3),
        body: row.get(4),
        cloud_custom_data: row.get(5),
        priority: row.get::<i64, _>(6) as u32,
        recalled: row.get::<i64, _>(7) == 1,
        deleted: row.get::<i64, _>(7) == 2,
        topic_id: String::new(),
        extensions: decode_extensions(row.get(8))?,
        need_receipt: row.get::<i64, _>(9) != 0,
        silent: row.get::<i64, _>(10) != 0,
        recipients: decode_recipients(row.get::<&str, _>(11)),
        version: row.get::<i64, _>(12) as u64,
    })
}

pub(crate) async fn lock(conn: &mut PgConnection, app: u64, group_id: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
        .bind(format!("group:{group_id}"))
        .bind(app as i64)
        .execute(conn)
        .await?;
    Ok(())
}

/// The app-wide lock new groups take for their serial (group IDs never contain a space).
pub(crate) async fn lock_serials(conn: &mut PgConnection, app: u64) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('group serials', $1))")
        .bind(app as i64)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn find(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
) -> StoreResult<Option<GroupRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE app_id = $1 AND group_id = $2"
    ))
    .bind(app as i64)
    .bind(group_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| group(&r, 0)).transpose()
}

pub(crate) async fn load(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    query: &GroupQuery,
) -> StoreResult<GroupSnapshot> {
    let app_id = app as i64;
    let mut snapshot = GroupSnapshot {
        group: find(conn, app, group_id).await?,
        ..GroupSnapshot::default()
    };
    // Messages are looked up in the topic's stream when the edit is about a topic.
    let stream = query.topic.as_deref().unwrap_or(group_id);
    if !query.accounts.is_empty() {
        // A join on the primary key: one index lookup per account whatever the plan (see the
        // relationship snapshots).
        let rows = sqlx::query(
            "SELECT p.id FROM (SELECT DISTINCT unnest($2::text[]) AS id) AS p
             CROSS JOIN LATERAL (SELECT 1 FROM accounts a WHERE a.app_id = $1 AND a.user_id = p.id LIMIT 1) AS x",
        )
        .bind(app_id)
        .bind(&query.accounts)
        .fetch_all(&mut *conn)
        .await?;
        snapshot.existing = rows.iter().map(|r| r.get(0)).collect();
        let columns = MEMBER_COLUMNS
            .split(',')
            .map(|c| format!("x.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM (SELECT DISTINCT unnest($3::text[]) AS id) AS p
             CROSS JOIN LATERAL (SELECT * FROM group_members m WHERE m.app_id = $1
                 AND m.group_id = $2 AND m.member = p.id LIMIT 1) AS x"
        ))
        .bind(app_id)
        .bind(group_id)
        .bind(&query.accounts)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let m = member(&r, 0)?;
            snapshot.members.insert(m.member.clone(), m);
        }
    }
    if let Some((from, random, since)) = &query.duplicate_of {
        snapshot.duplicate = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = $1 AND group_id = $2
             AND msg_random = $3 AND from_account = $4 AND msg_time >= $5 LIMIT 1"
        ))
        .bind(app_id)
        .bind(stream)
        .bind(i64::from(*random))
        .bind(from)
        .bind(since)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| message(&r))
        .transpose()?;
    }
    if !query.messages.is_empty() {
        let seqs: Vec<i64> = query.messages.iter().map(|s| *s as i64).collect();
        // One primary-key lookup per sequence, whatever the plan.
        let rows = sqlx::query(&format!(
            "SELECT x.* FROM unnest($3::bigint[]) AS p(seq) CROSS JOIN LATERAL (
                 SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = $1 AND group_id = $2
                 AND msg_seq = p.seq LIMIT 1) AS x"
        ))
        .bind(app_id)
        .bind(stream)
        .bind(&seqs)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let mut m = message(&r)?;
            m.topic_id = query.topic.clone().unwrap_or_default();
            snapshot.messages.insert(m.seq, m);
        }
    }
    if let Some(m) = &mut snapshot.duplicate {
        m.topic_id = query.topic.clone().unwrap_or_default();
    }
    if query.bans && !query.accounts.is_empty() {
        let rows = sqlx::query(
            "SELECT member, until FROM group_bans WHERE app_id = $1 AND group_id = $2
             AND member = ANY($3)",
        )
        .bind(app_id)
        .bind(group_id)
        .bind(&query.accounts)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            snapshot.bans.insert(r.get(0), r.get(1));
        }
    }
    topics::load(conn, app, group_id, query, &mut snapshot).await?;
    applications::load(conn, app, group_id, query, &mut snapshot).await?;
    Ok(snapshot)
}

/// Whether the changes create the group (so the app-wide serial must be taken).
pub(crate) fn creates(snapshot_has_group: bool, changes: &[GroupChange]) -> bool {
    !snapshot_has_group
        && changes
            .iter()
            .any(|c| matches!(c, GroupChange::PutGroup(_)))
}

pub(crate) async fn write(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    changes: &[GroupChange],
) -> StoreResult<()> {
    let app_id = app as i64;
    for change in changes {
        match change {
            GroupChange::PutGroup(g) => {
                sqlx::query(&format!(
                    "INSERT INTO groups (app_id, {GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6,
                         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                         (SELECT COALESCE(MAX(serial), 0) + 1 FROM groups WHERE app_id = $1),
                         $21, $22, $23, $24)
                     ON CONFLICT (app_id, group_id) DO UPDATE SET {GROUP_UPDATE}"
                ))
                .bind(app_id)
                .bind(&g.group_id)
                .bind(&g.group_type)
                .bind(&g.name)
                .bind(&g.introduction)
                .bind(&g.notification)
                .bind(&g.face_url)
                .bind(&g.owner)
                .bind(g.created)
                .bind(g.max_members as i64)
                .bind(&g.apply_join)
                .bind(&g.invite_join)
                .bind(i64::from(g.mute_all))
                .bind(g.info_seq as i64)
                .bind(g.last_info_time)
                .bind(g.next_msg_seq as i64)
                .bind(g.last_msg_time)
                .bind(g.member_count as i64)
                .bind(encode_pairs(&g.app_defined))
                .bind(i64::from(g.support_topic))
                .bind(encode_pairs(&g.attributes))
                .bind(encode_counters(&g.counters))
                .bind(g.attr_seq as i64)
                .bind(g.counter_seq as i64)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::DeleteGroup => {
                // Topic messages first: they are found through the topic rows.
                topics::delete_all(&mut *conn, app, group_id).await?;
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
                    sqlx::query(&format!(
                        "DELETE FROM {table} WHERE app_id = $1 AND group_id = $2"
                    ))
                    .bind(app_id)
                    .bind(group_id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            GroupChange::PutMember(m) => {
                sqlx::query(&format!(
                    "INSERT INTO group_members (app_id, group_id, {MEMBER_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (app_id, group_id, member) DO UPDATE SET {MEMBER_UPDATE}"
                ))
                .bind(app_id)
                .bind(group_id)
                .bind(&m.member)
                .bind(&m.role)
                .bind(m.join_time)
                .bind(&m.msg_flag)
                .bind(&m.name_card)
                .bind(m.muted_until)
                .bind(m.read_seq as i64)
                .bind(m.last_send_time)
                .bind(encode_pairs(&m.app_defined))
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::DeleteMember(who) => {
                // A member who leaves takes their topic read positions along.
                for table in ["group_members", "topic_reads"] {
                    sqlx::query(&format!(
                        "DELETE FROM {table} WHERE app_id = $1 AND group_id = $2 AND member = $3"
                    ))
                    .bind(app_id)
                    .bind(group_id)
                    .bind(who)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            GroupChange::RecallMessage {
                topic_id,
                seq,
                recalled_ms,
                revoker,
            } => {
                sqlx::query(
                    "UPDATE group_messages SET recalled = 1, recalled_ms = $4, revoker = $5
                     WHERE app_id = $1 AND group_id = $2 AND msg_seq = $3",
                )
                .bind(app_id)
                .bind(stream(group_id, topic_id))
                .bind(*seq as i64)
                .bind(recalled_ms)
                .bind(revoker)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::EditMessage(m) => {
                sqlx::query(
                    "UPDATE group_messages SET body = $4, cloud_custom_data = $5, extensions = $6,
                         msg_version = $7
                     WHERE app_id = $1 AND group_id = $2 AND msg_seq = $3",
                )
                .bind(app_id)
                .bind(stream(group_id, &m.topic_id))
                .bind(m.seq as i64)
                .bind(&m.body)
                .bind(&m.cloud_custom_data)
                .bind(encode_extensions(&m.extensions))
                .bind(m.version as i64)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::DeleteMessagesBy(sender) => {
                sqlx::query(
                    "UPDATE group_messages SET recalled = 2, body = '[]', cloud_custom_data = ''
                     WHERE app_id = $1 AND from_account = $3 AND group_id IN (SELECT $2::text UNION ALL
                         SELECT topic_id FROM group_topics WHERE app_id = $1 AND group_id = $2)",
                )
                .bind(app_id)
                .bind(group_id)
                .bind(sender)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::ReadAllUpTo(seq) => {
                sqlx::query(
                    "UPDATE group_members SET read_seq = GREATEST(read_seq, $3)
                     WHERE app_id = $1 AND group_id = $2",
                )
                .bind(app_id)
                .bind(group_id)
                .bind(*seq as i64)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::AddMessage(m) => {
                sqlx::query(&format!(
                    "INSERT INTO group_messages (app_id, group_id, {MESSAGE_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                         $12, $13, $14, $15)"
                ))
                .bind(app_id)
                .bind(stream(group_id, &m.topic_id))
                .bind(m.seq as i64)
                .bind(i64::from(m.random))
                .bind(&m.from)
                .bind(m.time)
                .bind(&m.body)
                .bind(&m.cloud_custom_data)
                .bind(i64::from(m.priority))
                .bind(message_state(m))
                .bind(encode_extensions(&m.extensions))
                .bind(i64::from(m.need_receipt))
                .bind(i64::from(m.silent))
                .bind(encode_recipients(&m.recipients))
                .bind(m.version as i64)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::PutBan {
                member,
                until,
                description,
            } => {
                sqlx::query(
                    "INSERT INTO group_bans (app_id, group_id, member, until, description)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (app_id, group_id, member)
                     DO UPDATE SET until = excluded.until, description = excluded.description",
                )
                .bind(app_id)
                .bind(group_id)
                .bind(member)
                .bind(until)
                .bind(description)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::DeleteBan(member) => {
                sqlx::query(
                    "DELETE FROM group_bans WHERE app_id = $1 AND group_id = $2 AND member = $3",
                )
                .bind(app_id)
                .bind(group_id)
                .bind(member)
                .execute(&mut *conn)
                .await?;
            }
            GroupChange::PutTopic(_)
            | GroupChange::DeleteTopic(_)
            | GroupChange::ReadTopicUpTo { .. } => {
                topics::write(&mut *conn, app, group_id, change).await?
            }
            GroupChange::PutApplication(_) | GroupChange::DeleteApplication(_) => {
                applications::write(&mut *conn, app, group_id, change).await?
            }
        }
    }
    Ok(())
}

pub(crate) async fn members(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    from: &MemberCursor,
    roles: &[String],
    limit: usize,
) -> StoreResult<Vec<GroupMember>> {
    let (offset, after) = match from {
        MemberCursor::Offset(n) => (crate::position(*n), None),
        MemberCursor::After { join_time, member } => (0, Some((*join_time, member.as_str()))),
    };
    let (join_time, member_id) = after.unwrap_or((i64::MIN, ""));
    let rows = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE app_id = $1 AND group_id = $2
         AND (join_time, member) > ($5, $6) {}
         ORDER BY join_time, member LIMIT $3 OFFSET $4",
        // Two texts, so a role filter can seek the role index and no filter the join index.
        if roles.is_empty() {
            "AND cardinality($7::text[]) = 0"
        } else {
            "AND role = ANY($7)"
        }
    ))
    .bind(app as i64)
    .bind(group_id)
    .bind(limit as i64)
    .bind(offset)
    .bind(join_time)
    .bind(member_id)
    .bind(roles)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| member(r, 0)).collect()
}

pub(crate) async fn joined(
    conn: &mut PgConnection,
    app: u64,
    member_id: &str,
) -> StoreResult<Vec<(GroupRecord, GroupMember)>> {
    let columns: Vec<String> = GROUP_COLUMNS
        .split(',')
        .map(|c| format!("g.{}", c.trim()))
        .chain(MEMBER_COLUMNS.split(',').map(|c| format!("m.{}", c.trim())))
        .collect();
    let rows = sqlx::query(&format!(
        "SELECT {} FROM group_members m JOIN groups g ON g.app_id = m.app_id AND g.group_id = m.group_id
         WHERE m.app_id = $1 AND m.member = $2 ORDER BY m.join_time, g.group_id",
        columns.join(", ")
    ))
    .bind(app as i64)
    .bind(member_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((group(r, 0)?, member(r, 24)?)))
        .collect()
}

pub(crate) async fn app_groups(
    conn: &mut PgConnection,
    app: u64,
    after: i64,
    limit: usize,
    group_type: Option<&str>,
) -> StoreResult<(Vec<(String, i64)>, u64)> {
    let rows = sqlx::query(
        "SELECT group_id, serial FROM groups WHERE app_id = $1 AND serial > $2
         AND ($3::text IS NULL OR group_type = $3) ORDER BY serial LIMIT $4",
    )
    .bind(app as i64)
    .bind(after)
    .bind(group_type)
    .bind(limit as i64)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM groups WHERE app_id = $1 AND ($2::text IS NULL OR group_type = $2)",
    )
    .bind(app as i64)
    .bind(group_type)
    .fetch_one(conn)
    .await?;
    Ok((
        rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        total as u64,
    ))
}

pub(crate) async fn silent_after(
    conn: &mut PgConnection,
    app: u64,
    reads: &[(String, u64)],
) -> StoreResult<Vec<u64>> {
    let mut counts = Vec::with_capacity(reads.len());
    for (group_id, after) in reads {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_messages
             WHERE app_id = $1 AND group_id = $2 AND msg_seq > $3 AND silent <> 0",
        )
        .bind(app as i64)
        .bind(group_id)
        .bind(*after as i64)
        .fetch_one(&mut *conn)
        .await?;
        counts.push(n as u64);
    }
    Ok(counts)
}

pub(crate) async fn history(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    max_seq: u64,
    limit: usize,
) -> StoreResult<Vec<GroupMessage>> {
    let rows = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM group_messages WHERE app_id = $1 AND group_id = $2
         AND msg_seq <= $3 ORDER BY msg_seq DESC LIMIT $4"
    ))
    .bind(app as i64)
    .bind(group_id)
    .bind(crate::position(max_seq))
    .bind(limit as i64)
    .fetch_all(conn)
    .await?;
    rows.iter().map(message).collect()
}

pub(crate) async fn bans(
    conn: &mut PgConnection,
    app: u64,
    group_id: &str,
    now: i64,
    offset: u64,
    limit: usize,
) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT member, until FROM group_bans WHERE app_id = $1 AND group_id = $2 AND until > $3
         ORDER BY member COLLATE \"C\" LIMIT $4 OFFSET $5",
    )
    .bind(app as i64)
    .bind(group_id)
    .bind(now)
    .bind(limit as i64)
    .bind(crate::position(offset))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// One `edit_group_any` of the trait, in one transaction.
pub(super) async fn edit(
    db: &super::PostgresStore,
    app: AppId,
    group_id: String,
    query: GroupQuery,
    now_ms: i64,
    edit: GroupEdit,
) -> StoreResult<GroupOutcome<AnyReply>> {
    let mut tx = db.begin().await?;
    lock(&mut tx, app, &group_id).await?;
    let snapshot = load(&mut tx, app, &group_id, &query).await?;
    let plan = edit(&snapshot);
    let wrote_outbox = plan.refusal.is_none() && !plan.outbox.is_empty();
    if plan.refusal.is_none() {
        if creates(snapshot.group.is_some(), &plan.changes) {
            // New groups take the app's next serial one at a time.
            lock_serials(&mut tx, app).await?;
        }
        write(&mut tx, app, &group_id, &plan.changes).await?;
        super::outbox::insert(&mut tx, app, &plan.outbox, now_ms).await?;
    }
    tx.commit().await?;
    Ok(GroupOutcome {
        refusal: plan.refusal,
        reply: plan.reply,
        wrote_outbox,
    })
}
