//! Conformance checks for the client-side list state: pinned conversations, a cleared
//! one-to-one history, friend-request read marks.

use super::messages::{c2c, no_outbox};
use crate::{C2cHistoryQuery, ConversationId, ConversationKind, ListCursor, Store};

fn c2c_with(peer: &str) -> ConversationId {
    ConversationId {
        kind: ConversationKind::C2c,
        peer: peer.into(),
    }
}

/// `owner`'s conversations (`pinned` as the list query takes it), with empty ones.
async fn peers(store: &dyn Store, app: u64, owner: &str, pinned: Option<bool>) -> Vec<String> {
    store
        .conversations(
            app,
            owner.into(),
            pinned,
            ListCursor { time: 0, skip: 0 },
            100,
            true,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.peer)
        .collect()
}

pub async fn pins_mark_conversations_and_add_missing_ones(store: &dyn Store) {
    let app = 1_400_000_170;
    store
        .send_c2c(app, c2c("a", "b", 1, 1, 100), no_outbox())
        .await
        .unwrap();
    let group = ConversationId {
        kind: ConversationKind::Group,
        peer: "g1".into(),
    };
    // The same conversation twice in one call is one pin.
    store
        .set_conversations_pinned(
            app,
            "b".into(),
            vec![c2c_with("a"), group.clone(), c2c_with("a")],
            true,
        )
        .await
        .unwrap();
    assert_eq!(peers(store, app, "b", Some(true)).await, vec!["a", "g1"]);
    assert!(peers(store, app, "b", Some(false)).await.is_empty());
    // A conversation pinned before any message is empty: hidden from a list without them.
    let listed = store
        .conversations(
            app,
            "b".into(),
            None,
            ListCursor { time: 0, skip: 0 },
            100,
            false,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].pinned);
    // Unpinning keeps the conversation and its time; the peer's own list never changed.
    store
        .set_conversations_pinned(app, "b".into(), vec![c2c_with("a")], false)
        .await
        .unwrap();
    assert_eq!(peers(store, app, "b", Some(false)).await, vec!["a"]);
    assert_eq!(peers(store, app, "b", Some(true)).await, vec!["g1"]);
    assert!(peers(store, app, "a", Some(true)).await.is_empty());
    // A new message keeps the pin.
    store
        .set_conversations_pinned(app, "b".into(), vec![c2c_with("a")], true)
        .await
        .unwrap();
    store
        .send_c2c(app, c2c("a", "b", 2, 2, 200), no_outbox())
        .await
        .unwrap();
    assert_eq!(peers(store, app, "b", Some(true)).await, vec!["a", "g1"]);
}

async fn history_len(store: &dyn Store, app: u64, operator: &str, peer: &str) -> usize {
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
        .len()
}

pub async fn clearing_a_history_hides_it_from_the_owner_only(store: &dyn Store) {
    let app = 1_400_000_171;
    assert!(!store
        .clear_c2c_history(app, "b".into(), "a".into())
        .await
        .unwrap());
    for seq in [1, 2] {
        store
            .send_c2c(
                app,
                c2c("a", "b", seq, seq, 100 + i64::from(seq)),
                no_outbox(),
            )
            .await
            .unwrap();
    }
    assert!(store
        .clear_c2c_history(app, "b".into(), "a".into())
        .await
        .unwrap());
    assert_eq!(history_len(store, app, "b", "a").await, 0);
    assert_eq!(history_len(store, app, "a", "b").await, 2);
    // The conversation stays in the list; later messages show.
    assert_eq!(peers(store, app, "b", None).await, vec!["a"]);
    store
        .send_c2c(app, c2c("a", "b", 3, 3, 103), no_outbox())
        .await
        .unwrap();
    assert_eq!(history_len(store, app, "b", "a").await, 1);
}

pub async fn friend_request_read_marks_only_move_forward(store: &dyn Store) {
    let app = 1_400_000_172;
    store
        .import_accounts(app, vec![super::import("reader", vec![])], 1)
        .await
        .unwrap();
    let read = |owner: &str| store.friend_requests_read_up_to(app, owner.into());
    assert_eq!(read("reader").await.unwrap(), 0);
    store
        .mark_friend_requests_read(app, "reader".into(), 200)
        .await
        .unwrap();
    store
        .mark_friend_requests_read(app, "reader".into(), 100)
        .await
        .unwrap();
    assert_eq!(read("reader").await.unwrap(), 200);
    assert_eq!(read("other").await.unwrap(), 0);
    assert_eq!(
        store
            .friend_requests_read_up_to(app + 1, "reader".into())
            .await
            .unwrap(),
        0,
        "apps never mix"
    );
    // The mark goes with the account.
    store
        .delete_accounts(app, vec!["reader".into()])
        .await
        .unwrap();
    assert_eq!(read("reader").await.unwrap(), 0);
}
