//! Conformance checks for operations counters and message archives.

use natter_core::ops::{field, OpsBatch};

use super::import;
use super::messages::{c2c, no_outbox};
use crate::{
    ArchiveCursor, ArchiveKind, ArchivedMessage, GroupChange, GroupMessage, GroupPlan, GroupQuery,
    GroupRecord, Store,
};

fn batch(
    app: u64,
    counts: &[(u32, &'static str, i64)],
    peaks: &[(u32, &'static str, i64)],
    members: &[(u32, &'static str, &str)],
) -> OpsBatch {
    OpsBatch {
        counts: counts.iter().map(|&(d, f, n)| ((app, d, f), n)).collect(),
        peaks: peaks.iter().map(|&(d, f, n)| ((app, d, f), n)).collect(),
        members: members
            .iter()
            .map(|&(d, f, m)| (app, d, f, m.to_owned()))
            .collect(),
    }
}

/// Sums add up across flushes, peaks keep the highest, a set counts each member once, days and
/// apps stay apart, and a reset forgets them.
pub async fn ops_counters_add_peak_and_count_distinct(store: &dyn Store) {
    let app = 1_400_000_371;
    let (d1, d2) = (20260101, 20260102);
    store
        .record_ops(batch(
            app,
            &[(d1, field::LOGIN_TIMES, 2), (d2, field::LOGIN_TIMES, 1)],
            &[(d1, field::MAX_ONLINE_NUM, 5)],
            &[
                (d1, field::ACTIVE_USER_NUM, "a"),
                (d1, field::ACTIVE_USER_NUM, "b"),
            ],
        ))
        .await
        .unwrap();
    store
        .record_ops(batch(
            app,
            &[(d1, field::LOGIN_TIMES, 3)],
            &[(d1, field::MAX_ONLINE_NUM, 4)],
            &[
                (d1, field::ACTIVE_USER_NUM, "b"),
                (d1, field::ACTIVE_USER_NUM, "c"),
            ],
        ))
        .await
        .unwrap();
    store
        .record_ops(batch(app + 1, &[(d1, field::LOGIN_TIMES, 100)], &[], &[]))
        .await
        .unwrap();
    store.record_ops(OpsBatch::default()).await.unwrap();
    store
        .import_accounts(app, vec![import("x", vec![]), import("y", vec![])], 1)
        .await
        .unwrap();
    let days = store.ops_days(app, d1, d2).await.unwrap();
    assert_eq!(days.get(d1, field::LOGIN_TIMES), 5, "sums add up");
    assert_eq!(days.get(d2, field::LOGIN_TIMES), 1, "days stay apart");
    assert_eq!(days.get(d1, field::MAX_ONLINE_NUM), 5, "a peak never falls");
    assert_eq!(
        days.get(d1, field::ACTIVE_USER_NUM),
        3,
        "each member counts once"
    );
    assert_eq!(days.get(d2, field::ACTIVE_USER_NUM), 0);
    assert_eq!(days.accounts, 2);
    assert_eq!(days.groups, 0);
    let only_d2 = store.ops_days(app, d2, d2).await.unwrap();
    assert_eq!(only_d2.get(d1, field::LOGIN_TIMES), 0, "outside the range");
    store.reset_app(app).await.unwrap();
    let days = store.ops_days(app, d1, d2).await.unwrap();
    assert_eq!(days.get(d1, field::LOGIN_TIMES), 0, "a reset forgets them");
    assert_eq!(days.get(d1, field::ACTIVE_USER_NUM), 0);
    let other = store.ops_days(app + 1, d1, d1).await.unwrap();
    assert_eq!(
        other.get(d1, field::LOGIN_TIMES),
        100,
        "other apps keep theirs"
    );
    // Old days go, for every app; newer ones stay.
    store
        .record_ops(batch(
            app,
            &[(d2, field::LOGIN_TIMES, 7)],
            &[],
            &[(d1, field::ACTIVE_USER_NUM, "a")],
        ))
        .await
        .unwrap();
    assert!(store.purge_ops(d2).await.unwrap() >= 2);
    let left = store.ops_days(app, d1, d2).await.unwrap();
    assert_eq!(left.get(d2, field::LOGIN_TIMES), 7);
    assert_eq!(left.get(d1, field::ACTIVE_USER_NUM), 0);
    let other = store.ops_days(app + 1, d1, d1).await.unwrap();
    assert_eq!(other.get(d1, field::LOGIN_TIMES), 0);
}

async fn all_pages(
    store: &dyn Store,
    app: u64,
    kind: ArchiveKind,
    from: i64,
    to: i64,
    limit: usize,
) -> Vec<ArchivedMessage> {
    let mut out: Vec<ArchivedMessage> = Vec::new();
    let mut after: Option<ArchiveCursor> = None;
    loop {
        let page = store
            .archive_page(app, kind, from, to, after.clone(), limit)
            .await
            .unwrap();
        assert!(page.len() <= limit);
        let Some(last) = page.last() else { break };
        after = Some(last.cursor.clone());
        out.extend(page);
    }
    out
}

/// An hour's one-to-one and group messages page in time order without gaps or repeats, the
/// hour's bounds hold (start in, end out), and deleted group messages are left out.
pub async fn archive_pages_walk_an_hours_messages(store: &dyn Store) {
    let app = 1_400_000_372;
    let (from, to) = (36_000, 39_600);
    // Several messages in the same second, and some just outside the hour.
    let sends = [
        ("a", "b", 1, 35_999),
        ("a", "b", 2, 36_000),
        ("b", "a", 3, 36_000),
        ("c", "a", 4, 36_000),
        ("a", "c", 5, 37_000),
        ("a", "b", 6, 39_599),
        ("a", "b", 7, 39_600),
    ];
    for (f, t, seq, time) in sends {
        store
            .send_c2c(app, c2c(f, t, seq, seq, time), no_outbox())
            .await
            .unwrap();
    }
    for limit in [1, 2, 100] {
        let got = all_pages(store, app, ArchiveKind::C2c, from, to, limit).await;
        let seqs: Vec<u64> = got.iter().map(|m| m.msg_seq).collect();
        assert_eq!(seqs, vec![2, 3, 4, 5, 6], "pages of {limit}");
        assert_eq!(got[1].from, "b");
        assert_eq!(got[1].to, "a");
        assert_eq!(got[1].msg_time, 36_000);
        assert!(got[1].body.contains("\"3\""));
    }
    // Groups: two groups with messages at the same second, one deleted.
    for gid in ["g1", "g2"] {
        let record = GroupRecord {
            group_id: gid.into(),
            group_type: "Public".into(),
            owner: "o".into(),
            next_msg_seq: 1,
            ..GroupRecord::default()
        };
        let messages: Vec<GroupChange> = [(1u64, 36_500i64), (2, 36_500), (3, 40_000), (4, 36_600)]
            .into_iter()
            .map(|(seq, time)| {
                GroupChange::AddMessage(GroupMessage {
                    seq,
                    random: seq as u32 * 10,
                    from: "o".into(),
                    time,
                    body: "[]".into(),
                    cloud_custom_data: format!("{gid}-{seq}"),
                    deleted: gid == "g2" && seq == 2,
                    ..GroupMessage::default()
                })
            })
            .collect();
        let mut changes = vec![GroupChange::PutGroup(Box::new(record))];
        changes.extend(messages);
        let outcome = store
            .edit_group(app, gid.into(), GroupQuery::default(), 1, move |_| {
                GroupPlan::<()> {
                    changes,
                    ..GroupPlan::default()
                }
            })
            .await
            .unwrap();
        assert!(outcome.refusal.is_none());
    }
    for limit in [1, 3, 100] {
        let got = all_pages(store, app, ArchiveKind::Group, from, to, limit).await;
        let keys: Vec<(String, u64)> = got.iter().map(|m| (m.to.clone(), m.msg_seq)).collect();
        assert_eq!(
            keys,
            vec![
                ("g1".to_owned(), 1),
                ("g1".to_owned(), 2),
                ("g2".to_owned(), 1),
                ("g1".to_owned(), 4),
                ("g2".to_owned(), 4),
            ],
            "pages of {limit}"
        );
        assert_eq!(got[0].msg_random, 10);
        assert_eq!(got[0].cloud_custom_data, "g1-1");
    }
    assert!(store
        .archive_page(app + 1, ArchiveKind::C2c, from, to, None, 10)
        .await
        .unwrap()
        .is_empty());
}
