//! Requests to join groups that need approval (`ApplyJoinOption` `NeedPermission`), waiting
//! for the group's owner or an admin. They change inside their group's edit, under its lock;
//! a handled request is removed.

/// One waiting request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinApplication {
    pub group_id: String,
    pub applicant: String,
    /// What the applicant wrote to the admins.
    pub message: String,
    /// Milliseconds since the epoch.
    pub time_ms: i64,
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
