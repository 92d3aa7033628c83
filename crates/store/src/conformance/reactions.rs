//! Conformance checks for message reactions (`crate::reactions`).

use std::sync::Arc;

use super::groups::{apply, member, record};
use super::messages::{c2c, no_outbox};
use crate::{
    C2cMessageRef, GroupChange, GroupMessage, ReactOutcome, ReactionLimits, ReactionMessage,
    ReactionSummary, Store, TopicRecord,
};

const LIMITS: ReactionLimits = ReactionLimits {
    max_reactions: 3,
    max_users: 4,
    listed_users: 2,
};

fn c2c_ref(from: &str, to: &str, position: (i64, u32, u32)) -> ReactionMessage {
    ReactionMessage::C2c(C2cMessageRef {
        from: from.into(),
        to: to.into(),
        position,
    })
}

async fn react(
    store: &dyn Store,
    app: u64,
    message: &ReactionMessage,
    reaction: &str,
    user: &str,
    add: bool,
) -> ReactOutcome {
    store
        .react(
            app,
            message.clone(),
            (reaction.into(), user.into(), add),
            LIMITS,
            1_000,
        )
        .await
        .unwrap()
}

fn done(outcome: ReactOutcome) -> ReactionSummary {
    match outcome {
        ReactOutcome::Done(summary) => summary,
        other => panic!("the change was refused: {other:?}"),
    }
}

async fn summaries(
    store: &dyn Store,
    app: u64,
    message: &ReactionMessage,
    me: &str,
) -> Option<Vec<ReactionSummary>> {
    store
        .message_reactions(app, vec![message.clone()], me.into(), LIMITS.listed_users)
        .await
        .unwrap()
        .pop()
        .unwrap()
}

pub async fn c2c_reactions_keep_limits_order_and_pages(store: &dyn Store) {
    let app = 1_400_000_701;
    store
        .send_c2c(app, c2c("a", "b", 1, 11, 100), no_outbox())
        .await
        .unwrap();
    let message = c2c_ref("a", "b", (100, 1, 11));
    let missing = c2c_ref("b", "a", (100, 1, 11));
    assert_eq!(
        react(store, app, &missing, "x", "a", true).await,
        ReactOutcome::NoMessage,
        "the sender is part of the message's key"
    );

    // The first add answers the reaction as it is now.
    let first = done(react(store, app, &message, "smile", "b", true).await);
    assert_eq!(
        first,
        ReactionSummary {
            reaction: "smile".into(),
            count: 1,
            users: vec!["b".into()],
            by_me: true,
        }
    );
    assert_eq!(
        react(store, app, &message, "smile", "b", true).await,
        ReactOutcome::AlreadyReacted
    );
    for user in ["a", "c", "d"] {
        done(react(store, app, &message, "smile", user, true).await);
    }
    assert_eq!(
        react(store, app, &message, "smile", "e", true).await,
        ReactOutcome::TooManyUsers
    );
    done(react(store, app, &message, "heart", "a", true).await);
    done(react(store, app, &message, "ok", "c", true).await);
    assert_eq!(
        react(store, app, &message, "fourth", "a", true).await,
        ReactOutcome::TooManyReactions
    );

    // Reactions in the order of their first user, with their first users and who is "me".
    let list = summaries(store, app, &message, "c").await.unwrap();
    let shape: Vec<(&str, u64, Vec<&str>, bool)> = list
        .iter()
        .map(|s| {
            let users = s.users.iter().map(String::as_str).collect();
            (s.reaction.as_str(), s.count, users, s.by_me)
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("smile", 4, vec!["b", "a"], true),
            ("heart", 1, vec!["a"], false),
            ("ok", 1, vec!["c"], true),
        ]
    );

    // Pages of one reaction's users; `next` is where the next page starts, 0 at the end.
    let page = store
        .reaction_users(app, message.clone(), "smile".into(), 0, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.users, vec!["b", "a", "c"]);
    assert!(page.next > 0);
    let rest = store
        .reaction_users(app, message.clone(), "smile".into(), page.next, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((rest.users, rest.next), (vec!["d".to_owned()], 0));
    assert!(store
        .reaction_users(app, missing.clone(), "smile".into(), 0, 3)
        .await
        .unwrap()
        .is_none());

    // Removing: a user's own reaction only; the last user takes the reaction away, which
    // frees its place; a user who reacts again goes to the end.
    assert_eq!(
        react(store, app, &message, "heart", "b", false).await,
        ReactOutcome::NotReacted
    );
    let gone = done(react(store, app, &message, "heart", "a", false).await);
    assert_eq!((gone.count, gone.users.len(), gone.by_me), (0, 0, false));
    done(react(store, app, &message, "fourth", "a", true).await);
    done(react(store, app, &message, "smile", "b", false).await);
    let back = done(react(store, app, &message, "smile", "b", true).await);
    assert_eq!(
        (back.count, back.users.clone()),
        (4, vec!["a".into(), "c".into()])
    );
    let all = store
        .reaction_users(app, message.clone(), "smile".into(), 0, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all.users, vec!["a", "c", "d", "b"]);

    // Several messages at once, one missing; apps never see each other's reactions.
    let both = store
        .message_reactions(app, vec![missing.clone(), message.clone()], "z".into(), 0)
        .await
        .unwrap();
    assert_eq!(both[0], None);
    let listed = both[1].as_ref().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|s| s.users.is_empty() && !s.by_me));
    assert_eq!(summaries(store, app + 1, &message, "a").await, None);

    // A recalled message takes no change, and its reactions can still be read.
    store
        .c2c_recall(app, "a".into(), "b".into(), (100, 1, 11), 5, no_outbox())
        .await
        .unwrap();
    assert_eq!(
        react(store, app, &message, "smile", "e", false).await,
        ReactOutcome::NoMessage
    );
    assert_eq!(summaries(store, app, &message, "a").await.unwrap().len(), 3);

    // The history retention sweep takes a message's reactions with it.
    store.purge_c2c(app, 101, 10).await.unwrap();
    let items = super::dump::export_items(store, app).await;
    assert!(
        super::dump::rows_of(&items, "c2c_reactions").is_empty(),
        "no reaction outlives its message"
    );
}

