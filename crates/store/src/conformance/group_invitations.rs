//! Conformance checks for invitations waiting for approval and members' cleared group
//! histories (migration 29).

use super::groups::{apply, member, record};
use crate::{GroupChange, GroupQuery, JoinApplication, Store};

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
