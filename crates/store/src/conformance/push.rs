//! Conformance checks for push to all users: labels, attribute names, targets and tasks.

use super::{ids, import};
use crate::{PushLabelChange, PushProgress, PushTaskRecord, Store};

fn tags(list: &[&str]) -> Vec<String> {
    ids(list)
}

pub async fn labels_change_all_or_nothing_and_go_with_the_account(store: &dyn Store) {
    let app = 9_100;
    store
        .import_accounts(app, vec![import("a", vec![]), import("b", vec![])], 1)
        .await
        .unwrap();
    let add = PushLabelChange::AddTags(vec![
        ("a".into(), tags(&["x", "y"])),
        ("b".into(), tags(&["y"])),
    ]);
    assert_eq!(store.change_push_labels(app, add, 3).await.unwrap(), Ok(()));
    // b would hold 4 tags: refused, and a's new tag is not written either.
    let over = PushLabelChange::AddTags(vec![
        ("a".into(), tags(&["z"])),
        ("b".into(), tags(&["1", "2", "3"])),
    ]);
    assert_eq!(
        store.change_push_labels(app, over, 3).await.unwrap(),
        Err("b".to_string())
    );
    let got = store.push_labels(app, ids(&["a", "b", "c"])).await.unwrap();
    assert_eq!(got[0].tags.iter().collect::<Vec<_>>(), ["x", "y"]);
    assert_eq!(got[1].tags.iter().collect::<Vec<_>>(), ["y"]);
    assert!(got[2].tags.is_empty() && got[2].attrs.is_empty());

    let attrs = PushLabelChange::SetAttrs(vec![
        ("a".into(), vec![(0, "f".into()), (3, "sz".into())]),
        ("b".into(), vec![(0, "m".into())]),
    ]);
    store
        .change_push_labels(app, attrs, 3)
        .await
        .unwrap()
        .unwrap();
    let remove = PushLabelChange::RemoveAttrs(vec![("a".into(), vec![3, 7])]);
    store
        .change_push_labels(app, remove, 3)
        .await
        .unwrap()
        .unwrap();
    let remove = PushLabelChange::RemoveTags(vec![("a".into(), tags(&["x", "nope"]))]);
    store
        .change_push_labels(app, remove, 3)
        .await
        .unwrap()
        .unwrap();
    let clear = PushLabelChange::ClearTags(ids(&["b"]));
    store
        .change_push_labels(app, clear, 3)
        .await
        .unwrap()
        .unwrap();
    let got = store.push_labels(app, ids(&["a", "b"])).await.unwrap();
    assert_eq!(got[0].tags.iter().collect::<Vec<_>>(), ["y"]);
    assert_eq!(
        got[0].attrs.iter().collect::<Vec<_>>(),
        [(&0, &"f".to_string())]
    );
    assert!(got[1].tags.is_empty());
    assert_eq!(got[1].attrs.get(&0).map(String::as_str), Some("m"));
    // Another app sees none of it.
    let other = store.push_labels(app + 1, ids(&["a"])).await.unwrap();
    assert!(other[0].tags.is_empty() && other[0].attrs.is_empty());

    // Deleting an account deletes its labels; an account imported again starts bare.
    store.delete_accounts(app, ids(&["a"])).await.unwrap();
    store
        .import_accounts(app, vec![import("a", vec![])], 2)
        .await
        .unwrap();
    let got = store.push_labels(app, ids(&["a"])).await.unwrap();
    assert!(got[0].tags.is_empty() && got[0].attrs.is_empty());
    // A reset of the app removes them too.
    store.reset_app(app).await.unwrap();
    let got = store.push_labels(app, ids(&["b"])).await.unwrap();
    assert!(got[0].attrs.is_empty());
}

pub async fn attribute_names_are_replaced_whole(store: &dyn Store) {
    let app = 9_110;
    assert!(store.push_attr_names(app).await.unwrap().is_empty());
    store
        .set_push_attr_names(app, vec![(2, "city".into()), (0, "sex".into())])
        .await
        .unwrap();
    assert_eq!(
        store.push_attr_names(app).await.unwrap(),
        vec![(0, "sex".to_string()), (2, "city".to_string())]
    );
    store
        .set_push_attr_names(app, vec![(1, "level".into())])
        .await
        .unwrap();
    assert_eq!(
        store.push_attr_names(app).await.unwrap(),
        vec![(1, "level".to_string())]
    );
    assert!(store.push_attr_names(app + 1).await.unwrap().is_empty());
}