pub async fn group_reactions_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_702;
    let message = |seq: u64| GroupMessage {
        seq,
        random: 7,
        from: "o".into(),
        time: 102,
        body: "[]".into(),
        priority: 2,
        ..GroupMessage::default()
    };
    apply(
        store,
        app,
        "g1",
        vec![
            GroupChange::PutGroup(Box::new(record("g1", "Public"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::AddMessage(message(1)),
            GroupChange::AddMessage(message(2)),
        ],
    )
    .await;
    let first = ReactionMessage::Group {
        group_id: "g1".into(),
        seq: 1,
    };
    let second = ReactionMessage::Group {
        group_id: "g1".into(),
        seq: 2,
    };
    let none = ReactionMessage::Group {
        group_id: "g1".into(),
        seq: 3,
    };
    assert_eq!(
        react(store, app, &none, "x", "o", true).await,
        ReactOutcome::NoMessage
    );
    done(react(store, app, &first, "x", "o", true).await);
    done(react(store, app, &first, "y", "m", true).await);
    done(react(store, app, &second, "x", "m", true).await);
    let read = store
        .message_reactions(
            app,
            vec![first.clone(), none.clone(), second.clone()],
            "m".into(),
            5,
        )
        .await
        .unwrap();
    let names = |list: &Option<Vec<ReactionSummary>>| -> Vec<(String, bool)> {
        list.as_ref()
            .unwrap()
            .iter()
            .map(|s| (s.reaction.clone(), s.by_me))
            .collect()
    };
    assert_eq!(
        names(&read[0]),
        vec![("x".to_owned(), false), ("y".to_owned(), true)]
    );
    assert_eq!(read[1], None);
    assert_eq!(names(&read[2]), vec![("x".to_owned(), true)]);

    // A recalled message takes no change.
    apply(
        store,
        app,
        "g1",
        vec![GroupChange::RecallMessage {
            topic_id: String::new(),
            seq: 2,
            recalled_ms: 5,
            revoker: "o".into(),
        }],
    )
    .await;
    assert_eq!(
        react(store, app, &second, "x", "m", false).await,
        ReactOutcome::NoMessage
    );

    // A group deleted and created again under the same ID starts without reactions.
    apply(store, app, "g1", vec![GroupChange::DeleteGroup]).await;
    apply(
        store,
        app,
        "g1",
        vec![
            GroupChange::PutGroup(Box::new(record("g1", "Public"))),
            GroupChange::AddMessage(message(1)),
        ],
    )
    .await;
    assert_eq!(
        summaries(store, app, &first, "o").await,
        Some(Vec::new()),
        "the old group's reactions went with it"
    );
}

/// A community topic's messages take reactions under the topic's ID (its `group_messages`
/// stream), apart from the group's own message of the same `MsgSeq`; they go with the topic
/// and with the group.
pub async fn topic_reactions_are_the_topics_and_go_with_it(store: &dyn Store) {
    let app = 1_400_000_703;
    let gid = "@TGS#_rc";
    let t1 = super::topics::topic(gid, "one", 20);
    let t2 = super::topics::topic(gid, "two", 30);
    let message = |topic_id: &str| GroupMessage {
        seq: 1,
        random: 7,
        from: "o".into(),
        time: 102,
        body: "[]".into(),
        priority: 2,
        topic_id: topic_id.into(),
        ..GroupMessage::default()
    };
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::PutGroup(Box::new(record(gid, "Community"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutTopic(Box::new(t1.clone())),
            GroupChange::PutTopic(Box::new(t2.clone())),
            GroupChange::AddMessage(message(&t1.topic_id)),
            GroupChange::AddMessage(message(&t2.topic_id)),
        ],
    )
    .await;
    let in_topic = |topic: &TopicRecord| ReactionMessage::Group {
        group_id: topic.topic_id.clone(),
        seq: 1,
    };
    let in_group = ReactionMessage::Group {
        group_id: gid.into(),
        seq: 1,
    };
    // The group itself has no message 1.
    assert_eq!(
        react(store, app, &in_group, "x", "o", true).await,
        ReactOutcome::NoMessage
    );
    done(react(store, app, &in_topic(&t1), "x", "o", true).await);
    done(react(store, app, &in_topic(&t2), "y", "o", true).await);
    let names = |list: Option<Vec<ReactionSummary>>| -> Vec<String> {
        list.unwrap().into_iter().map(|s| s.reaction).collect()
    };
    assert_eq!(
        names(summaries(store, app, &in_topic(&t1), "o").await),
        ["x"]
    );
    assert_eq!(
        names(summaries(store, app, &in_topic(&t2), "o").await),
        ["y"]
    );

    // A topic deleted and created again under the same ID starts without reactions.
    apply(
        store,
        app,
        gid,
        vec![GroupChange::DeleteTopic(t1.topic_id.clone())],
    )
    .await;
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::PutTopic(Box::new(t1.clone())),
            GroupChange::AddMessage(message(&t1.topic_id)),
        ],
    )
    .await;
    assert_eq!(
        summaries(store, app, &in_topic(&t1), "o").await,
        Some(Vec::new()),
        "the deleted topic's reactions went with it"
    );
    assert_eq!(
        names(summaries(store, app, &in_topic(&t2), "o").await),
        ["y"]
    );
    // So do every topic's with the group.
    apply(store, app, gid, vec![GroupChange::DeleteGroup]).await;
    let items = super::dump::export_items(store, app).await;
    assert!(
        super::dump::rows_of(&items, "group_reactions").is_empty(),
        "no reaction outlives its group"
    );
}

/// Many users reacting at once never pass a reaction's limit together.
pub async fn concurrent_reactions_keep_the_limit(store: Arc<dyn Store>) {
    let app = 1_400_000_703;
    store
        .send_c2c(app, c2c("a", "b", 1, 11, 100), no_outbox())
        .await
        .unwrap();
    let message = c2c_ref("a", "b", (100, 1, 11));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, message) = (store.clone(), message.clone());
        tasks.push(tokio::spawn(async move {
            store
                .react(
                    app,
                    message,
                    ("smile".into(), format!("user{i}"), true),
                    LIMITS,
                    1_000,
                )
                .await
                .unwrap()
        }));
    }
    let mut added = 0;
    for task in tasks {
        match task.await.unwrap() {
            ReactOutcome::Done(_) => added += 1,
            ReactOutcome::TooManyUsers => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(added, LIMITS.max_users);
    let page = store
        .reaction_users(app, message, "smile".into(), 0, 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.users.len(), LIMITS.max_users);
}
