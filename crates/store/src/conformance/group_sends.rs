//! Conformance checks for `send_group_message`: refusals in order, sequences, the sender's and
//! the group's rows, topics, online-only and live-room messages, and the outbox.

use std::sync::Arc;

use super::groups::{apply, member, record};
use super::import;
use super::outbox::{claim_all, drain, event};
use super::topics::topic;
use crate::{
    GroupChange, GroupMessage, GroupQuery, GroupSendOutcome, GroupSendRecord, OutboxTemplate, Store,
};

fn send(group: &str, from: &str, random: u32, now: i64) -> GroupSendRecord {
    GroupSendRecord {
        group_id: group.into(),
        group_type: "Public".into(),
        message: GroupMessage {
            random,
            from: from.into(),
            time: now,
            body: format!(
                "[{{\"MsgType\":\"TIMTextElem\",\"MsgContent\":{{\"Text\":\"{random}\"}}}}]"
            ),
            priority: 2,
            ..GroupMessage::default()
        },
        online_only: false,
        keeps_history: true,
        now,
        duplicate_since: now - 300,
        moves_last_message: true,
        outbox: Vec::new(),
        now_ms: now * 1000,
    }
}

fn seq_template(key: &str) -> OutboxTemplate {
    OutboxTemplate {
        event: event("Group.CallbackAfterSendMsg", key, "{\"MsgSeq\":"),
        rest: Some("}".into()),
    }
}

async fn sent(store: &dyn Store, app: u64, record: GroupSendRecord) -> GroupSendOutcome {
    store.send_group_message(app, record).await.unwrap()
}

