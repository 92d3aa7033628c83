//! Clients connected over `/ws` in live rooms: AVChatRoom presence (online count, online
//! member list, marks, `Group.CallbackOnMemberStateChange`), system notifications and
//! broadcasts.

use serde_json::json;

use crate::client::Client;
use crate::harness::*;
use crate::live::*;
use crate::messages::import;
use crate::on_both_engines;

on_both_engines!(
    live_rooms_count_list_and_mark_members_online,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        import(&server, &["u1", "u2", "u3"]).await;
        server
            .ok(
                "profile/portrait_set",
                json!({"From_Account": "u1", "ProfileItem": [
                {"Tag": "Tag_Profile_IM_Nick", "Value": "One"},
                {"Tag": "Tag_Profile_IM_Image", "Value": "https://x/1.png"}]}),
            )
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "AVChatRoom", "Name": "live", "GroupId": "live"}),
            )
            .await;
        server
            .ok(
                CREATE,
                json!({"Type": "Public", "Name": "pub", "GroupId": "pub", "Owner_Account": "u1"}),
            )
            .await;
        let count = |n: u64| {
            let server = &server;
            async move {
                let got = server.ok(COUNT, json!({"GroupId": "live"})).await;
                assert_eq!(got["OnlineMemberNum"], n);
            }
        };
        count(0).await;

        let mut u1 = Client::login(&server, "u1", "Web").await;
        let u2 = Client::login(&server, "u2", "iOS").await;
        let mut u2 = u2;
        u1.ok("join_group", json!({"GroupId": "live"})).await;
        u2.ok("join_group", json!({"GroupId": "live"})).await;
        count(2).await;
        let got = receiver.wait_for(MEMBER_STATE, 2).await;
        let mut seen = member_states(&got);
        seen.sort();
        assert_eq!(
            seen,
            [
                ("u1".to_owned(), "Online".to_owned(), "Join".to_owned()),
                ("u2".into(), "Online".into(), "Join".into())
            ]
        );
        // Documented quirk: no ClientIP and no OptPlatform in this callback's URL.
        assert!(!got[0].query.contains_key("ClientIP"));
        assert!(!got[0].query.contains_key("OptPlatform"));
        assert_eq!(got[0].body["GroupId"], "live");

        let list = server
            .ok(ONLINE, json!({"GroupId": "live", "Timestamp": 0}))
            .await;
        assert_eq!(list["NextTimestamp"], 0);
        let members = list["MemberList"].as_array().unwrap();
        let mut names: Vec<&str> = members
            .iter()
            .map(|m| m["Member_Account"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["u1", "u2"]);
        let one = members
            .iter()
            .find(|m| m["Member_Account"] == "u1")
            .unwrap();
        assert_eq!(
            (&one["NickName"], &one["Avatar"]),
            (&json!("One"), &json!("https://x/1.png"))
        );
        assert!(one["JoinTime"].as_i64().unwrap() > 1_600_000_000);

        // Marks: only members online now; set, filter by, delete.
        let marked = server
            .ok(
                MARKS,
                json!({"GroupId": "live", "CommandType": 1, "MemberList": [
                {"Member_Account": "u1", "Marks": [1000, 1001]},
                {"Member_Account": "u3", "Marks": [1000]}]}),
            )
            .await;
        assert_eq!(marked["CommandType"], 1);
        assert_eq!(
            marked["MemberList"],
            json!([{"Member_Account": "u1", "Marks": [1000, 1001]}])
        );
        let with_mark = server
            .ok(
                ONLINE,
                json!({"GroupId": "live", "Timestamp": 0, "Mark": 1000}),
            )
            .await;
        assert_eq!(with_mark["MemberList"].as_array().unwrap().len(), 1);
        assert_eq!(with_mark["MemberList"][0]["Member_Account"], "u1");
        server
            .ok(
                MARKS,
                json!({"GroupId": "live", "CommandType": 2, "MemberList": [
                {"Member_Account": "u1", "Marks": [1000]}]}),
            )
            .await;
        let with_mark = server
            .ok(
                ONLINE,
                json!({"GroupId": "live", "Timestamp": 0, "Mark": 1000}),
            )
            .await;
        assert_eq!(with_mark["MemberList"], json!([]));
        let still = server
            .ok(
                ONLINE,
                json!({"GroupId": "live", "Timestamp": 0, "Mark": 1001}),
            )
            .await;
        assert_eq!(still["MemberList"].as_array().unwrap().len(), 1);
        server
            .fails(
                MARKS,
                json!({"GroupId": "live", "CommandType": 1, "MemberList": [
                {"Member_Account": "u1", "Marks": [999]}]}),
                10004,
            )
            .await;
        server
            .fails(
                MARKS,
                json!({"GroupId": "live", "CommandType": 3, "MemberList": [
                {"Member_Account": "u1", "Marks": [1000]}]}),
                10004,
            )
            .await;
        let eleven: Vec<u64> = (2000..2011).collect();
        server
            .fails(
                MARKS,
                json!({"GroupId": "live", "CommandType": 1, "MemberList": [
                {"Member_Account": "u1", "Marks": eleven}]}),
                10004,
            )
            .await;
        server
            .fails(
                MARKS,
                json!({"GroupId": "pub", "CommandType": 1, "MemberList": [
                {"Member_Account": "u1", "Marks": [1000]}]}),
                10007,
            )
            .await;

        // Messages in a live room reach those online in it.
        let sent = server
            .ok(SEND, json!({"GroupId": "live", "From_Account": "u3", "Random": 1, "MsgBody": text("hi room")}))
            .await;
        for client in [&mut u1, &mut u2] {
            let event = client.event().await;
            assert_eq!(
                (&event["GroupId"], &event["MsgSeq"]),
                (&json!("live"), &sent["MsgSeq"])
            );
        }

        // A lost link: offline, marks gone; back at the next login.
        u2.drop_link().await;
        let got = receiver.wait_for(MEMBER_STATE, 3).await;
        assert_eq!(
            member_states(&got[2..]),
            [(
                "u2".to_owned(),
                "Offline".to_owned(),
                "HeartbeatInterrupt".to_owned()
            )]
        );
        count(1).await;
        let mut u2 = Client::login(&server, "u2", "Android").await;
        let got = receiver.wait_for(MEMBER_STATE, 4).await;
        assert_eq!(
            member_states(&got[3..]),
            [(
                "u2".to_owned(),
                "Online".to_owned(),
                "HeartbeatRecover".to_owned()
            )]
        );
        count(2).await;

        // Quitting and being banned take members out for good.
        u1.ok("quit_group", json!({"GroupId": "live"})).await;
        let got = receiver.wait_for(MEMBER_STATE, 5).await;
        assert_eq!(
            member_states(&got[4..]),
            [("u1".to_owned(), "Offline".to_owned(), "Quit".to_owned())]
        );
        server
            .ok(
                BAN,
                json!({"GroupId": "live", "Members_Account": ["u2"], "Duration": 60}),
            )
            .await;
        let got = receiver.wait_for(MEMBER_STATE, 6).await;
        assert_eq!(
            member_states(&got[5..]),
            [("u2".to_owned(), "Offline".to_owned(), "Quit".to_owned())]
        );
        count(0).await;
        let reply = u2.request("join_group", json!({"GroupId": "live"})).await;
        assert_eq!(reply["ErrorCode"], 10007, "banned: {reply}");
        u2.no_event().await;

        // Only live groups have an online count; communities have an online list too.
        server.fails(COUNT, json!({"GroupId": "pub"}), 10007).await;
        server
            .fails(COUNT, json!({"GroupId": "nowhere"}), 10010)
            .await;
        server
            .fails(ONLINE, json!({"GroupId": "pub", "Timestamp": 0}), 10007)
            .await;
        server
            .ok(CREATE, json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_c", "Owner_Account": "u1",
                "MemberList": [{"Member_Account": "u3"}]}))
            .await;
        let community = server
            .ok(ONLINE, json!({"GroupId": "@TGS#_c", "Timestamp": 0}))
            .await;
        assert_eq!(
            community["MemberList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["Member_Account"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["u1"],
            "u1 is connected, u3 is not"
        );
    }
);

