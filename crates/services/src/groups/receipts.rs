//! Group read receipts (`get_group_msg_receipt`, `get_group_msg_receipt_detail`; Tencent pages
//! 1047/49439, 1047/49438), the Web SDK's question which of some members read some messages
//! (`get_group_msg_receipts_by_users`), and the client's read receipts that report
//! `Group.CallbackAfterReadReceipt`.
//!
//! Who has read a message comes from members' read positions (one number per member), never
//! from a row per member and message: a member has read every message up to their position.
//! The sender is counted on neither side.

use std::collections::BTreeMap;

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_events::{Priority, Push, Target};
use natter_store::{
    GroupChange, GroupMember, GroupMessage, GroupPlan, GroupQuery, GroupRecord, MemberCursor,
};
use natter_webhook::payloads::group::{AfterReadReceipt, GroupMsgReceipt};
use natter_webhook::payloads::MemberAccount;
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::members::{next_cursor, parse_next};
use super::{invalid, refusal, type_of, GroupService};

/// Most messages one receipt query may name.
pub const MAX_RECEIPT_MESSAGES: usize = 100;
/// Most accounts one detail page holds.
pub const MAX_RECEIPT_PAGE: usize = 200;

/// The read state of one message (`GroupMsgReceiptList` item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub msg_seq: u64,
    /// 0, or 10062 when the message does not exist or did not ask for receipts.
    pub code: u32,
    pub read_num: u32,
    pub unread_num: u32,
}

/// A page of `get_group_msg_receipt_detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDetail {
    pub accounts: Vec<String>,
    /// Where the next page starts; empty when finished.
    pub cursor: String,
    pub finished: bool,
}

/// Receipts exist in work, public and meeting groups (the pages list those).
fn check_receipt_group(group: &GroupRecord) -> ApiResult<()> {
    match type_of(group) {
        GroupType::Private | GroupType::Public | GroupType::ChatRoom => Ok(()),
        other => Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            format!("{} groups have no read receipts", other.name()),
        )),
    }
}

fn no_receipt(seq: u64) -> ApiError {
    ApiError::new(
        codes::GROUP_NO_RECEIPT,
        format!("message {seq} does not exist or was not sent with NeedReadReceipt 1"),
    )
}

/// The members other than the sender who have read `message` (`true`) or not (`false`).
fn split<'a>(
    members: &'a [GroupMember],
    message: &'a GroupMessage,
) -> impl Iterator<Item = (&'a GroupMember, bool)> {
    members
        .iter()
        .filter(move |m| m.member != message.from)
        .map(move |m| (m, m.read_seq >= message.seq))
}

fn receipt_of(members: &[GroupMember], message: &GroupMessage) -> Receipt {
    let read = split(members, message).filter(|(_, read)| *read).count();
    let unread = split(members, message).count() - read;
    Receipt {
        msg_seq: message.seq,
        code: 0,
        read_num: read as u32,
        unread_num: unread as u32,
    }
}

impl GroupService {
    /// The group, checked for receipts, its members and the named messages that asked for
    /// receipts.
    async fn receipt_state(
        &self,
        app: &AppSettings,
        group_id: &str,
        seqs: Vec<u64>,
    ) -> ApiResult<(Vec<GroupMember>, Vec<GroupMessage>)> {
        let group = self.group(app, group_id).await?;
        check_receipt_group(&group)?;
        let query = GroupQuery {
            messages: seqs,
            ..GroupQuery::default()
        };
        let snap = self.snapshot(app, group_id, query).await?;
        let messages = snap
            .messages
            .into_values()
            .filter(|m| m.need_receipt && !m.recalled && !m.deleted)
            .collect();
        Ok((self.all_members(app, group_id).await?, messages))
    }

    /// `get_group_msg_receipt`: how many members have read each message and how many have not.
    pub async fn receipts(
        &self,
        app: &AppSettings,
        group_id: &str,
        seqs: Vec<u64>,
    ) -> ApiResult<Vec<Receipt>> {
        if seqs.is_empty() || seqs.len() > MAX_RECEIPT_MESSAGES {
            return Err(invalid(format!(
                "MsgSeqList must name 1 to {MAX_RECEIPT_MESSAGES} messages, got {}",
                seqs.len()
            )));
        }
        let (members, messages) = self.receipt_state(app, group_id, seqs.clone()).await?;
        Ok(seqs
            .into_iter()
            .map(|seq| match messages.iter().find(|m| m.seq == seq) {
                Some(message) => receipt_of(&members, message),
                None => Receipt {
                    msg_seq: seq,
                    code: no_receipt(seq).code,
                    read_num: 0,
                    unread_num: 0,
                },
            })
            .collect())
    }

