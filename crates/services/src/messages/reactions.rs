//! Reactions to one-to-one messages (the Web SDK's `openim_msg_ext_http_svc.reaction_*`): a
//! user reacts only to messages of their own conversations, as themselves. Both sides'
//! connections (but the one that made the change) hear of every change (`C2cMsgReaction`,
//! docs/client-protocol.md). The rules shared with group messages are in [`crate::reactions`].

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push};
use natter_store::{C2cMessageRef, ReactionMessage};
use natter_webhook::Origin;

use super::edit::{no_such_message, MessageTarget};
use super::{msg_key, parse_msg_key, MessageService};
use crate::internal;
use crate::reactions::{
    check_change, check_list, limits, outcome, reaction_frame, ReactionChange, ReactionSummary,
    ReactionUsers, MAX_LISTED_USERS,
};

/// The messages of one conversation a list reads: their sender and recipient (the first
/// message's; every message is looked up between the two, in either direction) and `MsgKey`s.
#[derive(Debug, Clone)]
pub struct C2cReactionList {
    pub from: String,
    pub to: String,
    pub msg_keys: Vec<String>,
    /// How many of each reaction's first users to name (0 to 10).
    pub listed_users: usize,
}

/// A one-to-one message must be in a conversation of the user (20022 otherwise, as for a
/// message that does not exist).
fn own_conversation(user: &str, from: &str, to: &str) -> ApiResult<()> {
    if from == user || to == user {
        return Ok(());
    }
    Err(ApiError::new(
        codes::C2C_MSG_NOT_FOUND,
        "the message is not in a conversation of the user",
    ))
}

impl MessageService {
    /// The user adds or removes one of their reactions on a message (20022 when there is no
    /// such message or it is recalled; 23005 to 23008 as [`crate::reactions`] says); returns
    /// the reaction as it is now.
    pub async fn react(
        &self,
        app: &AppSettings,
        user: &str,
        target: MessageTarget,
        change: ReactionChange,
        origin: &Origin,
    ) -> ApiResult<ReactionSummary> {
        own_conversation(user, &target.from, &target.to)?;
        check_change(&change, codes::C2C_BAD_PARAM)?;
        let target = self.resolve(app, target).await?;
        let done = self
            .store
            .react(
                app.sdkappid,
                ReactionMessage::C2c(target.clone()),
                (change.reaction, user.to_owned(), change.add),
                limits(),
                self.clock.now_ms(),
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let summary = outcome(done, no_such_message)?;
        self.push_reaction(app, &target, user, change.add, &summary, origin);
        Ok(summary)
    }

    /// `C2cMsgReaction` to both sides of the message.
    fn push_reaction(
        &self,
        app: &AppSettings,
        target: &C2cMessageRef,
        operator: &str,
        add: bool,
        summary: &ReactionSummary,
        origin: &Origin,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let (time, seq, random) = target.position;
        let mut frame = reaction_frame(operator, add, summary);
        frame["Event"] = "C2cMsgReaction".into();
        frame["From_Account"] = target.from.clone().into();
        frame["To_Account"] = target.to.clone().into();
        frame["MsgKey"] = msg_key(seq, random, time).into();
        frame["MsgSeq"] = seq.into();
        frame["MsgRandom"] = random.into();
        frame["MsgTime"] = time.into();
        self.push_c2c(
            app,
            &target.from,
            &target.to,
            1,
            Some(Push::new(Priority::High, &frame)),
            origin.connection,
        );
    }

    /// The reactions of up to 20 messages of one of the user's conversations, per `MsgKey` in
    /// order (`None`: no such message); each reaction with its first users and whether the
    /// user is among its users.
    pub async fn reactions(
        &self,
        app: &AppSettings,
        user: &str,
        list: C2cReactionList,
    ) -> ApiResult<Vec<Option<Vec<ReactionSummary>>>> {
        own_conversation(user, &list.from, &list.to)?;
        check_list(list.msg_keys.len(), codes::C2C_BAD_PARAM)?;
        self.both_exist(app.sdkappid, &list.from, &list.to).await?;
        let mut messages = Vec::with_capacity(list.msg_keys.len());
        for key in &list.msg_keys {
            let position = parse_msg_key(key).ok_or_else(|| {
                ApiError::new(
                    codes::C2C_INVALID_MSG_KEY,
                    format!("MsgKey {key:?} is not a MsgKey"),
                )
            })?;
            messages.push(position);
        }
        // A conversation's messages go both ways: each is looked for as sent by either side.
        let both: Vec<ReactionMessage> = messages
            .iter()
            .flat_map(|&position| {
                [(&list.from, &list.to), (&list.to, &list.from)].map(|(from, to)| {
                    ReactionMessage::C2c(C2cMessageRef {
                        from: from.clone(),
                        to: to.clone(),
                        position,
                    })
                })
            })
            .collect();
        let found = self
            .store
            .message_reactions(
                app.sdkappid,
                both,
                user.to_owned(),
                list.listed_users.min(MAX_LISTED_USERS),
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        Ok(found
            .chunks(2)
            .map(|pair| pair[0].clone().or_else(|| pair[1].clone()))
            .collect())
    }

    /// One page of the users of a reaction on a message of the user's conversations, in the
    /// order they reacted, from position `from` (0: the start).
    pub async fn reaction_users(
        &self,
        app: &AppSettings,
        user: &str,
        target: MessageTarget,
        reaction: String,
        page: (u64, usize),
    ) -> ApiResult<ReactionUsers> {
        own_conversation(user, &target.from, &target.to)?;
        let target = self.resolve(app, target).await?;
        let (from, limit) = page;
        self.store
            .reaction_users(
                app.sdkappid,
                ReactionMessage::C2c(target),
                reaction,
                from,
                limit,
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?
            .ok_or_else(no_such_message)
    }
}
