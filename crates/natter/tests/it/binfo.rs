//! `/binfo`, the Web SDK's protocol, frame by frame: what the SDK relies on (binary frames, replies
//! paired by `servcmd` and `seq`, `COMP`+gzip, the A2Key re-login) and what it must be refused.
//! The real SDK is driven in `web_sdk.rs`.

use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

on_both_engines!(
    logging_in_gives_an_a2key_that_logs_in_again,
    |server: TestServer| async move {
        let mut first = SdkClient::open(&server).await;
        let reply = first.login(&server, "sdk_alice").await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let a2 = reply["A2Key"].as_str().unwrap().to_owned();
        let tiny_id = reply["TinyId"].as_str().unwrap().to_owned();
        assert!(reply["InstId"].as_u64().unwrap() > 0);
        assert!(reply["TimeStamp"].as_i64().unwrap() > 0);
        assert!(tiny_id.parse::<u64>().is_ok(), "TinyId is a number as text");

        // A reconnect logs in with the a2 alone, as the SDK does.
        let mut again = SdkClient::open(&server).await;
        let (_, reply) = again
            .request(
                "im_open_status.wslogin",
                json!({"a2": a2, "tinyid": tiny_id}),
                json!({"State": "Online"}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        assert_eq!(reply["TinyId"], tiny_id.as_str());

        // A forged a2 (another user's id with alice's sig) is refused with the UserSig code.
        let mut forged = SdkClient::open(&server).await;
        let bob_hex: String = "sdk_bob".bytes().map(|b| format!("{b:02x}")).collect();
        let sig = a2.split_once('.').unwrap().1;
        let (_, reply) = forged
            .request(
                "im_open_status.wslogin",
                json!({"a2": format!("{bob_hex}.{sig}")}),
                json!({}),
            )
            .await;
        assert_ne!(reply["ErrorCode"], 0, "{reply}");
        assert_eq!(reply["ActionStatus"], "FAIL");
    }
);

on_both_engines!(
    frames_are_paired_checked_and_refused_clearly,
    |server: TestServer| async move {
        let mut sdk = SdkClient::open(&server).await;
        // Before login: heartbeats are answered, commands refused.
        let (head, body) = sdk.request("heartbeat.alive", json!({}), json!({})).await;
        assert_eq!(head["servcmd"], "heartbeat.alive");
        assert_eq!(body["ErrorCode"], 0);
        let (_, body) = sdk
            .request("openim.sendmsg", json!({}), json!({"To_Account": "x"}))
            .await;
        assert_eq!(body["ErrorCode"], 60004, "{body}");
        // A wrong UserSig is refused and the connection stays open for another try.
        let (_, body) = sdk
            .request(
                "im_open_status.wslogin",
                json!({"identifier": "sdk_carol", "usersig": "not-a-sig"}),
                json!({}),
            )
            .await;
        assert_ne!(body["ErrorCode"], 0, "{body}");
        assert_eq!(sdk.login(&server, "sdk_carol").await["ErrorCode"], 0);

        // A body whose checksum does not match is refused, naming why.
        sdk.seq += 1;
        let frame = format!(
            r#"{{"head":{{"servcmd":"openim.getmsg","seq":{},"cs":1}},"body":{{}}}}"#,
            sdk.seq
        );
        sdk.send_raw(frame).await;
        let (head, body) = sdk.next_frame().await;
        assert_eq!(head["seq"], sdk.seq);
        assert_eq!(body["ErrorCode"], 60003);
        assert!(body["ErrorInfo"].as_str().unwrap().contains("checksum"));

        // A command the SDK has that Natter does not serve fails at once with 60009 (this one
        // the SDK sends only to Tencent's own hosts).
        let (_, body) = sdk
            .request("im_cos_sign_svr.cos", json!({}), json!({}))
            .await;
        assert_eq!(body["ErrorCode"], 60009, "{body}");
        assert!(
            body["ErrorInfo"]
                .as_str()
                .unwrap()
                .contains("Tencent's own hosts"),
            "{body}"
        );
        // One Natter does not serve by decision says why.
        let (_, body) = sdk
            .request(
                "im_open_status.ws_stat_settoken",
                json!({}),
                json!({"TokenID": 1, "VarToken": "t"}),
            )
            .await;
        assert_eq!(body["ErrorCode"], 60009, "{body}");
        let info = body["ErrorInfo"].as_str().unwrap();
        assert!(info.contains("no offline push"), "{body}");
        // The SDK's purchase bits never fail (it would ask every second otherwise).
        let (_, body) = sdk
            .request(
                "im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2",
                json!({}),
                json!({}),
            )
            .await;
        assert_eq!(body["int32_error_code"], 0);
        // Acting for someone else is refused.
        let (_, body) = sdk
            .request(
                "sns.friend_get",
                json!({}),
                json!({"From_Account": "someone_else", "StartIndex": 0}),
            )
            .await;
        assert_eq!(body["ErrorCode"], 30001, "{body}");
    }
);

on_both_engines!(
    messages_reach_the_peer_as_sdk_pushes,
    |server: TestServer| async move {
        let mut alice = SdkClient::open(&server).await;
        assert_eq!(alice.login(&server, "sdk_al").await["ErrorCode"], 0);
        let mut bob = SdkClient::open(&server).await;
        assert_eq!(bob.login(&server, "sdk_bo").await["ErrorCode"], 0);
        let text = "x".repeat(2000); // large enough to travel gzipped
        let (_, sent) = alice
            .request(
                "openim.sendmsg",
                json!({}),
                json!({"From_Account": "sdk_al", "To_Account": "sdk_bo", "MsgRandom": 77,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]}),
            )
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (head, push) = bob.next_frame().await;
        assert_eq!(head["servcmd"], "im_open_push.msg_push");
        let item = &push["EventArray"][0]["C2cMsgArray"][0];
        assert_eq!(item["From_Account"], "sdk_al");
        assert_eq!(item["MsgRandom"], 77);
        assert_eq!(item["MsgTimeStamp"], sent["MsgTime"]);
        assert_eq!(item["MsgBody"][0]["MsgContent"]["Text"], text.as_str());
        // The sender's id of the message, as both SDKs build it, is Natter's MsgId.
        let id = format!(
            "{}-{}-{}",
            item["TinyId"].as_str().unwrap(),
            item["MsgClientTime"],
            item["MsgRandom"]
        );
        assert_eq!(sent["MsgId"], id.as_str());

        // The SDK's own time for a message becomes its time when it is recent (its id is built
        // from it on both ends); an implausible one is replaced by the server's.
        let t0 = sent["MsgTime"].as_i64().unwrap();
        let mut latest = t0;
        for (client_time, expected) in [(t0 - 1, t0 - 1), (1, t0)] {
            let (_, again) = alice
                .request(
                    "openim.sendmsg",
                    json!({}),
                    json!({"To_Account": "sdk_bo", "MsgRandom": client_time as u32,
                           "MsgClientTime": client_time,
                           "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "t"}}]}),
                )
                .await;
            let time = again["MsgTime"].as_i64().unwrap();
            latest = latest.max(time);
            if expected == t0 {
                assert!(time >= t0, "server time, not {client_time}: {again}");
            } else {
                assert_eq!(time, expected, "{again}");
            }
            let (_, push) = bob.next_frame().await;
            let item = &push["EventArray"][0]["C2cMsgArray"][0];
            assert_eq!(item["MsgClientTime"], time);
        }

        // Bob's conversation list shows it unread, with the message; history pages it.
        let (_, page) = bob
            .request(
                "recentcontact.page_get",
                json!({}),
                json!({"From_Account": "sdk_bo"}),
            )
            .await;
        let session = &page["SessionItem"][0];
        assert_eq!(session["To_Account"], "sdk_al");
        assert_eq!(session["UnreadMsgCount"], 3);
        assert_eq!(session["MsgTime"], latest);
        assert_eq!(session["LastMsg"]["MsgBody"][0]["MsgType"], "TIMTextElem");
        assert_eq!(page["CompleteFlag"], 1);
        let (_, roam) = bob
            .request(
                "openim.getroammsg",
                json!({}),
                json!({"Peer_Account": "sdk_al", "MaxCnt": 15}),
            )
            .await;
        assert_eq!(roam["MsgList"].as_array().unwrap().len(), 3);
        assert_eq!(roam["Complete"], 1);
        // Reading it clears the unread count, and alice sees bob's read time.
        let (_, read) = bob
            .request(
                "openim.msgreaded",
                json!({}),
                json!({"C2CMsgReaded": {"C2CMsgReadedItem": [
                    {"To_Account": "sdk_al", "LastedMsgTime": latest}]}}),
            )
            .await;
        assert_eq!(read["ErrorCode"], 0, "{read}");
        let (_, page) = bob
            .request("recentcontact.page_get", json!({}), json!({}))
            .await;
        assert_eq!(page["SessionItem"][0]["UnreadMsgCount"], 0);
        let (_, times) = alice
            .request(
                "openim.get_peer_read_time",
                json!({}),
                json!({"To_Account": ["sdk_bo"]}),
            )
            .await;
        assert_eq!(times["ReadTime"][0], latest);
    }
);

on_both_engines!(
    ws_runs_the_sdk_commands_too,
    |server: TestServer| async move {
        server
            .ok(
                "im_open_login_svc/account_import",
                json!({"UserID": "ws_bo"}),
            )
            .await;
        let mut alice = crate::client::Client::login(&server, "ws_al", "Android").await;
        // A served command by its SDK name, with the same reply as over /binfo.
        let sent = alice
            .request(
                "openim.sendmsg",
                json!({"To_Account": "ws_bo", "MsgRandom": 5,
                       "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "via ws"}}]}),
            )
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let roam = alice
            .request(
                "openim.getroammsg",
                json!({"Peer_Account": "ws_bo", "MaxCnt": 5}),
            )
            .await;
        assert_eq!(
            roam["MsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
            "via ws"
        );
        let friends = alice
            .request("sns.friend_get", json!({"StartIndex": 0}))
            .await;
        assert_eq!(friends["ErrorCode"], 0, "{friends}");
        assert_eq!(friends["CompleteFlag"], 1);
        // The same permissions: acting for someone else is refused.
        let other = alice
            .request(
                "sns.friend_get",
                json!({"From_Account": "ws_bo", "StartIndex": 0}),
            )
            .await;
        assert_eq!(other["ErrorCode"], 30001, "{other}");
        // An SDK command Natter does not serve, and a name that is no command at all.
        for op in ["im_cos_msg.get_final_ip", "no.such_command"] {
            let refused = alice.request(op, json!({})).await;
            assert_eq!(refused["ErrorCode"], 60009, "{op}: {refused}");
        }
    }
);

on_both_engines!(
    unacknowledged_pushes_are_sent_again_then_the_connection_closes,
    |server: TestServer| async move {
        let mut alice = SdkClient::open(&server).await;
        alice.login(&server, "sdk_ack_al").await;
        let mut bob = SdkClient::open(&server).await;
        bob.acks = false;
        bob.login(&server, "sdk_ack_bo").await;
        let send = |text: &'static str, random: u32| {
            json!({"To_Account": "sdk_ack_bo", "MsgRandom": random,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]})
        };
        let (_, sent) = alice
            .request("openim.sendmsg", json!({}), send("ack me", 501))
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (head, push) = bob.next_frame().await;
        assert_eq!(head["servcmd"], "im_open_push.msg_push");
        assert_eq!(push["NeedAck"], 1, "{push}");
        assert!(push["SessionData"].is_string(), "{push}");
        assert_eq!(push["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"], 501);

        // Not acknowledged: the same push again, identical (the SDK drops what it has).
        let (again_head, again) = bob.next_frame().await;
        assert_eq!((&again_head, &again), (&head, &push));

        // Acknowledged: no more of it.
        bob.ack(&push).await;
        let quiet = bob.raw_message(Duration::from_secs(5)).await;
        assert!(quiet.is_none(), "nothing after the ack: {quiet:?}");

        // A client that never acknowledges is closed, so that the SDK reconnects and syncs.
        let (_, sent) = alice
            .request("openim.sendmsg", json!({}), send("never acked", 502))
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let mut copies = 0;
        let mut closed = false;
        while let Some(message) = bob.raw_message(Duration::from_secs(30)).await {
            match message {
                Some(Message::Binary(_)) => copies += 1,
                Some(Message::Close(_)) | None => {
                    closed = true;
                    break;
                }
                Some(_) => {}
            }
        }
        assert!(closed, "the connection closes");
        assert_eq!(copies, 3, "the push and two resends");
        // Alice, who acknowledges, is still served.
        let (_, reply) = alice.request("heartbeat.alive", json!({}), json!({})).await;
        assert_eq!(reply["ErrorCode"], 0);
    }
);

on_both_engines!(
    requests_resent_before_the_relogin_are_served_after_it,
    |server: TestServer| async move {
        let mut first = SdkClient::open(&server).await;
        let reply = first.login(&server, "sdk_re_al").await;
        let a2 = reply["A2Key"].as_str().unwrap().to_owned();
        let tiny_id = reply["TinyId"].as_str().unwrap().to_owned();
        let mut bob = SdkClient::open(&server).await;
        assert_eq!(bob.login(&server, "sdk_re_bo").await["ErrorCode"], 0);
        drop(first);

        // The SDK's new socket: the request the old one left unanswered comes first, with the
        // session's a2, then the login.
        let mut again = SdkClient::open(&server).await;
        let body = json!({"To_Account": "sdk_re_bo", "MsgRandom": 901,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "resent"}}]})
        .to_string();
        let frame = json!({
            "head": {"ver": "v4", "platform": 7, "servcmd": "openim.sendmsg", "seq": 77,
                     "a2": a2, "tinyid": tiny_id, "cs": crc32fast::hash(body.as_bytes())},
            "body": serde_json::from_str::<Value>(&body).unwrap(),
        });
        again.send_raw(frame.to_string()).await;
        let (_, login) = again
            .request(
                "im_open_status.wslogin",
                json!({"a2": a2, "tinyid": tiny_id}),
                json!({"State": "Online"}),
            )
            .await;
        assert_eq!(login["ErrorCode"], 0, "{login}");
        let (head, sent) = again.next_frame().await;
        assert_eq!(
            (&head["servcmd"], &head["seq"]),
            (&json!("openim.sendmsg"), &json!(77))
        );
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (_, push) = bob.next_frame().await;
        assert_eq!(push["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"], 901);

        // Without an a2 (no session to resume), a request before the login is still refused.
        let mut stranger = SdkClient::open(&server).await;
        let (_, refused) = stranger
            .request(
                "openim.sendmsg",
                json!({}),
                json!({"To_Account": "sdk_re_bo"}),
            )
            .await;
        assert_eq!(refused["ErrorCode"], 60004, "{refused}");
    }
);

on_both_engines!(
    a_connection_gets_no_copy_of_a_message_it_sent_itself,
    |server: TestServer| async move {
        let mut s1 = SdkClient::open(&server).await;
        assert_eq!(s1.login(&server, "sdk_own_al").await["ErrorCode"], 0);
        let mut s2 = SdkClient::open(&server).await;
        assert_eq!(s2.login(&server, "sdk_own_al").await["ErrorCode"], 0);
        let mut bob = SdkClient::open(&server).await;
        assert_eq!(bob.login(&server, "sdk_own_bo").await["ErrorCode"], 0);
        let send = |seq: u32, random: u32| {
            json!({"To_Account": "sdk_own_bo", "MsgSeq": seq, "MsgRandom": random,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "own"}}]})
        };
        // s2 sent random 911; a message with it from s1 (as when the old socket's send is
        // stored while the SDK's new socket re-sends it) is not copied back to s2.
        let (_, sent) = s2.request("openim.sendmsg", json!({}), send(1, 911)).await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (_, copy) = s1.next_frame().await;
        assert_eq!(copy["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"], 911);
        let (_, sent) = s1.request("openim.sendmsg", json!({}), send(2, 911)).await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        // Another message from s1 is copied to s2, and is the first thing s2 gets.
        let (_, sent) = s1.request("openim.sendmsg", json!({}), send(3, 912)).await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let (_, copy) = s2.next_frame().await;
        assert_eq!(copy["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"], 912);
        assert_eq!(copy["EventArray"][0]["C2cMsgArray"][0]["IsSyncMsg"], 1);
        for random in [911, 911, 912] {
            let (_, push) = bob.next_frame().await;
            assert_eq!(push["EventArray"][0]["C2cMsgArray"][0]["MsgRandom"], random);
        }
    }
);
