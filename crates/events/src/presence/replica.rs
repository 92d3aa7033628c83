//! The cluster's connections, kept in NATS's key-value store (JetStream) and replicated on every
//! node.
//!
//! One key per user (`u.<app>.<user in hex>`) holds the user's connections on every node and
//! the live rooms they are online in (with their marks), and every change to it is a
//! compare-and-set on the key's revision: two nodes changing the same
//! user never lose each other's change, and whoever's write took a connection out knows it did
//! (so a dead node's connections are reported once). Every node watches the whole bucket and
//! applies each change to its replica in the bucket's order; a node waits until its replica has
//! applied its own write before answering, so it reads what it wrote.
//!
//! The same key holds the user's custom status (with how many times it was set since they came
//! online), so it goes with their last connection in the same write; each node, applying a
//! change to a user's connections or status, tells its status listener.
//!
//! Each node also writes `n.<node>` every third of the node timeout. A node not heard from for
//! the whole timeout is dead: the others take its connections out (each reports the ones its
//! own write removed) and delete its key. A node that was only cut off puts its live
//! connections back when it is heard again (each tick checks them against the replica).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, kv};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};

use serde::{Deserialize, Serialize};

use super::{Link, StatusChange, StatusListener, StatusNotSet};
use crate::{Hub, MarkChange};

/// A connection taken out of the cluster because its node died, reported by the node that took
/// it out.
#[derive(Debug, Clone)]
pub struct Reaped {
    pub app: u64,
    pub user: String,
    pub link: Link,
    /// The live rooms the user went offline in, when this was their last connection.
    pub rooms_left: Vec<String>,
}

/// One user's value in the bucket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UserEntry {
    /// Their connections, in the order the cluster recorded them.
    #[serde(rename = "c", default)]
    links: Vec<Link>,
    /// The live rooms they are online in.
    #[serde(rename = "r", default, skip_serializing_if = "BTreeMap::is_empty")]
    rooms: BTreeMap<String, Seat>,
    /// Their custom status (the Web SDK's `setSelfStatus`).
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    custom_status: String,
    /// How many times they set it since they came online: a set to the same text is a change
    /// too (their devices and watchers are told of each).
    #[serde(rename = "v", default, skip_serializing_if = "is_zero")]
    custom_sets: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Being online in one live room.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Seat {
    /// When they joined the group (Unix seconds).
    #[serde(rename = "t")]
    join_time: i64,
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    marks: Vec<u64>,
}

impl UserEntry {
    /// Takes the connections `gone` picks out; when none remain, the custom status and the
    /// rooms go too (the rooms returned).
    fn drop_links(&mut self, gone: impl Fn(&Link) -> bool) -> Vec<String> {
        self.links.retain(|l| !gone(l));
        if self.links.is_empty() {
            self.custom_status.clear();
            self.custom_sets = 0;
            std::mem::take(&mut self.rooms).into_keys().collect()
        } else {
            Vec::new()
        }
    }
}

/// How often a compare-and-set is tried again when another node changed the user meanwhile.
const CAS_ATTEMPTS: usize = 32;
/// Longest a node waits for its replica to apply its own write.
const APPLY_WAIT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct View {
    /// Connections by app, then user.
    users: HashMap<u64, HashMap<String, Vec<Link>>>,
    /// Every node known (by heartbeat or by a connection it holds), and when it was last heard.
    heard: HashMap<String, Instant>,
    /// (app, user) → custom status and how many times it was set, for users who set one.
    custom: HashMap<(u64, String), (String, u64)>,
}

#[derive(Clone)]
pub(super) struct Replica {
    kv: kv::Store,
    node: Arc<str>,
    hub: Arc<Hub>,
    statuses: StatusListener,
    view: Arc<Mutex<View>>,
    /// The bucket revision the view has applied up to.
    applied: watch::Receiver<u64>,
    /// Set by [`leave`](Self::leave): the replica's tasks end.
    stop: Arc<watch::Sender<bool>>,
}

/// What one compare-and-set did.
struct Change {
    /// The user's entry just before it.
    before: UserEntry,
    /// Whether it wrote (`false`: nothing needed changing).
    wrote: bool,
}

