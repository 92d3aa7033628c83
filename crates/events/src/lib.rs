//! Real-time fan-out to connected clients: who is connected (per app and user, on which
//! platforms), who is online in which AVChatRoom (with their member marks), and one bounded
//! queue per connection.
//!
//! Everything here lives in memory and belongs to one process: a connection ends with its
//! process, so nothing in it has to survive a restart. A frame is serialized once and shared
//! by every connection it goes to.

mod budget;
mod bus;
pub mod live;
pub mod presence;
mod queue;
mod rooms;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

pub use budget::Budgets;
pub use bus::{Bus, Delivery, Target};
pub use live::{Cursor as LiveCursor, LiveFeeds};
pub use presence::{Link, Presence, Reaped, StatusChange, StatusNotSet};
pub use queue::{Priority, Push, QUEUE_CAPACITY};
pub use rooms::{MarkChange, RoomMember};
use tokio::sync::mpsc;

struct Connection {
    id: u64,
    platform: String,
    /// `None` once the connection fell too far behind: its stream ends after what is queued,
    /// and the gateway then ends the session, which removes the entry.
    queue: Option<mpsc::Sender<Push>>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Connections by app, then user (looked up by `&str`, without building a key).
    users: HashMap<u64, AppUsers>,
    rooms: rooms::Rooms,
    /// (app, user) → the custom status of a connected user who set one (on one node; a
    /// cluster keeps them in its presence replica).
    custom: HashMap<(u64, String), String>,
}

/// Connections of one app, by user.
type AppUsers = HashMap<String, Vec<Connection>>;

impl State {
    fn connections(&self, app: u64, user: &str) -> Option<&Vec<Connection>> {
        self.users.get(&app)?.get(user)
    }
}

/// Queues `push` on the connections of `user` (but `except`); counts those that took it.
fn offer(users: &mut AppUsers, app: u64, user: &str, push: &Push, except: Option<u64>) -> usize {
    let Some(conns) = users.get_mut(user) else {
        return 0;
    };
    let mut delivered = 0;
    for c in conns.iter_mut().filter(|c| Some(c.id) != except) {
        let Some(queue) = &c.queue else { continue };
        match push.offer(queue) {
            queue::Offer::Queued => delivered += 1,
            queue::Offer::Skipped => {}
            queue::Offer::Overflowed => {
                tracing::warn!(app, user, connection = c.id, "connection too slow: closing");
                c.queue = None;
            }
        }
    }
    delivered
}

/// A connection just registered with the hub.
pub struct Registration {
    pub id: u64,
    /// The frames for this connection; `None` once the hub has closed it (too slow to keep up
    /// with frames that must not be lost).
    pub frames: mpsc::Receiver<Push>,
    /// Whether the user had no other connection.
    pub first: bool,
}

