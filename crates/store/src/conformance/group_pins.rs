//! Conformance checks for pinned group messages.

use std::sync::Arc;

use super::groups::{apply, member, record};
use super::import;
use crate::{GroupChange, PinOutcome, PinnedMessage, Store};

fn pin(msg_seq: u64, pinner: &str) -> PinnedMessage {
    PinnedMessage {
        msg_seq,
        pinner: pinner.into(),
        pinned_ms: 1_000 + msg_seq as i64,
    }
}

fn key(group: &str, topic: &str) -> (String, String) {
    (group.into(), topic.into())
}

pub async fn pins_are_capped_per_group_and_topic_and_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_501;
    store
        .import_accounts(app, vec![import("o", vec![])], 1)
        .await
        .unwrap();
    apply(
        store,
        app,
        "g",
        vec![
            GroupChange::PutGroup(Box::new(record("g", "Public"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
        ],
    )
    .await;
    let g = || key("g", "");
    assert_eq!(
        store
            .pin_group_message(app, g(), pin(5, "o"), 2)
            .await
            .unwrap(),
        PinOutcome::Pinned
    );
    // Pinned again: kept as it was (the first pinner).
    assert_eq!(
        store
            .pin_group_message(app, g(), pin(5, "x"), 2)
            .await
            .unwrap(),
        PinOutcome::AlreadyPinned
    );
    assert_eq!(
        store
            .pin_group_message(app, g(), pin(3, "o"), 2)
            .await
            .unwrap(),
        PinOutcome::Pinned
    );
    assert_eq!(
        store
            .pin_group_message(app, g(), pin(9, "o"), 2)
            .await
            .unwrap(),
        PinOutcome::Full
    );
    // A topic counts its own pins; another app sees none.
    assert_eq!(
        store
            .pin_group_message(app, key("g", "t"), pin(9, "o"), 2)
            .await
            .unwrap(),
        PinOutcome::Pinned
    );
    assert_eq!(
        store.pinned_group_messages(app, g()).await.unwrap(),
        vec![pin(3, "o"), pin(5, "o")],
        "by sequence"
    );
    assert!(store
        .pinned_group_messages(app + 1, g())
        .await
        .unwrap()
        .is_empty());

    assert!(store.unpin_group_message(app, g(), 3).await.unwrap());
    assert!(!store.unpin_group_message(app, g(), 3).await.unwrap());
    assert_eq!(
        store.pinned_group_messages(app, g()).await.unwrap(),
        vec![pin(5, "o")]
    );

    // A disbanded group takes its pins (and its topics' pins) with it.
    apply(store, app, "g", vec![GroupChange::DeleteGroup]).await;
    assert!(store
        .pinned_group_messages(app, g())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .pinned_group_messages(app, key("g", "t"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn concurrent_pins_respect_the_cap(store: Arc<dyn Store>) {
    let app = 1_400_000_502;
    let tasks: Vec<_> = (1..=8u64)
        .map(|seq| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .pin_group_message(app, key("g", ""), pin(seq, "o"), 3)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut pinned = 0;
    for task in tasks {
        if task.await.unwrap() == PinOutcome::Pinned {
            pinned += 1;
        }
    }
    assert_eq!(pinned, 3);
    assert_eq!(
        store
            .pinned_group_messages(app, key("g", ""))
            .await
            .unwrap()
            .len(),
        3
    );
}