impl Replica {
    pub(super) async fn join(
        client: async_nats::Client,
        (hub, statuses): (Arc<Hub>, StatusListener),
        cluster: &str,
        node: Arc<str>,
        node_timeout: Duration,
    ) -> Result<(Self, mpsc::Receiver<Reaped>), String> {
        let kv = bucket(jetstream::new(client), cluster).await?;
        let (applied_tx, applied) = watch::channel(0u64);
        let (stop_tx, stop) = watch::channel(false);
        let replica = Self {
            kv,
            node,
            hub,
            statuses,
            view: Arc::default(),
            applied,
            stop: Arc::new(stop_tx),
        };
        // The node's first heartbeat is the newest entry when the watch starts: once it is
        // applied, so is everything written before.
        let revision = replica.heartbeat().await?;
        tokio::spawn(replica.clone().watch(applied_tx, stop.clone()));
        if !replica.wait_applied(revision).await {
            return Err("the presence replica did not load from NATS in time".into());
        }
        let (reaped_tx, reaped) = mpsc::channel(1024);
        tokio::spawn(replica.clone().tick(node_timeout, reaped_tx, stop));
        Ok((replica, reaped))
    }

    fn view(&self) -> MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records `link`; the user's other connections, and whether it is their first.
    pub(super) async fn connected(&self, app: u64, user: &str, link: Link) -> (Vec<Link>, bool) {
        let new = link.clone();
        let change = self
            .change(app, user, move |entry| {
                let known = entry
                    .links
                    .iter()
                    .any(|l| l.node == new.node && l.id == new.id);
                if !known {
                    entry.links.push(new.clone());
                }
                !known
            })
            .await;
        let before = match change {
            Some(change) => change.before.links,
            // NATS is unreachable: the connections this node knows.
            None => self.links(app, user),
        };
        let others: Vec<Link> = before
            .into_iter()
            .filter(|l| !(l.node == link.node && l.id == link.id))
            .collect();
        let first = others.is_empty();
        (others, first)
    }

    /// Takes this node's connection `id` out; the rooms the user left if it was their last.
    pub(super) async fn disconnected(&self, app: u64, user: &str, id: u64) -> Vec<String> {
        let node = self.node.clone();
        let left = Arc::new(Mutex::new(Vec::new()));
        let out = left.clone();
        // Always written, even when the connection is not there: a re-assertion of it that read
        // the key before this (see `reassert`) then fails its compare-and-set and looks again.
        self.change(app, user, move |entry| {
            let rooms = entry.drop_links(|l| *l.node == *node && l.id == id);
            *out.lock().unwrap_or_else(|e| e.into_inner()) = rooms;
            true
        })
        .await;
        let rooms = std::mem::take(&mut *left.lock().unwrap_or_else(|e| e.into_inner()));
        rooms
    }

    /// Seats `user` in a live room; `false` when they are not connected or already there.
    pub(super) async fn enter_room(
        &self,
        app: u64,
        group: &str,
        user: &str,
        join_time: i64,
    ) -> bool {
        let change = self
            .change(app, user, |entry| {
                if entry.links.is_empty() || entry.rooms.contains_key(group) {
                    return false;
                }
                let seat = Seat {
                    join_time,
                    marks: Vec::new(),
                };
                entry.rooms.insert(group.to_owned(), seat);
                true
            })
            .await;
        matches!(change, Some(Change { wrote: true, .. }))
    }

    /// Takes `user` out of a live room; `true` when they were in it.
    pub(super) async fn leave_room(&self, app: u64, group: &str, user: &str) -> bool {
        let change = self
            .change(app, user, |entry| entry.rooms.remove(group).is_some())
            .await;
        matches!(change, Some(Change { wrote: true, .. }))
    }

    /// Changes `user`'s marks in a room; `false` when they are not online in it.
    pub(super) async fn change_marks(
        &self,
        app: u64,
        group: &str,
        user: &str,
        change: &MarkChange,
    ) -> bool {
        let result = self
            .change(app, user, |entry| {
                let Some(seat) = entry.rooms.get_mut(group) else {
                    return false;
                };
                match change {
                    MarkChange::Add(add) => {
                        seat.marks.extend(add);
                        seat.marks.sort_unstable();
                        seat.marks.dedup();
                    }
                    MarkChange::Remove(remove) => seat.marks.retain(|m| !remove.contains(m)),
                }
                true
            })
            .await;
        // Online in the room whether or not the marks changed.
        result.is_some_and(|change| change.before.rooms.contains_key(group))
    }

