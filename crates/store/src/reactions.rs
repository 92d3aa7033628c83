//! Message reactions (the Web SDK's `addMessageReaction`, `openim_msg_ext_http_svc.reaction_*`):
//! which users reacted to a message with which reaction (an emoji's ID, or any string the app
//! chooses). One row per (message, reaction, user). The limits (reactions per message, users per
//! reaction) are the services'; the store checks them in the same write as the insert, holding
//! the message's row (PostgreSQL: `FOR UPDATE`; SQLite has one writer), so two users reacting at
//! once cannot pass a limit together.
//!
//! Each row has a `seq`: one more than the message's highest when it was added. It orders the
//! reactions of a message (by their first user) and the users of a reaction (the order they
//! reacted in), and it is the cursor of a page of a reaction's users. It is per message, never
//! global, so an import keeps it as it is. A one-to-one message's rows follow its
//! `c2c_messages.id` (renumbered by an import, see `dump::MESSAGE_ID_COLUMNS`) and go with it
//! when the history retention sweep deletes it; a group message's rows go with the group.

use crate::C2cMessageRef;

/// The tables, the same on both engines (migration 31).
pub(crate) const SCHEMA: &str = "
CREATE TABLE c2c_reactions (
    app_id     BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    reaction   TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (message_id, reaction, user_id)
);
CREATE INDEX c2c_reactions_by_seq ON c2c_reactions (message_id, seq);
CREATE INDEX c2c_reactions_app ON c2c_reactions (app_id);
CREATE TABLE group_reactions (
    app_id     BIGINT NOT NULL,
    group_id   TEXT   NOT NULL,
    msg_seq    BIGINT NOT NULL,
    reaction   TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (app_id, group_id, msg_seq, reaction, user_id)
);
CREATE INDEX group_reactions_by_seq ON group_reactions (app_id, group_id, msg_seq, seq);";

/// The message a reaction is on: a one-to-one message, or a message of a group or of a
/// community topic (`group_id` names the stream the message is in, as in `group_messages`: the
/// topic's ID for a topic's messages; its reactions go with the topic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactionMessage {
    C2c(C2cMessageRef),
    Group { group_id: String, seq: u64 },
}

/// The limits a new reaction is held to, and how many users a summary lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReactionLimits {
    /// Most distinct reactions on one message.
    pub max_reactions: usize,
    /// Most users of one reaction.
    pub max_users: usize,
    /// How many of a reaction's first users a [`ReactionSummary`] lists.
    pub listed_users: usize,
}

/// One reaction of a message as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReactionSummary {
    pub reaction: String,
    /// How many users reacted with it (0: the last one took theirs back).
    pub count: u64,
    /// Its first users, in the order they reacted, at most the number asked for.
    pub users: Vec<String>,
    /// Whether the user the summary was read for is among all of its users.
    pub by_me: bool,
}

/// What adding or removing a reaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactOutcome {
    /// Done: the reaction as it is now (`by_me` is about the user who changed it).
    Done(ReactionSummary),
    /// No such message, or it is recalled (or deleted): it takes no reactions.
    NoMessage,
    /// The message has the most reactions it may have, and this is a new one.
    TooManyReactions,
    /// The reaction has the most users it may have.
    TooManyUsers,
    /// The user reacted so already.
    AlreadyReacted,
    /// The user has no such reaction on the message.
    NotReacted,
}

/// One page of a reaction's users.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReactionUsers {
    /// In the order they reacted.
    pub users: Vec<String>,
    /// Where the next page starts; 0 when this page holds the last user.
    pub next: u64,
}

/// What the store found of a message before a change: whether it may take one, and the
/// counts the limits are about.
pub(crate) struct ReactState {
    /// The user reacted so already.
    pub mine: bool,
    /// Distinct reactions on the message.
    pub reactions: usize,
    /// Whether the reaction is one of them.
    pub present: bool,
    /// Users of the reaction.
    pub users: usize,
}

