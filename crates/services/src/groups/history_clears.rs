//! What a member's history reads need besides the messages: a group's history cleared for
//! themselves (the SDK's `clearHistoryMessage` on a group conversation: their reads start after
//! the group's last message at that moment; the messages stay, for the other members and the
//! REST API), and the recalls they may have missed (`batch_get_group_notify`).

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::GroupRecall;

use super::{type_of, GroupService};
use crate::internal;

impl GroupService {
    /// `member` (10007 unless a member) clears `group_id`'s history for themselves; 10007 for
    /// an AVChatRoom, which keeps none.
    pub async fn clear_history_for(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
    ) -> ApiResult<()> {
        let group = self.group(app, group_id).await?;
        if !type_of(&group).keeps_history() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom keeps no message history",
            ));
        }
        self.require_member(app, group_id, member).await?;
        let up_to = group.next_msg_seq.saturating_sub(1);
        self.store
            .clear_group_history(app.sdkappid, group_id.to_owned(), member.to_owned(), up_to)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// Up to which `MsgSeq` `member` cleared `group_id`'s history (0: never): their history
    /// reads show only later messages.
    pub async fn history_cleared(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
    ) -> ApiResult<u64> {
        self.store
            .group_history_cleared(app.sdkappid, group_id.to_owned(), member.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// The messages of `group_id` (not its topics) recalled from `since_ms` to `until_ms`, in
    /// the order they were recalled, at most `limit`; for its members (10007 otherwise).
    pub async fn recalls_between(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
        (since_ms, until_ms): (i64, i64),
        limit: usize,
    ) -> ApiResult<Vec<GroupRecall>> {
        self.require_member(app, group_id, member).await?;
        self.store
            .group_recalls(app.sdkappid, group_id.to_owned(), since_ms, until_ms, limit)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }
}
