//! Conformance checks for edits of one-to-one messages: modifying a message (its body, custom
//! data and version) and message extensions (per-key versions and conflicts).

use super::messages::{c2c, no_outbox};
use crate::{
    C2cHistoryQuery, C2cMessageRef, C2cModify, C2cRecall, ExtensionChange, ExtensionItem,
    ExtensionOutcome, ExtensionRead, Store,
};

pub(super) fn target(from: &str, to: &str, time: i64, seq: u32, random: u32) -> C2cMessageRef {
    C2cMessageRef {
        from: from.into(),
        to: to.into(),
        position: (time, seq, random),
    }
}

pub async fn modify_replaces_body_and_data_but_not_recalled(store: &dyn Store) {
    let app = 1_400_000_121;
    store
        .send_c2c(app, c2c("a", "b", 1, 1, 100), no_outbox())
        .await
        .unwrap();
    store
        .send_c2c(app, c2c("a", "b", 2, 2, 100), no_outbox())
        .await
        .unwrap();
    let modified = store
        .modify_c2c(
            app,
            target("a", "b", 100, 1, 1),
            Some("[\"new\"]".into()),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(modified, C2cModify::Modified { version: 1 });
    let modified = store
        .modify_c2c(
            app,
            target("a", "b", 100, 1, 1),
            None,
            Some("data".into()),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(modified, C2cModify::Modified { version: 2 });
    // An edit based on version 1 comes too late: refused, with the message as it is.
    assert_eq!(
        store
            .modify_c2c(
                app,
                target("a", "b", 100, 1, 1),
                Some("[\"stale\"]".into()),
                None,
                Some(1),
            )
            .await
            .unwrap(),
        C2cModify::Conflict {
            body: "[\"new\"]".into(),
            cloud_custom_data: "data".into(),
            version: 2,
        }
    );
    let stored = store
        .c2c_history(
            app,
            C2cHistoryQuery {
                operator: "b".into(),
                peer: "a".into(),
                min_time: 0,
                max_time: i64::MAX,
                before: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let first = stored.iter().find(|m| m.message.msg_seq == 1).unwrap();
    assert_eq!(first.message.body, "[\"new\"]");
    assert_eq!(first.message.cloud_custom_data, "data");
    assert_eq!(first.version, 2);
    let second = stored.iter().find(|m| m.message.msg_seq == 2).unwrap();
    assert_eq!(second.version, 0);
    // The sender is part of the key: b did not send it.
    assert_eq!(
        store
            .modify_c2c(
                app,
                target("b", "a", 100, 1, 1),
                None,
                Some("x".into()),
                None
            )
            .await
            .unwrap(),
        C2cModify::NotFound
    );
    assert!(matches!(
        store
            .c2c_recall(app, "a".into(), "b".into(), (100, 2, 2), 0, no_outbox())
            .await
            .unwrap(),
        C2cRecall::Recalled { .. }
    ));
    assert_eq!(
        store
            .modify_c2c(
                app,
                target("a", "b", 100, 2, 2),
                None,
                Some("x".into()),
                None
            )
            .await
            .unwrap(),
        C2cModify::Recalled
    );
}

fn item(key: &str, value: &str, seq: u64) -> ExtensionItem {
    ExtensionItem {
        key: key.into(),
        value: value.into(),
        seq,
    }
}

pub(super) fn set(pairs: &[(&str, &str)]) -> ExtensionChange {
    ExtensionChange::Set(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

pub async fn extensions_version_every_change(store: &dyn Store) {
    let app = 1_400_000_122;
    let mut plain = c2c("a", "b", 1, 1, 100);
    plain.supports_extension = false;
    store.send_c2c(app, plain, no_outbox()).await.unwrap();
    let mut ext = c2c("a", "b", 2, 2, 100);
    ext.supports_extension = true;
    store.send_c2c(app, ext, no_outbox()).await.unwrap();
    let on = target("a", "b", 100, 2, 2);

    assert_eq!(
        store
            .c2c_extensions(app, target("a", "b", 100, 1, 1), 0, 10)
            .await
            .unwrap(),
        ExtensionRead::NotEnabled
    );
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                target("a", "b", 100, 1, 1),
                set(&[("k", "v")]),
                Vec::new(),
                10
            )
            .await
            .unwrap(),
        ExtensionOutcome::NotEnabled
    );
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                target("a", "b", 100, 9, 9),
                set(&[("k", "v")]),
                Vec::new(),
                10
            )
            .await
            .unwrap(),
        ExtensionOutcome::NoMessage
    );
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                on.clone(),
                set(&[("k1", "v1"), ("k2", "v2")]),
                Vec::new(),
                3
            )
            .await
            .unwrap(),
        ExtensionOutcome::Changed {
            changed: vec![item("k1", "v1", 1), item("k2", "v2", 1)],
            conflicts: Vec::new()
        }
    );
    store
        .change_c2c_extensions(
            app,
            on.clone(),
            set(&[("k3", "v3"), ("k1", "v1b")]),
            Vec::new(),
            3,
        )
        .await
        .unwrap();
    // A fourth key would pass the limit of 3: nothing is written.
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                on.clone(),
                set(&[("k4", "v4"), ("k1", "zzz")]),
                Vec::new(),
                3
            )
            .await
            .unwrap(),
        ExtensionOutcome::TooManyKeys
    );
    let ExtensionRead::Found(all) = store.c2c_extensions(app, on.clone(), 0, 10).await.unwrap()
    else {
        panic!("extensions should be readable")
    };
    assert_eq!((all.latest_seq, all.clear_seq), (2, 0));
    assert_eq!(
        all.items,
        vec![
            item("k2", "v2", 1),
            item("k1", "v1b", 2),
            item("k3", "v3", 2)
        ]
    );
    let ExtensionRead::Found(newer) = store.c2c_extensions(app, on.clone(), 2, 1).await.unwrap()
    else {
        panic!("extensions should be readable")
    };
    assert_eq!(
        newer.items,
        vec![item("k1", "v1b", 2)],
        "from seq 2, limit 1"
    );

    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                on.clone(),
                ExtensionChange::Delete(vec!["k2".into()]),
                Vec::new(),
                3
            )
            .await
            .unwrap(),
        ExtensionOutcome::Changed {
            changed: vec![item("k2", "", 3)],
            conflicts: Vec::new()
        }
    );
    // The Web SDK names the version it saw each key at: a key written since is left alone
    // and comes back as it is; the others are written.
    let seen = |pairs: &[(&str, u64)]| -> Vec<(String, u64)> {
        pairs.iter().map(|(k, s)| (k.to_string(), *s)).collect()
    };
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                on.clone(),
                set(&[("k1", "x"), ("k3", "y")]),
                seen(&[("k1", 1), ("k3", 2)]),
                3
            )
            .await
            .unwrap(),
        ExtensionOutcome::Changed {
            changed: vec![item("k3", "y", 4)],
            conflicts: vec![item("k1", "v1b", 2)]
        }
    );
    // Every key stale: nothing is written, no new version.
    assert_eq!(
        store
            .change_c2c_extensions(
                app,
                on.clone(),
                ExtensionChange::Delete(vec!["k3".into()]),
                seen(&[("k3", 2)]),
                3
            )
            .await
            .unwrap(),
        ExtensionOutcome::Changed {
            changed: Vec::new(),
            conflicts: vec![item("k3", "y", 4)]
        }
    );
    let ExtensionRead::Found(now) = store.c2c_extensions(app, on.clone(), 0, 10).await.unwrap()
    else {
        panic!("extensions should be readable")
    };
    assert_eq!(now.latest_seq, 4);
    store
        .change_c2c_extensions(app, on.clone(), ExtensionChange::Clear, Vec::new(), 3)
        .await
        .unwrap();
    let ExtensionRead::Found(cleared) = store.c2c_extensions(app, on.clone(), 0, 10).await.unwrap()
    else {
        panic!("extensions should be readable")
    };
    assert_eq!(
        (cleared.latest_seq, cleared.clear_seq, cleared.items.len()),
        (5, 5, 0)
    );
}
