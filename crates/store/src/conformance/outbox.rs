//! Conformance checks for the webhook outbox: events commit with their change, ordering, retries.

use super::{import, NICK};
use crate::{OutboxEvent, ProfileValue, Store};

pub(super) fn event(command: &str, key: &str, body: &str) -> OutboxEvent {
    OutboxEvent {
        command: command.into(),
        order_key: key.into(),
        body: body.into(),
        client_ip: "127.0.0.1".into(),
        opt_platform: "RESTAPI".into(),
    }
}

/// Claims everything due at `now`, as a delivery worker would.
pub(super) async fn claim_all(store: &dyn Store, now: i64) -> Vec<(u64, String)> {
    store
        .claim_outbox(now, 30_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.app, e.event.body))
        .collect()
}

/// Drains the outbox (other checks' leftovers included) so a check starts from empty.
pub(super) async fn drain(store: &dyn Store, now: i64) {
    loop {
        let claimed = store.claim_outbox(now, 1, 100).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        for e in claimed {
            store.finish_outbox(e.id).await.unwrap();
        }
    }
}

pub async fn outbox_events_commit_with_their_change(store: &dyn Store) {
    let app = 1_400_000_110;
    drain(store, 1_000_000).await;
    store
        .import_accounts(app, vec![import("o1", vec![])], 1)
        .await
        .unwrap();
    let written = store
        .set_profile(
            app,
            "o1".into(),
            vec![ProfileValue::new(NICK, "x")],
            10,
            vec![event("Profile.CallbackPortraitSet", "o1", "{\"n\":1}")],
        )
        .await
        .unwrap();
    assert!(written);
    // A refused change writes no event either.
    let written = store
        .set_profile(
            app,
            "ghost".into(),
            vec![ProfileValue::new(NICK, "x")],
            10,
            vec![event("Profile.CallbackPortraitSet", "ghost", "{}")],
        )
        .await
        .unwrap();
    assert!(!written);
    assert_eq!(store.outbox_len().await.unwrap(), 1, "outbox: one event");
    // Events of no stored change are written on their own.
    store
        .enqueue_outbox(app, vec![event("State.StateChange", "o2", "{\"n\":2}")], 10)
        .await
        .unwrap();
    assert_eq!(
        claim_all(store, 1_000).await,
        vec![(app, "{\"n\":1}".to_owned()), (app, "{\"n\":2}".to_owned())]
    );
    // Leased: another claimer does not see it until the lease runs out.
    assert!(
        claim_all(store, 2_000).await.is_empty(),
        "outbox: lease hides a claimed event"
    );
    let again = store
        .claim_outbox(1_000 + 30_001, 30_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 2, "outbox: an expired lease frees the events");
    for entry in again {
        store.finish_outbox(entry.id).await.unwrap();
    }
    assert_eq!(store.outbox_len().await.unwrap(), 0);
}

pub async fn outbox_delivers_in_order_per_key(store: &dyn Store) {
    let app = 1_400_000_111;
    drain(store, 1_000_000).await;
    store
        .import_accounts(app, vec![import("a", vec![]), import("b", vec![])], 1)
        .await
        .unwrap();
    for (user, body) in [("a", "a1"), ("b", "b1"), ("a", "a2")] {
        store
            .set_profile(
                app,
                user.into(),
                vec![ProfileValue::new(NICK, body)],
                5,
                vec![event("C", user, body)],
            )
            .await
            .unwrap();
    }
    let first = store.claim_outbox(100, 30_000, 10).await.unwrap();
    let bodies: Vec<&str> = first.iter().map(|e| e.event.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["a1", "b1"],
        "outbox: only the head of each key is claimable"
    );
    for e in &first {
        store.finish_outbox(e.id).await.unwrap();
    }
    let next = store.claim_outbox(100, 30_000, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].event.body, "a2");
    assert_eq!(next[0].event.order_key, "a");
    store.finish_outbox(next[0].id).await.unwrap();
}

pub async fn outbox_retries_and_dead_letters(store: &dyn Store) {
    let app = 1_400_000_112;
    drain(store, 1_000_000).await;
    store
        .import_accounts(app, vec![import("r", vec![])], 1)
        .await
        .unwrap();
    store
        .set_profile(
            app,
            "r".into(),
            vec![ProfileValue::new(NICK, "1")],
            5,
            vec![event("C", "r", "one"), event("C", "r", "two")],
        )
        .await
        .unwrap();
    let claimed = store.claim_outbox(100, 30_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    store
        .retry_outbox(claimed[0].id, 1, 5_000, "HTTP 500".into())
        .await
        .unwrap();
    assert!(
        claim_all(store, 4_999).await.is_empty(),
        "retry: not before its time, and the next waits"
    );
    let retried = store.claim_outbox(5_000, 30_000, 10).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].event.body, "one");
    store
        .dead_letter_outbox(retried[0].id, 2, "timeout".into(), 6_000)
        .await
        .unwrap();
    let dead = store.dead_letters(app, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (
            dead[0].event.body.as_str(),
            dead[0].attempts,
            dead[0].last_error.as_str(),
            dead[0].dead_ms
        ),
        ("one", 2, "timeout", 6_000)
    );
    assert!(store.dead_letters(app + 1, 10).await.unwrap().is_empty());
    // The dead event no longer holds up its key.
    assert_eq!(claim_all(store, 6_000).await, vec![(app, "two".to_owned())]);
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.outbox_len().await.unwrap(),
        0,
        "reset: outbox cleared"
    );
    assert!(
        store.dead_letters(app, 10).await.unwrap().is_empty(),
        "reset: dead letters cleared"
    );
}
