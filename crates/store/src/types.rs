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
