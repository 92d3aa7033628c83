//! Sends events to clients wherever they are connected: straight to this process's hub, or, in
//! a cluster, through NATS to every node, which hands each event to the connections it holds
//! (see `natter_events::Bus`). Services say who an event is for ([`Target`]); a node finds its
//! own connections, so a group message costs each node one look-up of the members it holds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use natter_events::{Bus, Delivery, Hub, Push, Target};
use natter_store::{GroupQuery, MemberCursor, Store};
use rand::Rng;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

/// Deliveries waiting to be published; past this a delivery is dropped (and logged): clients
/// pull what they missed from history when they reconnect.
const PUBLISH_QUEUE: usize = 65_536;

#[derive(Clone)]
pub struct Fanout {
    hub: Arc<Hub>,
    store: Arc<dyn Store>,
    /// This process, in deliveries that skip the connection that caused them.
    node: Arc<str>,
    /// The queue of the task that hands deliveries on, one at a time and in order: to this
    /// node's connections, or (in a cluster) to NATS.
    outgoing: mpsc::Sender<Delivery>,
    clustered: bool,
    /// The NATS link of a cluster node, for the readiness check.
    bus: Option<Bus>,
    /// Markers sent by [`flush`](Self::flush), waiting to come back.
    markers: Arc<Mutex<HashMap<u64, oneshot::Sender<()>>>>,
    next_marker: Arc<AtomicU64>,
}

impl Fanout {
    /// The fanout and the receiving end of its queue, whose task the caller starts.
    fn new(
        hub: Arc<Hub>,
        store: Arc<dyn Store>,
        clustered: bool,
    ) -> (Self, mpsc::Receiver<Delivery>) {
        let (outgoing, queue) = mpsc::channel::<Delivery>(PUBLISH_QUEUE);
        let fanout = Self {
            hub,
            store,
            node: node_id().into(),
            outgoing,
            clustered,
            bus: None,
            markers: Arc::default(),
            next_marker: Arc::default(),
        };
        (fanout, queue)
    }

    /// One process on its own: deliveries go to this node's connections.
    pub fn local(hub: Arc<Hub>, store: Arc<dyn Store>) -> Self {
        let (fanout, mut queue) = Self::new(hub, store, false);
        let worker = fanout.clone();
        tokio::spawn(async move {
            while let Some(delivery) = queue.recv().await {
                worker.deliver_here(delivery).await;
            }
        });
        fanout
    }

    /// A node of a cluster: deliveries go through `bus`, and come back from it (from every
    /// node) to be handed to this node's connections. Subscribes before it returns, so no
    /// delivery published afterwards is missed; the receiving task runs until `stop`.
    pub async fn clustered(
        hub: Arc<Hub>,
        store: Arc<dyn Store>,
        bus: Bus,
        stop: watch::Receiver<bool>,
    ) -> Result<Self, String> {
        let (mut fanout, mut queue) = Self::new(hub, store, true);
        fanout.bus = Some(bus.clone());
        let incoming = bus.deliveries().await?;
        tokio::spawn(async move {
            while let Some(delivery) = queue.recv().await {
                bus.publish(&delivery).await;
            }
        });
        let receiver = fanout.clone();
        let mut stop = stop;
        tokio::spawn(async move {
            futures::pin_mut!(incoming);
            loop {
                let next = tokio::select! {
                    next = futures::StreamExt::next(&mut incoming) => next,
                    _ = stop.wait_for(|s| *s) => return,
                };
                let Some(delivery) = next else {
                    tracing::error!("the NATS subscription ended: no more events from other nodes");
                    return;
                };
                receiver.deliver_here(delivery).await;
            }
        });
        Ok(fanout)
    }

    /// This node's name in the cluster (in deliveries and presence).
    pub fn node(&self) -> Arc<str> {
        self.node.clone()
    }

    /// The NATS link of a cluster node; `None` on a single node.
    pub fn bus(&self) -> Option<&Bus> {
        self.bus.as_ref()
    }

    /// In a cluster, whether this node's link to NATS is up now; `None` on a single node.
    pub fn cluster_link_up(&self) -> Option<bool> {
        self.bus.as_ref().map(Bus::is_connected)
    }

    /// Whether an event of `app` may reach anyone, so that building it is worth the work. In a
    /// cluster other nodes may hold connections, so always.
    pub fn may_reach(&self, app: u64) -> bool {
        self.clustered || self.hub.any_online(app) || self.hub.live().any(app)
    }

    /// Sends `push` to `target`, skipping `except` (a connection of this node). Events leave in
    /// the order they are sent.
    pub fn send(&self, app: u64, target: Target, push: &Push, except: Option<u64>) {
        let except = except.map(|connection| (self.node.to_string(), connection));
        let delivery = Delivery::new(app, target, push, except);
        if self.outgoing.try_send(delivery).is_err() {
            tracing::warn!(app, "event queue full: an event was dropped");
        }
    }

