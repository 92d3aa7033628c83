//! Pinned group messages (`group_open_http_svc.pin_message`): which messages of a group (or of
//! one of its topics) are pinned, by whom and when. The rules (who may pin, how many) are the
//! services'; the store only keeps the rows and counts them in the same write as the insert.

/// The table, the same on both engines. `topic_id` is empty for the group itself.
pub(crate) const SCHEMA: &str = "CREATE TABLE group_pins (
    app_id    BIGINT NOT NULL,
    group_id  TEXT   NOT NULL,
    topic_id  TEXT   NOT NULL,
    msg_seq   BIGINT NOT NULL,
    pinner    TEXT   NOT NULL,
    pinned_ms BIGINT NOT NULL,
    PRIMARY KEY (app_id, group_id, topic_id, msg_seq)
);";

/// One pinned message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedMessage {
    pub msg_seq: u64,
    /// Who pinned it.
    pub pinner: String,
    pub pinned_ms: i64,
}

/// What pinning a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Pinned,
    /// It was pinned already (its pinner is unchanged).
    AlreadyPinned,
    /// The group (or topic) has its limit of pinned messages; nothing written.
    Full,
}
