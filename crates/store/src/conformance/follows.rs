//! Conformance checks for follows (`crate::follows`).

use std::sync::Arc;

use super::{ids, import};
use crate::{
    FollowCounts, FollowCursor, FollowEntry, FollowList, FollowOutcome, Store, UnfollowOutcome,
};

async fn accounts(store: &dyn Store, app: u64, users: &[&str]) {
    store
        .import_accounts(app, users.iter().map(|u| import(u, vec![])).collect(), 1)
        .await
        .unwrap();
}

async fn follow(
    store: &dyn Store,
    app: u64,
    follower: &str,
    followees: &[&str],
    now: i64,
) -> Vec<FollowOutcome> {
    store
        .follow(app, follower.into(), ids(followees), now, 100)
        .await
        .unwrap()
        .expect("the follower exists")
}

async fn page(
    store: &dyn Store,
    app: u64,
    user: &str,
    list: FollowList,
    after: FollowCursor,
    limit: usize,
) -> Vec<(String, i64)> {
    store
        .follow_page(app, user.into(), list, after, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.user_id, e.time))
        .collect()
}

fn entries(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(u, t)| (u.to_string(), *t)).collect()
}

pub async fn follows_are_one_sided_counted_and_paged(store: &dyn Store) {
    let app = 1_400_000_900;
    accounts(store, app, &["a", "b", "c", "d"]).await;
    let followed = FollowOutcome::Followed { mutual: false };
    // a follows b and c; an unknown account and a repeat change nothing.
    assert_eq!(
        follow(store, app, "a", &["b", "ghost", "c", "b"], 10).await,
        vec![
            followed,
            FollowOutcome::NoAccount,
            followed,
            FollowOutcome::Already
        ]
    );
    // b follows back (mutual), later; d follows a later still.
    assert_eq!(
        follow(store, app, "b", &["a"], 20).await,
        vec![FollowOutcome::Followed { mutual: true }]
    );
    follow(store, app, "d", &["a"], 30).await;
    // A follower without an account writes nothing.
    assert_eq!(
        store
            .follow(app, "ghost".into(), ids(&["a"]), 40, 100)
            .await
            .unwrap(),
        None
    );
    let start = FollowCursor::start;
    assert_eq!(
        page(store, app, "a", FollowList::Following, start(), 10).await,
        entries(&[("b", 10), ("c", 10)])
    );
    assert_eq!(
        page(store, app, "a", FollowList::Followers, start(), 10).await,
        entries(&[("d", 30), ("b", 20)])
    );
    // The mutual list dates from the later follow, on either side.
    assert_eq!(
        page(store, app, "a", FollowList::Mutual, start(), 10).await,
        entries(&[("b", 20)])
    );
    assert_eq!(
        page(store, app, "b", FollowList::Mutual, start(), 10).await,
        entries(&[("a", 20)])
    );
    // Pages continue after a cursor: newest first, then by UserID.
    let first = page(store, app, "a", FollowList::Following, start(), 1).await;
    assert_eq!(first, entries(&[("b", 10)]));
    let after = FollowCursor {
        time: 10,
        user_id: "b".into(),
    };
    assert_eq!(
        page(store, app, "a", FollowList::Following, after, 10).await,
        entries(&[("c", 10)])
    );
    let last = FollowCursor {
        time: 20,
        user_id: "b".into(),
    };
    assert_eq!(
        page(store, app, "a", FollowList::Followers, last, 10).await,
        vec![]
    );
    assert_eq!(
        store
            .follow_counts(app, ids(&["a", "b", "c", "ghost"]))
            .await
            .unwrap(),
        vec![
            FollowCounts {
                followers: 2,
                following: 2,
                mutual: 1
            },
            FollowCounts {
                followers: 1,
                following: 1,
                mutual: 1
            },
            FollowCounts {
                followers: 1,
                following: 0,
                mutual: 0
            },
            FollowCounts::default(),
        ]
    );
    // 0 neither, 1 a fan, 2 followed, 3 both.
    assert_eq!(
        store
            .follow_types(app, "a".into(), ids(&["ghost", "d", "c", "b"]))
            .await
            .unwrap(),
        vec![0, 1, 2, 3]
    );
    // Unfollowing says whether the two were mutual; again, it does nothing.
    assert_eq!(
        store
            .unfollow(app, "a".into(), ids(&["b", "c", "d", "b"]))
            .await
            .unwrap(),
        vec![
            UnfollowOutcome::Unfollowed { was_mutual: true },
            UnfollowOutcome::Unfollowed { was_mutual: false },
            UnfollowOutcome::NotFollowing,
            UnfollowOutcome::NotFollowing,
        ]
    );
    assert_eq!(
        store
            .follow_types(app, "b".into(), ids(&["a"]))
            .await
            .unwrap(),
        vec![2]
    );
    // Another app sees none of it.
    assert_eq!(
        page(store, app + 1, "a", FollowList::Followers, start(), 10).await,
        vec![]
    );
}

