//! Sends whose whole write the store can do in one round trip: the after-callback rows come as
//! templates the store finishes itself with the one number only it knows (the recipient's new
//! unread total, a message's `MsgSeq`), instead of a closure it would have to call between two
//! statements. On PostgreSQL such a send is one call of a server-side function (migration 27).

use crate::{
    AnyReply, GroupChange, GroupEdit, GroupMessage, GroupPlan, GroupQuery, GroupStore, OutboxEvent,
    StoreResult,
};

/// An after-callback row whose body waits for one number: `event.body`, then the number in
/// decimal, then `rest`. With `rest` `None` the body does not contain the number and is whole.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxTemplate {
    pub event: OutboxEvent,
    pub rest: Option<String>,
}

impl OutboxTemplate {
    /// An event that needs no number.
    pub fn whole(event: OutboxEvent) -> Self {
        Self { event, rest: None }
    }

    /// The template of an event from two renderings of it, one with the number 1 and one with
    /// 2: where the bodies differ is where the number goes. `None` unless they differ in
    /// exactly that one place (the number appears once) and nowhere else, so filling the
    /// template with any number gives the body the event's builder would have made.
    pub fn from_renderings(one: OutboxEvent, two: OutboxEvent) -> Option<Self> {
        let same_row = one.command == two.command
            && one.order_key == two.order_key
            && one.client_ip == two.client_ip
            && one.opt_platform == two.opt_platform;
        if !same_row {
            return None;
        }
        if one.body == two.body {
            return Some(Self::whole(one));
        }
        let (a, b) = (one.body.as_bytes(), two.body.as_bytes());
        let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let room = a.len().min(b.len()) - prefix;
        let suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(room)
            .take_while(|(x, y)| x == y)
            .count();
        // Both middles are single ASCII digits when they are "1" and "2", so the cuts fall on
        // character boundaries.
        if &a[prefix..a.len() - suffix] != b"1" || &b[prefix..b.len() - suffix] != b"2" {
            return None;
        }
        let rest = one.body[one.body.len() - suffix..].to_owned();
        let mut event = one;
        event.body.truncate(prefix);
        Some(Self {
            event,
            rest: Some(rest),
        })
    }

    /// The event with `number` in its place.
    pub fn fill(self, number: u64) -> OutboxEvent {
        let mut event = self.event;
        if let Some(rest) = self.rest {
            event.body = format!("{}{number}{rest}", event.body);
        }
        event
    }
}

/// A group (or topic) message to store with `send_group_message`: the store takes its `MsgSeq`
/// from the group's (or topic's) row under the group's lock.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSendRecord {
    pub group_id: String,
    /// The group's type as the caller decided the send on (it may have remembered it from an
    /// earlier read): a group of another type answers `OtherType` and nothing is written.
    pub group_type: String,
    /// The message; its `seq` is the store's to choose, its `topic_id` names the topic (empty:
    /// the group itself).
    pub message: GroupMessage,
    /// Online only: takes no `MsgSeq` (0) and is not stored.
    pub online_only: bool,
    /// The group's type keeps history (all but AVChatRoom): the message is stored.
    pub keeps_history: bool,
    /// Unix seconds: the sender's last send and (with `moves_last_message`) the group's or
    /// topic's last-message time.
    pub now: i64,
    /// The same sender's message with the same `Random` at or after this time (Unix seconds) is
    /// this one again.
    pub duplicate_since: i64,
    /// False for `NoLastMsg`: the last-message time stays as it was.
    pub moves_last_message: bool,
    /// After-callback rows, filled with the message's `MsgSeq`.
    pub outbox: Vec<OutboxTemplate>,
    pub now_ms: i64,
}

/// What `send_group_message` did. Only `Stored` wrote anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSendOutcome {
    NoGroup,
    /// The group exists with another type than the send named (destroyed and created again).
    OtherType,
    /// The topic is not one of this group's.
    NoTopic,
    /// The sender sent this message before (same `Random` within the window): its first
    /// `MsgSeq` and time.
    Duplicate {
        seq: u64,
        time: i64,
    },
    /// The sender's account does not exist.
    NoSender,
    /// The sender is a member muted in this group.
    Muted,
    Stored {
        seq: u64,
        /// The group's members as the send found them (for the operations data).
        member_count: u64,
    },
}

