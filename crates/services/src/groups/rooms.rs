//! Who is online in live groups: the AVChatRoom online count, the online member list (also of
//! communities), member marks, and `Group.CallbackOnMemberStateChange`.
//!
//! Presence is `natter_events::Presence`'s (the whole cluster's): a member of an AVChatRoom is
//! online in it while they have a client connection on any node. They come online when they join (`Join`) or log in again (`HeartbeatRecover`)
//! and go offline when they quit or are banned (`Quit`) or lose their last connection
//! (`HeartbeatInterrupt`). Marks live as long as the member is online, as on Tencent.

use std::collections::{BTreeMap, HashSet};

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_events::{MarkChange, RoomMember};
use natter_store::GroupQuery;
use natter_webhook::payloads::group::OnMemberStateChange;
use natter_webhook::payloads::MemberAccount;
use natter_webhook::Origin;

use super::{invalid, type_of, GroupService};
use crate::internal;
use crate::profile_fields::{IMAGE, NICK};

/// Members one `get_members` page holds (more when the page would split one second).
pub const ONLINE_PAGE: usize = 500;
/// Most accounts one `modify_user_info` may name.
pub const MAX_MARKED_ACCOUNTS: usize = 500;
/// Most distinct marks in one group, and most members carrying one mark.
pub const MAX_MARKS_PER_GROUP: usize = 10;
pub const MAX_MEMBERS_PER_MARK: usize = 1000;
/// The smallest ordinary mark; 500 is Tencent's one special mark.
const MIN_MARK: u64 = 1000;
const SPECIAL_MARK: u64 = 500;

/// `EventCause` of `Group.CallbackOnMemberStateChange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomCause {
    Join,
    Quit,
    HeartbeatInterrupt,
    HeartbeatRecover,
}

impl RoomCause {
    fn name(self) -> &'static str {
        match self {
            Self::Join => "Join",
            Self::Quit => "Quit",
            Self::HeartbeatInterrupt => "HeartbeatInterrupt",
            Self::HeartbeatRecover => "HeartbeatRecover",
        }
    }

    fn online(self) -> bool {
        matches!(self, Self::Join | Self::HeartbeatRecover)
    }
}

/// One member of `get_members`.
#[derive(Debug, Clone)]
pub struct OnlineMember {
    pub account: String,
    pub join_time: i64,
    pub nick: String,
    pub avatar: String,
}

/// One member's marks in `modify_user_info`, asked and answered.
#[derive(Debug, Clone)]
pub struct MemberMarks {
    pub account: String,
    pub marks: Vec<u64>,
}

fn not_live(group_id: &str, what: &str) -> ApiError {
    ApiError::new(
        codes::GROUP_NO_PERMISSION,
        format!("{group_id} is not an AVChatRoom; {what} exists only for live groups"),
    )
}

impl GroupService {
    /// The named accounts that are members of the group, in the order named (others left
    /// out): the Web SDK's `getGroupMemberProfile`. 10010 when the group does not exist.
    pub async fn named_members(
        &self,
        app: &AppSettings,
        group_id: &str,
        accounts: Vec<String>,
    ) -> ApiResult<Vec<natter_store::GroupMember>> {
        let mut snap = self
            .snapshot(app, group_id, GroupQuery::accounts(accounts.clone()))
            .await?;
        if snap.group.is_none() {
            return Err(super::not_found(group_id));
        }
        Ok(accounts
            .iter()
            .filter_map(|a| snap.members.remove(a))
            .collect())
    }

    /// `get_online_member_num`: members of an AVChatRoom online now.
    pub async fn online_count(&self, app: &AppSettings, group_id: &str) -> ApiResult<u64> {
        let group = self.group(app, group_id).await?;
        if type_of(&group) != GroupType::AvChatRoom {
            return Err(not_live(group_id, "an online count"));
        }
        Ok(self.presence.room_count(app.sdkappid, group_id) as u64)
    }

