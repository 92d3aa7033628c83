//! Bringing groups over from another system (`import_group_member`, `import_group_msg`), and
//! the administrative edits of members' state (`set_unread_msg_num`,
//! `delete_group_msg_by_sender`). None of these fire callbacks.

use natter_core::group::{ADMIN, MEMBER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupMember, GroupMessage, GroupPlan, GroupQuery};
use serde_json::Value;

use super::members::{AddedMember, MemberAdd, MAX_ADD};
use super::topics::{check_topic_group, topic_not_found};
use super::{invalid, refusal, type_of, GroupService};

/// Most messages one `import_group_msg` may carry.
pub const MAX_IMPORT_MESSAGES: usize = 7;

/// One member to import.
#[derive(Debug, Clone, Default)]
pub struct ImportedMember {
    pub member: String,
    pub role: Option<String>,
    /// Unix seconds; now when `None`.
    pub join_time: Option<i64>,
    pub unread: u64,
}

/// One message to import, its body already checked.
#[derive(Debug, Clone, Default)]
pub struct ImportedMessage {
    pub from: String,
    /// Unix seconds.
    pub send_time: i64,
    pub random: u32,
    pub body: Vec<Value>,
}

impl GroupService {
    /// `import_group_member`: members as they were (role, join time, unread count); per account
    /// 1 imported, 2 already a member, 0 failed (no such account, or over the cap).
    pub async fn import_members(
        &self,
        app: &AppSettings,
        group_id: &str,
        members: Vec<ImportedMember>,
    ) -> ApiResult<Vec<AddedMember>> {
        if members.is_empty() || members.len() > MAX_ADD {
            return Err(ApiError::new(
                codes::GROUP_TOO_MANY_ACCOUNTS,
                format!(
                    "MemberList must name 1 to {MAX_ADD} accounts, got {}",
                    members.len()
                ),
            ));
        }
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        if group_type == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "members cannot be imported into an AVChatRoom",
            ));
        }
        for m in &members {
            match m.role.as_deref() {
                None | Some("") | Some(MEMBER) => {}
                Some(ADMIN) if group_type.has_admins() => {}
                Some(other) => {
                    return Err(invalid(format!(
                        "Role {other:?} of {} is not allowed here",
                        m.member
                    )))
                }
            }
        }
        let now = self.clock.now_secs();
        let accounts = members.iter().map(|m| m.member.clone()).collect();
        let outcome = self
            .edit_existing(
                app,
                group_id,
                GroupQuery::accounts(accounts),
                move |group, snap| {
                    let mut plan = GroupPlan::default();
                    let mut group = group.clone();
                    let last_seq = group.next_msg_seq.saturating_sub(1);
                    let mut added: Vec<String> = Vec::new();
                    let mut results = Vec::new();
                    for m in &members {
                        let result =
                            if snap.members.contains_key(&m.member) || added.contains(&m.member) {
                                MemberAdd::AlreadyMember
                            } else if !snap.existing.contains(&m.member)
                                || group.member_count >= group.max_members
                            {
                                MemberAdd::Failed
                            } else {
                                added.push(m.member.clone());
                                group.member_count += 1;
                                plan.changes.push(GroupChange::PutMember(GroupMember {
                                    member: m.member.clone(),
                                    role: if m.role.as_deref() == Some(ADMIN) {
                                        ADMIN
                                    } else {
                                        MEMBER
                                    }
                                    .to_owned(),
                                    join_time: m.join_time.unwrap_or(now),
                                    msg_flag: "AcceptAndNotify".into(),
                                    read_seq: last_seq.saturating_sub(m.unread),
                                    ..GroupMember::default()
                                }));
                                MemberAdd::Added
                            };
                        results.push(AddedMember {
                            member: m.member.clone(),
                            result,
                        });
                    }
                    if !added.is_empty() {
                        plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                    }
                    plan.reply = results;
                    plan
                },
            )
            .await?;
        Ok(outcome.reply)
    }

    /// `import_group_msg`: up to 7 messages in ascending time, each after the group's (or, with
    /// `topic_id`, the topic's) creation and newest message and not in the future; each gets
    /// the next `MsgSeq` of the group or topic (`Result` 0) or 10004. Every member has read them
    /// afterwards, as Tencent documents (for a topic: its read floor rises).
    pub async fn import_messages(
        &self,
        app: &AppSettings,
        group_id: &str,
        topic_id: Option<String>,
        messages: Vec<ImportedMessage>,
    ) -> ApiResult<Vec<(u64, i64, u32)>> {
        if messages.is_empty() || messages.len() > MAX_IMPORT_MESSAGES {
            return Err(invalid(format!(
                "MsgList must hold 1 to {MAX_IMPORT_MESSAGES} messages, got {}",
                messages.len()
            )));
        }
        let group = self.group(app, group_id).await?;
        if !type_of(&group).keeps_history() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom keeps no history to import into",
            ));
        }
        if topic_id.is_some() {
            check_topic_group(&group)?;
        }
        let now = self.clock.now_secs();
        let query = GroupQuery {
            topic: topic_id.clone(),
            ..GroupQuery::accounts(messages.iter().map(|m| m.from.clone()).collect())
        };
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                // The stream the messages go into: the topic's row or the group's.
                let mut topic = match &topic_id {
                    Some(tid) => match snap.topics.get(tid) {
                        Some(t) => Some(t.clone()),
                        None => return refusal(topic_not_found(tid)),
                    },
                    None => None,
                };
                let mut group = group.clone();
                let (created, next_seq, last_time) = match &mut topic {
                    Some(t) => (t.created, &mut t.next_msg_seq, &mut t.last_msg_time),
                    None => (
                        group.created,
                        &mut group.next_msg_seq,
                        &mut group.last_msg_time,
                    ),
                };
                let mut plan = GroupPlan::default();
                let mut results = Vec::new();
                for m in messages {
                    let in_order =
                        m.send_time <= now && m.send_time >= created && m.send_time >= *last_time;
                    if !in_order || !snap.existing.contains(&m.from) {
                        results.push((0, m.send_time, codes::GROUP_INVALID_PARAM));
                        continue;
                    }
                    let seq = *next_seq;
                    *next_seq += 1;
                    *last_time = m.send_time;
                    plan.changes.push(GroupChange::AddMessage(GroupMessage {
                        seq,
                        random: m.random,
                        from: m.from,
                        time: m.send_time,
                        body: Value::from(m.body).to_string(),
                        priority: 2,
                        topic_id: topic_id.clone().unwrap_or_default(),
                        ..GroupMessage::default()
                    }));
                    results.push((seq, m.send_time, 0));
                }
                let last = next_seq.saturating_sub(1);
                match topic {
                    Some(mut t) => {
                        t.read_floor = last;
                        plan.changes.push(GroupChange::PutTopic(Box::new(t)));
                    }
                    None => {
                        plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                        plan.changes.push(GroupChange::ReadAllUpTo(last));
                    }
                }
                plan.reply = results;
                plan
            })
            .await?;
        Ok(outcome.reply)
    }

    /// `set_unread_msg_num`: sets how many of the group's latest messages `member` has not read
    /// (capped at what the group holds). Not in types without unread counts (10007).
    pub async fn set_unread(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: String,
        unread: u64,
    ) -> ApiResult<()> {
        let group = self.group(app, group_id).await?;
        if !type_of(&group).counts_unread() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("a {} group keeps no unread counts", group.group_type),
            ));
        }
        self.edit_existing(
            app,
            group_id,
            GroupQuery::accounts(vec![member.clone()]),
            move |group, snap| {
                let mut plan = GroupPlan::new();
                let Some(m) = snap.members.get(&member) else {
                    plan.refusal = Some((
                        codes::GROUP_INVALID_PARAM,
                        format!("{member} is not a member of the group"),
                    ));
                    return plan;
                };
                let mut m = m.clone();
                m.read_seq = group.next_msg_seq.saturating_sub(1).saturating_sub(unread);
                plan.changes.push(GroupChange::PutMember(m));
                plan
            },
        )
        .await?;
        Ok(())
    }

    /// `delete_group_msg_by_sender`: every message of `sender` in the group becomes a
    /// placeholder (`IsPlaceMsg` 1, empty body). AVChatRoom: 10035.
    pub async fn delete_by_sender(
        &self,
        app: &AppSettings,
        group_id: &str,
        sender: String,
    ) -> ApiResult<()> {
        let group = self.group(app, group_id).await?;
        if !type_of(&group).keeps_history() {
            return Err(ApiError::new(
                codes::GROUP_CANNOT_DELETE_MESSAGES,
                "an AVChatRoom keeps no messages to delete",
            ));
        }
        self.edit_existing(app, group_id, GroupQuery::default(), move |_, _| {
            let mut plan = GroupPlan::new();
            plan.changes.push(GroupChange::DeleteMessagesBy(sender));
            plan
        })
        .await?;
        Ok(())
    }
}
