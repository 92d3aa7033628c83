//! Conformance checks for one-to-one messages: sends, unread counts, history, read marks and recalls.

use super::outbox::{claim_all, drain, event};
use crate::{C2cHistoryQuery, C2cMessage, C2cRecall, C2cSend, Store};

pub async fn c2c_read_marks_and_recalls_recount_unread(store: &dyn Store) {
    let app = 1_400_000_115;
    drain(store, 1_000_000).await;
    for (from, seq, time) in [("a", 1, 100), ("a", 2, 101), ("a", 3, 102), ("c", 1, 100)] {
        store
            .send_c2c(app, c2c(from, "b", seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    let ids = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), ids(&["a", "c", "z"]))
            .await
            .unwrap(),
        (4, vec![3, 1, 0])
    );
    assert_eq!(
        store
            .c2c_read_time(app, "b".into(), "a".into())
            .await
            .unwrap(),
        -1
    );
    let total = store
        .c2c_mark_read(
            app,
            "b".into(),
            "a".into(),
            101,
            5,
            Box::new(|t| vec![event("C2C.CallbackAfterMsgReport", "r", &t.to_string())]),
        )
        .await
        .unwrap();
    assert_eq!(total, 2, "read up to 101: one from a and one from c remain");
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![(app, "2".to_owned())],
        "read: outbox row written"
    );
    drain(store, 10_000_000).await;
    // A read mark never moves back.
    store
        .c2c_mark_read(app, "b".into(), "a".into(), 50, 6, no_outbox())
        .await
        .unwrap();
    assert_eq!(
        store
            .c2c_read_time(app, "b".into(), "a".into())
            .await
            .unwrap(),
        101
    );
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), ids(&["a"]))
            .await
            .unwrap(),
        (2, vec![1])
    );

    let recalled = store
        .c2c_recall(app, "a".into(), "b".into(), (102, 3, 3), 7, no_outbox())
        .await
        .unwrap();
    assert_eq!(
        recalled,
        C2cRecall::Recalled {
            recipient_unread: 1
        },
        "recall: an unread message stops counting"
    );
    assert_eq!(
        store
            .c2c_recall(app, "a".into(), "b".into(), (102, 3, 3), 8, no_outbox())
            .await
            .unwrap(),
        C2cRecall::AlreadyRecalled
    );
    assert_eq!(
        store
            .c2c_recall(app, "a".into(), "b".into(), (102, 9, 9), 8, no_outbox())
            .await
            .unwrap(),
        C2cRecall::NotFound
    );
    assert_eq!(
        store
            .c2c_recall(app, "b".into(), "a".into(), (102, 3, 3), 8, no_outbox())
            .await
            .unwrap(),
        C2cRecall::NotFound,
        "recall: the sender must match"
    );
    let history = store
        .c2c_history(
            app,
            C2cHistoryQuery {
                operator: "a".into(),
                peer: "b".into(),
                min_time: 0,
                max_time: 1_000,
                before: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let flags: Vec<(u32, u32)> = history
        .iter()
        .map(|m| (m.message.msg_seq, m.flag_bits))
        .collect();
    assert_eq!(
        flags,
        [(3, 8), (2, 0), (1, 0)],
        "recall: history keeps the message, flagged 8"
    );
}

pub(crate) fn c2c(from: &str, to: &str, seq: u32, random: u32, time: i64) -> C2cMessage {
    C2cMessage {
        from: from.into(),
        to: to.into(),
        msg_seq: seq,
        msg_random: random,
        msg_time: time,
        body: format!("[{{\"MsgType\":\"TIMTextElem\",\"MsgContent\":{{\"Text\":\"{seq}\"}}}}]"),
        cloud_custom_data: String::new(),
        in_sender_history: true,
        counts_as_unread: true,
        updates_conversation: true,
        offline_push_info: String::new(),
        supports_extension: false,
    }
}

pub(crate) fn no_outbox() -> crate::C2cOutbox {
    Box::new(|_| Vec::new())
}

pub async fn c2c_messages_count_unread_and_deduplicate(store: &dyn Store) {
    let app = 1_400_000_113;
    drain(store, 1_000_000).await;
    let sent = store
        .send_c2c(app, c2c("a", "b", 1, 10, 100), no_outbox())
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 1
        }
    );
    let sent = store
        .send_c2c(app, c2c("c", "b", 1, 10, 100), no_outbox())
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 2
        },
        "c2c: unread summed over peers"
    );
    let mut quiet = c2c("a", "b", 2, 11, 100);
    quiet.counts_as_unread = false;
    assert_eq!(
        store.send_c2c(app, quiet, no_outbox()).await.unwrap(),
        C2cSend::Stored {
            recipient_unread: 2
        }
    );
    // The same message again: nothing written, no callback.
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = seen.clone();
    let again = store
        .send_c2c(
            app,
            c2c("a", "b", 1, 10, 100),
            Box::new(move |_| {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                vec![]
            }),
        )
        .await
        .unwrap();
    assert_eq!(again, C2cSend::Duplicate, "c2c: duplicate detected");
    assert!(
        !seen.load(std::sync::atomic::Ordering::SeqCst),
        "c2c: no callback for a duplicate"
    );
    // The same key in the other direction is another message.
    assert!(matches!(
        store
            .send_c2c(app, c2c("b", "a", 1, 10, 100), no_outbox())
            .await
            .unwrap(),
        C2cSend::Stored { .. }
    ));
    // Outbox rows built from the unread total are written with the message.
    let sent = store
        .send_c2c(
            app,
            c2c("a", "b", 3, 12, 101),
            Box::new(|unread| {
                vec![event(
                    "C2C.CallbackAfterSendMsg",
                    "a|b",
                    &unread.to_string(),
                )]
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 3
        }
    );
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![(app, "3".to_owned())]
    );
    drain(store, 10_000_000).await;
    store.reset_app(app).await.unwrap();
    let after_reset = store
        .send_c2c(app, c2c("a", "b", 1, 10, 100), no_outbox())
        .await
        .unwrap();
    assert_eq!(
        after_reset,
        C2cSend::Stored {
            recipient_unread: 1
        },
        "reset: messages and unread cleared"
    );
}

