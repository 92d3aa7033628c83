//! Groups: lifecycle, membership, messages, profile and attributes.
//!
//! `Type` is the group type as the REST API spells it (`Public`, `Private`/`Work`,
//! `ChatRoom`/`Meeting`, `AVChatRoom`/`Live`, `Community`).

use serde::{Deserialize, Serialize};

use super::{payload, MemberAccount, MsgBodyElement, UserDefinedData};
use crate::commands;

/// `Group.CallbackBeforeCreateGroup` (before): a group is about to be created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeforeCreateGroup {
    /// Who asked for the group.
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// The intended owner.
    #[serde(rename = "Owner_Account")]
    pub owner_account: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Name")]
    pub name: String,
    /// How many groups of this type the operator has already created.
    #[serde(rename = "CreateGroupNum")]
    pub create_group_num: u32,
    /// Initial members.
    #[serde(rename = "MemberList")]
    pub member_list: Vec<MemberAccount>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(BeforeCreateGroup, commands::GROUP_BEFORE_CREATE_GROUP);

/// `Group.CallbackAfterCreateGroup`: a group was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterCreateGroup {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Owner_Account")]
    pub owner_account: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Name")]
    pub name: String,
    /// Initial members.
    #[serde(rename = "MemberList")]
    pub member_list: Vec<MemberAccount>,
    /// Custom group fields given at creation (empty unless the feature is enabled).
    #[serde(rename = "UserDefinedDataList")]
    pub user_defined_data_list: Vec<UserDefinedData>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterCreateGroup, commands::GROUP_AFTER_CREATE_GROUP);

/// `Group.CallbackBeforeApplyJoinGroup` (before): a user applied to join from a client. Allowing
/// it does not skip admin approval when the group requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeforeApplyJoinGroup {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    /// The applicant (note Tencent's spelling `Requestor`).
    #[serde(rename = "Requestor_Account")]
    pub requestor_account: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    BeforeApplyJoinGroup,
    commands::GROUP_BEFORE_APPLY_JOIN_GROUP
);

/// `Group.CallbackBeforeInviteJoinGroup` (before): users are about to be invited / added. The app
/// may refuse some of them with
/// [`InviteJoinGroupResponse`](super::responses::InviteJoinGroupResponse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeforeInviteJoinGroup {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    /// The inviter.
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// The invitees.
    #[serde(rename = "DestinationMembers")]
    pub destination_members: Vec<MemberAccount>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    BeforeInviteJoinGroup,
    commands::GROUP_BEFORE_INVITE_JOIN_GROUP
);

/// `Group.CallbackAfterNewMemberJoin`: users joined a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterNewMemberJoin {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    /// `Apply` or `Invited`.
    #[serde(rename = "JoinType")]
    pub join_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "NewMemberList")]
    pub new_member_list: Vec<MemberAccount>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterNewMemberJoin, commands::GROUP_AFTER_NEW_MEMBER_JOIN);

/// `Group.CallbackAfterMemberExit`: members quit or were removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterMemberExit {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    /// `Kicked` or `Quit`.
    #[serde(rename = "ExitType")]
    pub exit_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "ExitMemberList")]
    pub exit_member_list: Vec<MemberAccount>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterMemberExit, commands::GROUP_AFTER_MEMBER_EXIT);

/// `Group.CallbackBeforeSendMsg` (before, may rewrite): a group message is about to be fanned out.
/// No `MsgSeq` exists yet. Answered with [`SendMsgResponse`](super::responses::SendMsgResponse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBeforeSendMsg {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    /// Sender.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// Who issued the request (differs from the sender when an admin sends on someone's behalf).
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// The request's 32-bit random number (`Random`, not `MsgRandom`).
    #[serde(rename = "Random")]
    pub random: u32,
    /// Client-side unique message id.
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    /// `1` for an online-only message, else `0` (always `0` in AV/Live groups).
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgBodyElement>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
    /// Only for messages sent to a community topic.
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(GroupBeforeSendMsg, commands::GROUP_BEFORE_SEND_MSG);

