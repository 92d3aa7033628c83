//! Communities and their topics (`million_group_open_http_svc`, `import_topic`, topic messages,
//! the `Next` member cursor) with a webhook receiver; `Group.CallbackAfterTopicInfoChanged`
//! exactly as the seed page (1047/49466) describes it.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::messages::import;
use crate::on_both_engines;
use crate::receiver::Answer;

const CREATE_GROUP: &str = "group_open_http_svc/create_group";
const DESTROY_GROUP: &str = "group_open_http_svc/destroy_group";
const MEMBERS: &str = "group_open_http_svc/get_group_member_info";
const SEND: &str = "group_open_http_svc/send_group_msg";
const HISTORY: &str = "group_open_http_svc/group_msg_get_simple";
const RECALL: &str = "group_open_http_svc/group_msg_recall";
const CREATE: &str = "million_group_open_http_svc/create_topic";
const DESTROY: &str = "million_group_open_http_svc/destroy_topic";
const GET: &str = "million_group_open_http_svc/get_topic";
const MODIFY: &str = "million_group_open_http_svc/modify_topic";
const IMPORT: &str = "group_open_http_svc/import_topic";

const BEFORE_CREATE: &str = "Group.CallbackBeforeCreateTopic";
const AFTER_CREATE: &str = "Group.CallbackAfterCreateTopic";
const AFTER_DESTROYED: &str = "Group.CallbackAfterTopicDestroyed";
const INFO_CHANGED: &str = "Group.CallbackAfterTopicInfoChanged";

const COMMUNITY: &str = "@TGS#_club";

/// A topic-enabled community owned by `boss` with `ann` and `bob`.
async fn community(server: &TestServer) {
    import(server, &["boss", "ann", "bob"]).await;
    server
        .ok(
            CREATE_GROUP,
            json!({"Type": "Community", "Name": "club", "GroupId": COMMUNITY, "SupportTopic": 1,
                "Owner_Account": "boss",
                "MemberList": [{"Member_Account": "ann"}, {"Member_Account": "bob"}]}),
        )
        .await;
}

fn topic_id(own: &str) -> String {
    format!("{COMMUNITY}@TOPIC#_{own}")
}

async fn create_topic(server: &TestServer, own: &str) -> String {
    let reply = server
        .ok(
            CREATE,
            json!({"GroupId": COMMUNITY, "TopicId": topic_id(own), "TopicName": own}),
        )
        .await;
    reply["TopicId"].as_str().unwrap().to_owned()
}

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

async fn send(server: &TestServer, topic: Option<&str>, from: &str, random: u32) -> u64 {
    let mut body = json!({"GroupId": COMMUNITY, "From_Account": from, "Random": random, "MsgBody": text("hi")});
    if let Some(topic) = topic {
        body["TopicId"] = topic.into();
    }
    server.ok(SEND, body).await["MsgSeq"].as_u64().unwrap()
}

async fn topic_info(server: &TestServer, id: &str, from: Option<&str>) -> Value {
    let mut body = json!({"GroupId": COMMUNITY, "TopicIdList": [id]});
    if let Some(from) = from {
        body["From_Account"] = from.into();
    }
    let reply = server.ok(GET, body).await;
    reply["TopicAndSelfInfo"][0].clone()
}

