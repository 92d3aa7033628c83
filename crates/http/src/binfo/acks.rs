//! Acknowledged message pushes. A message push (C2C or group) carries `NeedAck: 1` and a
//! `SessionData` naming it (the push's `seq` on this connection, as text); the SDK answers with
//! `openim.ws_msg_push_ack` carrying that `SessionData` and expects no reply. The connection keeps
//! the pushes not acknowledged yet ([`Unacked`], at most [`MAX_UNACKED`]) and sends each again,
//! byte for byte, when [`RESEND_AFTER`] passed without its ack (the SDK drops a message it
//! already has: it keys them by from, to, random, sequence and time). A push still unacknowledged
//! after [`MAX_RESENDS`] resends, or more than [`MAX_UNACKED`] pending, means the client is not
//! listening: the connection is closed, and the SDK reconnects and catches up with
//! `openim.getmsg`.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

/// How long a push waits for its ack before it is sent again.
pub const RESEND_AFTER: Duration = Duration::from_secs(3);
/// Resends of one push before the connection is given up.
pub const MAX_RESENDS: u32 = 2;
/// Pushes waiting for their ack, at most; one more closes the connection.
pub const MAX_UNACKED: usize = 512;
/// How often the connection looks for pushes to resend.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// One-to-one messages (pushed to the connection or sent from it) after which the next one-to-one
/// push carries `Flag: 1`. The SDK's catch-up cookie only moves when it calls `openim.getmsg`, and
/// after a reconnect it treats the messages of every page but the last as old (no
/// MESSAGE_RECEIVED, and a later push of them is ignored). `Flag: 1` makes it sync online, so its
/// cookie lags little and a reconnect's catch-up fits one page (`GETMSG_PAGE`, 20).
pub const SYNC_EVERY: u32 = 10;

/// Counts a connection's one-to-one messages since its last `openim.getmsg`.
#[derive(Default)]
pub struct SyncNudge {
    since_sync: u32,
}

impl SyncNudge {
    /// Called for each push body before it is written: marks every [`SYNC_EVERY`]th one-to-one
    /// message push with `Flag: 1` (the SDK's `needSync`).
    pub fn on_push(&mut self, body: &mut Value) {
        let c2c = body["EventArray"]
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e.get("C2cMsgArray").is_some()));
        if !c2c {
            return;
        }
        self.since_sync += 1;
        if self.since_sync > SYNC_EVERY {
            self.since_sync = 0;
            if let Some(fields) = body.as_object_mut() {
                fields.insert("Flag".into(), Value::from(1));
            }
        }
    }

    /// Called for each request: `openim.getmsg` makes the SDK's cookie current, `openim.sendmsg`
    /// adds a message its next catch-up pages through.
    pub fn on_request(&mut self, servcmd: &str) {
        match servcmd {
            "openim.getmsg" => self.since_sync = 0,
            "openim.sendmsg" => self.since_sync += 1,
            _ => {}
        }
    }
}

/// The `MsgRandom`s of the one-to-one messages this connection sent, so that the copy of one of
/// them sent to the user's "other connections" is not pushed back to the SDK instance that sent
/// it. That happens after a reconnect: the old socket's `sendmsg` is stored while the new socket
/// logs in, and the SDK (which re-sends the request on the new socket) would list the copy as a
/// second message.
#[derive(Default)]
pub struct OwnSends {
    randoms: VecDeque<u64>,
}

/// How many of a connection's own sends are remembered.
const OWN_SENDS_KEPT: usize = 256;

impl OwnSends {
    /// Called for each request with its body.
    pub fn on_request(&mut self, servcmd: &str, body: &Value) {
        if servcmd != "openim.sendmsg" {
            return;
        }
        if let Some(random) = body["MsgRandom"].as_u64() {
            if self.randoms.len() == OWN_SENDS_KEPT {
                self.randoms.pop_front();
            }
            self.randoms.push_back(random);
        }
    }

    /// True for a push of a one-to-one message `me` sent from this connection.
    pub fn is_own(&self, body: &Value, me: &str) -> bool {
        body["EventArray"].as_array().is_some_and(|events| {
            events.iter().any(|event| {
                event["C2cMsgArray"].as_array().is_some_and(|items| {
                    items.iter().any(|item| {
                        item["From_Account"] == me
                            && item["MsgRandom"]
                                .as_u64()
                                .is_some_and(|r| self.randoms.contains(&r))
                    })
                })
            })
        })
    }
}

