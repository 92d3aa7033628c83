//! Cloud search (the Web SDK's `searchCloudMessages`, `searchCloudUsers`, `searchCloudGroups`,
//! `searchCloudGroupMembers`): what one user may find among messages, accounts, groups and group
//! members by keywords. The store answers with every match, in a fixed order; the services page
//! and count them and shape the replies.
//!
//! No full-text engine: at an emulator's scale a plain scan with the right `WHERE` clauses (the
//! user's conversations, the group's members, …) is fast enough, and it answers the same on both
//! engines. Keywords are matched with `instr`/`strpos`, never `LIKE`, so `%` and `_` in a keyword
//! are plain characters and need no escaping. Matching ignores the case of ASCII letters only
//! (SQLite's `lower` folds ASCII alone, so PostgreSQL folds with `translate` over A-Z the same
//! way): "É" and "é" are different, on both engines.

use async_trait::async_trait;
use natter_core::AppId;
use serde_json::Value;

use crate::{GroupMessage, StoreResult, StoredC2c};

/// Most rows one search reads from each source (one-to-one messages, group messages, accounts,
/// groups, members); a search past it sees the newest (or first) ones only.
pub const SEARCH_SCAN_LIMIT: usize = 10_000;

/// Keywords and how they combine: every one (`all`) or any one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keywords {
    pub words: Vec<String>,
    pub all: bool,
}

impl Keywords {
    /// `(raw, lower)`: each keyword as given (for exact ID matches) and with ASCII letters
    /// lowered (for text columns).
    pub(crate) fn plain(&self) -> Vec<(String, String)> {
        self.words
            .iter()
            .map(|w| (w.clone(), w.to_ascii_lowercase()))
            .collect()
    }

    /// Each keyword as it appears inside a JSON string (escaped as `serde_json` writes it, ASCII
    /// lowered), to look for it in stored JSON text: a profile value, a message body.
    pub(crate) fn json_needles(&self) -> Vec<String> {
        self.words.iter().map(|w| json_needle(w)).collect()
    }

    /// Whether `texts` match: each keyword (ASCII case ignored) is in one of them, for every
    /// keyword (`all`) or for one. No keywords match everything.
    pub fn match_texts(&self, texts: &[&str]) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let lowered: Vec<String> = texts.iter().map(|t| t.to_ascii_lowercase()).collect();
        let found = |w: &String| {
            let w = w.to_ascii_lowercase();
            lowered.iter().any(|t| t.contains(&w))
        };
        if self.all {
            self.words.iter().all(found)
        } else {
            self.words.iter().any(found)
        }
    }
}

fn json_needle(word: &str) -> String {
    let quoted = Value::String(word.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_ascii_lowercase()
}

/// The JSON array text of `items`, for SQLite's `json_each`.
pub(crate) fn json_list(items: &[String]) -> String {
    Value::from(items.to_vec()).to_string()
}

/// Which conversation a message search looks in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    /// The one-to-one conversation with this user.
    Peer(String),
    /// This group (the user must be a member to find anything).
    Group(String),
}

/// `user`'s message search: their one-to-one conversations (what they have not deleted or
/// cleared, not recalled) and the groups they are members of that keep history and are not
/// communities (after their clear, without what they deleted for themselves, recalled or
/// deleted messages, or directed messages not to them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageSearch {
    pub user: String,
    pub keywords: Keywords,
    /// Only these senders; empty: anyone.
    pub senders: Vec<String>,
    /// Only messages with an element of one of these types (`TIMTextElem`, …); empty: any
    /// searchable type.
    pub types: Vec<String>,
    pub scope: Option<SearchScope>,
    /// Sent from `start_time` to `end_time` (Unix seconds, inclusive).
    pub start_time: i64,
    pub end_time: i64,
}

/// A message found, one-to-one or of a group.
#[derive(Debug, Clone, PartialEq)]
pub enum FoundMessage {
    C2c(StoredC2c),
    Group {
        group_id: String,
        message: GroupMessage,
    },
}

/// A found message as the SDK names it: its conversation ID (`C2C<peer>`, `GROUP<GroupId>`)
/// and its sequence there.
pub type FoundMessageKey = (String, u64);

impl FoundMessage {
    /// The SDK's conversation ID of the message, for `user`.
    pub fn conversation_id(&self, user: &str) -> String {
        match self {
            Self::C2c(m) if m.message.from == user => format!("C2C{}", m.message.to),
            Self::C2c(m) => format!("C2C{}", m.message.from),
            Self::Group { group_id, .. } => format!("GROUP{group_id}"),
        }
    }

    pub fn key(&self, user: &str) -> FoundMessageKey {
        (self.conversation_id(user), self.seq())
    }

    /// Unix seconds.
    pub fn time(&self) -> i64 {
        match self {
            Self::C2c(m) => m.message.msg_time,
            Self::Group { message, .. } => message.time,
        }
    }

    /// The message's sequence in its conversation.
    pub fn seq(&self) -> u64 {
        match self {
            Self::C2c(m) => u64::from(m.message.msg_seq),
            Self::Group { message, .. } => message.seq,
        }
    }

