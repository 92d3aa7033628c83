//! Conformance checks for global mutes and chatbots.

use std::sync::Arc;

use super::{ids, import, NICK};
use crate::{GlobalMute, ProfileValue, RobotCreate, Store, MUTED_FOREVER};

pub async fn global_mutes_need_an_account_and_keep_each_kind(store: &dyn Store) {
    let app = 1_400_000_401;
    let mute = |c2c_until, group_until| GlobalMute {
        c2c_until,
        group_until,
    };
    assert!(
        !store
            .set_global_mute(app, "ghost".into(), Some(100), None)
            .await
            .unwrap(),
        "no account, nothing written"
    );
    assert_eq!(
        store.global_mute(app, "ghost".into()).await.unwrap(),
        mute(0, 0)
    );
    store
        .import_accounts(app, vec![import("m", vec![])], 1)
        .await
        .unwrap();
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(0, 0)
    );
    assert!(store
        .set_global_mute(app, "m".into(), Some(500), None)
        .await
        .unwrap());
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(500, 0)
    );
    store
        .set_global_mute(app, "m".into(), None, Some(MUTED_FOREVER))
        .await
        .unwrap();
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(500, MUTED_FOREVER),
        "setting one kind leaves the other"
    );
    store
        .set_global_mute(app, "m".into(), Some(0), None)
        .await
        .unwrap();
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(0, MUTED_FOREVER)
    );
    assert_eq!(
        store.global_mute(app + 1, "m".into()).await.unwrap(),
        mute(0, 0),
        "apps never mix"
    );
    // A deleted account takes its mutes with it: imported again, it starts unmuted.
    store.delete_accounts(app, ids(&["m"])).await.unwrap();
    store
        .import_accounts(app, vec![import("m", vec![])], 2)
        .await
        .unwrap();
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(0, 0)
    );
    store
        .set_global_mute(app, "m".into(), Some(9), Some(9))
        .await
        .unwrap();
    store.reset_app(app).await.unwrap();
    assert_eq!(
        store.global_mute(app, "m".into()).await.unwrap(),
        mute(0, 0)
    );
}

fn bot(id: &str, nick: &str) -> crate::AccountImport {
    import(id, vec![ProfileValue::new(NICK, nick)])
}

pub async fn robots_are_capped_listed_and_keep_their_account(store: &dyn Store) {
    let app = 1_400_000_402;
    for id in ["@RBT#c", "@RBT#a", "@RBT#b"] {
        assert_eq!(
            store.create_robot(app, bot(id, id), 3, 1).await.unwrap(),
            RobotCreate::Created
        );
    }
    assert_eq!(
        store
            .create_robot(app, bot("@RBT#d", "d"), 3, 1)
            .await
            .unwrap(),
        RobotCreate::Full
    );
    assert_eq!(
        store
            .accounts_exist(app, ids(&["@RBT#d", "@RBT#a"]))
            .await
            .unwrap(),
        [false, true],
        "a refused chatbot gets no account; a created one has one"
    );
    // Creating one again is not refused at the cap, and writes its profile again.
    assert_eq!(
        store
            .create_robot(app, bot("@RBT#a", "Again"), 3, 2)
            .await
            .unwrap(),
        RobotCreate::Existed
    );
    let profiles = store
        .get_profiles(app, ids(&["@RBT#a"]), ids(&[NICK]))
        .await
        .unwrap();
    assert_eq!(profiles["@RBT#a"][0].value, serde_json::json!("Again"));
    assert_eq!(
        store.robots(app).await.unwrap(),
        ids(&["@RBT#a", "@RBT#b", "@RBT#c"])
    );
    assert!(store.is_robot(app, "@RBT#b".into()).await.unwrap());
    assert!(!store.is_robot(app + 1, "@RBT#b".into()).await.unwrap());
    assert!(store.robots(app + 1).await.unwrap().is_empty());

    assert!(store.delete_robot(app, "@RBT#b".into()).await.unwrap());
    assert!(!store.delete_robot(app, "@RBT#b".into()).await.unwrap());
    assert!(!store.is_robot(app, "@RBT#b".into()).await.unwrap());
    assert_eq!(
        store.accounts_exist(app, ids(&["@RBT#b"])).await.unwrap(),
        [true],
        "deleting a chatbot keeps its account"
    );
    // Room again for one more.
    assert_eq!(
        store
            .create_robot(app, bot("@RBT#d", "d"), 3, 3)
            .await
            .unwrap(),
        RobotCreate::Created
    );
    // Deleting the account ends the chatbot too.
    store.delete_accounts(app, ids(&["@RBT#a"])).await.unwrap();
    assert_eq!(store.robots(app).await.unwrap(), ids(&["@RBT#c", "@RBT#d"]));
    store.reset_app(app).await.unwrap();
    assert!(store.robots(app).await.unwrap().is_empty());
}

pub async fn concurrent_robot_creations_respect_the_cap(store: Arc<dyn Store>) {
    let app = 1_400_000_403;
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_robot(app, bot(&format!("@RBT#{i:02}"), "x"), 5, 1)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        if task.await.unwrap() == RobotCreate::Created {
            created += 1;
        }
    }
    assert_eq!(created, 5, "exactly the cap");
    assert_eq!(store.robots(app).await.unwrap().len(), 5);
}
