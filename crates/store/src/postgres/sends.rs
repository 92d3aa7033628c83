//! Sends in one round trip: a one-to-one send is one call of `natter_send_c2c`, a server-side
//! function (migration 27) that does what the statements of a send used to do one round trip
//! each: the duplicate check, the message, the unread counts, both conversations and the
//! outbox rows. Called on its own it is its own transaction; PostgreSQL's group commit still
//! flushes many of them at once.
//!
//! The group send's function is created by migration 30 (group_sends.rs). Migration 27 created
//! an earlier form of it too; databases made since are given only the later one, and migration
//! 30 drops the earlier one where it exists.
//!
//! The function's statements must follow the tables: a migration that changes a column they
//! write replaces the function too (`CREATE OR REPLACE FUNCTION`).

use sqlx::{PgConnection, Postgres};

use super::unread::pair;
use crate::{C2cMessage, C2cSend, OutboxTemplate, StoreResult};

/// Migration 27: the one-to-one send function.
///
/// `natter_send_c2c` returns the recipient's unread total once stored, or -1 for a duplicate
/// (nothing written), -2 for a missing sender and -3 for a missing recipient (checked only when
/// asked). Outbox rows come as parallel arrays; a row whose tail is not NULL gets the unread
/// total between its head and its tail.
pub(crate) const FUNCTIONS: &str = r#"
CREATE FUNCTION natter_send_c2c(
    p_app BIGINT, p_low TEXT, p_high TEXT, p_from TEXT, p_to TEXT,
    p_seq BIGINT, p_random BIGINT, p_time BIGINT, p_body TEXT, p_cloud TEXT,
    p_in_sender_history INTEGER, p_counts_unread INTEGER, p_offline_push TEXT,
    p_supports_extension INTEGER, p_updates_conversation BOOLEAN, p_check_accounts BOOLEAN,
    p_commands TEXT[], p_keys TEXT[], p_heads TEXT[], p_tails TEXT[], p_ips TEXT[],
    p_platforms TEXT[], p_created_ms BIGINT
) RETURNS BIGINT LANGUAGE plpgsql AS $fn$
DECLARE
    v_total BIGINT;
BEGIN
    IF p_check_accounts THEN
        PERFORM 1 FROM accounts WHERE app_id = p_app AND user_id = p_from;
        IF NOT FOUND THEN
            RETURN -2;
        END IF;
        PERFORM 1 FROM accounts WHERE app_id = p_app AND user_id = p_to;
        IF NOT FOUND THEN
            RETURN -3;
        END IF;
    END IF;
    INSERT INTO c2c_messages (app_id, pair_low, pair_high, from_account, to_account, msg_seq,
                              msg_random, msg_time, body, cloud_custom_data, in_sender_history,
                              counts_unread, offline_push_info, supports_extension)
    VALUES (p_app, p_low, p_high, p_from, p_to, p_seq, p_random, p_time, p_body, p_cloud,
            p_in_sender_history, p_counts_unread, p_offline_push, p_supports_extension)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    -- Unread unless the recipient has read past it; the total is kept in its own row.
    IF p_counts_unread <> 0 AND p_time > COALESCE(
        (SELECT read_time FROM c2c_read WHERE app_id = p_app AND reader = p_to AND peer = p_from),
        -1)
    THEN
        INSERT INTO c2c_unread (app_id, owner, peer, unread) VALUES (p_app, p_to, p_from, 1)
        ON CONFLICT (app_id, owner, peer) DO UPDATE SET unread = c2c_unread.unread + 1;
        INSERT INTO c2c_unread_totals (app_id, owner, total) VALUES (p_app, p_to, 1)
        ON CONFLICT (app_id, owner) DO UPDATE SET total = c2c_unread_totals.total + 1
        RETURNING total INTO v_total;
    ELSE
        SELECT total INTO v_total FROM c2c_unread_totals WHERE app_id = p_app AND owner = p_to;
    END IF;
    v_total := GREATEST(COALESCE(v_total, 0), 0);
    IF p_updates_conversation THEN
        -- Owners in order, as every writer of conversations takes them.
        INSERT INTO conversations (app_id, owner, kind, peer, msg_time)
        SELECT DISTINCT p_app, v.owner, 1, v.peer, p_time
        FROM (VALUES (p_to, p_from, TRUE), (p_from, p_to, p_in_sender_history <> 0))
             AS v (owner, peer, kept)
        WHERE v.kept
        ORDER BY v.owner
        ON CONFLICT (app_id, owner, kind, peer)
        DO UPDATE SET msg_time = GREATEST(conversations.msg_time, EXCLUDED.msg_time);
    END IF;
    INSERT INTO webhook_outbox (app_id, command, order_key, body, client_ip, opt_platform,
                                created_ms, next_attempt_ms)
    SELECT p_app, e.command, e.order_key,
           CASE WHEN e.tail IS NULL THEN e.head ELSE e.head || v_total::TEXT || e.tail END,
           e.ip, e.platform, p_created_ms, p_created_ms
    FROM unnest(p_commands, p_keys, p_heads, p_tails, p_ips, p_platforms) WITH ORDINALITY
         AS e (command, order_key, head, tail, ip, platform, n)
    ORDER BY e.n;
    RETURN v_total;
