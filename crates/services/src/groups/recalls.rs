//! Changing stored group messages after the fact: recall (`group_msg_recall`) and edit
//! (`openim/modify_group_msg`), from the REST API or a member's client. Both tell the members
//! online (`GroupMsgRecall`, `GroupMsgModify` events, docs/client-protocol.md), so their clients
//! show the message recalled or edited without pulling history again.

use natter_core::message::{check_body, MAX_MESSAGE_BYTES};
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_store::{GroupChange, GroupMessage, GroupPlan, GroupQuery, GroupRecord};
use natter_webhook::payloads::group::{AfterRecallMsg, MsgSeqItem};
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::topics::{check_topic_group, topic_not_found};
use super::{invalid, refusal, type_of, GroupService};
use crate::messages::C2C_BODY_CODES;

/// Most messages one `group_msg_recall` may name.
pub const MAX_RECALL: usize = 10;

/// A message as it is after [`GroupService::modify_message`].
#[derive(Debug, Clone, Default)]
pub struct ModifiedMessage {
    /// The whole body, as stored.
    pub body: Value,
    pub cloud_custom_data: String,
    /// `MsgVersion`: how many times the message was modified, so a client keeps the newest of
    /// the copies it hears of and an edit based on an older copy can be refused.
    pub version: u64,
}

/// What an edit ([`GroupService::modify_message`], [`crate::messages::MessageService::modify`])
/// did.
#[derive(Debug, Clone)]
pub enum EditOutcome {
    /// Done: the message as it now is.
    Modified(ModifiedMessage),
    /// Refused, nothing changed: the edit was based on an older `MsgVersion` than the stored
    /// one (the Web SDK's MSG_MODIFY_CONFLICT). The message as it is, for the editor to show.
    Conflict(ModifiedMessage),
}

/// An edit of one stored message (`modify_group_msg`).
#[derive(Debug, Clone, Default)]
pub struct MessageEdit {
    /// The topic the message is in; `None`: the group itself.
    pub topic_id: Option<String>,
    pub seq: u64,
    /// The new elements, checked here; `None` leaves the body as it is.
    pub body: Option<Value>,
    /// `None` leaves it as it is.
    pub cloud_custom_data: Option<String>,
    /// The `MsgVersion` the editor's copy has (the Web SDK sends it); `None` (the REST API):
    /// not compared.
    pub expected_version: Option<u64>,
}

/// Who hears of a change to `messages`: the members of a directed message's audience (its
/// recipients and sender) when every message is directed, else everyone (empty).
fn audience(messages: &[GroupMessage]) -> Vec<String> {
    if messages.iter().any(|m| m.recipients.is_empty()) {
        return Vec::new();
    }
    let mut who: Vec<String> = messages
        .iter()
        .flat_map(|m| m.recipients.iter().chain([&m.from]).cloned())
        .collect();
    who.sort();
    who.dedup();
    who
}

impl GroupService {
    /// Pushes `frame` to the members a change to `messages` concerns, but the connection that
    /// made it (which has its reply).
    pub(super) fn push_message_change(
        &self,
        app: &AppSettings,
        group_id: &str,
        messages: &[GroupMessage],
        frame: &Value,
        origin: &Origin,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let target = Target::GroupMembers {
            group_id: group_id.to_owned(),
            only: audience(messages),
        };
        let push = Push::new(Priority::High, frame);
        self.fanout
            .send(app.sdkappid, target, &push, origin.connection);
    }

