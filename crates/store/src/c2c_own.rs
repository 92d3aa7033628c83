//! What one side of a one-to-one conversation keeps for itself, apart from the peer: the
//! messages it deleted from its own history (the Web SDK's `deleteMessage`), how it wants to
//! be notified of each peer's messages (`setMessageRemindType`), and of all messages
//! (`setAllReceiveMessageOpt`, the do-not-disturb setting). The rules are the services'; the
//! store keeps the values.

/// Migration 28, the same on both engines. A message stays in the recipient's history until the
/// recipient deletes it (`in_recipient_history`, beside the sender's `in_sender_history`).
/// `c2c_peer_mutes` has a row only for a setting other than 0 (receive and notify).
pub(crate) const SCHEMA: &str =
    "ALTER TABLE c2c_messages ADD COLUMN in_recipient_history INTEGER NOT NULL DEFAULT 1;
CREATE TABLE c2c_peer_mutes (
    app_id BIGINT  NOT NULL,
    owner  TEXT    NOT NULL,
    peer   TEXT    NOT NULL,
    flag   INTEGER NOT NULL,
    PRIMARY KEY (app_id, owner, peer)
);
CREATE TABLE do_not_disturb (
    app_id     BIGINT  NOT NULL,
    owner      TEXT    NOT NULL,
    level      INTEGER NOT NULL,
    start_time BIGINT  NOT NULL,
    end_time   BIGINT  NOT NULL,
    repeated   INTEGER NOT NULL,
    PRIMARY KEY (app_id, owner)
);";

/// How a user is told of a peer's messages (Tencent's `Mute_Notifications`): 0 receive and
/// notify, 1 do not receive, 2 receive without notification.
pub const MUTE_FLAGS: std::ops::RangeInclusive<u32> = 0..=2;

/// A user's setting for all messages (the Web SDK's `setAllReceiveMessageOpt`): `level` as in
/// [`MUTE_FLAGS`], between `start_time` and `end_time` (Unix seconds), every day when
/// `repeated`. The default (never set) is all zero: receive and notify.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoNotDisturb {
    pub level: u32,
    pub start_time: i64,
    pub end_time: i64,
    pub repeated: bool,
}