    /// `get_group_msg_receipt_detail`: a page of the members who have read a message (or, with
    /// `unread`, who have not), in join order. The cursor names the last member of the page (as
    /// the community `Next` cursor does), so members who read, join or leave between pages
    /// neither shift nor repeat the rest.
    pub async fn receipt_detail(
        &self,
        app: &AppSettings,
        group_id: &str,
        seq: u64,
        unread: bool,
        cursor: &str,
        count: usize,
    ) -> ApiResult<ReceiptDetail> {
        let after = match parse_next(cursor)? {
            MemberCursor::After { join_time, member } => Some((join_time, member)),
            MemberCursor::Offset(_) => None,
        };
        let count = count.clamp(1, MAX_RECEIPT_PAGE);
        let (mut members, messages) = self.receipt_state(app, group_id, vec![seq]).await?;
        let message = messages.first().ok_or_else(|| no_receipt(seq))?;
        members.sort_by(|a, b| (a.join_time, &a.member).cmp(&(b.join_time, &b.member)));
        let mut wanted: Vec<&GroupMember> = split(&members, message)
            .filter(|(_, read)| *read != unread)
            .map(|(m, _)| m)
            .filter(|m| {
                after
                    .as_ref()
                    .is_none_or(|(time, who)| (m.join_time, &m.member) > (*time, who))
            })
            .take(count + 1)
            .collect();
        let finished = wanted.len() <= count;
        wanted.truncate(count);
        Ok(ReceiptDetail {
            cursor: match wanted.last() {
                Some(last) if !finished => next_cursor(last),
                _ => String::new(),
            },
            accounts: wanted.into_iter().map(|m| m.member.clone()).collect(),
            finished,
        })
    }

    /// `getGroupReceiptsByUsers`: for each `(MsgSeq, accounts)`, the named accounts that have
    /// read that message, as `(MsgSeq, account)` in the order asked. Only messages that asked
    /// for receipts have readers; the sender, and an account that is not a member, never count
    /// as one. At most [`MAX_RECEIPT_MESSAGES`] messages, each naming 1 to
    /// [`MAX_RECEIPT_PAGE`] accounts.
    pub async fn readers_among(
        &self,
        app: &AppSettings,
        group_id: &str,
        asked: Vec<(u64, Vec<String>)>,
    ) -> ApiResult<Vec<(u64, String)>> {
        if asked.is_empty() || asked.len() > MAX_RECEIPT_MESSAGES {
            return Err(invalid(format!(
                "MemberReadMsgList must name 1 to {MAX_RECEIPT_MESSAGES} messages, got {}",
                asked.len()
            )));
        }
        if let Some((seq, accounts)) = asked
            .iter()
            .find(|(_, a)| a.is_empty() || a.len() > MAX_RECEIPT_PAGE)
        {
            return Err(invalid(format!(
                "message {seq} names {} accounts; 1 to {MAX_RECEIPT_PAGE} are allowed",
                accounts.len()
            )));
        }
        let seqs = asked.iter().map(|(seq, _)| *seq).collect();
        let (members, messages) = self.receipt_state(app, group_id, seqs).await?;
        let mut readers = Vec::new();
        for (seq, accounts) in asked {
            let Some(message) = messages.iter().find(|m| m.seq == seq) else {
                continue;
            };
            for account in accounts {
                let read = members
                    .iter()
                    .any(|m| m.member == account && m.member != message.from && m.read_seq >= seq);
                if read {
                    readers.push((seq, account));
                }
            }
        }
        Ok(readers)
    }