    /// Waits until every event this node sent before has been handed to the connections that
    /// get it (on every node in a cluster, as far as this node's own order goes: its marker
    /// comes back after them). Gives up after a few seconds.
    pub async fn flush(&self) {
        let id = self.next_marker.fetch_add(1, Ordering::Relaxed);
        let (done, wait) = oneshot::channel();
        self.markers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, done);
        let marker = Push::new(natter_events::Priority::High, &Value::Null);
        let target = Target::Marker {
            node: self.node.to_string(),
            id,
        };
        self.send(0, target, &marker, None);
        if tokio::time::timeout(FLUSH_WAIT, wait).await.is_err() {
            self.markers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&id);
        }
    }

    /// Hands a delivery to the connections this node holds.
    async fn deliver_here(&self, delivery: Delivery) {
        let except = delivery.except_here(&self.node);
        let push = delivery.push();
        let app = delivery.app;
        match delivery.target {
            Target::Users(users) => {
                self.hub
                    .send_except(app, users.iter().map(String::as_str), &push, except);
            }
            Target::Room(group_id) => {
                if self.hub.live().has(app, &group_id) && is_message(&delivery.frame) {
                    self.hub.live().record(app, &group_id, push.frame.clone());
                }
                self.hub.send_to_room_except(app, &group_id, &push, except);
            }
            Target::Feed(group_id) => {
                if self.hub.live().any(app) {
                    self.hub.live().end(app, &group_id, push.frame.clone());
                }
            }
            Target::AllRooms => {
                let Ok(mut frame) = serde_json::from_str::<Value>(&delivery.frame) else {
                    return;
                };
                let polled = self.hub.live().rooms(app);
                for room in self.hub.rooms(app) {
                    frame["GroupId"] = Value::String(room.clone());
                    let push = Push::new(push.priority, &frame);
                    self.hub.send_to_room_except(app, &room, &push, except);
                }
                // Viewers who poll a room (the SDK without login) get the broadcast there too.
                for room in polled {
                    frame["GroupId"] = Value::String(room.clone());
                    let push = Push::new(push.priority, &frame);
                    self.hub.live().record(app, &room, push.frame);
                }
            }
            Target::Connection { user, node, id } => {
                if *node == *self.node {
                    self.hub.send_to_connection(app, &user, id, &push);
                }
            }
            Target::Marker { node, id } => {
                if *node == *self.node {
                    let waiter = self
                        .markers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&id);
                    if let Some(done) = waiter {
                        let _ = done.send(());
                    }
                }
            }
            Target::GroupMembers { group_id, only } => {
                match self.members_here(app, &group_id, &only).await {
                    Ok(members) => {
                        self.hub.send_except(
                            app,
                            members.iter().map(String::as_str),
                            &push,
                            except,
                        );
                    }
                    Err(e) => tracing::warn!(group_id, error = %e, "event not pushed"),
                }
            }
        }
    }

    /// Members of a group connected to this node (those of `only`, when not empty). Reads the
    /// smaller side: the rows of the users online here, or the group's member list.
    async fn members_here(
        &self,
        app: u64,
        group_id: &str,
        only: &[String],
    ) -> Result<Vec<String>, natter_store::StoreError> {
        let mut candidates = if only.is_empty() {
            self.hub.online_users(app)
        } else {
            only.iter()
                .filter(|u| self.hub.is_online(app, u))
                .cloned()
                .collect()
        };
        if candidates.is_empty() {
            return Ok(candidates);
        }
        if candidates.len() > MEMBER_LOOKUP_LIMIT {
            let members = self
                .store
                .group_members(
                    app,
                    group_id.to_owned(),
                    MemberCursor::Offset(0),
                    Vec::new(),
                    usize::MAX >> 1,
                )
                .await?;
            let candidates: std::collections::HashSet<String> = candidates.into_iter().collect();
            return Ok(members
                .into_iter()
                .map(|m| m.member)
                .filter(|m| candidates.contains(m))
                .collect());
        }
        let snap = self
            .store
            .group_snapshot(
                app,
                group_id.to_owned(),
                GroupQuery::accounts(candidates.clone()),
            )
            .await?;
        candidates.retain(|c| snap.members.contains_key(c));
        Ok(candidates)
    }
}

/// Whether a room's event frame is a message, which its feed of recent messages keeps.
fn is_message(frame: &str) -> bool {
    serde_json::from_str::<Value>(frame).is_ok_and(|v| v["Event"] == "GroupMsg")
}

/// Longest a flush waits for its marker.
const FLUSH_WAIT: Duration = Duration::from_secs(5);

/// Past this many users online on a node, a group's members are found by reading the group
/// (at most its member cap) rather than by looking each online user up.
const MEMBER_LOOKUP_LIMIT: usize = 2_000;

fn node_id() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}
