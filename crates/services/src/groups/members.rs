//! Group members: adding, removing, listing, and their roles.

use natter_core::group::{ADMIN, MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{
    GroupChange, GroupMember, GroupPlan, GroupQuery, GroupRecord, GroupSnapshot, JoinApplication,
    MemberCursor,
};
use natter_webhook::payloads::group::{
    AfterChangeGroupOwner, AfterGroupFull, AfterMemberExit, AfterMemberFieldChanged,
    AfterNewMemberJoin, BeforeApplyJoinGroup, BeforeInviteJoinGroup,
};
use natter_webhook::payloads::responses::InviteJoinGroupResponse;
use natter_webhook::payloads::MemberAccount;
use natter_webhook::{BeforeOutcome, Origin};

use super::tips::{GroupTip, TipKind};
use super::{check_custom_data, invalid, refusal, refused_by_callback, type_of, GroupService};
use crate::internal;

/// Where a page of `get_group_member_info` starts: `Offset` for most groups, the `Next`
/// cursor of the previous page for communities ("" for the first).
#[derive(Debug, Clone, Default)]
pub struct MemberPage {
    pub offset: u64,
    pub next: String,
}

/// A page of `get_group_member_info`.
#[derive(Debug, Clone)]
pub struct MemberList {
    pub member_num: u64,
    pub members: Vec<GroupMember>,
    /// Communities only: where the next page starts; empty when this was the last.
    pub next: Option<String>,
}

/// The `Next` cursor after `last`: its join time and account. Opaque to callers, who only hand
/// it back.
pub(super) fn next_cursor(last: &GroupMember) -> String {
    format!("{}:{}", last.join_time, last.member)
}

/// Reads a cursor made by [`next_cursor`]; empty: from the start.
pub(super) fn parse_next(next: &str) -> ApiResult<MemberCursor> {
    if next.is_empty() {
        return Ok(MemberCursor::Offset(0));
    }
    next.split_once(':')
        .and_then(|(time, member)| {
            Some(MemberCursor::After {
                join_time: time.parse().ok()?,
                member: member.to_owned(),
            })
        })
        .ok_or_else(|| invalid(format!("Next {next:?} is not a cursor this API returned")))
}

/// Most accounts one `add_group_member` may name.
pub const MAX_ADD: usize = 300;
/// Most accounts one `delete_group_member` may name.
pub const MAX_DELETE: usize = 100;
/// Most accounts one `get_role_in_group` may name.
pub const MAX_ROLE_QUERY: usize = 500;

/// `Result` of one account in `add_group_member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAdd {
    Failed = 0,
    Added = 1,
    AlreadyMember = 2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedMember {
    pub member: String,
    pub result: MemberAdd,
}

/// What a client's join did: the request now waiting for approval, or the join time.
enum Entry {
    Pending(JoinApplication),
    Joined(i64, Box<GroupTip>),
}

fn check_batch(accounts: &[String], max: usize) -> ApiResult<()> {
    if accounts.is_empty() {
        return Err(invalid("no accounts given"));
    }
    if accounts.len() > max {
        return Err(ApiError::new(
            codes::GROUP_TOO_MANY_ACCOUNTS,
            format!(
                "{} accounts given; at most {max} are allowed",
                accounts.len()
            ),
        ));
    }
    Ok(())
}

impl GroupService {
    /// `add_group_member`: `Group.CallbackBeforeInviteJoinGroup` may refuse some accounts; the
    /// rest join (10014 when they would not all fit) and `Group.CallbackAfterNewMemberJoin`
    /// reports them. Per account: added, already a member, or failed (unknown or refused).
    pub async fn add_members(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        accounts: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<Vec<AddedMember>> {
        check_batch(&accounts, MAX_ADD)?;
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        if !group_type.takes_added_members() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "members of an AVChatRoom join from their clients",
            ));
        }
        let now_ms = self.clock.now_ms();
        let invite = BeforeInviteJoinGroup {
            group_id: group_id.to_owned(),
            group_type: group_type.name().to_owned(),
            operator_account: operator.to_owned(),
            destination_members: accounts.iter().map(MemberAccount::new).collect(),
            event_time: now_ms as u64,
        };
        let refused: Vec<String> = match self.webhooks.before(app.sdkappid, &invite, origin).await {
            BeforeOutcome::Allow(Some(reply)) => {
                serde_json::from_value::<InviteJoinGroupResponse>(reply)
                    .map(|r| r.refused_members_account)
                    .unwrap_or_default()
            }
            other => match refused_by_callback(other) {
                Some(refusal) => return Err(refusal),
                None => Vec::new(),
            },
        };
        let now = self.clock.now_secs();
        let this = self.clone();
        let app_settings = app.clone();
        let connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        let outcome = self
            .edit_existing(
                app,
                group_id,
                GroupQuery::accounts(accounts.clone()),
                move |group, snap| {
                    let mut plan = GroupPlan::default();
                    let mut group = group.clone();
                    let mut results = Vec::new();
                    let mut joined = Vec::new();
                    let mut tip = None;
                    for account in &accounts {
                        let result = if snap.members.contains_key(account)
                            || joined.contains(account)
                        {
                            MemberAdd::AlreadyMember
                        } else if !snap.existing.contains(account) || refused.contains(account) {
                            MemberAdd::Failed
                        } else {
                            joined.push(account.clone());
                            MemberAdd::Added
                        };
                        results.push(AddedMember {
                            member: account.clone(),
                            result,
                        });
                    }
                    if group.member_count + joined.len() as u64 > group.max_members {
                        plan.refusal = Some((
                            codes::GROUP_FULL,
                            format!(
                                "the group holds {} of {} members; {} more do not fit",
                                group.member_count,
                                group.max_members,
                                joined.len()
                            ),
                        ));
                        return plan;
                    }
                    for account in &joined {
                        // A join request of theirs is moot now.
                        plan.changes
                            .push(GroupChange::DeleteApplication(account.clone()));
                        plan.changes.push(GroupChange::PutMember(GroupMember {
                            member: account.clone(),
                            role: MEMBER.to_owned(),
                            join_time: now,
                            msg_flag: "AcceptAndNotify".into(),
                            // New members have read everything sent before they came.
                            read_seq: group.next_msg_seq.saturating_sub(1),
                            ..GroupMember::default()
                        }));
                    }
                    if !joined.is_empty() {
                        group.member_count += joined.len() as u64;
                        let full = group.member_count == group.max_members;
                        let report = AfterNewMemberJoin {
                            group_id: id.clone(),
                            group_type: group.group_type.clone(),
                            join_type: "Invited".into(),
                            operator_account: operator.clone(),
                            new_member_list: joined.iter().map(MemberAccount::new).collect(),
                            event_time: now_ms as u64,
                        };
                        tip = Some(GroupTip::new(
                            &group,
                            TipKind::Join,
                            &operator,
                            joined.clone(),
                        ));
                        plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                        plan.outbox
                            .extend(this.after(&app_settings, &report, &id, &origin));
                        if full {
                            let full = AfterGroupFull {
                                group_id: id.clone(),
                                event_time: now_ms as u64,
                            };
                            plan.outbox
                                .extend(this.after(&app_settings, &full, &id, &origin));
                        }
                    }
                    plan.reply = (results, tip);
                    plan
                },
            )
            .await?;
        let (results, tip) = outcome.reply;
        if let Some(tip) = tip {
            self.send_tip(app, tip, connection);
        }
        Ok(results)
    }

    /// `delete_group_member`: removes members (accounts that are not members are ignored; the
    /// owner cannot be removed) and reports `Group.CallbackAfterMemberExit` with `Kicked`.
    pub async fn delete_members(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        accounts: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<()> {
        check_batch(&accounts, MAX_DELETE)?;
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let origin_connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let outcome = self
            .edit_existing(
                app,
                group_id,
                GroupQuery::accounts(accounts.clone()),
                move |group, snap| {
                    let mut plan = GroupPlan::default();
                    if type_of(group) == GroupType::AvChatRoom {
                        plan.refusal = Some((
                            codes::GROUP_INVALID_PARAM,
                            "AVChatRoom members cannot be removed; ban or mute them instead".into(),
                        ));
                        return plan;
                    }
                    if let Some(owner) = accounts
                        .iter()
                        .find(|a| snap.members.get(*a).is_some_and(|m| m.role == OWNER))
                    {
                        plan.refusal = Some((
                            codes::GROUP_INVALID_PARAM,
                            format!(
                            "{owner} owns the group and cannot be removed; change the owner first"
                        ),
                        ));
                        return plan;
                    }
                    let gone: Vec<String> = accounts
                        .iter()
                        .filter(|a| snap.members.contains_key(*a))
                        .cloned()
                        .collect();
                    let exit = Exit {
                        members: gone,
                        exit_type: "Kicked",
                        operator,
                        now_ms,
                    };
                    plan.reply =
                        this.put_out(&app_settings, &origin, group.clone(), exit, &mut plan);
                    plan
                },
            )
            .await?;
        if let Some(tip) = outcome.reply {
            self.send_tip(app, tip, origin_connection);
        }
        Ok(())
    }

    /// `get_group_member_info`: the group's member count and a page of its members in join
    /// order, of the given roles (all when empty). Communities page with `Next`, the other types
    /// with `Offset`.
    pub async fn members(
        &self,
        app: &AppSettings,
        group_id: &str,
        roles: &[String],
        page: MemberPage,
        limit: Option<usize>,
    ) -> ApiResult<MemberList> {
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        if group_type == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "the member list of an AVChatRoom is not available through this API",
            ));
        }
        // Communities page with the `Next` cursor, every other type with `Offset`.
        let community = group_type == GroupType::Community;
        // A community caller that still pages with `Offset` (and no `Next`) gets that offset.
        let from = if community && !page.next.is_empty() {
            parse_next(&page.next)?
        } else {
            MemberCursor::Offset(page.offset)
        };
        let limit = limit.unwrap_or(usize::MAX >> 2);
        // One more than asked: whether a next page exists.
        // Role filters apply before paging (the offset counts the members of those roles).
        let mut members: Vec<GroupMember> = self
            .store
            .group_members(
                app.sdkappid,
                group_id.to_owned(),
                from,
                roles.to_vec(),
                limit + 1,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let more = members.len() > limit;
        members.truncate(limit);
        let next = match members.last() {
            Some(last) if community && more => Some(next_cursor(last)),
            _ if community => Some(String::new()),
            _ => None,
        };
        Ok(MemberList {
            member_num: group.member_count,
            members,
            next,
        })
    }

    /// `get_role_in_group`: each account's role, or `NotMember`.
    pub async fn roles(
        &self,
        app: &AppSettings,
        group_id: &str,
        accounts: Vec<String>,
    ) -> ApiResult<Vec<(String, String)>> {
        check_batch(&accounts, MAX_ROLE_QUERY)?;
        let group = self.group(app, group_id).await?;
        if type_of(&group) == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "roles in an AVChatRoom are not available through this API",
            ));
        }
        let snap = self
            .snapshot(app, group_id, GroupQuery::accounts(accounts.clone()))
            .await?;
        Ok(accounts
            .into_iter()
            .map(|a| {
                let role = snap
                    .members
                    .get(&a)
                    .map_or("NotMember", |m| m.role.as_str())
                    .to_owned();
                (a, role)
            })
            .collect())
    }
}

