use serde_json::json;

use super::*;

fn push(priority: Priority, n: usize) -> Push {
    Push::new(priority, &json!({ "n": n }))
}

#[test]
fn frames_reach_every_connection_of_a_user_and_no_one_else() {
    let hub = Hub::new();
    let mut phone = hub.connect(1, "alice", "iOS");
    let mut web = hub.connect(1, "alice", "Web");
    let mut bob = hub.connect(1, "bob", "Web");
    let mut other_app = hub.connect(2, "alice", "Web");
    assert!(phone.first && !web.first);
    assert_eq!(
        hub.send_except(1, ["alice"], &push(Priority::Normal, 1), None),
        2
    );
    assert_eq!(&*phone.frames.try_recv().unwrap().frame, r#"{"n":1}"#);
    assert_eq!(&*web.frames.try_recv().unwrap().frame, r#"{"n":1}"#);
    assert!(bob.frames.try_recv().is_err());
    assert!(other_app.frames.try_recv().is_err());
    let mut platforms = hub.platforms(1, "alice");
    platforms.sort();
    assert_eq!(platforms, ["Web", "iOS"]);
}

#[test]
fn a_full_queue_drops_lowest_then_low_then_normal_and_closes_on_high() {
    let hub = Hub::new();
    let mut conn = hub.connect(1, "alice", "Web");
    for n in 0..QUEUE_CAPACITY / 4 {
        assert_eq!(
            hub.send_except(1, ["alice"], &push(Priority::Normal, n), None),
            1
        );
    }
    assert_eq!(
        hub.send_except(1, ["alice"], &push(Priority::Lowest, 0), None),
        0
    );
    assert_eq!(
        hub.send_except(1, ["alice"], &push(Priority::Low, 0), None),
        1
    );
    while QUEUE_CAPACITY - free_slots(&mut conn) < QUEUE_CAPACITY / 2 {
        hub.send_except(1, ["alice"], &push(Priority::Normal, 0), None);
    }
    assert_eq!(
        hub.send_except(1, ["alice"], &push(Priority::Low, 0), None),
        0
    );
    while hub.send_except(1, ["alice"], &push(Priority::High, 0), None) == 1 {}
    // The High frame that found the queue full closed the stream: what was queued arrives,
    // then the stream ends, and the session's end removes the connection.
    let mut received = 0;
    while conn.frames.try_recv().is_ok() {
        received += 1;
    }
    assert_eq!(received, QUEUE_CAPACITY);
    assert!(matches!(
        conn.frames.try_recv(),
        Err(tokio::sync::mpsc::error::TryRecvError::Disconnected)
    ));
    assert_eq!(
        hub.send_except(1, ["alice"], &push(Priority::High, 0), None),
        0
    );
    assert_eq!(hub.disconnect(1, "alice", conn.id), Some(vec![]));
    assert!(!hub.is_online(1, "alice"));
}

/// Slots still free in the connection's queue, measured without taking any frame.
fn free_slots(conn: &mut Registration) -> usize {
    QUEUE_CAPACITY - conn.frames.len()
}

#[test]
fn the_last_connection_going_takes_the_user_out_of_their_rooms() {
    let hub = Hub::new();
    let a = hub.connect(1, "alice", "Web");
    let b = hub.connect(1, "alice", "iOS");
    assert!(hub.enter_room(1, "room", "alice", 10));
    assert!(!hub.enter_room(1, "room", "alice", 10));
    assert!(
        !hub.enter_room(1, "room", "nobody", 10),
        "only connected users"
    );
    assert_eq!(hub.disconnect(1, "alice", a.id), Some(vec![]));
    assert_eq!(hub.room_count(1, "room"), 1);
    assert_eq!(
        hub.disconnect(1, "alice", b.id),
        Some(vec!["room".to_owned()])
    );
    assert_eq!(hub.disconnect(1, "alice", b.id), None);
    assert_eq!(hub.room_count(1, "room"), 0);
    assert!(hub.rooms(1).is_empty());
}

#[test]
fn rooms_list_members_in_join_order_with_their_marks() {
    let hub = Hub::new();
    let _conns: Vec<_> = ["carol", "alice", "bob"]
        .iter()
        .map(|u| hub.connect(1, u, "Web"))
        .collect();
    hub.enter_room(1, "room", "carol", 30);
    hub.enter_room(1, "room", "alice", 10);
    hub.enter_room(1, "room", "bob", 10);
    let offline = hub.change_marks(
        1,
        "room",
        &["bob".into(), "dave".into()],
        &MarkChange::Add(vec![1002, 1001, 1002]),
    );
    assert_eq!(offline, ["dave"]);
    hub.change_marks(1, "room", &["bob".into()], &MarkChange::Remove(vec![1002]));
    let members = hub.room_members(1, "room");
    let order: Vec<_> = members.iter().map(|m| m.account.as_str()).collect();
    assert_eq!(order, ["alice", "bob", "carol"]);
    assert_eq!(members[1].marks, [1001]);
    let bob = &_conns[2];
    assert_eq!(
        hub.disconnect(1, "bob", bob.id),
        Some(vec!["room".to_owned()])
    );
    assert_eq!(hub.room_count(1, "room"), 2);
}

#[tokio::test]
async fn presence_alone_keeps_custom_statuses_until_the_last_connection_and_tells_of_changes() {
    let hub = std::sync::Arc::new(Hub::new());
    let presence = Presence::local(hub, "node".into());
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = heard.clone();
    presence.on_status_change(move |change| listener.lock().unwrap().push(change));
    let change = |online, custom_status: &str, custom_set| StatusChange {
        app: 1,
        user: "alice".into(),
        online,
        custom_status: custom_status.into(),
        custom_set,
    };

    let web = presence.connect(1, "alice", "Web", "").await.registration;
    let phone = presence.connect(1, "alice", "iOS", "").await.registration;
    presence
        .set_custom_status(1, "alice", "away")
        .await
        .unwrap();
    assert_eq!(presence.custom_status(1, "alice"), "away");
    presence.disconnect(1, "alice", web.id).await.unwrap();
    assert_eq!(presence.custom_status(1, "alice"), "away");
    presence.disconnect(1, "alice", phone.id).await.unwrap();
    assert_eq!(presence.custom_status(1, "alice"), "");
    assert_eq!(
        presence.set_custom_status(1, "alice", "back").await,
        Err(StatusNotSet::NotConnected)
    );
    assert_eq!(
        *heard.lock().unwrap(),
        [
            change(true, "", false),
            change(true, "away", true),
            change(false, "", false),
        ]
    );
}
