//! A client of the Web SDK's protocol (`/binfo`), frame by frame, as the SDK speaks it: binary
//! JSON frames `{head, body}`, replies paired by `servcmd` and `seq`, pushes as
//! `im_open_push.msg_push`, downlink `COMP`+gzip, and `im_open_status.wslogin`.

use std::collections::VecDeque;
use std::io::Read;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{TestServer, APP};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a frame that should come.
const WAIT: Duration = Duration::from_secs(10);

/// The `servcmd` of the SDK's message pushes.
const MSG_PUSH: &str = "im_open_push.msg_push";

pub struct SdkClient {
    socket: Socket,
    /// The `seq` of the last request sent; a test that builds a frame by hand bumps it.
    pub seq: u64,
    /// The user logged in with a fresh UserSig, if any.
    user: Option<String>,
    /// Frames other than the awaited reply that arrived while a reply was awaited, oldest
    /// first; [`next_push`](Self::next_push) and [`next_push_of`](Self::next_push_of) read
    /// them, [`next_frame`](Self::next_frame) does not.
    kept: VecDeque<(Value, Value)>,
    /// Whether pushes that ask for it are acknowledged as they are read, as the SDK does; a test
    /// of a client that never acknowledges turns it off.
    pub acks: bool,
}

impl SdkClient {
    /// Opens a connection without logging in.
    pub async fn open(server: &TestServer) -> Self {
        Self::open_at(&server.base).await
    }

