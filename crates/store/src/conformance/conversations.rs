//! Conformance checks for imports, conversation lists, contact groups and catching up (edits and
//! extensions: `c2c_edits.rs`).

use super::c2c_edits::{set, target};
use super::messages::{c2c, no_outbox};
use crate::{
    C2cHistoryQuery, C2cImport, ContactChange, ContactGroup, ContactLimits, ContactOutcome,
    Conversation, ConversationId, ConversationKind, ListCursor, MarkChange, Store,
};

async fn history(
    store: &dyn Store,
    app: u64,
    operator: &str,
    peer: &str,
) -> Vec<(String, u32, String)> {
    store
        .c2c_history(
            app,
            C2cHistoryQuery {
                operator: operator.into(),
                peer: peer.into(),
                min_time: 0,
                max_time: i64::MAX,
                before: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.message.from, m.message.msg_seq, m.message.body))
        .collect()
}

async fn list(store: &dyn Store, app: u64, owner: &str) -> Vec<(String, i64)> {
    store
        .conversations(
            app,
            owner.into(),
            None,
            ListCursor { time: 0, skip: 0 },
            1000,
            false,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id.peer, c.msg_time))
        .collect()
}

pub async fn imports_deduplicate_in_both_directions(store: &dyn Store) {
    let app = 1_400_000_120;
    let mut old = c2c("a", "b", 7, 70, 100);
    old.counts_as_unread = false;
    assert_eq!(
        store.import_c2c(app, old).await.unwrap(),
        C2cImport::Imported
    );
    // Same (seq, random, time), either direction: the first import wins.
    let mut again = c2c("a", "b", 7, 70, 100);
    again.body = "[]".into();
    assert_eq!(
        store.import_c2c(app, again).await.unwrap(),
        C2cImport::Duplicate
    );
    assert_eq!(
        store
            .import_c2c(app, c2c("b", "a", 7, 70, 100))
            .await
            .unwrap(),
        C2cImport::Duplicate
    );
    // A different time is another message; this one counts as unread.
    assert_eq!(
        store
            .import_c2c(app, c2c("a", "b", 7, 70, 101))
            .await
            .unwrap(),
        C2cImport::Imported
    );
    let h = history(store, app, "b", "a").await;
    assert_eq!(h.len(), 2, "imports: {h:?}");
    assert!(
        h[1].2.contains("\"7\""),
        "the first import's body stays: {h:?}"
    );
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), vec!["a".into()])
            .await
            .unwrap(),
        (1, vec![1])
    );
    // An imported message older than the reader's read mark is not unread.
    store
        .c2c_mark_read(app, "b".into(), "a".into(), 500, 0, no_outbox())
        .await
        .unwrap();
    store
        .import_c2c(app, c2c("a", "b", 8, 80, 400))
        .await
        .unwrap();
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), vec!["a".into()])
            .await
            .unwrap(),
        (0, vec![0])
    );
    // Both sides' conversations moved to the newest message.
    assert_eq!(list(store, app, "a").await, vec![("b".to_owned(), 400)]);
    assert_eq!(list(store, app, "b").await, vec![("a".to_owned(), 400)]);
}

pub async fn conversations_follow_messages_and_page_by_cursor(store: &dyn Store) {
    let app = 1_400_000_123;
    // owner "o" talks with p0..p4; p1 and p2 share a time.
    for (i, time) in [(0, 100), (1, 300), (2, 300), (3, 200), (4, 50)] {
        store
            .send_c2c(app, c2c(&format!("p{i}"), "o", 1, i, time), no_outbox())
            .await
            .unwrap();
    }
    // A message that does not move the conversation (NoLastMsg).
    let mut quiet = c2c("p4", "o", 2, 2, 900);
    quiet.updates_conversation = false;
    store.send_c2c(app, quiet, no_outbox()).await.unwrap();
    // o's own message to p0 moves it forward; one hidden from o's history does not create one.
    store
        .send_c2c(app, c2c("o", "p0", 3, 3, 250), no_outbox())
        .await
        .unwrap();
    let mut unsynced = c2c("o", "p9", 1, 1, 999);
    unsynced.in_sender_history = false;
    store.send_c2c(app, unsynced, no_outbox()).await.unwrap();

    let expected = vec![
        ("p1".to_owned(), 300),
        ("p2".to_owned(), 300),
        ("p0".to_owned(), 250),
        ("p3".to_owned(), 200),
        ("p4".to_owned(), 50),
    ];
    assert_eq!(list(store, app, "o").await, expected);
    assert_eq!(list(store, app, "p9").await, vec![("o".to_owned(), 999)]);

    // Page by two with (time, skip) cursors; ties at 300 are split across pages.
    let page = |cursor: ListCursor, limit: usize| async move {
        store
            .conversations(app, "o".into(), None, cursor, limit, false)
            .await
            .unwrap()
            .into_iter()
            .map(|c: Conversation| c.id.peer)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(ListCursor { time: 0, skip: 0 }, 1).await, vec!["p1"]);
    assert_eq!(
        page(ListCursor { time: 300, skip: 1 }, 2).await,
        vec!["p2", "p0"]
    );
    assert_eq!(
        page(ListCursor { time: 250, skip: 1 }, 5).await,
        vec!["p3", "p4"]
    );
    assert_eq!(
        store
            .conversations(
                app,
                "o".into(),
                Some(true),
                ListCursor { time: 0, skip: 0 },
                10,
                false
            )
            .await
            .unwrap(),
        Vec::new(),
        "nothing is pinned"
    );
}

