//! Changing members: the owner (`change_group_owner`), a member's role, name card, flags and
//! data (`modify_group_member_info`), and mutes (`forbid_send_msg`).

use natter_core::group::{ADMIN, MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery};
use natter_webhook::payloads::group::{AfterChangeGroupOwner, AfterMemberFieldChanged};
use natter_webhook::Origin;

use super::check_batch;
use crate::groups::tips::{GroupTip, TipKind};
use crate::groups::{check_custom_data, invalid, type_of, GroupService};

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
