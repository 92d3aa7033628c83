//! The relationship chain as storage sees it: friendships (one row per direction), blocklists,
//! pending friend requests, friend lists, and the per-user sequences Tencent's `sns` APIs report.
//!
//! Every change goes through [`crate::RelationStore::edit_relations`]: the store loads a
//! [`Relations`] snapshot of one user and the peers concerned, inside the transaction that will
//! write the change (locked per user on PostgreSQL), and the caller's [`RelationEdit`] turns it
//! into a [`RelationPlan`]. The rules (who may add whom, limits, Tencent's codes) live in the caller; the
//! store only reads and writes rows.

use std::collections::HashMap;

use serde_json::Value;

use crate::OutboxEvent;

/// One direction of a friendship: `owner` has `peer` in their friend list, with the data
/// `owner` keeps about `peer`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Friend {
    pub peer: String,
    pub remark: String,
    /// `Tag_SNS_IM_Group`: the friend lists `peer` is in.
    pub groups: Vec<String>,
    pub add_source: String,
    pub add_wording: String,
    /// Unix seconds.
    pub add_time: i64,
    /// Unix seconds of the last remark change (0: never).
    pub remark_time: i64,
    /// `Tag_SNS_Custom_*` values, by full tag.
    pub custom: Vec<(String, Value)>,
}

/// A friend request waiting for its target's answer (the target requires confirmation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FriendRequest {
    pub requester: String,
    pub target: String,
    pub add_source: String,
    pub remark: String,
    pub group_name: String,
    pub add_wording: String,
    /// `Add_Type_Both` or `Add_Type_Single`.
    pub add_type: String,
    /// Unix seconds.
    pub created: i64,
}

/// The per-user sequences: each grows by one with every change of its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelationSequences {
    /// Standard friend data (`StandardSequence`).
    pub friends: u64,
    /// Custom friend fields (`CustomSequence`).
    pub custom: u64,
    /// Friend lists (`CurrentSequence` of the list APIs).
    pub lists: u64,
    /// The blocklist (`CurruentSequence` of `black_list_get`).
    pub blocklist: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SequenceKind {
    Friends,
    Custom,
    Lists,
    Blocklist,
}

/// What lies between the owner and one peer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeerRelations {
    pub exists: bool,
    /// The owner has the peer as a friend.
    pub friend: Option<Friend>,
    /// The peer has the owner as a friend.
    pub reverse_friend: bool,
    /// When the owner blocklisted the peer (Unix seconds).
    pub blocked_at: Option<i64>,
    /// The peer has the owner in their blocklist.
    pub blocked_by_peer: bool,
    /// The peer's `Tag_Profile_IM_AllowType`, when set.
    pub allow_type: Option<String>,
    /// How many friends the peer has (loaded only for [`RelationScope::PeersAndCounts`]).
    pub friend_count: u64,
    /// A request from the owner to the peer that waits for the peer.
    pub request_to_peer: Option<FriendRequest>,
    /// A request from the peer to the owner that waits for the owner.
    pub request_from_peer: Option<FriendRequest>,
}

/// Which peers a snapshot covers.
#[derive(Debug, Clone, PartialEq)]
pub enum RelationScope {
    /// Only the owner's own state (lists, counts, sequences).
    Owner,
    /// These peers (duplicates are loaded once).
    Peers(Vec<String>),
    /// These peers and how many friends each has (for adds, which check the peer's limit).
    PeersAndCounts(Vec<String>),
    /// Every friend of the owner.
    AllFriends,
}

/// One user's relationship state, as far as a request needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Relations {
    pub owner_exists: bool,
    pub peers: HashMap<String, PeerRelations>,
    /// The peers of an `AllFriends` snapshot, in the order of the friend list.
    pub friend_order: Vec<String>,
    pub friend_count: u64,
    pub blocklist_count: u64,
    /// The owner's friend lists, oldest first.
    pub lists: Vec<String>,
    pub sequences: RelationSequences,
}

/// One row-level change. Friend, block and request changes name both ends, so one plan can
/// change either side of a pair.
#[derive(Debug, Clone, PartialEq)]
pub enum RelationChange {
    PutFriend {
        owner: String,
        friend: Friend,
    },
    DeleteFriend {
        owner: String,
        peer: String,
    },
    PutBlock {
        owner: String,
        peer: String,
        at: i64,
    },
    DeleteBlock {
        owner: String,
        peer: String,
    },
    PutRequest(FriendRequest),
    DeleteRequest {
        requester: String,
        target: String,
    },
    PutList {
        owner: String,
        name: String,
    },
    DeleteList {
        owner: String,
        name: String,
    },
    /// Adds one to a sequence of `owner`.
    Bump {
        owner: String,
        kind: SequenceKind,
    },
}

/// The result of one item of a batch request (an account, a list name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub item: String,
    pub code: u32,
    pub info: String,
}

/// What an edit decided: the rows to change, the after-callbacks to write with them, and what to
/// answer. With `refusal` set, nothing is written.
#[derive(Debug, Default)]
pub struct RelationPlan {
    pub changes: Vec<RelationChange>,
    pub outbox: Vec<OutboxEvent>,
    pub results: Vec<ItemResult>,
    pub refusal: Option<(u32, String)>,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelationOutcome {
    pub results: Vec<ItemResult>,
    pub refusal: Option<(u32, String)>,
    /// The owner's sequences after the change.
    pub sequences: RelationSequences,
    /// Whether after-callbacks were written (the caller wakes the webhook engine).
    pub wrote_outbox: bool,
}

/// Decides a change from the snapshot, inside the transaction that writes it.
pub type RelationEdit = Box<dyn FnOnce(&Relations) -> RelationPlan + Send>;

/// One page of a user's friends, or of their blocklist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelationPage<T> {
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: u64,
    pub sequences: RelationSequences,
}

