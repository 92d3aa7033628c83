//! Every `CallbackCommand` Natter knows, in one table. The dispatcher, the payload types and
//! `docs/compatibility.md` all read their command strings from here, so they cannot drift apart.

// Command words, each spelled exactly once. Case matters on the wire: note the capital `D` in
// `C2C.CallbackAfterMsgWithDraw` and the missing `Callback` in `Alert.*`, `State.*` and `Chatbot.*`.

pub const ALERT_REQUEST_OVER_LIMIT: &str = "Alert.RequestOverLimit";
pub const STATE_STATE_CHANGE: &str = "State.StateChange";
pub const PROFILE_PORTRAIT_SET: &str = "Profile.CallbackPortraitSet";
pub const SNS_PREV_FRIEND_ADD: &str = "Sns.CallbackPrevFriendAdd";
pub const SNS_PREV_FRIEND_RESPONSE: &str = "Sns.CallbackPrevFriendResponse";
pub const SNS_FRIEND_ADD: &str = "Sns.CallbackFriendAdd";
pub const SNS_FRIEND_DELETE: &str = "Sns.CallbackFriendDelete";
pub const SNS_BLACK_LIST_ADD: &str = "Sns.CallbackBlackListAdd";
pub const SNS_BLACK_LIST_DELETE: &str = "Sns.CallbackBlackListDelete";
pub const C2C_BEFORE_SEND_MSG: &str = "C2C.CallbackBeforeSendMsg";
pub const C2C_AFTER_SEND_MSG: &str = "C2C.CallbackAfterSendMsg";
pub const C2C_AFTER_MSG_REPORT: &str = "C2C.CallbackAfterMsgReport";
pub const C2C_AFTER_MSG_WITHDRAW: &str = "C2C.CallbackAfterMsgWithDraw";
pub const GROUP_BEFORE_CREATE_GROUP: &str = "Group.CallbackBeforeCreateGroup";
pub const GROUP_AFTER_CREATE_GROUP: &str = "Group.CallbackAfterCreateGroup";
pub const GROUP_BEFORE_APPLY_JOIN_GROUP: &str = "Group.CallbackBeforeApplyJoinGroup";
pub const GROUP_BEFORE_INVITE_JOIN_GROUP: &str = "Group.CallbackBeforeInviteJoinGroup";
pub const GROUP_AFTER_NEW_MEMBER_JOIN: &str = "Group.CallbackAfterNewMemberJoin";
pub const GROUP_AFTER_MEMBER_EXIT: &str = "Group.CallbackAfterMemberExit";
pub const GROUP_BEFORE_SEND_MSG: &str = "Group.CallbackBeforeSendMsg";
pub const GROUP_AFTER_SEND_MSG: &str = "Group.CallbackAfterSendMsg";
pub const GROUP_AFTER_GROUP_FULL: &str = "Group.CallbackAfterGroupFull";
pub const GROUP_AFTER_GROUP_DESTROYED: &str = "Group.CallbackAfterGroupDestroyed";
pub const GROUP_AFTER_GROUP_INFO_CHANGED: &str = "Group.CallbackAfterGroupInfoChanged";
pub const GROUP_AFTER_RECALL_MSG: &str = "Group.CallbackAfterRecallMsg";
pub const GROUP_ON_MEMBER_STATE_CHANGE: &str = "Group.CallbackOnMemberStateChange";
pub const GROUP_SEND_MSG_EXCEPTION: &str = "Group.CallbackSendMsgException";
pub const GROUP_BEFORE_CREATE_TOPIC: &str = "Group.CallbackBeforeCreateTopic";
pub const GROUP_AFTER_CREATE_TOPIC: &str = "Group.CallbackAfterCreateTopic";
pub const GROUP_AFTER_TOPIC_DESTROYED: &str = "Group.CallbackAfterTopicDestroyed";
pub const GROUP_AFTER_TOPIC_INFO_CHANGED: &str = "Group.CallbackAfterTopicInfoChanged";
pub const GROUP_AFTER_MEMBER_FIELD_CHANGED: &str = "Group.CallbackAfterMemberFieldChanged";
pub const GROUP_AFTER_GROUP_ATTR_CHANGED: &str = "Group.CallbackAfterGroupAttrChanged";
pub const GROUP_AFTER_READ_RECEIPT: &str = "Group.CallbackAfterReadReceipt";
pub const GROUP_AFTER_CHANGE_GROUP_OWNER: &str = "Group.CallbackAfterChangeGroupOwner";
pub const CHATBOT_ON_C2C_SIGNAL_MESSAGE: &str = "Chatbot.OnC2CSignalMessage";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Synchronous: the app backend may refuse (and for messages, rewrite) the action.
    Before,
    /// Informational: delivered after the change is stored; the reply is read and ignored.
    After,
}

#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    pub command: &'static str,
    pub title: &'static str,
    pub kind: Kind,
    /// Tencent's English doc page, `https://www.tencentcloud.com/document/product/1047/<doc>`.
    pub doc: Option<u32>,
    /// Whether Natter fires it today.
    pub fired: bool,
}

const fn cmd(command: &'static str, title: &'static str, kind: Kind, doc: u32) -> CommandInfo {
    CommandInfo {
        command,
        title,
        kind,
        doc: if doc == 0 { None } else { Some(doc) },
        fired: false,
    }
}

impl CommandInfo {
    /// Marks a command that Natter fires.
    const fn fired(mut self) -> Self {
        self.fired = true;
        self
    }
}

