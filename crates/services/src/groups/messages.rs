//! Group messages: sending (`send_group_msg`) and history (`group_msg_get_simple`).
//!
//! A message is stored once per group, never once per member: its `MsgSeq` comes from the group
//! row under the group's lock, and members' unread counts are the distance between the group's
//! last `MsgSeq` and their own read position. Sending into 6,000 members costs what sending
//! into 3 does.

use std::sync::Arc;

use natter_core::message::BodyCodes;
use natter_core::{codes, ApiError, ApiResult, AppId, AppSettings, GroupType};
use natter_events::Budgets;
use natter_store::{GroupMessage, GroupSendOutcome, GroupSendRecord};
use natter_webhook::payloads::group::{
    GroupAfterSendMsg, GroupAtInfo, GroupBeforeSendMsg, SendMsgException,
};
use natter_webhook::payloads::MsgBodyElement;
use natter_webhook::{BeforeOutcome, Origin};
use serde_json::Value;

use super::delivery::Delivered;
use super::kinds::GroupKind;
use super::topics::{check_topic_kind, topic_not_found};
use super::{invalid, refused_by_callback, type_of, GroupService};
use crate::internal;
use crate::messages::apply_send_rewrite;
use crate::messages::extensions::Extensions;
use crate::messages::prepared::{prepare, Prepared};

/// Messages per second one group takes by default (Tencent's frequency control).
pub const DEFAULT_MESSAGES_PER_GROUP: u32 = 40;
/// The `rate_limits` key that overrides it per app.
pub const MESSAGES_PER_GROUP_KEY: &str = "group_open_http_svc/messages_per_group";
/// A repeated `Random` from the same sender within this many seconds is the same message.
const DEDUP_SECONDS: i64 = 300;
/// Most messages one history page holds.
pub const MAX_HISTORY: usize = 20;

pub const GROUP_BODY_CODES: BodyCodes = BodyCodes {
    not_array: codes::GROUP_INVALID_PARAM,
    bad_element: codes::GROUP_INVALID_PARAM,
    too_long: 80002,
};

/// A `send_group_msg` request, its body already checked.
#[derive(Debug, Clone, Default)]
pub struct GroupSend {
    /// The sender; the calling admin when `None`.
    pub from: Option<String>,
    pub random: u32,
    pub body: Vec<Value>,
    pub cloud_custom_data: String,
    /// 1 High, 2 Normal, 3 Low, 4 Lowest.
    pub priority: u32,
    pub online_only: bool,
    pub forbid_before_callback: bool,
    pub forbid_after_callback: bool,
    /// The topic it goes into (topic-enabled communities); `None`: the group itself.
    pub topic_id: Option<String>,
    /// `SupportMessageExtension` 1: the message takes key-value extensions.
    pub supports_extension: bool,
    /// `NeedReadReceipt` 1: members' reads of it are counted and reported.
    pub need_receipt: bool,
    /// `GroupAtInfo`: each mention, `None` for everyone. Reported in
    /// `Group.CallbackAfterSendMsg`.
    pub mentions: Vec<Option<String>>,
    /// `SendMsgControl` `NoUnread`: members' unread counts leave it out.
    pub no_unread: bool,
    /// `SendMsgControl` `NoLastMsg`: the group's last-message time stays as it was.
    pub no_last_msg: bool,
    /// `To_Account`: a directed message, for these members only (and not unread for anyone).
    pub to_accounts: Vec<String>,
    /// The sender's client time (`MsgClientTime`, from the Web SDK): the message's time when
    /// recent, as for one-to-one sends (see `messages::message_time`). `None` for REST.
    pub client_time: Option<i64>,
}

/// Most members one directed group message may name.
pub const MAX_DIRECTED_RECIPIENTS: usize = 50;

