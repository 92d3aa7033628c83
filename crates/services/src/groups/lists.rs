//! Lists of groups: the groups a user joined, an app's groups, and members' unread counts.

use natter_core::{codes, ApiResult, AppSettings, GroupType};

use super::{invalid, type_of, GroupMember, GroupRecord, GroupService};
use crate::internal;

impl GroupService {
    /// `get_joined_group_list`: the groups `member` is in (live groups only with
    /// `with_huge_groups`), of one type or all, with their membership; and how many in all.
    pub async fn joined(
        &self,
        app: &AppSettings,
        member: &str,
        with_huge_groups: bool,
        group_type: Option<&str>,
        offset: usize,
        limit: Option<usize>,
    ) -> ApiResult<(Vec<(GroupRecord, GroupMember)>, u64)> {
        let wanted = match group_type {
            Some(name) => Some(
                GroupType::parse(name)
                    .ok_or_else(|| invalid(format!("GroupType {name:?} is not a group type")))?,
            ),
            None => None,
        };
        let all = self
            .store
            .joined_groups(app.sdkappid, member.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let matching: Vec<_> = all
            .into_iter()
            .filter(|(g, _)| {
                let t = type_of(g);
                (with_huge_groups || t != GroupType::AvChatRoom) && wanted.is_none_or(|w| w == t)
            })
            .collect();
        let total = matching.len() as u64;
        let page = matching
            .into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        Ok((page, total))
    }

    /// `get_appid_group_list`: a page of the app's group IDs in creation order, the cursor
    /// after it (0 when the list is finished), and how many groups there are.
    pub async fn app_groups(
        &self,
        app: &AppSettings,
        next: u64,
        limit: usize,
        group_type: Option<&str>,
    ) -> ApiResult<(Vec<String>, u64, u64)> {
        let wanted = match group_type {
            Some(name) => Some(
                GroupType::parse(name)
                    .ok_or_else(|| invalid(format!("GroupType {name:?} is not a group type")))?
                    .name()
                    .to_owned(),
            ),
            None => None,
        };
        let (page, total) = self
            .store
            .app_groups(
                app.sdkappid,
                i64::try_from(next).unwrap_or(i64::MAX),
                limit + 1,
                wanted,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let more = page.len() > limit;
        let page: Vec<_> = page.into_iter().take(limit).collect();
        let next = if more {
            page.last().map_or(0, |(_, serial)| *serial as u64)
        } else {
            0
        };
        Ok((page.into_iter().map(|(id, _)| id).collect(), next, total))
    }

    /// Each membership's unread count: the messages after the member's read position, less
    /// those that do not count (`NoUnread`, directed); none in types that count no unread.
    /// One indexed count per group.
    pub async fn unread_counts(
        &self,
        app: &AppSettings,
        memberships: &[(GroupRecord, GroupMember)],
    ) -> ApiResult<Vec<u64>> {
        let reads = memberships
            .iter()
            .filter(|(g, _)| type_of(g).counts_unread())
            .map(|(g, m)| (g.group_id.clone(), m.read_seq))
            .collect();
        let mut silent = self
            .store
            .silent_after(app.sdkappid, reads)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?
            .into_iter();
        Ok(memberships
            .iter()
            .map(|(g, m)| {
                if type_of(g).counts_unread() {
                    Self::unread(g, m).saturating_sub(silent.next().unwrap_or(0))
                } else {
                    0
                }
            })
            .collect())
    }

    /// A member's unread count by sequence numbers alone (none in types that count no unread).
    pub fn unread(group: &GroupRecord, member: &GroupMember) -> u64 {
        if !type_of(group).counts_unread() {
            return 0;
        }
        group
            .next_msg_seq
            .saturating_sub(1)
            .saturating_sub(member.read_seq)
    }
}
