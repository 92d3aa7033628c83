//! The conformance suite: one set of checks that every [`Store`] backend must pass.
//! Each backend's test calls [`run_all`]; a new storage operation adds its checks here.
//!
//! Checks use their own SDKAppIDs, so they never see each other's data.

use std::sync::Arc;

use crate::{AccountImport, ProfileValue, Store};

const NICK: &str = "Tag_Profile_IM_Nick";
const GENDER: &str = "Tag_Profile_IM_Gender";
const LEVEL: &str = "Tag_Profile_IM_Level";

/// Runs every check against `store`; panics with the check's name on the first failure.
pub async fn run_all(store: Arc<dyn Store>) {
    import_is_idempotent_and_updates_only_given_items(&*store).await;
    delete_reports_existence_and_removes_the_profile(&*store).await;
    set_profile_needs_an_existing_account(&*store).await;
    get_profiles_filters_tags_and_skips_unknown_accounts(&*store).await;
    apps_never_see_each_other(&*store).await;
    reset_removes_one_app_only(&*store).await;
    concurrent_writes_are_all_kept(store.clone()).await;
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
        .set_profile(app, "nobody".into(), vec![ProfileValue::new(NICK, "x")], 1)
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
                .set_profile(app, user, vec![ProfileValue::new(LEVEL, i as u64)], 2)
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
