//! What a group member may do from a client, by group type and role: the one place these rules
//! live (docs/architecture.md, "Client permissions", has them as a table). The REST API acts as
//! the app admin and is never checked here; a client's command is checked before the service
//! runs it with the user as the actor.
//!
//! Sources: Tencent's "Group System" page (1047/33529: roles and what each may do per type) and
//! "Group Management" (1047/33530: who disbands and transfers). Where a refusal has no code on
//! those pages it is 10007, "no permission"; 10004 where the REST API answers it already (the
//! owner cannot be removed, kicking in an AVChatRoom).

use natter_core::group::{ADMIN, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupMember, GroupQuery, GroupRecord};

use super::{not_found, type_of, GroupService, MemberChange};

/// A member's role, as the rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    /// From the stored role (`Owner`, `Admin`, `Member`).
    pub fn of(role: &str) -> Self {
        match role {
            OWNER => Self::Owner,
            ADMIN => Self::Admin,
            _ => Self::Member,
        }
    }

    fn manages(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

fn no_permission(what: &str) -> ApiError {
    ApiError::new(codes::GROUP_NO_PERMISSION, what.to_owned())
}

/// Whether `actor` may act on `target`: the owner on anyone but the owner, an admin on
/// ordinary members only.
fn outranks(actor: Role, target: Role) -> bool {
    match actor {
        Role::Owner => target != Role::Owner,
        Role::Admin => target == Role::Member,
        Role::Member => false,
    }
}

/// Reading a group's profile (`getGroupProfile`, `searchGroupByID`): members always; others
/// not in a Work group, which cannot be searched.
pub fn read_profile(group_type: GroupType, member: bool) -> ApiResult<()> {
    if member || group_type != GroupType::Private {
        Ok(())
    } else {
        Err(no_permission("a Work group's profile is for its members"))
    }
}

/// Changing the name, introduction, notification, face or options: any member of a Work
/// group; the owner and admins elsewhere; only the owner of an AVChatRoom.
pub fn modify_profile(group_type: GroupType, actor: Role) -> ApiResult<()> {
    let allowed = match group_type {
        GroupType::Private => true,
        GroupType::AvChatRoom => actor == Role::Owner,
        GroupType::Public | GroupType::ChatRoom | GroupType::Community => actor.manages(),
    };
    if allowed {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner or an admin may change this group's profile",
        ))
    }
}

/// Muting every member (`muteAllMembers`): the owner and admins, not in a Work group (which
/// has no muting).
pub fn mute_all(group_type: GroupType, actor: Role) -> ApiResult<()> {
    if group_type != GroupType::Private && actor.manages() {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner or an admin may mute all members, and not in a Work group",
        ))
    }
}

/// Disbanding: nobody from a client in a Work group; the owner in every other type.
pub fn destroy(group_type: GroupType, actor: Role) -> ApiResult<()> {
    if group_type == GroupType::Private {
        return Err(no_permission(
            "a Work group cannot be disbanded from a client",
        ));
    }
    if actor == Role::Owner {
        Ok(())
    } else {
        Err(no_permission("only the owner may disband the group"))
    }
}

/// Inviting (adding members): any member of a Work group or a community; nobody in the other
/// types, which are joined by applying.
pub fn invite(group_type: GroupType, _actor: Role) -> ApiResult<()> {
    match group_type {
        GroupType::Private | GroupType::Community => Ok(()),
        _ => Err(no_permission(
            "members are not invited into this type of group; they apply to join",
        )),
    }
}

/// Removing a member: the owner of a Work group; the owner and admins (an admin only ordinary
/// members) of a Public group or community; nobody in a Meeting group (mute instead); an
/// AVChatRoom's members are banned, not removed (10004, as the REST API answers). Nobody
/// removes the owner (10004).
pub fn kick(group_type: GroupType, actor: Role, target: Role) -> ApiResult<()> {
    if group_type == GroupType::AvChatRoom {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            "members of an AVChatRoom are banned, not removed",
        ));
    }
    if target == Role::Owner {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            "the owner cannot be removed; change the owner first",
        ));
    }
    let allowed = match group_type {
        GroupType::Private => actor == Role::Owner,
        GroupType::Public | GroupType::Community => outranks(actor, target),
        GroupType::ChatRoom | GroupType::AvChatRoom => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(no_permission(match group_type {
            GroupType::ChatRoom => "members of a Meeting group are not removed; mute them",
            GroupType::Private => "only the owner may remove members of a Work group",
            _ => "only the owner, or an admin for ordinary members, may remove members",
        }))
    }
}

