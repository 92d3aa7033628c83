//! `/binfo`, the Web SDK's protocol, frame by frame: what the SDK relies on (binary frames, replies
//! paired by `servcmd` and `seq`, `COMP`+gzip, the A2Key re-login) and what it must be refused.
//! The real SDK is driven in `web_sdk.rs`.

use std::io::Read;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;
use crate::on_both_engines;

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

struct SdkSocket {
    socket: Socket,
    seq: u64,
    /// Whether pushes that ask for it are acknowledged, as the SDK does.
    acks: bool,
}

/// Acknowledges a push the way the SDK does when it carries `NeedAck: 1`: `openim.ws_msg_push_ack`
/// with its `SessionData`, `cs` 0, no reply expected.
pub(crate) async fn ack_push(socket: &mut Socket, body: &Value) {
    if body["NeedAck"] != 1 {
        return;
    }
    let ack = json!({
        "head": {"ver": "v4", "platform": 7, "servcmd": "openim.ws_msg_push_ack", "seq": 1, "cs": 0},
        "body": {"SessionData": body["SessionData"]},
    });
    socket
        .send(Message::Binary(ack.to_string().into_bytes().into()))
        .await
        .unwrap();
}

impl SdkSocket {
    async fn open(server: &TestServer) -> Self {
        let url = format!(
            "{}/binfo?sdkappid={APP}&instanceid=abc&platform=7&sdkversion=3.6.6&compress=gzip",
            server.base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self {
            socket,
            seq: 1000,
            acks: true,
        }
    }

    /// Sends a request with `head` fields added to the usual ones; returns the reply's head and
    /// body (pushes that arrive first are returned by `next_push`, not here).
    async fn request(&mut self, servcmd: &str, head: Value, body: Value) -> (Value, Value) {
        self.seq += 1;
        let body_text = body.to_string();
        let mut full_head = json!({
            "ver": "v4", "platform": 7, "servcmd": servcmd, "seq": self.seq,
            "cs": crc32fast::hash(body_text.as_bytes()),
        });
        for (key, value) in head.as_object().unwrap() {
            full_head[key] = value.clone();
        }
        let frame = format!(r#"{{"head":{full_head},"body":{body_text}}}"#);
        self.socket
            .send(Message::Binary(frame.into_bytes().into()))
            .await
            .unwrap();
        loop {
            let (head, body) = self.next_frame().await;
            if head["servcmd"] == servcmd && head["seq"] == self.seq {
                return (head, body);
            }
        }
    }

    async fn next_frame(&mut self) -> (Value, Value) {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .unwrap();
            let bytes = match message {
                Message::Binary(bytes) => bytes.to_vec(),
                Message::Text(text) => panic!("the SDK ignores text frames; got {text}"),
                _ => continue,
            };
            let json = if bytes.starts_with(b"COMP") {
                let mut text = String::new();
                flate2::read::GzDecoder::new(&bytes[4..])
                    .read_to_string(&mut text)
                    .unwrap();
                text
            } else {
                String::from_utf8(bytes).unwrap()
            };
            let frame: Value = serde_json::from_str(&json).unwrap();
            // As the SDK does, a push that asks for it is acknowledged (unless a test is the
            // client that never acks).
            if self.acks {
                ack_push(&mut self.socket, &frame["body"]).await;
            }
            return (frame["head"].clone(), frame["body"].clone());
        }
    }

    async fn login(&mut self, server: &TestServer, user: &str) -> Value {
        let head = json!({"identifier": user, "usersig": server.sig(user), "sdkappid": APP});
        let (_, body) = self
            .request("im_open_status.wslogin", head, json!({"State": "Online"}))
            .await;
        body
    }
}

on_both_engines!(
    logging_in_gives_an_a2key_that_logs_in_again,
    |server: TestServer| async move {
        let mut first = SdkSocket::open(&server).await;
        let reply = first.login(&server, "sdk_alice").await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let a2 = reply["A2Key"].as_str().unwrap().to_owned();
        let tiny_id = reply["TinyId"].as_str().unwrap().to_owned();
        assert!(reply["InstId"].as_u64().unwrap() > 0);
        assert!(reply["TimeStamp"].as_i64().unwrap() > 0);
        assert!(tiny_id.parse::<u64>().is_ok(), "TinyId is a number as text");

        // A reconnect logs in with the a2 alone, as the SDK does.
        let mut again = SdkSocket::open(&server).await;
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
        let mut forged = SdkSocket::open(&server).await;
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
        let mut sdk = SdkSocket::open(&server).await;
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
        sdk.socket
            .send(Message::Binary(frame.into_bytes().into()))
            .await
            .unwrap();
        let (head, body) = sdk.next_frame().await;
        assert_eq!(head["seq"], sdk.seq);
        assert_eq!(body["ErrorCode"], 60003);
        assert!(body["ErrorInfo"].as_str().unwrap().contains("checksum"));

        // A command the SDK has that Natter does not serve yet fails at once with 60009.
        let (_, body) = sdk
            .request("sns.pendency_report", json!({}), json!({}))
            .await;
        assert_eq!(body["ErrorCode"], 60009, "{body}");
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
        let mut alice = SdkSocket::open(&server).await;
        assert_eq!(alice.login(&server, "sdk_al").await["ErrorCode"], 0);
        let mut bob = SdkSocket::open(&server).await;
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
    unacknowledged_pushes_are_sent_again_then_the_connection_closes,
    |server: TestServer| async move {
        let mut alice = SdkSocket::open(&server).await;
        assert_eq!(alice.login(&server, "sdk_ack_al").await["ErrorCode"], 0);
        let mut bob = SdkSocket::open(&server).await;
        bob.acks = false;
        assert_eq!(bob.login(&server, "sdk_ack_bo").await["ErrorCode"], 0);
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
        ack_push(&mut bob.socket, &push).await;
        let quiet = tokio::time::timeout(Duration::from_secs(5), bob.socket.next()).await;
        assert!(quiet.is_err(), "nothing after the ack: {quiet:?}");

        // A client that never acknowledges is closed, so that the SDK reconnects and syncs.
        let (_, sent) = alice
            .request("openim.sendmsg", json!({}), send("never acked", 502))
            .await;
        assert_eq!(sent["ErrorCode"], 0, "{sent}");
        let mut copies = 0;
        let closed = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(Ok(message)) = bob.socket.next().await {
                match message {
                    Message::Binary(_) => copies += 1,
                    Message::Close(_) => return,
                    _ => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "the connection closes");
        assert_eq!(copies, 3, "the push and two resends");
        // Alice, who acknowledges, is still served.
        let (_, reply) = alice.request("heartbeat.alive", json!({}), json!({})).await;
        assert_eq!(reply["ErrorCode"], 0);
    }
);

on_both_engines!(
    requests_resent_before_the_relogin_are_served_after_it,
    |server: TestServer| async move {
        let mut first = SdkSocket::open(&server).await;
        let reply = first.login(&server, "sdk_re_al").await;
        let a2 = reply["A2Key"].as_str().unwrap().to_owned();
        let tiny_id = reply["TinyId"].as_str().unwrap().to_owned();
        let mut bob = SdkSocket::open(&server).await;
        assert_eq!(bob.login(&server, "sdk_re_bo").await["ErrorCode"], 0);
        drop(first);

        // The SDK's new socket: the request the old one left unanswered comes first, with the
        // session's a2, then the login.
        let mut again = SdkSocket::open(&server).await;
        let body = json!({"To_Account": "sdk_re_bo", "MsgRandom": 901,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "resent"}}]})
        .to_string();
        let frame = json!({
            "head": {"ver": "v4", "platform": 7, "servcmd": "openim.sendmsg", "seq": 77,
                     "a2": a2, "tinyid": tiny_id, "cs": crc32fast::hash(body.as_bytes())},
            "body": serde_json::from_str::<Value>(&body).unwrap(),
        });
        again
            .socket
            .send(Message::Binary(frame.to_string().into_bytes().into()))
            .await
            .unwrap();
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
        let mut stranger = SdkSocket::open(&server).await;
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
        let mut s1 = SdkSocket::open(&server).await;
        assert_eq!(s1.login(&server, "sdk_own_al").await["ErrorCode"], 0);
        let mut s2 = SdkSocket::open(&server).await;
        assert_eq!(s2.login(&server, "sdk_own_al").await["ErrorCode"], 0);
        let mut bob = SdkSocket::open(&server).await;
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
