//! Conformance checks for community topics: their records, messages and read positions apart
//! from the group's, and their removal with the group.

use serde_json::json;

use super::groups::{apply, member, record};
use super::{ids, import};
use crate::{GroupChange, GroupMessage, GroupPlan, GroupQuery, Store, TopicRecord};

pub(super) fn topic(group_id: &str, own: &str, created: i64) -> TopicRecord {
    TopicRecord {
        group_id: group_id.into(),
        topic_id: format!("{group_id}@TOPIC#_{own}"),
        name: format!("topic {own}"),
        introduction: "i".into(),
        notification: "n".into(),
        face_url: "f".into(),
        custom_string: "c".into(),
        creator: "o".into(),
        created,
        mute_all: true,
        next_msg_seq: 1,
        last_msg_time: 0,
        read_floor: 2,
    }
}

/// Topics round-trip, keep their messages and read positions apart from the group's, and
/// disappear with their group.
pub async fn topics_keep_their_own_messages_and_go_with_their_group(store: &dyn Store) {
    let app = 1_400_000_142;
    let gid = "@TGS#_c1";
    store
        .import_accounts(app, vec![import("o", vec![]), import("m", vec![])], 1)
        .await
        .unwrap();
    let t1 = topic(gid, "one", 20);
    let mut t2 = topic(gid, "two", 10);
    t2.mute_all = false;
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::PutGroup(Box::new(record(gid, "Community"))),
            GroupChange::PutMember(member("o", "Owner", 100)),
            GroupChange::PutMember(member("m", "Member", 100)),
            GroupChange::PutTopic(Box::new(t1.clone())),
            GroupChange::PutTopic(Box::new(t2.clone())),
        ],
    )
    .await;
    let in_topic = GroupMessage {
        seq: 1,
        random: 9,
        from: "m".into(),
        time: 300,
        body: "[]".into(),
        priority: 2,
        topic_id: t1.topic_id.clone(),
        ..GroupMessage::default()
    };
    let mut t1_after = t1.clone();
    t1_after.next_msg_seq = 2;
    t1_after.last_msg_time = 300;
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::AddMessage(in_topic.clone()),
            GroupChange::PutTopic(Box::new(t1_after.clone())),
            GroupChange::ReadTopicUpTo {
                topic_id: t1.topic_id.clone(),
                member: "m".into(),
                seq: 1,
            },
            // Read positions never move back.
            GroupChange::ReadTopicUpTo {
                topic_id: t1.topic_id.clone(),
                member: "m".into(),
                seq: 0,
            },
        ],
    )
    .await;
    // Another community's topic, which this group's snapshots must not see.
    let elsewhere = topic("@TGS#_c2", "x", 5);
    apply(
        store,
        app,
        "@TGS#_c2",
        vec![
            GroupChange::PutGroup(Box::new(record("@TGS#_c2", "Community"))),
            GroupChange::PutTopic(Box::new(elsewhere.clone())),
        ],
    )
    .await;
    let query = GroupQuery {
        accounts: ids(&["m", "o"]),
        duplicate_of: Some(("m".into(), 9, 0)),
        messages: vec![1],
        topic: Some(t1.topic_id.clone()),
        topics: vec![t2.topic_id.clone(), elsewhere.topic_id.clone()],
        count_topics: true,
        bans: false,
        applications: false,
    };
    let snap = store
        .group_snapshot(app, gid.into(), query.clone())
        .await
        .unwrap();
    assert_eq!(snap.topic_count, 2);
    assert_eq!(snap.topics.len(), 2, "only this group's named topics");
    assert_eq!(
        snap.topics[&t1.topic_id], t1_after,
        "the topic row round-trips"
    );
    assert_eq!(snap.topics[&t2.topic_id], t2);
    assert_eq!(snap.messages.get(&1), Some(&in_topic), "found in the topic");
    assert_eq!(snap.duplicate.as_ref(), Some(&in_topic));
    assert_eq!(
        snap.topic_reads,
        [("m".to_owned(), 1)].into_iter().collect()
    );
    let edit_snap = store
        .edit_group(app, gid.into(), query, 1, move |s| GroupPlan {
            reply: json!(s == &snap),
            ..GroupPlan::default()
        })
        .await
        .unwrap();
    assert_eq!(edit_snap.reply, json!(true), "a read snapshot is an edit's");

    let listed = store.topics(app, gid.into()).await.unwrap();
    assert_eq!(listed, vec![t2.clone(), t1_after.clone()], "creation order");
    assert_eq!(
        store
            .topic_reads(app, gid.into(), "m".into())
            .await
            .unwrap(),
        vec![(t1.topic_id.clone(), 1)]
    );
    let history = store
        .group_history(app, t1.topic_id.clone(), u64::MAX, 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(store
        .group_history(app, gid.into(), u64::MAX, 10)
        .await
        .unwrap()
        .is_empty());

    apply(
        store,
        app,
        gid,
        vec![GroupChange::RecallMessage {
            topic_id: t1.topic_id.clone(),
            seq: 1,
            recalled_ms: 1_000,
            revoker: "o".into(),
        }],
    )
    .await;
    let history = store
        .group_history(app, t1.topic_id.clone(), u64::MAX, 10)
        .await
        .unwrap();
    assert!(history[0].recalled, "recalled in the topic");
    apply(
        store,
        app,
        gid,
        vec![GroupChange::DeleteMessagesBy("m".into())],
    )
    .await;
    let history = store
        .group_history(app, t1.topic_id.clone(), u64::MAX, 10)
        .await
        .unwrap();
    assert!(
        history[0].deleted,
        "deleting a sender's messages reaches topics"
    );

    // A topic goes with its messages and read positions.
    apply(
        store,
        app,
        gid,
        vec![
            GroupChange::AddMessage(GroupMessage {
                topic_id: t2.topic_id.clone(),
                ..in_topic.clone()
            }),
            GroupChange::ReadTopicUpTo {
                topic_id: t2.topic_id.clone(),
                member: "o".into(),
                seq: 1,
            },
        ],
    )
    .await;
    apply(
        store,
        app,
        gid,
        vec![GroupChange::DeleteTopic(t2.topic_id.clone())],
    )
    .await;
    assert!(store
        .group_history(app, t2.topic_id.clone(), u64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .topic_reads(app, gid.into(), "o".into())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.topics(app, gid.into()).await.unwrap(),
        vec![t1_after.clone()]
    );
    apply(store, app, gid, vec![GroupChange::DeleteMember("m".into())]).await;
    assert!(
        store
            .topic_reads(app, gid.into(), "m".into())
            .await
            .unwrap()
            .is_empty(),
        "a member who leaves takes their read positions along"
    );
    apply(store, app, gid, vec![GroupChange::DeleteGroup]).await;
    assert!(store.topics(app, gid.into()).await.unwrap().is_empty());
    assert!(store
        .topic_reads(app, gid.into(), "m".into())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .group_history(app, t1.topic_id.clone(), u64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
}
