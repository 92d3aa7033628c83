//! Group types and the rules that differ between them ("Group System", 1047/33529).

/// A group type, named as the REST API names it (the console's newer names are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupType {
    /// Work group (`Private`): members invite members; no applications.
    Private,
    /// Public group: join by application, approved by the owner or an admin.
    Public,
    /// Meeting group (`ChatRoom`): anyone may join.
    ChatRoom,
    /// Live-streaming group (`AVChatRoom`): no members list to manage, no history.
    AvChatRoom,
    /// Community: large groups, optionally with topics.
    Community,
}

impl GroupType {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "Private" | "Work" => Self::Private,
            "Public" => Self::Public,
            "ChatRoom" | "Meeting" => Self::ChatRoom,
            "AVChatRoom" => Self::AvChatRoom,
            "Community" => Self::Community,
            _ => return None,
        })
    }

    /// The name replies and callbacks use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Private => "Private",
            Self::Public => "Public",
            Self::ChatRoom => "ChatRoom",
            Self::AvChatRoom => "AVChatRoom",
            Self::Community => "Community",
        }
    }

    /// Tencent's default member cap when `MaxMemberCount` is not given.
    pub fn default_max_members(self) -> u32 {
        match self {
            Self::Private => 200,
            Self::Public => 2000,
            Self::ChatRoom => 6000,
            Self::AvChatRoom => u32::MAX,
            Self::Community => 100_000,
        }
    }

    /// The largest `MaxMemberCount` a group of this type may ask for.
    pub fn max_members_limit(self) -> u32 {
        match self {
            Self::Private | Self::Public | Self::ChatRoom => 6000,
            Self::AvChatRoom => u32::MAX,
            Self::Community => 100_000,
        }
    }

    /// `ApplyJoinOption` when the creator gives none.
    pub fn default_apply_join(self) -> &'static str {
        match self {
            Self::Private => "DisableApply",
            Self::Public => "NeedPermission",
            Self::ChatRoom | Self::AvChatRoom | Self::Community => "FreeAccess",
        }
    }

    /// Whether `ApplyJoinOption` is fixed to the default: anyone may join a community without
    /// approval, and Tencent's pages say the option cannot be changed.
    pub fn apply_join_is_fixed(self) -> bool {
        self == Self::Community
    }

    /// Whether messages are kept (roaming history): every type but AVChatRoom.
    pub fn keeps_history(self) -> bool {
        self != Self::AvChatRoom
    }

    /// Whether members have unread counts: not in meeting and live groups.
    pub fn counts_unread(self) -> bool {
        !matches!(self, Self::ChatRoom | Self::AvChatRoom)
    }

    /// Whether the REST API may add members directly (live groups are joined from clients).
    pub fn takes_added_members(self) -> bool {
        self != Self::AvChatRoom
    }

    /// Whether the type has admins besides the owner.
    pub fn has_admins(self) -> bool {
        !matches!(self, Self::Private | Self::AvChatRoom)
    }

    /// The letter after `@TGS#` in generated group IDs.
    pub fn id_marker(self) -> &'static str {
        match self {
            Self::Private => "1",
            Self::Public => "2",
            Self::ChatRoom => "3",
            Self::AvChatRoom => "a",
            Self::Community => "_",
        }
    }
}

pub const OWNER: &str = "Owner";
pub const ADMIN: &str = "Admin";
pub const MEMBER: &str = "Member";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_names_parse_to_the_rest_name() {
        assert_eq!(
            GroupType::parse("Work").map(GroupType::name),
            Some("Private")
        );
        assert_eq!(
            GroupType::parse("Meeting").map(GroupType::name),
            Some("ChatRoom")
        );
        assert_eq!(
            GroupType::parse("AVChatRoom").map(GroupType::name),
            Some("AVChatRoom")
        );
        assert_eq!(GroupType::parse("BChatRoom"), None);
    }
}
