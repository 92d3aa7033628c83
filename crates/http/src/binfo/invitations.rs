//! Client invitations: `add_group_member` (the SDK's `addGroupMember`), which adds the invitees
//! or, under `InviteJoinOption` `NeedPermission`, keeps an ordinary member's invitations waiting
//! for the owner or an admin (`Result` 3), and `handle_invite_join_permission_group`, by which
//! they answer one (the SDK's `handleGroupApplication` on an application of type 2). See
//! `natter_services::groups::invitations` for the rules.

use natter_core::ApiResult;
use natter_services::groups::permissions::ClientAction;
use serde::Deserialize;
use serde_json::Value;

use super::groups::{answer_application, authorized, Answered};
use crate::handler::fields;
use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{AddGroupMember, AddGroupMemberReply};

/// `add_group_member`: an invitation, where the type lets members invite.
pub(super) async fn add_group_member(ctx: Ctx, body: Value) -> ApiResult<Value> {
    authorized(&ctx, &body, ClientAction::Invite).await?;
    let req: AddGroupMember = ctx.parse(body)?;
    let invitees = req
        .member_list
        .into_iter()
        .map(|m| m.member_account)
        .collect();
    let results = ctx
        .services
        .groups
        .invite(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            invitees,
            &ctx.origin,
        )
        .await?;
    fields(AddGroupMemberReply::of(results))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HandleInviteJoinPermissionGroup {
    group_id: String,
    /// The member who invited (the application's `From_Account`).
    #[serde(rename = "Applicant_Account")]
    inviter: String,
    #[serde(rename = "Invited_Account")]
    invitee: String,
    /// `Agree` or `Reject`.
    handle_msg: String,
    #[serde(default)]
    approval_msg: String,
}

/// `handle_invite_join_permission_group`: the owner or an admin answers a member's invitation;
/// agreeing lets the invitee in (`Group.CallbackAfterNewMemberJoin` with `Invited`).
pub(super) async fn handle_invite_join_permission_group(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: HandleInviteJoinPermissionGroup = ctx.parse(body)?;
    let answer = Answered {
        group_id: req.group_id,
        applicant: req.invitee,
        handle_msg: req.handle_msg,
        approval_msg: req.approval_msg,
        inviter: Some(req.inviter),
    };
    answer_application(&ctx, answer).await
}