/// The changes of `modify_group_member_info`; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    pub role: Option<String>,
    pub msg_flag: Option<String>,
    pub name_card: Option<String>,
    /// Seconds from now; 0 unmutes.
    pub mute_time: Option<u64>,
    /// An empty value deletes the key.
    pub app_defined: Vec<(String, String)>,
}

const MAX_NAME_CARD_BYTES: usize = 50;
/// Most accounts one `forbid_send_msg` may name.
pub const MAX_MUTE: usize = 500;

/// When a mute of `seconds` from `now` ends (0: not muted; `u32::MAX` seconds: for ever).
fn mute_end(now: i64, seconds: u64) -> i64 {
    if seconds == 0 {
        0
    } else {
        now.saturating_add(seconds.min(i64::MAX as u64) as i64)
    }
}

impl GroupService {
    /// `change_group_owner`: the new owner must be a member; the old one becomes a `Member`.
    /// Reports `Group.CallbackAfterChangeGroupOwner`.
    pub async fn change_owner(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        new_owner: String,
        origin: &Origin,
    ) -> ApiResult<()> {
        let group = self.group(app, group_id).await?;
        if type_of(&group) == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom's owner cannot be changed through this API",
            ));
        }
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        let mut accounts = vec![new_owner.clone()];
        if !group.owner.is_empty() {
            accounts.push(group.owner.clone());
        }
        let outcome = self
            .edit_existing(
                app,
                group_id,
                GroupQuery::accounts(accounts),
                move |group, snap| {
                    let mut plan = GroupPlan::default();
                    let Some(heir) = snap.members.get(&new_owner) else {
                        plan.refusal = Some((
                            codes::GROUP_INVALID_PARAM,
                            format!("{new_owner} is not a member of the group"),
                        ));
                        return plan;
                    };
                    if heir.role == OWNER {
                        return plan;
                    }
                    let mut group = group.clone();
                    let old_owner = std::mem::take(&mut group.owner);
                    if let Some(old) = snap.members.get(&old_owner) {
                        let mut old = old.clone();
                        old.role = MEMBER.to_owned();
                        plan.changes.push(GroupChange::PutMember(old));
                    }
                    let mut heir = heir.clone();
                    heir.role = OWNER.to_owned();
                    plan.changes.push(GroupChange::PutMember(heir));
                    group.owner = new_owner.clone();
                    let mut tip =
                        GroupTip::new(&group, TipKind::GroupInfoChanged, &operator, vec![]);
                    tip.info
                        .insert("Owner_Account".into(), new_owner.clone().into());
                    plan.reply = Some(tip);
                    plan.changes
                        .push(GroupChange::PutGroup(Box::new(group.clone())));
                    let report = AfterChangeGroupOwner {
                        group_id: id.clone(),
                        group_type: group.group_type,
                        operator_account: operator,
                        old_owner_account: old_owner,
                        new_owner_account: new_owner,
                        event_time: now_ms as u64,
                    };
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &id, &origin));
                    plan
                },
            )
            .await?;
        if let Some(tip) = outcome.reply {
            self.send_tip(app, tip, connection);
        }
        Ok(())
    }

    /// `modify_group_member_info`: role (Admin/Member, not in types without admins, never the
    /// owner's), message flag, name card, mute, custom member data. Reports
    /// `Group.CallbackAfterMemberFieldChanged` when the role or the name card changed.
    pub async fn modify_member(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        member: String,
        change: MemberChange,
        origin: &Origin,
    ) -> ApiResult<()> {
        if let Some(role) = &change.role {
            if role != ADMIN && role != MEMBER {
                return Err(invalid(format!("Role {role:?} is not Admin or Member")));
            }
        }
        if let Some(flag) = &change.msg_flag {
            if !matches!(
                flag.as_str(),
                "AcceptAndNotify" | "AcceptNotNotify" | "Discard"
            ) {
                return Err(invalid(format!(
                    "MsgFlag {flag:?} is not AcceptAndNotify, AcceptNotNotify or Discard"
                )));
            }
        }
        check_custom_data(
            &app.custom_member_fields,
            "AppMemberDefinedData",
            &change.app_defined,
        )?;
        if let Some(card) = &change.name_card {
            if card.len() > MAX_NAME_CARD_BYTES {
                return Err(invalid(format!(
                    "NameCard is {} bytes; at most {MAX_NAME_CARD_BYTES} are allowed",
                    card.len()
                )));
            }
        }
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        if group_type == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "AVChatRoom members cannot be changed through this API",
            ));
        }
        if change.role.as_deref() == Some(ADMIN) && !group_type.has_admins() {
            return Err(invalid(format!(
                "a {} group has no admins",
                group_type.name()
            )));
        }
        if change.mute_time.is_some_and(|t| t > 0) && group_type == GroupType::Private {
            return Err(invalid("members of a Private (Work) group cannot be muted"));
        }
        let now = self.clock.now_secs();
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        let outcome = self
            .edit_existing(
                app,
                group_id,
                GroupQuery::accounts(vec![member.clone()]),
                move |group, snap| {
                    let mut plan = GroupPlan::default();
                    let Some(before) = snap.members.get(&member) else {
                        plan.refusal = Some((
                            codes::GROUP_INVALID_PARAM,
                            format!("{member} is not a member of the group"),
                        ));
                        return plan;
                    };
                    if change.role.is_some() && before.role == OWNER {
                        plan.refusal = Some((
                            codes::GROUP_INVALID_PARAM,
                            "the owner's role changes only with change_group_owner".into(),
                        ));
                        return plan;
                    }
                    let mut after = before.clone();
                    let role = change.role.filter(|r| *r != before.role);
                    let name_card = change.name_card.filter(|c| *c != before.name_card);
                    if let Some(r) = &role {
                        after.role = r.clone();
                    }
                    if let Some(c) = &name_card {
                        after.name_card = c.clone();
                    }
                    if let Some(f) = change.msg_flag {
                        after.msg_flag = f;
                    }
                    if let Some(t) = change.mute_time {
                        after.muted_until = mute_end(now, t);
                    }
                    for (key, value) in change.app_defined {
                        after.app_defined.retain(|(k, _)| *k != key);
                        if !value.is_empty() {
                            after.app_defined.push((key, value));
                        }
                    }
                    if after != *before {
                        plan.changes.push(GroupChange::PutMember(after));
                    }
                    if let Some(r) = &role {
                        let kind = if r == ADMIN {
                            TipKind::SetAdmin
                        } else {
                            TipKind::CancelAdmin
                        };
                        plan.reply =
                            Some(GroupTip::new(group, kind, &operator, vec![member.clone()]));
                    }
                    if role.is_some() || name_card.is_some() {
                        let report = AfterMemberFieldChanged {
                            group_id: id.clone(),
                            group_type: group.group_type.clone(),
                            operator_account: operator,
                            member_account: member,
                            role,
                            name_card,
                            event_time: now_ms as u64,
                        };
                        plan.outbox
                            .extend(this.after(&app_settings, &report, &id, &origin));
                    }
                    plan
                },
            )
            .await?;
        if let Some(tip) = outcome.reply {
            self.send_tip(app, tip, connection);
        }
        Ok(())
    }

    /// `forbid_send_msg`: mutes members for `seconds` (0 unmutes); not in Private groups.
    /// Accounts that are not members are ignored.
    pub async fn mute(
        &self,
        app: &AppSettings,
        group_id: &str,
        accounts: Vec<String>,
        seconds: u64,
    ) -> ApiResult<()> {
        check_batch(&accounts, MAX_MUTE)?;
        let group = self.group(app, group_id).await?;
        if type_of(&group) == GroupType::Private {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "members of a Private (Work) group cannot be muted",
            ));
        }
        let until = mute_end(self.clock.now_secs(), seconds);
        self.edit_existing(
            app,
            group_id,
            GroupQuery::accounts(accounts.clone()),
            move |_, snap| {
                let mut plan = GroupPlan::new();
                for account in &accounts {
                    if let Some(m) = snap.members.get(account) {
                        let mut m = m.clone();
                        m.muted_until = until;
                        plan.changes.push(GroupChange::PutMember(m));
                    }
                }
                plan
            },
        )
        .await?;
        Ok(())
    }

    /// `get_group_muted_account`: the members muted now, with when their mute ends.
    pub async fn muted(&self, app: &AppSettings, group_id: &str) -> ApiResult<Vec<(String, i64)>> {
        self.group(app, group_id).await?;
        let now = self.clock.now_secs();
        let members = self.all_members(app, group_id).await?;
        Ok(members
            .into_iter()
            .filter(|m| m.muted_until > now)
            .map(|m| (m.member, m.muted_until))
            .collect())
    }
}