    /// Opens a connection to the server at `base` (`http://…`; one not run by the harness)
    /// without logging in.
    pub async fn open_at(base: &str) -> Self {
        let url = format!(
            "{}/binfo?sdkappid={APP}&instanceid=abc&platform=7&sdkversion=3.6.6&compress=gzip",
            base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self {
            socket,
            seq: 1000,
            user: None,
            kept: VecDeque::new(),
            acks: true,
        }
    }

    /// Connects and logs `user` in with a fresh UserSig; panics if refused.
    pub async fn connect(server: &TestServer, user: &str) -> Self {
        let mut sdk = Self::open(server).await;
        sdk.login(server, user).await;
        sdk
    }

    /// Logs `user` in on this connection with a fresh UserSig; panics if refused, else the
    /// reply's body.
    pub async fn login(&mut self, server: &TestServer, user: &str) -> Value {
        let reply = self
            .login_with(json!({"identifier": user, "usersig": server.sig(user), "sdkappid": APP}))
            .await;
        assert_eq!(reply["ErrorCode"], 0, "login of {user}: {reply}");
        self.user = Some(user.to_owned());
        reply
    }

    /// `wslogin` with `head` fields added to the usual ones (a sig, an `a2`, …); the reply's
    /// body, whatever it says.
    pub async fn login_with(&mut self, head: Value) -> Value {
        self.call_with("im_open_status.wslogin", head, json!({"State": "Online"}))
            .await
    }

    /// The user logged in with [`login`](Self::login).
    pub fn user(&self) -> &str {
        self.user.as_deref().expect("logged in with a UserSig")
    }

    /// Sends one binary frame as it is.
    pub async fn send_raw(&mut self, frame: String) {
        self.socket
            .send(Message::Binary(frame.into_bytes().into()))
            .await
            .unwrap();
    }

    /// Sends a request with `head` fields added to the usual ones; returns the reply's head and
    /// body. Other frames that arrive first are kept for [`next_push`](Self::next_push).
    pub async fn request(&mut self, servcmd: &str, head: Value, body: Value) -> (Value, Value) {
        self.seq += 1;
        let body_text = body.to_string();
        let mut full_head = json!({
            "ver": "v4", "platform": 7, "servcmd": servcmd, "seq": self.seq,
            "cs": crc32fast::hash(body_text.as_bytes()),
        });
        for (key, value) in head.as_object().unwrap() {
            full_head[key] = value.clone();
        }
        self.send_raw(format!(r#"{{"head":{full_head},"body":{body_text}}}"#))
            .await;
        loop {
            let (head, body) = self.next_frame().await;
            if head["servcmd"] == servcmd && head["seq"] == self.seq {
                return (head, body);
            }
            self.kept.push_back((head, body));
        }
    }

    /// Sends a request with the usual head and returns its `seq` without waiting for the reply
    /// (a long poll the server holds); [`reply_to`](Self::reply_to) reads it.
    pub async fn send_request(&mut self, servcmd: &str, body: Value) -> u64 {
        self.seq += 1;
        let body_text = body.to_string();
        let head = json!({
            "ver": "v4", "platform": 7, "servcmd": servcmd, "seq": self.seq,
            "cs": crc32fast::hash(body_text.as_bytes()),
        });
        self.send_raw(format!(r#"{{"head":{head},"body":{body_text}}}"#))
            .await;
        self.seq
    }

    /// Whether the reply to the request `seq` of `servcmd` has come (kept aside meanwhile).
    pub fn has_reply(&self, servcmd: &str, seq: u64) -> bool {
        self.kept
            .iter()
            .any(|(head, _)| head["servcmd"] == servcmd && head["seq"] == seq)
    }

    /// The body of the reply to the request `seq` of `servcmd`, kept or still to come.
    pub async fn reply_to(&mut self, servcmd: &str, seq: u64) -> Value {
        let is = |head: &Value| head["servcmd"] == servcmd && head["seq"] == seq;
        if let Some(i) = self.kept.iter().position(|(head, _)| is(head)) {
            return self.kept.remove(i).unwrap().1;
        }
        loop {
            let (head, body) = self.next_frame().await;
            if is(&head) {
                return body;
            }
            self.kept.push_back((head, body));
        }
    }

    /// [`request`](Self::request) returning the reply's body only.
    pub async fn call_with(&mut self, servcmd: &str, head: Value, body: Value) -> Value {
        self.request(servcmd, head, body).await.1
    }

    /// A request with the usual head; the reply's body.
    pub async fn call(&mut self, servcmd: &str, body: Value) -> Value {
        self.call_with(servcmd, json!({}), body).await
    }

    /// The next frame from the connection (kept frames aside); panics once it is closed.
    pub async fn next_frame(&mut self) -> (Value, Value) {
        self.try_next_frame().await.expect("the connection is open")
    }

    /// The next frame from the connection (kept frames aside); `None` once the server closed it.
    pub async fn try_next_frame(&mut self) -> Option<(Value, Value)> {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame in time")?;
            let bytes = match message {
                Ok(Message::Binary(bytes)) => bytes.to_vec(),
                Ok(Message::Text(text)) => panic!("the SDK ignores text frames; got {text}"),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
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
            if self.acks {
                self.ack(&frame["body"]).await;
            }
            return Some((frame["head"].clone(), frame["body"].clone()));
        }
    }

    /// The next frame that is no reply: one kept while a reply was awaited, else the next to
    /// come; `None` once the server closed the connection.
    pub async fn next_push(&mut self) -> Option<(Value, Value)> {
        if let Some(frame) = self.kept.pop_front() {
            return Some(frame);
        }
        self.try_next_frame().await
    }

    /// The body of the next message push that holds `kind` (`GroupMsgArray`, …), kept or still
    /// to come; frames to come that are not one are passed over.
    pub async fn next_push_of(&mut self, kind: &str) -> Value {
        let has = |head: &Value, body: &Value| {
            head["servcmd"] == MSG_PUSH && body["EventArray"][0].get(kind).is_some()
        };
        if let Some(i) = self.kept.iter().position(|(head, body)| has(head, body)) {
            return self.kept.remove(i).unwrap().1;
        }
        loop {
            let (head, body) = self.next_frame().await;
            if has(&head, &body) {
                return body;
            }
        }
    }

    /// Acknowledges a push the way the SDK does when it carries `NeedAck: 1`:
    /// `openim.ws_msg_push_ack` with its `SessionData`, `cs` 0, no reply expected.
    pub async fn ack(&mut self, body: &Value) {
        if body["NeedAck"] != 1 {
            return;
        }
        let ack = json!({
            "head": {"ver": "v4", "platform": 7, "servcmd": "openim.ws_msg_push_ack", "seq": 1, "cs": 0},
            "body": {"SessionData": body["SessionData"]},
        });
        self.send_raw(ack.to_string()).await;
    }

    /// The next WebSocket message as it comes (a close included), or `None` if none comes within
    /// `wait`: for tests that watch what the server does to the connection itself.
    pub async fn raw_message(&mut self, wait: Duration) -> Option<Option<Message>> {
        tokio::time::timeout(wait, self.socket.next())
            .await
            .ok()
            .map(|m| m.and_then(Result::ok))
    }

    /// Closes the connection without logging out.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