END
$fn$;

"#;

/// The outbox templates as the function's parallel arrays.
pub(super) struct OutboxArrays {
    pub commands: Vec<String>,
    pub keys: Vec<String>,
    pub heads: Vec<String>,
    pub tails: Vec<Option<String>>,
    pub ips: Vec<String>,
    pub platforms: Vec<String>,
}

impl OutboxArrays {
    pub(super) fn new(templates: Vec<OutboxTemplate>) -> Self {
        let mut arrays = Self {
            commands: Vec::with_capacity(templates.len()),
            keys: Vec::with_capacity(templates.len()),
            heads: Vec::with_capacity(templates.len()),
            tails: Vec::with_capacity(templates.len()),
            ips: Vec::with_capacity(templates.len()),
            platforms: Vec::with_capacity(templates.len()),
        };
        for t in templates {
            arrays.commands.push(t.event.command);
            arrays.keys.push(t.event.order_key);
            arrays.heads.push(t.event.body);
            arrays.tails.push(t.rest);
            arrays.ips.push(t.event.client_ip);
            arrays.platforms.push(t.event.opt_platform);
        }
        arrays
    }
}

/// One call of `natter_send_c2c` on `conn` (a pooled connection: its own transaction; or inside
/// a transaction). The outbox rows are created at the message's time, as before.
pub(crate) async fn send_c2c(
    conn: &mut PgConnection,
    app: u64,
    m: &C2cMessage,
    outbox: Vec<OutboxTemplate>,
    check_accounts: bool,
) -> StoreResult<C2cSend> {
    let (low, high) = pair(&m.from, &m.to);
    let o = OutboxArrays::new(outbox);
    let outcome: i64 = sqlx::query_scalar::<Postgres, i64>(
        "SELECT natter_send_c2c($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                                $16, $17, $18, $19, $20, $21, $22, $23)",
    )
    .bind(app as i64)
    .bind(low)
    .bind(high)
    .bind(&m.from)
    .bind(&m.to)
    .bind(i64::from(m.msg_seq))
    .bind(i64::from(m.msg_random))
    .bind(m.msg_time)
    .bind(&m.body)
    .bind(&m.cloud_custom_data)
    .bind(i32::from(m.in_sender_history))
    .bind(i32::from(m.counts_as_unread))
    .bind(&m.offline_push_info)
    .bind(i32::from(m.supports_extension))
    .bind(m.updates_conversation)
    .bind(check_accounts)
    .bind(&o.commands)
    .bind(&o.keys)
    .bind(&o.heads)
    .bind(&o.tails)
    .bind(&o.ips)
    .bind(&o.platforms)
    .bind(m.msg_time * 1000)
    .fetch_one(conn)
    .await?;
    Ok(match outcome {
        -1 => C2cSend::Duplicate,
        -2 => C2cSend::NoSender,
        -3 => C2cSend::NoRecipient,
        total => C2cSend::Stored {
            recipient_unread: total as u64,
        },
    })
}