pub async fn targets_walk_the_accounts_after_a_cursor(store: &dyn Store) {
    let app = 9_120;
    let users: Vec<String> = (0..25).map(|i| format!("u{i:02}")).collect();
    store
        .import_accounts(app, users.iter().map(|u| import(u, vec![])).collect(), 1)
        .await
        .unwrap();
    store
        .import_accounts(app + 1, vec![import("u99", vec![])], 1)
        .await
        .unwrap();
    let add = PushLabelChange::AddTags(vec![("u03".into(), tags(&["t"]))]);
    store
        .change_push_labels(app, add, 100)
        .await
        .unwrap()
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = store
            .push_targets(app, cursor.clone(), 10, true)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        for target in &page {
            let expected = usize::from(target.user_id == "u03");
            assert_eq!(target.labels.tags.len(), expected, "{}", target.user_id);
        }
        cursor = page.last().unwrap().user_id.clone();
        seen.extend(page.into_iter().map(|t| t.user_id));
    }
    assert_eq!(
        seen, users,
        "every account once, in order, none of the other app"
    );
    let attrs = PushLabelChange::SetAttrs(vec![("u05".into(), vec![(4, "v".into())])]);
    store
        .change_push_labels(app, attrs, 100)
        .await
        .unwrap()
        .unwrap();
    let mid = store
        .push_targets(app, "u02".into(), 3, true)
        .await
        .unwrap();
    assert_eq!(
        mid.iter().map(|t| t.user_id.as_str()).collect::<Vec<_>>(),
        ["u03", "u04", "u05"]
    );
    assert!(mid[0].labels.tags.contains("t") && mid[0].labels.attrs.is_empty());
    assert!(mid[1].labels.tags.is_empty() && mid[1].labels.attrs.is_empty());
    assert_eq!(mid[2].labels.attrs.get(&4).map(String::as_str), Some("v"));
    let bare = store
        .push_targets(app, "u02".into(), 1, false)
        .await
        .unwrap();
    assert_eq!(bare[0].user_id, "u03");
    assert!(bare[0].labels.tags.is_empty(), "labels only when asked for");
}

fn record(id: &str, created_ms: i64) -> PushTaskRecord {
    PushTaskRecord {
        task_id: id.into(),
        created_ms,
        spec: format!("{{\"id\":\"{id}\"}}"),
        cursor: String::new(),
        scanned: 0,
        delivered: 0,
        done: false,
        finished_ms: 0,
    }
}

fn step(cursor: &str, scanned: u64, delivered: u64, done: bool) -> PushProgress {
    PushProgress {
        cursor: cursor.into(),
        scanned,
        delivered,
        done,
    }
}

pub async fn tasks_are_leased_advanced_and_resumed(store: &dyn Store) {
    let app = 9_130;
    store
        .create_push_task(app, record("t1", 1_000), "node-a".into(), 10_000)
        .await
        .unwrap();
    store
        .create_push_task(app, record("t2", 2_000), "node-a".into(), 10_000)
        .await
        .unwrap();
    // Leased: nobody else claims them.
    let claimed = store
        .claim_push_tasks("node-b".into(), 5_000, 35_000, 10)
        .await
        .unwrap();
    assert!(claimed.is_empty());
    // Only the holder advances a task.
    assert!(!store
        .advance_push_task(
            app,
            "t1".into(),
            "node-b".into(),
            step("x", 1, 1, false),
            5_000,
            35_000
        )
        .await
        .unwrap());
    assert!(store
        .advance_push_task(
            app,
            "t1".into(),
            "node-a".into(),
            step("m", 10, 4, false),
            5_000,
            40_000
        )
        .await
        .unwrap());
    assert!(store
        .advance_push_task(
            app,
            "t2".into(),
            "node-a".into(),
            step("z", 7, 7, true),
            6_000,
            40_000
        )
        .await
        .unwrap());
    // A finished task takes no more progress.
    assert!(!store
        .advance_push_task(
            app,
            "t2".into(),
            "node-a".into(),
            step("zz", 1, 1, false),
            6_500,
            40_000
        )
        .await
        .unwrap());
    // node-a stops cleanly: its lease of t1 goes, and node-b resumes t1 (not the finished t2).
    store
        .release_push_task(app, "t1".into(), "node-a".into())
        .await
        .unwrap();
    let claimed = store
        .claim_push_tasks("node-b".into(), 7_000, 37_000, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let (claimed_app, task) = &claimed[0];
    assert_eq!(*claimed_app, app);
    assert_eq!(
        (
            task.task_id.as_str(),
            task.cursor.as_str(),
            task.scanned,
            task.delivered
        ),
        ("t1", "m", 10, 4)
    );
    assert_eq!(task.spec, "{\"id\":\"t1\"}");
    // node-a lost it; an expired lease is claimable again.
    assert!(!store
        .advance_push_task(
            app,
            "t1".into(),
            "node-a".into(),
            step("q", 1, 1, false),
            7_000,
            40_000
        )
        .await
        .unwrap());
    let again = store
        .claim_push_tasks("node-c".into(), 38_000, 68_000, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);

    let listed = store.push_tasks(app, 10).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|t| t.task_id.as_str())
            .collect::<Vec<_>>(),
        ["t2", "t1"]
    );
    assert!(listed[0].done);
    assert_eq!(listed[0].finished_ms, 6_000);
    assert_eq!((listed[0].scanned, listed[0].delivered), (7, 7));
    assert!(!listed[1].done);
    assert_eq!(store.push_tasks(app, 1).await.unwrap().len(), 1);
    assert!(store.push_tasks(app + 1, 10).await.unwrap().is_empty());
}