/// The hub of one process. Cheap to share (`Arc`), safe to call from any task.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    /// In a cluster: the rooms are the whole cluster's, set by the presence replica
    /// ([`set_seats`](Self::set_seats)), not by this node's connections coming and going.
    mirrors_rooms: bool,
    /// The recent messages of the AVChatRooms seen here, for viewers who long-poll them.
    live: LiveFeeds,
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// The hub of a cluster node, whose live-room seats mirror the cluster's (see
    /// `presence::Presence::clustered`).
    pub fn mirroring_rooms() -> Self {
        Self {
            mirrors_rooms: true,
            ..Self::default()
        }
    }

    /// Sets every live-room seat of `user` (room, join time, marks), as the cluster has them.
    pub fn set_seats(&self, app: u64, user: &str, seats: &[(String, i64, Vec<u64>)]) {
        self.state().rooms.set_user(app, user, seats);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind; they stay usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a logged-in connection of `user` on `platform`.
    pub fn connect(&self, app: u64, user: &str, platform: &str) -> Registration {
        let (queue, frames) = mpsc::channel(QUEUE_CAPACITY);
        let mut state = self.state();
        state.next_id += 1;
        let id = state.next_id;
        let conns = state
            .users
            .entry(app)
            .or_default()
            .entry(user.to_owned())
            .or_default();
        let first = conns.is_empty();
        conns.push(Connection {
            id,
            platform: platform.to_owned(),
            queue: Some(queue),
        });
        Registration { id, frames, first }
    }

    /// Removes connection `id`. When it was the user's last, the user also leaves every room
    /// they were online in; those rooms are returned (empty while other connections remain).
    /// `None` when the connection was already gone.
    pub fn disconnect(&self, app: u64, user: &str, id: u64) -> Option<Vec<String>> {
        let mut state = self.state();
        let users = state.users.get_mut(&app)?;
        let conns = users.get_mut(user)?;
        let before = conns.len();
        conns.retain(|c| c.id != id);
        if conns.len() == before {
            return None;
        }
        if !conns.is_empty() {
            return Some(Vec::new());
        }
        users.remove(user);
        if users.is_empty() {
            state.users.remove(&app);
        }
        if !state.custom.is_empty() {
            state.custom.remove(&(app, user.to_owned()));
        }
        if self.mirrors_rooms {
            return Some(Vec::new());
        }
        Some(state.rooms.leave_all(app, user))
    }

    /// Sets `user`'s custom status ("" clears it); it ends with their last connection here.
    /// `false` when they have no connection here.
    pub fn set_custom_status(&self, app: u64, user: &str, text: &str) -> bool {
        let mut state = self.state();
        if state.connections(app, user).is_none() {
            return false;
        }
        let key = (app, user.to_owned());
        if text.is_empty() {
            state.custom.remove(&key);
        } else {
            state.custom.insert(key, text.to_owned());
        }
        true
    }

    /// `user`'s custom status ("" when none).
    pub fn custom_status(&self, app: u64, user: &str) -> String {
        self.state()
            .custom
            .get(&(app, user.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// The platforms `user` is connected on, one entry per connection.
    pub fn platforms(&self, app: u64, user: &str) -> Vec<String> {
        self.state()
            .connections(app, user)
            .map(|conns| conns.iter().map(|c| c.platform.clone()).collect())
            .unwrap_or_default()
    }

    pub fn is_online(&self, app: u64, user: &str) -> bool {
        self.state().connections(app, user).is_some()
    }

    /// Whether anyone of `app` is connected (a send with no one to push to skips the work).
    pub fn any_online(&self, app: u64) -> bool {
        self.state().users.contains_key(&app)
    }

    /// How many users of `app` have at least one connection.
    pub fn online_count(&self, app: u64) -> usize {
        self.state().users.get(&app).map_or(0, |users| users.len())
    }

    /// Every user of `app` with at least one connection.
    pub fn online_users(&self, app: u64) -> Vec<String> {
        self.state()
            .users
            .get(&app)
            .map(|users| users.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// `user`'s connections on this node, oldest first: (connection, platform).
    pub fn connections(&self, app: u64, user: &str) -> Vec<(u64, String)> {
        self.state()
            .connections(app, user)
            .map(|conns| conns.iter().map(|c| (c.id, c.platform.clone())).collect())
            .unwrap_or_default()
    }

    /// Every connection on this node: (app, user, connection, platform).
    pub fn all_connections(&self) -> Vec<(u64, String, u64, String)> {
        let state = self.state();
        let mut all = Vec::new();
        for (app, users) in &state.users {
            for (user, conns) in users {
                for c in conns {
                    all.push((*app, user.clone(), c.id, c.platform.clone()));
                }
            }
        }
        all
    }

    /// Queues `push` on one connection of `user`; whether it took it.
    pub fn send_to_connection(&self, app: u64, user: &str, id: u64, push: &Push) -> bool {
        let mut state = self.state();
        let Some(conns) = state.users.get_mut(&app).and_then(|u| u.get_mut(user)) else {
            return false;
        };
        let Some(queue) = conns
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.queue.as_ref())
        else {
            return false;
        };
        matches!(push.offer(queue), queue::Offer::Queued)
    }

    /// Queues `push` on every connection of each of `users` that is online, but `except` (the
    /// one whose action caused the frame: it has its answer already). Returns how many
    /// connections took it.
    pub fn send_except<'a>(
        &self,
        app: u64,
        users: impl IntoIterator<Item = &'a str>,
        push: &Push,
        except: Option<u64>,
    ) -> usize {
        let mut state = self.state();
        let Some(connected) = state.users.get_mut(&app) else {
            return 0;
        };
        users
            .into_iter()
            .map(|user| offer(connected, app, user, push, except))
            .sum()
    }

    /// Marks `user` online in the AVChatRoom `group`; `true` when they were not already.
    /// Only connected users can be online in a room.
    pub fn enter_room(&self, app: u64, group: &str, user: &str, join_time: i64) -> bool {
        let mut state = self.state();
        if state.connections(app, user).is_none() {
            return false;
        }
        state.rooms.enter(app, group, user, join_time)
    }

    /// Takes `user` out of the room; `true` when they were online in it.
    pub fn leave_room(&self, app: u64, group: &str, user: &str) -> bool {
        self.state().rooms.leave(app, group, user)
    }

    /// Forgets a room (disbanded). Its feed of recent messages stays until no one reads it: the
    /// notice that the room is gone comes through it to the viewers who poll (`Target::Feed`).
    pub fn close_room(&self, app: u64, group: &str) {
        self.state().rooms.close(app, group);
    }

    /// The AVChatRooms' recent messages on this node (see [`live`]).
    pub fn live(&self) -> &LiveFeeds {
        &self.live
    }

    /// How many members are online in the room.
    pub fn room_count(&self, app: u64, group: &str) -> usize {
        self.state().rooms.count(app, group)
    }

    /// The room's online members in the order they came online, then by ID.
    pub fn room_members(&self, app: u64, group: &str) -> Vec<RoomMember> {
        self.state().rooms.members(app, group)
    }

    /// Every room of `app` with someone online.
    pub fn rooms(&self, app: u64) -> Vec<String> {
        self.state().rooms.of_app(app)
    }

    /// Changes the marks of online members; returns the members that are not online in the
    /// room (their marks are left alone).
    pub fn change_marks(
        &self,
        app: u64,
        group: &str,
        members: &[String],
        change: &MarkChange,
    ) -> Vec<String> {
        self.state().rooms.change_marks(app, group, members, change)
    }

    /// Queues `push` for everyone online in the room, but `except`.
    pub fn send_to_room_except(
        &self,
        app: u64,
        group: &str,
        push: &Push,
        except: Option<u64>,
    ) -> usize {
        // One lock, no copies: the room's members are offered the frame where they stand.
        let mut state = self.state();
        let State { users, rooms, .. } = &mut *state;
        let Some(connected) = users.get_mut(&app) else {
            return 0;
        };
        rooms
            .accounts(app, group)
            .map(|user| offer(connected, app, user, push, except))
            .sum()
    }
}

#[cfg(test)]
mod tests;
