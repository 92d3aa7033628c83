//! Groups, their members, topics and join requests; group (and topic) messages: sending, history,
//! recalls, and what a member clears or deletes for themselves.

use async_trait::async_trait;
use natter_core::AppId;

use crate::sends;
use crate::{
    AnyReply, GroupEdit, GroupMember, GroupMessage, GroupOutcome, GroupQuery, GroupRecall,
    GroupRecord, GroupSendOutcome, GroupSendRecord, GroupSnapshot, JoinApplication, MemberCursor,
    MemberStream, StoreResult, TopicRecord,
};

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// The object-safe form of `edit_group` (an inherent method of `dyn Store`, which callers
    /// use): loads a snapshot of one group (with what `query` asks for) inside a transaction that
    /// holds the group's lock, lets `edit` decide, and writes its changes and outbox events
    /// unless it refused. All or nothing. The reply is handed back untouched.
    async fn edit_group_any(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
        now_ms: i64,
        edit: GroupEdit,
    ) -> StoreResult<GroupOutcome<AnyReply>>;

    /// Stores a group (or topic) message with the group's (or topic's) next `MsgSeq`, unless the
    /// group or topic is missing, the sender sent it already, does not exist or is muted in the
    /// group (see [`GroupSendOutcome`]); moves the sender's read position and last send, the
    /// group's last-message time, and writes the after-callback rows filled with the `MsgSeq`,
    /// all in one transaction under the group's lock. On PostgreSQL it is one round trip: one
    /// call of the function migration 27 creates.
    async fn send_group_message(
        &self,
        app: AppId,
        send: GroupSendRecord,
    ) -> StoreResult<GroupSendOutcome> {
        sends::send_group_by_edit(self, app, send).await
    }

    /// The same snapshot an edit would get, read without a lock or a write transaction (for
    /// reads such as roles and a member's standing).
    async fn group_snapshot(
        &self,
        app: AppId,
        group_id: String,
        query: GroupQuery,
    ) -> StoreResult<GroupSnapshot>;

    /// The groups of `ids`, in order; `None` for one that does not exist.
    async fn groups(&self, app: AppId, ids: Vec<String>) -> StoreResult<Vec<Option<GroupRecord>>>;

    /// A page of a group's members of `roles` (all when empty), in the order they joined.
    async fn group_members(
        &self,
        app: AppId,
        group_id: String,
        from: MemberCursor,
        roles: Vec<String>,
        limit: usize,
    ) -> StoreResult<Vec<GroupMember>>;

    /// A page of the accounts banned from a group at `now` (Unix seconds) with when each ban
    /// ends, by account, from offset `offset`.
    async fn group_bans(
        &self,
        app: AppId,
        group_id: String,
        now: i64,
        offset: u64,
        limit: usize,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// The topics of a community, in creation order.
    async fn topics(&self, app: AppId, group_id: String) -> StoreResult<Vec<TopicRecord>>;

    /// `member`'s read positions (`MsgSeq`) in the topics of a group that they have read.
    async fn topic_reads(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<Vec<(String, u64)>>;

    /// Every group `member` is in, with their membership, in the order they joined.
    async fn joined_groups(
        &self,
        app: AppId,
        member: String,
    ) -> StoreResult<Vec<(GroupRecord, GroupMember)>>;

    /// A page of the app's group IDs in creation order after `after` (a serial; 0 from the
    /// start), of one type or all; and how many there are in all.
    async fn app_groups(
        &self,
        app: AppId,
        after: i64,
        limit: usize,
        group_type: Option<String>,
    ) -> StoreResult<(Vec<(String, i64)>, u64)>;

    /// The join requests waiting in `group_ids`, by group, oldest first.
    async fn join_applications(
        &self,
        app: AppId,
        group_ids: Vec<String>,
    ) -> StoreResult<Vec<JoinApplication>>;

    /// `member` cleared the history of `group_id` for themselves up to `up_to` (a `MsgSeq`): their
    /// history reads start after it. A clear never moves back.
    async fn clear_group_history(
        &self,
        app: AppId,
        group_id: String,
        member: String,
        up_to: u64,
    ) -> StoreResult<()>;

    /// The messages of `group_id` itself (not its topics) recalled from `since_ms` to `until_ms`
    /// (inclusive), in the order they were recalled, at most `limit`.
    async fn group_recalls(
        &self,
        app: AppId,
        group_id: String,
        since_ms: i64,
        until_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<GroupRecall>>;

    /// Up to which `MsgSeq` `member` cleared the history of `group_id` (0: never).
    async fn group_history_cleared(
        &self,
        app: AppId,
        group_id: String,
        member: String,
    ) -> StoreResult<u64>;

    /// The member of `stream` deleted these messages (`MsgSeq`s) of it from their own history;
    /// returns how many were not deleted already. The other members keep them.
    async fn hide_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        seqs: Vec<u64>,
    ) -> StoreResult<u64>;

    /// The messages of `stream` its member deleted for themselves, with `MsgSeq` from `low` to
    /// `high` (inclusive), in ascending order.
    async fn hidden_group_messages(
        &self,
        app: AppId,
        stream: MemberStream,
        low: u64,
        high: u64,
    ) -> StoreResult<Vec<u64>>;

    /// For each `(group, read_seq)`: how many of the group's messages after `read_seq` do not
    /// count as unread (a member's unread count is the distance to the last `MsgSeq`, less these).
    async fn silent_after(&self, app: AppId, reads: Vec<(String, u64)>) -> StoreResult<Vec<u64>>;

    /// Up to `limit` messages of a group (or, given a topic's ID, of that topic) with
    /// `MsgSeq <= max_seq`, newest first.
    async fn group_history(
        &self,
        app: AppId,
        group_id: String,
        max_seq: u64,
        limit: usize,
    ) -> StoreResult<Vec<GroupMessage>>;
}
