//! Who is connected, in the whole cluster. On one node that is the hub's own registry; in a
//! cluster every node keeps a replica of everyone's connections (see [`replica`]), so that
//! `query_online_status`, the login policies and the online counts answer the same on every
//! node.
//!
//! The hub stays the registry of this node's connections (their queues); presence only answers
//! "who is where".
//!
//! Presence also keeps each connected user's custom status (the Web SDK's `setSelfStatus`),
//! which ends with the user's last connection, and tells one listener (the status service) of
//! every change to a user's status: online, offline, or a custom status set. In a cluster the
//! status is part of the user's entry in the replica, so every node learns of every change
//! from the replica it already keeps (no message of its own), and a dead node's users lose
//! theirs in the same write that takes their connections out.

mod replica;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{Hub, MarkChange, Registration, RoomMember};
pub use replica::Reaped;

/// A connection just registered.
pub struct Connected {
    pub registration: Registration,
    /// Whether the user had no other connection anywhere.
    pub first: bool,
    /// The user's other connections anywhere, oldest first.
    pub others: Vec<Link>,
}

/// One logged-in connection, on some node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The node that holds it.
    #[serde(rename = "n")]
    pub node: String,
    /// Its number on that node.
    #[serde(rename = "i")]
    pub id: u64,
    #[serde(rename = "p")]
    pub platform: String,
    /// The client's address, for the `State.StateChange` of a connection whose node died.
    #[serde(rename = "a", default)]
    pub client_ip: String,
}

/// A user's status changed: they came online or went offline (anywhere in the cluster), or
/// set a custom status. It says the status the user has after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub app: u64,
    pub user: String,
    pub online: bool,
    /// "" when none.
    pub custom_status: String,
    /// The user set their custom status (to new text or the same): their own devices are told
    /// too, not only those who watch them.
    pub custom_set: bool,
}

/// Why a custom status was not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusNotSet {
    /// The user has no connection (their last one ended meanwhile).
    NotConnected,
    /// A cluster node could not reach NATS.
    Unreachable,
}

type Listener = Box<dyn Fn(StatusChange) + Send + Sync>;

/// The one listener to status changes, once it is set (shared with the replica's watch).
#[derive(Clone, Default)]
pub(crate) struct StatusListener(Arc<OnceLock<Listener>>);

impl StatusListener {
    pub(crate) fn emit(&self, change: StatusChange) {
        if let Some(listener) = self.0.get() {
            listener(change);
        }
    }
}

/// The cluster-wide view of connections (or this node's, on its own).
pub struct Presence {
    hub: Arc<Hub>,
    node: Arc<str>,
    replica: Option<replica::Replica>,
    statuses: StatusListener,
}

impl Presence {
    /// One process on its own: the hub knows every connection.
    pub fn local(hub: Arc<Hub>, node: Arc<str>) -> Self {
        Self {
            hub,
            node,
            replica: None,
            statuses: StatusListener::default(),
        }
    }

    /// A node of a cluster: joins the replica kept in NATS's key-value store (bucket
    /// `<cluster>_presence`), and returns once it holds everyone's connections and live-room
    /// seats (the hub, made with [`Hub::mirroring_rooms`], mirrors the rooms of every node). Connections of
    /// a node that has not been heard from for `node_timeout` are taken out by the others; each
    /// is reported once, on the returned channel, by the node that took it out.
    pub async fn clustered(
        hub: Arc<Hub>,
        node: Arc<str>,
        client: async_nats::Client,
        cluster: &str,
        node_timeout: Duration,
    ) -> Result<(Self, mpsc::Receiver<Reaped>), String> {
        let statuses = StatusListener::default();
        let (replica, reaped) = replica::Replica::join(
            client,
            (hub.clone(), statuses.clone()),
            cluster,
            node.clone(),
            node_timeout,
        )
        .await?;
        let presence = Self {
            hub,
            node,
            replica: Some(replica),
            statuses,
        };
        Ok((presence, reaped))
    }

    /// This node's name in the cluster.
    pub fn node(&self) -> &Arc<str> {
        &self.node
    }

    /// Calls `listener` on every change to a user's status, from now on (one listener; a
    /// second is ignored). In a cluster every node's listener hears every change, once this
    /// node's replica has it; it must be quick (it runs on the replica's task).
    pub fn on_status_change(&self, listener: impl Fn(StatusChange) + Send + Sync + 'static) {
        if self.statuses.0.set(Box::new(listener)).is_err() {
            tracing::error!("a second status listener was ignored");
        }
    }

    /// Tells the listener the status `user` has now on this node alone.
    fn status_changed_here(&self, app: u64, user: &str, custom_set: bool) {
        self.statuses.emit(StatusChange {
            app,
            user: user.to_owned(),
            online: self.hub.is_online(app, user),
            custom_status: self.hub.custom_status(app, user),
            custom_set,
        });
    }

    /// Sets (with "", clears) the custom status of `user`, who must be connected; it ends with
    /// their last connection anywhere.
    pub async fn set_custom_status(
        &self,
        app: u64,
        user: &str,
        text: &str,
    ) -> Result<(), StatusNotSet> {
        match &self.replica {
            Some(replica) => replica.set_custom_status(app, user, text).await,
            None if self.hub.set_custom_status(app, user, text) => {
                self.status_changed_here(app, user, true);
                Ok(())
            }
            None => Err(StatusNotSet::NotConnected),
        }
    }

    /// `user`'s custom status ("" when none).
    pub fn custom_status(&self, app: u64, user: &str) -> String {
        match &self.replica {
            Some(replica) => replica.custom_status(app, user),
            None => self.hub.custom_status(app, user),
        }
    }

