//! What one side of a one-to-one conversation keeps for itself, apart from the peer: the
//! messages it deleted from its own history (the Web SDK's `deleteMessage`), and how it wants to
//! be notified of each peer's messages (`setMessageRemindType`). The rules are the services';
//! the store keeps the flags.

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
);";

/// How a user is told of a peer's messages (Tencent's `Mute_Notifications`): 0 receive and
/// notify, 1 do not receive, 2 receive without notification.
pub const MUTE_FLAGS: std::ops::RangeInclusive<u32> = 0..=2;