pub async fn group_sends_refuse_in_order_and_take_sequences(store: &dyn Store) {
    let app = 1_400_000_150;
    drain(store, 1_000_000).await;
    let accounts = ["o", "m", "x"].map(|a| import(a, vec![])).to_vec();
    store.import_accounts(app, accounts, 1).await.unwrap();
    let mut muted = member("m", "Member", 2);
    muted.muted_until = 1_000;
    let in_topic = topic("g", "t", 3);
    let topic_id = in_topic.topic_id.clone();
    let mut group = record("g", "Public");
    group.member_count = 2;
    apply(
        store,
        app,
        "g",
        vec![
            GroupChange::PutGroup(Box::new(group)),
            GroupChange::PutMember(member("o", "Owner", 1)),
            GroupChange::PutMember(muted),
            GroupChange::PutTopic(Box::new(in_topic)),
        ],
    )
    .await;

    // Refusals, in this order: group, type, topic, duplicate (below), sender, mute.
    assert_eq!(
        sent(store, app, send("nope", "ghost", 1, 500)).await,
        GroupSendOutcome::NoGroup
    );
    let mut other_type = send("g", "ghost", 1, 500);
    other_type.group_type = "Work".into();
    other_type.message.topic_id = "g@TOPIC#_none".into();
    assert_eq!(
        sent(store, app, other_type).await,
        GroupSendOutcome::OtherType,
        "a send decided on another type of group than the stored one"
    );
    let mut elsewhere = send("g", "ghost", 1, 500);
    elsewhere.message.topic_id = "g@TOPIC#_none".into();
    assert_eq!(sent(store, app, elsewhere).await, GroupSendOutcome::NoTopic);
    assert_eq!(
        sent(store, app, send("g", "ghost", 1, 500)).await,
        GroupSendOutcome::NoSender
    );
    assert_eq!(
        sent(store, app, send("g", "m", 1, 500)).await,
        GroupSendOutcome::Muted
    );
    assert!(
        claim_all(store, 1_000_000).await.is_empty(),
        "refused: no outbox row"
    );

    // Stored with the next MsgSeq, the template filled with it; the sender has read it.
    let mut first = send("g", "o", 7, 500);
    first.outbox = vec![seq_template("k1")];
    assert_eq!(
        sent(store, app, first).await,
        GroupSendOutcome::Stored {
            seq: 1,
            member_count: 2
        }
    );
    assert_eq!(
        claim_all(store, 1_000_000).await,
        vec![(app, "{\"MsgSeq\":1}".to_owned())]
    );
    drain(store, 10_000_000).await;
    let mut again = send("g", "o", 7, 600);
    again.outbox = vec![seq_template("k2")];
    assert_eq!(
        sent(store, app, again).await,
        GroupSendOutcome::Duplicate { seq: 1, time: 500 },
        "the same Random within the window is the first message"
    );
    assert!(
        claim_all(store, 1_000_000).await.is_empty(),
        "duplicate: no outbox row"
    );
    // A sender who is not a member sends (the caller decides who may) and gets no member row.
    assert_eq!(
        sent(store, app, send("g", "x", 8, 600)).await,
        GroupSendOutcome::Stored {
            seq: 2,
            member_count: 2
        }
    );
    // Online only: no MsgSeq, nothing stored, the group's next MsgSeq unchanged.
    let mut online = send("g", "o", 9, 700);
    online.online_only = true;
    assert_eq!(
        sent(store, app, online).await,
        GroupSendOutcome::Stored {
            seq: 0,
            member_count: 2
        }
    );
    // NoLastMsg: the group's last-message time stays.
    let mut quiet = send("g", "o", 10, 800);
    quiet.moves_last_message = false;
    assert_eq!(
        sent(store, app, quiet).await,
        GroupSendOutcome::Stored {
            seq: 3,
            member_count: 2
        }
    );
    let history = store
        .group_history(app, "g".into(), u64::MAX, 10)
        .await
        .unwrap();
    let seen: Vec<(u64, &str, i64)> = history
        .iter()
        .map(|m| (m.seq, m.from.as_str(), m.time))
        .collect();
    assert_eq!(seen, vec![(3, "o", 800), (2, "x", 600), (1, "o", 500)]);
    let snap = store
        .group_snapshot(
            app,
            "g".into(),
            GroupQuery::accounts(vec!["o".into(), "x".into()]),
        )
        .await
        .unwrap();
    let group = snap.group.unwrap();
    assert_eq!((group.next_msg_seq, group.last_msg_time), (4, 700));
    let owner = &snap.members["o"];
    assert_eq!((owner.read_seq, owner.last_send_time), (3, 800));
    assert!(!snap.members.contains_key("x"));

    // A topic takes its own sequence; the sender's read position there moves.
    let mut in_topic = send("g", "o", 11, 900);
    in_topic.message.topic_id = topic_id.clone();
    assert_eq!(
        sent(store, app, in_topic).await,
        GroupSendOutcome::Stored {
            seq: 1,
            member_count: 2
        }
    );
    let query = GroupQuery {
        accounts: vec!["o".into()],
        topic: Some(topic_id.clone()),
        ..GroupQuery::default()
    };
    let snap = store.group_snapshot(app, "g".into(), query).await.unwrap();
    assert_eq!(snap.topics[&topic_id].next_msg_seq, 2);
    assert_eq!(snap.topics[&topic_id].last_msg_time, 900);
    assert_eq!(snap.topic_reads.get("o"), Some(&1));
    assert_eq!(
        snap.group.unwrap().next_msg_seq,
        4,
        "the group's own sequence stays"
    );
    let topic_history = store
        .group_history(app, topic_id, u64::MAX, 10)
        .await
        .unwrap();
    assert_eq!(topic_history.len(), 1);

    // A live room keeps no history but still numbers its messages.
    apply(
        store,
        app,
        "live",
        vec![GroupChange::PutGroup(Box::new(record(
            "live",
            "AVChatRoom",
        )))],
    )
    .await;
    let mut live = send("live", "o", 12, 900);
    live.group_type = "AVChatRoom".into();
    live.keeps_history = false;
    assert_eq!(
        sent(store, app, live).await,
        GroupSendOutcome::Stored {
            seq: 1,
            member_count: 1
        }
    );
    assert!(store
        .group_history(app, "live".into(), u64::MAX, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn concurrent_group_sends_take_every_sequence_once(store: Arc<dyn Store>) {
    let app = 1_400_000_151;
    store
        .import_accounts(app, vec![import("o", vec![])], 1)
        .await
        .unwrap();
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
                    .send_group_message(app, send("busy", "o", i, 500))
                    .await
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            GroupSendOutcome::Stored { seq, .. } => seqs.push(seq),
            other => panic!("not stored: {other:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=30).collect::<Vec<u64>>());
}
