//! Conformance checks for accounts and their profiles: imports, deletes, reads, apps kept apart.

use std::sync::Arc;

use super::{ids, import, GENDER, LEVEL, NICK};
use crate::{ProfileValue, Store};

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

pub async fn account_lists_page_by_user_id_and_prefix(store: &dyn Store) {
    let app = 1_400_000_108;
    let other = 1_400_000_109;
    let users = ["b", "a1", "a2", "a10", "ab", "Z", "a~"];
    store
        .import_accounts(
            app,
            users.iter().map(|u| import(u, vec![])).collect(),
            1_000,
        )
        .await
        .unwrap();
    store
        .import_accounts(other, vec![import("a3", vec![])], 1_000)
        .await
        .unwrap();
    let list = |prefix: &str, after: &str, limit: u32| {
        store.list_accounts(app, prefix.into(), after.into(), limit)
    };
    // Byte order: upper case before lower, "a10" before "a2", "~" after letters.
    assert_eq!(
        list("", "", 100).await.unwrap(),
        ids(&["Z", "a1", "a10", "a2", "ab", "a~", "b"]),
        "every account, in byte order"
    );
    // A prefix, walked in pages of two by the last UserID of each page.
    let mut walked = Vec::new();
    let mut after = String::new();
    loop {
        let page = list("a", &after, 2).await.unwrap();
        assert!(page.len() <= 2, "{page:?}");
        let Some(last) = page.last().cloned() else {
            break;
        };
        walked.extend(page);
        after = last;
    }
    assert_eq!(walked, ids(&["a1", "a10", "a2", "ab", "a~"]), "prefix a");
    assert_eq!(list("a1", "", 10).await.unwrap(), ids(&["a1", "a10"]));
    assert_eq!(list("c", "", 10).await.unwrap(), Vec::<String>::new());
    assert_eq!(list("", "b", 10).await.unwrap(), Vec::<String>::new());
    // Deleted accounts leave the list; the other app's never join it.
    store.delete_accounts(app, ids(&["a2"])).await.unwrap();
    assert_eq!(list("a", "a10", 10).await.unwrap(), ids(&["ab", "a~"]));
    assert_eq!(
        store
            .list_accounts(other, String::new(), String::new(), 10)
            .await
            .unwrap(),
        ids(&["a3"])
    );
}

/// Text is kept exactly, byte for byte, on both engines: emoji and other 4-byte characters,
/// combining marks, right-to-left text, control characters other than NUL (which the services
/// refuse before anything is stored), quotes, backslashes and SQL look-alikes.
pub async fn text_is_kept_byte_for_byte(store: &dyn Store) {
    let app = 1_400_000_109;
    let samples = [
        "plain",
        "emoji 😀👩‍👩‍👧 and 𝄞",
        "e\u{301}\u{308} combining",
        "עברית مرحبا",
        "tab\tnewline\ncarriage\r\u{1}\u{1f}\u{7f}",
        "quotes ' \" ` and \\ backslash \\0",
        "'; DROP TABLE accounts; --",
        "\u{feff}BOM and \u{200b}zero width",
    ];
    for (i, text) in samples.iter().enumerate() {
        let user = format!("text{i}");
        store
            .import_accounts(
                app,
                vec![import(&user, vec![ProfileValue::new(NICK, *text)])],
                1_000,
            )
            .await
            .unwrap();
        let got = profile_of(store, app, &user).await;
        assert_eq!(
            got,
            vec![ProfileValue::new(NICK, *text)],
            "sample {i}: {text:?}"
        );
    }
}
