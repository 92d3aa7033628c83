//! Who is connected, in the whole cluster. On one node that is the hub's own registry; in a
//! cluster every node keeps a replica of everyone's connections (see [`replica`]), so that
//! `query_online_status`, the login policies and the online counts answer the same on every
//! node.
//!
//! The hub stays the registry of this node's connections (their queues); presence only answers
//! "who is where".

mod replica;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::Hub;
pub use replica::Reaped;

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

/// The cluster-wide view of connections (or this node's, on its own).
pub struct Presence {
    hub: Arc<Hub>,
    node: Arc<str>,
    replica: Option<replica::Replica>,
}

impl Presence {
    /// One process on its own: the hub knows every connection.
    pub fn local(hub: Arc<Hub>, node: Arc<str>) -> Self {
        Self {
            hub,
            node,
            replica: None,
        }
    }

    /// A node of a cluster: joins the replica kept in NATS's key-value store (bucket
    /// `<cluster>_presence`), and returns once it holds everyone's connections. Connections of
    /// a node that has not been heard from for `node_timeout` are taken out by the others; each
    /// is reported once, on the returned channel, by the node that took it out.
    pub async fn clustered(
        hub: Arc<Hub>,
        node: Arc<str>,
        client: async_nats::Client,
        cluster: &str,
        node_timeout: Duration,
    ) -> Result<(Self, mpsc::Receiver<Reaped>), String> {
        let (replica, reaped) =
            replica::Replica::join(client, hub.clone(), cluster, node.clone(), node_timeout)
                .await?;
        let presence = Self {
            hub,
            node,
            replica: Some(replica),
        };
        Ok((presence, reaped))
    }

    /// This node's name in the cluster.
    pub fn node(&self) -> &Arc<str> {
        &self.node
    }

    /// Records a connection of `user` that the hub registered on this node; returns the user's
    /// other connections in the cluster, oldest first (for the login policies).
    pub async fn connected(&self, app: u64, user: &str, link: Link) -> Vec<Link> {
        match &self.replica {
            Some(replica) => replica.connected(app, user, link).await,
            None => self
                .links_here(app, user)
                .into_iter()
                .filter(|l| l.id != link.id)
                .collect(),
        }
    }

    /// Takes connection `id` of this node out (the hub has forgotten it already).
    pub async fn disconnected(&self, app: u64, user: &str, id: u64) {
        if let Some(replica) = &self.replica {
            replica.disconnected(app, user, id).await;
        }
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