/// `send_group_message` as one group edit, for engines without a faster form: the same
/// decisions the PostgreSQL function makes, in the same order (group, type, topic, duplicate,
/// sender, mute), then the message, the sender's read position and last send, the
/// after-callbacks and the group's (or topic's) next `MsgSeq` and last-message time.
pub(crate) async fn send_group_by_edit<S: GroupStore + ?Sized>(
    store: &S,
    app: natter_core::AppId,
    send: GroupSendRecord,
) -> StoreResult<GroupSendOutcome> {
    let sender = send.message.from.clone();
    let topic = Some(send.message.topic_id.clone()).filter(|t| !t.is_empty());
    let query = GroupQuery {
        accounts: vec![sender.clone()],
        duplicate_of: Some((sender.clone(), send.message.random, send.duplicate_since)),
        topic: topic.clone(),
        ..GroupQuery::default()
    };
    let (group_id, now_ms) = (send.group_id.clone(), send.now_ms);
    let edit: GroupEdit = Box::new(move |snap| {
        let answer = |outcome: GroupSendOutcome| {
            GroupPlan::new().map_reply(move |()| Box::new(outcome) as AnyReply)
        };
        let Some(group) = &snap.group else {
            return answer(GroupSendOutcome::NoGroup);
        };
        if group.group_type != send.group_type {
            return answer(GroupSendOutcome::OtherType);
        }
        let member_count = group.member_count;
        let mut topic_row = match &topic {
            Some(tid) => match snap.topics.get(tid) {
                Some(t) => Some(t.clone()),
                None => return answer(GroupSendOutcome::NoTopic),
            },
            None => None,
        };
        if let Some(first) = &snap.duplicate {
            return answer(GroupSendOutcome::Duplicate {
                seq: first.seq,
                time: first.time,
            });
        }
        if !snap.existing.contains(&sender) {
            return answer(GroupSendOutcome::NoSender);
        }
        let member = snap.members.get(&sender).cloned();
        if member.as_ref().is_some_and(|m| m.muted_until > send.now) {
            return answer(GroupSendOutcome::Muted);
        }
        let mut plan = GroupPlan::new();
        let mut group = group.clone();
        let next_seq = match &mut topic_row {
            Some(t) => &mut t.next_msg_seq,
            None => &mut group.next_msg_seq,
        };
        let seq = if send.online_only { 0 } else { *next_seq };
        if !send.online_only {
            *next_seq += 1;
            if send.keeps_history {
                plan.changes.push(GroupChange::AddMessage(GroupMessage {
                    seq,
                    ..send.message
                }));
            }
        }
        if let Some(mut member) = member {
            // Sending means having read up to one's own message.
            match &topic {
                Some(tid) => plan.changes.push(GroupChange::ReadTopicUpTo {
                    topic_id: tid.clone(),
                    member: sender.clone(),
                    seq,
                }),
                None => member.read_seq = member.read_seq.max(seq),
            }
            member.last_send_time = send.now;
            plan.changes.push(GroupChange::PutMember(member));
        }
        plan.outbox = send.outbox.into_iter().map(|t| t.fill(seq)).collect();
        match topic_row {
            Some(mut t) => {
                if send.moves_last_message {
                    t.last_msg_time = send.now;
                }
                plan.changes.push(GroupChange::PutTopic(Box::new(t)));
            }
            None => {
                if send.moves_last_message {
                    group.last_msg_time = send.now;
                }
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
            }
        }
        plan.map_reply(move |()| {
            Box::new(GroupSendOutcome::Stored { seq, member_count }) as AnyReply
        })
    });
    let outcome = store
        .edit_group_any(app, group_id, query, now_ms, edit)
        .await?;
    Ok(*outcome
        .reply
        .downcast::<GroupSendOutcome>()
        .expect("the send's edit answers a GroupSendOutcome"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(body: &str) -> OutboxEvent {
        OutboxEvent {
            command: "C2C.CallbackAfterSendMsg".into(),
            order_key: "c2c:a:b".into(),
            body: body.into(),
            client_ip: "127.0.0.1".into(),
            opt_platform: "RESTAPI".into(),
        }
    }

    #[test]
    fn the_number_goes_where_the_renderings_differ() {
        let t = OutboxTemplate::from_renderings(
            event(r#"{"A":"1","UnreadMsgNum":1,"B":[1]}"#),
            event(r#"{"A":"1","UnreadMsgNum":2,"B":[1]}"#),
        )
        .unwrap();
        assert_eq!(
            t.clone().fill(1234).body,
            r#"{"A":"1","UnreadMsgNum":1234,"B":[1]}"#
        );
        assert_eq!(t.fill(0).body, r#"{"A":"1","UnreadMsgNum":0,"B":[1]}"#);
    }

    #[test]
    fn a_body_without_the_number_is_whole() {
        let t = OutboxTemplate::from_renderings(event("{}"), event("{}")).unwrap();
        assert_eq!(t.rest, None);
        assert_eq!(t.fill(7).body, "{}");
    }

    #[test]
    fn a_number_that_appears_twice_or_changes_more_is_refused() {
        assert!(OutboxTemplate::from_renderings(
            event(r#"{"A":1,"B":1}"#),
            event(r#"{"A":2,"B":2}"#)
        )
        .is_none());
        assert!(
            OutboxTemplate::from_renderings(event(r#"{"A":true}"#), event(r#"{"A":false}"#))
                .is_none()
        );
        let mut other = event(r#"{"A":2}"#);
        other.order_key = "elsewhere".into();
        assert!(OutboxTemplate::from_renderings(event(r#"{"A":1}"#), other).is_none());
    }
}
