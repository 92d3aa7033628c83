//! A group message send in one round trip: one call of `natter_send_group_msg`, a server-side
//! function that takes the group's lock and makes the decisions and writes of a send in the
//! order the SQLite edit makes them (crate::sends::send_group_by_edit).
//!
//! Migration 30 replaced migration 27's function: the caller now names the group type it
//! decided the send on (it may have remembered it rather than read the group first, which was
//! the second round trip), and the function answers the group's member count.

use sqlx::PgConnection;

use super::sends::OutboxArrays;
use crate::groups::{encode_extensions, encode_recipients};
use crate::{GroupSendOutcome, GroupSendRecord, StoreResult};

/// Migration 30. Outcomes: 0 stored, 1 no group, 2 no such topic in it, 3 a duplicate (`seq`
/// and `msg_time` of the first), 4 no sender account, 5 the sender is muted in the group, 6 the
/// group has another type than `p_group_type`. Only 0 writes.
pub(crate) const FUNCTION: &str = r#"
-- Migration 27's earlier form, on databases made before it was taken out of 27.
DROP FUNCTION IF EXISTS natter_send_group_msg(
    BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, TEXT, BIGINT, TEXT, BIGINT, BIGINT, TEXT,
    BOOLEAN, BOOLEAN, BIGINT, BIGINT, BOOLEAN, TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[],
    BIGINT);

