//! Conformance checks for groups: edits, members, messages, lists and removal.

use std::sync::Arc;

use serde_json::json;

use super::{ids, import};
use crate::{GroupChange, GroupMember, GroupMessage, GroupPlan, GroupQuery, GroupRecord, Store};

pub(super) async fn run_all(store: Arc<dyn Store>) {
    groups_round_trip_and_disappear_whole(&*store).await;
    concurrent_sends_take_every_sequence_once(store).await;
}

fn record(id: &str, group_type: &str) -> GroupRecord {
    GroupRecord {
        group_id: id.into(),
        group_type: group_type.into(),
        name: format!("name of {id}"),
        owner: "o".into(),
        created: 100,
        max_members: 10,
        apply_join: "FreeAccess".into(),
        invite_join: "FreeAccess".into(),
        info_seq: 1,
        next_msg_seq: 1,
        member_count: 1,
        app_defined: vec![("k".into(), "v".into())],
        ..GroupRecord::default()
    }
}

fn member(id: &str, role: &str, join_time: i64) -> GroupMember {
    GroupMember {
        member: id.into(),
        role: role.into(),
        join_time,
        msg_flag: "AcceptAndNotify".into(),
        app_defined: vec![("card".into(), "x".into())],
        ..GroupMember::default()
    }
}

async fn apply(store: &dyn Store, app: u64, group: &str, changes: Vec<GroupChange>) {
    let outcome = store
        .edit_group(
            app,
            group.into(),
            GroupQuery::default(),
            1,
            Box::new(move |_| GroupPlan {
                changes,
                ..GroupPlan::default()
            }),
        )
        .await
        .unwrap();
    assert!(outcome.refusal.is_none());
}

pub async fn groups_round_trip_and_disappear_whole(store: &dyn Store) {
    let app = 1_400_000_140;
    store
        .import_accounts(app, vec![import("o", vec![]), import("m", vec![])], 1)
        .await
        .unwrap();
    for (id, kind) in [("g1", "Public"), ("g2", "Private"), ("g3", "Public")] {
        apply(
            store,
            app,
            id,
            vec![
                GroupChange::PutGroup(Box::new(record(id, kind))),
                GroupChange::PutMember(member("o", "Owner", 100)),
            ],
        )
        .await;
    }
    apply(
        store,
        app,
        "g1",
        vec![GroupChange::PutMember(member("m", "Member", 200))],
    )
    .await;
    let message = GroupMessage {
        seq: 1,
        random: 7,
        from: "m".into(),
        time: 300,
        body: json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]).to_string(),
        cloud_custom_data: "c".into(),
        priority: 2,
        ..GroupMessage::default()
    };
    let mut next = record("g1", "Public");
    next.next_msg_seq = 2;
    next.member_count = 2;
    apply(
        store,
        app,
        "g1",
        vec![
            GroupChange::AddMessage(message.clone()),
            GroupChange::PutGroup(Box::new(next.clone())),
        ],
    )
    .await;

    let snap_check = store
        .edit_group(
            app,
            "g1".into(),
            GroupQuery {
                accounts: ids(&["m", "o", "ghost", "m"]),
                duplicate_of: Some(("m".into(), 7, 250)),
                messages: vec![1, 2],
            },
            1,
            Box::new(|snap| {
                let g = snap.group.clone().unwrap();
                GroupPlan {
                    reply: json!({
                        "serial": g.serial,
                        "members": snap.members.len(),
                        "existing": snap.existing.len(),
                        "duplicate": snap.duplicate.as_ref().map(|d| d.seq),
                        "next": g.next_msg_seq,
                        "custom": g.app_defined.len(),
                        "messages": snap.messages.keys().collect::<Vec<_>>(),
                    }),
                    ..GroupPlan::default()
                }
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        snap_check.reply,
        json!({"serial": 1, "members": 2, "existing": 2, "duplicate": 1, "next": 2, "custom": 1, "messages": [1]})
    );
    let found = store.groups(app, ids(&["g1", "nope"])).await.unwrap();
    let mut expected = next.clone();
    expected.serial = 1;
    assert_eq!(
        found,
        vec![Some(expected), None],
        "the group row round-trips"
    );
    let members = store.group_members(app, "g1".into(), 0, 10).await.unwrap();
    assert_eq!(
        members,
        vec![member("o", "Owner", 100), member("m", "Member", 200)],
        "join order"
    );
    assert_eq!(
        store
            .group_history(app, "g1".into(), u64::MAX, 10)
            .await
            .unwrap(),
        vec![message]
    );
    let joined = store.joined_groups(app, "o".into()).await.unwrap();
    let joined_ids: Vec<&str> = joined.iter().map(|(g, _)| g.group_id.as_str()).collect();
    assert_eq!(joined_ids, ["g1", "g2", "g3"]);
    let (page, total) = store.app_groups(app, 1, 1, None).await.unwrap();
    assert_eq!((page, total), (vec![("g2".to_owned(), 2)], 3));
    let (public, total) = store
        .app_groups(app, 0, 10, Some("Public".into()))
        .await
        .unwrap();
    assert_eq!((public.len(), total), (2, 2));

    apply(store, app, "g1", vec![GroupChange::RecallMessage(1)]).await;
    let recalled = store.group_history(app, "g1".into(), 1, 1).await.unwrap();
    assert!(recalled[0].recalled, "a recalled message stays, flagged");
    apply(store, app, "g1", vec![GroupChange::DeleteGroup]).await;
    assert_eq!(store.groups(app, ids(&["g1"])).await.unwrap(), vec![None]);
    assert!(store
        .group_members(app, "g1".into(), 0, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .group_history(app, "g1".into(), u64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
    store.reset_app(app).await.unwrap();
    assert!(store
        .joined_groups(app, "o".into())
        .await
        .unwrap()
        .is_empty());
}

/// Edits of one group run one after the other: a message's sequence read from the group row is
/// never handed out twice.
pub async fn concurrent_sends_take_every_sequence_once(store: Arc<dyn Store>) {
    let app = 1_400_000_141;
    apply(
        &*store,
        app,
        "busy",
        vec![GroupChange::PutGroup(Box::new(record("busy", "Public")))],
    )
    .await;
    let tasks: Vec<_> = (0..30u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .edit_group(
                        app,
                        "busy".into(),
                        GroupQuery::default(),
                        1,
                        Box::new(move |snap| {
                            let mut group = snap.group.clone().unwrap();
                            let seq = group.next_msg_seq;
                            group.next_msg_seq += 1;
                            GroupPlan {
                                changes: vec![
                                    GroupChange::AddMessage(GroupMessage {
                                        seq,
                                        random: i,
                                        from: "o".into(),
                                        body: "[]".into(),
                                        ..GroupMessage::default()
                                    }),
                                    GroupChange::PutGroup(Box::new(group)),
                                ],
                                ..GroupPlan::default()
                            }
                        }),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let history = store
        .group_history(app, "busy".into(), u64::MAX, 100)
        .await
        .unwrap();
    let seqs: Vec<u64> = history.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=30).rev().collect::<Vec<u64>>());
}