    /// Sets `user`'s custom status, if they are connected somewhere.
    pub(super) async fn set_custom_status(
        &self,
        app: u64,
        user: &str,
        text: &str,
    ) -> Result<(), StatusNotSet> {
        let change = self
            .change(app, user, |entry| {
                if entry.links.is_empty() {
                    return false;
                }
                entry.custom_status = text.to_owned();
                entry.custom_sets += 1;
                true
            })
            .await;
        match change {
            Some(Change { wrote: true, .. }) => Ok(()),
            Some(_) => Err(StatusNotSet::NotConnected),
            None => Err(StatusNotSet::Unreachable),
        }
    }

    pub(super) fn custom_status(&self, app: u64, user: &str) -> String {
        self.view()
            .custom
            .get(&(app, user.to_owned()))
            .map(|(text, _)| text.clone())
            .unwrap_or_default()
    }

    pub(super) fn links(&self, app: u64, user: &str) -> Vec<Link> {
        self.view()
            .users
            .get(&app)
            .and_then(|users| users.get(user))
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn online_count(&self, app: u64) -> usize {
        self.view().users.get(&app).map_or(0, HashMap::len)
    }

    pub(super) fn online_users(&self, app: u64) -> Vec<String> {
        self.view()
            .users
            .get(&app)
            .map(|users| users.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub(super) async fn leave(&self) {
        self.stop.send_replace(true);
        if let Err(e) = self.kv.delete(node_key(&self.node)).await {
            tracing::warn!(error = %e, "presence: goodbye not written");
        }
    }

    /// Changes `user`'s connections with `edit` (which says whether it changed anything) by
    /// compare-and-set, and waits until this node's replica has the result. `None` when NATS
    /// could not be reached.
    async fn change(
        &self,
        app: u64,
        user: &str,
        edit: impl Fn(&mut UserEntry) -> bool,
    ) -> Option<Change> {
        let key = user_key(app, user);
        for _ in 0..CAS_ATTEMPTS {
            let entry = match self.kv.entry(key.as_str()).await {
                Ok(entry) => entry,
                Err(e) => {
                    tracing::warn!(app, user, error = %e, "presence: not read from NATS");
                    return None;
                }
            };
            let (before, revision) = match entry {
                Some(entry) => (decode(&entry), Some(entry.revision)),
                None => (UserEntry::default(), None),
            };
            let mut after = before.clone();
            if !edit(&mut after) {
                return Some(Change {
                    before,
                    wrote: false,
                });
            }
            let value = serde_json::to_vec(&after).expect("entries encode").into();
            let written = match revision {
                Some(revision) => match self.kv.update(key.as_str(), value, revision).await {
                    Ok(revision) => Ok(revision),
                    Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => continue,
                    Err(e) => Err(e.to_string()),
                },
                None => match self.kv.create(key.as_str(), value).await {
                    Ok(revision) => Ok(revision),
                    Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => continue,
                    Err(e) => Err(e.to_string()),
                },
            };
            return match written {
                Ok(revision) => {
                    self.wait_applied(revision).await;
                    Some(Change {
                        before,
                        wrote: true,
                    })
                }
                Err(e) => {
                    tracing::warn!(app, user, error = %e, "presence: not written to NATS");
                    None
                }
            };
        }
        tracing::warn!(app, user, "presence: too many concurrent changes; gave up");
        None
    }

    async fn wait_applied(&self, revision: u64) -> bool {
        let mut applied = self.applied.clone();
        let reached = tokio::time::timeout(APPLY_WAIT, applied.wait_for(|a| *a >= revision)).await;
        matches!(reached, Ok(Ok(_)))
    }

    async fn heartbeat(&self) -> Result<u64, String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        self.kv
            .put(node_key(&self.node), now.to_string().into())
            .await
            .map_err(|e| format!("presence: heartbeat not written to NATS: {e}"))
    }

    /// Applies every change of the bucket, in order, for as long as the node runs; after a lost
    /// link it resumes after the last change it applied.
    async fn watch(self, applied: watch::Sender<u64>, mut stop: watch::Receiver<bool>) {
        loop {
            let from = *applied.borrow();
            let watch = if from == 0 {
                // The newest entry of every key, then every change.
                self.kv.watch_with_history(">").await
            } else {
                self.kv.watch_all_from_revision(from + 1).await
            };
            match watch {
                Ok(mut watch) => loop {
                    let entry = tokio::select! {
                        entry = watch.next() => entry,
                        _ = stop.wait_for(|s| *s) => return,
                    };
                    match entry {
                        Some(Ok(entry)) => {
                            self.apply(&entry);
                            applied.send_replace(entry.revision);
                        }
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "presence: watch failed; resuming");
                            break;
                        }
                        None => break,
                    }
                },
                Err(e) => tracing::warn!(error = %e, "presence: watch not started; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    fn apply(&self, entry: &kv::Entry) {
        let put = entry.operation == kv::Operation::Put;
        let mut view = self.view();
        if let Some(node) = entry.key.strip_prefix("n.") {
            if put {
                view.heard.insert(node.to_owned(), Instant::now());
            } else {
                view.heard.remove(node);
            }
            return;
        }
        let Some((app, user)) = parse_user_key(&entry.key) else {
            return;
        };
        let entry = if put {
            decode(entry)
        } else {
            UserEntry::default()
        };
        let now = Instant::now();
        for link in &entry.links {
            view.heard.entry(link.node.clone()).or_insert(now);
        }
        let seats: Vec<(String, i64, Vec<u64>)> = entry
            .rooms
            .into_iter()
            .map(|(group, seat)| (group, seat.join_time, seat.marks))
            .collect();
        self.hub.set_seats(app, &user, &seats);
        let was_online = view.users.get(&app).is_some_and(|u| u.contains_key(&user));
        let online = !entry.links.is_empty();
        let users = view.users.entry(app).or_default();
        if online {
            users.insert(user.clone(), entry.links);
        } else {
            users.remove(&user);
            if users.is_empty() {
                view.users.remove(&app);
            }
        }
        let key = (app, user);
        let custom = (entry.custom_status, entry.custom_sets);
        let had = if custom.1 == 0 {
            view.custom.remove(&key)
        } else {
            view.custom.insert(key.clone(), custom.clone())
        }
        .unwrap_or_default();
        drop(view);
        if was_online != online || had != custom {
            self.statuses.emit(StatusChange {
                app,
                user: key.1,
                online,
                custom_set: custom.1 != 0 && custom.1 != had.1,
                custom_status: custom.0,
            });
        }
    }

    /// Every third of the timeout: the heartbeat, the dead nodes' connections taken out, and
    /// this node's live connections put back where the replica lacks them.
    async fn tick(
        self,
        node_timeout: Duration,
        reaped: mpsc::Sender<Reaped>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut every = tokio::time::interval((node_timeout / 3).max(Duration::from_millis(100)));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Err(e) = self.heartbeat().await {
                tracing::warn!("{e}");
                continue;
            }
            for dead in self.silent_nodes(node_timeout) {
                self.reap(&dead, &reaped).await;
            }
            self.reassert().await;
        }
    }

    fn silent_nodes(&self, node_timeout: Duration) -> Vec<String> {
        let mut view = self.view();
        let now = Instant::now();
        let holders: HashSet<String> = view
            .users
            .values()
            .flat_map(|users| users.values().flatten().map(|l| l.node.clone()))
            .collect();
        for node in holders {
            view.heard.entry(node).or_insert(now);
        }
        view.heard
            .iter()
            .filter(|(node, heard)| {
                node.as_str() != &*self.node && now.duration_since(**heard) >= node_timeout
            })
            .map(|(node, _)| node.clone())
            .collect()
    }

    /// Takes a dead node's connections out; reports each that this node's write removed.
    async fn reap(&self, dead: &str, reaped: &mpsc::Sender<Reaped>) {
        let holding: Vec<(u64, String)> = {
            let view = self.view();
            view.users
                .iter()
                .flat_map(|(app, users)| {
                    users
                        .iter()
                        .filter(|(_, links)| links.iter().any(|l| l.node == dead))
                        .map(|(user, _)| (*app, user.clone()))
                })
                .collect()
        };
        tracing::warn!(
            node = dead,
            users = holding.len(),
            "presence: a node went silent; its connections are offline"
        );
        for (app, user) in holding {
            let left = Arc::new(Mutex::new(Vec::new()));
            let out = left.clone();
            let change = self
                .change(app, &user, move |entry| {
                    let before = entry.links.len();
                    let rooms = entry.drop_links(|l| l.node == dead);
                    *out.lock().unwrap_or_else(|e| e.into_inner()) = rooms;
                    entry.links.len() != before
                })
                .await;
            let Some(Change {
                before,
                wrote: true,
            }) = change
            else {
                continue;
            };
            let mut rooms_left =
                std::mem::take(&mut *left.lock().unwrap_or_else(|e| e.into_inner()));
            let gone: Vec<Link> = before
                .links
                .into_iter()
                .filter(|l| l.node == dead)
                .collect();
            let last = gone.len().saturating_sub(1);
            for (i, link) in gone.into_iter().enumerate() {
                let report = Reaped {
                    app,
                    user: user.clone(),
                    link,
                    // Reported with the user's last connection.
                    rooms_left: if i == last {
                        std::mem::take(&mut rooms_left)
                    } else {
                        Vec::new()
                    },
                };
                if reaped.send(report).await.is_err() {
                    return;
                }
            }
        }
        if let Err(e) = self.kv.delete(node_key(dead)).await {
            tracing::warn!(node = dead, error = %e, "presence: dead node's key not deleted");
        }
        self.view().heard.remove(dead);
    }

    /// Puts back this node's live connections that the replica lacks (taken out while this node
    /// was cut off from NATS longer than the timeout).
    async fn reassert(&self) {
        for (app, user, id, platform) in self.hub.all_connections() {
            let known = self
                .links(app, &user)
                .iter()
                .any(|l| *l.node == *self.node && l.id == id);
            if known {
                continue;
            }
            let hub = self.hub.clone();
            let link = Link {
                node: self.node.to_string(),
                id,
                platform,
                client_ip: String::new(),
            };
            let (user_ref, node) = (user.clone(), self.node.clone());
            self.change(app, &user, move |entry| {
                // Checked after the key was read: a connection that ended meanwhile stays out
                // (its end writes the key, so this write then fails and looks again).
                let live = hub
                    .connections(app, &user_ref)
                    .iter()
                    .any(|(c, _)| *c == id);
                if !live || entry.links.iter().any(|l| *l.node == *node && l.id == id) {
                    return false;
                }
                entry.links.push(link.clone());
                true
            })
            .await;
        }
    }
}

/// Opens the cluster's bucket, creating it if no node has yet.
async fn bucket(js: jetstream::Context, cluster: &str) -> Result<kv::Store, String> {
    let name = super::bucket_name(cluster, "presence");
    // The bucket's stream, made as the client library makes a bucket's: its own
    // `create_key_value` first asks for the account's limits in a shape NATS 2.9 does not send.
    let config = jetstream::stream::Config {
        name: format!("KV_{name}"),
        description: Some("Natter: who is connected, on which node".into()),
        subjects: vec![format!("$KV.{name}.>")],
        max_messages_per_subject: 1,
        storage: jetstream::stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: jetstream::stream::DiscardPolicy::New,
        ..Default::default()
    };
    let created = js
        .create_stream(config)
        .await
        .err()
        .map(|e| format!("{e} (a cluster needs NATS with JetStream: nats-server -js)"));
    // Made now, or by another node at the same moment.
    js.get_key_value(name.as_str()).await.map_err(|e| {
        let created = created.map(|c| format!("{c}; ")).unwrap_or_default();
        format!("presence bucket {name} in NATS: {created}{e}")
    })
}

fn decode(entry: &kv::Entry) -> UserEntry {
    if entry.operation != kv::Operation::Put {
        return UserEntry::default();
    }
    serde_json::from_slice(&entry.value).unwrap_or_else(|e| {
        tracing::warn!(key = entry.key, error = %e, "presence: undecodable entry ignored");
        UserEntry::default()
    })
}

fn node_key(node: &str) -> String {
    format!("n.{node}")
}

/// User IDs may hold any character; keys take few, so the ID is written in hex.
fn user_key(app: u64, user: &str) -> String {
    let mut key = format!("u.{app}.");
    for byte in user.as_bytes() {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

fn parse_user_key(key: &str) -> Option<(u64, String)> {
    let rest = key.strip_prefix("u.")?;
    let (app, hex) = rest.split_once('.')?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((app.parse().ok()?, String::from_utf8(bytes).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_keys_round_trip_any_id() {
        for user in ["alice", "a.b*c>d", "用户", "@TGS#x"] {
            let key = user_key(1400000000, user);
            assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'));
            assert_eq!(parse_user_key(&key), Some((1400000000, user.to_owned())));
        }
        assert_eq!(parse_user_key("u.1.zz"), None);
        assert_eq!(parse_user_key("n.node"), None);
    }
}
