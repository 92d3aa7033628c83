//! Conformance checks for migration 29: invitations waiting for approval, members' cleared
//! group histories, and when and by whom group messages were recalled.

use super::groups::{apply, member, record};
use crate::{GroupChange, GroupMessage, GroupQuery, GroupRecall, JoinApplication, Store};

fn invitation(group: &str, invitee: &str, inviter: &str, time_ms: i64) -> JoinApplication {
    JoinApplication {
        group_id: group.into(),
        applicant: invitee.into(),
        message: String::new(),
        time_ms,
        inviter: inviter.into(),
    }
}

pub async fn invitations_wait_beside_requests_and_keep_their_inviter(store: &dyn Store) {
    let app = 1_400_000_291;
    apply(
        store,
        app,
        "work",
        vec![
            GroupChange::PutGroup(Box::new(record("work", "Private"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutMember(member("m", "Member", 100)),
        ],
    )
    .await;
    let own = JoinApplication {
        inviter: String::new(),
        ..invitation("work", "a", "", 10)
    };
    apply(
        store,
        app,
        "work",
        vec![
            GroupChange::PutApplication(own.clone()),
            GroupChange::PutApplication(invitation("work", "b", "m", 20)),
        ],
    )
    .await;
    let all = store
        .join_applications(app, vec!["work".into()])
        .await
        .unwrap();
    assert_eq!(all, vec![own, invitation("work", "b", "m", 20)]);
    // An invitation of someone who asked already takes the request's place, inviter and all.
    apply(
        store,
        app,
        "work",
        vec![GroupChange::PutApplication(invitation(
            "work", "a", "o", 30,
        ))],
    )
    .await;
    let snap = store
        .group_snapshot(
            app,
            "work".into(),
            GroupQuery {
                applications: true,
                ..GroupQuery::accounts(vec!["a".into(), "b".into()])
            },
        )
        .await
        .unwrap();
    assert_eq!(snap.applications["a"], invitation("work", "a", "o", 30));
    assert_eq!(snap.applications["b"].inviter, "m");
}

pub async fn history_clears_only_move_forward_and_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_292;
    apply(
        store,
        app,
        "g",
        vec![
            GroupChange::PutGroup(Box::new(record("g", "Public"))),
            GroupChange::PutMember(member("a", "Owner", 100)),
            GroupChange::PutMember(member("b", "Member", 100)),
        ],
    )
    .await;
    let cleared = |who: &str| store.group_history_cleared(app, "g".into(), who.into());
    assert_eq!(cleared("a").await.unwrap(), 0, "never cleared");
    store
        .clear_group_history(app, "g".into(), "a".into(), 7)
        .await
        .unwrap();
    assert_eq!(cleared("a").await.unwrap(), 7);
    assert_eq!(cleared("b").await.unwrap(), 0, "each member their own");
    store
        .clear_group_history(app, "g".into(), "a".into(), 3)
        .await
        .unwrap();
    assert_eq!(cleared("a").await.unwrap(), 7, "a clear never moves back");
    store
        .clear_group_history(app, "g".into(), "a".into(), 9)
        .await
        .unwrap();
    assert_eq!(cleared("a").await.unwrap(), 9);
    apply(store, app, "g", vec![GroupChange::DeleteGroup]).await;
    assert_eq!(cleared("a").await.unwrap(), 0, "gone with the group");
}

pub async fn recalls_are_listed_by_when_they_happened(store: &dyn Store) {
    let app = 1_400_000_293;
    let mut group = record("g", "Public");
    group.next_msg_seq = 4;
    let mut changes = vec![
        GroupChange::PutGroup(Box::new(group)),
        GroupChange::PutMember(member("o", "Owner", 100)),
    ];
    for seq in 1..=3u64 {
        changes.push(GroupChange::AddMessage(GroupMessage {
            seq,
            random: 10 + seq as u32,
            from: "o".into(),
            time: 100 + seq as i64,
            body: "[]".into(),
            ..GroupMessage::default()
        }));
    }
    apply(store, app, "g", changes).await;
    let recall = |seq: u64, recalled_ms: i64| GroupChange::RecallMessage {
        topic_id: String::new(),
        seq,
        recalled_ms,
        revoker: "o".into(),
    };
    apply(store, app, "g", vec![recall(3, 5_000), recall(1, 7_000)]).await;
    let listed = |since, until, limit| store.group_recalls(app, "g".into(), since, until, limit);
    let first = GroupRecall {
        msg_seq: 3,
        random: 13,
        from: "o".into(),
        msg_time: 103,
        recalled_ms: 5_000,
        revoker: "o".into(),
    };
    let all = listed(0, i64::MAX, 10).await.unwrap();
    assert_eq!(all.len(), 2, "message 2 was not recalled");
    assert_eq!(all[0], first, "the earlier recall first");
    assert_eq!((all[1].msg_seq, all[1].recalled_ms), (1, 7_000));
    assert_eq!(listed(0, i64::MAX, 1).await.unwrap(), vec![first.clone()]);
    assert_eq!(
        listed(5_001, 7_000, 10).await.unwrap().len(),
        1,
        "bounds are inclusive"
    );
    assert_eq!(listed(0, 4_999, 10).await.unwrap(), vec![]);
    assert_eq!(
        store
            .group_recalls(app, "other".into(), 0, i64::MAX, 10)
            .await
            .unwrap(),
        vec![]
    );
}