on_both_engines!(
    topics_are_created_read_and_destroyed,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        community(&server).await;
        let generated = server
            .ok(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicName": "general", "From_Account": "ann",
                    "CustomString": "cs", "FaceUrl": "http://f", "Notification": "n", "Introduction": "i"}),
            )
            .await["TopicId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            generated.starts_with(&format!("{COMMUNITY}@TOPIC#_@TOPIC#")),
            "{generated}"
        );
        let before = receiver.wait_for(BEFORE_CREATE, 1).await;
        assert_eq!(
            before[0].body,
            json!({"CallbackCommand": BEFORE_CREATE, "GroupId": COMMUNITY,
                "Operator_Account": "ann", "Type": "Community", "Name": "general"})
        );
        let after = receiver.wait_for(AFTER_CREATE, 1).await;
        assert_eq!(
            after[0].body,
            json!({"CallbackCommand": AFTER_CREATE, "GroupId": COMMUNITY, "TopicId": generated,
                "Operator_Account": "ann", "Owner_Account": "boss", "Type": "Community",
                "Name": "general", "UserDefinedDataList": []})
        );
        let custom = create_topic(&server, "news").await;
        assert_eq!(custom, topic_id("news"));

        // The refusals, each with Tencent's code and nothing created.
        import(&server, &["solo"]).await;
        server
            .ok(
                CREATE_GROUP,
                json!({"Type": "Community", "Name": "plain", "GroupId": "@TGS#_plain"}),
            )
            .await;
        server
            .ok(
                CREATE_GROUP,
                json!({"Type": "Public", "Name": "pub", "GroupId": "pub"}),
            )
            .await;
        for group in ["@TGS#_plain", "pub"] {
            server
                .fails(CREATE, json!({"GroupId": group, "TopicName": "t"}), 11000)
                .await;
            server.fails(GET, json!({"GroupId": group}), 11000).await;
        }
        server
            .fails(
                CREATE,
                json!({"GroupId": "@TGS#_none", "TopicName": "t"}),
                10010,
            )
            .await;
        let bad_ids = [
            "elsewhere@TOPIC#_x".to_owned(),
            topic_id(""),
            topic_id("@TOPIC#fake"),
            topic_id("has@TGS#_inside"),
            topic_id(&"x".repeat(90)),
        ];
        for bad in bad_ids {
            server
                .fails(
                    CREATE,
                    json!({"GroupId": COMMUNITY, "TopicId": bad, "TopicName": "t"}),
                    10015,
                )
                .await;
        }
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("news"), "TopicName": "again"}),
                10021,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicName": "x".repeat(31)}),
                10004,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicName": ""}),
                10004,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicName": "t", "CustomString": "x".repeat(3001)}),
                10004,
            )
            .await;
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicName": "t", "From_Account": "ghost"}),
                10019,
            )
            .await;
        server
            .fails(CREATE, json!({"GroupId": COMMUNITY, "TopicName": 5}), 10004)
            .await;

        // All topics in creation order, with the documented fields.
        let all = server.ok(GET, json!({"GroupId": COMMUNITY})).await;
        let items = all["TopicAndSelfInfo"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let first = &items[0];
        assert_eq!(first["ErrorCode"], 0);
        let info = first["TopicInfo"].as_object().unwrap();
        assert_eq!(info["TopicId"], generated.as_str());
        assert_eq!(info["TopicName"], "general");
        assert_eq!(info["GroupID"], COMMUNITY);
        assert_eq!(info["CustomString"], "cs");
        assert_eq!(info["FaceUrl"], "http://f");
        assert_eq!(info["Notification"], "n");
        assert_eq!(info["Introduction"], "i");
        assert_eq!(info["NextMsgSeq"], 1);
        assert_eq!(info["LastMsgTime"], 0);
        assert_eq!(info["ShutUpAllFlag"], 0);
        assert!(info["CreateTime"].as_i64().unwrap() > 1_600_000_000);
        assert!(
            first.get("SelfInfo").is_none(),
            "no From_Account, no SelfInfo"
        );

        let filtered = server
            .ok(
                GET,
                json!({"GroupId": COMMUNITY, "TopicIdList": [custom, "nope"],
                    "ResponseFilter": ["TopicName", "NextMsgSeq"], "From_Account": "bob"}),
            )
            .await;
        let items = filtered["TopicAndSelfInfo"].as_array().unwrap();
        let keys: HashSet<&str> = items[0]["TopicInfo"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, HashSet::from(["TopicId", "TopicName", "NextMsgSeq"]));
        assert_eq!(
            items[0]["SelfInfo"],
            json!({"MsgFlag": "AcceptAndNotify", "MsgSeq": 0, "ShutUpTime": 0})
        );
        assert_eq!(items[1]["ErrorCode"], 110003, "{}", items[1]);
        assert_eq!(items[1]["TopicInfo"]["TopicId"], "nope");

        // Destroy: a result per topic; the callback names the deleted ones only.
        let destroyed = server
            .ok(
                DESTROY,
                json!({"GroupId": COMMUNITY, "TopicIdList": [custom, "missing"]}),
            )
            .await;
        assert_eq!(
            destroyed["DestroyResultItem"][0],
            json!({"ErrorCode": 0, "ErrorInfo": "ok", "TopicId": custom})
        );
        assert_eq!(destroyed["DestroyResultItem"][1]["ErrorCode"], 110003);
        let gone = receiver.wait_for(AFTER_DESTROYED, 1).await;
        assert_eq!(
            gone[0].body,
            json!({"CallbackCommand": AFTER_DESTROYED, "GroupId": COMMUNITY, "Type": "Community",
                "TopicIdList": [custom]})
        );
        assert_eq!(
            topic_info(&server, &custom, None).await["ErrorCode"],
            110003
        );
        server
            .fails(
                DESTROY,
                json!({"GroupId": COMMUNITY, "TopicIdList": []}),
                10004,
            )
            .await;
        let again = server
            .ok(
                DESTROY,
                json!({"GroupId": COMMUNITY, "TopicIdList": [custom]}),
            )
            .await;
        assert_eq!(again["DestroyResultItem"][0]["ErrorCode"], 110003);
        assert_eq!(receiver.settled_count(&server, AFTER_DESTROYED).await, 1);

        // import_topic: the given creation time, no callbacks.
        let imported = server
            .ok(
                IMPORT,
                json!({"Type": "Community", "GroupId": COMMUNITY, "TopicId": topic_id("old"),
                    "TopicName": "old", "CreateTime": 1_448_357_837}),
            )
            .await;
        assert_eq!(imported["TopicId"], topic_id("old"));
        let old = topic_info(&server, &topic_id("old"), None).await;
        assert_eq!(old["TopicInfo"]["CreateTime"], 1_448_357_837);
        server
            .fails(
                IMPORT,
                json!({"Type": "Public", "GroupId": COMMUNITY, "TopicName": "x"}),
                10004,
            )
            .await;
        server
            .fails(
                IMPORT,
                json!({"GroupId": COMMUNITY, "TopicName": "x", "CreateTime": 4_000_000_000i64}),
                10004,
            )
            .await;
        assert_eq!(receiver.settled_count(&server, AFTER_CREATE).await, 2);

        // Disbanding the community takes its topics along.
        server
            .ok(DESTROY_GROUP, json!({"GroupId": COMMUNITY}))
            .await;
        server
            .fails(GET, json!({"GroupId": COMMUNITY}), 10010)
            .await;
    }
);

