//! Versioned schema for the SQLite backend. Append only: a released migration never changes, so an
//! old data dir upgrades by running the ones it has not seen.

use rusqlite::Connection;

use crate::StoreResult;

pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE accounts (
            app_id     INTEGER NOT NULL,
            user_id    TEXT    NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (app_id, user_id)
        ) WITHOUT ROWID;",
    ),
    (
        2,
        "CREATE TABLE profile_items (
            app_id     INTEGER NOT NULL,
            user_id    TEXT    NOT NULL,
            tag        TEXT    NOT NULL,
            value      TEXT    NOT NULL,
            updated_ms INTEGER NOT NULL,
            PRIMARY KEY (app_id, user_id, tag)
        ) WITHOUT ROWID;",
    ),
    (
        3,
        "CREATE TABLE webhook_outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            app_id          INTEGER NOT NULL,
            command         TEXT    NOT NULL,
            order_key       TEXT    NOT NULL,
            body            TEXT    NOT NULL,
            client_ip       TEXT    NOT NULL,
            opt_platform    TEXT    NOT NULL,
            created_ms      INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER NOT NULL,
            leased_until_ms INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT    NOT NULL DEFAULT ''
        );
        CREATE INDEX webhook_outbox_order ON webhook_outbox (app_id, order_key, id);
        CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms);
        CREATE TABLE webhook_dead_letters (
            id           INTEGER PRIMARY KEY,
            app_id       INTEGER NOT NULL,
            command      TEXT    NOT NULL,
            order_key    TEXT    NOT NULL,
            body         TEXT    NOT NULL,
            client_ip    TEXT    NOT NULL,
            opt_platform TEXT    NOT NULL,
            created_ms   INTEGER NOT NULL,
            attempts     INTEGER NOT NULL,
            last_error   TEXT    NOT NULL,
            dead_ms      INTEGER NOT NULL
        );
        CREATE INDEX webhook_dead_letters_app ON webhook_dead_letters (app_id, id);",
    ),
    (
        4,
        "CREATE TABLE c2c_messages (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            app_id             INTEGER NOT NULL,
            -- The conversation: its two UserIDs in byte order, whoever sent.
            pair_low           TEXT    NOT NULL,
            pair_high          TEXT    NOT NULL,
            from_account       TEXT    NOT NULL,
            to_account         TEXT    NOT NULL,
            msg_seq            INTEGER NOT NULL,
            msg_random         INTEGER NOT NULL,
            msg_time           INTEGER NOT NULL,
            body               TEXT    NOT NULL,
            cloud_custom_data  TEXT    NOT NULL,
            in_sender_history  INTEGER NOT NULL,
            counts_unread      INTEGER NOT NULL,
            flag_bits          INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX c2c_messages_history
            ON c2c_messages (app_id, pair_low, pair_high, msg_time, msg_seq, msg_random, from_account);
        CREATE TABLE c2c_unread (
            app_id INTEGER NOT NULL,
            owner  TEXT    NOT NULL,
            peer   TEXT    NOT NULL,
            unread INTEGER NOT NULL,
            PRIMARY KEY (app_id, owner, peer)
        );
        -- How far each user has read each one-to-one conversation (Unix seconds).
        CREATE TABLE c2c_read (
            app_id    INTEGER NOT NULL,
            reader    TEXT    NOT NULL,
            peer      TEXT    NOT NULL,
            read_time INTEGER NOT NULL,
            PRIMARY KEY (app_id, reader, peer)
        );",
    ),
    (
        5,
        "ALTER TABLE c2c_messages ADD COLUMN offline_push_info TEXT NOT NULL DEFAULT '';
        ALTER TABLE c2c_messages ADD COLUMN supports_extension INTEGER NOT NULL DEFAULT 0;
        -- The message's extension version and the version of its last clear.
        ALTER TABLE c2c_messages ADD COLUMN ext_latest_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE c2c_messages ADD COLUMN ext_clear_seq INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX c2c_messages_by_time ON c2c_messages (app_id, msg_time);
        CREATE TABLE c2c_extensions (
            app_id     INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            key        TEXT    NOT NULL,
            value      TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            PRIMARY KEY (message_id, key)
        );
        CREATE INDEX c2c_extensions_app ON c2c_extensions (app_id);
        -- Each user's conversation list: kind 1 one-to-one (peer: UserID), 2 group (peer: GroupId).
        -- No index by time: every message moves two rows, and one user's list is sorted quickly.
        CREATE TABLE conversations (
            app_id   INTEGER NOT NULL,
            owner    TEXT    NOT NULL,
            kind     INTEGER NOT NULL,
            peer     TEXT    NOT NULL,
            msg_time INTEGER NOT NULL,
            pinned   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (app_id, owner, kind, peer)
        ) WITHOUT ROWID;
        -- Each user's unread one-to-one messages over all peers (the sum of c2c_unread), so a
        -- send reads one row instead of summing one per peer.
        CREATE TABLE c2c_unread_totals (
            app_id INTEGER NOT NULL,
            owner  TEXT   NOT NULL,
            total  INTEGER NOT NULL,
            PRIMARY KEY (app_id, owner)
        ) WITHOUT ROWID;
        INSERT INTO c2c_unread_totals (app_id, owner, total)
            SELECT app_id, owner, SUM(unread) FROM c2c_unread GROUP BY app_id, owner;
        -- Conversation groups and marks (recentcontact/*_contact_group, mark_contact).
        CREATE TABLE contact_groups (
            app_id   INTEGER NOT NULL,
            owner    TEXT    NOT NULL,
            group_id INTEGER NOT NULL,
            name     TEXT    NOT NULL,
            PRIMARY KEY (app_id, owner, group_id)
        ) WITHOUT ROWID;
        CREATE TABLE contact_group_members (
            app_id   INTEGER NOT NULL,
            owner    TEXT    NOT NULL,
            group_id INTEGER NOT NULL,
            kind     INTEGER NOT NULL,
            peer     TEXT    NOT NULL,
            PRIMARY KEY (app_id, owner, group_id, kind, peer)
        ) WITHOUT ROWID;
        -- One row per conversation that is marked or in a group; standard_mark holds 64 bits.
        CREATE TABLE contact_marks (
            app_id        INTEGER NOT NULL,
            owner         TEXT    NOT NULL,
            kind          INTEGER NOT NULL,
            peer          TEXT    NOT NULL,
            standard_mark INTEGER NOT NULL,
            custom_mark   TEXT    NOT NULL,
            updated       INTEGER NOT NULL,
            PRIMARY KEY (app_id, owner, kind, peer)
        ) WITHOUT ROWID;
        -- recentcontact/delete with ClearRamble: the owner no longer sees messages up to this id.
        CREATE TABLE c2c_cleared (
            app_id     INTEGER NOT NULL,
            owner      TEXT    NOT NULL,
            peer       TEXT    NOT NULL,
            cleared_id INTEGER NOT NULL,
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
            app_id    INTEGER NOT NULL,
            user_id   TEXT    NOT NULL,
            kicked_at INTEGER NOT NULL,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    (
        18,
        // Uploaded files (`put_file`): the bytes are in the data directory, files/<app>/<id>.
        "CREATE TABLE files (
            app_id       INTEGER NOT NULL,
            file_id      TEXT    NOT NULL,
            owner        TEXT    NOT NULL,
            content_type TEXT    NOT NULL,
            size         INTEGER NOT NULL,
            created_ms   INTEGER NOT NULL,
            PRIMARY KEY (app_id, file_id)
        );",
    ),
    (19, crate::push::SCHEMA),
    (
        20,
        // openconfigsvr/setnospeaking: when each global mute ends (Unix seconds; 0 none,
        // i64::MAX for ever).
        "CREATE TABLE global_mutes (
            app_id      INTEGER NOT NULL,
            user_id     TEXT    NOT NULL,
            c2c_until   INTEGER NOT NULL DEFAULT 0,
            group_until INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    (
        21,
        // openim_robot_http_svc: the app's chatbots (each also has an account row).
        "CREATE TABLE robots (
            app_id     INTEGER NOT NULL,
            user_id    TEXT    NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (app_id, user_id)
        );",
    ),
    // Operations data (getappinfo) and the group-message time index (get_history).
    (22, crate::ops::SQLITE_SCHEMA),
    (
        23,
        // The Web SDK's setFriendApplicationRead: friend requests to the owner read up to when
        // (Unix seconds).
        "CREATE TABLE friend_request_reads (
            app_id     INTEGER NOT NULL,
            owner      TEXT    NOT NULL,
            read_up_to INTEGER NOT NULL,
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
            app_id     INTEGER NOT NULL,
            name       TEXT    NOT NULL,
            created_ms INTEGER NOT NULL,
            data       BLOB    NOT NULL,
            PRIMARY KEY (app_id, name)
        );",
    ),
    // Pinned group messages (pin_message).
    (26, crate::pins::SCHEMA),
    // PostgreSQL's send functions (one round trip per send); SQLite sends in process and
    // needs nothing. Kept so both engines number the same schema versions.
    (27, "-- nothing on SQLite"),
    // Deleting one-to-one messages for oneself, and notification settings per peer.
    (28, crate::c2c_own::SCHEMA),
    // Invitations waiting for approval; members' cleared group histories.
    (29, crate::applications::INVITATIONS_SCHEMA),
    // PostgreSQL's group send function replaced; nothing on SQLite (see 27).
    (30, "-- nothing on SQLite"),
    // Message reactions, one-to-one and group (the Web SDK's addMessageReaction).
    (31, crate::reactions::SCHEMA),
    // Who follows whom (the Web SDK's followUser).
    (32, crate::follows::SCHEMA),
    // Group messages a member deleted for themselves (delete_group_ramble_msg_by_seq).
    (33, crate::group_own::SCHEMA),
    // Each message's MsgVersion (the Web SDK's modifyMessage conflicts).
    (34, crate::groups::MSG_VERSION_SCHEMA),
];

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

/// Applies the migrations up to `limit` (all when `None`) that the database has not seen yet.
pub(crate) fn migrate(conn: &mut Connection, limit: Option<i64>) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS natter_schema (
            version    INTEGER PRIMARY KEY,
            applied_ms INTEGER NOT NULL
        );",
    )?;
    let current: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM natter_schema",
        [],
        |r| r.get(0),
    )?;
    for (version, sql) in MIGRATIONS {
        if *version <= current || limit.is_some_and(|l| *version > l) {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO natter_schema (version, applied_ms) VALUES (?1, strftime('%s','now') * 1000)",
            [version],
        )?;
        tx.commit()?;
        tracing::info!(version, "sqlite schema migrated");
    }
    Ok(())
}