/// Transferring the group: the owner only.
pub fn change_owner(_group_type: GroupType, actor: Role) -> ApiResult<()> {
    if actor == Role::Owner {
        Ok(())
    } else {
        Err(no_permission("only the owner may transfer the group"))
    }
}

/// Appointing or dismissing an admin: the owner only.
pub fn set_role(_group_type: GroupType, actor: Role) -> ApiResult<()> {
    if actor == Role::Owner {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner may appoint or dismiss admins",
        ))
    }
}

/// Muting a member: not in a Work group; the owner (anyone but the owner) and admins
/// (ordinary members) elsewhere, but only the owner in a Meeting group.
pub fn mute(group_type: GroupType, actor: Role, target: Role) -> ApiResult<()> {
    let allowed = match group_type {
        GroupType::Private => false,
        GroupType::ChatRoom => actor == Role::Owner && target != Role::Owner,
        _ => outranks(actor, target),
    };
    if allowed {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner, or an admin for ordinary members, may mute (never in a Work group)",
        ))
    }
}

/// A member's name card and custom fields: their own always; another's by the owner (anyone)
/// or an admin (ordinary members). Message options (`MsgFlag`) only one's own.
pub fn modify_member(actor: Role, target: Role, own: bool, msg_flag: bool) -> ApiResult<()> {
    if own {
        return Ok(());
    }
    if msg_flag {
        return Err(no_permission(
            "a member's message options are set only by that member",
        ));
    }
    if outranks(actor, target) {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner, or an admin for ordinary members, may change another member's card",
        ))
    }
}

/// Handling join requests: the owner and admins.
pub fn handle_application(_group_type: GroupType, actor: Role) -> ApiResult<()> {
    if actor.manages() {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner or an admin may handle join requests",
        ))
    }
}

/// Recalling a message: one's own always; another member's by the owner or an admin, in every
/// type ("Recall a Message", trtc.io/document/48016: "administrators or group owners can also
/// recall messages sent by other group members").
pub fn recall(actor: Role, own: bool) -> ApiResult<()> {
    if own || actor.manages() {
        Ok(())
    } else {
        Err(no_permission(
            "a member recalls only their own messages; the owner and admins recall anyone's",
        ))
    }
}

/// Writing custom group attributes and group counters: any member of any type (Tencent leaves
/// who may to the app; in an AVChatRoom the user must have joined). Counters have no
/// Community (the service answers that).
pub fn write_group_data(_group_type: GroupType, _actor: Role) -> ApiResult<()> {
    Ok(())
}

/// Creating, changing and deleting a community's topics: its owner and admins (as
/// `modify_topic_as_member`); refused in any other type, which has no topics.
pub fn manage_topics(group_type: GroupType, actor: Role) -> ApiResult<()> {
    if group_type != GroupType::Community {
        return Err(ApiError::new(
            codes::TOPIC_NOT_SUPPORTED,
            "only a Community with topics enabled has topics",
        ));
    }
    if actor.manages() {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner or an admin may create, change or delete topics",
        ))
    }
}

/// Banning members of an AVChatRoom (removing them for a time): the owner (anyone but the
/// owner) and admins (ordinary members); the other types remove members instead (10004, as
/// the REST API answers for a group that is no AVChatRoom).
pub fn ban(group_type: GroupType, actor: Role, target: Role) -> ApiResult<()> {
    if group_type != GroupType::AvChatRoom {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            "only members of an AVChatRoom are banned; remove them from other groups",
        ));
    }
    if outranks(actor, target) {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner, or an admin for ordinary members, may ban members",
        ))
    }
}

/// Editing a message (`modifyMessage`): one's own only.
pub fn modify_message(own: bool) -> ApiResult<()> {
    if own {
        Ok(())
    } else {
        Err(no_permission("a member edits only their own messages"))
    }
}

/// Marking members of an AVChatRoom (`markGroupMemberList`): the owner and admins.
pub fn mark_members(_group_type: GroupType, actor: Role) -> ApiResult<()> {
    if actor.manages() {
        Ok(())
    } else {
        Err(no_permission("only the owner or an admin may mark members"))
    }
}

/// Most messages pinned in one group at a time ("Pin Messages", trtc.io/document/60171: "a group
/// chat supports up to 10 pinned messages").
pub const MAX_PINNED_MESSAGES: usize = 10;

