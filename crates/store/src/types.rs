use serde_json::Value;

/// One profile item: a `Tag_Profile_*` tag and its value (a JSON string or unsigned integer).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileValue {
    pub tag: String,
    pub value: Value,
}

impl ProfileValue {
    pub fn new(tag: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            tag: tag.into(),
            value: value.into(),
        }
    }
}

/// One account to import, with the profile items the import sets (nick, face URL).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountImport {
    pub user_id: String,
    pub profile: Vec<ProfileValue>,
}

/// An after-callback to deliver, written in the same transaction as the change it reports
/// (the transactional outbox), so a change is never stored without its callback or vice versa.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub command: String,
    /// Events with the same key (a conversation, a group) are delivered in the order written.
    pub order_key: String,
    /// The JSON body, ready to send.
    pub body: String,
    pub client_ip: String,
    pub opt_platform: String,
}

/// An outbox event claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub app: natter_core::AppId,
    pub event: OutboxEvent,
    pub created_ms: i64,
    /// Delivery attempts made before this one.
    pub attempts: u32,
}

/// An after-callback whose retries ran out, kept for inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub id: i64,
    pub event: OutboxEvent,
    pub created_ms: i64,
    pub attempts: u32,
    pub last_error: String,
    pub dead_ms: i64,
}

/// A one-to-one message to store.
#[derive(Debug, Clone, PartialEq)]
pub struct C2cMessage {
    pub from: String,
    pub to: String,
    pub msg_seq: u32,
    pub msg_random: u32,
    /// Unix seconds.
    pub msg_time: i64,
    /// The `MsgBody` array as JSON text.
    pub body: String,
    pub cloud_custom_data: String,
    /// False for `SyncOtherMachine` 2: the sender's own history does not show it.
    pub in_sender_history: bool,
    /// False for `SendMsgControl: NoUnread`.
    pub counts_as_unread: bool,
    /// False for `SendMsgControl: NoLastMsg`: the conversations of both sides stay as they are.
    pub updates_conversation: bool,
    /// The `OfflinePushInfo` object as JSON text (empty when absent).
    pub offline_push_info: String,
    /// `SupportMessageExtension` 1: the message takes extensions (key-value pairs).
    pub supports_extension: bool,
}

/// A stored one-to-one message, as history returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredC2c {
    pub message: C2cMessage,
    /// Tencent's `MsgFlagBits` (8: recalled).
    pub flag_bits: u32,
    /// `MsgVersion`: how many times the message was modified (0: never).
    pub version: u64,
}

/// Builds the after-callback rows of a send once the recipient's new unread total is known,
/// inside the send's transaction.
pub type C2cOutbox = Box<dyn FnOnce(u64) -> Vec<OutboxEvent> + Send>;

/// What storing a one-to-one message did.
#[derive(Debug, Clone, PartialEq)]
pub enum C2cSend {
    Stored {
        recipient_unread: u64,
    },
    /// The same message (sender, recipient, MsgSeq, MsgRandom, MsgTime) was already stored;
    /// nothing was written.
    Duplicate,
    /// (`send_c2c_prepared` checking accounts) The sender does not exist; nothing was written.
    NoSender,
    /// (`send_c2c_prepared` checking accounts) The recipient does not exist; nothing was written.
    NoRecipient,
}

/// Which messages a history page covers.
#[derive(Debug, Clone, PartialEq)]
pub struct C2cHistoryQuery {
    pub operator: String,
    pub peer: String,
    /// Inclusive Unix-second bounds.
    pub min_time: i64,
    pub max_time: i64,
    /// Continue below this position (`MsgTime`, `MsgSeq`, `MsgRandom`): from `LastMsgKey`.
    pub before: Option<(i64, u32, u32)>,
    pub limit: usize,
}

impl C2cHistoryQuery {
    /// The page's exclusive upper position (MsgTime, MsgSeq, MsgRandom): the cursor, or just
    /// above `max_time`, whichever is lower.
    pub(crate) fn upper_bound(&self) -> (i64, u32, u32) {
        let above_max = (self.max_time.saturating_add(1), 0, 0);
        match self.before {
            Some(cursor) if cursor < above_max => cursor,
            _ => above_max,
        }
    }
}

/// What recalling a one-to-one message did.
#[derive(Debug, Clone, PartialEq)]
pub enum C2cRecall {
    Recalled { recipient_unread: u64 },
    NotFound,
    AlreadyRecalled,
}

/// What importing a one-to-one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C2cImport {
    Imported,
    /// A message with the same (MsgSeq, MsgRandom, MsgTime) exists in the conversation, in
    /// either direction: the first import wins, nothing was written.
    Duplicate,
}

/// What reading a message's extensions found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionRead {
    Found(Extensions),
    NoMessage,
    /// The message was not sent with `SupportMessageExtension` 1.
    NotEnabled,
}

/// What `modify_c2c` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum C2cModify {
    /// Changed; the message's `MsgVersion` is now `version` (one more than before).
    Modified {
        version: u64,
    },
    NotFound,
    Recalled,
    /// The edit was based on an older version than the stored one; nothing was written. The
    /// message as it is, so the editor can show it and try again.
    Conflict {
        body: String,
        cloud_custom_data: String,
        version: u64,
    },
}

/// One key-value pair of a message extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionItem {
    pub key: String,
    pub value: String,
    /// The extension version that last wrote this key.
    pub seq: u64,
}

/// A message's extensions, as a pull returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extensions {
    /// The extension version: raised by one on every set, delete or clear.
    pub latest_seq: u64,
    /// The version of the last "clear all" (0: never cleared).
    pub clear_seq: u64,
    /// Keys with `seq >= start_seq`, in `seq` then key order.
    pub items: Vec<ExtensionItem>,
}