    fn body(&self) -> &str {
        match self {
            Self::C2c(m) => &m.message.body,
            Self::Group { message, .. } => &message.body,
        }
    }
}

/// Element types a message search knows (Tencent's: not faces, tips or system notices).
pub const SEARCHABLE_TYPES: &[&str] = &[
    "TIMTextElem",
    "TIMImageElem",
    "TIMSoundElem",
    "TIMFileElem",
    "TIMVideoFileElem",
    "TIMLocationElem",
    "TIMCustomElem",
    "TIMRelayElem",
];

/// The text fields of a message element that keywords look in.
const TEXT_FIELDS: &[&str] = &["Text", "Desc", "Data", "Ext", "FileName", "Title"];

/// Whether a message (by its `MsgBody` JSON) is found: it has an element of a searchable type
/// (of `types` when given), and its elements' texts match the keywords.
pub(crate) fn body_matches(body: &str, query: &MessageSearch) -> bool {
    let Ok(Value::Array(elems)) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let mut typed = false;
    let mut texts = Vec::new();
    for elem in &elems {
        let kind = elem.get("MsgType").and_then(Value::as_str).unwrap_or("");
        if !SEARCHABLE_TYPES.contains(&kind) {
            continue;
        }
        typed |= query.types.is_empty() || query.types.iter().any(|t| t == kind);
        let Some(content) = elem.get("MsgContent") else {
            continue;
        };
        for field in TEXT_FIELDS {
            if let Some(text) = content.get(*field).and_then(Value::as_str) {
                texts.push(text.to_owned());
            }
        }
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    typed && query.keywords.match_texts(&texts)
}

/// The exact checks after the SQL's coarse ones (keywords anywhere in the body's JSON): the
/// body's texts and types, and who a directed group message is for. Newest first.
pub(crate) fn finish_messages(
    mut found: Vec<FoundMessage>,
    query: &MessageSearch,
) -> Vec<FoundMessage> {
    found.retain(|m| {
        let for_user = match m {
            FoundMessage::C2c(_) => true,
            FoundMessage::Group { message, .. } => {
                message.recipients.is_empty()
                    || message.from == query.user
                    || message.recipients.contains(&query.user)
            }
        };
        for_user && body_matches(m.body(), query)
    });
    // Stable: ties keep the SQL's order (one-to-one first, groups by GroupId).
    found.sort_by_key(|m| std::cmp::Reverse((m.time(), m.seq())));
    found.truncate(SEARCH_SCAN_LIMIT);
    found
}

/// Accounts by keyword (an exact UserID, or part of the nickname), gender and birthday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSearch {
    pub keywords: Keywords,
    /// `Gender_Type_Male` or `Gender_Type_Female`; `None`: any.
    pub gender: Option<String>,
    /// `Tag_Profile_IM_BirthDay` from..to (inclusive); `None`: any (and none set).
    pub birthday: Option<(u64, u64)>,
}

/// Groups by keyword (an exact GroupId, or part of the name) that `user` may find: not
/// AVChatRooms, and work groups (`Private`) only when `user` is a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSearch {
    pub user: String,
    pub keywords: Keywords,
    /// Only these types (`Public`, …); empty: any.
    pub types: Vec<String>,
}

/// A group found, with what the search result shows of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoundGroup {
    pub group_id: String,
    pub group_type: String,
    pub name: String,
    pub face_url: String,
    pub introduction: String,
    pub owner: String,
    pub member_count: u64,
    pub apply_join: String,
    pub invite_join: String,
}

/// Members, by keyword (an exact UserID, part of the nickname or of the name card), of the
/// groups `user` is a member of, not AVChatRooms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberSearch {
    pub user: String,
    pub keywords: Keywords,
    /// Only these groups; empty: all of the user's.
    pub group_ids: Vec<String>,
    /// Only groups of these types; empty: any.
    pub types: Vec<String>,
}

/// A member found, with their group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoundMember {
    pub group_id: String,
    pub group_name: String,
    pub group_type: String,
    pub group_face_url: String,
    pub user_id: String,
    pub nick: String,
    pub name_card: String,
    pub avatar: String,
}

/// The text of a stored profile value (JSON) that is a string; empty otherwise.
pub(crate) fn profile_text(value: Option<String>) -> String {
    value
        .and_then(|v| serde_json::from_str::<Value>(&v).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// `query.user`'s messages that match, newest first (at most [`SEARCH_SCAN_LIMIT`]).
    async fn search_messages(
        &self,
        app: AppId,
        query: MessageSearch,
    ) -> StoreResult<Vec<FoundMessage>>;

    /// The UserIDs of the accounts that match, in UserID order.
    async fn search_users(&self, app: AppId, query: UserSearch) -> StoreResult<Vec<String>>;

    /// The groups that match, in GroupId order.
    async fn search_groups(&self, app: AppId, query: GroupSearch) -> StoreResult<Vec<FoundGroup>>;

    /// The members that match, by GroupId then UserID.
    async fn search_group_members(
        &self,
        app: AppId,
        query: MemberSearch,
    ) -> StoreResult<Vec<FoundMember>>;
}
