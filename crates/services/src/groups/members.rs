//! Group members: adding, removing, listing, and their roles.

use natter_core::group::{MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupMember, GroupPlan, GroupQuery};
use natter_webhook::payloads::group::{
    AfterGroupFull, AfterMemberExit, AfterNewMemberJoin, BeforeInviteJoinGroup,
};
use natter_webhook::payloads::responses::InviteJoinGroupResponse;
use natter_webhook::payloads::MemberAccount;
use natter_webhook::{BeforeOutcome, Origin};
use serde_json::{json, Value};

use super::{invalid, not_found, refused_by_callback, type_of, GroupService};
use crate::internal;

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
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        let outcome = self
            .edit(
                app,
                group_id,
                GroupQuery {
                    accounts: accounts.clone(),
                    duplicate_of: None,
                },
                move |snap| {
                    let mut plan = GroupPlan::default();
                    let Some(group) = &snap.group else {
                        plan.refusal = Some((codes::GROUP_NOT_FOUND, not_found(&id).info));
                        return plan;
                    };
                    let mut group = group.clone();
                    let mut results = Vec::new();
                    let mut joined = Vec::new();
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
                        results.push(json!({"Member_Account": account, "Result": result as u8}));
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
                        plan.changes.push(GroupChange::PutGroup(group));
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
                    plan.reply = Value::from(results);
                    plan
                },
            )
            .await?;
        Ok(outcome
            .reply
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| AddedMember {
                member: r["Member_Account"].as_str().unwrap_or_default().to_owned(),
                result: match r["Result"].as_u64() {
                    Some(1) => MemberAdd::Added,
                    Some(2) => MemberAdd::AlreadyMember,
                    _ => MemberAdd::Failed,
                },
            })
            .collect())
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
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        self.edit(
            app,
            group_id,
            GroupQuery {
                accounts: accounts.clone(),
                duplicate_of: None,
            },
            move |snap| {
                let mut plan = GroupPlan::default();
                let Some(group) = &snap.group else {
                    plan.refusal = Some((codes::GROUP_NOT_FOUND, not_found(&id).info));
                    return plan;
                };
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
                let mut gone: Vec<String> = Vec::new();
                for account in &accounts {
                    if snap.members.contains_key(account) && !gone.contains(account) {
                        gone.push(account.clone());
                        plan.changes
                            .push(GroupChange::DeleteMember(account.clone()));
                    }
                }
                if gone.is_empty() {
                    return plan;
                }
                let mut group = group.clone();
                group.member_count = group.member_count.saturating_sub(gone.len() as u64);
                let report = AfterMemberExit {
                    group_id: id.clone(),
                    group_type: group.group_type.clone(),
                    exit_type: "Kicked".into(),
                    operator_account: operator,
                    exit_member_list: gone.iter().map(MemberAccount::new).collect(),
                    event_time: now_ms as u64,
                };
                plan.changes.push(GroupChange::PutGroup(group));
                plan.outbox
                    .extend(this.after(&app_settings, &report, &id, &origin));
                plan
            },
        )
        .await?;
        Ok(())
    }

    /// `get_group_member_info`: the group's member count and a page of its members in join
    /// order, of the given roles (all when empty).
    pub async fn members(
        &self,
        app: &AppSettings,
        group_id: &str,
        roles: &[String],
        offset: u64,
        limit: Option<usize>,
    ) -> ApiResult<(u64, Vec<GroupMember>)> {
        let group = self.group(app, group_id).await?;
        if type_of(&group) == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "the member list of an AVChatRoom is not available through this API",
            ));
        }
        let limit = limit.unwrap_or(usize::MAX >> 1);
        let members = if roles.is_empty() {
            self.store
                .group_members(app.sdkappid, group_id.to_owned(), offset, limit)
                .await
                .map_err(internal(codes::GROUP_INTERNAL))?
        } else {
            // Role filters apply before paging: read the group, keep the roles asked for.
            self.store
                .group_members(app.sdkappid, group_id.to_owned(), 0, usize::MAX >> 1)
                .await
                .map_err(internal(codes::GROUP_INTERNAL))?
                .into_iter()
                .filter(|m| roles.contains(&m.role))
                .skip(offset as usize)
                .take(limit)
                .collect()
        };
        Ok((group.member_count, members))
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
        // A read-only edit: the snapshot loads exactly the named members.
        let outcome = self
            .edit(
                app,
                group_id,
                GroupQuery {
                    accounts: accounts.clone(),
                    duplicate_of: None,
                },
                move |snap| GroupPlan {
                    reply: Value::from(
                        accounts
                            .iter()
                            .map(|a| {
                                let role =
                                    snap.members.get(a).map_or("NotMember", |m| m.role.as_str());
                                json!([a, role])
                            })
                            .collect::<Vec<_>>(),
                    ),
                    ..GroupPlan::default()
                },
            )
            .await?;
        Ok(outcome
            .reply
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap_or_default().to_owned(),
                    pair[1].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect())
    }
}
