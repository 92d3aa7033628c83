//! Global mutes (`openconfigsvr`), chatbots (`openim_robot_http_svc`, with
//! `Chatbot.OnC2CSignalMessage`) and `ConfigSvc/GetIPList`, over REST, `/ws` and `/binfo`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::client::Client;
use crate::harness::*;
use crate::on_both_engines;
use crate::receiver::{Answer, Receiver};
use crate::sdk_client::SdkClient;

const SET: &str = "openconfigsvr/setnospeaking";
const GET: &str = "openconfigsvr/getnospeaking";
const CREATE_ROBOT: &str = "openim_robot_http_svc/create_robot";
const DELETE_ROBOT: &str = "openim_robot_http_svc/delete_robot";
const ROBOTS: &str = "openim_robot_http_svc/get_all_robots";
const CHATBOT: &str = "Chatbot.OnC2CSignalMessage";
const C2C_BEFORE: &str = "C2C.CallbackBeforeSendMsg";
const GROUP_BEFORE: &str = "Group.CallbackBeforeSendMsg";
const GROUP_EXCEPTION: &str = "Group.CallbackSendMsgException";
const FOREVER: u64 = 4_294_967_295;

fn text(t: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": t}}])
}

fn custom(data: &str) -> Value {
    json!([{"MsgType": "TIMCustomElem", "MsgContent": {"Data": data, "Desc": "", "Ext": ""}}])
}

async fn import(server: &TestServer, users: &[&str]) {
    for user in users {
        server
            .ok("im_open_login_svc/account_import", json!({"UserID": user}))
            .await;
    }
}

/// A webhook receiver with only `commands` switched on.
async fn receiver_for(server: &TestServer, commands: &[&str]) -> Receiver {
    let receiver = Receiver::start().await;
    server
        .control(
            Method::POST,
            "/_natter/webhooks/config",
            Some(json!({"url": receiver.url, "commands": commands})),
        )
        .await;
    receiver
}

async fn mute_left(server: &TestServer, user: &str) -> (u64, u64) {
    let reply = server.ok(GET, json!({"Get_Account": user})).await;
    (
        reply["C2CmsgNospeakingTime"].as_u64().unwrap(),
        reply["GroupmsgNospeakingTime"].as_u64().unwrap(),
    )
}

on_both_engines!(
    global_mutes_are_set_read_and_run_out,
    |server: TestServer| async move {
        import(&server, &["m"]).await;
        server.clock.freeze(server.clock.now_ms());
        let reply = server.ok(GET, json!({"Get_Account": "m"})).await;
        assert_eq!(
            reply.as_object().unwrap().keys().collect::<Vec<_>>(),
            [
                "ActionStatus",
                "ErrorCode",
                "ErrorInfo",
                "C2CmsgNospeakingTime",
                "GroupmsgNospeakingTime"
            ],
            "{reply}"
        );
        assert_eq!(
            mute_left(&server, "m").await,
            (0, 0),
            "not muted by default"
        );

        server
            .ok(
                SET,
                json!({"Set_Account": "m", "C2CmsgNospeakingTime": 3600}),
            )
            .await;
        assert_eq!(mute_left(&server, "m").await, (3600, 0));
        // getnospeaking reports what is left, as Tencent's sample (7200 set, 7196 read) shows.
        server.clock.advance_ms(100_000);
        assert_eq!(mute_left(&server, "m").await, (3500, 0));
        server
            .ok(
                SET,
                json!({"Set_Account": "m", "GroupmsgNospeakingTime": FOREVER}),
            )
            .await;
        assert_eq!(
            mute_left(&server, "m").await,
            (3500, FOREVER),
            "setting one kind leaves the other"
        );
        server.clock.advance_ms(3_500_000);
        assert_eq!(
            mute_left(&server, "m").await,
            (0, FOREVER),
            "ran out; for ever stays"
        );
        server
            .ok(
                SET,
                json!({"Set_Account": "m", "C2CmsgNospeakingTime": 10, "GroupmsgNospeakingTime": 0}),
            )
            .await;
        assert_eq!(mute_left(&server, "m").await, (10, 0), "0 lifts");

        // Refusals, and nothing changed by them.
        server.fails(SET, json!({"Set_Account": "m"}), 40001).await;
        server
            .fails(SET, json!({"C2CmsgNospeakingTime": 5}), 40001)
            .await;
        server
            .fails(
                SET,
                json!({"Set_Account": "m", "C2CmsgNospeakingTime": -1}),
                40001,
            )
            .await;
        server
            .fails(
                SET,
                json!({"Set_Account": "m", "C2CmsgNospeakingTime": FOREVER + 1}),
                40001,
            )
            .await;
        server
            .fails(
                SET,
                json!({"Set_Account": 5, "C2CmsgNospeakingTime": 5}),
                60015,
            )
            .await;
        server
            .fails(
                SET,
                json!({"Set_Account": "ghost", "C2CmsgNospeakingTime": 5}),
                40003,
            )
            .await;
        server
            .fails(GET, json!({"Get_Account": "ghost"}), 40003)
            .await;
        server.fails(GET, json!({}), 40001).await;
        assert_eq!(mute_left(&server, "m").await, (10, 0));
    }
);