/// What a connection keeps about its pushes.
#[derive(Default)]
pub struct Delivery {
    pub unacked: Unacked,
    pub nudge: SyncNudge,
    pub own: OwnSends,
}

impl Delivery {
    /// Called for each request the connection serves.
    pub fn on_request(&mut self, servcmd: &str, body: &Value) {
        self.nudge.on_request(servcmd);
        self.own.on_request(servcmd, body);
    }
}

/// True for the pushes the SDK acknowledges: messages (C2C and group), the ones it would miss.
pub fn needs_ack(body: &Value) -> bool {
    body["EventArray"].as_array().is_some_and(|events| {
        events
            .iter()
            .any(|event| event.get("C2cMsgArray").is_some() || event.get("GroupMsgArray").is_some())
    })
}

/// Marks a push body for acknowledgement under `id`.
pub fn mark(body: &mut Value, id: u64) {
    if let Some(fields) = body.as_object_mut() {
        fields.insert("NeedAck".into(), Value::from(1));
        fields.insert("SessionData".into(), Value::from(id.to_string()));
    }
}

/// The push an ack's `SessionData` names, if it is one of ours.
pub fn acked_id(session_data: &Value) -> Option<u64> {
    match session_data {
        Value::String(text) => text.parse().ok(),
        other => other.as_u64(),
    }
}

struct Pending {
    id: u64,
    frame: Vec<u8>,
    sent_at: Instant,
    resends: u32,
}

/// What the connection must do now about its unacknowledged pushes.
#[derive(Debug, PartialEq, Eq)]
pub enum Due {
    /// Send these frames again (possibly none).
    Resend(Vec<Vec<u8>>),
    /// The client does not acknowledge: close the connection.
    GiveUp,
}

/// The pushes of one connection that wait for their ack, oldest first.
#[derive(Default)]
pub struct Unacked {
    pending: VecDeque<Pending>,
}

impl Unacked {
    /// Remembers a push just sent. False when too many wait already (the connection should
    /// close).
    pub fn track(&mut self, id: u64, frame: Vec<u8>, now: Instant) -> bool {
        if self.pending.len() >= MAX_UNACKED {
            return false;
        }
        self.pending.push_back(Pending {
            id,
            frame,
            sent_at: now,
            resends: 0,
        });
        true
    }