/// One blocklisted account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedAccount {
    pub peer: String,
    /// Unix seconds.
    pub at: i64,
}

/// The change of sequences a plan makes: each `Bump` counted per owner and kind.
pub(crate) fn bumps(changes: &[RelationChange]) -> HashMap<(&str, SequenceKind), u64> {
    let mut out = HashMap::new();
    for change in changes {
        if let RelationChange::Bump { owner, kind } = change {
            *out.entry((owner.as_str(), *kind)).or_insert(0) += 1;
        }
    }
    out
}

impl SequenceKind {
    /// The column that holds this sequence (both backends use the same names).
    pub(crate) fn column(self) -> &'static str {
        match self {
            SequenceKind::Friends => "friends_seq",
            SequenceKind::Custom => "custom_seq",
            SequenceKind::Lists => "lists_seq",
            SequenceKind::Blocklist => "blocklist_seq",
        }
    }
}

/// The users whose locks an edit needs, sorted so two edits never wait on each other in a cycle.
pub(crate) fn lock_order(owner: &str, scope: &RelationScope) -> Vec<String> {
    let mut users = vec![owner.to_owned()];
    if let RelationScope::Peers(peers) | RelationScope::PeersAndCounts(peers) = scope {
        users.extend(peers.iter().cloned());
    }
    users.sort();
    users.dedup();
    users
}

/// The relationship tables, in SQL both engines accept (migration 6 of each).
pub(crate) const SCHEMA: &str = "
    -- One row per direction of a friendship: owner has peer as a friend.
    CREATE TABLE friends (
        app_id      BIGINT NOT NULL,
        owner       TEXT   NOT NULL,
        peer        TEXT   NOT NULL,
        remark      TEXT   NOT NULL,
        groups      TEXT   NOT NULL, -- JSON array of friend list names
        add_source  TEXT   NOT NULL,
        add_wording TEXT   NOT NULL,
        add_time    BIGINT NOT NULL,
        remark_time BIGINT NOT NULL,
        custom      TEXT   NOT NULL, -- JSON object of Tag_SNS_Custom_* values
        PRIMARY KEY (app_id, owner, peer)
    );
    -- Full keys in both directions: every lookup of a pair is exact, whichever index is used.
    CREATE INDEX friends_by_peer ON friends (app_id, peer, owner);
    CREATE TABLE blocklist (
        app_id BIGINT NOT NULL,
        owner  TEXT   NOT NULL,
        peer   TEXT   NOT NULL,
        added  BIGINT NOT NULL,
        PRIMARY KEY (app_id, owner, peer)
    );
    CREATE INDEX blocklist_by_peer ON blocklist (app_id, peer, owner);
    CREATE TABLE friend_requests (
        app_id      BIGINT NOT NULL,
        requester   TEXT   NOT NULL,
        target      TEXT   NOT NULL,
        add_source  TEXT   NOT NULL,
        remark      TEXT   NOT NULL,
        group_name  TEXT   NOT NULL,
        add_wording TEXT   NOT NULL,
        add_type    TEXT   NOT NULL,
        created     BIGINT NOT NULL,
        PRIMARY KEY (app_id, requester, target)
    );
    CREATE INDEX friend_requests_by_target ON friend_requests (app_id, target, requester);
    -- Friend lists; position orders them by creation.
    CREATE TABLE friend_lists (
        app_id   BIGINT NOT NULL,
        owner    TEXT   NOT NULL,
        name     TEXT   NOT NULL,
        position BIGINT NOT NULL,
        PRIMARY KEY (app_id, owner, name)
    );
    CREATE TABLE sns_sequences (
        app_id        BIGINT NOT NULL,
        owner         TEXT   NOT NULL,
        friends_seq   BIGINT NOT NULL DEFAULT 0,
        custom_seq    BIGINT NOT NULL DEFAULT 0,
        lists_seq     BIGINT NOT NULL DEFAULT 0,
        blocklist_seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (app_id, owner)
    );";

/// Encodes the JSON columns of a friend row.
pub(crate) fn encode_friend(friend: &Friend) -> (String, String) {
    let groups = Value::from(friend.groups.clone()).to_string();
    let custom: serde_json::Map<String, Value> = friend.custom.iter().cloned().collect();
    (groups, Value::Object(custom).to_string())
}

/// `Tag_SNS_Custom_*` values by tag.
type CustomValues = Vec<(String, Value)>;

/// Decodes the JSON columns of a friend row.
pub(crate) fn decode_friend_json(
    groups: &str,
    custom: &str,
) -> crate::StoreResult<(Vec<String>, CustomValues)> {
    let corrupt = |e: serde_json::Error| crate::StoreError::Corrupt(format!("friend row: {e}"));
    let groups: Vec<String> = serde_json::from_str(groups).map_err(corrupt)?;
    let custom: serde_json::Map<String, Value> = serde_json::from_str(custom).map_err(corrupt)?;
    Ok((groups, custom.into_iter().collect()))
}