pub async fn deleting_a_conversation_clears_unread_and_maybe_history(store: &dyn Store) {
    let app = 1_400_000_124;
    for (seq, time) in [(1, 100), (2, 101)] {
        store
            .send_c2c(app, c2c("a", "b", seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    store
        .send_c2c(app, c2c("c", "b", 1, 1, 100), no_outbox())
        .await
        .unwrap();
    let c2c_with = |peer: &str| ConversationId {
        kind: ConversationKind::C2c,
        peer: peer.into(),
    };
    assert!(store
        .delete_conversation(app, "b".into(), c2c_with("a"), false)
        .await
        .unwrap());
    assert!(!store
        .delete_conversation(app, "b".into(), c2c_with("a"), false)
        .await
        .unwrap());
    assert_eq!(list(store, app, "b").await, vec![("c".to_owned(), 100)]);
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), vec!["a".into(), "c".into()])
            .await
            .unwrap(),
        (1, vec![0, 1])
    );
    assert_eq!(
        history(store, app, "b", "a").await.len(),
        2,
        "history is kept"
    );

    // With the history: b no longer sees the old messages, a still does; new ones show.
    store
        .delete_conversation(app, "b".into(), c2c_with("a"), true)
        .await
        .unwrap();
    assert_eq!(history(store, app, "b", "a").await.len(), 0);
    assert_eq!(history(store, app, "a", "b").await.len(), 2);
    store
        .send_c2c(app, c2c("a", "b", 3, 3, 102), no_outbox())
        .await
        .unwrap();
    assert_eq!(history(store, app, "b", "a").await.len(), 1);
    assert_eq!(list(store, app, "b").await[0], ("a".to_owned(), 102));
}

pub async fn purge_removes_old_messages_only(store: &dyn Store) {
    let app = 1_400_000_125;
    for (seq, time) in [(1, 100), (2, 200), (3, 300)] {
        let mut m = c2c("a", "b", seq, seq, time);
        m.supports_extension = true;
        store.send_c2c(app, m, no_outbox()).await.unwrap();
    }
    store
        .change_c2c_extensions(
            app,
            target("a", "b", 100, 1, 1),
            set(&[("k", "v")]),
            Vec::new(),
            10,
        )
        .await
        .unwrap();
    // Another app's old message stays.
    store
        .send_c2c(app + 1, c2c("a", "b", 1, 1, 100), no_outbox())
        .await
        .unwrap();
    assert_eq!(
        store.purge_c2c(app, 300, 1).await.unwrap(),
        1,
        "bounded step"
    );
    assert_eq!(store.purge_c2c(app, 300, 10).await.unwrap(), 1);
    assert_eq!(store.purge_c2c(app, 300, 10).await.unwrap(), 0);
    let left: Vec<u32> = history(store, app, "a", "b")
        .await
        .iter()
        .map(|m| m.1)
        .collect();
    assert_eq!(left, vec![3]);
    assert_eq!(history(store, app + 1, "a", "b").await.len(), 1);
}

