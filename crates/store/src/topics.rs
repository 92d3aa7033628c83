//! Topics of a community as storage sees them.
//!
//! A topic belongs to one community group and changes only through that group's
//! `edit_group` (on `dyn Store`), under the group's lock: topic creation, profile changes and the
//! topic's `MsgSeq` are decided like the group's own. A topic's messages live in
//! `group_messages` under the topic's ID (which embeds the group's), so history, recall and the
//! duplicate check work on a topic exactly as on a group; only the sequence comes from the topic
//! row instead of the group row.

/// One topic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopicRecord {
    /// The parent community.
    pub group_id: String,
    /// `<GroupId>@TOPIC#_…`.
    pub topic_id: String,
    pub name: String,
    pub introduction: String,
    pub notification: String,
    pub face_url: String,
    pub custom_string: String,
    /// Who created it (empty: the app admin without `From_Account`).
    pub creator: String,
    /// Unix seconds.
    pub created: i64,
    pub mute_all: bool,
    /// The `MsgSeq` the topic's next message gets (from 1).
    pub next_msg_seq: u64,
    /// Unix seconds; 0 before the first message.
    pub last_msg_time: i64,
    /// Every member has read the topic up to here (set by imports, which arrive read).
    pub read_floor: u64,
}

/// The topic tables, in SQL both engines accept (migration 8 of each).
pub(crate) const SCHEMA: &str = "
    CREATE TABLE group_topics (
        app_id        BIGINT NOT NULL,
        group_id      TEXT   NOT NULL,
        topic_id      TEXT   NOT NULL,
        name          TEXT   NOT NULL,
        introduction  TEXT   NOT NULL,
        notification  TEXT   NOT NULL,
        face_url      TEXT   NOT NULL,
        custom_string TEXT   NOT NULL,
        creator       TEXT   NOT NULL,
        created       BIGINT NOT NULL,
        mute_all      BIGINT NOT NULL,
        next_msg_seq  BIGINT NOT NULL,
        last_msg_time BIGINT NOT NULL,
        PRIMARY KEY (app_id, topic_id)
    );
    CREATE INDEX group_topics_by_group ON group_topics (app_id, group_id, created, topic_id);
    -- A member's read position in one topic; no row: nothing read yet.
    CREATE TABLE topic_reads (
        app_id   BIGINT NOT NULL,
        group_id TEXT   NOT NULL,
        topic_id TEXT   NOT NULL,
        member   TEXT   NOT NULL,
        read_seq BIGINT NOT NULL,
        PRIMARY KEY (app_id, topic_id, member)
    );
    CREATE INDEX topic_reads_by_member ON topic_reads (app_id, group_id, member);";

/// Imported topic messages arrive read: a floor under every member's read position (migration
/// 12 of each engine).
pub(crate) const READ_FLOOR_SCHEMA: &str =
    "ALTER TABLE group_topics ADD COLUMN read_floor BIGINT NOT NULL DEFAULT 0";

/// The columns of `group_topics` after `app_id`, in [`TopicRecord`] order.
pub(crate) const TOPIC_COLUMNS: &str = "group_id, topic_id, name, introduction, notification,
    face_url, custom_string, creator, created, mute_all, next_msg_seq, last_msg_time, read_floor";

/// What an update of a topic row changes: all but its identity, creator and creation.
pub(crate) const TOPIC_UPDATE: &str = "name = excluded.name,
    introduction = excluded.introduction, notification = excluded.notification,
    face_url = excluded.face_url, custom_string = excluded.custom_string,
    mute_all = excluded.mute_all, next_msg_seq = excluded.next_msg_seq,
    last_msg_time = excluded.last_msg_time, read_floor = excluded.read_floor";

/// Where a page of group members starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberCursor {
    /// Skip this many members (`Offset` of ordinary groups).
    Offset(u64),
    /// After this member in join order (the `Next` cursor of communities): stable while
    /// members come and go, and an index seek however deep the page.
    After { join_time: i64, member: String },
}