on_both_engines!(
    before_create_topic_can_refuse,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        community(&server).await;
        // The community's own callbacks must not take the scripted answers.
        receiver.wait_for("Group.CallbackAfterCreateGroup", 1).await;
        receiver
            .settled_count(&server, "Group.CallbackAfterCreateGroup")
            .await;
        receiver.script([
            Answer::Json(json!({"ActionStatus": "OK", "ErrorCode": 1, "ErrorInfo": "no"})),
            Answer::Json(
                json!({"ActionStatus": "OK", "ErrorCode": 10150, "ErrorInfo": "not today"}),
            ),
        ]);
        let denied = server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("a"), "TopicName": "a"}),
                10016,
            )
            .await;
        assert_eq!(denied["ErrorInfo"], "no");
        let custom = server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("a"), "TopicName": "a"}),
                10150,
            )
            .await;
        assert_eq!(custom["ErrorInfo"], "not today");
        assert_eq!(
            topic_info(&server, &topic_id("a"), None).await["ErrorCode"],
            110003
        );
        assert_eq!(receiver.settled_count(&server, AFTER_CREATE).await, 0);
        // Allowed on the third try.
        create_topic(&server, "a").await;
        receiver.wait_for(AFTER_CREATE, 1).await;
        assert_eq!(receiver.settled_count(&server, BEFORE_CREATE).await, 3);
        // A creation that cannot go ahead is refused without asking the app.
        server
            .fails(
                CREATE,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("a"), "TopicName": "again"}),
                10021,
            )
            .await;
        assert_eq!(receiver.settled_count(&server, BEFORE_CREATE).await, 3);
    }
);

