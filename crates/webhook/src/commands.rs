//! Every `CallbackCommand` Natter knows, in one table. The dispatcher, the payload types and
//! `docs/compatibility.md` all read their command strings from here, so they cannot drift apart.

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

use Kind::{After, Before};

pub const COMMANDS: &[CommandInfo] = &[
    cmd(
        "Alert.RequestOverLimit",
        "API overclocking alarm",
        After,
        60256,
    ),
    cmd("State.StateChange", "Online status change", After, 34357),
    cmd(
        "Profile.CallbackPortraitSet",
        "After profile updated",
        After,
        48733,
    ),
    cmd(
        "Sns.CallbackPrevFriendAdd",
        "Before friend added",
        Before,
        43468,
    ),
    cmd(
        "Sns.CallbackPrevFriendResponse",
        "Before friend request responded",
        Before,
        43467,
    ),
    cmd("Sns.CallbackFriendAdd", "After friend added", After, 34359),
    cmd(
        "Sns.CallbackFriendDelete",
        "After friend deleted",
        After,
        34360,
    ),
    cmd(
        "Sns.CallbackBlackListAdd",
        "After added to blocklist",
        After,
        34361,
    ),
    cmd(
        "Sns.CallbackBlackListDelete",
        "After removed from blocklist",
        After,
        34362,
    ),
    cmd(
        "C2C.CallbackBeforeSendMsg",
        "Before one-to-one message sent",
        Before,
        34364,
    ),
    cmd(
        "C2C.CallbackAfterSendMsg",
        "After one-to-one message sent",
        After,
        34365,
    ),
    cmd(
        "C2C.CallbackAfterMsgReport",
        "After one-to-one message marked read",
        After,
        43465,
    ),
    cmd(
        "C2C.CallbackAfterMsgWithDraw",
        "After one-to-one message recalled",
        After,
        43466,
    ),
    cmd(
        "Group.CallbackBeforeCreateGroup",
        "Before group created",
        Before,
        34368,
    ),
    cmd(
        "Group.CallbackAfterCreateGroup",
        "After group created",
        After,
        34369,
    ),
    cmd(
        "Group.CallbackBeforeApplyJoinGroup",
        "Before applying to join a group",
        Before,
        34370,
    ),
    cmd(
        "Group.CallbackBeforeInviteJoinGroup",
        "Before inviting a user to a group",
        Before,
        34371,
    ),
    cmd(
        "Group.CallbackAfterNewMemberJoin",
        "After a user joins a group",
        After,
        34372,
    ),
    cmd(
        "Group.CallbackAfterMemberExit",
        "After a user leaves a group",
        After,
        34373,
    ),
    cmd(
        "Group.CallbackBeforeSendMsg",
        "Before group message sent",
        Before,
        34374,
    ),
    cmd(
        "Group.CallbackAfterSendMsg",
        "After group message sent",
        After,
        34375,
    ),
    cmd(
        "Group.CallbackAfterGroupFull",
        "After group full",
        After,
        34376,
    ),
    cmd(
        "Group.CallbackAfterGroupDestroyed",
        "After group disbanded",
        After,
        34377,
    ),
    cmd(
        "Group.CallbackAfterGroupInfoChanged",
        "After group profile modified",
        After,
        34378,
    ),
    cmd(
        "Group.CallbackAfterRecallMsg",
        "After group messages recalled",
        After,
        0,
    ),
    cmd(
        "Group.CallbackOnMemberStateChange",
        "AVChatRoom member online/offline",
        After,
        48734,
    ),
    cmd(
        "Group.CallbackSendMsgException",
        "Exception when group message sent",
        After,
        49462,
    ),
    cmd(
        "Group.CallbackBeforeCreateTopic",
        "Before topic created",
        Before,
        49463,
    ),
    cmd(
        "Group.CallbackAfterCreateTopic",
        "After topic created",
        After,
        49464,
    ),
    cmd(
        "Group.CallbackAfterTopicDestroyed",
        "After topic deleted",
        After,
        49465,
    ),
    cmd(
        "Group.CallbackAfterTopicInfoChanged",
        "After topic profile changed",
        After,
        49466,
    ),
    cmd(
        "Group.CallbackAfterMemberFieldChanged",
        "After group member profile changed",
        After,
        60393,
    ),
    cmd(
        "Group.CallbackAfterGroupAttrChanged",
        "After group custom attribute changed",
        After,
        60394,
    ),
    cmd(
        "Group.CallbackAfterReadReceipt",
        "After group read receipt",
        After,
        60395,
    ),
    cmd(
        "Group.CallbackAfterChangeGroupOwner",
        "After group owner changed",
        After,
        60396,
    ),
    cmd(
        "Chatbot.OnC2CSignalMessage",
        "Chatbot passthrough message",
        Before,
        59057,
    ),
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
