//! Conformance checks for group messages a member deleted for themselves.

use super::groups::{apply, member, record};
use super::import;
use super::topics::topic;
use crate::{GroupChange, MemberStream, Store};

fn stream(group: &str, topic: &str, member: &str) -> MemberStream {
    (group.into(), topic.into(), member.into())
}

pub async fn hidden_messages_are_per_member_and_stream_and_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_531;
    let gid = "@TGS#_h1";
    store
        .import_accounts(app, vec![import("o", vec![]), import("m", vec![])], 1)
        .await
        .unwrap();
    let t = topic(gid, "one", 20);
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::PutGroup(Box::new(record(gid, "Community"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutMember(member("m", "Member", 100)),
            GroupChange::PutTopic(Box::new(t.clone())),
        ],
    )
    .await;
    let own = || stream(gid, "", "m");
    assert_eq!(
        store
            .hide_group_messages(app, own(), vec![7, 3, 9])
            .await
            .unwrap(),
        3
    );
    // Deleted again: counted once.
    assert_eq!(
        store
            .hide_group_messages(app, own(), vec![3, 4])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .hide_group_messages(app, stream(gid, &t.topic_id, "m"), vec![3])
            .await
            .unwrap(),
        1
    );
    let hidden = |stream: MemberStream, low: u64, high: u64| async move {
        store
            .hidden_group_messages(app, stream, low, high)
            .await
            .unwrap()
    };
    assert_eq!(hidden(own(), 0, u64::MAX).await, vec![3, 4, 7, 9]);
    assert_eq!(
        hidden(own(), 4, 8).await,
        vec![4, 7],
        "bounds are inclusive"
    );
    // The other member, and the topic, are apart.
    assert!(hidden(stream(gid, "", "o"), 0, u64::MAX).await.is_empty());
    assert_eq!(
        hidden(stream(gid, &t.topic_id, "m"), 0, u64::MAX).await,
        vec![3]
    );
    // Another app never sees them.
    assert!(store
        .hidden_group_messages(app + 1, own(), 0, u64::MAX)
        .await
        .unwrap()
        .is_empty());
    // A deleted topic takes its rows; a deleted group all of them.
    apply(
        store,
        app,
        gid,
        vec![GroupChange::DeleteTopic(t.topic_id.clone())],
    )
    .await;
    assert!(hidden(stream(gid, &t.topic_id, "m"), 0, u64::MAX)
        .await
        .is_empty());
    assert_eq!(hidden(own(), 0, u64::MAX).await, vec![3, 4, 7, 9]);
    apply(store, app, gid, vec![GroupChange::DeleteGroup]).await;
    assert!(hidden(own(), 0, u64::MAX).await.is_empty());
}
