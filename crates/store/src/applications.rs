//! Requests to join groups that need approval, waiting for the group's owner or an admin: a
//! user's own request (`ApplyJoinOption` `NeedPermission`) or a member's invitation of them
//! (`InviteJoinOption` `NeedPermission`). One waits per group and user, whichever it is. They
//! change inside their group's edit, under its lock; a handled request is removed.

/// One waiting request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinApplication {
    pub group_id: String,
    pub applicant: String,
    /// What the applicant (or their inviter) wrote to the admins.
    pub message: String,
    /// Milliseconds since the epoch.
    pub time_ms: i64,
    /// The member who invited `applicant`, when this is an invitation waiting for approval;
    /// empty for the user's own request.
    pub inviter: String,
}

/// Migration 14 of each engine.
pub(crate) const APPLICATIONS_SCHEMA: &str = "
    CREATE TABLE group_applications (
        app_id    BIGINT NOT NULL,
        group_id  TEXT   NOT NULL,
        applicant TEXT   NOT NULL,
        message   TEXT   NOT NULL,
        time_ms   BIGINT NOT NULL,
        PRIMARY KEY (app_id, group_id, applicant)
    );";

/// Migration 29 of each engine: who invited the applicant (empty: their own request), how far
/// each member cleared a group's history for themselves (`clearHistoryMessage`), and when and by
/// whom a group message was recalled (0 and empty for messages recalled before it).
pub(crate) const INVITATIONS_SCHEMA: &str = "
    ALTER TABLE group_applications ADD COLUMN inviter TEXT NOT NULL DEFAULT '';
    ALTER TABLE group_messages ADD COLUMN recalled_ms BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE group_messages ADD COLUMN revoker TEXT NOT NULL DEFAULT '';
    CREATE TABLE group_history_clears (
        app_id     BIGINT NOT NULL,
        group_id   TEXT   NOT NULL,
        member     TEXT   NOT NULL,
        cleared_up_to BIGINT NOT NULL,
        PRIMARY KEY (app_id, group_id, member)
    );";

/// A recalled message of a group, as `batch_get_group_notify` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupRecall {
    pub msg_seq: u64,
    pub random: u32,
    pub from: String,
    /// When it was sent (Unix seconds).
    pub msg_time: i64,
    /// When it was recalled (milliseconds since the epoch).
    pub recalled_ms: i64,
    pub revoker: String,
}