on_both_engines!(
    a_muted_users_own_sends_are_refused_and_the_admins_pass,
    |server: TestServer| async move {
        let receiver = receiver_for(&server, &[C2C_BEFORE, GROUP_BEFORE, GROUP_EXCEPTION]).await;
        import(&server, &["alice", "bob"]).await;
        server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "team", "GroupId": "team",
                       "Owner_Account": "alice", "MemberList": [{"Member_Account": "bob"}]}),
            )
            .await;
        server.clock.freeze(server.clock.now_ms());
        server
            .ok(
                SET,
                json!({"Set_Account": "alice", "C2CmsgNospeakingTime": 60,
                       "GroupmsgNospeakingTime": FOREVER}),
            )
            .await;
        let mut alice = Client::login(&server, "alice", "Android").await;
        let c2c = |random: u32, words: &str| json!({"To_Account": "bob", "MsgRandom": random, "MsgBody": text(words)});
        let group = |random: u32, words: &str| json!({"GroupId": "team", "Random": random, "MsgBody": text(words)});

        let reply = alice.request("sendmsg", c2c(1, "hi")).await;
        assert_eq!(reply["ErrorCode"], 20012, "{reply}");
        assert!(
            reply["ErrorInfo"].as_str().unwrap().contains("muted"),
            "{reply}"
        );
        let reply = alice.request("send_group_msg", group(2, "hi all")).await;
        assert_eq!(reply["ErrorCode"], 10017, "{reply}");
        assert!(
            reply["ErrorInfo"].as_str().unwrap().contains("muted"),
            "{reply}"
        );
        // A muted sender's messages reach no before-callback (setnospeaking's page).
        assert_eq!(receiver.settled_count(&server, C2C_BEFORE).await, 0);
        assert_eq!(receiver.settled_count(&server, GROUP_BEFORE).await, 0);
        // The refused group send is reported like any failed one.
        let exception = receiver.wait_for(GROUP_EXCEPTION, 1).await.remove(0);
        assert_eq!(exception.body["ErrorCode"], 10017);
        assert_eq!(exception.body["From_Account"], "alice");

        // The administrator still sends on alice's behalf.
        server
            .ok(
                "openim/sendmsg",
                json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 3,
                       "MsgBody": text("from the admin")}),
            )
            .await;
        server
            .ok(
                "group_open_http_svc/send_group_msg",
                json!({"GroupId": "team", "From_Account": "alice", "Random": 4,
                       "MsgBody": text("from the admin")}),
            )
            .await;
        assert_eq!(receiver.settled_count(&server, C2C_BEFORE).await, 1);
        assert_eq!(receiver.settled_count(&server, GROUP_BEFORE).await, 1);

        // The one-to-one mute runs out with the clock; the group one is for ever.
        server.clock.advance_ms(61_000);
        alice.ok("sendmsg", c2c(5, "free again")).await;
        let reply = alice.request("send_group_msg", group(6, "still?")).await;
        assert_eq!(reply["ErrorCode"], 10017, "{reply}");
        // 0 lifts it.
        server
            .ok(
                SET,
                json!({"Set_Account": "alice", "GroupmsgNospeakingTime": 0}),
            )
            .await;
        alice.ok("send_group_msg", group(7, "free again")).await;
        // Only alice was muted.
        let mut bob = Client::login(&server, "bob", "iOS").await;
        bob.ok(
            "sendmsg",
            json!({"To_Account": "alice", "MsgRandom": 8, "MsgBody": text("ok")}),
        )
        .await;
    }
);