    /// `group_open_avchatroom_http_svc/get_members`: online members of an AVChatRoom or a
    /// community in join order, from join time `from` (0 first), with or without one mark;
    /// and the `NextTimestamp` (0 when the list is finished).
    pub async fn online_members(
        &self,
        app: &AppSettings,
        group_id: &str,
        from: i64,
        mark: Option<u64>,
    ) -> ApiResult<(Vec<OnlineMember>, i64)> {
        let group = self.group(app, group_id).await?;
        let online: Vec<RoomMember> = match type_of(&group) {
            GroupType::AvChatRoom => self.presence.room_members(app.sdkappid, group_id),
            GroupType::Community => self.online_community_members(app, group_id).await?,
            _ => return Err(not_live(group_id, "an online member list")),
        };
        let matching: Vec<RoomMember> = online
            .into_iter()
            .filter(|m| m.join_time >= from)
            .filter(|m| mark.is_none_or(|k| m.marks.contains(&k)))
            .collect();
        let (page, next) = page_by_second(matching);
        let accounts: Vec<String> = page.iter().map(|m| m.account.clone()).collect();
        let mut profiles = self
            .store
            .get_profiles(app.sdkappid, accounts, vec![NICK.into(), IMAGE.into()])
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let members = page
            .into_iter()
            .map(|m| {
                let profile = profiles.remove(&m.account).unwrap_or_default();
                let text = |tag: &str| {
                    profile
                        .iter()
                        .find(|v| v.tag == tag)
                        .and_then(|v| v.value.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                OnlineMember {
                    nick: text(NICK),
                    avatar: text(IMAGE),
                    account: m.account,
                    join_time: m.join_time,
                }
            })
            .collect();
        Ok((members, next))
    }

    /// Members of a community with a client connection, in join order.
    async fn online_community_members(
        &self,
        app: &AppSettings,
        group_id: &str,
    ) -> ApiResult<Vec<RoomMember>> {
        let online = self.presence.online_users(app.sdkappid);
        if online.is_empty() {
            return Ok(Vec::new());
        }
        let snap = self
            .snapshot(app, group_id, GroupQuery::accounts(online))
            .await?;
        let mut members: Vec<RoomMember> = snap
            .members
            .into_values()
            .map(|m| RoomMember {
                account: m.member,
                join_time: m.join_time,
                marks: Vec::new(),
            })
            .collect();
        members.sort_by(|a, b| (a.join_time, &a.account).cmp(&(b.join_time, &b.account)));
        Ok(members)
    }

    /// `modify_user_info`: sets (`CommandType` 1) or deletes (2) marks of members online in an
    /// AVChatRoom. Members not online are left out of the answer: marks live only while a
    /// member is online.
    pub async fn change_marks(
        &self,
        app: &AppSettings,
        group_id: &str,
        command_type: u32,
        members: Vec<MemberMarks>,
    ) -> ApiResult<Vec<MemberMarks>> {
        if members.is_empty() || members.len() > MAX_MARKED_ACCOUNTS {
            return Err(invalid(format!(
                "MemberList must name 1 to {MAX_MARKED_ACCOUNTS} members, got {}",
                members.len()
            )));
        }
        for m in &members {
            if m.marks.is_empty() {
                return Err(invalid(format!("Marks of {} is empty", m.account)));
            }
            if let Some(bad) = m.marks.iter().find(|&&k| k < MIN_MARK && k != SPECIAL_MARK) {
                return Err(invalid(format!(
                    "mark {bad} of {} is below {MIN_MARK}",
                    m.account
                )));
            }
        }
        let adding = match command_type {
            1 => true,
            2 => false,
            other => {
                return Err(invalid(format!(
                    "CommandType {other} is not 1 (set) or 2 (delete)"
                )))
            }
        };
        let group = self.group(app, group_id).await?;
        if type_of(&group) != GroupType::AvChatRoom {
            return Err(not_live(group_id, "member marking"));
        }
        let online = self.presence.room_members(app.sdkappid, group_id);
        if adding {
            check_mark_limits(&online, &members)?;
        }
        let online: HashSet<&str> = online.iter().map(|m| m.account.as_str()).collect();
        let mut changed = Vec::new();
        for m in members {
            if !online.contains(m.account.as_str()) {
                continue;
            }
            let change = if adding {
                MarkChange::Add(m.marks.clone())
            } else {
                MarkChange::Remove(m.marks.clone())
            };
            let offline = self
                .presence
                .change_marks(
                    app.sdkappid,
                    group_id,
                    std::slice::from_ref(&m.account),
                    &change,
                )
                .await;
            if offline.is_empty() {
                changed.push(m);
            }
        }
        Ok(changed)
    }

    /// At a user's first connection: online again in each AVChatRoom they are a member of.
    pub(crate) async fn come_online(&self, app: &AppSettings, user: &str, origin: &Origin) {
        let groups = match self
            .store
            .joined_groups(app.sdkappid, user.to_owned())
            .await
        {
            Ok(groups) => groups,
            Err(e) => {
                tracing::warn!(user, error = %e, "live rooms not rejoined at login");
                return;
            }
        };
        for (group, member) in groups {
            if type_of(&group) == GroupType::AvChatRoom {
                self.come_into_room(
                    app,
                    &group.group_id,
                    user,
                    member.join_time,
                    RoomCause::HeartbeatRecover,
                    origin,
                )
                .await;
            }
        }
    }

    /// Puts `user` online in the room and reports it, unless they were already. A ban, quit or
    /// disband may have been written since the membership was read, and its own removal from
    /// the room may already have run: so the membership is read again once the user is in,
    /// and a user who is no longer a member is taken back out without a report.
    async fn come_into_room(
        &self,
        app: &AppSettings,
        group_id: &str,
        user: &str,
        join_time: i64,
        cause: RoomCause,
        origin: &Origin,
    ) {
        if !self
            .presence
            .enter_room(app.sdkappid, group_id, user, join_time)
            .await
        {
            return;
        }
        match self.membership(app, group_id, user).await {
            Ok(Some(_)) => {
                self.report_room_state(app, group_id, cause, user, origin)
                    .await
            }
            Ok(None) | Err(_) => {
                self.presence.leave_room(app.sdkappid, group_id, user).await;
            }
        }
    }

    /// A user left `rooms` (already taken out of them by the hub).
    pub(crate) async fn went_offline(
        &self,
        app: &AppSettings,
        rooms: &[String],
        user: &str,
        cause: RoomCause,
        origin: &Origin,
    ) {
        for room in rooms {
            self.report_room_state(app, room, cause, user, origin).await;
        }
    }

    /// After a client joined `group`: online in it at once when it is live.
    pub(super) async fn entered(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        user: &str,
        join_time: i64,
        origin: &Origin,
    ) {
        if group_type == GroupType::AvChatRoom {
            self.come_into_room(app, group_id, user, join_time, RoomCause::Join, origin)
                .await;
        }
    }

    /// After members left a group (quit, kicked, banned): offline in it if they were online.
    pub(super) async fn left(
        &self,
        app: &AppSettings,
        group_id: &str,
        members: &[String],
        origin: &Origin,
    ) {
        for member in members {
            if self
                .presence
                .leave_room(app.sdkappid, group_id, member)
                .await
            {
                self.report_room_state(app, group_id, RoomCause::Quit, member, origin)
                    .await;
            }
        }
    }

    /// Writes `Group.CallbackOnMemberStateChange` to the outbox (it belongs to no stored
    /// change). A failure is logged: presence has already changed and cannot wait for it.
    async fn report_room_state(
        &self,
        app: &AppSettings,
        group_id: &str,
        cause: RoomCause,
        member: &str,
        origin: &Origin,
    ) {
        let report = OnMemberStateChange {
            group_id: group_id.to_owned(),
            event_type: if cause.online() { "Online" } else { "Offline" }.to_owned(),
            event_cause: cause.name().to_owned(),
            member_list: vec![MemberAccount::new(member)],
            event_time: self.clock.now_ms() as u64,
        };
        // Keyed by the group, as its other after-callbacks, so they arrive in order.
        self.webhooks
            .record_after(app.sdkappid, &report, &format!("group:{group_id}"), origin)
            .await;
    }
}

/// Tencent's limits: at most 10 distinct marks in a group, each on at most 1,000 members.
fn check_mark_limits(online: &[RoomMember], adding: &[MemberMarks]) -> ApiResult<()> {
    let mut carriers: BTreeMap<u64, HashSet<&str>> = BTreeMap::new();
    for m in online {
        for mark in &m.marks {
            carriers.entry(*mark).or_default().insert(&m.account);
        }
    }
    for m in adding {
        for mark in &m.marks {
            carriers.entry(*mark).or_default().insert(&m.account);
        }
    }
    if carriers.len() > MAX_MARKS_PER_GROUP {
        return Err(invalid(format!(
            "a group holds at most {MAX_MARKS_PER_GROUP} distinct marks; this would make {}",
            carriers.len()
        )));
    }
    if let Some((mark, _)) = carriers
        .iter()
        .find(|(_, who)| who.len() > MAX_MEMBERS_PER_MARK)
    {
        return Err(invalid(format!(
            "mark {mark} would be on more than {MAX_MEMBERS_PER_MARK} members"
        )));
    }
    Ok(())
}

/// The first page of `members` (in join order) and the join time the next page starts at
/// (0 when none). A page never splits one second, so the next page, asked from that second,
/// neither repeats nor skips anyone.
fn page_by_second(members: Vec<RoomMember>) -> (Vec<RoomMember>, i64) {
    let mut end = members.len().min(ONLINE_PAGE);
    while end > 0 && end < members.len() && members[end].join_time == members[end - 1].join_time {
        end += 1;
    }
    let next = members.get(end).map_or(0, |m| m.join_time);
    let mut page = members;
    page.truncate(end);
    (page, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(account: &str, join_time: i64) -> RoomMember {
        RoomMember {
            account: account.into(),
            join_time,
            marks: Vec::new(),
        }
    }

    #[test]
    fn pages_never_split_a_second() {
        let mut members: Vec<_> = (0..ONLINE_PAGE - 1)
            .map(|i| member(&format!("u{i:04}"), i as i64 + 1))
            .collect();
        members.push(member("a", 10_000));
        members.push(member("b", 10_000));
        members.push(member("c", 10_001));
        let (page, next) = page_by_second(members);
        assert_eq!(page.len(), ONLINE_PAGE + 1);
        assert_eq!(next, 10_001);
        let (page, next) = page_by_second(vec![member("a", 5)]);
        assert_eq!((page.len(), next), (1, 0));
    }
}
