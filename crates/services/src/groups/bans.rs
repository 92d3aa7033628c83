//! Bans of live groups (`ban_group_member`, `unban_group_member`, `get_group_ban_member`;
//! Tencent pages 1047/50296, 50297, 50295): a banned account is put out of the AVChatRoom and
//! cannot come back in until the ban ends or is lifted.

use natter_core::group::OWNER;
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery};
use natter_webhook::Origin;

use super::members::Exit;
use super::{invalid, refusal, type_of, GroupService};
use crate::internal;

/// Most accounts one ban or unban may name.
pub const MAX_BAN: usize = 20;
const MAX_DESCRIPTION_BYTES: usize = 1000;
/// Most bans one `get_group_ban_member` page holds.
pub const MAX_BAN_PAGE: usize = 100;

/// A `ban_group_member` request.
#[derive(Debug, Clone, Default)]
pub struct Ban {
    pub accounts: Vec<String>,
    /// Seconds from now.
    pub duration: u32,
    pub description: String,
}

fn check_accounts(accounts: &[String]) -> ApiResult<()> {
    if accounts.is_empty() || accounts.len() > MAX_BAN {
        return Err(invalid(format!(
            "Members_Account must name 1 to {MAX_BAN} accounts, got {}",
            accounts.len()
        )));
    }
    Ok(())
}

fn live_only() -> ApiError {
    ApiError::new(
        codes::GROUP_NO_PERMISSION,
        "only AVChatRoom members can be banned; kick or mute members of other groups",
    )
}

impl GroupService {
    /// `ban_group_member`: bans each account for `duration` seconds (a later ban replaces an
    /// earlier one); members among them are put out, reported by `Group.CallbackAfterMemberExit`
    /// with `Kicked`. The owner cannot be banned; every account must exist (10019).
    pub async fn ban(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        ban: Ban,
        origin: &Origin,
    ) -> ApiResult<()> {
        let Ban {
            accounts,
            duration,
            description,
        } = ban;
        check_accounts(&accounts)?;
        if duration == 0 {
            return Err(invalid("Duration must be at least 1 second"));
        }
        if description.len() > MAX_DESCRIPTION_BYTES {
            return Err(invalid(format!(
                "Description is {} bytes; at most {MAX_DESCRIPTION_BYTES} are allowed",
                description.len()
            )));
        }
        let now = self.clock.now_secs();
        let now_ms = self.clock.now_ms();
        let until = now + i64::from(duration);
        let this = self.clone();
        let app_settings = app.clone();
        let from = origin.clone();
        let origin = origin.clone();
        let operator = operator.to_owned();
        let banned = accounts.clone();
        let query = GroupQuery::accounts(accounts.clone());
        self.edit_existing(app, group_id, query, move |group, snap| {
            if type_of(group) != GroupType::AvChatRoom {
                return refusal(live_only());
            }
            if let Some(missing) = accounts.iter().find(|a| !snap.existing.contains(*a)) {
                return refusal(ApiError::new(
                    codes::GROUP_ACCOUNT_NOT_FOUND,
                    format!("account {missing} does not exist"),
                ));
            }
            if let Some(owner) = accounts
                .iter()
                .find(|a| snap.members.get(*a).is_some_and(|m| m.role == OWNER))
            {
                return refusal(invalid(format!(
                    "{owner} owns the group and cannot be banned"
                )));
            }
            let mut plan = GroupPlan::new();
            for account in &accounts {
                plan.changes.push(GroupChange::PutBan {
                    member: account.clone(),
                    until,
                    description: description.clone(),
                });
            }
            let exit = Exit {
                members: accounts
                    .iter()
                    .filter(|a| snap.members.contains_key(*a))
                    .cloned()
                    .collect(),
                exit_type: "Kicked",
                operator,
                now_ms,
            };
            let _ = this.put_out(&app_settings, &origin, group.clone(), exit, &mut plan);
            plan
        })
        .await?;
        self.left(app, group_id, &banned, &from).await;
        Ok(())
    }

    /// `unban_group_member`: lifts the bans of the named accounts (others are ignored).
    pub async fn unban(
        &self,
        app: &AppSettings,
        group_id: &str,
        accounts: Vec<String>,
    ) -> ApiResult<()> {
        check_accounts(&accounts)?;
        let query = GroupQuery {
            bans: true,
            ..GroupQuery::accounts(accounts.clone())
        };
        self.edit_existing(app, group_id, query, move |group, snap| {
            if type_of(group) != GroupType::AvChatRoom {
                return refusal(live_only());
            }
            GroupPlan {
                changes: accounts
                    .iter()
                    .filter(|a| snap.bans.contains_key(*a))
                    .map(|a| GroupChange::DeleteBan(a.clone()))
                    .collect(),
                ..GroupPlan::new()
            }
        })
        .await?;
        Ok(())
    }

    /// `get_group_ban_member`: a page of the accounts banned now, by account, with when each
    /// ban ends; and the `NextOffset` (0 when the list is finished).
    pub async fn bans(
        &self,
        app: &AppSettings,
        group_id: &str,
        offset: u64,
        limit: Option<usize>,
    ) -> ApiResult<(Vec<(String, i64)>, u64)> {
        let limit = limit.unwrap_or(MAX_BAN_PAGE);
        if limit == 0 || limit > MAX_BAN_PAGE {
            return Err(invalid(format!(
                "Limit must be 1 to {MAX_BAN_PAGE}, got {limit}"
            )));
        }
        let group = self.group(app, group_id).await?;
        if type_of(&group) != GroupType::AvChatRoom {
            return Err(live_only());
        }
        let mut page = self
            .store
            .group_bans(
                app.sdkappid,
                group_id.to_owned(),
                self.clock.now_secs(),
                offset,
                limit + 1,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let more = page.len() > limit;
        page.truncate(limit);
        let next = if more {
            offset.saturating_add(limit as u64)
        } else {
            0
        };
        Ok((page, next))
    }
}
