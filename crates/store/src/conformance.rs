//! The conformance suite: one set of checks that every [`Store`] backend must pass.
//! [`checks`] lists them; the store's tests run each one on a fresh store of every engine, as a
//! test of its own. A new storage operation adds its checks here and to that list.
//!
//! Checks use their own SDKAppIDs, so they never see each other's data.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{
    AccountImport, C2cHistoryQuery, C2cMessage, C2cRecall, C2cSend, OutboxEvent, ProfileValue,
    Store,
};

mod conversations;
mod groups;
mod relations;

const NICK: &str = "Tag_Profile_IM_Nick";
const GENDER: &str = "Tag_Profile_IM_Gender";
const LEVEL: &str = "Tag_Profile_IM_Level";

/// How a check is run: on a store of its own, which it may fill and drain as it likes.
pub type CheckFn = fn(Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()>>>;

/// One check of the suite. A failing check panics with a message that says what went wrong.
#[derive(Clone, Copy)]
pub struct Check {
    /// The check's function name, after its module's for those in a submodule
    /// (`groups::bans_list_only_running_ones_and_go_with_their_group`).
    pub name: &'static str,
    pub run: CheckFn,
}

/// A [`Check`] for a check function; `ref` ones take `&dyn Store`, `arc` ones (which spawn tasks)
/// the `Arc`.
macro_rules! check {
    (ref $f:ident) => { check!(@ref stringify!($f), $f) };
    (ref $module:ident :: $f:ident) => {
        check!(@ref concat!(stringify!($module), "::", stringify!($f)), $module::$f)
    };
    (arc $f:ident) => { check!(@arc stringify!($f), $f) };
    (arc $module:ident :: $f:ident) => {
        check!(@arc concat!(stringify!($module), "::", stringify!($f)), $module::$f)
    };
    (@ref $name:expr, $f:path) => {
        Check {
            name: $name,
            run: |store| Box::pin(async move { $f(&*store).await }),
        }
    };
    (@arc $name:expr, $f:path) => {
        Check {
            name: $name,
            run: |store| Box::pin($f(store)),
        }
    };
}

/// Every check of the suite. Each one is meant to get a fresh store: several read or drain the
/// outbox, which all apps share.
pub fn checks() -> Vec<Check> {
    vec![
        check!(ref import_is_idempotent_and_updates_only_given_items),
        check!(ref files_are_kept_once_per_id_and_app),
        check!(ref delete_reports_existence_and_removes_the_profile),
        check!(ref set_profile_needs_an_existing_account),
        check!(ref get_profiles_filters_tags_and_skips_unknown_accounts),
        check!(ref apps_never_see_each_other),
        check!(ref reset_removes_one_app_only),
        check!(arc concurrent_writes_are_all_kept),
        check!(ref outbox_events_commit_with_their_change),
        check!(ref outbox_delivers_in_order_per_key),
        check!(ref outbox_retries_and_dead_letters),
        check!(ref c2c_messages_count_unread_and_deduplicate),
        check!(ref c2c_history_pages_newest_first_from_the_operators_side),
        check!(ref c2c_read_marks_and_recalls_recount_unread),
        check!(ref conversations::imports_deduplicate_in_both_directions),
        check!(ref conversations::modify_replaces_body_and_data_but_not_recalled),
        check!(ref conversations::extensions_version_every_change),
        check!(ref conversations::conversations_follow_messages_and_page_by_cursor),
        check!(ref conversations::deleting_a_conversation_clears_unread_and_maybe_history),
        check!(ref conversations::purge_removes_old_messages_only),
        check!(ref conversations::contact_groups_and_marks_persist_all_or_nothing),
        check!(ref conversations::catch_up_walks_a_users_messages_by_position),
        check!(ref kicks_are_kept_per_user_and_app),
        check!(ref relations::snapshots_see_both_directions),
        check!(ref relations::edits_write_everything_or_nothing),
        check!(ref relations::pages_walk_by_user_id),
        check!(ref relations::pending_requests_list_both_directions),
        check!(ref relations::deleting_an_account_removes_its_relations),
        check!(arc relations::concurrent_edits_see_each_other),
        check!(ref groups::groups_round_trip_and_disappear_whole),
        check!(ref groups::topics_keep_their_own_messages_and_go_with_their_group),
        check!(ref groups::member_pages_continue_after_a_cursor),
        check!(ref groups::bans_list_only_running_ones_and_go_with_their_group),
        check!(ref groups::silent_and_directed_messages_keep_their_marks),
        check!(ref groups::join_applications_wait_until_handled),
        check!(arc groups::concurrent_sends_take_every_sequence_once),
    ]
}

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

fn import(user_id: &str, profile: Vec<ProfileValue>) -> AccountImport {
    AccountImport {
        user_id: user_id.into(),
        profile,
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn profile_of(store: &dyn Store, app: u64, user: &str) -> Vec<ProfileValue> {
    let mut map = store
        .get_profiles(app, ids(&[user]), ids(&[NICK, GENDER, LEVEL]))
        .await
        .unwrap();
    let mut items = map.remove(user).unwrap_or_default();
    items.sort_by(|a, b| a.tag.cmp(&b.tag));
    items
}

pub async fn import_is_idempotent_and_updates_only_given_items(store: &dyn Store) {
    let app = 1_400_000_101;
    store
        .import_accounts(
            app,
            vec![import("alice", vec![ProfileValue::new(NICK, "Alice")])],
            1_000,
        )
        .await
        .unwrap();
    store
        .set_profile(
            app,
            "alice".into(),
            vec![ProfileValue::new(LEVEL, 7)],
            2_000,
            vec![],
        )
        .await
        .unwrap();
    // Re-import: still one account, the nick changes, the level stays.
    store
        .import_accounts(
            app,
            vec![import("alice", vec![ProfileValue::new(NICK, "Alice 2")])],
            3_000,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .accounts_exist(app, ids(&["alice", "bob"]))
            .await
            .unwrap(),
        vec![true, false],
        "import: exists"
    );
    assert_eq!(
        profile_of(store, app, "alice").await,
        vec![
            ProfileValue::new(LEVEL, 7),
            ProfileValue::new(NICK, "Alice 2")
        ],
        "import: re-import updates only the given items"
    );
}

pub async fn delete_reports_existence_and_removes_the_profile(store: &dyn Store) {
    let app = 1_400_000_102;
    store
        .import_accounts(
            app,
            vec![
                import("u1", vec![ProfileValue::new(NICK, "one")]),
                import("u2", vec![]),
            ],
            1_000,
        )
        .await
        .unwrap();
    let existed = store
        .delete_accounts(app, ids(&["u1", "ghost", "u2"]))
        .await
        .unwrap();
    assert_eq!(existed, vec![true, false, true], "delete: existence flags");
    assert_eq!(
        store.accounts_exist(app, ids(&["u1", "u2"])).await.unwrap(),
        vec![false, false]
    );
    // A re-imported account starts with an empty profile.
    store
        .import_accounts(app, vec![import("u1", vec![])], 2_000)
        .await
        .unwrap();
    assert!(
        profile_of(store, app, "u1").await.is_empty(),
        "delete: profile removed"
    );
}

pub async fn set_profile_needs_an_existing_account(store: &dyn Store) {
    let app = 1_400_000_103;
    let written = store
        .set_profile(
            app,
            "nobody".into(),
            vec![ProfileValue::new(NICK, "x")],
            1,
            vec![],
        )
        .await
        .unwrap();
    assert!(!written, "set_profile: unknown account refused");
    assert!(store
        .get_profiles(app, ids(&["nobody"]), ids(&[NICK]))
        .await
        .unwrap()
        .is_empty());
    store
        .import_accounts(app, vec![import("carol", vec![])], 1)
        .await
        .unwrap();
    let written = store
        .set_profile(
            app,
            "carol".into(),
            vec![
                ProfileValue::new(NICK, "Carol"),
                ProfileValue::new(GENDER, "Gender_Type_Female"),
                ProfileValue::new(LEVEL, 4_294_967_295u64),
            ],
            2,
            vec![],
        )
        .await
        .unwrap();
    assert!(written);
    assert_eq!(
        profile_of(store, app, "carol").await,
        vec![
            ProfileValue::new(GENDER, "Gender_Type_Female"),
            ProfileValue::new(LEVEL, 4_294_967_295u64),
            ProfileValue::new(NICK, "Carol"),
        ],
        "set_profile: strings and integers round-trip"
    );
}

pub async fn get_profiles_filters_tags_and_skips_unknown_accounts(store: &dyn Store) {
    let app = 1_400_000_104;
    store
        .import_accounts(
            app,
            vec![
                import(
                    "dave",
                    vec![ProfileValue::new(NICK, "Dave"), ProfileValue::new(LEVEL, 3)],
                ),
                import("erin", vec![]),
            ],
            1,
        )
        .await
        .unwrap();
    let got = store
        .get_profiles(app, ids(&["dave", "erin", "ghost", "dave"]), ids(&[LEVEL]))
        .await
        .unwrap();
    assert_eq!(got.len(), 2, "get_profiles: unknown accounts absent");
    assert_eq!(got["dave"], vec![ProfileValue::new(LEVEL, 3)]);
    assert!(got["erin"].is_empty());
}

pub async fn apps_never_see_each_other(store: &dyn Store) {
    let (a, b) = (1_400_000_105, 1_400_000_106);
    store
        .import_accounts(
            a,
            vec![import("same", vec![ProfileValue::new(NICK, "in a")])],
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        store.accounts_exist(b, ids(&["same"])).await.unwrap(),
        vec![false]
    );
    store
        .import_accounts(
            b,
            vec![import("same", vec![ProfileValue::new(NICK, "in b")])],
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        profile_of(store, a, "same").await,
        vec![ProfileValue::new(NICK, "in a")]
    );
    store.delete_accounts(b, ids(&["same"])).await.unwrap();
    assert_eq!(
        store.accounts_exist(a, ids(&["same"])).await.unwrap(),
        vec![true],
        "isolation: delete in one app leaves the other"
    );
}

pub async fn reset_removes_one_app_only(store: &dyn Store) {
    let (a, b) = (1_400_000_107, 1_400_000_108);
    for app in [a, b] {
        store
            .import_accounts(
                app,
                vec![import("x", vec![ProfileValue::new(NICK, "x")])],
                1,
            )
            .await
            .unwrap();
    }
    store.reset_app(a).await.unwrap();
    assert_eq!(
        store.accounts_exist(a, ids(&["x"])).await.unwrap(),
        vec![false]
    );
    assert!(store
        .get_profiles(a, ids(&["x"]), ids(&[NICK]))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.accounts_exist(b, ids(&["x"])).await.unwrap(),
        vec![true],
        "reset: other app untouched"
    );
}

pub async fn concurrent_writes_are_all_kept(store: Arc<dyn Store>) {
    let app = 1_400_000_109;
    let users: Vec<String> = (0..64).map(|i| format!("user{i}")).collect();
    let imports = users.iter().map(|u| import(u, vec![])).collect();
    store.import_accounts(app, imports, 1).await.unwrap();
    let mut tasks = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let store = store.clone();
        let user = user.clone();
        tasks.push(tokio::spawn(async move {
            store
                .set_profile(
                    app,
                    user,
                    vec![ProfileValue::new(LEVEL, i as u64)],
                    2,
                    vec![],
                )
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap());
    }
    let got = store
        .get_profiles(app, users.clone(), ids(&[LEVEL]))
        .await
        .unwrap();
    for (i, user) in users.iter().enumerate() {
        assert_eq!(
            got[user],
            vec![ProfileValue::new(LEVEL, i as u64)],
            "concurrent writes: {user}"
        );
    }
}

fn event(command: &str, key: &str, body: &str) -> OutboxEvent {
    OutboxEvent {
        command: command.into(),
        order_key: key.into(),
        body: body.into(),
        client_ip: "127.0.0.1".into(),
        opt_platform: "RESTAPI".into(),
    }
}

/// Claims everything due at `now`, as a delivery worker would.
async fn claim_all(store: &dyn Store, now: i64) -> Vec<(u64, String)> {
    store
        .claim_outbox(now, 30_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.app, e.event.body))
        .collect()
}

/// Drains the outbox (other checks' leftovers included) so a check starts from empty.
async fn drain(store: &dyn Store, now: i64) {
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

/// Test support for PostgreSQL: a URL of a new, empty database, or `None` (after saying so on
/// stderr) when no server is reachable and none was asked for.
///
/// `NATTER_TEST_POSTGRES` names the server (`postgres://user@host:port`); when it is set, failing
/// to reach it is an error, not a skip. When unset, the local default server is tried.
pub async fn fresh_postgres_url() -> Option<String> {
    let required = std::env::var("NATTER_TEST_POSTGRES").ok();
    if required.as_deref() == Some("off") {
        eprintln!("SKIPPED: PostgreSQL tests switched off (NATTER_TEST_POSTGRES=off)");
        return None;
    }
    let server = required
        .clone()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
    let admin_url = format!("{}/postgres", server.trim_end_matches('/'));
    let connect = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url),
    )
    .await;
    let mut admin = match connect {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) if required.is_none() => {
            eprintln!("SKIPPED: no PostgreSQL at {server} ({e}); set NATTER_TEST_POSTGRES to run these tests");
            return None;
        }
        Err(_) if required.is_none() => {
            eprintln!("SKIPPED: PostgreSQL at {server} did not answer; set NATTER_TEST_POSTGRES to run these tests");
            return None;
        }
        Ok(Err(e)) => panic!("NATTER_TEST_POSTGRES={server}: cannot connect: {e}"),
        Err(_) => panic!("NATTER_TEST_POSTGRES={server}: connection timed out"),
    };
    let name = format!(
        "natter_test_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("creating a test database");
    Some(format!("{}/{name}", server.trim_end_matches('/')))
}

pub async fn kicks_are_kept_per_user_and_app(store: &dyn Store) {
    let app = 1_400_000_351;
    assert_eq!(store.kicked_at(app, "k".into()).await.unwrap(), None);
    store.set_kicked(app, "k".into(), 100).await.unwrap();
    store.set_kicked(app, "k".into(), 250).await.unwrap();
    assert_eq!(
        store.kicked_at(app, "k".into()).await.unwrap(),
        Some(250),
        "the latest kick counts"
    );
    assert_eq!(store.kicked_at(app, "other".into()).await.unwrap(), None);
    assert_eq!(store.kicked_at(app + 1, "k".into()).await.unwrap(), None);
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.kicked_at(app, "k".into()).await.unwrap(),
        None,
        "an app's reset forgets its kicks"
    );
}

pub async fn files_are_kept_once_per_id_and_app(store: &dyn Store) {
    use crate::StoredFile;
    let app = 1_400_000_361;
    let file = |bytes: &[u8], owner: &str| StoredFile {
        content_type: "image/png".into(),
        owner: owner.into(),
        created_ms: 1_700_000_000_000,
        bytes: bytes.to_vec(),
    };
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(store.get_file(app, "f1".into()).await.unwrap(), None);
    assert!(store
        .put_file(app, "f1".into(), file(&big, "u"))
        .await
        .unwrap());
    assert!(
        !store
            .put_file(app, "f1".into(), file(b"other", "v"))
            .await
            .unwrap(),
        "a second upload to one id is refused"
    );
    assert_eq!(
        store.get_file(app, "f1".into()).await.unwrap(),
        Some(file(&big, "u")),
        "the first upload is kept, byte for byte"
    );
    assert!(store
        .put_file(app, "empty".into(), file(b"", "u"))
        .await
        .unwrap());
    assert_eq!(
        store
            .get_file(app, "empty".into())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        Vec::<u8>::new()
    );
    assert_eq!(store.get_file(app + 1, "f1".into()).await.unwrap(), None);
    assert_eq!(
        store.get_file(app, "../f1".into()).await.unwrap(),
        None,
        "an id that is not one is never looked up"
    );
    assert!(store
        .put_file(app, "../x".into(), file(b"x", "u"))
        .await
        .is_err());
    assert!(store
        .put_file(app + 1, "f1".into(), file(b"x", "u"))
        .await
        .unwrap());
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.get_file(app, "f1".into()).await.unwrap(),
        None,
        "an app's reset forgets its files"
    );
    assert!(store
        .put_file(app, "f1".into(), file(b"again", "u"))
        .await
        .unwrap());
    assert_eq!(
        store
            .get_file(app + 1, "f1".into())
            .await
            .unwrap()
            .unwrap()
            .bytes,
        b"x".to_vec(),
        "another app's files stay"
    );
}
