//! Groups as storage sees them: the group row, its members, its messages.
//!
//! Every change goes through `edit_group` (on `dyn Store`), like the relationship chain: the store
//! loads a [`GroupSnapshot`] (the group, the members a request names, whether those accounts
//! exist, a possible duplicate message) inside the transaction that writes the change, holding
//! the group's lock on PostgreSQL, and the caller's closure decides: a [`GroupPlan`] whose reply
//! is of the caller's own type. A message's `MsgSeq` is the group's `next_msg_seq` read under
//! that lock, so sequences have no gaps and no repeats.

use std::any::Any;
use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::{ExtensionItem, Extensions, OutboxEvent, TopicRecord};

/// One group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupRecord {
    pub group_id: String,
    /// The REST type name (`Private`, `Public`, `ChatRoom`, `AVChatRoom`, `Community`).
    pub group_type: String,
    pub name: String,
    pub introduction: String,
    pub notification: String,
    pub face_url: String,
    /// Empty: the group has no owner.
    pub owner: String,
    /// Unix seconds.
    pub created: i64,
    pub max_members: u64,
    pub apply_join: String,
    pub invite_join: String,
    pub mute_all: bool,
    /// Grows with every profile change.
    pub info_seq: u64,
    pub last_info_time: i64,
    /// The `MsgSeq` the next message gets (from 1).
    pub next_msg_seq: u64,
    pub last_msg_time: i64,
    pub member_count: u64,
    /// `AppDefinedData`, in the order set.
    pub app_defined: Vec<(String, String)>,
    pub support_topic: bool,
    /// Creation order within the app (assigned by the store): the `Next` cursor of
    /// `get_appid_group_list`.
    pub serial: i64,
    /// Custom group attributes (`*_group_attr`), in the order set.
    pub attributes: Vec<(String, String)>,
    /// Group counters (`*_group_counter`), in the order set.
    pub counters: Vec<(String, i64)>,
    /// Grows by one with every attribute write: the Web SDK's `AttrMainSeq`, by which it
    /// knows whether its copy of the attributes is one write behind (migration 25).
    pub attr_seq: u64,
    /// Grows by one with every counter write: the Web SDK's `GroupCounterSeq`.
    pub counter_seq: u64,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupMember {
    pub member: String,
    /// `Owner`, `Admin` or `Member`.
    pub role: String,
    /// Unix seconds.
    pub join_time: i64,
    pub msg_flag: String,
    pub name_card: String,
    /// Unix seconds; 0: not muted.
    pub muted_until: i64,
    /// The last `MsgSeq` this member has read.
    pub read_seq: u64,
    pub last_send_time: i64,
    pub app_defined: Vec<(String, String)>,
}

/// One stored group message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupMessage {
    pub seq: u64,
    pub random: u32,
    pub from: String,
    /// Unix seconds.
    pub time: i64,
    /// `MsgBody` as JSON text.
    pub body: String,
    pub cloud_custom_data: String,
    /// 1 High, 2 Normal, 3 Low, 4 Lowest (as history reports it).
    pub priority: u32,
    pub recalled: bool,
    /// Deleted (`delete_group_msg_by_sender`): history shows a placeholder.
    pub deleted: bool,
    /// The topic it was sent in; empty: the group itself.
    pub topic_id: String,
    /// Its key-value extensions; `None`: not sent with `SupportMessageExtension` 1.
    pub extensions: Option<Extensions>,
    /// Sent with `NeedReadReceipt` 1: members' reads of it are reported.
    pub need_receipt: bool,
    /// Does not count as unread (`SendMsgControl` `NoUnread`, or a directed message).
    pub silent: bool,
    /// `To_Account` of a directed message: only these members receive it; empty: everyone.
    pub recipients: Vec<String>,
    /// `MsgVersion`: how many times the message was modified (0: never).
    pub version: u64,
}

