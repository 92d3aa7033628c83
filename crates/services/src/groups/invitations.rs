//! Invitations from clients (the SDK's `addGroupMember`) under the group's `InviteJoinOption`:
//! `FreeAccess` (the default) adds the invitees at once; `NeedPermission` adds them at once when
//! the owner or an admin invites, and otherwise keeps each invitation waiting for the owner or an
//! admin, beside the join requests (`get_pendency`), answered like them; `DisableInvite` refuses
//! every client invitation (10007). Which group types take client invitations at all is
//! [`super::permissions::invite`]'s rule. The REST API's `add_group_member` is the app admin's
//! and adds at once whatever the option says.

use natter_core::group::{ADMIN, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::{GroupChange, GroupPlan, GroupQuery, JoinApplication};
use natter_webhook::Origin;

use super::members::{check_batch, MAX_ADD};
use super::{refusal, type_of, AddedMember, GroupService, MemberAdd};

/// `InviteJoinOption` values.
const NEED_PERMISSION: &str = "NeedPermission";
const DISABLE_INVITE: &str = "DisableInvite";

impl GroupService {
    /// `inviter` (a member, from a client) invites `accounts` into `group_id`. Per account:
    /// added, already a member, failed (unknown, or refused by
    /// `Group.CallbackBeforeInviteJoinGroup`) or waiting for approval ([`MemberAdd::Pending`],
    /// pushed to the owner and admins as a request naming its inviter). Asking again renews an
    /// invitation; it takes the place of a join request of the invitee's.
    pub async fn invite(
        &self,
        app: &AppSettings,
        inviter: &str,
        group_id: &str,
        accounts: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<Vec<AddedMember>> {
        check_batch(&accounts, MAX_ADD)?;
        let group = self.group(app, group_id).await?;
        let role = self
            .membership(app, group_id, inviter)
            .await?
            .map(|m| m.role)
            .ok_or_else(|| not_a_member(inviter, group_id))?;
        let approver = role == OWNER || role == ADMIN;
        match group.invite_join.as_str() {
            DISABLE_INVITE => {
                return Err(ApiError::new(
                    codes::GROUP_NO_PERMISSION,
                    format!("{group_id} takes no invitations (InviteJoinOption DisableInvite)"),
                ))
            }
            NEED_PERMISSION if !approver => {}
            _ => {
                return self
                    .add_members(app, inviter, group_id, accounts, origin)
                    .await
            }
        }
        let refused = self
            .refused_invitees(app, group_id, type_of(&group), inviter, &accounts, origin)
            .await?;
        let now_ms = self.clock.now_ms();
        let inviter_id = inviter.to_owned();
        let mut wanted = accounts.clone();
        wanted.push(inviter.to_owned());
        let query = GroupQuery::accounts(wanted);
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                if !snap.members.contains_key(&inviter_id) {
                    return refusal(not_a_member(&inviter_id, &group.group_id));
                }
                let mut plan: GroupPlan<(Vec<AddedMember>, Vec<JoinApplication>)> =
                    GroupPlan::default();
                for account in &accounts {
                    let asked = plan.reply.1.iter().any(|a| a.applicant == *account);
                    let result = if snap.members.contains_key(account) {
                        MemberAdd::AlreadyMember
                    } else if !snap.existing.contains(account) || refused.contains(account) {
                        MemberAdd::Failed
                    } else {
                        if !asked {
                            let invitation = JoinApplication {
                                group_id: group.group_id.clone(),
                                applicant: account.clone(),
                                message: String::new(),
                                time_ms: now_ms,
                                inviter: inviter_id.clone(),
                            };
                            plan.changes
                                .push(GroupChange::PutApplication(invitation.clone()));
                            plan.reply.1.push(invitation);
                        }
                        MemberAdd::Pending
                    };
                    plan.reply.0.push(AddedMember {
                        member: account.clone(),
                        result,
                    });
                }
                plan
            })
            .await?;
        let (results, invitations) = outcome.reply;
        for invitation in invitations {
            self.tell_admins_of_request(app, invitation, origin).await;
        }
        Ok(results)
    }
}

fn not_a_member(user: &str, group_id: &str) -> ApiError {
    ApiError::new(
        codes::GROUP_NO_PERMISSION,
        format!("{user} is not a member of {group_id}"),
    )
}
