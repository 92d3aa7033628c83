//! PostgreSQL trials: the conformance checks, each on a new database of the server, and the
//! engine's own tests. They run when `NATTER_TEST_POSTGRES` names a server (then a server that
//! cannot be reached fails them) and are reported as ignored when it is unset or `off`.

use std::sync::Arc;

use libtest_mimic::Trial;
use natter_store::postgres::PostgresStore;
use natter_store::prelude::*;
use natter_store::{conformance, AccountImport};

use super::trial;

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = conformance::checks()
        .into_iter()
        .map(|check| {
            trial(format!("postgres::{}", check.name), move || async move {
                let url = fresh_database().await;
                let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
                (check.run)(store.clone()).await;
                store.close().await;
                drop_database(&url).await;
            })
        })
        .collect();
    trials.push(trial(
        "postgres::an_old_postgres_schema_is_upgraded_in_place".into(),
        an_old_postgres_schema_is_upgraded_in_place,
    ));
    let ignored = !configured();
    trials
        .into_iter()
        .map(|t| t.with_ignored_flag(ignored))
        .collect()
}

/// Whether `NATTER_TEST_POSTGRES` names a server to test against.
fn configured() -> bool {
    std::env::var("NATTER_TEST_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "off")
}

/// The URL of a new, empty database (see [`conformance::fresh_postgres_url`]).
async fn fresh_database() -> String {
    conformance::fresh_postgres_url()
        .await
        .expect("no PostgreSQL server to test against: set NATTER_TEST_POSTGRES")
}

/// Drops a test database once its trial passed (a failed trial's stays, to be looked at). A
/// database that cannot be dropped is only reported: it fails no check.
async fn drop_database(url: &str) {
    let (server, name) = url.rsplit_once('/').expect("a database URL");
    let admin = format!("{server}/postgres");
    let dropped = async {
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
        // FORCE: the server may not have seen the closed pool's sessions end yet.
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
    };
    if let Err(e) = dropped.await {
        eprintln!("test database {name} left behind: {e}");
    }
}

async fn an_old_postgres_schema_is_upgraded_in_place() {
    let url = fresh_database().await;
    let old = PostgresStore::connect_with_schema_limit(&url, Some(1))
        .await
        .unwrap();
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
    let store = PostgresStore::connect(&url).await.unwrap();
    assert_eq!(
        store
            .accounts_exist(7, vec!["veteran".into()])
            .await
            .unwrap(),
        vec![true]
    );
    store.close().await;
    drop_database(&url).await;
}