CREATE FUNCTION natter_send_group_msg(
    p_app BIGINT, p_group TEXT, p_group_type TEXT, p_topic TEXT, p_from TEXT, p_random BIGINT,
    p_time BIGINT, p_body TEXT, p_cloud TEXT, p_priority BIGINT, p_extensions TEXT,
    p_need_receipt BIGINT, p_silent BIGINT, p_recipients TEXT, p_online_only BOOLEAN,
    p_keeps_history BOOLEAN, p_now BIGINT, p_duplicate_since BIGINT, p_moves_last BOOLEAN,
    p_commands TEXT[], p_keys TEXT[], p_heads TEXT[], p_tails TEXT[], p_ips TEXT[],
    p_platforms TEXT[], p_created_ms BIGINT,
    OUT outcome INTEGER, OUT seq BIGINT, OUT msg_time BIGINT, OUT member_count BIGINT
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_stream TEXT := COALESCE(p_topic, p_group);
    v_next BIGINT;
    v_type TEXT;
    v_muted_until BIGINT;
    v_member BOOLEAN;
BEGIN
    seq := 0;
    msg_time := 0;
    member_count := 0;
    -- The lock every edit of this group takes (postgres/groups.rs, `lock`).
    PERFORM pg_advisory_xact_lock(hashtextextended('group:' || p_group, p_app));
    SELECT g.next_msg_seq, g.group_type, g.member_count INTO v_next, v_type, member_count
    FROM groups g WHERE g.app_id = p_app AND g.group_id = p_group;
    IF NOT FOUND THEN
        -- SELECT INTO without a row set its targets to NULL.
        member_count := 0;
        outcome := 1;
        RETURN;
    END IF;
    IF v_type <> p_group_type THEN
        outcome := 6;
        RETURN;
    END IF;
    IF p_topic IS NOT NULL THEN
        SELECT t.next_msg_seq INTO v_next FROM group_topics t
        WHERE t.app_id = p_app AND t.topic_id = p_topic AND t.group_id = p_group;
        IF NOT FOUND THEN
            outcome := 2;
            RETURN;
        END IF;
    END IF;
    SELECT m.msg_seq, m.msg_time INTO seq, msg_time FROM group_messages m
    WHERE m.app_id = p_app AND m.group_id = v_stream AND m.msg_random = p_random
      AND m.from_account = p_from AND m.msg_time >= p_duplicate_since
    LIMIT 1;
    IF FOUND THEN
        outcome := 3;
        RETURN;
    END IF;
    seq := 0;
    msg_time := 0;
    PERFORM 1 FROM accounts a WHERE a.app_id = p_app AND a.user_id = p_from;
    IF NOT FOUND THEN
        outcome := 4;
        RETURN;
    END IF;
    SELECT gm.muted_until INTO v_muted_until FROM group_members gm
    WHERE gm.app_id = p_app AND gm.group_id = p_group AND gm.member = p_from;
    v_member := FOUND;
    IF v_member AND v_muted_until > p_now THEN
        outcome := 5;
        RETURN;
    END IF;
    IF NOT p_online_only THEN
        seq := v_next;
        v_next := v_next + 1;
        IF p_keeps_history THEN
            INSERT INTO group_messages (app_id, group_id, msg_seq, msg_random, from_account,
                                        msg_time, body, cloud_custom_data, priority, recalled,
                                        extensions, need_receipt, silent, recipients)
            VALUES (p_app, v_stream, seq, p_random, p_from, p_time, p_body, p_cloud, p_priority,
                    0, p_extensions, p_need_receipt, p_silent, p_recipients);
        END IF;
    END IF;
    msg_time := p_time;
    IF v_member THEN
        -- Sending means having read up to one's own message.
        IF p_topic IS NOT NULL THEN
            INSERT INTO topic_reads (app_id, group_id, topic_id, member, read_seq)
            VALUES (p_app, p_group, p_topic, p_from, seq)
            ON CONFLICT (app_id, topic_id, member)
            DO UPDATE SET read_seq = GREATEST(topic_reads.read_seq, EXCLUDED.read_seq);
            UPDATE group_members SET last_send_time = p_now
            WHERE app_id = p_app AND group_id = p_group AND member = p_from;
        ELSE
            UPDATE group_members SET last_send_time = p_now, read_seq = GREATEST(read_seq, seq)
            WHERE app_id = p_app AND group_id = p_group AND member = p_from;
        END IF;
    END IF;
    INSERT INTO webhook_outbox (app_id, command, order_key, body, client_ip, opt_platform,
                                created_ms, next_attempt_ms)
    SELECT p_app, e.command, e.order_key,
           CASE WHEN e.tail IS NULL THEN e.head ELSE e.head || seq::TEXT || e.tail END,
           e.ip, e.platform, p_created_ms, p_created_ms
    FROM unnest(p_commands, p_keys, p_heads, p_tails, p_ips, p_platforms) WITH ORDINALITY
         AS e (command, order_key, head, tail, ip, platform, n)
    ORDER BY e.n;
    IF p_topic IS NOT NULL THEN
        UPDATE group_topics SET next_msg_seq = v_next,
               last_msg_time = CASE WHEN p_moves_last THEN p_now ELSE last_msg_time END
        WHERE app_id = p_app AND topic_id = p_topic;
    ELSE
        UPDATE groups SET next_msg_seq = v_next,
               last_msg_time = CASE WHEN p_moves_last THEN p_now ELSE last_msg_time END
        WHERE app_id = p_app AND group_id = p_group;
    END IF;
    outcome := 0;
END
$fn$;
"#;

/// One call of `natter_send_group_msg`: its own transaction, which takes the group's lock.
pub(crate) async fn send_group(
    conn: &mut PgConnection,
    app: u64,
    mut send: GroupSendRecord,
) -> StoreResult<GroupSendOutcome> {
    let o = OutboxArrays::new(std::mem::take(&mut send.outbox));
    let m = &send.message;
    let topic = Some(m.topic_id.as_str()).filter(|t| !t.is_empty());
    let extensions = encode_extensions(&m.extensions);
    let recipients = encode_recipients(&m.recipients);
    let (outcome, seq, time, member_count): (i32, i64, i64, i64) = sqlx::query_as(
        "SELECT outcome, seq, msg_time, member_count FROM natter_send_group_msg($1, $2, $3, $4,
             $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
             $23, $24, $25, $26)",
    )
    .bind(app as i64)
    .bind(&send.group_id)
    .bind(&send.group_type)
    .bind(topic)
    .bind(&m.from)
    .bind(i64::from(m.random))
    .bind(m.time)
    .bind(&m.body)
    .bind(&m.cloud_custom_data)
    .bind(i64::from(m.priority))
    .bind(extensions)
    .bind(i64::from(m.need_receipt))
    .bind(i64::from(m.silent))
    .bind(recipients)
    .bind(send.online_only)
    .bind(send.keeps_history)
    .bind(send.now)
    .bind(send.duplicate_since)
    .bind(send.moves_last_message)
    .bind(&o.commands)
    .bind(&o.keys)
    .bind(&o.heads)
    .bind(&o.tails)
    .bind(&o.ips)
    .bind(&o.platforms)
    .bind(send.now_ms)
    .fetch_one(conn)
    .await?;
    Ok(match outcome {
        0 => GroupSendOutcome::Stored {
            seq: seq as u64,
            member_count: member_count as u64,
        },
        1 => GroupSendOutcome::NoGroup,
        2 => GroupSendOutcome::NoTopic,
        3 => GroupSendOutcome::Duplicate {
            seq: seq as u64,
            time,
        },
        4 => GroupSendOutcome::NoSender,
        5 => GroupSendOutcome::Muted,
        _ => GroupSendOutcome::OtherType,
    })
}
