//! Group members: adding, removing, listing, and their roles.

use natter_core::group::{MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{
    GroupChange, GroupMember, GroupPlan, GroupQuery, GroupRecord, JoinApplication, MemberCursor,
};
use natter_webhook::payloads::group::{
    AfterGroupFull, AfterMemberExit, AfterNewMemberJoin, BeforeInviteJoinGroup,
};
use natter_webhook::payloads::responses::InviteJoinGroupResponse;
use natter_webhook::payloads::MemberAccount;
use natter_webhook::{BeforeOutcome, Origin};

use super::tips::{GroupTip, TipKind};
use super::{invalid, refused_by_callback, type_of, GroupService};
use crate::internal;

mod changes;
mod join;

pub use changes::MemberChange;
pub use join::JoinOutcome;

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
    /// A client's invitation waiting for the owner or an admin (`InviteJoinOption`
    /// `NeedPermission`, see [`GroupService::invite`]).
    Pending = 3,
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

pub(super) fn check_batch(accounts: &[String], max: usize) -> ApiResult<()> {
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
        let refused = self
            .refused_invitees(app, group_id, group_type, operator, &accounts, origin)
            .await?;
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

    /// `Group.CallbackBeforeInviteJoinGroup` on `operator` adding `accounts`: the accounts the
    /// app refuses (or its refusal of them all).
    pub(super) async fn refused_invitees(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        operator: &str,
        accounts: &[String],
        origin: &Origin,
    ) -> ApiResult<Vec<String>> {
        let invite = BeforeInviteJoinGroup {
            group_id: group_id.to_owned(),
            group_type: group_type.name().to_owned(),
            operator_account: operator.to_owned(),
            destination_members: accounts.iter().map(MemberAccount::new).collect(),
            event_time: self.clock.now_ms() as u64,
        };
        match self.webhooks.before(app.sdkappid, &invite, origin).await {
            BeforeOutcome::Allow(Some(reply)) => {
                Ok(serde_json::from_value::<InviteJoinGroupResponse>(reply)
                    .map(|r| r.refused_members_account)
                    .unwrap_or_default())
            }
            other => match refused_by_callback(other) {
                Some(refusal) => Err(refusal),
                None => Ok(Vec::new()),
            },
        }
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