/// Pinning or unpinning a group message (`pin_message`, `unpin_message`): the owner and admins,
/// in the ordinary group types only ("Pin Messages", trtc.io/document/60171: "only supported
/// for ordinary groups", so not in communities or AVChatRooms). The page does not say which
/// roles may pin; Natter lets those who manage the group, as for recalling others' messages.
pub fn pin(group_type: GroupType, actor: Role) -> ApiResult<()> {
    if matches!(group_type, GroupType::Community | GroupType::AvChatRoom) {
        return Err(no_permission(&format!(
            "{} groups have no pinned messages",
            group_type.name()
        )));
    }
    if actor.manages() {
        Ok(())
    } else {
        Err(no_permission(
            "only the owner or an admin may pin or unpin messages",
        ))
    }
}

/// What a client asks to do in a group, for [`GroupService::authorize`].
#[derive(Debug, Clone)]
pub enum ClientAction<'a> {
    /// Read the member list or the history: members only.
    Read,
    ModifyProfile {
        mute_all: bool,
    },
    Destroy,
    Invite,
    Kick(&'a [String]),
    ChangeOwner,
    ModifyMember {
        target: &'a str,
        change: &'a MemberChange,
    },
    HandleApplication,
    /// Recall these messages (of `topic`, or of the group itself).
    Recall {
        seqs: &'a [u64],
        topic: Option<&'a str>,
    },
    /// Edit this message (of `topic`, or of the group itself).
    ModifyMessage {
        seq: u64,
        topic: Option<&'a str>,
    },
    /// Write custom attributes or counters.
    WriteGroupData,
    /// Create, change or delete topics.
    ManageTopics,
    /// Ban these members of an AVChatRoom.
    Ban(&'a [String]),
    /// Set or delete the marks of members of an AVChatRoom.
    MarkMembers,
    /// Pin or unpin a message.
    Pin,
}

impl GroupService {
    /// Checks that `actor`, a client's user, may do `action` in the group: 10010 when it does
    /// not exist, 10007 when the user is not a member, then the rule above. Returns the group
    /// and the user's membership.
    ///
    /// The check reads the group outside the edit that follows, so a role changed in between
    /// is seen by the next command; the service's own checks (in the edit) still hold.
    pub async fn authorize(
        &self,
        app: &AppSettings,
        group_id: &str,
        actor: &str,
        action: ClientAction<'_>,
    ) -> ApiResult<(GroupRecord, GroupMember)> {
        let mut accounts = vec![actor.to_owned()];
        match &action {
            ClientAction::Kick(targets) | ClientAction::Ban(targets) => {
                accounts.extend(targets.iter().cloned())
            }
            ClientAction::ModifyMember { target, .. } => accounts.push((*target).to_owned()),
            _ => {}
        }
        let mut query = GroupQuery::accounts(accounts);
        match &action {
            ClientAction::Recall { seqs, topic } => {
                query.messages = seqs.to_vec();
                query.topic = topic.map(str::to_owned);
            }
            ClientAction::ModifyMessage { seq, topic } => {
                query.messages = vec![*seq];
                query.topic = topic.map(str::to_owned);
            }
            _ => {}
        }
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap.group.ok_or_else(|| not_found(group_id))?;
        let me = snap
            .members
            .get(actor)
            .cloned()
            .ok_or_else(|| no_permission(&format!("{actor} is not a member of {group_id}")))?;
        let group_type = type_of(&group);
        let role = Role::of(&me.role);
        let role_of = |account: &str| snap.members.get(account).map(|m| Role::of(&m.role));
        match action {
            ClientAction::Read => {}
            ClientAction::ModifyProfile { mute_all: all } => {
                modify_profile(group_type, role)?;
                if all {
                    mute_all(group_type, role)?;
                }
            }
            ClientAction::Destroy => destroy(group_type, role)?,
            ClientAction::Invite => invite(group_type, role)?,
            ClientAction::Kick(targets) => {
                if group_type == GroupType::AvChatRoom || targets.is_empty() {
                    kick(group_type, role, Role::Member)?;
                }
                // An account that is not a member ranks as an ordinary one: whoever may not
                // remove members is refused whomever they name.
                for target in targets {
                    kick(group_type, role, role_of(target).unwrap_or(Role::Member))?;
                }
            }
            ClientAction::ChangeOwner => change_owner(group_type, role)?,
            ClientAction::ModifyMember { target, change } => {
                let own = target == actor;
                let target_role = role_of(target).unwrap_or(Role::Member);
                if change.role.is_some() {
                    set_role(group_type, role)?;
                }
                if change.mute_time.is_some() {
                    mute(group_type, role, target_role)?;
                }
                if change.name_card.is_some()
                    || change.msg_flag.is_some()
                    || !change.app_defined.is_empty()
                {
                    modify_member(role, target_role, own, change.msg_flag.is_some())?;
                }
            }
            ClientAction::HandleApplication => handle_application(group_type, role)?,
            // A message that does not exist is the service's to answer (10030), per message.
            ClientAction::Recall { .. } => {
                let now = self.clock.now_secs();
                for message in snap.messages.values() {
                    recall(role, message.from == actor)?;
                    if crate::messages::recall_too_late(app, now, message.time) {
                        return Err(ApiError::new(
                            codes::GROUP_RECALL_TOO_LATE,
                            format!(
                                "message {} was sent more than {} s ago: past the app's recall time limit",
                                message.seq, app.recall_window_secs
                            ),
                        ));
                    }
                }
            }
            ClientAction::ModifyMessage { .. } => {
                for message in snap.messages.values() {
                    modify_message(message.from == actor)?;
                }
            }
            ClientAction::WriteGroupData => write_group_data(group_type, role)?,
            ClientAction::ManageTopics => manage_topics(group_type, role)?,
            ClientAction::Ban(targets) => {
                if targets.is_empty() {
                    ban(group_type, role, Role::Member)?;
                }
                for target in targets {
                    ban(group_type, role, role_of(target).unwrap_or(Role::Member))?;
                }
            }
            ClientAction::MarkMembers => mark_members(group_type, role)?,
            ClientAction::Pin => pin(group_type, role)?,
        }
        Ok((group, me))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GroupType::*;
    use Role::*;

    fn code(result: ApiResult<()>) -> u32 {
        result.err().map_or(0, |e| e.code)
    }

    const NO: u32 = codes::GROUP_NO_PERMISSION;
    const BAD: u32 = codes::GROUP_INVALID_PARAM;

    #[test]
    fn a_work_group_profile_is_read_by_members_only() {
        assert_eq!(code(read_profile(Private, false)), NO);
        assert_eq!(code(read_profile(Private, true)), 0);
        for t in [Public, ChatRoom, Community, AvChatRoom] {
            assert_eq!(code(read_profile(t, false)), 0);
        }
    }

    #[test]
    fn any_work_group_member_edits_the_profile_elsewhere_owner_and_admins() {
        assert_eq!(code(modify_profile(Private, Member)), 0);
        for t in [Public, ChatRoom, Community] {
            assert_eq!(code(modify_profile(t, Member)), NO);
            assert_eq!(code(modify_profile(t, Admin)), 0);
            assert_eq!(code(modify_profile(t, Owner)), 0);
        }
        assert_eq!(code(modify_profile(AvChatRoom, Admin)), NO);
        assert_eq!(code(modify_profile(AvChatRoom, Owner)), 0);
    }

    #[test]
    fn muting_everyone_is_for_owner_and_admins_outside_work_groups() {
        assert_eq!(code(mute_all(Private, Owner)), NO);
        assert_eq!(code(mute_all(Public, Member)), NO);
        assert_eq!(code(mute_all(Public, Admin)), 0);
    }

    #[test]
    fn only_the_owner_disbands_and_never_a_work_group() {
        assert_eq!(code(destroy(Private, Owner)), NO);
        for t in [Public, ChatRoom, Community, AvChatRoom] {
            assert_eq!(code(destroy(t, Owner)), 0);
            assert_eq!(code(destroy(t, Admin)), NO);
            assert_eq!(code(destroy(t, Member)), NO);
        }
    }

    #[test]
    fn members_invite_into_work_groups_and_communities_only() {
        assert_eq!(code(invite(Private, Member)), 0);
        assert_eq!(code(invite(Community, Member)), 0);
        for t in [Public, ChatRoom, AvChatRoom] {
            assert_eq!(code(invite(t, Owner)), NO);
        }
    }

    #[test]
    fn kicking_follows_type_and_rank() {
        assert_eq!(code(kick(Private, Owner, Member)), 0);
        assert_eq!(code(kick(Private, Member, Member)), NO);
        for t in [Public, Community] {
            assert_eq!(code(kick(t, Owner, Admin)), 0);
            assert_eq!(code(kick(t, Admin, Member)), 0);
            assert_eq!(code(kick(t, Admin, Admin)), NO);
            assert_eq!(code(kick(t, Member, Member)), NO);
        }
        assert_eq!(code(kick(ChatRoom, Owner, Member)), NO);
        assert_eq!(code(kick(AvChatRoom, Owner, Member)), BAD);
        assert_eq!(code(kick(Public, Admin, Owner)), BAD);
    }

    #[test]
    fn only_the_owner_transfers_and_appoints_admins() {
        assert_eq!(code(change_owner(Public, Owner)), 0);
        assert_eq!(code(change_owner(Public, Admin)), NO);
        assert_eq!(code(set_role(Public, Owner)), 0);
        assert_eq!(code(set_role(Public, Admin)), NO);
    }

    #[test]
    fn muting_follows_type_and_rank() {
        assert_eq!(code(mute(Private, Owner, Member)), NO);
        assert_eq!(code(mute(Public, Admin, Member)), 0);
        assert_eq!(code(mute(Public, Admin, Admin)), NO);
        assert_eq!(code(mute(Public, Owner, Admin)), 0);
        assert_eq!(code(mute(Public, Member, Member)), NO);
        assert_eq!(code(mute(ChatRoom, Admin, Member)), NO);
        assert_eq!(code(mute(ChatRoom, Owner, Member)), 0);
    }

    #[test]
    fn a_member_changes_their_own_card_and_managers_others() {
        assert_eq!(code(modify_member(Member, Member, true, true)), 0);
        assert_eq!(code(modify_member(Member, Member, false, false)), NO);
        assert_eq!(code(modify_member(Admin, Member, false, false)), 0);
        assert_eq!(code(modify_member(Admin, Admin, false, false)), NO);
        assert_eq!(code(modify_member(Owner, Admin, false, true)), NO);
    }

    #[test]
    fn members_recall_their_own_messages_and_managers_anyones() {
        for actor in [Owner, Admin, Member] {
            assert_eq!(code(recall(actor, true)), 0);
        }
        assert_eq!(code(recall(Owner, false)), 0);
        assert_eq!(code(recall(Admin, false)), 0);
        assert_eq!(code(recall(Member, false)), NO);
    }

    #[test]
    fn only_the_sender_edits_a_message() {
        assert_eq!(code(modify_message(true)), 0);
        assert_eq!(code(modify_message(false)), NO);
    }

    #[test]
    fn every_member_writes_attributes_and_counters() {
        for t in [Private, Public, ChatRoom, Community, AvChatRoom] {
            for r in [Owner, Admin, Member] {
                assert_eq!(code(write_group_data(t, r)), 0);
            }
        }
    }

    #[test]
    fn community_owners_and_admins_manage_topics() {
        assert_eq!(code(manage_topics(Community, Owner)), 0);
        assert_eq!(code(manage_topics(Community, Admin)), 0);
        assert_eq!(code(manage_topics(Community, Member)), NO);
        for t in [Private, Public, ChatRoom, AvChatRoom] {
            assert_eq!(code(manage_topics(t, Owner)), codes::TOPIC_NOT_SUPPORTED);
        }
    }

    #[test]
    fn avchatroom_members_are_banned_by_rank() {
        assert_eq!(code(ban(AvChatRoom, Owner, Admin)), 0);
        assert_eq!(code(ban(AvChatRoom, Admin, Member)), 0);
        assert_eq!(code(ban(AvChatRoom, Admin, Admin)), NO);
        assert_eq!(code(ban(AvChatRoom, Member, Member)), NO);
        assert_eq!(code(ban(AvChatRoom, Admin, Owner)), NO);
        assert_eq!(code(ban(Public, Owner, Member)), BAD);
    }

    #[test]
    fn owner_and_admins_mark_members() {
        assert_eq!(code(mark_members(AvChatRoom, Owner)), 0);
        assert_eq!(code(mark_members(AvChatRoom, Admin)), 0);
        assert_eq!(code(mark_members(AvChatRoom, Member)), NO);
    }

    #[test]
    fn join_requests_are_handled_by_owner_and_admins() {
        assert_eq!(code(handle_application(Public, Admin)), 0);
        assert_eq!(code(handle_application(Public, Member)), NO);
    }

    #[test]
    fn owner_and_admins_pin_in_ordinary_groups_only() {
        for t in [Private, Public, ChatRoom] {
            assert_eq!(code(pin(t, Member)), NO);
            assert_eq!(code(pin(t, Admin)), 0);
            assert_eq!(code(pin(t, Owner)), 0);
        }
        for t in [Community, AvChatRoom] {
            assert_eq!(code(pin(t, Owner)), NO);
        }
    }
}