impl GroupService {
    /// A user joins a group from their client, where the type lets anyone in: meeting, live
    /// and community groups, and Public groups whose `ApplyJoinOption` is `FreeAccess`. In a
    /// Public group with `NeedPermission` the request (with `message`) waits for the owner or
    /// an admin instead ([`JoinOutcome::Pending`]). Work groups take invitations only and
    /// `DisableApply` refuses (10007). Refused while banned (10007), when already a member
    /// (10013) or when full (10014), and by `Group.CallbackBeforeApplyJoinGroup` (10016 or the
    /// app's code), asked once the join or request could go ahead. A join reports
    /// `Group.CallbackAfterNewMemberJoin` with `Apply`.
    pub async fn join(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
        message: &str,
        origin: &Origin,
    ) -> ApiResult<JoinOutcome> {
        let now = self.clock.now_secs();
        let query = GroupQuery {
            bans: true,
            ..GroupQuery::accounts(vec![member.to_owned()])
        };
        // Checked before asking the app, and again in the edit that writes the join.
        let snap = self.snapshot(app, group_id, query.clone()).await?;
        let group = snap
            .group
            .as_ref()
            .ok_or_else(|| super::not_found(group_id))?;
        join_path(group, &snap, member, now)?;
        check_application_message(message)?;
        let ask = BeforeApplyJoinGroup {
            group_id: group_id.to_owned(),
            group_type: group.group_type.clone(),
            requestor_account: member.to_owned(),
            event_time: self.clock.now_ms() as u64,
        };
        if let Some(refusal) =
            refused_by_callback(self.webhooks.before(app.sdkappid, &ask, origin).await)
        {
            return Err(refusal);
        }
        let group_type = type_of(group);
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let joiner = member.to_owned();
        let member = member.to_owned();
        let message = message.to_owned();
        let from = origin.clone();
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                let origin = from;
                let path = match join_path(group, snap, &member, now) {
                    Ok(path) => path,
                    Err(e) => return refusal(e),
                };
                let mut plan = GroupPlan::default();
                if path == JoinPath::Approval {
                    let request = JoinApplication {
                        group_id: group.group_id.clone(),
                        applicant: member,
                        message,
                        time_ms: now_ms,
                    };
                    plan.reply = Some(Entry::Pending(request.clone()));
                    plan.changes.push(GroupChange::PutApplication(request));
                    return plan;
                }
                let mut group = group.clone();
                let joined = this.admit(
                    &app_settings,
                    &origin,
                    &mut group,
                    &member,
                    &member,
                    &mut plan,
                );
                let tip = GroupTip::new(&group, TipKind::Join, &member, vec![member.clone()]);
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                plan.reply = Some(Entry::Joined(joined, Box::new(tip)));
                plan
            })
            .await?;
        let joined = match outcome.reply {
            Some(Entry::Pending(request)) => {
                self.tell_admins_of_request(app, request, origin).await;
                return Ok(JoinOutcome::Pending);
            }
            Some(Entry::Joined(time, tip)) => {
                self.send_tip(app, *tip, origin.connection);
                time
            }
            // Only a refusal leaves no entry, and a refusal has returned already.
            None => now,
        };
        self.entered(app, group_id, group_type, &joiner, joined, origin)
            .await;
        Ok(JoinOutcome::Joined)
    }

    /// Adds to `plan` a new member `member` of `group` (counted in it), let in by `operator`:
    /// the member row (any join request of theirs goes), `Group.CallbackAfterNewMemberJoin`
    /// (`Apply`), and `Group.CallbackAfterGroupFull` when it fills the group. Returns the join
    /// time written.
    pub(super) fn admit<R>(
        &self,
        app: &AppSettings,
        origin: &Origin,
        group: &mut GroupRecord,
        member: &str,
        operator: &str,
        plan: &mut GroupPlan<R>,
    ) -> i64 {
        let now_ms = self.clock.now_ms();
        let id = group.group_id.clone();
        group.member_count += 1;
        plan.changes
            .push(GroupChange::DeleteApplication(member.to_owned()));
        plan.changes.push(GroupChange::PutMember(GroupMember {
            member: member.to_owned(),
            role: MEMBER.to_owned(),
            join_time: now_ms / 1000,
            msg_flag: "AcceptAndNotify".into(),
            read_seq: group.next_msg_seq.saturating_sub(1),
            ..GroupMember::default()
        }));
        let report = AfterNewMemberJoin {
            group_id: id.clone(),
            group_type: group.group_type.clone(),
            join_type: "Apply".into(),
            operator_account: operator.to_owned(),
            new_member_list: vec![MemberAccount::new(member)],
            event_time: now_ms as u64,
        };
        plan.outbox.extend(self.after(app, &report, &id, origin));
        if group.member_count == group.max_members {
            let full = AfterGroupFull {
                group_id: id.clone(),
                event_time: now_ms as u64,
            };
            plan.outbox.extend(self.after(app, &full, &id, origin));
        }
        now_ms / 1000
    }

    /// A member leaves a group from their client. Only a Work group's owner may leave (the group
    /// is then without owner); other owners → 10009. Not a member → 10007. Reports
    /// `Group.CallbackAfterMemberExit` with `Quit`.
    pub async fn quit(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
        origin: &Origin,
    ) -> ApiResult<()> {
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let from = origin.clone();
        let origin = origin.clone();
        let leaver = member.to_owned();
        let member = member.to_owned();
        let id = group_id.to_owned();
        let query = GroupQuery::accounts(vec![member.clone()]);
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                let Some(membership) = snap.members.get(&member) else {
                    return refusal(ApiError::new(
                        codes::GROUP_NO_PERMISSION,
                        format!("{member} is not a member of {id}"),
                    ));
                };
                let mut group = group.clone();
                if membership.role == OWNER {
                    if type_of(&group) != GroupType::Private {
                        return refusal(ApiError::new(
                            codes::GROUP_OWNER_CANNOT_QUIT,
                            format!("{member} owns {id}: change the owner or disband the group"),
                        ));
                    }
                    group.owner.clear();
                }
                let mut plan = GroupPlan::default();
                let exit = Exit {
                    members: vec![member.clone()],
                    exit_type: "Quit",
                    operator: member.clone(),
                    now_ms,
                };
                plan.reply = this.put_out(&app_settings, &origin, group, exit, &mut plan);
                plan
            })
            .await?;
        if let Some(tip) = outcome.reply {
            self.send_tip(app, tip, from.connection);
        }
        self.left(app, group_id, &[leaver], &from).await;
        Ok(())
    }
}