on_both_engines!(
    system_notifications_and_broadcasts_reach_clients_online,
    |server: TestServer| async move {
        import(&server, &["alice", "bob", "u1", "u2"]).await;
        server
            .ok(CREATE, json!({"Type": "Public", "Name": "team", "GroupId": "team", "Owner_Account": "alice",
                "MemberList": [{"Member_Account": "bob"}]}))
            .await;
        for room in ["roomA", "roomB"] {
            server
                .ok(
                    CREATE,
                    json!({"Type": "AVChatRoom", "Name": room, "GroupId": room}),
                )
                .await;
        }
        let mut alice = Client::login(&server, "alice", "Web").await;
        let mut bob = Client::login(&server, "bob", "Web").await;
        let mut u1 = Client::login(&server, "u1", "Web").await;
        let mut u2 = Client::login(&server, "u2", "Web").await;
        u1.ok("join_group", json!({"GroupId": "roomA"})).await;
        u2.ok("join_group", json!({"GroupId": "roomB"})).await;

        server
            .ok(NOTIFY, json!({"GroupId": "team", "Content": "to all"}))
            .await;
        for client in [&mut alice, &mut bob] {
            let event = client.event().await;
            assert_eq!(
                event,
                json!({"Event": "GroupSystemNotification", "GroupId": "team", "Content": "to all"})
            );
        }
        server
            .ok(
                NOTIFY,
                json!({"GroupId": "team", "Content": "to bob", "ToMembers_Account": ["bob", "u1"]}),
            )
            .await;
        assert_eq!(bob.event().await["Content"], "to bob");
        alice.no_event().await;
        u1.no_event().await;
        server
            .fails(
                NOTIFY,
                json!({"GroupId": "roomA", "Content": "x", "ToMembers_Account": ["u1"]}),
                10004,
            )
            .await;
        server
            .ok(NOTIFY, json!({"GroupId": "roomA", "Content": "room"}))
            .await;
        assert_eq!(u1.event().await["Content"], "room");
        u2.no_event().await;
        server
            .fails(NOTIFY, json!({"GroupId": "nowhere", "Content": "x"}), 10010)
            .await;
        // Into a topic of a community: the topic must be one of its own.
        server
            .ok(
                CREATE,
                json!({"Type": "Community", "Name": "c", "GroupId": "@TGS#_n", "SupportTopic": 1,
                "Owner_Account": "alice"}),
            )
            .await;
        let topic = server
            .ok(
                "million_group_open_http_svc/create_topic",
                json!({"GroupId": "@TGS#_n", "TopicName": "t"}),
            )
            .await["TopicId"]
            .clone();
        // The owner hears of the new topic first.
        let created = alice.event().await;
        assert_eq!(
            (&created["Event"], &created["TopicId"]),
            (&json!("TopicChange"), &topic)
        );
        server
            .ok(
                NOTIFY,
                json!({"GroupId": "@TGS#_n", "TopicId": topic, "Content": "in topic"}),
            )
            .await;
        let event = alice.event().await;
        assert_eq!(
            (&event["TopicId"], &event["Content"]),
            (&topic, &json!("in topic"))
        );
        server
            .fails(
                NOTIFY,
                json!({"GroupId": "@TGS#_n", "TopicId": "@TGS#_n@TOPIC#_nope", "Content": "x"}),
                110003,
            )
            .await;
        server
            .fails(
                NOTIFY,
                json!({"GroupId": "team", "TopicId": "t", "Content": "x"}),
                11000,
            )
            .await;
        let many: Vec<String> = (0..501).map(|i| format!("m{i}")).collect();
        server
            .fails(
                NOTIFY,
                json!({"GroupId": "team", "Content": "x", "ToMembers_Account": many}),
                10004,
            )
            .await;

        let sent = server
            .ok(
                BROADCAST,
                json!({"From_Account": "alice", "Random": 5, "MsgBody": text("to every room")}),
            )
            .await;
        let seq = sent["MsgSeq"].as_u64().unwrap();
        // A 32-bit sequence like every other `MsgSeq` (typed SDKs reject a millisecond stamp).
        assert!(seq > 0 && seq <= u64::from(u32::MAX), "{sent}");
        for (client, room) in [(&mut u1, "roomA"), (&mut u2, "roomB")] {
            let event = client.event().await;
            assert_eq!(event["GroupId"], room);
            assert_eq!(event["IsBroadcast"], 1);
            assert_eq!(event["MsgSeq"], seq);
            assert_eq!(event["MsgBody"], text("to every room"));
        }
        alice.no_event().await;
        // One broadcast per second by default, refused with the documented 10023 (the clock
        // stands still, so both calls fall in one second).
        server.clock.freeze(server.clock.now_ms() + 5_000);
        server
            .ok(BROADCAST, json!({"Random": 6, "MsgBody": text("again")}))
            .await;
        server
            .fails(
                BROADCAST,
                json!({"Random": 7, "MsgBody": text("again")}),
                10023,
            )
            .await;
        // The next second has room for one more call, refused for its unknown sender.
        server.clock.advance_ms(1_000);
        server
            .fails(
                BROADCAST,
                json!({"From_Account": "ghost", "Random": 1, "MsgBody": text("x")}),
                10019,
            )
            .await;
    }
);
