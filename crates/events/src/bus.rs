//! Deliveries between nodes. In one process, a delivery goes straight to the hub; in a cluster
//! every node publishes its deliveries on NATS and every node (itself included) takes each one
//! and hands it to the connections it holds, so a client receives what any node caused.
//!
//! One subject per cluster (`<cluster>.push`): NATS keeps the order of one publisher's
//! messages, so the events one node causes reach every client in the order they happened.

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::{Priority, Push};

/// Who a delivery is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Every connection of these users.
    Users(Vec<String>),
    /// Everyone online in this AVChatRoom.
    Room(String),
    /// The viewers who long-poll this AVChatRoom without taking pushes: the notice that the
    /// room is gone, which each node keeps as its feed's last frame.
    Feed(String),
    /// Everyone online in any AVChatRoom of the app; each gets the frame with its room's
    /// `GroupId` set.
    AllRooms,
    /// The members of this group who are connected (a node finds its own), or only those of
    /// them named in `only` when it is not empty.
    GroupMembers { group_id: String, only: Vec<String> },
    /// One connection of `user` on `node` (a login policy pushing out an older device).
    Connection { user: String, node: String, id: u64 },
    /// No one: a marker a node sends itself, to know when everything it sent before has been
    /// handed on (NATS keeps one publisher's order).
    Marker { node: String, id: u64 },
}

/// One event on its way to clients.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub app: u64,
    pub target: Target,
    pub priority: u8,
    pub frame: String,
    /// `(node, connection)` whose request caused it: that connection has its reply already.
    pub except: Option<(String, u64)>,
}

impl Delivery {
    pub fn new(app: u64, target: Target, push: &Push, except: Option<(String, u64)>) -> Self {
        Self {
            app,
            target,
            priority: push.priority.number(),
            frame: push.frame.to_string(),
            except,
        }
    }

    pub fn push(&self) -> Push {
        Push {
            priority: Priority::from_number(u32::from(self.priority)),
            frame: self.frame.as_str().into(),
        }
    }

    /// The connection of this node to skip, if the delivery came from one of its own.
    pub fn except_here(&self, node: &str) -> Option<u64> {
        self.except
            .as_ref()
            .filter(|(n, _)| n == node)
            .map(|(_, connection)| *connection)
    }
}

/// The NATS side of a cluster.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    subject: String,
}

impl Bus {
    /// Connects to NATS at `url`; deliveries go on `<cluster>.push`.
    pub async fn connect(url: &str, cluster: &str) -> Result<Self, String> {
        let client = async_nats::connect(url)
            .await
            .map_err(|e| format!("connecting to NATS at {url}: {e}"))?;
        Ok(Self {
            client,
            subject: format!("{cluster}.push"),
        })
    }

    /// The NATS client, shared with the cluster's presence replica.
    pub fn client(&self) -> async_nats::Client {
        self.client.clone()
    }

    /// Whether the link to NATS is up now (the client reconnects by itself after a loss).
    pub fn is_connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Publishes a delivery for every node (this one included). A failure is logged: an event
    /// is a courtesy to connected clients, who pull history on reconnect anyway.
    pub async fn publish(&self, delivery: &Delivery) {
        let payload = match serde_json::to_vec(delivery) {
            Ok(payload) => payload,
            Err(e) => {
                tracing::error!(error = %e, "delivery not encoded");
                return;
            }
        };
        if let Err(e) = self
            .client
            .publish(self.subject.clone(), payload.into())
            .await
        {
            tracing::warn!(error = %e, "delivery not published");
        }
    }

    /// Every delivery published in the cluster, in each publisher's order, until the
    /// connection ends.
    pub async fn deliveries(
        &self,
    ) -> Result<impl futures::Stream<Item = Delivery> + Send + 'static, String> {
        let subscriber = self
            .client
            .subscribe(self.subject.clone())
            .await
            .map_err(|e| format!("subscribing to {}: {e}", self.subject))?;
        // Make sure the subscription is registered before anything is published.
        self.client
            .flush()
            .await
            .map_err(|e| format!("flushing the NATS connection: {e}"))?;
        Ok(subscriber.filter_map(|message| async move {
            match serde_json::from_slice(&message.payload) {
                Ok(delivery) => Some(delivery),
                Err(e) => {
                    tracing::warn!(error = %e, "undecodable delivery ignored");
                    None
                }
            }
        }))
    }
}