/// `To_Account` checks: at most 50 members, not with mentions, only in Work, Public and
/// Meeting groups (Tencent's client docs exclude communities and live groups).
fn check_directed(group_type: GroupType, req: &GroupSend) -> ApiResult<()> {
    if req.to_accounts.is_empty() {
        return Ok(());
    }
    if req.to_accounts.len() > MAX_DIRECTED_RECIPIENTS {
        return Err(invalid(format!(
            "To_Account names {} members; at most {MAX_DIRECTED_RECIPIENTS} are allowed",
            req.to_accounts.len()
        )));
    }
    if let Some(problem) = req
        .to_accounts
        .iter()
        .find_map(|a| natter_core::ids::user_id_problem(a))
    {
        return Err(invalid(format!("To_Account: {problem}")));
    }
    let mut distinct: Vec<&String> = req.to_accounts.iter().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != req.to_accounts.len() {
        return Err(invalid("To_Account names an account twice"));
    }
    if !req.mentions.is_empty() {
        return Err(invalid(
            "a directed message (To_Account) cannot mention members",
        ));
    }
    if matches!(group_type, GroupType::AvChatRoom | GroupType::Community) {
        return Err(invalid(format!(
            "{} groups take no directed messages (To_Account)",
            group_type.name()
        )));
    }
    Ok(())
}

/// What `send_group_msg` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSent {
    pub msg_seq: u64,
    pub msg_time: i64,
}

/// Counts each group's messages in the current second, for the whole cluster (see
/// `natter_events::Budgets`).
pub struct SendLimiter {
    budgets: Arc<Budgets>,
}

impl SendLimiter {
    pub fn new(budgets: Arc<Budgets>) -> Self {
        Self { budgets }
    }

    /// Counts one message of `priority` (1 High … 4 Lowest); false when it is refused. Tencent
    /// drops low-priority messages first when a group sends too fast and tells apps to mark
    /// control messages `High` so the limit never drops them. So here `Normal` messages get
    /// the whole budget of `limit` per second, `Low` its first three quarters, `Lowest` its
    /// first half, and `High` is never refused (but counts, crowding the others out).
    pub(super) async fn admit(
        &self,
        app: AppId,
        group_id: &str,
        now_secs: i64,
        limit: u32,
        priority: u32,
    ) -> bool {
        let key = format!("group.{app}.{group_id}");
        let share = match priority {
            1 => {
                self.budgets.force(&key, now_secs).await;
                return true;
            }
            3 => limit - limit / 4,
            4 => limit / 2,
            _ => limit,
        };
        self.budgets.take(&key, now_secs, share).await.is_some()
    }
}

/// `MsgPriority` as history reports it.
pub fn priority_number(name: Option<&str>) -> ApiResult<u32> {
    let name = name.unwrap_or("Normal");
    natter_events::Priority::from_name(name)
        .map(|p| u32::from(p.number()))
        .ok_or_else(|| {
            invalid(format!(
                "MsgPriority {name:?} is not High, Normal, Low or Lowest"
            ))
        })
}

fn elements(body: &[Value]) -> Vec<MsgBodyElement> {
    body.iter()
        .filter_map(|e| serde_json::from_value(e.clone()).ok())
        .collect()
}

