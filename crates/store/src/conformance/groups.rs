//! Conformance checks for groups: edits, members, messages, lists and removal.

use std::sync::Arc;

use serde_json::json;

use super::{ids, import};
use crate::{
    GroupChange, GroupMember, GroupMessage, GroupPlan, GroupQuery, GroupRecord, JoinApplication,
    MemberCursor, Store,
};

pub(super) fn record(id: &str, group_type: &str) -> GroupRecord {
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
        attr_seq: 2,
        counter_seq: 3,
        ..GroupRecord::default()
    }
}

pub(super) fn member(id: &str, role: &str, join_time: i64) -> GroupMember {
    GroupMember {
        member: id.into(),
        role: role.into(),
        join_time,
        msg_flag: "AcceptAndNotify".into(),
        app_defined: vec![("card".into(), "x".into())],
        ..GroupMember::default()
    }
}

pub(super) async fn apply(store: &dyn Store, app: u64, group: &str, changes: Vec<GroupChange>) {
    let outcome = store
        .edit_group(app, group.into(), GroupQuery::default(), 1, move |_| {
            GroupPlan::<()> {
                changes,
                ..GroupPlan::default()
            }
        })
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
        need_receipt: true,
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
                ..GroupQuery::default()
            },
            1,
            |snap| {
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
            },
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
    let members = store
        .group_members(app, "g1".into(), MemberCursor::Offset(0), Vec::new(), 10)
        .await
        .unwrap();
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
        vec![message.clone()]
    );
    // An edit writes the message's MsgVersion with its body and data.
    let mut edited = message;
    edited.body = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hey"}}]).to_string();
    edited.cloud_custom_data = "d".into();
    edited.version = 2;
    apply(
        store,
        app,
        "g1",
        vec![GroupChange::EditMessage(edited.clone())],
    )
    .await;
    assert_eq!(
        store
            .group_history(app, "g1".into(), u64::MAX, 10)
            .await
            .unwrap(),
        vec![edited]
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

    apply(
        store,
        app,
        "g1",
        vec![GroupChange::RecallMessage {
            topic_id: String::new(),
            seq: 1,
            recalled_ms: 1_000,
            revoker: "o".into(),
        }],
    )
    .await;
    let recalled = store.group_history(app, "g1".into(), 1, 1).await.unwrap();
    assert!(recalled[0].recalled, "a recalled message stays, flagged");
    apply(store, app, "g1", vec![GroupChange::DeleteGroup]).await;
    assert_eq!(store.groups(app, ids(&["g1"])).await.unwrap(), vec![None]);
    assert!(store
        .group_members(app, "g1".into(), MemberCursor::Offset(0), Vec::new(), 10)
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
                    .edit_group(app, "busy".into(), GroupQuery::default(), 1, move |snap| {
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
                            ..GroupPlan::<()>::default()
                        }
                    })
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

pub async fn silent_and_directed_messages_keep_their_marks(store: &dyn Store) {
    let app = 1_400_000_207;
    apply(
        store,
        app,
        "quiet",
        vec![
            GroupChange::PutGroup(Box::new(record("quiet", "Public"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
        ],
    )
    .await;
    let plain = |seq: u64| GroupMessage {
        seq,
        random: seq as u32,
        from: "o".into(),
        time: 300,
        body: "[]".into(),
        priority: 2,
        ..GroupMessage::default()
    };
    let directed = GroupMessage {
        silent: true,
        recipients: ids(&["a", "b"]),
        ..plain(2)
    };
    let no_unread = GroupMessage {
        silent: true,
        ..plain(4)
    };
    apply(
        store,
        app,
        "quiet",
        vec![
            GroupChange::AddMessage(plain(1)),
            GroupChange::AddMessage(directed.clone()),
            GroupChange::AddMessage(plain(3)),
            GroupChange::AddMessage(no_unread.clone()),
        ],
    )
    .await;
    let history = store
        .group_history(app, "quiet".into(), u64::MAX, 10)
        .await
        .unwrap();
    assert_eq!(history[0], no_unread);
    assert_eq!(history[2], directed, "recipients and silence round-trip");
    assert_eq!(history[3], plain(1));
    let silent = store
        .silent_after(
            app,
            vec![
                ("quiet".into(), 0),
                ("quiet".into(), 2),
                ("quiet".into(), 4),
                ("nowhere".into(), 0),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        silent,
        [2, 1, 0, 0],
        "silent messages above each read position"
    );
}

pub async fn join_applications_wait_until_handled(store: &dyn Store) {
    let app = 1_400_000_208;
    for id in ["club", "other"] {
        apply(
            store,
            app,
            id,
            vec![
                GroupChange::PutGroup(Box::new(record(id, "Public"))),
                GroupChange::PutMember(member("o", "Owner", 100)),
            ],
        )
        .await;
    }
    let ask = |group: &str, who: &str, time_ms: i64| JoinApplication {
        group_id: group.into(),
        applicant: who.into(),
        message: format!("{who} wants in"),
        time_ms,
        inviter: String::new(),
    };
    apply(
        store,
        app,
        "club",
        vec![
            GroupChange::PutApplication(ask("club", "b", 20)),
            GroupChange::PutApplication(ask("club", "a", 10)),
        ],
    )
    .await;
    apply(
        store,
        app,
        "other",
        vec![GroupChange::PutApplication(ask("other", "a", 5))],
    )
    .await;
    // Asking again renews the request.
    apply(
        store,
        app,
        "club",
        vec![GroupChange::PutApplication(ask("club", "b", 30))],
    )
    .await;
    let all = store
        .join_applications(app, ids(&["club", "other", "nowhere"]))
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![
            ask("club", "a", 10),
            ask("club", "b", 30),
            ask("other", "a", 5)
        ],
        "by group, oldest first"
    );
    let snap = store
        .group_snapshot(
            app,
            "club".into(),
            GroupQuery {
                applications: true,
                ..GroupQuery::accounts(ids(&["b", "c"]))
            },
        )
        .await
        .unwrap();
    assert_eq!(snap.applications.len(), 1);
    assert_eq!(snap.applications["b"], ask("club", "b", 30));
    apply(
        store,
        app,
        "club",
        vec![GroupChange::DeleteApplication("a".into())],
    )
    .await;
    apply(store, app, "other", vec![GroupChange::DeleteGroup]).await;
    let left = store
        .join_applications(app, ids(&["club", "other"]))
        .await
        .unwrap();
    assert_eq!(
        left,
        vec![ask("club", "b", 30)],
        "handled and disbanded ones go"
    );
}

/// The `After` cursor continues in join order (ties broken by account) whatever joined later.
pub async fn member_pages_continue_after_a_cursor(store: &dyn Store) {
    let app = 1_400_000_143;
    let mut changes = vec![GroupChange::PutGroup(Box::new(record("g", "Community")))];
    for (id, time) in [("a", 5), ("c", 5), ("b", 5), ("z", 1), ("y", 9)] {
        changes.push(GroupChange::PutMember(member(id, "Member", time)));
    }
    changes.push(GroupChange::PutMember(member("adm1", "Admin", 7)));
    changes.push(GroupChange::PutMember(member("own", "Owner", 3)));
    changes.push(GroupChange::PutMember(member("adm0", "Admin", 7)));
    apply(store, app, "g", changes).await;
    let roles_page = |from, roles: &[&str]| {
        let roles = ids(roles);
        async move {
            store
                .group_members(app, "g".into(), from, roles, 2)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.member)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        roles_page(MemberCursor::Offset(0), &["Owner", "Admin"]).await,
        ["own", "adm0"],
        "roles filter before paging"
    );
    assert_eq!(
        roles_page(MemberCursor::Offset(2), &["Owner", "Admin"]).await,
        ["adm1"]
    );
    assert_eq!(
        roles_page(
            MemberCursor::After {
                join_time: 7,
                member: "adm0".into()
            },
            &["Admin"]
        )
        .await,
        ["adm1"]
    );
    assert_eq!(
        roles_page(MemberCursor::Offset(0), &["Member"]).await,
        ["z", "a"]
    );
    let page = |from| async move {
        store
            .group_members(app, "g".into(), from, ids(&["Member"]), 2)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.member)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(MemberCursor::Offset(0)).await, ["z", "a"]);
    let after = |join_time, member: &str| MemberCursor::After {
        join_time,
        member: member.into(),
    };
    assert_eq!(page(after(5, "a")).await, ["b", "c"]);
    assert_eq!(page(after(5, "c")).await, ["y"]);
    assert!(page(after(9, "y")).await.is_empty());
    store.reset_app(app).await.unwrap();
}

/// Bans round-trip into snapshots, list only while they run (by account), and disappear when
/// lifted or with their group.
pub async fn bans_list_only_running_ones_and_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_144;
    let ban = |member: &str, until: i64| GroupChange::PutBan {
        member: member.into(),
        until,
        description: "spam".into(),
    };
    apply(
        store,
        app,
        "av",
        vec![
            GroupChange::PutGroup(Box::new(record("av", "AVChatRoom"))),
            ban("old", 50),
            ban("b", 500),
            ban("a", 400),
            ban("c", 600),
        ],
    )
    .await;
    apply(store, app, "av", vec![ban("a", 450)]).await;
    let snap = store
        .group_snapshot(
            app,
            "av".into(),
            GroupQuery {
                bans: true,
                ..GroupQuery::accounts(ids(&["a", "old", "x"]))
            },
        )
        .await
        .unwrap();
    assert_eq!(
        snap.bans,
        [("a".to_owned(), 450), ("old".to_owned(), 50)]
            .into_iter()
            .collect(),
        "a ban is replaced, and ended ones still show in snapshots"
    );
    let page = |offset, limit| store.group_bans(app, "av".into(), 100, offset, limit);
    assert_eq!(
        page(0, 2).await.unwrap(),
        vec![("a".to_owned(), 450), ("b".to_owned(), 500)]
    );
    assert_eq!(page(2, 2).await.unwrap(), vec![("c".to_owned(), 600)]);
    apply(store, app, "av", vec![GroupChange::DeleteBan("b".into())]).await;
    assert_eq!(page(0, 10).await.unwrap().len(), 2);
    apply(store, app, "av", vec![GroupChange::DeleteGroup]).await;
    assert!(page(0, 10).await.unwrap().is_empty());
    let snap = store
        .group_snapshot(
            app,
            "av".into(),
            GroupQuery {
                bans: true,
                ..GroupQuery::accounts(ids(&["a"]))
            },
        )
        .await
        .unwrap();
    assert!(snap.bans.is_empty(), "bans go with their group");
}