/// `Group.CallbackAfterSendMsg`: a group message was sent (failures go to
/// [`SendMsgException`] instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAfterSendMsg {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Random")]
    pub random: u32,
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    /// Per-group sequence number assigned by the server, strictly increasing from 1.
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u64,
    /// Server time, seconds since the epoch.
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgBodyElement>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
    /// Only for messages sent to a community topic.
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
    /// Mentions; only present when the message @-mentions someone.
    #[serde(rename = "GroupAtInfo", skip_serializing_if = "Option::is_none")]
    pub group_at_info: Option<Vec<GroupAtInfo>>,
}
payload!(GroupAfterSendMsg, commands::GROUP_AFTER_SEND_MSG);

/// One mention: `{"GroupAtAllFlag": 1}` for @all, or `{"GroupAtAllFlag": 0, "GroupAt_Account": id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAtInfo {
    #[serde(rename = "GroupAtAllFlag")]
    pub group_at_all_flag: u32,
    #[serde(rename = "GroupAt_Account", skip_serializing_if = "Option::is_none")]
    pub group_at_account: Option<String>,
}

impl GroupAtInfo {
    /// A mention of everyone.
    pub fn all() -> Self {
        Self {
            group_at_all_flag: 1,
            group_at_account: None,
        }
    }

    /// A mention of one member.
    pub fn member(account: impl Into<String>) -> Self {
        Self {
            group_at_all_flag: 0,
            group_at_account: Some(account.into()),
        }
    }
}

/// `Group.CallbackAfterGroupFull`: a join filled the group, or failed because it was full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterGroupFull {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterGroupFull, commands::GROUP_AFTER_GROUP_FULL);

/// `Group.CallbackAfterGroupDestroyed`: a group was disbanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterGroupDestroyed {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Owner_Account")]
    pub owner_account: String,
    #[serde(rename = "Name")]
    pub name: String,
    /// Members at the time of disbanding; not sent for `Community` groups.
    #[serde(rename = "MemberList", skip_serializing_if = "Option::is_none")]
    pub member_list: Option<Vec<MemberAccount>>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterGroupDestroyed, commands::GROUP_AFTER_GROUP_DESTROYED);

/// `Group.CallbackAfterGroupInfoChanged`: the name, introduction, notification or face URL
/// changed. Only the changed ones are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterGroupInfoChanged {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Introduction", skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(rename = "Notification", skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(rename = "FaceUrl", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    AfterGroupInfoChanged,
    commands::GROUP_AFTER_GROUP_INFO_CHANGED
);

/// `Group.CallbackAfterRecallMsg`: group messages were recalled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterRecallMsg {
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "MsgSeqList")]
    pub msg_seq_list: Vec<MsgSeqItem>,
    /// Only for recalls inside a community topic.
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterRecallMsg, commands::GROUP_AFTER_RECALL_MSG);

/// `{"MsgSeq": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgSeqItem {
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u64,
}

/// `Group.CallbackOnMemberStateChange`: members of an AV (Live) group went offline or came back
/// (heartbeat lost / recovered, first join, last quit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnMemberStateChange {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// `Offline` or `Online`.
    #[serde(rename = "EventType")]
    pub event_type: String,
    /// `HeartbeatInterrupt`, `HeartbeatRecover`, `Join` or `Quit`.
    #[serde(rename = "EventCause")]
    pub event_cause: String,
    #[serde(rename = "MemberList")]
    pub member_list: Vec<MemberAccount>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(OnMemberStateChange, commands::GROUP_ON_MEMBER_STATE_CHANGE);

/// `Group.CallbackSendMsgException`: a group message could not be sent (bad parameters, rate
/// limit, content filter, sender muted). `ErrorCode` / `ErrorInfo` describe the failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMsgException {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Random")]
    pub random: u32,
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<MsgBodyElement>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
    /// Natter extension, as in the other group message callbacks: the topic the message was for.
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Why sending failed, e.g. `10023`.
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo")]
    pub error_info: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(SendMsgException, commands::GROUP_SEND_MSG_EXCEPTION);

/// `Group.CallbackAfterMemberFieldChanged`: a member's role or name card changed. Only the changed
/// field is meaningful; the other is left out when unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterMemberFieldChanged {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// The member whose fields changed (a single user, not a list).
    #[serde(rename = "Member_Account")]
    pub member_account: String,
    /// `Admin` when promoted, `Member` when demoted.
    #[serde(rename = "Role", skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(rename = "NameCard", skip_serializing_if = "Option::is_none")]
    pub name_card: Option<String>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    AfterMemberFieldChanged,
    commands::GROUP_AFTER_MEMBER_FIELD_CHANGED
);