pub async fn the_limit_counts_a_users_follows(store: &dyn Store) {
    let app = 1_400_000_901;
    accounts(store, app, &["a", "b", "c", "d"]).await;
    let outcomes = store
        .follow(app, "a".into(), ids(&["b", "c", "d"]), 5, 2)
        .await
        .unwrap()
        .unwrap();
    let followed = FollowOutcome::Followed { mutual: false };
    assert_eq!(
        outcomes,
        vec![followed, followed, FollowOutcome::LimitReached]
    );
    // Unfollowing one makes room again; a follow already there is not refused.
    store.unfollow(app, "a".into(), ids(&["b"])).await.unwrap();
    let again = store
        .follow(app, "a".into(), ids(&["c", "d"]), 6, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, vec![FollowOutcome::Already, followed]);
}

pub async fn deleting_an_account_removes_its_follows(store: &dyn Store) {
    let app = 1_400_000_902;
    accounts(store, app, &["a", "b", "c"]).await;
    follow(store, app, "a", &["b", "c"], 1).await;
    follow(store, app, "b", &["a", "c"], 2).await;
    store.delete_accounts(app, ids(&["a"])).await.unwrap();
    assert_eq!(
        store
            .follow_counts(app, ids(&["a", "b", "c"]))
            .await
            .unwrap(),
        vec![
            FollowCounts::default(),
            FollowCounts {
                followers: 0,
                following: 1,
                mutual: 0
            },
            FollowCounts {
                followers: 1,
                following: 0,
                mutual: 0
            },
        ]
    );
    // Imported again, the account starts without follows.
    accounts(store, app, &["a"]).await;
    assert!(page(
        store,
        app,
        "b",
        FollowList::Following,
        FollowCursor::start(),
        10
    )
    .await
    .iter()
    .all(|(u, _)| u != "a"));
}

/// Two users following each other at the same moment: exactly one of the two follows finds the
/// other's (on an engine with concurrent writers, neither may miss it); and many follows by one
/// user at once stop at the limit.
pub async fn concurrent_follows_see_each_other(store: Arc<dyn Store>) {
    let app = 1_400_000_903;
    let users: Vec<String> = (0..12).map(|i| format!("u{i:02}")).collect();
    let names: Vec<&str> = users.iter().map(String::as_str).collect();
    accounts(&*store, app, &names).await;
    let spawn = |follower: String, followee: String, max: u64| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .follow(app, follower, vec![followee], 1, max)
                .await
                .unwrap()
                .unwrap()[0]
        })
    };
    for pair in users.chunks(2) {
        let (x, y) = (pair[0].clone(), pair[1].clone());
        let one = spawn(x.clone(), y.clone(), 100);
        let other = spawn(y, x, 100);
        let outcomes = [one.await.unwrap(), other.await.unwrap()];
        let mutual = outcomes
            .iter()
            .filter(|o| **o == FollowOutcome::Followed { mutual: true })
            .count();
        assert_eq!(mutual, 1, "one of the two sees the other: {outcomes:?}");
    }
    let tasks: Vec<_> = users[1..]
        .iter()
        .map(|u| spawn("u00".into(), u.clone(), 5))
        .collect();
    let mut followed = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), FollowOutcome::Followed { .. }) {
            followed += 1;
        }
    }
    // u00 followed u01 already (above), so four more fit.
    assert_eq!(followed, 4, "exactly up to the limit");
    let all = store
        .follow_page(
            app,
            "u00".into(),
            FollowList::Following,
            FollowCursor::start(),
            100,
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|e: &FollowEntry| e.user_id != "u00"));
}