/// Migration 34, the same on both engines: each message's `MsgVersion`, so that an edit based
/// on an older version than the stored one can be refused (the Web SDK's MSG_MODIFY_CONFLICT).
pub(crate) const MSG_VERSION_SCHEMA: &str = "
ALTER TABLE c2c_messages ADD COLUMN msg_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE group_messages ADD COLUMN msg_version BIGINT NOT NULL DEFAULT 0;";

/// What an edit needs to see besides the group row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupQuery {
    /// Accounts whose membership (and existence) the edit needs.
    pub accounts: Vec<String>,
    /// `(sender, Random, since)`: find a message of that sender with that `Random` sent at or
    /// after `since` (Unix seconds), the duplicate check of `send_group_msg`.
    pub duplicate_of: Option<(String, u32, i64)>,
    /// Messages (by `MsgSeq`) the edit needs.
    pub messages: Vec<u64>,
    /// The topic `duplicate_of` and `messages` look in (and whose read positions of `accounts`
    /// are loaded); `None`: the group's own messages.
    pub topic: Option<String>,
    /// Topics of this group the edit needs (besides `topic`).
    pub topics: Vec<String>,
    /// Whether the edit needs the number of topics the group has.
    pub count_topics: bool,
    /// Whether the edit needs the bans of `accounts`.
    pub bans: bool,
    /// Whether the edit needs the waiting join requests of `accounts`.
    pub applications: bool,
}

impl GroupQuery {
    /// A query for these accounts only.
    pub fn accounts(accounts: Vec<String>) -> Self {
        Self {
            accounts,
            ..Self::default()
        }
    }
}

/// The state an edit decides on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupSnapshot {
    pub group: Option<GroupRecord>,
    /// The named accounts that are members.
    pub members: HashMap<String, GroupMember>,
    /// The named accounts that exist.
    pub existing: HashSet<String>,
    pub duplicate: Option<GroupMessage>,
    /// The named messages that exist.
    pub messages: HashMap<u64, GroupMessage>,
    /// The named topics (`topic` and `topics`) that exist in this group.
    pub topics: HashMap<String, TopicRecord>,
    /// Read positions in `topic` of the named accounts that have one.
    pub topic_reads: HashMap<String, u64>,
    /// How many topics the group has (with `count_topics`).
    pub topic_count: u64,
    /// Bans of the named accounts (with `bans`): when each ends (Unix seconds; past ones
    /// included).
    pub bans: HashMap<String, i64>,
    /// Waiting join requests of the named accounts (with `applications`).
    pub applications: HashMap<String, crate::JoinApplication>,
}

/// One row-level change.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupChange {
    /// Creates or replaces the group row (a new row gets its `serial` from the store).
    PutGroup(Box<GroupRecord>),
    /// Removes the group with its members, messages, topics and bans.
    DeleteGroup,
    PutMember(GroupMember),
    DeleteMember(String),
    /// Stores a message in the group or, with its `topic_id` set, in that topic.
    AddMessage(GroupMessage),
    /// Replaces the body, `CloudCustomData` and extensions of a stored message (found by its
    /// `topic_id` and `seq`).
    EditMessage(GroupMessage),
    /// Flags a message of the group (empty `topic_id`) or of a topic as recalled, when and by
    /// whom (for [`crate::GroupStore::group_recalls`]).
    RecallMessage {
        topic_id: String,
        seq: u64,
        recalled_ms: i64,
        revoker: String,
    },
    /// Deletes every message of one sender, in the group and its topics (they stay as
    /// placeholders).
    DeleteMessagesBy(String),
    /// Creates or replaces a topic of this group.
    PutTopic(Box<TopicRecord>),
    /// Removes a topic with its messages and read positions.
    DeleteTopic(String),
    /// Bans an account from the group until a time (Unix seconds), with a reason.
    PutBan {
        member: String,
        until: i64,
        description: String,
    },
    /// Lifts an account's ban.
    DeleteBan(String),
    /// Records (or renews) a join request waiting for approval.
    PutApplication(crate::JoinApplication),
    /// Removes the join request of an account (handled, or moot).
    DeleteApplication(String),
    /// A member has read a topic up to this `MsgSeq` (never moves back).
    ReadTopicUpTo {
        topic_id: String,
        member: String,
        seq: u64,
    },
    /// Every member has read up to this `MsgSeq` (after an import).
    ReadAllUpTo(u64),
}

