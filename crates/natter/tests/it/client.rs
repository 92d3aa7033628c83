//! A client of Natter's WebSocket protocol (`/ws`), as an app's client would be.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{TestServer, APP};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a frame that should come.
const WAIT: Duration = Duration::from_secs(10);

pub struct Client {
    socket: Socket,
    next_id: u64,
    /// Events that arrived while waiting for a reply.
    events: VecDeque<Value>,
}

impl Client {
    /// Opens a connection without logging in.
    pub async fn open(server: &TestServer) -> Self {
        Self::open_at(&server.base).await
    }

    /// Opens a connection to the server at `base` (`http://host:port`) without logging in.
    pub async fn open_at(base: &str) -> Self {
        let url = format!("{}/ws", base.replacen("http", "ws", 1));
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Self {
            socket,
            next_id: 0,
            events: VecDeque::new(),
        }
    }

    /// Connects and logs `user` in on `platform` with a fresh UserSig; panics if refused.
    pub async fn login(server: &TestServer, user: &str, platform: &str) -> Self {
        let mut client = Self::open(server).await;
        let reply = client
            .request(
                "login",
                json!({"SdkAppId": APP, "Identifier": user, "UserSig": server.sig(user), "Platform": platform}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "login of {user}: {reply}");
        client
    }

    /// Closes the connection (a clean WebSocket close, no logout).
    pub async fn close(&mut self) {
        let _ = self.socket.close(None).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    /// Sends one request and returns its reply (events that arrive meanwhile are kept).
    pub async fn request(&mut self, op: &str, fields: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut frame = fields;
        frame["ReqId"] = json!(id);
        frame["Op"] = json!(op);
        self.send_text(frame.to_string()).await;
        loop {
            let frame = self
                .next_frame()
                .await
                .expect("connection closed before the reply");
            if frame.get("Event").is_some() {
                self.events.push_back(frame);
            } else if frame["ReqId"] == id {
                return frame;
            } else {
                panic!("reply to another request: {frame}");
            }
        }
    }

    /// Like [`request`](Self::request), asserting success.
    pub async fn ok(&mut self, op: &str, fields: Value) -> Value {
        let reply = self.request(op, fields).await;
        assert_eq!(reply["ErrorCode"], 0, "{op}: {reply}");
        reply
    }

    /// The next text frame; `None` once the server closed the connection.
    pub async fn next_frame(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("no frame in time");
            match message {
                Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next pushed event.
    pub async fn event(&mut self) -> Value {
        if let Some(event) = self.events.pop_front() {
            return event;
        }
        let frame = self.next_frame().await.expect("connection closed");
        assert!(
            frame.get("Event").is_some(),
            "expected an event, got {frame}"
        );
        frame
    }

    /// Asserts that no event is waiting, by a round trip: any event pushed before the reply to
    /// a ping arrives before that reply.
    pub async fn no_event(&mut self) {
        self.ok("ping", json!({})).await;
        assert!(
            self.events.is_empty(),
            "unexpected events: {:?}",
            self.events
        );
    }

    /// Closes the connection without logging out (a lost link).
    pub async fn drop_link(mut self) {
        let _ = self.socket.close(None).await;
    }
}
