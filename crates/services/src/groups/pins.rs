//! Pinned group messages (`group_open_http_svc.pin_message`, `unpin_message`,
//! `get_pinned_messages`, from a member's client): at most [`MAX_PINNED_MESSAGES`] per group or
//! topic, pinned and unpinned by the owner and admins (`permissions::pin`). Members online hear
//! of each change (`GroupMsgPin`, docs/client-protocol.md); the client that made it has its
//! reply.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_store::{GroupMessage, GroupQuery, PinOutcome, PinnedMessage};
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::permissions::{ClientAction, MAX_PINNED_MESSAGES};
use super::topics::topic_not_found;
use super::{type_of, GroupService};
use crate::internal;

/// A pinned message and who pinned it, for `get_pinned_messages`.
#[derive(Debug, Clone)]
pub struct PinnedGroupMessage {
    pub pinner: String,
    pub message: GroupMessage,
}

/// A pin or unpin of one message of a group (`topic_id` `None`) or of one of its topics.
#[derive(Debug, Clone)]
pub struct MessagePin {
    pub topic_id: Option<String>,
    pub seq: u64,
    /// True to pin, false to unpin.
    pub pinned: bool,
}

/// A stored message in the shape group events carry it (`GroupMsg`'s fields).
fn message_event(message: &GroupMessage) -> Value {
    let body: Value = serde_json::from_str(&message.body).unwrap_or_else(|_| json!([]));
    json!({
        "MsgSeq": message.seq,
        "Random": message.random,
        "From_Account": message.from,
        "MsgTime": message.time,
        "MsgPriority": message.priority,
        "MsgBody": body,
        "CloudCustomData": message.cloud_custom_data,
    })
}

impl GroupService {
    /// Pins (`pinned`) or unpins message `seq` of the group or of its topic `topic_id`, as the
    /// client user `operator`. 10007 for a member who may not, 10030 when there is no such
    /// message (or it is recalled), 10070 when the limit is reached, 10071 when it is pinned
    /// already, 10004 when unpinning a message that is not pinned.
    pub async fn pin_message(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        change: MessagePin,
        origin: &Origin,
    ) -> ApiResult<()> {
        let MessagePin {
            topic_id,
            seq,
            pinned,
        } = change;
        let (group, _) = self
            .authorize(app, group_id, operator, ClientAction::Pin)
            .await?;
        let query = GroupQuery {
            messages: vec![seq],
            topic: topic_id.clone(),
            ..GroupQuery::default()
        };
        let snap = self.snapshot(app, group_id, query).await?;
        if let Some(topic) = &topic_id {
            if !snap.topics.contains_key(topic) {
                return Err(topic_not_found(topic));
            }
        }
        let message = snap
            .messages
            .get(&seq)
            .filter(|m| !m.recalled)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    codes::GROUP_MSG_NOT_FOUND,
                    format!("{group_id} has no message {seq}"),
                )
            })?;
        let key = (group_id.to_owned(), topic_id.clone().unwrap_or_default());
        let store = &self.store;
        if pinned {
            let pin = PinnedMessage {
                msg_seq: seq,
                pinner: operator.to_owned(),
                pinned_ms: self.clock.now_ms(),
            };
            let outcome = store
                .pin_group_message(app.sdkappid, key, pin, MAX_PINNED_MESSAGES)
                .await
                .map_err(internal(codes::GROUP_INTERNAL))?;
            match outcome {
                PinOutcome::Pinned => {}
                PinOutcome::AlreadyPinned => {
                    return Err(ApiError::new(
                        codes::GROUP_MSG_ALREADY_PINNED,
                        format!("message {seq} is pinned already"),
                    ))
                }
                PinOutcome::Full => {
                    return Err(ApiError::new(
                        codes::GROUP_PINNED_LIMIT,
                        format!("at most {MAX_PINNED_MESSAGES} messages are pinned at a time"),
                    ))
                }
            }
        } else if !store
            .unpin_group_message(app.sdkappid, key, seq)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?
        {
            return Err(ApiError::new(
                codes::GROUP_INVALID_PARAM,
                format!("message {seq} is not pinned"),
            ));
        }
        if self.fanout.may_reach(app.sdkappid) {
            let mut frame = json!({
                "Event": "GroupMsgPin",
                "GroupId": group_id,
                "GroupType": type_of(&group).name(),
                "Operator_Account": operator,
                "Pinned": pinned,
                "Message": message_event(&message),
            });
            if let Some(topic) = topic_id {
                frame["TopicId"] = topic.into();
            }
            let target = Target::GroupMembers {
                group_id: group_id.to_owned(),
                only: Vec::new(),
            };
            let push = Push::new(Priority::High, &frame);
            self.fanout
                .send(app.sdkappid, target, &push, origin.connection);
        }
        Ok(())
    }

    /// The pinned messages of the group or of its topic `topic_id`, by sequence, for a member.
    /// A pinned message recalled since is left out.
    pub async fn pinned_messages(
        &self,
        app: &AppSettings,
        user: &str,
        group_id: &str,
        topic_id: Option<String>,
    ) -> ApiResult<Vec<PinnedGroupMessage>> {
        self.authorize(app, group_id, user, ClientAction::Read)
            .await?;
        let key = (group_id.to_owned(), topic_id.clone().unwrap_or_default());
        let pins = self
            .store
            .pinned_group_messages(app.sdkappid, key)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        if pins.is_empty() {
            return Ok(Vec::new());
        }
        let query = GroupQuery {
            messages: pins.iter().map(|p| p.msg_seq).collect(),
            topic: topic_id,
            ..GroupQuery::default()
        };
        let snap = self.snapshot(app, group_id, query).await?;
        Ok(pins
            .into_iter()
            .filter_map(|pin| {
                let message = snap.messages.get(&pin.msg_seq).filter(|m| !m.recalled)?;
                Some(PinnedGroupMessage {
                    pinner: pin.pinner,
                    message: message.clone(),
                })
            })
            .collect())
    }
}
