//! What a member's history reads need besides the messages: a group's history cleared for
//! themselves (the SDK's `clearHistoryMessage` on a group conversation: their reads start after
//! the group's last message at that moment), messages they deleted for themselves (the SDK's
//! `deleteMessage`: their reads pass over them), and the recalls they may have missed
//! (`batch_get_group_notify`). Cleared and deleted messages stay for the other members and the
//! REST API.

use std::collections::HashSet;

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::{GroupMessage, GroupQuery, GroupRecall};

use super::messages::MAX_HISTORY;
use super::topics::check_topic_group;
use super::{invalid, not_found, type_of, GroupService};
use crate::internal;

/// Most messages one delete for oneself names (the SDK sends at most 30).
pub const MAX_DELETE_FOR_SELF: usize = 30;

/// How many store pages one page of a member's history may read to fill itself when the
/// member deleted many messages in a row; a page left short says where to go on.
const MAX_PAGE_READS: usize = 5;

/// A page of a member's own history of a group or topic (`group_msg_get`).
#[derive(Debug, Clone, Default)]
pub struct MemberHistory {
    /// Newest first.
    pub messages: Vec<GroupMessage>,
    /// The `MsgSeq`s within the page's span that the member deleted for themselves, newest
    /// first (the SDK's `InvisibleMsgSeq`).
    pub invisible: Vec<u64>,
    /// The newest `MsgSeq` of the next page; 0 when `finished`.
    pub next: u64,
    /// No older message is left for the member.
    pub finished: bool,
}

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

    /// `member` deletes the messages `seqs` of `group_id` (or of its topic `topic_id`) from
    /// their own history: their history reads pass over them from now on, on every device;
    /// the other members and the REST API keep them. 10035 in an AVChatRoom (it keeps no
    /// history), 10007 unless a member; a `MsgSeq` that names no message is passed over.
    /// Returns how many were deleted that were not already.
    pub async fn delete_for_self(
        &self,
        app: &AppSettings,
        group_id: &str,
        topic_id: Option<&str>,
        member: &str,
        seqs: Vec<u64>,
    ) -> ApiResult<u64> {
        if seqs.is_empty() || seqs.len() > MAX_DELETE_FOR_SELF {
            return Err(invalid(format!(
                "{} messages named; 1 to {MAX_DELETE_FOR_SELF} are allowed",
                seqs.len()
            )));
        }
        let query = GroupQuery {
            topics: topic_id.map(str::to_owned).into_iter().collect(),
            ..GroupQuery::accounts(vec![member.to_owned()])
        };
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap.group.as_ref().ok_or_else(|| not_found(group_id))?;
        if !type_of(group).keeps_history() {
            return Err(ApiError::new(
                codes::GROUP_CANNOT_DELETE_MESSAGES,
                "an AVChatRoom keeps no message history to delete from",
            ));
        }
        if !snap.members.contains_key(member) {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("{member} is not a member of {group_id}"),
            ));
        }
        let next_seq = match topic_id {
            Some(tid) => {
                check_topic_group(group)?;
                snap.topics
                    .get(tid)
                    .ok_or_else(|| super::topics::topic_not_found(tid))?
                    .next_msg_seq
            }
            None => group.next_msg_seq,
        };
        let seqs: Vec<u64> = seqs
            .into_iter()
            .filter(|s| (1..next_seq).contains(s))
            .collect();
        if seqs.is_empty() {
            return Ok(0);
        }
        let stream = (
            group_id.to_owned(),
            topic_id.unwrap_or_default().to_owned(),
            member.to_owned(),
        );
        self.store
            .hide_group_messages(app.sdkappid, stream, seqs)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// A page of `member`'s own history of `group_id` (or its topic `topic_id`): up to `count`
    /// messages with `MsgSeq <= max_seq` (the newest when `None`), newest first, after where
    /// the member cleared the group's history and without those they deleted for themselves
    /// (listed in `invisible`). The page reads on past deleted messages to fill itself (at most
    /// [`MAX_PAGE_READS`] store pages). The member's right to read is the caller's check.
    pub async fn member_history(
        &self,
        app: &AppSettings,
        (group_id, topic_id): (&str, Option<&str>),
        member: &str,
        (max_seq, count): (Option<u64>, usize),
        with_recalled: bool,
    ) -> ApiResult<MemberHistory> {
        if count == 0 || count > MAX_HISTORY {
            return Err(invalid(format!(
                "ReqMsgNumber must be 1 to {MAX_HISTORY}, got {count}"
            )));
        }
        // Topics have no clear of their own (`clear_msg` names the group).
        let floor = match topic_id {
            Some(_) => 0,
            None => self.history_cleared(app, group_id, member).await?,
        };
        let stream = (
            group_id.to_owned(),
            topic_id.unwrap_or_default().to_owned(),
            member.to_owned(),
        );
        let mut page = MemberHistory::default();
        let mut upper = max_seq.unwrap_or(u64::MAX);
        for _ in 0..MAX_PAGE_READS {
            if upper <= floor {
                page.finished = true;
                break;
            }
            let read = self
                .history(app, group_id, topic_id, Some(upper), count, with_recalled)
                .await?;
            let (Some(oldest), Some(newest)) = (
                read.iter().map(|m| m.seq).min(),
                read.iter().map(|m| m.seq).max(),
            ) else {
                page.finished = true;
                break;
            };
            let hidden: HashSet<u64> = self
                .store
                .hidden_group_messages(app.sdkappid, stream.clone(), oldest, newest)
                .await
                .map_err(internal(codes::GROUP_INTERNAL))?
                .into_iter()
                .collect();
            // Newest first; `upper` follows the last message taken (or passed over).
            for message in read {
                if message.seq <= floor {
                    upper = floor;
                    break;
                }
                if page.messages.len() == count {
                    break;
                }
                upper = message.seq - 1;
                if hidden.contains(&message.seq) {
                    page.invisible.push(message.seq);
                } else {
                    page.messages.push(message);
                }
            }
            if page.messages.len() == count {
                break;
            }
        }
        page.finished |= upper <= floor;
        page.next = if page.finished { 0 } else { upper };
        Ok(page)
    }
}