/// What an edit decided. With `refusal` set, nothing is written. `R` is what the caller wants
/// back (the new `MsgSeq`, per-member results), as the caller's own type.
#[derive(Debug, Default)]
pub struct GroupPlan<R = ()> {
    pub changes: Vec<GroupChange>,
    pub outbox: Vec<OutboxEvent>,
    pub refusal: Option<(u32, String)>,
    pub reply: R,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupOutcome<R = ()> {
    pub refusal: Option<(u32, String)>,
    pub reply: R,
    pub wrote_outbox: bool,
}

/// A reply whose type only the caller knows: how a typed edit passes through the object-safe
/// [`crate::GroupStore::edit_group_any`], which only carries it.
pub type AnyReply = Box<dyn Any + Send>;

/// Decides a change from the snapshot, inside the transaction that writes it. Built by
/// [`crate::Store`]'s `edit_group` from the caller's typed closure.
pub type GroupEdit = Box<dyn FnOnce(&GroupSnapshot) -> GroupPlan<AnyReply> + Send>;

impl GroupPlan {
    /// A plan that changes nothing yet and answers nothing (`()`).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<R> GroupPlan<R> {
    /// The same plan with its reply turned into `S`.
    pub fn map_reply<S>(self, f: impl FnOnce(R) -> S) -> GroupPlan<S> {
        GroupPlan {
            changes: self.changes,
            outbox: self.outbox,
            refusal: self.refusal,
            reply: f(self.reply),
        }
    }
}

impl dyn crate::Store {
    /// Loads a snapshot of one group (with what `query` asks for) inside a transaction that
    /// holds the group's lock, lets `edit` decide, and writes its changes and outbox events
    /// unless it refused. All or nothing. The outcome carries the plan's reply as it was built.
    pub async fn edit_group<R: Send + 'static>(
        &self,
        app: natter_core::AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: impl FnOnce(&GroupSnapshot) -> GroupPlan<R> + Send + 'static,
    ) -> crate::StoreResult<GroupOutcome<R>> {
        let edit: GroupEdit =
            Box::new(move |snap| edit(snap).map_reply(|r| Box::new(r) as AnyReply));
        let outcome = self
            .edit_group_any(app, group_id, query, now_ms, edit)
            .await?;
        let reply = outcome
            .reply
            .downcast::<R>()
            .expect("edit_group_any hands back the reply its edit built");
        Ok(GroupOutcome {
            refusal: outcome.refusal,
            reply: *reply,
            wrote_outbox: outcome.wrote_outbox,
        })
    }
}

