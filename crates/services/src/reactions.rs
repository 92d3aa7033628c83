//! Message reactions (the Web SDK's `addMessageReaction`, `removeMessageReaction`,
//! `getMessageReactions`, `getAllUserListOfMessageReaction`): users react to a message with a
//! reaction ID (an emoji's, or any string the app chooses). The rules shared by one-to-one
//! messages ([`crate::messages::reactions`]) and group messages
//! ([`crate::groups::reactions`]): Tencent's limits and codes, and the event every change
//! sends (`C2cMsgReaction`, `GroupMsgReaction`, docs/client-protocol.md).
//!
//! Tencent's limits: 10 reactions on one message (23005), 100 users of one reaction (23006), a
//! user reacts once with each reaction (23007), and removes only a reaction they have (23008).
//! A list reads at most 20 messages of one conversation, each reaction with its first 0 to 10
//! users; a page of a reaction's users holds at most 100.

use natter_core::{codes, ApiError, ApiResult};
use natter_store::{ReactOutcome, ReactionLimits};
pub use natter_store::{ReactionSummary, ReactionUsers};
use serde_json::{json, Value};

/// Most distinct reactions on one message.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 10;
/// Most users of one reaction.
pub const MAX_USERS_PER_REACTION: usize = 100;
/// Most messages one list reads.
pub const MAX_MESSAGES_PER_LIST: usize = 20;
/// Most users a list (and an event) names per reaction: its first ones.
pub const MAX_LISTED_USERS: usize = 10;
/// Most users one page of a reaction's users holds.
pub const MAX_USERS_PER_PAGE: usize = 100;
/// Longest reaction ID (Tencent names none; an emoji's ID is a few bytes).
pub const MAX_REACTION_BYTES: usize = 100;

/// A user adds or removes one of their reactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionChange {
    pub reaction: String,
    /// True to add, false to remove.
    pub add: bool,
}

/// A checked change: the reaction ID is 1 to 100 bytes (`bad_param` otherwise).
pub(crate) fn check_change(change: &ReactionChange, bad_param: u32) -> ApiResult<()> {
    if change.reaction.is_empty() || change.reaction.len() > MAX_REACTION_BYTES {
        return Err(ApiError::new(
            bad_param,
            format!("Reaction must be 1 to {MAX_REACTION_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// How many users a list names per reaction: at most [`MAX_LISTED_USERS`] (the SDK's range is
/// 0 to 10; more is read as 10).
pub fn listed_users(count: u64) -> usize {
    usize::try_from(count).map_or(MAX_LISTED_USERS, |c| c.min(MAX_LISTED_USERS))
}

/// How many users a page holds: 1 to [`MAX_USERS_PER_PAGE`] (0 asks for a full page).
pub fn page_size(count: u64) -> usize {
    match usize::try_from(count) {
        Ok(0) | Err(_) => MAX_USERS_PER_PAGE,
        Ok(c) => c.min(MAX_USERS_PER_PAGE),
    }
}

/// A list names 1 to [`MAX_MESSAGES_PER_LIST`] messages (`bad_param` otherwise).
pub(crate) fn check_list(messages: usize, bad_param: u32) -> ApiResult<()> {
    if messages == 0 || messages > MAX_MESSAGES_PER_LIST {
        return Err(ApiError::new(
            bad_param,
            format!("name 1 to {MAX_MESSAGES_PER_LIST} messages, not {messages}"),
        ));
    }
    Ok(())
}

pub(crate) fn limits() -> ReactionLimits {
    ReactionLimits {
        max_reactions: MAX_REACTIONS_PER_MESSAGE,
        max_users: MAX_USERS_PER_REACTION,
        listed_users: MAX_LISTED_USERS,
    }
}

/// The store's answer to a change as the reaction after it, or Tencent's refusal;
/// `no_message` for a message that does not exist (or is recalled).
pub(crate) fn outcome(
    outcome: ReactOutcome,
    no_message: impl FnOnce() -> ApiError,
) -> ApiResult<ReactionSummary> {
    match outcome {
        ReactOutcome::Done(summary) => Ok(summary),
        ReactOutcome::NoMessage => Err(no_message()),
        ReactOutcome::TooManyReactions => Err(ApiError::new(
            codes::REACTION_COUNT_LIMIT,
            format!("a message takes at most {MAX_REACTIONS_PER_MESSAGE} different reactions"),
        )),
        ReactOutcome::TooManyUsers => Err(ApiError::new(
            codes::REACTION_USER_COUNT_LIMIT,
            format!("a reaction takes at most {MAX_USERS_PER_REACTION} users"),
        )),
        ReactOutcome::AlreadyReacted => Err(ApiError::new(
            codes::REACTION_ALREADY_CONTAINS_USER,
            "the user has this reaction on the message already",
        )),
        ReactOutcome::NotReacted => Err(ApiError::new(
            codes::REACTION_NOT_EXISTS,
            "the user has no such reaction on the message",
        )),
    }
}

/// The part of a `C2cMsgReaction` or `GroupMsgReaction` event that says what changed: who
/// added (`OperateType` 1) or removed (2) which reaction, and the reaction after it (its user
/// count and first users).
pub(crate) fn reaction_frame(operator: &str, add: bool, reaction: &ReactionSummary) -> Value {
    json!({
        "Operator_Account": operator,
        "OperateType": if add { 1 } else { 2 },
        "Reaction": reaction.reaction,
        "Count": reaction.count,
        "Reaction_Account": reaction.users,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_brought_into_range() {
        assert_eq!(listed_users(0), 0);
        assert_eq!(listed_users(4), 4);
        assert_eq!(listed_users(99), MAX_LISTED_USERS);
        assert_eq!(page_size(0), MAX_USERS_PER_PAGE);
        assert_eq!(page_size(7), 7);
        assert_eq!(page_size(1_000), MAX_USERS_PER_PAGE);
        let change = |reaction: &str| ReactionChange {
            reaction: reaction.into(),
            add: true,
        };
        assert!(check_change(&change("smile"), 1).is_ok());
        assert_eq!(check_change(&change(""), 1).unwrap_err().code, 1);
        assert!(check_change(&change(&"x".repeat(101)), 1).is_err());
        assert!(check_list(20, 1).is_ok());
        assert!(check_list(21, 1).is_err());
        assert!(check_list(0, 1).is_err());
    }

    #[test]
    fn refusals_get_tencents_codes() {
        let code = |o: ReactOutcome| outcome(o, || ApiError::new(1, "none")).unwrap_err().code;
        assert_eq!(code(ReactOutcome::NoMessage), 1);
        assert_eq!(code(ReactOutcome::TooManyReactions), 23005);
        assert_eq!(code(ReactOutcome::TooManyUsers), 23006);
        assert_eq!(code(ReactOutcome::AlreadyReacted), 23007);
        assert_eq!(code(ReactOutcome::NotReacted), 23008);
    }
}
