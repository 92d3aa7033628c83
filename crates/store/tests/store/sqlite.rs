//! SQLite trials: the conformance checks, each on a store in a new temporary directory, and
//! the engine's own tests.

use std::sync::Arc;

use libtest_mimic::Trial;
use natter_store::prelude::*;
use natter_store::sqlite::SqliteStore;
use natter_store::{conformance, AccountImport, ProfileValue};

use super::trial;

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = conformance::checks()
        .into_iter()
        .map(|check| {
            trial(format!("sqlite::{}", check.name), move || async move {
                let dir = tempfile::tempdir().unwrap();
                let store = Arc::new(SqliteStore::open(dir.path().join("natter.db")).unwrap());
                (check.run)(store.clone()).await;
                store.close().await;
            })
        })
        .collect();
    trials.push(trial(
        "sqlite::data_survives_closing_and_reopening".into(),
        data_survives_closing_and_reopening,
    ));
    trials.push(trial(
        "sqlite::an_old_data_dir_is_upgraded_in_place".into(),
        an_old_data_dir_is_upgraded_in_place,
    ));
    trials
}

async fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("natter.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .import_accounts(
            7,
            vec![AccountImport {
                user_id: "kept".into(),
                profile: vec![ProfileValue::new("Tag_Profile_IM_Nick", "Kept")],
            }],
            1,
        )
        .await
        .unwrap();
    store.close().await;
    // Closed storage refuses work instead of losing it silently.
    assert!(store.accounts_exist(7, vec!["kept".into()]).await.is_err());

    let store = SqliteStore::open(&path).unwrap();
    let got = store
        .get_profiles(7, vec!["kept".into()], vec!["Tag_Profile_IM_Nick".into()])
        .await
        .unwrap();
    assert_eq!(
        got["kept"],
        vec![ProfileValue::new("Tag_Profile_IM_Nick", "Kept")]
    );
    store.close().await;
}

async fn an_old_data_dir_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("natter.db");
    // A data dir written by a version that only had the first migration.
    let old = SqliteStore::open_with_schema_limit(&path, Some(1)).unwrap();
    old.import_accounts(
        7,
        vec![AccountImport {
            user_id: "veteran".into(),
            profile: vec![],
        }],
        1,
    )
    .await
    .unwrap();
    old.close().await;

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store
            .accounts_exist(7, vec!["veteran".into()])
            .await
            .unwrap(),
        vec![true]
    );
    assert!(store
        .set_profile(
            7,
            "veteran".into(),
            vec![ProfileValue::new("Tag_Profile_IM_Level", 2)],
            2,
            vec![]
        )
        .await
        .unwrap());
    store.close().await;
}