/// `Group.CallbackAfterGroupAttrChanged`: custom group attributes were set, modified, cleared or
/// deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterGroupAttrChanged {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// `set` (reset all), `modify`, `clear` or `delete`.
    #[serde(rename = "OptionType")]
    pub option_type: String,
    #[serde(rename = "GroupAttr")]
    pub group_attr: Vec<GroupAttr>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    AfterGroupAttrChanged,
    commands::GROUP_AFTER_GROUP_ATTR_CHANGED
);

/// A group attribute: `{"key": .., "value": ..}`, lowercase on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAttr {
    #[serde(rename = "key")]
    pub key: String,
    #[serde(rename = "value")]
    pub value: String,
}

impl GroupAttr {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// `Group.CallbackAfterReadReceipt`: group read receipts changed (not for communities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterReadReceipt {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "GroupMsgReceiptList")]
    pub group_msg_receipt_list: Vec<GroupMsgReceipt>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(AfterReadReceipt, commands::GROUP_AFTER_READ_RECEIPT);

/// Read state of one group message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMsgReceipt {
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u64,
    #[serde(rename = "ReadNum")]
    pub read_num: u32,
    #[serde(rename = "UnreadNum")]
    pub unread_num: u32,
    /// Members who have read it.
    #[serde(rename = "ReadReceiptMembers")]
    pub read_receipt_members: Vec<MemberAccount>,
}