    /// Registers a logged-in connection of `user` on this node (with the hub, and in a cluster
    /// with the replica); says whether it is the user's first anywhere and what their other
    /// connections are, oldest first (for the login policies).
    pub async fn connect(
        &self,
        app: u64,
        user: &str,
        platform: &str,
        client_ip: &str,
    ) -> Connected {
        let registration = self.hub.connect(app, user, platform);
        let link = Link {
            node: self.node.to_string(),
            id: registration.id,
            platform: platform.to_owned(),
            client_ip: client_ip.to_owned(),
        };
        match &self.replica {
            Some(replica) => {
                let (others, first) = replica.connected(app, user, link).await;
                Connected {
                    registration,
                    others,
                    first,
                }
            }
            None => {
                if registration.first {
                    self.status_changed_here(app, user, false);
                }
                Connected {
                    first: registration.first,
                    others: self
                        .links_here(app, user)
                        .into_iter()
                        .filter(|l| l.id != link.id)
                        .collect(),
                    registration,
                }
            }
        }
    }

    /// Ends connection `id` of this node. When it was the user's last anywhere, the user also
    /// leaves every live room they were online in; those rooms are returned (empty while other
    /// connections remain). `None` when the connection was already gone.
    pub async fn disconnect(&self, app: u64, user: &str, id: u64) -> Option<Vec<String>> {
        let rooms = self.hub.disconnect(app, user, id)?;
        match &self.replica {
            Some(replica) => Some(replica.disconnected(app, user, id).await),
            None => {
                if !self.hub.is_online(app, user) {
                    self.status_changed_here(app, user, false);
                }
                Some(rooms)
            }
        }
    }

    /// Marks `user` online in the live room `group`; `true` when they were not already. Only a
    /// connected user can be online in a room.
    pub async fn enter_room(&self, app: u64, group: &str, user: &str, join_time: i64) -> bool {
        match &self.replica {
            Some(replica) => replica.enter_room(app, group, user, join_time).await,
            None => self.hub.enter_room(app, group, user, join_time),
        }
    }

    /// Takes `user` out of the room; `true` when they were online in it.
    pub async fn leave_room(&self, app: u64, group: &str, user: &str) -> bool {
        match &self.replica {
            Some(replica) => replica.leave_room(app, group, user).await,
            None => self.hub.leave_room(app, group, user),
        }
    }

    /// Forgets a room (disbanded).
    pub async fn close_room(&self, app: u64, group: &str) {
        match &self.replica {
            Some(replica) => {
                for member in self.hub.room_members(app, group) {
                    replica.leave_room(app, group, &member.account).await;
                }
            }
            None => self.hub.close_room(app, group),
        }
    }

    /// Changes the marks of online members; returns the members that are not online in the
    /// room (their marks are left alone).
    pub async fn change_marks(
        &self,
        app: u64,
        group: &str,
        members: &[String],
        change: &MarkChange,
    ) -> Vec<String> {
        let Some(replica) = &self.replica else {
            return self.hub.change_marks(app, group, members, change);
        };
        let mut offline = Vec::new();
        for member in members {
            if !replica.change_marks(app, group, member, change).await {
                offline.push(member.clone());
            }
        }
        offline
    }

    /// How many members are online in the room (in a cluster the hub mirrors every node's).
    pub fn room_count(&self, app: u64, group: &str) -> usize {
        self.hub.room_count(app, group)
    }

    /// The room's online members in the order they came online, then by ID.
    pub fn room_members(&self, app: u64, group: &str) -> Vec<RoomMember> {
        self.hub.room_members(app, group)
    }

    /// Every connection of `user` in the cluster, oldest first per node.
    pub fn links(&self, app: u64, user: &str) -> Vec<Link> {
        match &self.replica {
            Some(replica) => replica.links(app, user),
            None => self.links_here(app, user),
        }
    }

    /// The platforms `user` is connected on, one entry per connection.
    pub fn platforms(&self, app: u64, user: &str) -> Vec<String> {
        match &self.replica {
            Some(_) => self
                .links(app, user)
                .into_iter()
                .map(|l| l.platform)
                .collect(),
            None => self.hub.platforms(app, user),
        }
    }

    /// Whether `user` is connected anywhere.
    pub fn is_online(&self, app: u64, user: &str) -> bool {
        match &self.replica {
            Some(replica) => !replica.links(app, user).is_empty(),
            None => self.hub.is_online(app, user),
        }
    }

    /// How many users of `app` are connected somewhere.
    pub fn online_count(&self, app: u64) -> usize {
        match &self.replica {
            Some(replica) => replica.online_count(app),
            None => self.hub.online_count(app),
        }
    }

    /// Every user of `app` connected somewhere.
    pub fn online_users(&self, app: u64) -> Vec<String> {
        match &self.replica {
            Some(replica) => replica.online_users(app),
            None => self.hub.online_users(app),
        }
    }

    /// Says goodbye at a clean shutdown, once this node's connections have ended: the other
    /// nodes forget it at once instead of after the timeout, and the replica stops.
    pub async fn leave(&self) {
        if let Some(replica) = &self.replica {
            replica.leave().await;
        }
    }

    fn links_here(&self, app: u64, user: &str) -> Vec<Link> {
        self.hub
            .connections(app, user)
            .into_iter()
            .map(|(id, platform)| Link {
                node: self.node.to_string(),
                id,
                platform,
                client_ip: String::new(),
            })
            .collect()
    }
}

/// The name of one of the cluster's key-value buckets (`<cluster>_<what>`, in the characters
/// bucket names allow).
pub(crate) fn bucket_name(cluster: &str, what: &str) -> String {
    format!("{cluster}_{what}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
