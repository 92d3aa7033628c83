//! Conformance checks for export, import and snapshots (`crate::dump`).

use tokio::sync::mpsc;

use super::groups::{apply, member, record};
use super::messages::{c2c, no_outbox};
use super::{import, NICK};
use crate::dump::{DumpItem, ImportOptions, ImportOutcome, SnapshotInfo};
use crate::{
    C2cHistoryQuery, C2cMessageRef, C2cModify, ConversationId, ConversationKind, ExtensionChange,
    GroupChange, GroupMessage, ProfileValue, ReactOutcome, ReactionLimits, ReactionMessage, Store,
    StoreError, StoredFile,
};

/// The app's whole stream, collected.
pub(crate) async fn export_items(store: &dyn Store, app: u64) -> Vec<DumpItem> {
    let (tx, mut rx) = mpsc::channel(64);
    let (done, items) = tokio::join!(store.export_app(app, tx), async move {
        let mut items = Vec::new();
        while let Some(item) = rx.recv().await {
            items.push(item);
        }
        items
    });
    done.unwrap();
    items
}

async fn import_items(
    store: &dyn Store,
    app: u64,
    options: ImportOptions,
    items: Vec<DumpItem>,
) -> Result<ImportOutcome, StoreError> {
    let (tx, rx) = mpsc::channel(64);
    let feed = async move {
        for item in items {
            if tx.send(item).await.is_err() {
                break;
            }
        }
    };
    let (outcome, ()) = tokio::join!(store.import_app(app, options, rx), feed);
    outcome
}