/// Members leaving a group in one change.
pub(super) struct Exit {
    /// Current members, each once.
    pub members: Vec<String>,
    /// `Kicked` or `Quit`.
    pub exit_type: &'static str,
    pub operator: String,
    pub now_ms: i64,
}

impl GroupService {
    /// Adds to `plan` the removal of `exit.members` from `group` (rows and member count) and
    /// `Group.CallbackAfterMemberExit`; nothing when the list is empty.
    pub(super) fn put_out<R>(
        &self,
        app: &AppSettings,
        origin: &Origin,
        mut group: GroupRecord,
        exit: Exit,
        plan: &mut GroupPlan<R>,
    ) -> Option<GroupTip> {
        let mut gone: Vec<String> = Vec::new();
        for member in exit.members {
            if !gone.contains(&member) {
                plan.changes.push(GroupChange::DeleteMember(member.clone()));
                gone.push(member);
            }
        }
        if gone.is_empty() {
            return None;
        }
        group.member_count = group.member_count.saturating_sub(gone.len() as u64);
        let kind = if exit.exit_type == "Quit" {
            TipKind::Quit
        } else {
            TipKind::Kicked
        };
        let tip = GroupTip::new(&group, kind, &exit.operator, gone.clone());
        let report = AfterMemberExit {
            group_id: group.group_id.clone(),
            group_type: group.group_type.clone(),
            exit_type: exit.exit_type.into(),
            operator_account: exit.operator,
            exit_member_list: gone.iter().map(MemberAccount::new).collect(),
            event_time: exit.now_ms as u64,
        };
        plan.outbox
            .extend(self.after(app, &report, &group.group_id, origin));
        plan.changes.push(GroupChange::PutGroup(Box::new(group)));
        Some(tip)
    }
}