pub async fn c2c_history_pages_newest_first_from_the_operators_side(store: &dyn Store) {
    let app = 1_400_000_114;
    // Same second: ordered by MsgSeq; other conversations and apps are never mixed in.
    for (from, to, seq, time) in [
        ("x", "y", 5, 200),
        ("y", "x", 1, 201),
        ("x", "y", 2, 201),
        ("x", "z", 9, 201),
        ("x", "y", 7, 300),
    ] {
        store
            .send_c2c(app, c2c(from, to, seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    store
        .send_c2c(app + 1, c2c("x", "y", 8, 8, 250), no_outbox())
        .await
        .unwrap();
    let mut hidden = c2c("x", "y", 3, 3, 202);
    hidden.in_sender_history = false;
    store.send_c2c(app, hidden, no_outbox()).await.unwrap();
    let page = |operator: &str, peer: &str, before, limit, min_time, max_time| C2cHistoryQuery {
        operator: operator.into(),
        peer: peer.into(),
        min_time,
        max_time,
        before,
        limit,
    };
    let seqs =
        |rows: Vec<crate::StoredC2c>| rows.iter().map(|r| r.message.msg_seq).collect::<Vec<_>>();
    let all = store
        .c2c_history(app, page("x", "y", None, 10, 0, 1_000))
        .await
        .unwrap();
    assert_eq!(
        seqs(all.clone()),
        [7, 2, 1, 5],
        "history: newest first, sender-hidden message skipped"
    );
    assert_eq!(all[1].message.from, "x");
    assert_eq!(all[2].message.from, "y");
    let seen_by_y = store
        .c2c_history(app, page("y", "x", None, 10, 0, 1_000))
        .await
        .unwrap();
    assert_eq!(
        seqs(seen_by_y),
        [7, 3, 2, 1, 5],
        "history: the recipient sees it"
    );
    let first = store
        .c2c_history(app, page("x", "y", None, 2, 0, 1_000))
        .await
        .unwrap();
    assert_eq!(seqs(first.clone()), [7, 2]);
    let last = &first[1].message;
    let next = store
        .c2c_history(
            app,
            page(
                "x",
                "y",
                Some((last.msg_time, last.msg_seq, last.msg_random)),
                2,
                0,
                1_000,
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        seqs(next),
        [1, 5],
        "history: the cursor continues below the last message"
    );
    let window = store
        .c2c_history(app, page("x", "y", None, 10, 201, 201))
        .await
        .unwrap();
    assert_eq!(seqs(window), [2, 1], "history: time bounds are inclusive");
}