use Kind::{After, Before};

pub const COMMANDS: &[CommandInfo] = &[
    cmd(
        ALERT_REQUEST_OVER_LIMIT,
        "API overclocking alarm",
        After,
        60256,
    )
    .fired(),
    cmd(STATE_STATE_CHANGE, "Online status change", After, 34357).fired(),
    cmd(PROFILE_PORTRAIT_SET, "After profile updated", After, 48733).fired(),
    cmd(SNS_PREV_FRIEND_ADD, "Before friend added", Before, 43468).fired(),
    cmd(
        SNS_PREV_FRIEND_RESPONSE,
        "Before friend request responded",
        Before,
        43467,
    )
    .fired(),
    cmd(SNS_FRIEND_ADD, "After friend added", After, 34359).fired(),
    cmd(SNS_FRIEND_DELETE, "After friend deleted", After, 34360).fired(),
    cmd(SNS_BLACK_LIST_ADD, "After added to blocklist", After, 34361).fired(),
    cmd(
        SNS_BLACK_LIST_DELETE,
        "After removed from blocklist",
        After,
        34362,
    )
    .fired(),
    cmd(
        C2C_BEFORE_SEND_MSG,
        "Before one-to-one message sent",
        Before,
        34364,
    )
    .fired(),
    cmd(
        C2C_AFTER_SEND_MSG,
        "After one-to-one message sent",
        After,
        34365,
    )
    .fired(),
    cmd(
        C2C_AFTER_MSG_REPORT,
        "After one-to-one message marked read",
        After,
        43465,
    )
    .fired(),
    cmd(
        C2C_AFTER_MSG_WITHDRAW,
        "After one-to-one message recalled",
        After,
        43466,
    )
    .fired(),
    cmd(
        GROUP_BEFORE_CREATE_GROUP,
        "Before group created",
        Before,
        34368,
    )
    .fired(),
    cmd(
        GROUP_AFTER_CREATE_GROUP,
        "After group created",
        After,
        34369,
    )
    .fired(),
    cmd(
        GROUP_BEFORE_APPLY_JOIN_GROUP,
        "Before applying to join a group",
        Before,
        34370,
    )
    .fired(),
    cmd(
        GROUP_BEFORE_INVITE_JOIN_GROUP,
        "Before inviting a user to a group",
        Before,
        34371,
    )
    .fired(),
    cmd(
        GROUP_AFTER_NEW_MEMBER_JOIN,
        "After a user joins a group",
        After,
        34372,
    )
    .fired(),
    cmd(
        GROUP_AFTER_MEMBER_EXIT,
        "After a user leaves a group",
        After,
        34373,
    )
    .fired(),
    cmd(
        GROUP_BEFORE_SEND_MSG,
        "Before group message sent",
        Before,
        34374,
    )
    .fired(),
    cmd(
        GROUP_AFTER_SEND_MSG,
        "After group message sent",
        After,
        34375,
    )
    .fired(),
    cmd(GROUP_AFTER_GROUP_FULL, "After group full", After, 34376).fired(),
    cmd(
        GROUP_AFTER_GROUP_DESTROYED,
        "After group disbanded",
        After,
        34377,
    )
    .fired(),
    cmd(
        GROUP_AFTER_GROUP_INFO_CHANGED,
        "After group profile modified",
        After,
        34378,
    )
    .fired(),
    cmd(
        GROUP_AFTER_RECALL_MSG,
        "After group messages recalled",
        After,
        46979,
    )
    .fired(),
    cmd(
        GROUP_ON_MEMBER_STATE_CHANGE,
        "AVChatRoom member online/offline",
        After,
        48734,
    )
    .fired(),
    cmd(
        GROUP_SEND_MSG_EXCEPTION,
        "Exception when group message sent",
        After,
        49462,
    )
    .fired(),
    cmd(
        GROUP_BEFORE_CREATE_TOPIC,
        "Before topic created",
        Before,
        49463,
    )
    .fired(),
    cmd(
        GROUP_AFTER_CREATE_TOPIC,
        "After topic created",
        After,
        49464,
    )
    .fired(),
    cmd(
        GROUP_AFTER_TOPIC_DESTROYED,
        "After topic deleted",
        After,
        49465,
    )
    .fired(),
    cmd(
        GROUP_AFTER_TOPIC_INFO_CHANGED,
        "After topic profile changed",
        After,
        49466,
    )
    .fired(),
    cmd(
        GROUP_AFTER_MEMBER_FIELD_CHANGED,
        "After group member profile changed",
        After,
        60393,
    )
    .fired(),
    cmd(
        GROUP_AFTER_GROUP_ATTR_CHANGED,
        "After group custom attribute changed",
        After,
        60394,
    )
    .fired(),
    cmd(
        GROUP_AFTER_READ_RECEIPT,
        "After group read receipt",
        After,
        60395,
    )
    .fired(),
    cmd(
        GROUP_AFTER_CHANGE_GROUP_OWNER,
        "After group owner changed",
        After,
        60396,
    )
    .fired(),
    cmd(
        CHATBOT_ON_C2C_SIGNAL_MESSAGE,
        "Chatbot passthrough message",
        Before,
        59057,
    )
    .fired(),
];

pub fn find(command: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.command == command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(seen.insert(c.command), "{} twice", c.command);
            let (area, name) = c.command.split_once('.').expect("Area.Name");
            assert!(!area.is_empty() && !name.is_empty());
        }
        assert_eq!(COMMANDS.len(), 36);
    }
}
