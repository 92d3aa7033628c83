//! Reactions to group messages (the Web SDK's `openim_msg_ext_http_svc.group_reaction_*`):
//! members react to the messages they can see (of a directed message, its recipients and
//! sender), as themselves; AVChatRooms keep no history and take none. The members online (but
//! the connection that made the change) hear of every change (`GroupMsgReaction`,
//! docs/client-protocol.md). The rules shared with one-to-one messages are in
//! [`crate::reactions`]. A community topic's messages take reactions the same way (the Web SDK's
//! call names the topic): they are kept under the topic's ID, as its messages are, and go with it.

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupMessage, GroupQuery, GroupSnapshot, ReactionMessage};
use natter_webhook::Origin;

use super::message_extensions::no_such_message;
use super::topics::{check_topic_group, topic_not_found};
use super::{not_found, type_of, GroupService};
use crate::internal;
use crate::reactions::{
    check_change, check_list, limits, outcome, reaction_frame, ReactionChange, ReactionSummary,
    ReactionUsers, MAX_LISTED_USERS,
};

/// Whether `user` sees the message: everyone sees a message to the whole group.
fn sees(message: &GroupMessage, user: &str) -> bool {
    message.recipients.is_empty()
        || message.from == user
        || message.recipients.iter().any(|r| r == user)
}

/// The message `seq` of a group, or of one of its topics, as the store keys its reactions: by
/// the stream the message is in (the topic's ID for a topic's messages).
fn reaction_message((group_id, topic): (&str, Option<&str>), seq: u64) -> ReactionMessage {
    ReactionMessage::Group {
        group_id: topic.unwrap_or(group_id).to_owned(),
        seq,
    }
}

impl GroupService {
    /// The group with the user's membership and messages `seqs` (of `topic` when named): 10010
    /// when the group does not exist, 10007 when the user is not a member or it is an
    /// AVChatRoom; for a topic 10076 when the group has no topics and 10080 when there is no
    /// such topic.
    async fn reaction_snapshot(
        &self,
        app: &AppSettings,
        user: &str,
        (group_id, topic): (&str, Option<&str>),
        seqs: Vec<u64>,
    ) -> ApiResult<GroupSnapshot> {
        let query = GroupQuery {
            messages: seqs,
            topic: topic.map(str::to_owned),
            ..GroupQuery::accounts(vec![user.to_owned()])
        };
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap.group.as_ref().ok_or_else(|| not_found(group_id))?;
        if let Some(tid) = topic {
            check_topic_group(group)?;
            if !snap.topics.contains_key(tid) {
                return Err(topic_not_found(tid));
            }
        }
        if !snap.members.contains_key(user) {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("{user} is not a member of {group_id}"),
            ));
        }
        if type_of(group) == GroupType::AvChatRoom {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "AVChatRoom messages take no reactions",
            ));
        }
        Ok(snap)
    }

    /// A message the user sees, or 10030.
    async fn seen_message(
        &self,
        app: &AppSettings,
        user: &str,
        stream: (&str, Option<&str>),
        seq: u64,
    ) -> ApiResult<GroupMessage> {
        let snap = self.reaction_snapshot(app, user, stream, vec![seq]).await?;
        snap.messages
            .get(&seq)
            .filter(|m| sees(m, user))
            .cloned()
            .ok_or_else(|| no_such_message(seq))
    }

    /// A member adds or removes one of their reactions on message `seq` (10030 when there is
    /// no such message or it is recalled; 23005 to 23008 as [`crate::reactions`] says);
    /// returns the reaction as it is now. `stream`: the group and, for a topic's message, the
    /// topic.
    pub async fn react(
        &self,
        app: &AppSettings,
        user: &str,
        stream: (&str, Option<&str>),
        seq: u64,
        change: ReactionChange,
        origin: &Origin,
    ) -> ApiResult<ReactionSummary> {
        check_change(&change, codes::GROUP_INVALID_PARAM)?;
        let (group_id, topic) = stream;
        let message = self.seen_message(app, user, stream, seq).await?;
        let done = self
            .store
            .react(
                app.sdkappid,
                reaction_message(stream, seq),
                (change.reaction, user.to_owned(), change.add),
                limits(),
                self.clock.now_ms(),
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let summary = outcome(done, || no_such_message(seq))?;
        let mut frame = reaction_frame(user, change.add, &summary);
        frame["Event"] = "GroupMsgReaction".into();
        frame["GroupId"] = group_id.into();
        frame["MsgSeq"] = message.seq.into();
        frame["Random"] = message.random.into();
        frame["From_Account"] = message.from.clone().into();
        frame["MsgTime"] = message.time.into();
        if let Some(tid) = topic {
            frame["TopicId"] = tid.into();
        }
        self.push_message_change(
            app,
            group_id,
            std::slice::from_ref(&message),
            &frame,
            origin,
        );
        Ok(summary)
    }

    /// The reactions of up to 20 messages of the group, per `MsgSeq` in order (`None`: no
    /// such message, or one the user does not see); each reaction with its first
    /// `listed_users` users and whether the user is among its users.
    pub async fn reactions(
        &self,
        app: &AppSettings,
        user: &str,
        stream: (&str, Option<&str>),
        seqs: Vec<u64>,
        listed_users: usize,
    ) -> ApiResult<Vec<Option<Vec<ReactionSummary>>>> {
        check_list(seqs.len(), codes::GROUP_INVALID_PARAM)?;
        let snap = self
            .reaction_snapshot(app, user, stream, seqs.clone())
            .await?;
        let messages = seqs
            .iter()
            .map(|&seq| reaction_message(stream, seq))
            .collect();
        let found = self
            .store
            .message_reactions(
                app.sdkappid,
                messages,
                user.to_owned(),
                listed_users.min(MAX_LISTED_USERS),
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        Ok(seqs
            .iter()
            .zip(found)
            .map(|(seq, reactions)| {
                let seen = snap.messages.get(seq).is_some_and(|m| sees(m, user));
                reactions.filter(|_| seen)
            })
            .collect())
    }

    /// One page of the users of a reaction on message `seq`, in the order they reacted, from
    /// position `page.0` (0: the start), at most `page.1`.
    pub async fn reaction_users(
        &self,
        app: &AppSettings,
        user: &str,
        stream: (&str, Option<&str>),
        seq: u64,
        reaction: String,
        page: (u64, usize),
    ) -> ApiResult<ReactionUsers> {
        self.seen_message(app, user, stream, seq).await?;
        let message = reaction_message(stream, seq);
        self.store
            .reaction_users(app.sdkappid, message, reaction, page.0, page.1)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?
            .ok_or_else(|| no_such_message(seq))
    }
}