impl GroupService {
    /// `send_group_msg`: the group's frequency limit (10023), `Group.CallbackBeforeSendMsg` (may
    /// refuse, drop or rewrite), then the message with the next `MsgSeq` and
    /// `Group.CallbackAfterSendMsg` in one transaction. A repeated `Random` from the same sender
    /// within five minutes answers the first message again.
    ///
    /// A send that fails once the group is known is reported to `Group.CallbackSendMsgException`
    /// (not when the app's own before-callback refused it: the app decided that itself).
    pub async fn send(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        req: GroupSend,
        origin: &Origin,
    ) -> ApiResult<GroupSent> {
        let mut kind = self.kind(app, group_id).await?;
        // Shared with the send, so the exception report needs no copy of the message; the
        // send copies it only if the app's before-callback rewrites it.
        let req = Arc::new(req);
        let mut result = self
            .send_into(app, operator, group_id, &kind, Arc::clone(&req), origin)
            .await;
        if matches!(result, Ok(None)) {
            // The group was created again with another type since this node remembered it.
            self.kinds.forget(app.sdkappid, group_id);
            kind = self.kind(app, group_id).await?;
            result = self
                .send_into(app, operator, group_id, &kind, Arc::clone(&req), origin)
                .await;
        }
        let result = result.and_then(|sent| {
            sent.ok_or_else(|| {
                ApiError::new(
                    codes::GROUP_INTERNAL,
                    format!("group {group_id} changed its type during the send; send again"),
                )
            })
        });
        if let Err(e) = &result {
            if e.code == codes::GROUP_NOT_FOUND {
                // Destroyed since this node remembered it: as if it had been read now.
                self.kinds.forget(app.sdkappid, group_id);
                return result;
            }
            let refused_by_app = e.code == codes::GROUP_CALLBACK_DENIED
                || super::CUSTOM_CODES.contains(&i64::from(e.code));
            if !refused_by_app {
                let exception = SendMsgException {
                    group_id: group_id.to_owned(),
                    group_type: kind.stored_type.clone(),
                    from_account: req.from.clone().unwrap_or_else(|| operator.to_owned()),
                    operator_account: operator.to_owned(),
                    random: req.random,
                    online_only_flag: u32::from(req.online_only && kind.group_type.keeps_history()),
                    msg_body: elements(&req.body),
                    cloud_custom_data: req.cloud_custom_data.clone(),
                    topic_id: req.topic_id.clone(),
                    error_code: i64::from(e.code),
                    error_info: e.info.clone(),
                    event_time: self.clock.now_ms() as u64,
                };
                // Sent at once and not kept: a flood of refused sends must not become a flood
                // of writes.
                self.webhooks
                    .notify_now(app.sdkappid, exception, origin.clone());
            }
        }
        result
    }

