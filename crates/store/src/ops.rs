//! Operations data and message archives: the daily counters of `openconfigsvr/getappinfo` and
//! the hour-by-hour reading of stored messages that `open_msg_svc/get_history` files are made of.

/// Migration 22 of each engine: the counters (sums and peaks) and the per-day sets (distinct
/// users, groups), keyed by app, Beijing day (`YYYYMMDD`) and Tencent's field name; and the
/// index that finds a group message by time (one-to-one messages have one since migration 5).
pub(crate) const SQLITE_SCHEMA: &str = "
    CREATE TABLE ops_counters (
        app_id INTEGER NOT NULL,
        day    INTEGER NOT NULL,
        field  TEXT    NOT NULL,
        value  INTEGER NOT NULL,
        PRIMARY KEY (app_id, day, field)
    ) WITHOUT ROWID;
    CREATE TABLE ops_members (
        app_id INTEGER NOT NULL,
        day    INTEGER NOT NULL,
        field  TEXT    NOT NULL,
        member TEXT    NOT NULL,
        PRIMARY KEY (app_id, day, field, member)
    ) WITHOUT ROWID;
    CREATE INDEX group_messages_by_time ON group_messages (app_id, msg_time);";

pub(crate) const POSTGRES_SCHEMA: &str = "
    CREATE TABLE ops_counters (
        app_id BIGINT NOT NULL,
        day    BIGINT NOT NULL,
        field  TEXT   NOT NULL,
        value  BIGINT NOT NULL,
        PRIMARY KEY (app_id, day, field)
    );
    CREATE TABLE ops_members (
        app_id BIGINT NOT NULL,
        day    BIGINT NOT NULL,
        field  TEXT   NOT NULL,
        member TEXT   NOT NULL,
        PRIMARY KEY (app_id, day, field, member)
    );
    CREATE INDEX group_messages_by_time ON group_messages (app_id, msg_time);";

/// The stored operations data of some days of one app.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpsDays {
    /// `(day, field, value)`: each stored sum or peak, and for each per-day set its size.
    pub values: Vec<(u32, String, i64)>,
    /// The app's accounts now.
    pub accounts: u64,
    /// The app's groups now.
    pub groups: u64,
}

impl OpsDays {
    /// The value of `field` on `day` (0 when nothing was counted).
    pub fn get(&self, day: u32, field: &str) -> i64 {
        self.values
            .iter()
            .find(|(d, f, _)| *d == day && f == field)
            .map_or(0, |(_, _, v)| *v)
    }
}

/// Which messages an archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    C2c,
    Group,
}

/// Where a page of an archive ends: the last message's `MsgTime`, then (groups) its group and
/// `MsgSeq`, or (one-to-one) its row number. Messages are read in this order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveCursor {
    pub time: i64,
    pub key: String,
    pub n: i64,
}

/// A stored message as an archive lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedMessage {
    pub from: String,
    /// The recipient (one-to-one) or the group (or topic) ID.
    pub to: String,
    pub msg_seq: u64,
    pub msg_random: u64,
    pub msg_time: i64,
    /// `MsgBody` as stored (a JSON array).
    pub body: String,
    pub cloud_custom_data: String,
    pub cursor: ArchiveCursor,
}
