//! Pushing group traffic to members online now: messages (the reply has gone out first; the
//! push runs on its own task), system notifications and AVChatRoom broadcasts. Frames are
//! described in docs/client-protocol.md.

use std::sync::atomic::{AtomicU64, Ordering};

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_events::{Priority, Push, Target};
use natter_store::GroupQuery;
use serde_json::{json, Value};

use super::topics::{check_topic_group, topic_not_found};
use super::{invalid, type_of, GroupService};

/// Most recipients one system notification may name.
pub const MAX_NOTIFICATION_RECIPIENTS: usize = 500;

/// A group message as clients receive it.
#[derive(Debug, Clone)]
pub(crate) struct Delivered {
    pub topic_id: Option<String>,
    pub seq: u64,
    pub time: i64,
    pub random: u32,
    pub from: String,
    pub priority: u32,
    pub online_only: bool,
    pub body: Vec<Value>,
    pub cloud_custom_data: String,
    /// `To_Account` of a directed message; empty: every member.
    pub recipients: Vec<String>,
    /// Sent with `SupportMessageExtension` 1: it takes key-value extensions.
    pub supports_extension: bool,
}

impl Delivered {
    fn frame(&self, group_id: &str, broadcast: bool) -> Push {
        let mut frame = json!({
            "Event": "GroupMsg",
            "GroupId": group_id,
            "MsgSeq": self.seq,
            "MsgTime": self.time,
            "Random": self.random,
            "From_Account": self.from,
            "MsgPriority": Priority::from_number(self.priority).name(),
            "OnlineOnlyFlag": u32::from(self.online_only),
            "MsgBody": self.body,
            "CloudCustomData": self.cloud_custom_data,
        });
        if let Some(topic) = &self.topic_id {
            frame["TopicId"] = json!(topic);
        }
        if broadcast {
            frame["IsBroadcast"] = json!(1);
        }
        if !self.recipients.is_empty() {
            frame["To_Account"] = json!(self.recipients);
        }
        if self.supports_extension {
            frame["SupportMessageExtension"] = json!(1);
        }
        Push::new(Priority::from_number(self.priority), &frame)
    }
}

/// `MsgSeq` of AVChatRoom broadcasts: unique per app and rising across restarts. They are kept
/// nowhere, so it follows the clock in seconds, one step at least per broadcast: under the API's
/// limit of one per second it never runs ahead of the clock, and Unix seconds fit the 32 bits
/// that Tencent's `MsgSeq` and every typed SDK use (milliseconds do not).
#[derive(Default)]
pub(crate) struct BroadcastSeq(AtomicU64);

impl BroadcastSeq {
    fn next(&self, now_secs: u64) -> u64 {
        let mut last = self.0.load(Ordering::Relaxed);
        loop {
            let seq = now_secs.max(last + 1) & u64::from(u32::MAX);
            match self
                .0
                .compare_exchange(last, seq, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return seq,
                Err(seen) => last = seen,
            }
        }
    }
}

impl GroupService {
    /// Pushes a stored (or online-only) message to the members online now (a directed one to
    /// its recipients and the sender's other devices). `except` is the sender's own connection,
    /// which has its answer already.
    pub(crate) fn deliver(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        msg: Delivered,
        except: Option<u64>,
    ) {
        let push = msg.frame(group_id, false);
        let target = if group_type == GroupType::AvChatRoom {
            Target::Room(group_id.to_owned())
        } else {
            let mut only = msg.recipients;
            if !only.is_empty() {
                only.push(msg.from);
            }
            Target::GroupMembers {
                group_id: group_id.to_owned(),
                only,
            }
        };
        self.fanout.send(app.sdkappid, target, &push, except);
    }