/// An app with a row in most tables: accounts and a profile, one-to-one messages with an
/// extension and a cleared history, a group with members and a message (deleted by one member
/// for themselves), a file, a mute, a follow.
async fn fill(store: &dyn Store, app: u64) {
    let nick = ProfileValue {
        tag: NICK.into(),
        value: serde_json::json!("Ann ☃"),
    };
    store
        .import_accounts(
            app,
            vec![
                import("a", vec![nick]),
                import("b", vec![]),
                import("o", vec![]),
            ],
            5,
        )
        .await
        .unwrap();
    let mut first = c2c("a", "b", 1, 11, 100);
    first.supports_extension = true;
    store.send_c2c(app, first, no_outbox()).await.unwrap();
    store
        .send_c2c(app, c2c("b", "a", 2, 12, 101), no_outbox())
        .await
        .unwrap();
    // An edited message: its MsgVersion (1) is part of the row.
    let edited = C2cMessageRef {
        from: "b".into(),
        to: "a".into(),
        position: (101, 2, 12),
    };
    let modified = store
        .modify_c2c(app, edited, Some("[\"edited\"]".into()), None, None)
        .await
        .unwrap();
    assert_eq!(modified, C2cModify::Modified { version: 1 });
    store
        .change_c2c_extensions(
            app,
            C2cMessageRef {
                from: "a".into(),
                to: "b".into(),
                position: (100, 1, 11),
            },
            ExtensionChange::Set(vec![("k".into(), "v".into())]),
            Vec::new(),
            10,
        )
        .await
        .unwrap();
    store
        .delete_conversation(
            app,
            "b".into(),
            ConversationId {
                kind: ConversationKind::C2c,
                peer: "a".into(),
            },
            true,
        )
        .await
        .unwrap();
    apply(
        store,
        app,
        "g1",
        vec![
            GroupChange::PutGroup(Box::new(record("g1", "Public"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutMember(member("a", "Member", 101)),
            GroupChange::AddMessage(GroupMessage {
                seq: 1,
                random: 7,
                from: "o".into(),
                time: 102,
                body: "[]".into(),
                priority: 2,
                version: 3,
                ..GroupMessage::default()
            }),
        ],
    )
    .await;
    for message in [
        ReactionMessage::C2c(C2cMessageRef {
            from: "a".into(),
            to: "b".into(),
            position: (100, 1, 11),
        }),
        ReactionMessage::Group {
            group_id: "g1".into(),
            seq: 1,
        },
    ] {
        let limits = ReactionLimits {
            max_reactions: 10,
            max_users: 100,
            listed_users: 10,
        };
        let change = ("smile".to_owned(), "a".to_owned(), true);
        let outcome = store.react(app, message, change, limits, 7).await.unwrap();
        assert!(matches!(outcome, ReactOutcome::Done(_)), "{outcome:?}");
    }
    store
        .hide_group_messages(app, ("g1".into(), String::new(), "a".into()), vec![1])
        .await
        .unwrap();
    store
        .put_file(
            app,
            "file-1".into(),
            StoredFile {
                content_type: "image/png".into(),
                owner: "a".into(),
                created_ms: 7,
                bytes: vec![0, 1, 2, 255],
            },
        )
        .await
        .unwrap();
    store
        .set_global_mute(app, "b".into(), Some(1_000), None)
        .await
        .unwrap();
    store
        .follow(app, "a".into(), vec!["b".into()], 9, 10)
        .await
        .unwrap();
}

pub(super) fn rows_of<'a>(items: &'a [DumpItem], table: &str) -> Vec<&'a DumpItem> {
    let mut current = String::new();
    let mut rows = Vec::new();
    for item in items {
        match item {
            DumpItem::Table { name, .. } => current = name.clone(),
            DumpItem::Row(_) if current == table => rows.push(item),
            _ => {}
        }
    }
    rows
}

pub async fn export_then_import_keeps_every_row(store: &dyn Store) {
    let (from, to) = (1_400_000_601, 1_400_000_602);
    fill(store, from).await;
    let items = export_items(store, from).await;
    assert!(matches!(
        items.first(),
        Some(DumpItem::Begin {
            message_ids: Some(_)
        })
    ));
    assert_eq!(items.last(), Some(&DumpItem::End));
    for table in [
        "accounts",
        "profile_items",
        "c2c_messages",
        "c2c_extensions",
        "c2c_cleared",
        "c2c_reactions",
    ] {
        assert!(!rows_of(&items, table).is_empty(), "{table} is exported");
    }
    for table in [
        "groups",
        "group_members",
        "group_messages",
        "group_hidden_msgs",
        "files",
        "global_mutes",
        "group_reactions",
        "follows",
    ] {
        assert!(!rows_of(&items, table).is_empty(), "{table} is exported");
    }
    assert!(rows_of(&items, "webhook_outbox").is_empty());
    let outcome = import_items(store, to, ImportOptions::default(), items.clone())
        .await
        .unwrap();
    let ImportOutcome::Imported { rows } = outcome else {
        panic!("an empty app takes an import: {outcome:?}");
    };
    assert!(rows > 10);
    // Another app of the same store holds the message ids: they move, in order, and every
    // other value stays; the moved app reads the same.
    let copy = export_items(store, to).await;
    assert_eq!(rows_of(&copy, "accounts"), rows_of(&items, "accounts"));
    assert_eq!(
        rows_of(&copy, "group_messages"),
        rows_of(&items, "group_messages")
    );
    assert_eq!(rows_of(&copy, "files"), rows_of(&items, "files"));
    // Edited messages keep their MsgVersion.
    let group = store
        .group_history(to, "g1".into(), u64::MAX, 10)
        .await
        .unwrap();
    assert_eq!(group[0].version, 3, "the group message's MsgVersion");
    let c2c = store
        .c2c_history(
            to,
            C2cHistoryQuery {
                operator: "a".into(),
                peer: "b".into(),
                min_time: 0,
                max_time: i64::MAX,
                before: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let versions: Vec<(u32, u64)> = c2c.iter().map(|m| (m.message.msg_seq, m.version)).collect();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(
        versions.contains(&(2, 1)) && versions.contains(&(1, 0)),
        "{versions:?}"
    );
    // a's deleted group message stays deleted for a alone.
    let hidden = store
        .hidden_group_messages(to, ("g1".into(), String::new(), "a".into()), 0, u64::MAX)
        .await
        .unwrap();
    assert_eq!(hidden, vec![1]);
    let file = store.get_file(to, "file-1".into()).await.unwrap().unwrap();
    assert_eq!(file.bytes, vec![0, 1, 2, 255]);
    let ext = store
        .c2c_extensions(
            to,
            C2cMessageRef {
                from: "a".into(),
                to: "b".into(),
                position: (100, 1, 11),
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert!(format!("{ext:?}").contains("\"v\"") || format!("{ext:?}").contains("value: \"v\""));
    // The reaction follows its message's moved id.
    let reactions = store
        .message_reactions(
            to,
            vec![ReactionMessage::C2c(C2cMessageRef {
                from: "a".into(),
                to: "b".into(),
                position: (100, 1, 11),
            })],
            "a".into(),
            10,
        )
        .await
        .unwrap();
    let smile = &reactions[0].as_ref().expect("the message")[0];
    assert_eq!(
        (smile.reaction.as_str(), smile.count, smile.by_me),
        ("smile", 1, true)
    );
    // The cleared history stays cleared for b, and a still sees both messages.
    let unread = store
        .c2c_unread(to, "a".into(), vec!["b".into()])
        .await
        .unwrap();
    let before = store
        .c2c_unread(from, "a".into(), vec!["b".into()])
        .await
        .unwrap();
    assert_eq!(unread, before);

    // With the ids free (the other app gone), every value is kept, ids too.
    let again = export_items(store, to).await;
    store.reset_app(from).await.unwrap();
    store.reset_app(to).await.unwrap();
    import_items(store, from, ImportOptions::default(), again.clone())
        .await
        .unwrap();
    assert!(
        export_items(store, from).await == again,
        "ids free: every value kept"
    );
}

pub async fn imports_refuse_a_full_app_and_cut_streams(store: &dyn Store) {
    let (from, to) = (1_400_000_611, 1_400_000_612);
    fill(store, from).await;
    let items = export_items(store, from).await;
    // An app with only its admin account counts as empty when told so.
    store
        .import_accounts(to, vec![import("admin", vec![])], 1)
        .await
        .unwrap();
    let refused = import_items(store, to, ImportOptions::default(), items.clone())
        .await
        .unwrap();
    assert_eq!(
        refused,
        ImportOutcome::NotEmpty {
            table: "accounts".into()
        }
    );
    let admins = ImportOptions {
        replace: false,
        ignored_accounts: vec!["admin".into()],
    };
    // A stream cut before its end writes nothing.
    let cut = items[..items.len() - 1].to_vec();
    let err = import_items(store, to, admins.clone(), cut)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadImport(_)), "{err}");
    assert!(!store.accounts_exist(to, vec!["a".into()]).await.unwrap()[0]);
    assert!(
        store
            .accounts_exist(to, vec!["admin".into()])
            .await
            .unwrap()[0]
    );
    // A column this store does not know is refused, naming it.
    let mut odd = items.clone();
    for item in odd.iter_mut() {
        if let DumpItem::Table { name, columns } = item {
            if name == "accounts" {
                columns.push("shoe_size".into());
            }
        }
    }
    let err = import_items(store, to, admins.clone(), odd)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("shoe_size"), "{err}");
    assert!(matches!(
        import_items(store, to, admins, items.clone())
            .await
            .unwrap(),
        ImportOutcome::Imported { .. }
    ));
    // Full now: refused, then replaced whole (the admin account goes with the old state).
    assert!(matches!(
        import_items(store, to, ImportOptions::default(), items.clone())
            .await
            .unwrap(),
        ImportOutcome::NotEmpty { .. }
    ));
    let replace = ImportOptions {
        replace: true,
        ignored_accounts: Vec::new(),
    };
    store
        .import_accounts(to, vec![import("extra", vec![])], 1)
        .await
        .unwrap();
    import_items(store, to, replace, items).await.unwrap();
    assert!(
        !store
            .accounts_exist(to, vec!["extra".into()])
            .await
            .unwrap()[0]
    );
    assert!(
        !store
            .accounts_exist(to, vec!["admin".into()])
            .await
            .unwrap()[0]
    );
}

pub async fn snapshots_are_kept_per_app_and_name(store: &dyn Store) {
    let app = 1_400_000_621;
    assert!(store.list_snapshots(app).await.unwrap().is_empty());
    store
        .put_snapshot(app, "seed".into(), vec![1, 2, 3], 10)
        .await
        .unwrap();
    store
        .put_snapshot(app, "seed".into(), vec![4, 5], 20)
        .await
        .unwrap();
    store
        .put_snapshot(app + 1, "other".into(), vec![9], 30)
        .await
        .unwrap();
    assert_eq!(
        store.list_snapshots(app).await.unwrap(),
        vec![SnapshotInfo {
            name: "seed".into(),
            created_ms: 20,
            bytes: 2
        }]
    );
    assert_eq!(
        store.get_snapshot(app, "seed".into()).await.unwrap(),
        Some(vec![4, 5])
    );
    assert_eq!(store.get_snapshot(app, "other".into()).await.unwrap(), None);
    // A reset keeps snapshots: a test suite resets to a seed.
    store.reset_app(app).await.unwrap();
    assert!(store.delete_snapshot(app, "seed".into()).await.unwrap());
    assert!(!store.delete_snapshot(app, "seed".into()).await.unwrap());
}

/// Every table with an `app_id` column is either emptied by the reset (`APP_TABLES`) or is the
/// snapshots table, and the export reads each of them but those `NOT_EXPORTED` names: a new
/// table cannot be forgotten by the reset without failing here, nor by the export at all.
pub async fn every_app_table_is_reset_and_exported(store: &dyn Store) {
    let (reset, schema) = store.app_table_lists().await.unwrap();
    let expected: Vec<String> = schema
        .iter()
        .filter(|t| *t != "app_snapshots")
        .cloned()
        .collect();
    assert_eq!(
        reset, expected,
        "APP_TABLES against the schema's tables with app_id"
    );
    let items = export_items(store, 1_400_000_631).await;
    let exported: Vec<&String> = items
        .iter()
        .filter_map(|i| match i {
            DumpItem::Table { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    let want: Vec<&String> = schema.iter().filter(|t| crate::dump::exported(t)).collect();
    assert_eq!(exported, want);
}

/// A replace over an app that changed since its export (a test suite restoring its seed) leaves
/// exactly the exported rows: rows added since are gone, rows changed are back as they were,
/// rows deleted are back; unchanged rows are kept; another app is untouched.
pub async fn a_replace_over_a_changed_app_leaves_the_exported_rows(store: &dyn Store) {
    let (app, other) = (1_400_000_631, 1_400_000_632);
    fill(store, app).await;
    fill(store, other).await;
    let seed = export_items(store, app).await;
    let other_before = export_items(store, other).await;
    let nick = |value: &str| ProfileValue {
        tag: NICK.into(),
        value: serde_json::json!(value),
    };
    // Changed (a's nick), added (an account, a message, a group message), deleted (b and what
    // belongs to b).
    store
        .import_accounts(
            app,
            vec![import("a", vec![nick("changed")]), import("new", vec![])],
            6,
        )
        .await
        .unwrap();
    store
        .send_c2c(app, c2c("a", "new", 3, 13, 103), no_outbox())
        .await
        .unwrap();
    apply(
        store,
        app,
        "g1",
        vec![GroupChange::AddMessage(GroupMessage {
            seq: 2,
            random: 8,
            from: "a".into(),
            time: 104,
            body: "[]".into(),
            ..GroupMessage::default()
        })],
    )
    .await;
    store.delete_accounts(app, vec!["b".into()]).await.unwrap();
    assert_ne!(export_items(store, app).await, seed);
    let replace = ImportOptions {
        replace: true,
        ignored_accounts: Vec::new(),
    };
    import_items(store, app, replace.clone(), seed.clone())
        .await
        .unwrap();
    assert!(export_items(store, app).await == seed, "back to the export");
    // Again over an unchanged app (nothing to write), and over an emptied one.
    import_items(store, app, replace.clone(), seed.clone())
        .await
        .unwrap();
    assert!(export_items(store, app).await == seed, "unchanged");
    store.reset_app(app).await.unwrap();
    import_items(store, app, replace, seed.clone())
        .await
        .unwrap();
    assert!(export_items(store, app).await == seed, "from empty");
    assert!(
        export_items(store, other).await == other_before,
        "other app untouched"
    );
}