/// A change to a message's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionChange {
    /// Writes these keys (creating or replacing them).
    Set(Vec<(String, String)>),
    /// Removes these keys.
    Delete(Vec<String>),
    /// Removes every key.
    Clear,
}

/// The version (`Seq`) at which a writer last saw each key it changes: the Web SDK sends it so
/// that a key written since is not overwritten (Tencent's 23001). Empty: nothing is checked
/// (the REST API, whose caller is an administrator).
pub type SeenSeqs = Vec<(String, u64)>;

impl ExtensionChange {
    /// Leaves out of a set or delete the keys `stored` holds at a newer version than `seen`
    /// names (a key `seen` does not name is not checked) and returns them as they are stored:
    /// the conflicts. A clear names no key and has none.
    pub fn drop_conflicts(
        &mut self,
        seen: &[(String, u64)],
        stored: &[ExtensionItem],
    ) -> Vec<ExtensionItem> {
        let newer = |key: &str| -> Option<ExtensionItem> {
            let (_, saw) = seen.iter().find(|(k, _)| k == key)?;
            stored
                .iter()
                .find(|i| i.key == key && i.seq > *saw)
                .cloned()
        };
        let mut conflicts = Vec::new();
        match self {
            ExtensionChange::Set(pairs) => pairs.retain(|(key, _)| match newer(key) {
                Some(item) => {
                    conflicts.push(item);
                    false
                }
                None => true,
            }),
            ExtensionChange::Delete(keys) => keys.retain(|key| match newer(key) {
                Some(item) => {
                    conflicts.push(item);
                    false
                }
                None => true,
            }),
            ExtensionChange::Clear => {}
        }
        conflicts
    }

    /// A set or delete that names no key (left so by [`Self::drop_conflicts`]): nothing to write.
    pub fn is_empty(&self) -> bool {
        match self {
            ExtensionChange::Set(pairs) => pairs.is_empty(),
            ExtensionChange::Delete(keys) => keys.is_empty(),
            ExtensionChange::Clear => false,
        }
    }
}

/// What changing a message's extensions did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionOutcome {
    /// Done: the written or removed keys with the new version (a removed key has an empty
    /// value), and the keys left alone because they were written since the writer saw them
    /// (as they are stored). With no key written no new version was made.
    Changed {
        changed: Vec<ExtensionItem>,
        conflicts: Vec<ExtensionItem>,
    },
    NoMessage,
    /// The message was not sent with `SupportMessageExtension` 1.
    NotEnabled,
    /// The change would leave more keys on the message than allowed.
    TooManyKeys,
}

/// Which message an extension call is about: sender, recipient, and its position (MsgTime,
/// MsgSeq, MsgRandom) from the MsgKey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C2cMessageRef {
    pub from: String,
    pub to: String,
    pub position: (i64, u32, u32),
}

/// Tencent's conversation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationKind {
    C2c = 1,
    Group = 2,
}

impl ConversationKind {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::C2c),
            2 => Some(Self::Group),
            _ => None,
        }
    }
}

/// A conversation of one user: with a peer account or a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId {
    pub kind: ConversationKind,
    /// The peer's UserID or the GroupId.
    pub peer: String,
}

/// One entry of a user's conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    /// Time of the last message (Unix seconds; 0 for a conversation without one).
    pub msg_time: i64,
    pub pinned: bool,
}

/// Where a conversation-list page starts: below `time` (inclusive), skipping the first `skip`
/// conversations at exactly `time` (they were on the previous page). Tencent's
/// `TimeStamp`/`StartIndex` and `TopTimeStamp`/`TopStartIndex` pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    /// 0: from the newest.
    pub time: i64,
    pub skip: usize,
}

/// The marks and conversation groups of one conversation (`mark_contact`, `*_contact_group`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    pub id: ConversationId,
    /// 64 mark bits: bit n set by `SetMark: [n]`.
    pub standard_mark: u64,
    pub custom_mark: String,
    /// Conversation groups the conversation is in, ascending.
    pub groups: Vec<u32>,
    /// Last change to its marks or groups (Unix seconds).
    pub updated: i64,
}

/// A user's conversation group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactGroup {
    pub id: u32,
    pub name: String,
}

/// One change to a conversation's marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkChange {
    pub id: ConversationId,
    pub set_bits: u64,
    pub clear_bits: u64,
    /// `Some`: replaces the custom mark.
    pub custom_mark: Option<String>,
}

/// A change to a user's conversation groups or marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChange {
    CreateGroup {
        name: String,
        members: Vec<ConversationId>,
    },
    RenameGroup {
        old: String,
        new: String,
    },
    UpdateMembers {
        name: String,
        add: Vec<ConversationId>,
        remove: Vec<ConversationId>,
    },
    DeleteGroup {
        name: String,
    },
    Mark(Vec<MarkChange>),
}

/// The limits a contact change must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactLimits {
    pub groups: usize,
    /// Conversations in one group.
    pub per_group: usize,
    /// Conversations with a standard or custom mark.
    pub marked: usize,
}

/// What a conversation-group or mark change did, as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactOutcome {
    /// Done; the group created, renamed, changed or deleted (none for marks).
    Done(Option<ContactGroup>),
    /// The owner would have more groups than allowed.
    TooManyGroups,
    /// A group with that name exists already.
    NameTaken,
    NoSuchGroup,
    /// More conversations would be grouped or marked than allowed.
    TooManyConversations,
}

/// What the backends know of a stored one-to-one message when acting on it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageRow {
    pub id: i64,
    pub flag_bits: u32,
    pub supports_extension: bool,
    pub ext_latest_seq: u64,
    pub ext_clear_seq: u64,
}