    /// One attempt of a send decided on `kind`; `None` when the store found the group to be of
    /// another type (nothing was written).
    async fn send_into(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        kind: &GroupKind,
        mut req: Arc<GroupSend>,
        origin: &Origin,
    ) -> ApiResult<Option<GroupSent>> {
        let group_type = kind.group_type;
        let topic = req.topic_id.clone();
        if topic.is_some() {
            check_topic_kind(group_id, kind)?;
        }
        let from = req.from.clone().unwrap_or_else(|| operator.to_owned());
        // A user under a global mute does not send (checked before any callback fires).
        let send_kind = crate::mutes::SendKind::Group;
        crate::mutes::check_send(
            &*self.store,
            &self.clock,
            app.sdkappid,
            origin,
            &from,
            send_kind,
        )
        .await?;
        let now = self.clock.now_secs();
        let limit = app
            .rate_limits
            .get(MESSAGES_PER_GROUP_KEY)
            .copied()
            .unwrap_or(DEFAULT_MESSAGES_PER_GROUP);
        // Each topic is a conversation of its own, with its own budget.
        let stream = topic.as_deref().unwrap_or(group_id);
        if limit > 0
            && !self
                .limiter
                .admit(app.sdkappid, stream, now, limit, req.priority)
                .await
        {
            return Err(ApiError::new(
                codes::GROUP_SEND_TOO_FAST,
                format!("{stream} takes at most {limit} messages per second"),
            ));
        }
        check_directed(group_type, &req)?;
        let online_only = req.online_only && group_type != GroupType::AvChatRoom;
        // The message's own time (stored, pushed, reported); `now` stays the time of the
        // group's changes (last send, last message), which must not move back.
        let msg_time = crate::messages::message_time(req.client_time, now);
        let msg_id = format!("{from}-{msg_time}-{}", req.random);
        if !req.forbid_before_callback {
            let before = GroupBeforeSendMsg {
                group_id: group_id.to_owned(),
                group_type: group_type.name().to_owned(),
                from_account: from.clone(),
                operator_account: operator.to_owned(),
                random: req.random,
                msg_id: msg_id.clone(),
                online_only_flag: u32::from(online_only),
                msg_body: elements(&req.body),
                cloud_custom_data: req.cloud_custom_data.clone(),
                topic_id: topic.clone(),
                event_time: self.clock.now_ms() as u64,
            };
            match self.webhooks.before(app.sdkappid, &before, origin).await {
                BeforeOutcome::Allow(Some(reply)) => {
                    let rewritten = Arc::make_mut(&mut req);
                    apply_send_rewrite(
                        &reply,
                        &mut rewritten.body,
                        &mut rewritten.cloud_custom_data,
                        GROUP_BODY_CODES,
                        codes::GROUP_CALLBACK_DENIED,
                    )?
                }
                // Dropped silently: the sender is told it went out; nothing is stored.
                BeforeOutcome::Discard => {
                    return Ok(Some(GroupSent {
                        msg_seq: 0,
                        msg_time,
                    }))
                }
                other => {
                    if let Some(refusal) = refused_by_callback(other) {
                        return Err(refusal);
                    }
                }
            }
        }
        // What members online now receive; nothing to build when no one is connected.
        let delivered = self.fanout.may_reach(app.sdkappid).then(|| Delivered {
            topic_id: topic.clone(),
            seq: 0,
            time: msg_time,
            random: req.random,
            from: from.clone(),
            priority: req.priority,
            online_only,
            body: req.body.clone(),
            cloud_custom_data: req.cloud_custom_data.clone(),
            recipients: req.to_accounts.clone(),
            supports_extension: req.supports_extension,
        });
        let connection = origin.connection;
        // For the operations data once stored: where it went and how many it is for.
        let counted_in = topic.clone().unwrap_or_else(|| group_id.to_owned());
        let directed_to = req.to_accounts.len() as u64;
        let now_ms = self.clock.now_ms();
        let report = (!req.forbid_after_callback).then(|| GroupAfterSendMsg {
            group_id: group_id.to_owned(),
            group_type: kind.stored_type.clone(),
            from_account: from.clone(),
            operator_account: operator.to_owned(),
            random: req.random,
            msg_id,
            msg_seq: 0,
            msg_time: msg_time as u64,
            online_only_flag: u32::from(online_only),
            msg_body: elements(&req.body),
            cloud_custom_data: req.cloud_custom_data.clone(),
            topic_id: topic.clone(),
            event_time: now_ms as u64,
            group_at_info: (!req.mentions.is_empty()).then(|| {
                req.mentions
                    .iter()
                    .map(|m| match m {
                        None => GroupAtInfo::all(),
                        Some(account) => GroupAtInfo::member(account),
                    })
                    .collect()
            }),
        });
        // The store fills in the MsgSeq it takes (see `messages::prepared`).
        let outbox = match &report {
            None => Vec::new(),
            Some(report) => {
                let order_key = format!("group:{group_id}");
                let set_seq = |r: &mut GroupAfterSendMsg, seq| r.msg_seq = seq;
                match prepare(
                    &self.webhooks,
                    app.sdkappid,
                    report,
                    set_seq,
                    &order_key,
                    origin,
                ) {
                    Prepared::Rows(rows) => rows,
                    Prepared::Unsplittable => {
                        return Err(ApiError::new(
                            codes::GROUP_INTERNAL,
                            "the after-send callback's body has no single MsgSeq to fill in",
                        ))
                    }
                }
            }
        };
        let wrote_outbox = !outbox.is_empty();
        let record = GroupSendRecord {
            group_id: group_id.to_owned(),
            group_type: kind.stored_type.clone(),
            message: GroupMessage {
                random: req.random,
                from: from.clone(),
                time: msg_time,
                body: Value::from(req.body.clone()).to_string(),
                cloud_custom_data: req.cloud_custom_data.clone(),
                priority: req.priority,
                topic_id: topic.clone().unwrap_or_default(),
                extensions: req.supports_extension.then(no_extensions),
                need_receipt: req.need_receipt,
                silent: req.no_unread || !req.to_accounts.is_empty(),
                recipients: req.to_accounts.clone(),
                ..GroupMessage::default()
            },
            online_only,
            keeps_history: group_type.keeps_history(),
            now,
            duplicate_since: now - DEDUP_SECONDS,
            moves_last_message: !req.no_last_msg,
            outbox,
            now_ms,
        };
        let outcome = self
            .store
            .send_group_message(app.sdkappid, record)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        // (MsgSeq, MsgTime, the members if this call stored it: a duplicate was delivered
        // before).
        let (msg_seq, msg_time, stored) = match outcome {
            GroupSendOutcome::Stored { seq, member_count } => (seq, msg_time, Some(member_count)),
            GroupSendOutcome::Duplicate { seq, time } => (seq, time, None),
            GroupSendOutcome::NoGroup => return Err(super::not_found(group_id)),
            GroupSendOutcome::OtherType => return Ok(None),
            GroupSendOutcome::NoTopic => {
                return Err(topic_not_found(topic.as_deref().unwrap_or_default()))
            }
            GroupSendOutcome::NoSender => {
                return Err(ApiError::new(
                    codes::GROUP_ACCOUNT_NOT_FOUND,
                    format!("sender {from} does not exist"),
                ))
            }
            GroupSendOutcome::Muted => {
                return Err(ApiError::new(
                    codes::GROUP_SENDER_MUTED,
                    format!("{from} is muted in this group"),
                ))
            }
        };
        if stored.is_some() && wrote_outbox {
            self.webhooks.wake();
        }
        let sent = GroupSent { msg_seq, msg_time };
        if let Some(member_count) = stored {
            // Down: every member but the sender, or the named members of a directed message.
            let recipients = if directed_to == 0 {
                member_count.saturating_sub(1)
            } else {
                directed_to
            };
            self.webhooks
                .ops()
                .group_message(app.sdkappid, &from, &counted_in, recipients);
        }
        if let Some(mut delivered) = delivered.filter(|_| stored.is_some()) {
            delivered.seq = sent.msg_seq;
            self.deliver(app, group_id, group_type, delivered, connection);
        }
        Ok(Some(sent))
    }