/// `Group.CallbackAfterChangeGroupOwner`: ownership was transferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterChangeGroupOwner {
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "OldOwner_Account")]
    pub old_owner_account: String,
    #[serde(rename = "NewOwner_Account")]
    pub new_owner_account: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(
    AfterChangeGroupOwner,
    commands::GROUP_AFTER_CHANGE_GROUP_OWNER
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::member_list;
    use crate::payloads::testutil::assert_body;
    use crate::payloads::Payload;

    // Most English group samples quote `EventTime` as a string ("1670574414123"); the field tables
    // type it Integer, so every expected body below has the number.

    const EVENT_TIME: u64 = 1670574414123;
    const GROUP: &str = "@TGS#2J4SZEAEL";

    #[test]
    fn before_create_group_documented_sample() {
        assert_body(
            &BeforeCreateGroup {
                operator_account: "leckie".into(),
                owner_account: "leckie".into(),
                group_type: "Public".into(),
                name: "MyFirstGroup".into(),
                create_group_num: 123,
                member_list: member_list(["bob", "peter"]),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeCreateGroup",
                "Operator_Account": "leckie",
                "Owner_Account": "leckie",
                "Type": "Public",
                "Name": "MyFirstGroup",
                "CreateGroupNum": 123,
                "MemberList": [
                    { "Member_Account": "bob" },
                    { "Member_Account": "peter" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_create_group_documented_sample() {
        assert_body(
            &AfterCreateGroup {
                group_id: GROUP.into(),
                operator_account: "group_root".into(),
                owner_account: "leckie".into(),
                group_type: "Public".into(),
                name: "MyFirstGroup".into(),
                member_list: member_list(["bob", "peter"]),
                user_defined_data_list: vec![
                    UserDefinedData::new("UserDefined1", "hello"),
                    UserDefinedData::new("UserDefined2", "world"),
                ],
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterCreateGroup",
                "GroupId": "@TGS#2J4SZEAEL",
                "Operator_Account": "group_root",
                "Owner_Account": "leckie",
                "Type": "Public",
                "Name": "MyFirstGroup",
                "MemberList": [
                    { "Member_Account": "bob" },
                    { "Member_Account": "peter" }
                ],
                "UserDefinedDataList": [
                    { "Key": "UserDefined1", "Value": "hello" },
                    { "Key": "UserDefined2", "Value": "world" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn before_apply_join_group_documented_sample() {
        assert_body(
            &BeforeApplyJoinGroup {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                requestor_account: "jared".into(),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeApplyJoinGroup",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Requestor_Account": "jared",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn before_invite_join_group_documented_sample() {
        assert_body(
            &BeforeInviteJoinGroup {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                operator_account: "leckie".into(),
                destination_members: member_list(["jared", "leckie"]),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeInviteJoinGroup",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Operator_Account": "leckie",
                "DestinationMembers": [
                    { "Member_Account": "jared" },
                    { "Member_Account": "leckie" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// The sample seen predates `EventTime`; it is appended here as in the field table.
    #[test]
    fn after_new_member_join_documented_sample() {
        assert_body(
            &AfterNewMemberJoin {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                join_type: "Apply".into(),
                operator_account: "leckie".into(),
                new_member_list: member_list(["jared", "tommy"]),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterNewMemberJoin",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "JoinType": "Apply",
                "Operator_Account": "leckie",
                "NewMemberList": [
                    { "Member_Account": "jared" },
                    { "Member_Account": "tommy" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_member_exit_documented_sample() {
        assert_body(
            &AfterMemberExit {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                exit_type: "Kicked".into(),
                operator_account: "leckie".into(),
                exit_member_list: member_list(["jared", "tommy"]),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterMemberExit",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "ExitType": "Kicked",
                "Operator_Account": "leckie",
                "ExitMemberList": [
                    { "Member_Account": "jared" },
                    { "Member_Account": "tommy" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// The Chat page's community sample (with `TopicId`), plus `MsgId` after `Random` as in the
    /// newer samples of the same callback.
    #[test]
    fn before_send_msg_documented_sample() {
        assert_body(
            &GroupBeforeSendMsg {
                group_id: GROUP.into(),
                group_type: "Community".into(),
                from_account: "jared".into(),
                operator_account: "admin".into(),
                random: 123456,
                msg_id: "144115233406643804-1727580296-4026038328".into(),
                online_only_flag: 1,
                msg_body: vec![MsgBodyElement::text("red packet")],
                cloud_custom_data: "your cloud custom data".into(),
                topic_id: Some("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic".into()),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeSendMsg",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Community",
                "From_Account": "jared",
                "Operator_Account": "admin",
                "Random": 123456,
                "MsgId": "144115233406643804-1727580296-4026038328",
                "OnlineOnlyFlag": 1,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } }
                ],
                "CloudCustomData": "your cloud custom data",
                "TopicId": "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn before_send_msg_outside_topics_has_no_topic_id() {
        let body = GroupBeforeSendMsg {
            group_id: GROUP.into(),
            group_type: "Public".into(),
            from_account: "jared".into(),
            operator_account: "jared".into(),
            random: 1,
            msg_id: "m".into(),
            online_only_flag: 0,
            msg_body: vec![MsgBodyElement::text("hi")],
            cloud_custom_data: String::new(),
            topic_id: None,
            event_time: EVENT_TIME,
        }
        .to_body();
        assert!(body.get("TopicId").is_none());
    }

    #[test]
    fn after_send_msg_documented_sample() {
        assert_body(
            &GroupAfterSendMsg {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                from_account: "jared".into(),
                operator_account: "admin".into(),
                random: 123456,
                msg_id: "144115233406643804-1727580296-4026038328".into(),
                msg_seq: 123,
                msg_time: 1490686222,
                online_only_flag: 1,
                msg_body: vec![MsgBodyElement::text("red packet")],
                cloud_custom_data: "your cloud custom data".into(),
                topic_id: None,
                event_time: EVENT_TIME,
                group_at_info: None,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterSendMsg",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "From_Account": "jared",
                "Operator_Account": "admin",
                "Random": 123456,
                "MsgId": "144115233406643804-1727580296-4026038328",
                "MsgSeq": 123,
                "MsgTime": 1490686222,
                "OnlineOnlyFlag": 1,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } }
                ],
                "CloudCustomData": "your cloud custom data",
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// No sample has `TopicId` or `GroupAtInfo` for this callback; written from the field tables
    /// (UNVERIFIED placement of `GroupAtInfo`, which only the Chinese table lists, after
    /// `EventTime`).
    #[test]
    fn after_send_msg_in_topic_with_mentions() {
        assert_body(
            &GroupAfterSendMsg {
                group_id: "@TGS#_@TGS#cQVLVHIM62CJ".into(),
                group_type: "Community".into(),
                from_account: "jared".into(),
                operator_account: "jared".into(),
                random: 7,
                msg_id: "m1".into(),
                msg_seq: 9,
                msg_time: 1490686222,
                online_only_flag: 0,
                msg_body: vec![MsgBodyElement::text("@all @tommy hi")],
                cloud_custom_data: String::new(),
                topic_id: Some("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic".into()),
                event_time: EVENT_TIME,
                group_at_info: Some(vec![GroupAtInfo::all(), GroupAtInfo::member("tommy")]),
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterSendMsg",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "Type": "Community",
                "From_Account": "jared",
                "Operator_Account": "jared",
                "Random": 7,
                "MsgId": "m1",
                "MsgSeq": 9,
                "MsgTime": 1490686222,
                "OnlineOnlyFlag": 0,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "@all @tommy hi" } }
                ],
                "CloudCustomData": "",
                "TopicId": "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                "EventTime": 1670574414123,
                "GroupAtInfo": [
                    { "GroupAtAllFlag": 1 },
                    { "GroupAtAllFlag": 0, "GroupAt_Account": "tommy" }
                ]
            }"#,
        );
    }

    /// The sample seen predates `EventTime`; it is appended as in the field table.
    #[test]
    fn after_group_full_documented_sample() {
        assert_body(
            &AfterGroupFull {
                group_id: GROUP.into(),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupFull",
                "GroupId": "@TGS#2J4SZEAEL",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_group_destroyed_documented_sample() {
        assert_body(
            &AfterGroupDestroyed {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                owner_account: "leckie".into(),
                name: "MyFirstGroup".into(),
                member_list: Some(member_list(["leckie", "peter", "bob"])),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupDestroyed",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Owner_Account": "leckie",
                "Name": "MyFirstGroup",
                "MemberList": [
                    { "Member_Account": "leckie" },
                    { "Member_Account": "peter" },
                    { "Member_Account": "bob" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// Communities get no `MemberList` (field table note; no sample).
    #[test]
    fn after_group_destroyed_community_has_no_member_list() {
        assert_body(
            &AfterGroupDestroyed {
                group_id: "@TGS#_@TGS#cQVLVHIM62CJ".into(),
                group_type: "Community".into(),
                owner_account: "leckie".into(),
                name: "MyCommunity".into(),
                member_list: None,
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupDestroyed",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "Type": "Community",
                "Owner_Account": "leckie",
                "Name": "MyCommunity",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_group_info_changed_documented_sample() {
        assert_body(
            &AfterGroupInfoChanged {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                operator_account: "leckie".into(),
                name: None,
                introduction: None,
                notification: Some("NewNotification".into()),
                face_url: None,
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupInfoChanged",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Operator_Account": "leckie",
                "Notification": "NewNotification",
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// All four changed at once, in field-table order (no sample shows more than one).
    #[test]
    fn after_group_info_changed_all_fields() {
        assert_body(
            &AfterGroupInfoChanged {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                operator_account: "leckie".into(),
                name: Some("n".into()),
                introduction: Some("i".into()),
                notification: Some("no".into()),
                face_url: Some("http://f".into()),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupInfoChanged",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Operator_Account": "leckie",
                "Name": "n",
                "Introduction": "i",
                "Notification": "no",
                "FaceUrl": "http://f",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_recall_msg_documented_sample() {
        assert_body(
            &AfterRecallMsg {
                operator_account: "admin".into(),
                group_type: "Community".into(),
                group_id: "1213456".into(),
                msg_seq_list: vec![MsgSeqItem { msg_seq: 130 }],
                topic_id: Some("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic".into()),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterRecallMsg",
                "Operator_Account": "admin",
                "Type": "Community",
                "GroupId": "1213456",
                "MsgSeqList": [ { "MsgSeq": 130 } ],
                "TopicId": "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                "EventTime": 1670574414123
            }"#,
        );
    }

    /// The English sample names `EventCause` only in a comment and has no `EventTime`; both are
    /// in the field table / spec, so they are filled in here (UNVERIFIED exact placement).
    #[test]
    fn on_member_state_change_documented_sample() {
        assert_body(
            &OnMemberStateChange {
                group_id: GROUP.into(),
                event_type: "Offline".into(),
                event_cause: "HeartbeatInterrupt".into(),
                member_list: member_list(["jared", "tommy"]),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackOnMemberStateChange",
                "GroupId": "@TGS#2J4SZEAEL",
                "EventType": "Offline",
                "EventCause": "HeartbeatInterrupt",
                "MemberList": [
                    { "Member_Account": "jared" },
                    { "Member_Account": "tommy" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn send_msg_exception_documented_sample() {
        assert_body(
            &SendMsgException {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                from_account: "jared".into(),
                operator_account: "admin".into(),
                random: 123456,
                online_only_flag: 1,
                msg_body: vec![MsgBodyElement::text("red packet")],
                cloud_custom_data: "your cloud custom data".into(),
                topic_id: None,
                error_code: 10023,
                error_info: "msg count exceeds limit,please retry later".into(),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackSendMsgException",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "From_Account": "jared",
                "Operator_Account": "admin",
                "Random": 123456,
                "OnlineOnlyFlag": 1,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } }
                ],
                "CloudCustomData": "your cloud custom data",
                "ErrorCode": 10023,
                "ErrorInfo": "msg count exceeds limit,please retry later",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_member_field_changed_documented_sample() {
        assert_body(
            &AfterMemberFieldChanged {
                group_id: "@TGS#xxxx".into(),
                group_type: "Community".into(),
                operator_account: "admin".into(),
                member_account: "123456".into(),
                role: Some("Admin".into()),
                name_card: Some("jacky".into()),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterMemberFieldChanged",
                "GroupId": "@TGS#xxxx",
                "Type": "Community",
                "Operator_Account": "admin",
                "Member_Account": "123456",
                "Role": "Admin",
                "NameCard": "jacky",
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_group_attr_changed_documented_sample() {
        assert_body(
            &AfterGroupAttrChanged {
                group_id: GROUP.into(),
                group_type: "Public".into(),
                operator_account: "leckie".into(),
                option_type: "set".into(),
                group_attr: vec![
                    GroupAttr::new("key1", "value1"),
                    GroupAttr::new("key2", "values"),
                ],
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterGroupAttrChanged",
                "GroupId": "@TGS#2J4SZEAEL",
                "Type": "Public",
                "Operator_Account": "leckie",
                "OptionType": "set",
                "GroupAttr": [
                    { "key": "key1", "value": "value1" },
                    { "key": "key2", "value": "values" }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_read_receipt_documented_sample() {
        let receipt = |seq| GroupMsgReceipt {
            msg_seq: seq,
            read_num: 1,
            unread_num: 6,
            read_receipt_members: member_list(["user0"]),
        };
        assert_body(
            &AfterReadReceipt {
                group_id: "@TGS#2TTV7VSII".into(),
                group_type: "Public".into(),
                group_msg_receipt_list: vec![receipt(1), receipt(2)],
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterReadReceipt",
                "GroupId": "@TGS#2TTV7VSII",
                "Type": "Public",
                "GroupMsgReceiptList": [
                    {
                        "MsgSeq": 1,
                        "ReadNum": 1,
                        "UnreadNum": 6,
                        "ReadReceiptMembers": [ { "Member_Account": "user0" } ]
                    },
                    {
                        "MsgSeq": 2,
                        "ReadNum": 1,
                        "UnreadNum": 6,
                        "ReadReceiptMembers": [ { "Member_Account": "user0" } ]
                    }
                ],
                "EventTime": 1670574414123
            }"#,
        );
    }

    #[test]
    fn after_change_group_owner_documented_sample() {
        assert_body(
            &AfterChangeGroupOwner {
                group_id: "@TGS#2TTV7VSII".into(),
                group_type: "Public".into(),
                operator_account: "admin".into(),
                old_owner_account: "user1".into(),
                new_owner_account: "user2".into(),
                event_time: EVENT_TIME,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterChangeGroupOwner",
                "GroupId": "@TGS#2TTV7VSII",
                "Type": "Public",
                "Operator_Account": "admin",
                "OldOwner_Account": "user1",
                "NewOwner_Account": "user2",
                "EventTime": 1670574414123
            }"#,
        );
    }
}