/// The body of every `Group.CallbackAfterTopicInfoChanged` the receiver got, in order.
async fn info_changes(
    server: &TestServer,
    receiver: &crate::receiver::Receiver,
    n: usize,
) -> Vec<Value> {
    let got = receiver.wait_for(INFO_CHANGED, n).await;
    assert_eq!(
        receiver.settled_count(server, INFO_CHANGED).await,
        n,
        "exactly {n}"
    );
    got.into_iter().map(|r| r.body).collect()
}

on_both_engines!(
    topic_info_changed_fires_as_the_seed_page_says,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        community(&server).await;
        let topic = create_topic(&server, "t").await;
        let modify = |fields: Value| {
            let mut body = json!({"GroupId": COMMUNITY, "TopicId": topic});
            body.as_object_mut()
                .unwrap()
                .extend(fields.as_object().unwrap().clone());
            body
        };

        // All four at once: the page's sample, with our TopicId.
        server
            .ok(
                MODIFY,
                modify(
                    json!({"From_Account": "leckie-not-needed", "TopicName": "TestTopic",
                    "Introduction": "TestIntroduction", "Notification": "NewNotification",
                    "FaceUrl": "http://this.is.face.url"}),
                ),
            )
            .await;
        let bodies = info_changes(&server, &receiver, 1).await;
        assert_eq!(
            bodies[0],
            json!({"CallbackCommand": INFO_CHANGED, "GroupId": COMMUNITY, "TopicId": topic,
                "Type": "Community", "Operator_Account": "leckie-not-needed",
                "Name": "TestTopic", "Introduction": "TestIntroduction",
                "Notification": "NewNotification", "FaceUrl": "http://this.is.face.url"})
        );
        let request = &receiver.wait_for(INFO_CHANGED, 1).await[0];
        assert_eq!(
            request.query_order,
            [
                "SdkAppid",
                "CallbackCommand",
                "contenttype",
                "ClientIP",
                "OptPlatform"
            ]
        );
        assert_eq!(request.query["CallbackCommand"], INFO_CHANGED);
        assert_eq!(request.query["SdkAppid"], APP.to_string());
        assert_eq!(request.query["contenttype"], "json");
        assert_eq!(request.query["ClientIP"], "127.0.0.1");
        assert_eq!(request.query["OptPlatform"], "RESTAPI");

        // Each field alone triggers, carrying only itself; the admin operates without
        // From_Account.
        let single = [
            ("TopicName", "Name", "n2"),
            ("Introduction", "Introduction", "i2"),
            ("Notification", "Notification", "no2"),
            ("FaceUrl", "FaceUrl", "http://f2"),
        ];
        for (n, (request_field, callback_field, value)) in single.into_iter().enumerate() {
            server
                .ok(MODIFY, modify(json!({ request_field: value })))
                .await;
            let bodies = info_changes(&server, &receiver, n + 2).await;
            let body = bodies.last().unwrap();
            assert_eq!(
                body,
                &json!({"CallbackCommand": INFO_CHANGED, "GroupId": COMMUNITY, "TopicId": topic,
                    "Type": "Community", "Operator_Account": ADMIN, callback_field: value}),
                "{request_field} alone"
            );
        }

        // Neither other fields nor unchanged values trigger it, though they are stored.
        server
            .ok(
                MODIFY,
                modify(json!({"CustomString": "c2", "MuteAllMember": "On"})),
            )
            .await;
        server
            .ok(
                MODIFY,
                modify(json!({"TopicName": "n2", "FaceUrl": "http://f2"})),
            )
            .await;
        assert_eq!(receiver.settled_count(&server, INFO_CHANGED).await, 5);
        let stored = topic_info(&server, &topic, None).await["TopicInfo"].clone();
        assert_eq!(stored["TopicName"], "n2");
        assert_eq!(stored["CustomString"], "c2");
        assert_eq!(stored["ShutUpAllFlag"], 1);
        assert_eq!(stored["Notification"], "no2");

        // A change made from a client carries its platform; only the owner and admins may.
        let mut ann = Client::login(&server, "ann", "iOS").await;
        let refused = ann
            .request(
                "modify_topic",
                json!({"GroupId": COMMUNITY, "TopicId": topic, "Introduction": "x"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 10007, "{refused}");
        let mut boss = Client::login(&server, "boss", "iOS").await;
        boss.ok(
            "modify_topic",
            json!({"GroupId": COMMUNITY, "TopicId": topic, "Introduction": "from the phone"}),
        )
        .await;
        let got = receiver.wait_for(INFO_CHANGED, 6).await;
        let last = got.last().unwrap();
        assert_eq!(last.query["OptPlatform"], "iOS");
        assert_eq!(last.query["ClientIP"], "127.0.0.1");
        assert_eq!(last.body["Operator_Account"], "boss");
        assert_eq!(last.body["Introduction"], "from the phone");

        // Errors.
        server
            .fails(MODIFY, modify(json!({"MuteAllMember": "Maybe"})), 10004)
            .await;
        server
            .fails(MODIFY, modify(json!({"TopicName": ""})), 10004)
            .await;
        server
            .fails(
                MODIFY,
                modify(json!({"Notification": "x".repeat(301)})),
                10004,
            )
            .await;
        server
            .fails(
                MODIFY,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("nope"), "TopicName": "x"}),
                110003,
            )
            .await;
        assert_eq!(receiver.settled_count(&server, INFO_CHANGED).await, 6);
    }
);