    /// `group_msg_get_simple`: up to 20 messages of the group or one of its topics with
    /// `MsgSeq <= max_seq` (the newest when `None`), newest first; recalled ones only with
    /// `with_recalled`.
    pub async fn history(
        &self,
        app: &AppSettings,
        group_id: &str,
        topic_id: Option<&str>,
        max_seq: Option<u64>,
        count: usize,
        with_recalled: bool,
    ) -> ApiResult<Vec<GroupMessage>> {
        if count == 0 || count > MAX_HISTORY {
            return Err(invalid(format!(
                "ReqMsgNumber must be 1 to {MAX_HISTORY}, got {count}"
            )));
        }
        let group = self.group(app, group_id).await?;
        if !type_of(&group).keeps_history() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom keeps no message history",
            ));
        }
        if let Some(tid) = topic_id {
            self.existing_topic(app, &group, tid).await?;
        }
        let messages = self
            .store
            .group_history(
                app.sdkappid,
                topic_id.unwrap_or(group_id).to_owned(),
                max_seq.unwrap_or(u64::MAX),
                count,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        Ok(messages
            .into_iter()
            .filter(|m| with_recalled || !m.recalled)
            .map(|m| GroupMessage {
                topic_id: topic_id.unwrap_or_default().to_owned(),
                ..m
            })
            .collect())
    }
}

/// The extensions of a message that takes them and has none yet.
fn no_extensions() -> Extensions {
    Extensions {
        latest_seq: 0,
        clear_seq: 0,
        items: Vec::new(),
    }
}

#[cfg(test)]
mod limiter_tests {
    use super::SendLimiter;

    #[tokio::test]
    async fn low_priorities_are_refused_first_and_high_never() {
        let limiter = SendLimiter::new(std::sync::Arc::new(natter_events::Budgets::local()));
        let limiter = &limiter;
        let admitted = |priority: u32, tries: u32| async move {
            let mut n = 0;
            for _ in 0..tries {
                n += usize::from(limiter.admit(1, "g", 100, 40, priority).await);
            }
            n
        };
        assert_eq!(admitted(4, 30).await, 20, "Lowest stops at half the budget");
        assert_eq!(admitted(3, 30).await, 10, "Low at three quarters");
        assert_eq!(admitted(2, 30).await, 10, "Normal takes the rest");
        assert_eq!(admitted(1, 5).await, 5, "High always goes");
        assert_eq!(admitted(2, 1).await, 0);
        // A new second, a new budget.
        assert!(limiter.admit(1, "g", 101, 40, 4).await);
    }
}
