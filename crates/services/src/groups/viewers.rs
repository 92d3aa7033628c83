//! Who may follow an AVChatRoom's messages by long polling (the Web SDK's
//! `group_open_long_polling_http_*svc.get_msg`): anyone, without logging in, in an AVChatRoom
//! that exists (the SDK's `joinGroup` before login); a logged-in user in an AVChatRoom they are
//! a member of. The messages themselves come from the hub's feeds (`natter_events::live`).
//!
//! A viewer who is not logged in has no account: they are no member, are not counted online
//! (`get_online_member_num`, `get_members`), cannot be banned or marked, and fire no callback
//! (Tencent's join and state-change callbacks name an account). Only AVChatRooms take them, as
//! Tencent's client docs say; they cannot send.

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::GroupQuery;

use crate::groups::{not_found, type_of, GroupService};

impl GroupService {
    /// A viewer without login may watch `group_id`: it exists (10010) and is an AVChatRoom
    /// (10007: other types need a logged-in member).
    pub async fn watch_anonymously(&self, app: &AppSettings, group_id: &str) -> ApiResult<()> {
        let snap = self.snapshot(app, group_id, GroupQuery::default()).await?;
        let group = snap.group.ok_or_else(|| not_found(group_id))?;
        if type_of(&group) != GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!(
                    "{group_id} is a {} group: only AVChatRooms can be joined without logging in",
                    type_of(&group).name()
                ),
            ));
        }
        Ok(())
    }

    /// `user` may poll `group_id`'s messages: an AVChatRoom (10007 otherwise) they are a member
    /// of (10007), that exists (10010).
    pub async fn may_poll(&self, app: &AppSettings, group_id: &str, user: &str) -> ApiResult<()> {
        let query = GroupQuery::accounts(vec![user.to_owned()]);
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap.group.as_ref().ok_or_else(|| not_found(group_id))?;
        if type_of(group) != GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("{group_id} is not an AVChatRoom: its messages are pushed, not polled"),
            ));
        }
        if !snap.members.contains_key(user) {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("{user} is not a member of {group_id}"),
            ));
        }
        Ok(())
    }

    /// Whether `group_id` is an AVChatRoom (false when there is no such group): the Web SDK
    /// keeps a joined AVChatRoom as one only when the join's reply says so.
    pub async fn is_av_chat_room(&self, app: &AppSettings, group_id: &str) -> ApiResult<bool> {
        let snap = self.snapshot(app, group_id, GroupQuery::default()).await?;
        Ok(snap
            .group
            .is_some_and(|g| type_of(&g) == GroupType::AvChatRoom))
    }
}