/// Why `member` may not join `group` on their own now, if they may not.
/// How a client's join goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinPath {
    Direct,
    /// A Public group with `NeedPermission`: the request waits for the owner or an admin.
    Approval,
}

/// What a client's join did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined,
    /// The request waits for the owner or an admin.
    Pending,
}

/// Longest message a join request may carry.
const MAX_APPLICATION_MESSAGE_BYTES: usize = 300;

fn check_application_message(message: &str) -> ApiResult<()> {
    if message.len() > MAX_APPLICATION_MESSAGE_BYTES {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            format!(
                "ApplyMsg is {} bytes; at most {MAX_APPLICATION_MESSAGE_BYTES} are allowed",
                message.len()
            ),
        ));
    }
    Ok(())
}

fn join_path(
    group: &GroupRecord,
    snap: &GroupSnapshot,
    member: &str,
    now: i64,
) -> ApiResult<JoinPath> {
    let id = &group.group_id;
    let group_type = type_of(group);
    let no = |info: String| Err(ApiError::new(codes::GROUP_NO_PERMISSION, info));
    if !snap.existing.contains(member) {
        return Err(ApiError::new(
            codes::GROUP_ACCOUNT_NOT_FOUND,
            format!("account {member} does not exist"),
        ));
    }
    if snap.members.contains_key(member) {
        return Err(ApiError::new(
            codes::GROUP_ALREADY_MEMBER,
            format!("{member} is already a member of {id}"),
        ));
    }
    if let Some(until) = snap.bans.get(member).filter(|until| **until > now) {
        return no(format!("{member} is banned from {id} until {until}"));
    }
    let path = match group_type {
        GroupType::Private => None,
        GroupType::Public => match group.apply_join.as_str() {
            "FreeAccess" => Some(JoinPath::Direct),
            "NeedPermission" => Some(JoinPath::Approval),
            _ => None,
        },
        GroupType::ChatRoom | GroupType::AvChatRoom | GroupType::Community => {
            Some(JoinPath::Direct)
        }
    };
    let Some(path) = path else {
        return no(format!(
            "{id} does not let anyone join ({}, ApplyJoinOption {}): it needs an invitation",
            group_type.name(),
            group.apply_join
        ));
    };
    if path == JoinPath::Direct && group.member_count >= group.max_members {
        return Err(ApiError::new(
            codes::GROUP_FULL,
            format!("{id} is full ({} members)", group.max_members),
        ));
    }
    Ok(path)
}
