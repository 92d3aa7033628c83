//! Versioned schema for the PostgreSQL backend (append only, like the SQLite one). Nodes starting
//! together take an advisory lock, so exactly one of them migrates.

use sqlx::PgPool;

use crate::StoreResult;

/// Every table that holds an app's data (all keyed by `app_id`), for the reset of one app.
pub(crate) const APP_TABLES: &[&str] = &[
    "accounts",
    "profile_items",
    "webhook_outbox",
    "webhook_dead_letters",
    "c2c_messages",
    "c2c_unread",
    "c2c_read",
    "c2c_extensions",
    "conversations",
    "c2c_cleared",
    "c2c_peer_mutes",
    "do_not_disturb",
    "user_kicks",
    "files",
    "global_mutes",
    "robots",
    "c2c_unread_totals",
    "contact_groups",
    "contact_group_members",
    "contact_marks",
    "friends",
    "blocklist",
    "friend_requests",
    "friend_lists",
    "sns_sequences",
    "push_attr_names",
    "push_user_attrs",
    "push_user_tags",
    "push_tasks",
    "groups",
    "group_members",
    "group_messages",
    "group_topics",
    "topic_reads",
    "group_bans",
    "group_applications",
    "group_history_clears",
    "ops_counters",
    "ops_members",
    "friend_request_reads",
    "group_pins",
    "c2c_reactions",
    "group_reactions",
    "follows",
    "group_hidden_msgs",
];

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE accounts (
            app_id     BIGINT NOT NULL,
            user_id    TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (app_id, user_id)
        )",
    ),
    (
        2,
        "CREATE TABLE profile_items (
            app_id     BIGINT NOT NULL,
            user_id    TEXT   NOT NULL,
            tag        TEXT   NOT NULL,
            value      TEXT   NOT NULL,
            updated_ms BIGINT NOT NULL,
            PRIMARY KEY (app_id, user_id, tag)
        )",
    ),
    (
        3,
        "CREATE TABLE webhook_outbox (
            id              BIGSERIAL PRIMARY KEY,
            app_id          BIGINT NOT NULL,
            command         TEXT   NOT NULL,
            order_key       TEXT   NOT NULL,
            body            TEXT   NOT NULL,
            client_ip       TEXT   NOT NULL,
            opt_platform    TEXT   NOT NULL,
            created_ms      BIGINT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms BIGINT NOT NULL,
            leased_until_ms BIGINT NOT NULL DEFAULT 0,
            last_error      TEXT   NOT NULL DEFAULT ''
        );
        CREATE INDEX webhook_outbox_order ON webhook_outbox (app_id, order_key, id);
        CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms);
        CREATE TABLE webhook_dead_letters (
            id           BIGINT PRIMARY KEY,
            app_id       BIGINT NOT NULL,
            command      TEXT   NOT NULL,
            order_key    TEXT   NOT NULL,
            body         TEXT   NOT NULL,
            client_ip    TEXT   NOT NULL,
            opt_platform TEXT   NOT NULL,
            created_ms   BIGINT NOT NULL,
            attempts     INTEGER NOT NULL,
            last_error   TEXT   NOT NULL,
            dead_ms      BIGINT NOT NULL
        );
        CREATE INDEX webhook_dead_letters_app ON webhook_dead_letters (app_id, id);",
    ),
    (
        4,
        "CREATE TABLE c2c_messages (
            id                 BIGSERIAL PRIMARY KEY,
            app_id             BIGINT NOT NULL,
            -- The conversation: its two UserIDs in byte order, whoever sent.
            pair_low           TEXT    NOT NULL,
            pair_high          TEXT    NOT NULL,
            from_account       TEXT    NOT NULL,
            to_account         TEXT    NOT NULL,
            msg_seq            BIGINT NOT NULL,
            msg_random         BIGINT NOT NULL,
            msg_time           BIGINT NOT NULL,
            body               TEXT    NOT NULL,
            cloud_custom_data  TEXT    NOT NULL,
            in_sender_history  INTEGER NOT NULL,
            counts_unread      INTEGER NOT NULL,
            flag_bits          INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX c2c_messages_history
            ON c2c_messages (app_id, pair_low, pair_high, msg_time, msg_seq, msg_random, from_account);
        CREATE TABLE c2c_unread (
            app_id BIGINT NOT NULL,
            owner  TEXT    NOT NULL,
            peer   TEXT    NOT NULL,
            unread BIGINT NOT NULL,
            PRIMARY KEY (app_id, owner, peer)
        );
        -- How far each user has read each one-to-one conversation (Unix seconds).
        CREATE TABLE c2c_read (
            app_id    BIGINT NOT NULL,
            reader    TEXT    NOT NULL,
            peer      TEXT    NOT NULL,
            read_time BIGINT NOT NULL,
            PRIMARY KEY (app_id, reader, peer)
        );",
    ),
    (
        5,
        "ALTER TABLE c2c_messages ADD COLUMN offline_push_info TEXT NOT NULL DEFAULT '';
        ALTER TABLE c2c_messages ADD COLUMN supports_extension INTEGER NOT NULL DEFAULT 0;
        -- The message's extension version and the version of its last clear.
        ALTER TABLE c2c_messages ADD COLUMN ext_latest_seq BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE c2c_messages ADD COLUMN ext_clear_seq BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX c2c_messages_by_time ON c2c_messages (app_id, msg_time);
        CREATE TABLE c2c_extensions (
            app_id     BIGINT NOT NULL,
            message_id BIGINT NOT NULL,
            key        TEXT   NOT NULL,
            value      TEXT   NOT NULL,
            seq        BIGINT NOT NULL,
            PRIMARY KEY (message_id, key)
        );
        CREATE INDEX c2c_extensions_app ON c2c_extensions (app_id);
        -- Each user's conversation list: kind 1 one-to-one (peer: UserID), 2 group (peer: GroupId).
        -- No index by time: every message moves two rows, and one user's list is sorted quickly.
        CREATE TABLE conversations (
            app_id   BIGINT  NOT NULL,
            owner    TEXT    NOT NULL,
            kind     INTEGER NOT NULL,
            peer     TEXT    NOT NULL,
            msg_time BIGINT  NOT NULL,
            pinned   BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (app_id, owner, kind, peer)
        );
        -- Each user's unread one-to-one messages over all peers (the sum of c2c_unread), so a
        -- send reads one row instead of summing one per peer.
        CREATE TABLE c2c_unread_totals (
            app_id BIGINT NOT NULL,
            owner  TEXT   NOT NULL,
            total  BIGINT NOT NULL,
            PRIMARY KEY (app_id, owner)
        );
        INSERT INTO c2c_unread_totals (app_id, owner, total)
            SELECT app_id, owner, SUM(unread) FROM c2c_unread GROUP BY app_id, owner;
        -- Conversation groups and marks (recentcontact/*_contact_group, mark_contact).
        CREATE TABLE contact_groups (
            app_id   BIGINT NOT NULL,
            owner    TEXT    NOT NULL,
            group_id INTEGER NOT NULL,
            name     TEXT    NOT NULL,
            PRIMARY KEY (app_id, owner, group_id)
        );
        CREATE TABLE contact_group_members (
            app_id   BIGINT NOT NULL,
            owner    TEXT    NOT NULL,
            group_id INTEGER NOT NULL,
            kind     INTEGER NOT NULL,
            peer     TEXT    NOT NULL,
            PRIMARY KEY (app_id, owner, group_id, kind, peer)
        );
        -- One row per conversation that is marked or in a group; standard_mark holds 64 bits.
        CREATE TABLE contact_marks (
            app_id        BIGINT NOT NULL,
            owner         TEXT    NOT NULL,
            kind          INTEGER NOT NULL,
            peer          TEXT    NOT NULL,
            standard_mark BIGINT NOT NULL,
            custom_mark   TEXT    NOT NULL,
            updated       BIGINT NOT NULL,
            PRIMARY KEY (app_id, owner, kind, peer)
        );
        -- recentcontact/delete with ClearRamble: the owner no longer sees messages up to this id.
        CREATE TABLE c2c_cleared (
            app_id     BIGINT NOT NULL,
            owner      TEXT   NOT NULL,
            peer       TEXT   NOT NULL,
            cleared_id BIGINT NOT NULL,
            PRIMARY KEY (app_id, owner, peer)
        );",
    ),
    (6, crate::relations::SCHEMA),
    (7, crate::groups::SCHEMA),
    (8, crate::topics::SCHEMA),
    (9, crate::groups::BANS_SCHEMA),
    (10, crate::groups::EXTENSIONS_SCHEMA),
    (11, crate::groups::RECEIPTS_SCHEMA),
    (12, crate::topics::READ_FLOOR_SCHEMA),
    (13, crate::groups::SILENT_SCHEMA),
    (14, crate::applications::APPLICATIONS_SCHEMA),
    (15, crate::groups::ROLE_INDEX_SCHEMA),
    (
        16,
        // Catch-up (`c2c_since`): a user's messages by position, received and sent.
        "CREATE INDEX c2c_messages_to ON c2c_messages (app_id, to_account, msg_time, msg_seq, msg_random);
        CREATE INDEX c2c_messages_from ON c2c_messages (app_id, from_account, msg_time, msg_seq, msg_random);",
    ),
    (
        17,
        // im_open_login_svc/kick: UserSigs issued before this second no longer log in.
        "CREATE TABLE user_kicks (
            app_id    BIGINT NOT NULL,
            user_id   TEXT    NOT NULL,
            kicked_at BIGINT NOT NULL,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    (
        18,
        // Uploaded files (`put_file`), bytes and all, so any node serves them.
        "CREATE TABLE files (
            app_id       BIGINT NOT NULL,
            file_id      TEXT   NOT NULL,
            owner        TEXT   NOT NULL,
            content_type TEXT   NOT NULL,
            created_ms   BIGINT NOT NULL,
            bytes        BYTEA  NOT NULL,
            PRIMARY KEY (app_id, file_id)
        );",
    ),
    (19, crate::push::SCHEMA),
    (
        20,
        // openconfigsvr/setnospeaking: when each global mute ends (Unix seconds; 0 none,
        // i64::MAX for ever).
        "CREATE TABLE global_mutes (
            app_id      BIGINT NOT NULL,
            user_id     TEXT   NOT NULL,
            c2c_until   BIGINT NOT NULL DEFAULT 0,
            group_until BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    (
        21,
        // openim_robot_http_svc: the app's chatbots (each also has an account row).
        "CREATE TABLE robots (
            app_id     BIGINT NOT NULL,
            user_id    TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    // Operations data (getappinfo) and the group-message time index (get_history).
    (22, crate::ops::POSTGRES_SCHEMA),
    (
        23,
        // The Web SDK's setFriendApplicationRead: friend requests to the owner read up to when
        // (Unix seconds).
        "CREATE TABLE friend_request_reads (
            app_id     BIGINT NOT NULL,
            owner      TEXT   NOT NULL,
            read_up_to BIGINT NOT NULL,
            PRIMARY KEY (app_id, owner)
        );",
    ),
    // The Web SDK's attribute and counter sequences of each group.
    (24, crate::groups::SEQUENCES_SCHEMA),
    (
        25,
        // Named snapshots of an app (`/_natter/snapshots`): each an export (crate::dump).
        // Not in APP_TABLES: a reset keeps them, so a test suite can reset to a seed.
        "CREATE TABLE app_snapshots (
            app_id     BIGINT NOT NULL,
            name       TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            data       BYTEA  NOT NULL,
            PRIMARY KEY (app_id, name)
        );",
    ),
    // Pinned group messages (pin_message).
    (26, crate::pins::SCHEMA),
    // Sends in one round trip: the server-side send functions.
    (27, super::sends::FUNCTIONS),
    // Deleting one-to-one messages for oneself, and notification settings per peer.
    (28, crate::c2c_own::SCHEMA),
    // Invitations waiting for approval; members' cleared group histories.
    (29, crate::applications::INVITATIONS_SCHEMA),
    // The group send function checks the type the caller names and answers the member count.
    (30, super::group_sends::FUNCTION),
    // Message reactions, one-to-one and group (the Web SDK's addMessageReaction).
    (31, crate::reactions::SCHEMA),
    // Who follows whom (the Web SDK's followUser).
    (32, crate::follows::SCHEMA),
    // Group messages a member deleted for themselves (delete_group_ramble_msg_by_seq).
    (33, crate::group_own::SCHEMA),
    // Each message's MsgVersion (the Web SDK's modifyMessage conflicts).
    (34, crate::groups::MSG_VERSION_SCHEMA),
];

/// An arbitrary constant naming Natter's migration lock.
const MIGRATION_LOCK: i64 = 0x6e61_7474_6572;

pub(crate) async fn migrate(pool: &PgPool, limit: Option<i64>) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await?;
    let result = apply(&mut conn, limit).await;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await?;
    result
}

async fn apply(conn: &mut sqlx::PgConnection, limit: Option<i64>) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS natter_schema (
            version    BIGINT PRIMARY KEY,
            applied_ms BIGINT NOT NULL
        )",
    )
    .execute(&mut *conn)
    .await?;
    let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM natter_schema")
        .fetch_one(&mut *conn)
        .await?;
    for (version, sql) in MIGRATIONS {
        if *version <= current || limit.is_some_and(|l| *version > l) {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO natter_schema (version, applied_ms)
             VALUES ($1, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT)",
        )
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version, "postgres schema migrated");
    }
    Ok(())
}
