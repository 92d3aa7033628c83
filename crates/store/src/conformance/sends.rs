//! Conformance checks for prepared sends (`send_c2c_prepared`): the same message, unread counts
//! and conversations as `send_c2c`, accounts checked first when asked, outbox templates filled.

use super::messages::c2c;
use super::outbox::{claim_all, drain, event};
use super::{ids, import};
use crate::{C2cSend, ListCursor, OutboxTemplate, Store};

/// A template whose rows each have an order key of their own (rows of one key are claimed one
/// at a time).
fn unread_template(key: &str) -> OutboxTemplate {
    OutboxTemplate {
        event: event("C2C.CallbackAfterSendMsg", key, "{\"UnreadMsgNum\":"),
        rest: Some("}".into()),
    }
}

async fn peers(store: &dyn Store, app: u64, owner: &str) -> Vec<(String, i64)> {
    let first = ListCursor { time: 0, skip: 0 };
    let list = store
        .conversations(app, owner.into(), None, first, 10, false)
        .await
        .unwrap();
    list.into_iter().map(|c| (c.id.peer, c.msg_time)).collect()
}

pub async fn prepared_c2c_sends_check_accounts_and_fill_the_outbox(store: &dyn Store) {
    let app = 1_400_000_120;
    drain(store, 1_000_000).await;
    store
        .import_accounts(app, vec![import("a", vec![]), import("b", vec![])], 1)
        .await
        .unwrap();
    // Missing accounts: nothing is written, the sender is checked first.
    for (from, to, expected) in [
        ("ghost", "b", C2cSend::NoSender),
        ("ghost", "nobody", C2cSend::NoSender),
        ("a", "ghost", C2cSend::NoRecipient),
    ] {
        let sent = store
            .send_c2c_prepared(
                app,
                c2c(from, to, 1, 1, 100),
                vec![unread_template("k1")],
                true,
            )
            .await
            .unwrap();
        assert_eq!(sent, expected, "{from} -> {to}");
    }
    assert!(
        claim_all(store, 1_000_000).await.is_empty(),
        "refused: no outbox row"
    );
    assert!(
        peers(store, app, "b").await.is_empty(),
        "refused: no conversation"
    );

    // Stored: the unread total fills the template; a whole event is written as it is.
    let whole = OutboxTemplate::whole(event("C2C.CallbackAfterSendMsg", "other", "{}"));
    let sent = store
        .send_c2c_prepared(
            app,
            c2c("a", "b", 1, 1, 100),
            vec![unread_template("k2"), whole],
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 1
        }
    );
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![
            (app, "{\"UnreadMsgNum\":1}".to_owned()),
            (app, "{}".to_owned())
        ],
        "both rows, in the order given"
    );
    drain(store, 10_000_000).await;
    assert_eq!(peers(store, app, "a").await, vec![("b".to_owned(), 100)]);
    assert_eq!(peers(store, app, "b").await, vec![("a".to_owned(), 100)]);

    // Without the account check (the caller has checked): accounts are not looked at.
    let sent = store
        .send_c2c_prepared(
            app,
            c2c("c", "b", 1, 1, 101),
            vec![unread_template("k3")],
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 2
        }
    );
    // The same message again: nothing written, no outbox row.
    let again = store
        .send_c2c_prepared(
            app,
            c2c("c", "b", 1, 1, 101),
            vec![unread_template("k4")],
            true,
        )
        .await;
    assert_eq!(again.unwrap(), C2cSend::NoSender, "c does not exist");
    let again = store
        .send_c2c_prepared(
            app,
            c2c("c", "b", 1, 1, 101),
            vec![unread_template("k5")],
            false,
        )
        .await
        .unwrap();
    assert_eq!(again, C2cSend::Duplicate);
    // A message that does not count leaves the total as it is, and the template gets it.
    let mut quiet = c2c("a", "b", 2, 2, 102);
    quiet.counts_as_unread = false;
    quiet.in_sender_history = false;
    let sent = store
        .send_c2c_prepared(app, quiet, vec![unread_template("k6")], true)
        .await
        .unwrap();
    assert_eq!(
        sent,
        C2cSend::Stored {
            recipient_unread: 2
        }
    );
    assert_eq!(
        store
            .c2c_unread(app, "b".into(), ids(&["a", "c"]))
            .await
            .unwrap(),
        (2, vec![1, 1])
    );
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![
            (app, "{\"UnreadMsgNum\":2}".to_owned()),
            (app, "{\"UnreadMsgNum\":2}".to_owned())
        ]
    );
    // Kept out of the sender's history: only the recipient's conversation moves.
    assert_eq!(peers(store, app, "a").await, vec![("b".to_owned(), 100)]);
    assert_eq!(
        peers(store, app, "b").await,
        vec![("a".to_owned(), 102), ("c".to_owned(), 101)]
    );
}
