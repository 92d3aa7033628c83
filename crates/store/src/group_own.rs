//! What a member of a group keeps for themselves apart from the other members: the messages
//! they deleted from their own history (the Web SDK's `deleteMessage` on group messages,
//! `group_open_http_svc.delete_group_ramble_msg_by_seq`). The messages stay for everyone
//! else; the member's history reads pass over them. The rules are the services'.

/// Migration 33, the same on both engines: one row per member and deleted message, of the
/// group itself (`topic_id` empty) or of one of its topics. Rows go with their group or topic.
pub(crate) const SCHEMA: &str = "CREATE TABLE group_hidden_msgs (
    app_id   BIGINT NOT NULL,
    group_id TEXT   NOT NULL,
    topic_id TEXT   NOT NULL,
    member   TEXT   NOT NULL,
    msg_seq  BIGINT NOT NULL,
    PRIMARY KEY (app_id, group_id, topic_id, member, msg_seq)
);";

/// Which member's view of which message stream: `(group_id, topic_id, member)`, `topic_id`
/// empty for the group's own messages.
pub type MemberStream = (String, String, String);