    /// `send_group_system_notification`: `content` to the members online now, all of them or
    /// those named (at most 500; not in an AVChatRoom, where it goes to everyone). It is not
    /// stored: clients receive it as it happens, as Tencent's REST custom data.
    pub async fn system_notification(
        &self,
        app: &AppSettings,
        group_id: &str,
        recipients: Vec<String>,
        content: String,
        topic_id: Option<String>,
    ) -> ApiResult<()> {
        if recipients.len() > MAX_NOTIFICATION_RECIPIENTS {
            return Err(invalid(format!(
                "ToMembers_Account names {} accounts; at most {MAX_NOTIFICATION_RECIPIENTS} are allowed",
                recipients.len()
            )));
        }
        // One read: the group and, when one is named, whether the topic is one of its own.
        let query = GroupQuery {
            topics: topic_id.iter().cloned().collect(),
            ..GroupQuery::default()
        };
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap.group.ok_or_else(|| super::not_found(group_id))?;
        let group_type = type_of(&group);
        if group_type == GroupType::AvChatRoom && !recipients.is_empty() {
            return Err(invalid(
                "an AVChatRoom's system notifications go to all members; leave ToMembers_Account empty",
            ));
        }
        if let Some(topic) = &topic_id {
            check_topic_group(&group)?;
            if !snap.topics.contains_key(topic) {
                return Err(topic_not_found(topic));
            }
        }
        let mut frame = json!({
            "Event": "GroupSystemNotification",
            "GroupId": group_id,
            "Content": content,
        });
        if let Some(topic) = &topic_id {
            frame["TopicId"] = json!(topic);
        }
        let push = Push::new(Priority::High, &frame);
        let target = if group_type == GroupType::AvChatRoom {
            Target::Room(group_id.to_owned())
        } else {
            Target::GroupMembers {
                group_id: group_id.to_owned(),
                only: recipients,
            }
        };
        self.fanout.send(app.sdkappid, target, &push, None);
        Ok(())
    }

    /// `send_broadcast_msg`: one message to everyone online in every AVChatRoom of the app
    /// (its frequency limit, 1 per second by default, is the API's). Returns its `MsgSeq`.
    pub async fn broadcast(
        &self,
        app: &AppSettings,
        operator: &str,
        from: Option<String>,
        random: u32,
        body: Vec<Value>,
        cloud_custom_data: String,
    ) -> ApiResult<u64> {
        let from = from.unwrap_or_else(|| operator.to_owned());
        let exists = self
            .store
            .accounts_exist(app.sdkappid, vec![from.clone()])
            .await
            .map_err(crate::internal(codes::GROUP_INTERNAL))?;
        if !exists.first().copied().unwrap_or(false) {
            return Err(ApiError::new(
                codes::GROUP_ACCOUNT_NOT_FOUND,
                format!("sender {from} does not exist"),
            ));
        }
        let now = self.clock.now_secs();
        let seq = self.broadcast_seq.next(now as u64);
        let msg = Delivered {
            topic_id: None,
            seq,
            time: now,
            random,
            from,
            priority: 2,
            online_only: false,
            body,
            cloud_custom_data,
            recipients: Vec::new(),
            supports_extension: false,
        };
        // Every node sets each of its rooms' `GroupId` in the frame.
        self.fanout
            .send(app.sdkappid, Target::AllRooms, &msg.frame("", true), None);
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_seq_rises_even_within_one_millisecond() {
        let seq = BroadcastSeq::default();
        assert_eq!(seq.next(1_000), 1_000);
        assert_eq!(seq.next(1_000), 1_001);
        assert_eq!(seq.next(999), 1_002);
        assert_eq!(seq.next(5_000), 5_000);
    }

    #[test]
    fn frames_carry_the_priority_name_and_topic() {
        let msg = Delivered {
            topic_id: Some("t".into()),
            seq: 3,
            time: 9,
            random: 7,
            from: "alice".into(),
            priority: 4,
            online_only: false,
            body: vec![],
            cloud_custom_data: String::new(),
            recipients: Vec::new(),
            supports_extension: false,
        };
        let push = msg.frame("g", false);
        assert_eq!(push.priority, Priority::Lowest);
        let frame: Value = serde_json::from_str(&push.frame).unwrap();
        assert_eq!(frame["MsgPriority"], "Lowest");
        assert_eq!(frame["TopicId"], "t");
        assert!(frame.get("IsBroadcast").is_none());
    }
}
