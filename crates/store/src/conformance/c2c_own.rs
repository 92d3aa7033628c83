//! Conformance checks for one side's own view of a one-to-one conversation: messages deleted
//! for oneself, and notification settings per peer.

use super::messages::{c2c, no_outbox};
use crate::{C2cHistoryQuery, DoNotDisturb, Store};

/// The `MsgSeq`s of `operator`'s history with `peer`, newest first.
async fn seqs(store: &dyn Store, app: u64, operator: &str, peer: &str) -> Vec<u32> {
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
        .map(|m| m.message.msg_seq)
        .collect()
}

pub async fn deleted_messages_leave_the_owners_history_only(store: &dyn Store) {
    let app = 1_400_000_380;
    // a sends 1 and 3 to b, b sends 2 to a; nothing read yet.
    for (from, to, seq, time) in [("a", "b", 1, 100), ("b", "a", 2, 101), ("a", "b", 3, 102)] {
        store
            .send_c2c(app, c2c(from, to, seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    let unread = |peer: &str| {
        let peer = peer.to_owned();
        async move {
            store
                .c2c_unread(app, "b".into(), vec![peer])
                .await
                .unwrap()
                .0
        }
    };
    assert_eq!(unread("a").await, 2);
    // b deletes one it received and one it sent; a position nobody has counts nothing.
    let hidden = store
        .hide_c2c_messages(
            app,
            "b".into(),
            "a".into(),
            vec![(100, 1, 1), (101, 2, 2), (999, 9, 9)],
        )
        .await
        .unwrap();
    assert_eq!(hidden, 2);
    assert_eq!(seqs(store, app, "b", "a").await, vec![3]);
    assert_eq!(
        seqs(store, app, "a", "b").await,
        vec![3, 2, 1],
        "the peer keeps them"
    );
    assert_eq!(
        unread("a").await,
        1,
        "a deleted unread message no longer counts"
    );
    // Deleting again changes nothing.
    let again = store
        .hide_c2c_messages(app, "b".into(), "a".into(), vec![(100, 1, 1)])
        .await
        .unwrap();
    assert_eq!(again, 0);
    // Catch-up leaves them out for b, not for a.
    let caught_up = |user: &str| {
        let user = user.to_owned();
        async move {
            store
                .c2c_since(app, user, (0, 0, 0), 100)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.message.msg_seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(caught_up("b").await, vec![3]);
    assert_eq!(caught_up("a").await, vec![1, 2, 3]);
    // a deletes its own copy of 3: now it is gone from both sides' histories, each by its own
    // choice.
    store
        .hide_c2c_messages(app, "a".into(), "b".into(), vec![(102, 3, 3)])
        .await
        .unwrap();
    assert_eq!(seqs(store, app, "a", "b").await, vec![2, 1]);
    assert_eq!(seqs(store, app, "b", "a").await, vec![3]);
}

pub async fn peer_mutes_are_kept_per_owner_and_peer(store: &dyn Store) {
    let app = 1_400_000_381;
    let get = |owner: &str, peers: &[&str]| {
        let owner = owner.to_owned();
        let peers: Vec<String> = peers.iter().map(|p| (*p).to_owned()).collect();
        async move { store.c2c_peer_mutes(app, owner, peers).await.unwrap() }
    };
    assert_eq!(get("a", &["b", "c"]).await, vec![0, 0], "never set: 0");
    store
        .set_c2c_peer_mutes(app, "a".into(), vec!["b".into(), "c".into()], 2)
        .await
        .unwrap();
    store
        .set_c2c_peer_mutes(app, "a".into(), vec!["c".into()], 1)
        .await
        .unwrap();
    assert_eq!(get("a", &["c", "b", "d"]).await, vec![1, 2, 0]);
    assert_eq!(
        get("b", &["a"]).await,
        vec![0],
        "the peer's own setting is its own"
    );
    assert_eq!(
        store
            .c2c_peer_mutes(app + 1, "a".into(), vec!["b".into()])
            .await
            .unwrap(),
        vec![0],
        "apps never see each other's"
    );
    store
        .set_c2c_peer_mutes(app, "a".into(), vec!["b".into()], 0)
        .await
        .unwrap();
    assert_eq!(get("a", &["b", "c"]).await, vec![0, 1]);
}

pub async fn do_not_disturb_is_kept_per_user(store: &dyn Store) {
    let app = 1_400_000_382;
    let get = |owner: &str| {
        let owner = owner.to_owned();
        async move { store.do_not_disturb(app, owner).await.unwrap() }
    };
    assert_eq!(get("a").await, DoNotDisturb::default(), "never set");
    let night = DoNotDisturb {
        level: 2,
        start_time: 1_700_000_000,
        end_time: 1_700_028_800,
        repeated: true,
    };
    store
        .set_do_not_disturb(app, "a".into(), night)
        .await
        .unwrap();
    assert_eq!(get("a").await, night);
    assert_eq!(
        get("b").await,
        DoNotDisturb::default(),
        "another user's is their own"
    );
    let off = DoNotDisturb {
        repeated: false,
        ..DoNotDisturb::default()
    };
    store
        .set_do_not_disturb(app, "a".into(), off)
        .await
        .unwrap();
    assert_eq!(get("a").await, off, "a new setting replaces the old one");
}
