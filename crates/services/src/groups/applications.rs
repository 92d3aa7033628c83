//! Join requests that wait for approval (Public groups with `NeedPermission`): the owner and
//! admins see them, and agree (the applicant joins, `Group.CallbackAfterNewMemberJoin` with
//! `Apply` and the approver as operator) or refuse. Both sides hear of it as it happens when
//! they are connected. These are client actions; Tencent has no REST API for them.

use natter_core::group::{ADMIN, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_store::{GroupChange, GroupPlan, GroupQuery, JoinApplication, MemberCursor};
use natter_webhook::Origin;
use serde_json::json;

use super::tips::{GroupTip, TipKind};
use super::{refusal, GroupService};
use crate::internal;

/// How an owner or admin answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Agree,
    Refuse,
}

/// An answer to `applicant`'s request, with a word for them.
#[derive(Debug, Clone)]
pub struct Answer {
    pub applicant: String,
    pub decision: Decision,
    pub message: String,
    /// `Some`: the answer is to `applicant`'s invitation by this member, and only that may be
    /// answered; `None`: to whatever waits for `applicant` (their request or an invitation).
    pub inviter: Option<String>,
}

fn may_approve(role: &str) -> bool {
    role == OWNER || role == ADMIN
}

impl GroupService {
    /// Pushes a new request to the group's owner and admins.
    pub(super) async fn tell_admins_of_request(
        &self,
        app: &AppSettings,
        request: JoinApplication,
        origin: &Origin,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let admins = match self
            .store
            .group_members(
                app.sdkappid,
                request.group_id.clone(),
                MemberCursor::Offset(0),
                vec![OWNER.to_owned(), ADMIN.to_owned()],
                usize::MAX >> 1,
            )
            .await
        {
            Ok(admins) => admins.into_iter().map(|m| m.member).collect(),
            Err(e) => {
                tracing::warn!(group_id = request.group_id, error = %e, "join request not pushed");
                return;
            }
        };
        let push = Push::new(Priority::High, &application_frame(&request));
        self.fanout.send(
            app.sdkappid,
            Target::Users(admins),
            &push,
            origin.connection,
        );
    }

    /// The requests waiting in the groups `user` owns or administers, by group, oldest first.
    pub async fn applications_for(
        &self,
        app: &AppSettings,
        user: &str,
    ) -> ApiResult<Vec<JoinApplication>> {
        let groups = self
            .store
            .joined_groups(app.sdkappid, user.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let managed = groups
            .into_iter()
            .filter(|(_, m)| may_approve(&m.role))
            .map(|(g, _)| g.group_id)
            .collect();
        self.store
            .join_applications(app.sdkappid, managed)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// The owner or an admin (`handler`, 10007 otherwise) answers `applicant`'s request (10004
    /// when none waits). Agreeing lets them in (10013 when they are in already, 10014 when the
    /// group is full).
    pub async fn handle_application(
        &self,
        app: &AppSettings,
        group_id: &str,
        handler: &str,
        answer: Answer,
        origin: &Origin,
    ) -> ApiResult<()> {
        let Answer {
            applicant,
            decision,
            message: reply,
            inviter: expected_inviter,
        } = answer;
        let applicant = applicant.as_str();
        let query = GroupQuery {
            applications: true,
            ..GroupQuery::accounts(vec![handler.to_owned(), applicant.to_owned()])
        };
        let this = self.clone();
        let app_settings = app.clone();
        let from = origin.clone();
        let (handler_id, applicant_id) = (handler.to_owned(), applicant.to_owned());
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                let id = &group.group_id;
                if !snap
                    .members
                    .get(&handler_id)
                    .is_some_and(|m| may_approve(&m.role))
                {
                    return refusal(ApiError::new(
                        codes::GROUP_NO_PERMISSION,
                        format!("only the owner and admins of {id} answer its join requests"),
                    ));
                }
                let waiting = snap.applications.get(&applicant_id).filter(|a| {
                    expected_inviter
                        .as_ref()
                        .is_none_or(|inviter| *inviter == a.inviter)
                });
                let Some(waiting) = waiting else {
                    let what = match &expected_inviter {
                        Some(inviter) => format!("no invitation of {applicant_id} by {inviter}"),
                        None => format!("no join request from {applicant_id}"),
                    };
                    return refusal(ApiError::new(
                        codes::GROUP_INVALID_PARAM,
                        format!("{what} waits in {id}"),
                    ));
                };
                let mut plan: GroupPlan<Handled> = GroupPlan::default();
                plan.reply.inviter = waiting.inviter.clone();
                plan.changes
                    .push(GroupChange::DeleteApplication(applicant_id.clone()));
                if decision == Decision::Refuse {
                    return plan;
                }
                if snap.members.contains_key(&applicant_id) {
                    // Moot: they got in another way. The request goes; the answer says why (the
                    // reply: whether the applicant was a member already).
                    plan.reply.member_already = true;
                    return plan;
                }
                if group.member_count >= group.max_members {
                    return refusal(ApiError::new(
                        codes::GROUP_FULL,
                        format!("{id} is full ({} members)", group.max_members),
                    ));
                }
                let mut group = group.clone();
                let join_type = if plan.reply.inviter.is_empty() {
                    "Apply"
                } else {
                    "Invited"
                };
                this.admit(
                    &app_settings,
                    &from,
                    &mut group,
                    (&applicant_id, join_type),
                    &handler_id,
                    &mut plan,
                );
                let tip = GroupTip::new(&group, TipKind::Join, &handler_id, vec![applicant_id]);
                plan.reply.tip = Some(tip);
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                plan
            })
            .await
            .and_then(|outcome| {
                if outcome.reply.member_already {
                    Err(ApiError::new(
                        codes::GROUP_ALREADY_MEMBER,
                        format!("{applicant} is already a member of {group_id}"),
                    ))
                } else {
                    Ok(outcome)
                }
            })?;
        let inviter = outcome.reply.inviter;
        let mut frame = json!({
            "Event": "GroupApplicationHandled",
            "GroupId": group_id,
            "Applicant_Account": applicant,
            "Operator_Account": handler,
            "HandleResult": u32::from(decision == Decision::Agree),
            "HandleMsg": reply,
            "HandleTime": self.clock.now_secs(),
        });
        let mut told = vec![applicant.to_owned()];
        if !inviter.is_empty() {
            frame["Inviter_Account"] = inviter.clone().into();
            told.push(inviter);
        }
        self.fanout.send(
            app.sdkappid,
            Target::Users(told),
            &Push::new(Priority::High, &frame),
            None,
        );
        // The applicant hears the answer first, then the members the join.
        if let Some(tip) = outcome.reply.tip {
            self.send_tip(app, tip, origin.connection);
        }
        Ok(())
    }
}

/// What answering a request did, for the pushes after it.
#[derive(Default)]
struct Handled {
    /// The applicant was a member already (the request went, the answer is 10013).
    member_already: bool,
    tip: Option<GroupTip>,
    /// Who invited the applicant; empty for their own request.
    inviter: String,
}

/// A waiting request as clients receive it (event and list item alike); an invitation names
/// its inviter (`Inviter_Account`).
pub fn application_frame(request: &JoinApplication) -> serde_json::Value {
    let mut frame = json!({
        "Event": "GroupApplication",
        "GroupId": request.group_id,
        "From_Account": request.applicant,
        "RequestMsg": request.message,
        "AddTime": request.time_ms,
    });
    if !request.inviter.is_empty() {
        frame["Inviter_Account"] = request.inviter.clone().into();
    }
    frame
}