    /// A member sends read receipts for messages from their client: their read position moves
    /// to the newest of them (never back), `Group.CallbackAfterReadReceipt` reports the
    /// messages that asked for receipts with their new counts, and each sender's connections
    /// hear of their messages' new counts (`GroupMsgReceipt`).
    pub async fn send_read_receipts(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
        seqs: Vec<u64>,
        origin: &Origin,
    ) -> ApiResult<()> {
        if seqs.is_empty() || seqs.len() > MAX_RECEIPT_MESSAGES {
            return Err(invalid(format!(
                "name 1 to {MAX_RECEIPT_MESSAGES} messages, got {}",
                seqs.len()
            )));
        }
        let group = self.group(app, group_id).await?;
        check_receipt_group(&group)?;
        // Read before the edit: the counts reported are those of this moment, this reader's
        // new position included.
        let members = self.all_members(app, group_id).await?;
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let callback_origin = origin.clone();
        let reader = member.to_owned();
        let id = group_id.to_owned();
        let query = GroupQuery {
            accounts: vec![reader.clone()],
            messages: seqs,
            ..GroupQuery::default()
        };
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                let Some(current) = snap.members.get(&reader) else {
                    return refusal(ApiError::new(
                        codes::GROUP_NO_PERMISSION,
                        format!("{reader} is not a member of {id}"),
                    ));
                };
                let Some(newest) = snap.messages.keys().max().copied() else {
                    return refusal(no_receipt(0));
                };
                let mut plan: GroupPlan<Vec<(GroupMessage, Receipt)>> = GroupPlan::default();
                let mut updated = current.clone();
                updated.read_seq = updated.read_seq.max(newest);
                let members: Vec<GroupMember> = members
                    .into_iter()
                    .map(|m| {
                        if m.member == reader {
                            updated.clone()
                        } else {
                            m
                        }
                    })
                    .collect();
                let mut read: Vec<(GroupMessage, Receipt)> = snap
                    .messages
                    .values()
                    .filter(|m| m.need_receipt && !m.recalled && !m.deleted && m.from != reader)
                    .map(|m| (m.clone(), receipt_of(&members, m)))
                    .collect();
                read.sort_by_key(|(m, _)| m.seq);
                if updated.read_seq == current.read_seq {
                    // Nothing new was read: nothing to write or report.
                    return plan;
                }
                plan.changes.push(GroupChange::PutMember(updated));
                if !read.is_empty() {
                    let report = AfterReadReceipt {
                        group_id: id.clone(),
                        group_type: group.group_type.clone(),
                        group_msg_receipt_list: read
                            .iter()
                            .map(|(_, r)| GroupMsgReceipt {
                                msg_seq: r.msg_seq,
                                read_num: r.read_num,
                                unread_num: r.unread_num,
                                read_receipt_members: vec![MemberAccount::new(&reader)],
                            })
                            .collect(),
                        event_time: now_ms as u64,
                    };
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &id, &callback_origin));
                }
                plan.reply = read;
                plan
            })
            .await?;
        self.push_receipts(app, &group, member, outcome.reply, origin);
        Ok(())
    }

    /// Tells each sender's connections the new counts of their messages (`GroupMsgReceipt`).
    fn push_receipts(
        &self,
        app: &AppSettings,
        group: &GroupRecord,
        reader: &str,
        read: Vec<(GroupMessage, Receipt)>,
        origin: &Origin,
    ) {
        if read.is_empty() || !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let mut by_sender: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (message, receipt) in &read {
            by_sender.entry(&message.from).or_default().push(json!({
                "MsgSeq": message.seq,
                "Random": message.random,
                "MsgTime": message.time,
                "From_Account": message.from,
                "ReadNum": receipt.read_num,
                "UnreadNum": receipt.unread_num,
            }));
        }
        for (sender, list) in by_sender {
            let frame = json!({
                "Event": "GroupMsgReceipt",
                "GroupId": group.group_id,
                "GroupType": type_of(group).name(),
                "Reader_Account": reader,
                "MsgList": list,
            });
            self.fanout.send(
                app.sdkappid,
                Target::Users(vec![sender.to_owned()]),
                &Push::new(Priority::High, &frame),
                origin.connection,
            );
        }
    }

    /// A member has read the group up to `seq` (at most its last message): their read position
    /// moves there, never back (the SDK's `setMessageRead`). No callback, as none is documented.
    pub async fn read_up_to(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
        seq: u64,
    ) -> ApiResult<()> {
        let reader = member.to_owned();
        let id = group_id.to_owned();
        self.edit_existing(
            app,
            group_id,
            GroupQuery::accounts(vec![reader.clone()]),
            move |group, snap| {
                let Some(current) = snap.members.get(&reader) else {
                    return refusal(ApiError::new(
                        codes::GROUP_NO_PERMISSION,
                        format!("{reader} is not a member of {id}"),
                    ));
                };
                let mut plan = GroupPlan::new();
                let newest = seq.min(group.next_msg_seq.saturating_sub(1));
                if newest > current.read_seq {
                    let mut updated = current.clone();
                    updated.read_seq = newest;
                    plan.changes.push(GroupChange::PutMember(updated));
                }
                plan
            },
        )
        .await?;
        Ok(())
    }
}