/// The group tables, in SQL both engines accept (migration 7 of each).
pub(crate) const SCHEMA: &str = "
    CREATE TABLE groups (
        app_id         BIGINT NOT NULL,
        group_id       TEXT   NOT NULL,
        group_type     TEXT   NOT NULL,
        name           TEXT   NOT NULL,
        introduction   TEXT   NOT NULL,
        notification   TEXT   NOT NULL,
        face_url       TEXT   NOT NULL,
        owner          TEXT   NOT NULL,
        created        BIGINT NOT NULL,
        max_members    BIGINT NOT NULL,
        apply_join     TEXT   NOT NULL,
        invite_join    TEXT   NOT NULL,
        mute_all       BIGINT NOT NULL,
        info_seq       BIGINT NOT NULL,
        last_info_time BIGINT NOT NULL,
        next_msg_seq   BIGINT NOT NULL,
        last_msg_time  BIGINT NOT NULL,
        member_count   BIGINT NOT NULL,
        app_defined    TEXT   NOT NULL, -- JSON array of [key, value]
        support_topic  BIGINT NOT NULL,
        serial         BIGINT NOT NULL,
        attributes     TEXT   NOT NULL, -- JSON array of [key, value]
        counters       TEXT   NOT NULL, -- JSON array of [key, number]
        PRIMARY KEY (app_id, group_id)
    );
    CREATE UNIQUE INDEX groups_by_serial ON groups (app_id, serial);
    CREATE TABLE group_members (
        app_id         BIGINT NOT NULL,
        group_id       TEXT   NOT NULL,
        member         TEXT   NOT NULL,
        role           TEXT   NOT NULL,
        join_time      BIGINT NOT NULL,
        msg_flag       TEXT   NOT NULL,
        name_card      TEXT   NOT NULL,
        muted_until    BIGINT NOT NULL,
        read_seq       BIGINT NOT NULL,
        last_send_time BIGINT NOT NULL,
        app_defined    TEXT   NOT NULL,
        PRIMARY KEY (app_id, group_id, member)
    );
    CREATE INDEX group_members_by_member ON group_members (app_id, member, group_id);
    -- Member pages walk a group in join order.
    CREATE INDEX group_members_by_join ON group_members (app_id, group_id, join_time, member);
    -- One row per message, never one per member: unread counts come from sequences.
    CREATE TABLE group_messages (
        app_id            BIGINT NOT NULL,
        group_id          TEXT   NOT NULL,
        msg_seq           BIGINT NOT NULL,
        msg_random        BIGINT NOT NULL,
        from_account      TEXT   NOT NULL,
        msg_time          BIGINT NOT NULL,
        body              TEXT   NOT NULL,
        cloud_custom_data TEXT   NOT NULL,
        priority          BIGINT NOT NULL,
        recalled          BIGINT NOT NULL, -- 1 recalled, 2 deleted
        PRIMARY KEY (app_id, group_id, msg_seq)
    );
    CREATE INDEX group_messages_by_random ON group_messages (app_id, group_id, msg_random);";

/// Group message extensions (migration 10 of each engine): JSON on the message row, NULL when
/// the message takes none. A message holds at most a few hundred small keys, so one row stays
/// small and an edit rewrites it whole.
pub(crate) const EXTENSIONS_SCHEMA: &str = "ALTER TABLE group_messages ADD COLUMN extensions TEXT";

/// Group messages that ask for read receipts (migration 11 of each engine).
pub(crate) const RECEIPTS_SCHEMA: &str =
    "ALTER TABLE group_messages ADD COLUMN need_receipt BIGINT NOT NULL DEFAULT 0";

/// Messages that do not count as unread and directed messages (migration 13 of each engine);
/// the partial index keeps counting the silent ones above a read position cheap.
pub(crate) const SILENT_SCHEMA: &str =
    "ALTER TABLE group_messages ADD COLUMN silent BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE group_messages ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
     CREATE INDEX group_messages_silent ON group_messages (app_id, group_id, msg_seq)
         WHERE silent <> 0;";

/// Member pages of some roles only (`MemberRoleFilter`) seek by role (migration 15).
pub(crate) const ROLE_INDEX_SCHEMA: &str =
    "CREATE INDEX group_members_by_role ON group_members (app_id, group_id, role, join_time, member)";

/// `To_Account` of a directed message as stored: one string, accounts separated by `\u{1f}`
/// (no UserID contains it); empty for everyone.
pub(crate) fn encode_recipients(recipients: &[String]) -> String {
    recipients.join("\u{1f}")
}

pub(crate) fn decode_recipients(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\u{1f}').map(str::to_owned).collect()
    }
}

/// `[latest_seq, clear_seq, [[key, value, seq], ...]]`.
pub(crate) fn encode_extensions(extensions: &Option<Extensions>) -> Option<String> {
    extensions.as_ref().map(|e| {
        let items: Vec<Value> = e
            .items
            .iter()
            .map(|i| json!([i.key, i.value, i.seq]))
            .collect();
        json!([e.latest_seq, e.clear_seq, items]).to_string()
    })
}

