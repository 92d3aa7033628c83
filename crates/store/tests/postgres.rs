use std::sync::Arc;

use natter_store::postgres::PostgresStore;
use natter_store::{conformance, AccountImport, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_conformance_suite() {
    let Some(url) = conformance::fresh_postgres_url().await else {
        return;
    };
    let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
    conformance::run_all(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_postgres_schema_is_upgraded_in_place() {
    let Some(url) = conformance::fresh_postgres_url().await else {
        return;
    };
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
}