on_both_engines!(
    a_muted_web_sdk_user_cannot_send_either,
    |server: TestServer| async move {
        import(&server, &["sdk_mu", "sdk_pe"]).await;
        server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "room", "GroupId": "room",
                       "Owner_Account": "sdk_mu", "MemberList": [{"Member_Account": "sdk_pe"}]}),
            )
            .await;
        server
            .ok(
                SET,
                json!({"Set_Account": "sdk_mu", "C2CmsgNospeakingTime": FOREVER,
                       "GroupmsgNospeakingTime": 3600}),
            )
            .await;
        let mut sdk = SdkClient::open(&server).await;
        assert_eq!(sdk.login(&server, "sdk_mu").await["ErrorCode"], 0);
        let reply = sdk
            .call(
                "openim.sendmsg",
                json!({"From_Account": "sdk_mu", "To_Account": "sdk_pe", "MsgRandom": 1,
                       "MsgBody": text("hi")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 20012, "{reply}");
        let reply = sdk
            .call(
                "group_open_http_svc.send_group_msg",
                json!({"GroupId": "room", "Random": 2, "MsgBody": text("hi")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 10017, "{reply}");
        server
            .ok(
                SET,
                json!({"Set_Account": "sdk_mu", "C2CmsgNospeakingTime": 0,
                       "GroupmsgNospeakingTime": 0}),
            )
            .await;
        let reply = sdk
            .call(
                "openim.sendmsg",
                json!({"From_Account": "sdk_mu", "To_Account": "sdk_pe", "MsgRandom": 3,
                       "MsgBody": text("hi")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
    }
);

on_both_engines!(
    chatbots_are_created_listed_and_deleted,
    |server: TestServer| async move {
        server
            .ok(
                CREATE_ROBOT,
                json!({"UserID": "@RBT#001", "Nick": "Jarvis",
                       "FaceUrl": "www.example.com/head.jpg", "SelfSignature": "hello, world"}),
            )
            .await;
        // Creating it again is fine and creates nothing new.
        server
            .ok(
                CREATE_ROBOT,
                json!({"UserID": "@RBT#001", "Nick": "Jarvis"}),
            )
            .await;
        let profile = server
            .ok(
                "profile/portrait_get",
                json!({"To_Account": ["@RBT#001"], "TagList": ["Tag_Profile_IM_Nick",
                       "Tag_Profile_IM_Image", "Tag_Profile_IM_SelfSignature"]}),
            )
            .await;
        assert_eq!(
            profile["UserProfileItem"][0]["ProfileItem"],
            json!([
                {"Tag": "Tag_Profile_IM_Nick", "Value": "Jarvis"},
                {"Tag": "Tag_Profile_IM_Image", "Value": "www.example.com/head.jpg"},
                {"Tag": "Tag_Profile_IM_SelfSignature", "Value": "hello, world"},
            ])
        );
        let list = server.ok(ROBOTS, json!({})).await;
        assert_eq!(
            list.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["ActionStatus", "ErrorCode", "ErrorInfo", "Robot_Account"]
        );
        assert_eq!(list["Robot_Account"], json!(["@RBT#001"]));

        // Refusals.
        server
            .fails(CREATE_ROBOT, json!({"UserID": "bot1"}), 10004)
            .await;
        server
            .fails(CREATE_ROBOT, json!({"UserID": "@RBT#"}), 10004)
            .await;
        let long = format!("@RBT#{}", "x".repeat(28));
        server
            .fails(CREATE_ROBOT, json!({"UserID": long}), 10004)
            .await;
        server.fails(CREATE_ROBOT, json!({}), 10004).await;
        server
            .fails(
                CREATE_ROBOT,
                json!({"UserID": "@RBT#long", "SelfSignature": "s".repeat(501)}),
                10004,
            )
            .await;

        // Twenty per app.
        for i in 2..=20 {
            server
                .ok(CREATE_ROBOT, json!({"UserID": format!("@RBT#{i:03}")}))
                .await;
        }
        server
            .fails(CREATE_ROBOT, json!({"UserID": "@RBT#021"}), 10008)
            .await;
        let list = server.ok(ROBOTS, json!({})).await;
        let expected: Vec<String> = (1..=20).map(|i| format!("@RBT#{i:03}")).collect();
        assert_eq!(list["Robot_Account"], json!(expected));

        // Deleting one ends the chatbot, not the account.
        server
            .ok(DELETE_ROBOT, json!({"Robot_Account": "@RBT#001"}))
            .await;
        server
            .fails(DELETE_ROBOT, json!({"Robot_Account": "@RBT#001"}), 10004)
            .await;
        server
            .fails(DELETE_ROBOT, json!({"Robot_Account": "alice"}), 10004)
            .await;
        let check = server
            .ok(
                "im_open_login_svc/account_check",
                json!({"CheckItem": [{"UserID": "@RBT#001"}]}),
            )
            .await;
        assert_eq!(check["ResultItem"][0]["AccountStatus"], "Imported");
        server.ok(CREATE_ROBOT, json!({"UserID": "@RBT#021"})).await;
        let list = server.ok(ROBOTS, json!({})).await;
        assert_eq!(list["Robot_Account"].as_array().unwrap().len(), 20);
        assert_eq!(list["Robot_Account"][0], "@RBT#002");
    }
);

on_both_engines!(
    a_message_to_a_chatbot_asks_the_app_for_its_answer,
    |server: TestServer| async move {
        let receiver = receiver_for(&server, &[CHATBOT]).await;
        import(&server, &["alice"]).await;
        server
            .ok(CREATE_ROBOT, json!({"UserID": "@RBT#bot", "Nick": "Bot"}))
            .await;
        let mut alice = Client::login(&server, "alice", "Web").await;
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RspData": "pong"}),
        )]);
        let sent = alice
            .ok(
                "sendmsg",
                json!({"To_Account": "@RBT#bot", "MsgRandom": 41, "MsgBody": custom("ping")}),
            )
            .await;
        // The chatbot's answer comes back in the same conversation.
        let answer = alice.event().await;
        assert_eq!(answer["Event"], "C2cMsg", "{answer}");
        assert_eq!(answer["From_Account"], "@RBT#bot");
        assert_eq!(answer["To_Account"], "alice");
        assert_eq!(answer["MsgBody"][0]["MsgType"], "TIMCustomElem");
        assert_eq!(answer["MsgBody"][0]["MsgContent"]["Data"], "pong");

        let asked = receiver.wait_for(CHATBOT, 1).await.remove(0);
        assert_eq!(asked.query["OptPlatform"], "Web");
        let body = asked.body.as_object().unwrap();
        assert_eq!(
            body.keys().collect::<Vec<_>>(),
            [
                "CallbackCommand",
                "From_Account",
                "To_Account",
                "MsgSeq",
                "MsgRandom",
                "MsgKey",
                "EventTime",
                "Data"
            ]
        );
        assert_eq!(body["From_Account"], "alice");
        assert_eq!(body["To_Account"], "@RBT#bot");
        assert_eq!(body["MsgKey"], sent["MsgKey"]);
        assert_eq!(body["MsgRandom"], 41);
        let key = sent["MsgKey"].as_str().unwrap();
        assert_eq!(body["MsgSeq"].to_string(), key.split('_').next().unwrap());
        assert_eq!(body["Data"], "ping");

        // Both messages are in the conversation's history.
        let history = server
            .ok(
                "openim/admin_getroammsg",
                json!({"Operator_Account": "alice", "Peer_Account": "@RBT#bot", "MaxCnt": 10,
                       "MinTime": 0, "MaxTime": 4_000_000_000u64}),
            )
            .await;
        let froms: Vec<&Value> = history["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["From_Account"])
            .collect();
        assert_eq!(froms, [&json!("alice"), &json!("@RBT#bot")], "{history}");
        let question_seq = body["MsgSeq"].as_u64().unwrap();
        let answer_seq = history["MsgList"][1]["MsgSeq"].as_u64().unwrap();
        assert_eq!(
            answer_seq,
            question_seq.saturating_add(1).min(u32::MAX as u64)
        );

        // A failure answer sends nothing back.
        receiver.script([Answer::Json(
            json!({"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": "no", "RspData": "x"}),
        )]);
        alice
            .ok(
                "sendmsg",
                json!({"To_Account": "@RBT#bot", "MsgRandom": 42, "MsgBody": custom("again")}),
            )
            .await;
        alice.no_event().await;
        assert_eq!(receiver.settled_count(&server, CHATBOT).await, 2);
        // Text is not pass-through content: the app is not asked.
        alice
            .ok(
                "sendmsg",
                json!({"To_Account": "@RBT#bot", "MsgRandom": 43, "MsgBody": text("hello")}),
            )
            .await;
        assert_eq!(receiver.settled_count(&server, CHATBOT).await, 2);
        // The administrator's message on alice's behalf asks too, and alice gets the answer.
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RspData": "pong 2"}),
        )]);
        server
            .ok(
                "openim/sendmsg",
                json!({"From_Account": "alice", "To_Account": "@RBT#bot", "MsgRandom": 45,
                       "MsgBody": custom("ping 2")}),
            )
            .await;
        let asked = receiver.wait_for(CHATBOT, 3).await.remove(2);
        assert_eq!(asked.query["OptPlatform"], "RESTAPI");
        assert_eq!(asked.body["Data"], "ping 2");
        let question = alice.event().await;
        assert_eq!(
            question["MsgBody"],
            custom("ping 2"),
            "alice's other device sees it"
        );
        let answer = alice.event().await;
        assert_eq!(answer["From_Account"], "@RBT#bot");
        assert_eq!(answer["MsgBody"][0]["MsgContent"]["Data"], "pong 2");
        // A deleted chatbot is an ordinary account again.
        server
            .ok(DELETE_ROBOT, json!({"Robot_Account": "@RBT#bot"}))
            .await;
        alice
            .ok(
                "sendmsg",
                json!({"To_Account": "@RBT#bot", "MsgRandom": 44, "MsgBody": custom("ping")}),
            )
            .await;
        assert_eq!(receiver.settled_count(&server, CHATBOT).await, 3);
        alice.no_event().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_ip_list_reports_where_callbacks_come_from() {
    // Configured addresses, as a server behind NAT would give them.
    let server = TestServer::start_with(Engine::Sqlite, |c| {
        c.apps[0].webhook.source_ips = vec!["203.0.113.7".into(), "198.51.100.0/24".into()];
    })
    .await;
    let reply = server.ok("ConfigSvc/GetIPList", json!({})).await;
    assert_eq!(
        reply.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["ActionStatus", "ErrorCode", "ErrorInfo", "IPList"]
    );
    assert_eq!(reply["IPList"], json!(["203.0.113.7", "198.51.100.0/24"]));
    drop(server);

    // None configured: the address this host sends from to the callback URL.
    let server = TestServer::start(Engine::Sqlite).await;
    let _receiver = server.webhook_receiver().await;
    let reply = server.ok("ConfigSvc/GetIPList", json!({})).await;
    assert_eq!(reply["IPList"], json!(["127.0.0.1"]));
}

on_both_engines!(
    a_web_sdk_user_gets_the_chatbots_answer_as_a_push,
    |server: TestServer| async move {
        let receiver = receiver_for(&server, &[CHATBOT]).await;
        server
            .ok(CREATE_ROBOT, json!({"UserID": "@RBT#helper"}))
            .await;
        let mut sdk = SdkClient::open(&server).await;
        assert_eq!(sdk.login(&server, "sdk_asker").await["ErrorCode"], 0);
        receiver.script([Answer::Json(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RspData": "{\"answer\":42}"}),
        )]);
        let reply = sdk
            .call(
                "openim.sendmsg",
                json!({"From_Account": "sdk_asker", "To_Account": "@RBT#helper", "MsgRandom": 7,
                       "MsgBody": custom("{\"question\":\"?\"}")}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let asked = receiver.wait_for(CHATBOT, 1).await.remove(0);
        assert_eq!(asked.body["Data"], "{\"question\":\"?\"}");
        let push = sdk.next_push_of("C2cMsgArray").await;
        let item = &push["EventArray"][0]["C2cMsgArray"][0];
        assert_eq!(item["From_Account"], "@RBT#helper");
        assert_eq!(item["To_Account"], "sdk_asker");
        assert_eq!(item["MsgBody"][0]["MsgType"], "TIMCustomElem");
        assert_eq!(item["MsgBody"][0]["MsgContent"]["Data"], "{\"answer\":42}");
    }
);