pub(crate) fn decode_extensions(text: Option<String>) -> crate::StoreResult<Option<Extensions>> {
    let Some(text) = text else {
        return Ok(None);
    };
    type Stored = (u64, u64, Vec<(String, String, u64)>);
    let (latest_seq, clear_seq, items): Stored = serde_json::from_str(&text)
        .map_err(|e| crate::StoreError::Corrupt(format!("group message extensions: {e}")))?;
    Ok(Some(Extensions {
        latest_seq,
        clear_seq,
        items: items
            .into_iter()
            .map(|(key, value, seq)| ExtensionItem { key, value, seq })
            .collect(),
    }))
}

/// Banned accounts of live groups (migration 9 of each engine).
pub(crate) const BANS_SCHEMA: &str = "
    CREATE TABLE group_bans (
        app_id      BIGINT NOT NULL,
        group_id    TEXT   NOT NULL,
        member      TEXT   NOT NULL,
        until       BIGINT NOT NULL,
        description TEXT   NOT NULL,
        PRIMARY KEY (app_id, group_id, member)
    );";

/// What an update of the group row changes (both engines): everything but the identity,
/// type, creation and serial.
pub(crate) const GROUP_UPDATE: &str = "name = excluded.name,
    introduction = excluded.introduction, notification = excluded.notification,
    face_url = excluded.face_url, owner = excluded.owner, max_members = excluded.max_members,
    apply_join = excluded.apply_join, invite_join = excluded.invite_join,
    mute_all = excluded.mute_all, info_seq = excluded.info_seq,
    last_info_time = excluded.last_info_time, next_msg_seq = excluded.next_msg_seq,
    last_msg_time = excluded.last_msg_time, member_count = excluded.member_count,
    app_defined = excluded.app_defined, attributes = excluded.attributes,
    counters = excluded.counters, attr_seq = excluded.attr_seq,
    counter_seq = excluded.counter_seq";

/// The attribute and counter sequences of a group row (migration 25 of each engine).
pub(crate) const SEQUENCES_SCHEMA: &str =
    "ALTER TABLE groups ADD COLUMN attr_seq BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE groups ADD COLUMN counter_seq BIGINT NOT NULL DEFAULT 0;";

/// The same for a member row.
pub(crate) const MEMBER_UPDATE: &str = "role = excluded.role, msg_flag = excluded.msg_flag,
    name_card = excluded.name_card, muted_until = excluded.muted_until,
    read_seq = excluded.read_seq, last_send_time = excluded.last_send_time,
    app_defined = excluded.app_defined";

/// The `group_id` of a message row: the topic's ID for a topic message, else the group's.
pub(crate) fn stream<'a>(group_id: &'a str, topic_id: &'a str) -> &'a str {
    if topic_id.is_empty() {
        group_id
    } else {
        topic_id
    }
}

/// The `recalled` column: 0 normal, 1 recalled, 2 deleted.
pub(crate) fn message_state(m: &GroupMessage) -> i64 {
    if m.deleted {
        2
    } else {
        i64::from(m.recalled)
    }
}

pub(crate) fn encode_pairs(pairs: &[(String, String)]) -> String {
    Value::from(
        pairs
            .iter()
            .map(|(k, v)| Value::from(vec![k.clone(), v.clone()]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

pub(crate) fn encode_counters(counters: &[(String, i64)]) -> String {
    Value::from(
        counters
            .iter()
            .map(|(k, v)| json!([k, v]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

pub(crate) fn decode_counters(text: &str) -> crate::StoreResult<Vec<(String, i64)>> {
    serde_json::from_str(text)
        .map_err(|e| crate::StoreError::Corrupt(format!("group counters: {e}")))
}

pub(crate) fn decode_pairs(text: &str) -> crate::StoreResult<Vec<(String, String)>> {
    serde_json::from_str(text)
        .map_err(|e| crate::StoreError::Corrupt(format!("group custom data: {e}")))
}
