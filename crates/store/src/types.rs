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
}

/// A stored one-to-one message, as history returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredC2c {
    pub message: C2cMessage,
    /// Tencent's `MsgFlagBits` (8: recalled).
    pub flag_bits: u32,
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

/// What recalling a one-to-one message did.
#[derive(Debug, Clone, PartialEq)]
pub enum C2cRecall {
    Recalled { recipient_unread: u64 },
    NotFound,
    AlreadyRecalled,
}
