//! Members coming and going on their own: joins from a client (free or by request) and quits.

use natter_core::group::{MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{
    GroupChange, GroupMember, GroupPlan, GroupQuery, GroupRecord, GroupSnapshot, JoinApplication,
};
use natter_webhook::payloads::group::{AfterGroupFull, AfterNewMemberJoin, BeforeApplyJoinGroup};
use natter_webhook::payloads::MemberAccount;
use natter_webhook::Origin;

use super::{Entry, Exit};
use crate::groups::tips::{GroupTip, TipKind};
use crate::groups::{refusal, refused_by_callback, type_of, GroupService};

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
            .ok_or_else(|| crate::groups::not_found(group_id))?;
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
                        inviter: String::new(),
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
                    (&member, "Apply"),
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
    /// (`JoinType` `Apply`, or `Invited` for an invitation approved), and
    /// `Group.CallbackAfterGroupFull` when it fills the group. Returns the join time written.
    pub(in crate::groups) fn admit<R>(
        &self,
        app: &AppSettings,
        origin: &Origin,
        group: &mut GroupRecord,
        (member, join_type): (&str, &str),
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
            join_type: join_type.into(),
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