    /// Forgets the push an ack names; false when none waits under that name.
    pub fn ack(&mut self, session_data: &Value) -> bool {
        let Some(id) = acked_id(session_data) else {
            return false;
        };
        match self.pending.iter().position(|p| p.id == id) {
            Some(i) => {
                self.pending.remove(i);
                true
            }
            None => false,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// The pushes to send again at `now`, or [`Due::GiveUp`] when one was resent
    /// [`MAX_RESENDS`] times and waited [`RESEND_AFTER`] once more.
    pub fn due(&mut self, now: Instant) -> Due {
        let mut resend = Vec::new();
        for pending in &mut self.pending {
            if now.saturating_duration_since(pending.sent_at) < RESEND_AFTER {
                continue;
            }
            if pending.resends >= MAX_RESENDS {
                return Due::GiveUp;
            }
            pending.resends += 1;
            pending.sent_at = now;
            resend.push(pending.frame.clone());
        }
        Due::Resend(resend)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn message_pushes_are_marked_with_their_name() {
        let mut c2c = json!({"EventArray": [{"Event": 9, "C2cMsgArray": [{}]}]});
        assert!(needs_ack(&c2c));
        mark(&mut c2c, 42);
        assert_eq!(c2c["NeedAck"], 1);
        assert_eq!(c2c["SessionData"], "42");
        assert_eq!(acked_id(&c2c["SessionData"]), Some(42));
        assert_eq!(acked_id(&json!(7)), Some(7));
        assert_eq!(acked_id(&json!("x")), None);
        assert!(needs_ack(
            &json!({"EventArray": [{"Event": 3, "GroupMsgArray": [{}]}]})
        ));
        let recall = json!({"EventArray": [{"Event": 9, "C2cNotifyMsgArray": [{}]}]});
        assert!(!needs_ack(&recall));
    }

    #[test]
    fn an_acked_push_is_forgotten_and_an_unacked_one_resent_identically() {
        let t0 = Instant::now();
        let mut unacked = Unacked::default();
        assert!(unacked.track(1, b"one".to_vec(), t0));
        assert!(unacked.track(2, b"two".to_vec(), t0));
        assert!(unacked.ack(&json!("1")));
        assert!(!unacked.ack(&json!("1")), "an ack counts once");
        assert!(!unacked.ack(&json!("99")));
        assert_eq!(unacked.len(), 1);

        assert_eq!(
            unacked.due(t0 + Duration::from_millis(100)),
            Due::Resend(vec![])
        );
        let later = t0 + RESEND_AFTER;
        assert_eq!(unacked.due(later), Due::Resend(vec![b"two".to_vec()]));
        // Not again until another RESEND_AFTER has passed.
        assert_eq!(
            unacked.due(later + Duration::from_secs(1)),
            Due::Resend(vec![])
        );
        assert!(unacked.ack(&json!(2)));
        assert_eq!(unacked.due(later + RESEND_AFTER * 5), Due::Resend(vec![]));
    }

    #[test]
    fn a_client_that_never_acks_is_given_up() {
        let mut now = Instant::now();
        let mut unacked = Unacked::default();
        unacked.track(1, b"one".to_vec(), now);
        for _ in 0..MAX_RESENDS {
            now += RESEND_AFTER;
            assert_eq!(unacked.due(now), Due::Resend(vec![b"one".to_vec()]));
        }
        now += RESEND_AFTER;
        assert_eq!(unacked.due(now), Due::GiveUp);
    }

    #[test]
    fn a_c2c_push_after_sync_every_messages_asks_for_a_sync() {
        let mut nudge = SyncNudge::default();
        let c2c = json!({"EventArray": [{"Event": 9, "C2cMsgArray": [{}]}]});
        let group = json!({"EventArray": [{"Event": 3, "GroupMsgArray": [{}]}]});
        let flagged = |nudge: &mut SyncNudge, body: &Value| {
            let mut body = body.clone();
            nudge.on_push(&mut body);
            body.get("Flag").is_some()
        };
        for _ in 0..SYNC_EVERY / 2 {
            assert!(!flagged(&mut nudge, &c2c));
            assert!(!flagged(&mut nudge, &group));
            nudge.on_request("openim.sendmsg");
        }
        assert!(
            flagged(&mut nudge, &c2c),
            "the next push after SYNC_EVERY messages"
        );
        assert!(!flagged(&mut nudge, &c2c));
        // A sync of the SDK's own starts the count again.
        for _ in 2..SYNC_EVERY {
            assert!(!flagged(&mut nudge, &c2c));
        }
        nudge.on_request("openim.getmsg");
        nudge.on_request("heartbeat.alive");
        assert!(!flagged(&mut nudge, &c2c));
    }

    #[test]
    fn a_copy_of_a_message_this_connection_sent_is_recognised() {
        let mut own = OwnSends::default();
        own.on_request(
            "openim.sendmsg",
            &json!({"To_Account": "bob", "MsgRandom": 5}),
        );
        own.on_request("openim.getmsg", &json!({"MsgRandom": 6}));
        let push = |from: &str, random: u64| {
            json!({"EventArray": [{"Event": 9, "C2cMsgArray": [
                {"From_Account": from, "To_Account": "x", "MsgRandom": random}]}]})
        };
        assert!(own.is_own(&push("alice", 5), "alice"));
        assert!(!own.is_own(&push("alice", 6), "alice"));
        assert!(
            !own.is_own(&push("bob", 5), "alice"),
            "bob's message with the same random"
        );
    }

    #[test]
    fn pending_pushes_are_bounded() {
        let now = Instant::now();
        let mut unacked = Unacked::default();
        for id in 0..MAX_UNACKED as u64 {
            assert!(unacked.track(id, Vec::new(), now));
        }
        assert!(!unacked.track(u64::MAX, Vec::new(), now));
        assert!(unacked.ack(&json!("0")));
        assert!(unacked.track(u64::MAX, Vec::new(), now));
    }
}