    /// `group_msg_recall`: flags each message as recalled (history shows it as `IsPlaceMsg` 2);
    /// per message 0, or 10030 when there is no such message, or 10032 when it is already
    /// recalled. Reports `Group.CallbackAfterRecallMsg` with the recalled ones and tells the
    /// members online (`GroupMsgRecall`).
    pub async fn recall(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        topic_id: Option<String>,
        seqs: Vec<u64>,
        origin: &Origin,
    ) -> ApiResult<Vec<(u64, u32)>> {
        if seqs.is_empty() || seqs.len() > MAX_RECALL {
            return Err(invalid(format!(
                "MsgSeqList must name 1 to {MAX_RECALL} messages, got {}",
                seqs.len()
            )));
        }
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let callback_origin = origin.clone();
        let operator_account = operator.to_owned();
        let id = group_id.to_owned();
        let topic = topic_id.clone();
        let query = GroupQuery {
            messages: seqs.clone(),
            topic: topic_id.clone(),
            ..GroupQuery::default()
        };
        type Recalled = (Vec<(u64, u32)>, Vec<GroupMessage>, Option<GroupRecord>);
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                let mut plan: GroupPlan<Recalled> = GroupPlan::default();
                if let Some(tid) = &topic_id {
                    if let Err(e) = check_topic_group(group) {
                        return refusal(e);
                    }
                    if !snap.topics.contains_key(tid) {
                        return refusal(topic_not_found(tid));
                    }
                }
                let mut results = Vec::new();
                let mut recalled: Vec<GroupMessage> = Vec::new();
                for seq in &seqs {
                    let code = match snap.messages.get(seq) {
                        None => codes::GROUP_MSG_NOT_FOUND,
                        Some(m) if m.recalled || recalled.iter().any(|r| r.seq == *seq) => {
                            codes::GROUP_MSG_NOT_RECALLABLE
                        }
                        Some(m) => {
                            recalled.push(m.clone());
                            plan.changes.push(GroupChange::RecallMessage {
                                topic_id: topic_id.clone().unwrap_or_default(),
                                seq: *seq,
                                recalled_ms: now_ms,
                                revoker: operator_account.clone(),
                            });
                            0
                        }
                    };
                    results.push((*seq, code));
                }
                if !recalled.is_empty() {
                    let report = AfterRecallMsg {
                        operator_account,
                        group_type: group.group_type.clone(),
                        group_id: id.clone(),
                        msg_seq_list: recalled
                            .iter()
                            .map(|m| MsgSeqItem { msg_seq: m.seq })
                            .collect(),
                        topic_id: topic_id.clone(),
                        event_time: now_ms as u64,
                    };
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &id, &callback_origin));
                }
                plan.reply = (results, recalled, Some(group.clone()));
                plan
            })
            .await?;
        let (results, recalled, group) = outcome.reply;
        if let (false, Some(group)) = (recalled.is_empty(), group) {
            let list: Vec<Value> = recalled
                .iter()
                .map(|m| {
                    json!({"MsgSeq": m.seq, "Random": m.random, "From_Account": m.from,
                           "MsgTime": m.time})
                })
                .collect();
            let mut frame = json!({
                "Event": "GroupMsgRecall",
                "GroupId": group_id,
                "GroupType": type_of(&group).name(),
                "Operator_Account": operator,
                "MsgList": list,
            });
            if let Some(topic) = topic {
                frame["TopicId"] = topic.into();
            }
            self.push_message_change(app, group_id, &recalled, &frame, origin);
        }
        Ok(results)
    }

    /// `openim/modify_group_msg`: replaces the body and/or the `CloudCustomData` of a stored
    /// message of the group or one of its topics, and tells the members online
    /// (`GroupMsgModify`). No callback (Tencent's page names none). A recalled or deleted
    /// message cannot be modified (10032); no such message → 10030. With an `expected_version`
    /// older than the stored one nothing changes: [`EditOutcome::Conflict`].
    pub async fn modify_message(
        &self,
        app: &AppSettings,
        group_id: &str,
        edit: MessageEdit,
        origin: &Origin,
    ) -> ApiResult<EditOutcome> {
        let MessageEdit {
            topic_id,
            seq,
            body,
            cloud_custom_data,
            expected_version,
        } = edit;
        if body.is_none() && cloud_custom_data.is_none() {
            // An `openim` API: its parameter errors are the `openim` ones.
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "nothing to modify: give MsgBody, CloudCustomData or both",
            ));
        }
        let body = match &body {
            Some(body) => Some(check_body(
                Some(body),
                cloud_custom_data.as_deref().unwrap_or_default(),
                C2C_BODY_CODES,
            )?),
            None => None,
        };
        let query = GroupQuery {
            messages: vec![seq],
            topic: topic_id.clone(),
            ..GroupQuery::default()
        };
        let topic = topic_id.clone();
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                if !type_of(group).keeps_history() {
                    return refusal(ApiError::new(
                        codes::GROUP_NO_PERMISSION,
                        "an AVChatRoom keeps no message history to modify",
                    ));
                }
                if let Some(tid) = &topic_id {
                    if let Err(e) = check_topic_group(group) {
                        return refusal(e);
                    }
                    if !snap.topics.contains_key(tid) {
                        return refusal(topic_not_found(tid));
                    }
                }
                let Some(stored) = snap.messages.get(&seq) else {
                    return refusal(ApiError::new(
                        codes::GROUP_MSG_NOT_FOUND,
                        format!("there is no message with MsgSeq {seq}"),
                    ));
                };
                if stored.recalled || stored.deleted {
                    return refusal(ApiError::new(
                        codes::GROUP_MSG_NOT_RECALLABLE,
                        format!("message {seq} was recalled or deleted and cannot be modified"),
                    ));
                }
                if expected_version.is_some_and(|v| v < stored.version) {
                    return GroupPlan {
                        reply: Some((stored.clone(), true)),
                        ..GroupPlan::default()
                    };
                }
                let mut edited = stored.clone();
                edited.version += 1;
                if let Some(body) = body {
                    edited.body = Value::from(body).to_string();
                }
                if let Some(data) = cloud_custom_data {
                    edited.cloud_custom_data = data;
                }
                // The message as it will be, body and data together, within Tencent's 12 KB.
                let size = edited.body.len() + edited.cloud_custom_data.len();
                if size > MAX_MESSAGE_BYTES {
                    return refusal(ApiError::new(
                        C2C_BODY_CODES.too_long,
                        format!("the modified message is {size} bytes; at most {MAX_MESSAGE_BYTES} are allowed"),
                    ));
                }
                GroupPlan {
                    changes: vec![GroupChange::EditMessage(edited.clone())],
                    reply: Some((edited, false)),
                    ..GroupPlan::default()
                }
            })
            .await?;
        let (edited, conflict) = outcome.reply.ok_or_else(|| {
            ApiError::new(codes::GROUP_INTERNAL, "the edited message went missing")
        })?;
        let modified = ModifiedMessage {
            body: serde_json::from_str(&edited.body).unwrap_or_else(|_| json!([])),
            cloud_custom_data: edited.cloud_custom_data.clone(),
            version: edited.version,
        };
        if conflict {
            return Ok(EditOutcome::Conflict(modified));
        }
        let mut frame = json!({
            "Event": "GroupMsgModify",
            "GroupId": group_id,
            "MsgSeq": edited.seq,
            "Random": edited.random,
            "From_Account": edited.from,
            "MsgTime": edited.time,
            "MsgBody": modified.body,
            "CloudCustomData": modified.cloud_custom_data,
            "MsgVersion": modified.version,
        });
        if let Some(topic) = topic {
            frame["TopicId"] = topic.into();
        }
        self.push_message_change(app, group_id, &[edited], &frame, origin);
        Ok(EditOutcome::Modified(modified))
    }
}