pub async fn contact_groups_and_marks_persist_all_or_nothing(store: &dyn Store) {
    let app = 1_400_000_126;
    let limits = ContactLimits {
        groups: 2,
        per_group: 2,
        marked: 2,
    };
    let c = |peer: &str| ConversationId {
        kind: ConversationKind::C2c,
        peer: peer.into(),
    };
    let g = ConversationId {
        kind: ConversationKind::Group,
        peer: "@TGS#1".into(),
    };
    let change = |change: ContactChange, now: i64| {
        store.change_contacts(app, "o".into(), change, limits, now)
    };
    let created = change(
        ContactChange::CreateGroup {
            name: "work".into(),
            members: vec![c("a"), g.clone()],
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        created,
        ContactOutcome::Done(Some(ContactGroup {
            id: 1,
            name: "work".into()
        }))
    );
    change(
        ContactChange::CreateGroup {
            name: "home".into(),
            members: vec![c("a")],
        },
        11,
    )
    .await
    .unwrap();
    assert_eq!(
        change(
            ContactChange::CreateGroup {
                name: "third".into(),
                members: vec![]
            },
            12
        )
        .await
        .unwrap(),
        ContactOutcome::TooManyGroups
    );
    assert_eq!(
        change(
            ContactChange::UpdateMembers {
                name: "work".into(),
                add: vec![c("b")],
                remove: vec![]
            },
            13
        )
        .await
        .unwrap(),
        ContactOutcome::TooManyConversations
    );
    change(
        ContactChange::Mark(vec![MarkChange {
            id: c("b"),
            set_bits: 1 << 63 | 2,
            clear_bits: 0,
            custom_mark: Some("vip".into()),
        }]),
        14,
    )
    .await
    .unwrap();
    assert_eq!(
        change(
            ContactChange::RenameGroup {
                old: "nope".into(),
                new: "x".into()
            },
            15
        )
        .await
        .unwrap(),
        ContactOutcome::NoSuchGroup
    );
    assert_eq!(
        change(
            ContactChange::RenameGroup {
                old: "home".into(),
                new: "work".into()
            },
            15
        )
        .await
        .unwrap(),
        ContactOutcome::NameTaken
    );
    change(
        ContactChange::RenameGroup {
            old: "home".into(),
            new: "family".into(),
        },
        15,
    )
    .await
    .unwrap();

    let groups = store.contact_groups(app, "o".into()).await.unwrap();
    assert_eq!(
        groups,
        vec![
            ContactGroup {
                id: 1,
                name: "work".into()
            },
            ContactGroup {
                id: 2,
                name: "family".into()
            }
        ]
    );
    let all = store
        .contact_data(app, "o".into(), None, 0, 100)
        .await
        .unwrap();
    let summary: Vec<(String, u64, String, Vec<u32>, i64)> = all
        .iter()
        .map(|d| {
            (
                d.id.peer.clone(),
                d.standard_mark,
                d.custom_mark.clone(),
                d.groups.clone(),
                d.updated,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a".into(), 0, "".into(), vec![1, 2], 11),
            ("b".into(), 1 << 63 | 2, "vip".into(), vec![], 14),
            ("@TGS#1".into(), 0, "".into(), vec![1], 10),
        ]
    );
    assert_eq!(
        store
            .contact_data(app, "o".into(), None, 1, 1)
            .await
            .unwrap()[0]
            .id,
        c("b")
    );
    let some = store
        .contact_data(app, "o".into(), Some(vec![g.clone(), c("zz")]), 0, 0)
        .await
        .unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(some[0].id, g);

    change(
        ContactChange::DeleteGroup {
            name: "work".into(),
        },
        20,
    )
    .await
    .unwrap();
    let left: Vec<String> = store
        .contact_data(app, "o".into(), None, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id.peer)
        .collect();
    assert_eq!(
        left,
        vec!["a", "b"],
        "the group conversation had nothing else"
    );
    assert!(store
        .contact_data(app + 1, "o".into(), None, 0, 100)
        .await
        .unwrap()
        .is_empty());
}

async fn since(
    store: &dyn Store,
    app: u64,
    user: &str,
    after: (i64, u32, u32),
) -> Vec<(String, u32)> {
    store
        .c2c_since(app, user.into(), after, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.message.from, m.message.msg_seq))
        .collect()
}

pub async fn catch_up_walks_a_users_messages_by_position(store: &dyn Store) {
    let app = 1_400_000_350;
    // b receives from a and c, sends to a (kept), sends one not kept in its own history, and
    // messages between others are not b's.
    for (from, to, seq, time) in [
        ("a", "b", 1, 100),
        ("c", "b", 2, 100),
        ("b", "a", 3, 101),
        ("a", "c", 4, 101),
        ("a", "b", 5, 102),
        ("c", "b", 6, 103),
    ] {
        store
            .send_c2c(app, c2c(from, to, seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    let mut hidden = c2c("b", "c", 7, 7, 103);
    hidden.in_sender_history = false;
    store.send_c2c(app, hidden, no_outbox()).await.unwrap();
    let first = since(store, app, "b", (0, 0, 0)).await;
    assert_eq!(
        first,
        vec![("a".into(), 1), ("c".into(), 2), ("b".into(), 3)],
        "oldest first, received and sent, up to the limit"
    );
    assert_eq!(
        since(store, app, "b", (101, 3, 3)).await,
        vec![("a".into(), 5), ("c".into(), 6)],
        "strictly after the position; not others' messages nor hidden ones"
    );
    assert_eq!(
        since(store, app, "b", (100, 1, 1)).await,
        vec![("c".into(), 2), ("b".into(), 3), ("a".into(), 5)],
        "within one second, by MsgSeq then MsgRandom"
    );
    assert!(since(store, app, "b", (103, 6, 6)).await.is_empty());
    // A recalled message is left out, and so is what b cleared from its history.
    store
        .c2c_recall(app, "a".into(), "b".into(), (102, 5, 5), 1, no_outbox())
        .await
        .unwrap();
    assert_eq!(
        since(store, app, "b", (101, 3, 3)).await,
        vec![("c".into(), 6)]
    );
    let with_c = ConversationId {
        kind: ConversationKind::C2c,
        peer: "c".into(),
    };
    store
        .delete_conversation(app, "b".into(), with_c, true)
        .await
        .unwrap();
    assert_eq!(
        since(store, app, "b", (0, 0, 0)).await,
        vec![("a".into(), 1), ("b".into(), 3)]
    );
    assert_eq!(
        since(store, app, "a", (0, 0, 0)).await.len(),
        3,
        "a still sees its side"
    );
}