/// The refusal of a change, if any, checked in the order Tencent names its codes' causes:
/// an existing reaction of the user first, then the message's and the reaction's limits.
pub(crate) fn refusal(
    state: &ReactState,
    add: bool,
    limits: &ReactionLimits,
) -> Option<ReactOutcome> {
    if !add {
        return (!state.mine).then_some(ReactOutcome::NotReacted);
    }
    if state.mine {
        Some(ReactOutcome::AlreadyReacted)
    } else if !state.present && state.reactions >= limits.max_reactions {
        Some(ReactOutcome::TooManyReactions)
    } else if state.users >= limits.max_users {
        Some(ReactOutcome::TooManyUsers)
    } else {
        None
    }
}

/// The summaries of a message's rows `(reaction, user)` read in `seq` order: reactions in the
/// order of their first user, each with its first `listed` users.
pub(crate) fn summarize(
    rows: Vec<(String, String)>,
    me: &str,
    listed: usize,
) -> Vec<ReactionSummary> {
    let mut summaries: Vec<ReactionSummary> = Vec::new();
    for (reaction, user) in rows {
        let i = match summaries.iter().position(|s| s.reaction == reaction) {
            Some(i) => i,
            None => {
                summaries.push(ReactionSummary {
                    reaction,
                    ..ReactionSummary::default()
                });
                summaries.len() - 1
            }
        };
        let summary = &mut summaries[i];
        summary.count += 1;
        summary.by_me |= user == me;
        if summary.users.len() < listed {
            summary.users.push(user);
        }
    }
    summaries
}

/// The summary of one reaction from its users in `seq` order.
pub(crate) fn summary_of(
    reaction: String,
    users: Vec<String>,
    me: &str,
    listed: usize,
) -> ReactionSummary {
    let by_me = users.iter().any(|u| u == me);
    ReactionSummary {
        reaction,
        count: users.len() as u64,
        by_me,
        users: users.into_iter().take(listed).collect(),
    }
}

/// A page of users from rows `(user, seq)` read from the start position on, one more than
/// `limit` if there are more: that one's `seq` is where the next page starts.
pub(crate) fn page_of(mut rows: Vec<(String, i64)>, limit: usize) -> ReactionUsers {
    let next = if rows.len() > limit {
        rows.truncate(limit + 1);
        rows.pop().map_or(0, |(_, seq)| seq as u64)
    } else {
        0
    };
    ReactionUsers {
        users: rows.into_iter().map(|(user, _)| user).collect(),
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(r, u)| ((*r).to_owned(), (*u).to_owned()))
            .collect()
    }

    #[test]
    fn summaries_keep_first_reaction_order_and_list_first_users() {
        let s = summarize(
            rows(&[("b", "u1"), ("a", "u2"), ("b", "u3"), ("b", "me")]),
            "me",
            2,
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].reaction.as_str(), s[0].count, s[0].by_me),
            ("b", 3, true)
        );
        assert_eq!(s[0].users, vec!["u1", "u3"], "the first two only");
        assert_eq!((s[1].reaction.as_str(), s[1].count), ("a", 1));
        assert!(!s[1].by_me);
    }

    #[test]
    fn refusals_name_the_first_rule_broken() {
        let limits = ReactionLimits {
            max_reactions: 2,
            max_users: 3,
            listed_users: 10,
        };
        let state = |mine, reactions, present, users| ReactState {
            mine,
            reactions,
            present,
            users,
        };
        assert_eq!(
            refusal(&state(true, 2, true, 3), true, &limits),
            Some(ReactOutcome::AlreadyReacted)
        );
        assert_eq!(
            refusal(&state(false, 2, false, 0), true, &limits),
            Some(ReactOutcome::TooManyReactions)
        );
        assert_eq!(refusal(&state(false, 2, true, 2), true, &limits), None);
        assert_eq!(
            refusal(&state(false, 2, true, 3), true, &limits),
            Some(ReactOutcome::TooManyUsers)
        );
        assert_eq!(
            refusal(&state(false, 1, true, 1), false, &limits),
            Some(ReactOutcome::NotReacted)
        );
        assert_eq!(refusal(&state(true, 1, true, 1), false, &limits), None);
    }

    #[test]
    fn a_page_names_where_the_next_one_starts() {
        let page = page_of(vec![("a".into(), 1), ("b".into(), 4), ("c".into(), 9)], 2);
        assert_eq!(page.users, vec!["a", "b"]);
        assert_eq!(page.next, 9);
        let last = page_of(vec![("c".into(), 9)], 2);
        assert_eq!((last.users.len(), last.next), (1, 0));
    }
}