on_both_engines!(
    topic_info_changed_shares_the_group_info_switch,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        community(&server).await;
        let topic = create_topic(&server, "t").await;
        let switches = |commands: Value| json!({"url": receiver.url, "commands": commands});
        // Only the group profile switch: the topic callback comes too.
        server
            .control(
                Method::POST,
                "/_natter/webhooks/config",
                Some(switches(json!(["Group.CallbackAfterGroupInfoChanged"]))),
            )
            .await;
        server
            .ok(
                MODIFY,
                json!({"GroupId": COMMUNITY, "TopicId": topic, "TopicName": "on"}),
            )
            .await;
        receiver.wait_for(INFO_CHANGED, 1).await;
        // Every switch but that one: nothing.
        server
            .control(
                Method::POST,
                "/_natter/webhooks/config",
                Some(switches(json!([
                    "Group.CallbackAfterCreateGroup",
                    "Group.CallbackAfterGroupDestroyed",
                    INFO_CHANGED
                ]))),
            )
            .await;
        server
            .ok(
                MODIFY,
                json!({"GroupId": COMMUNITY, "TopicId": topic, "TopicName": "off"}),
            )
            .await;
        assert_eq!(receiver.settled_count(&server, INFO_CHANGED).await, 1);
    }
);

on_both_engines!(
    each_topic_has_its_own_sequence_history_and_read_state,
    |server: TestServer| async move {
        let receiver = server.webhook_receiver().await;
        community(&server).await;
        let a = create_topic(&server, "a").await;
        let b = create_topic(&server, "b").await;
        assert_eq!(send(&server, Some(&a), "ann", 1).await, 1);
        assert_eq!(send(&server, Some(&a), "bob", 2).await, 2);
        assert_eq!(send(&server, Some(&b), "ann", 3).await, 1);
        assert_eq!(send(&server, None, "ann", 4).await, 1, "the group's own");
        assert_eq!(
            send(&server, Some(&a), "ann", 1).await,
            1,
            "a repeated Random is the same message"
        );

        let info = topic_info(&server, &a, Some("ann")).await;
        assert_eq!(info["TopicInfo"]["NextMsgSeq"], 3);
        assert!(info["TopicInfo"]["LastMsgTime"].as_i64().unwrap() > 0);
        assert_eq!(
            info["SelfInfo"]["MsgSeq"], 1,
            "ann read up to her own message"
        );
        assert_eq!(
            topic_info(&server, &b, None).await["TopicInfo"]["NextMsgSeq"],
            2
        );

        let sent = receiver.wait_for("Group.CallbackAfterSendMsg", 4).await;
        let topics: Vec<&Value> = sent.iter().map(|r| &r.body["TopicId"]).collect();
        assert_eq!(topics, [&json!(a), &json!(a), &json!(b), &Value::Null]);
        let asked = receiver.wait_for("Group.CallbackBeforeSendMsg", 4).await;
        assert_eq!(asked[0].body["TopicId"], a.as_str());

        let history = |topic: Option<&str>| {
            let mut body = json!({"GroupId": COMMUNITY, "ReqMsgNumber": 20});
            if let Some(topic) = topic {
                body["TopicId"] = topic.into();
            }
            body
        };
        let page = server.ok(HISTORY, history(Some(&a))).await;
        let seqs: Vec<u64> = page["RspMsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgSeq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [2, 1]);
        assert_eq!(page["TopicId"], a.as_str());
        let group_page = server.ok(HISTORY, history(None)).await;
        assert_eq!(group_page["RspMsgList"].as_array().unwrap().len(), 1);

        // Recall in a topic leaves the same sequence of the group and of other topics alone.
        let recalled = server
            .ok(
                RECALL,
                json!({"GroupId": COMMUNITY, "TopicId": a, "MsgSeqList": [{"MsgSeq": 1}]}),
            )
            .await;
        assert_eq!(recalled["RecallRetList"][0]["RetCode"], 0);
        let recall_report = receiver.wait_for("Group.CallbackAfterRecallMsg", 1).await;
        assert_eq!(recall_report[0].body["TopicId"], a.as_str());
        let mut with_recalled = history(Some(&a));
        with_recalled["WithRecalledMsg"] = 1.into();
        let page = server.ok(HISTORY, with_recalled).await;
        assert_eq!(page["RspMsgList"][1]["IsPlaceMsg"], 2);
        let b_page = server.ok(HISTORY, history(Some(&b))).await;
        assert_eq!(b_page["RspMsgList"][0]["IsPlaceMsg"], 0);
        let group_page = server.ok(HISTORY, history(None)).await;
        assert_eq!(group_page["RspMsgList"][0]["IsPlaceMsg"], 0);

        // Reading a topic (a client action) moves only that topic's position, never back.
        let mut bob = Client::login(&server, "bob", "Web").await;
        bob.ok(
            "read_topic",
            json!({"GroupId": COMMUNITY, "TopicId": a, "MsgSeq": 99}),
        )
        .await;
        bob.ok(
            "read_topic",
            json!({"GroupId": COMMUNITY, "TopicId": a, "MsgSeq": 1}),
        )
        .await;
        let mut outsider = Client::login(&server, "solo-not-member", "Web").await;
        let err = outsider
            .request(
                "read_topic",
                json!({"GroupId": COMMUNITY, "TopicId": a, "MsgSeq": 1}),
            )
            .await;
        assert_eq!(err["ErrorCode"], 10007);
        let bob = server
            .ok(GET, json!({"GroupId": COMMUNITY, "From_Account": "bob"}))
            .await;
        let read: Vec<(String, u64)> = bob["TopicAndSelfInfo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["TopicInfo"]["TopicId"].as_str().unwrap().to_owned(),
                    i["SelfInfo"]["MsgSeq"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [(a.clone(), 2), (b.clone(), 0)],
            "clamped to the last message"
        );

        // Errors: unknown topic, topics outside a topic-enabled community.
        let unknown = topic_id("nope");
        let mut body =
            json!({"GroupId": COMMUNITY, "From_Account": "ann", "Random": 9, "MsgBody": text("x")});
        body["TopicId"] = unknown.clone().into();
        server.fails(SEND, body, 110003).await;
        server.fails(HISTORY, history(Some(&unknown)), 110003).await;
        server
            .fails(
                RECALL,
                json!({"GroupId": COMMUNITY, "TopicId": unknown, "MsgSeqList": [{"MsgSeq": 1}]}),
                110003,
            )
            .await;
        server
            .ok(
                CREATE_GROUP,
                json!({"Type": "Public", "Name": "pub", "GroupId": "pub", "Owner_Account": "boss"}),
            )
            .await;
        server
            .fails(
                SEND,
                json!({"GroupId": "pub", "TopicId": a, "Random": 1, "MsgBody": text("x")}),
                11000,
            )
            .await;

        // Destroying a topic takes its messages: a new topic with the same ID starts over.
        server
            .ok(DESTROY, json!({"GroupId": COMMUNITY, "TopicIdList": [a]}))
            .await;
        create_topic(&server, "a").await;
        assert!(server.ok(HISTORY, history(Some(&a))).await["RspMsgList"]
            .as_array()
            .unwrap()
            .is_empty());
        assert_eq!(send(&server, Some(&a), "ann", 50).await, 1);
    }
);

on_both_engines!(
    concurrent_topic_sends_take_every_sequence_once,
    |server: TestServer| async move {
        community(&server).await;
        let a = create_topic(&server, "a").await;
        let b = create_topic(&server, "b").await;
        // 30 sends over two topics, from two senders: within the 40 per second of each topic.
        let calls = (0..30u32).map(|i| {
            let topic = if i % 2 == 0 { a.clone() } else { b.clone() };
            let from = if i % 3 == 0 { "ann" } else { "bob" };
            let server = &server;
            async move {
                let seq = send(server, Some(&topic), from, 1000 + i).await;
                (topic, seq)
            }
        });
        let seqs = futures::future::join_all(calls).await;
        for topic in [&a, &b] {
            let mut mine: Vec<u64> = seqs
                .iter()
                .filter(|(t, _)| t == topic)
                .map(|(_, s)| *s)
                .collect();
            mine.sort_unstable();
            assert_eq!(
                mine,
                (1..=15).collect::<Vec<u64>>(),
                "{topic}: 1..N, no gap"
            );
        }
    }
);

on_both_engines!(
    community_members_page_with_next,
    |server: TestServer| async move {
        let ids: Vec<String> = (0..7).map(|i| format!("m{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        import(&server, &refs).await;
        community(&server).await;
        server
            .ok(
                "group_open_http_svc/add_group_member",
                json!({"GroupId": COMMUNITY, "MemberList":
                    ids.iter().map(|m| json!({"Member_Account": m})).collect::<Vec<_>>()}),
            )
            .await;
        let mut seen = Vec::new();
        let mut next = String::new();
        for _ in 0..10 {
            let page = server
                .ok(
                    MEMBERS,
                    json!({"GroupId": COMMUNITY, "Limit": 3, "Next": next}),
                )
                .await;
            assert_eq!(page["MemberNum"], 10);
            for m in page["MemberList"].as_array().unwrap() {
                seen.push(m["Member_Account"].as_str().unwrap().to_owned());
            }
            next = page["Next"].as_str().unwrap().to_owned();
            if next.is_empty() {
                break;
            }
        }
        assert!(next.is_empty(), "the last page says so");
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (10, 10), "{seen:?}");
        // Join order; those who joined in the same second by account.
        assert_eq!(&seen[..3], ["ann", "bob", "boss"]);
        server
            .fails(
                MEMBERS,
                json!({"GroupId": COMMUNITY, "Limit": 3, "Next": "garbage"}),
                10004,
            )
            .await;
        // Anyone may join a community: its join option stays FreeAccess whatever is asked.
        server
            .ok(
                "group_open_http_svc/modify_group_base_info",
                json!({"GroupId": COMMUNITY, "ApplyJoinOption": "NeedPermission"}),
            )
            .await;
        let info = server
            .ok(
                "group_open_http_svc/get_group_info",
                json!({"GroupIdList": [COMMUNITY]}),
            )
            .await;
        assert_eq!(info["GroupInfo"][0]["ApplyJoinOption"], "FreeAccess");
        assert_eq!(info["GroupInfo"][0]["MaxMemberNum"], 100_000);
        // Other types keep Offset and have no Next.
        server
            .ok(
                CREATE_GROUP,
                json!({"Type": "Public", "Name": "pub", "GroupId": "pub", "Owner_Account": "boss"}),
            )
            .await;
        let public = server
            .ok(MEMBERS, json!({"GroupId": "pub", "Limit": 3}))
            .await;
        assert!(public.get("Next").is_none());
    }
);

on_both_engines!(
    messages_import_into_topics_and_arrive_read,
    |server: TestServer| async move {
        const IMPORT_MSG: &str = "group_open_http_svc/import_group_msg";
        community(&server).await;
        let topic = topic_id("old");
        server
            .ok(
                IMPORT,
                json!({"GroupId": COMMUNITY, "TopicId": topic, "TopicName": "old",
                    "CreateTime": 1_600_000_000}),
            )
            .await;
        let item = |time: i64, random: u32| json!({"From_Account": "ann", "SendTime": time, "Random": random, "MsgBody": text("old")});
        let imported = server
            .ok(
                IMPORT_MSG,
                json!({"GroupId": COMMUNITY, "TopicId": topic, "MsgList": [
                    item(1_600_000_100, 1), item(1_500_000_000, 2), item(1_600_000_200, 3)]}),
            )
            .await;
        let results: Vec<(u64, u64)> = imported["ImportMsgResult"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["MsgSeq"].as_u64().unwrap(), r["Result"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            results,
            [(1, 0), (0, 10004), (2, 0)],
            "before the topic existed: 10004"
        );
        let info = topic_info(&server, &topic, Some("bob")).await;
        assert_eq!(info["TopicInfo"]["NextMsgSeq"], 3);
        assert_eq!(info["TopicInfo"]["LastMsgTime"], 1_600_000_200);
        assert_eq!(
            info["SelfInfo"]["MsgSeq"], 2,
            "imported messages arrive read"
        );
        let page = server
            .ok(
                HISTORY,
                json!({"GroupId": COMMUNITY, "TopicId": topic, "ReqMsgNumber": 20}),
            )
            .await;
        assert_eq!(page["RspMsgList"].as_array().unwrap().len(), 2);
        let group_page = server
            .ok(HISTORY, json!({"GroupId": COMMUNITY, "ReqMsgNumber": 20}))
            .await;
        assert!(group_page["RspMsgList"].as_array().unwrap().is_empty());
        // Sends continue the topic's sequence.
        assert_eq!(send(&server, Some(&topic), "bob", 9).await, 3);
        server
            .fails(
                IMPORT_MSG,
                json!({"GroupId": COMMUNITY, "TopicId": topic_id("none"),
                    "MsgList": [item(1_600_000_300, 4)]}),
                110003,
            )
            .await;
    }
);
