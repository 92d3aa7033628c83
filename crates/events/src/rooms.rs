//! Who is online in which AVChatRoom, and their member marks.

use std::collections::{BTreeMap, HashMap};

/// A member online in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMember {
    pub account: String,
    /// Unix seconds they joined the group.
    pub join_time: i64,
    /// Marks set by `modify_user_info`, ascending, each once.
    pub marks: Vec<u64>,
}

/// What `modify_user_info` does to the marks.
#[derive(Debug, Clone)]
pub enum MarkChange {
    Add(Vec<u64>),
    Remove(Vec<u64>),
}

#[derive(Default)]
struct Room {
    /// Keyed by `(join_time, account)` so lists come in join order.
    online: BTreeMap<(i64, String), Vec<u64>>,
    join_time: HashMap<String, i64>,
}

#[derive(Default)]
pub(crate) struct Rooms {
    rooms: HashMap<(u64, String), Room>,
}

impl Rooms {
    pub fn enter(&mut self, app: u64, group: &str, user: &str, join_time: i64) -> bool {
        let room = self.rooms.entry((app, group.to_owned())).or_default();
        if room.join_time.contains_key(user) {
            return false;
        }
        room.join_time.insert(user.to_owned(), join_time);
        room.online.insert((join_time, user.to_owned()), Vec::new());
        true
    }

    pub fn leave(&mut self, app: u64, group: &str, user: &str) -> bool {
        let key = (app, group.to_owned());
        let Some(room) = self.rooms.get_mut(&key) else {
            return false;
        };
        let Some(join_time) = room.join_time.remove(user) else {
            return false;
        };
        room.online.remove(&(join_time, user.to_owned()));
        if room.join_time.is_empty() {
            self.rooms.remove(&key);
        }
        true
    }

    /// Makes `user`'s seats exactly `seats` (room, join time, marks).
    pub fn set_user(&mut self, app: u64, user: &str, seats: &[(String, i64, Vec<u64>)]) {
        let kept: Vec<&str> = seats.iter().map(|(g, _, _)| g.as_str()).collect();
        let stale: Vec<String> = self
            .rooms
            .iter()
            .filter(|((a, g), room)| {
                *a == app && room.join_time.contains_key(user) && !kept.contains(&g.as_str())
            })
            .map(|((_, g), _)| g.clone())
            .collect();
        for group in stale {
            self.leave(app, &group, user);
        }
        for (group, join_time, marks) in seats {
            let room = self.rooms.entry((app, group.clone())).or_default();
            if let Some(old) = room.join_time.insert(user.to_owned(), *join_time) {
                room.online.remove(&(old, user.to_owned()));
            }
            room.online
                .insert((*join_time, user.to_owned()), marks.clone());
        }
    }

    /// Takes `user` out of every room of `app`; returns those rooms.
    pub fn leave_all(&mut self, app: u64, user: &str) -> Vec<String> {
        let groups: Vec<String> = self
            .rooms
            .iter()
            .filter(|((a, _), room)| *a == app && room.join_time.contains_key(user))
            .map(|((_, g), _)| g.clone())
            .collect();
        for group in &groups {
            self.leave(app, group, user);
        }
        groups
    }

    pub fn close(&mut self, app: u64, group: &str) {
        self.rooms.remove(&(app, group.to_owned()));
    }

    pub fn count(&self, app: u64, group: &str) -> usize {
        self.rooms
            .get(&(app, group.to_owned()))
            .map_or(0, |r| r.join_time.len())
    }

    /// The accounts online in a room, in no particular order.
    pub fn accounts(&self, app: u64, group: &str) -> impl Iterator<Item = &str> {
        self.rooms
            .get(&(app, group.to_owned()))
            .into_iter()
            .flat_map(|room| room.join_time.keys().map(String::as_str))
    }

    pub fn members(&self, app: u64, group: &str) -> Vec<RoomMember> {
        let Some(room) = self.rooms.get(&(app, group.to_owned())) else {
            return Vec::new();
        };
        room.online
            .iter()
            .map(|((join_time, account), marks)| RoomMember {
                account: account.clone(),
                join_time: *join_time,
                marks: marks.clone(),
            })
            .collect()
    }

    pub fn of_app(&self, app: u64) -> Vec<String> {
        let mut groups: Vec<String> = self
            .rooms
            .keys()
            .filter(|(a, _)| *a == app)
            .map(|(_, g)| g.clone())
            .collect();
        groups.sort();
        groups
    }

    pub fn change_marks(
        &mut self,
        app: u64,
        group: &str,
        members: &[String],
        change: &MarkChange,
    ) -> Vec<String> {
        let room = self.rooms.get_mut(&(app, group.to_owned()));
        let mut offline = Vec::new();
        let Some(room) = room else {
            return members.to_vec();
        };
        for member in members {
            let Some(join_time) = room.join_time.get(member) else {
                offline.push(member.clone());
                continue;
            };
            let marks = room
                .online
                .get_mut(&(*join_time, member.clone()))
                .expect("both indexes hold every online member");
            match change {
                MarkChange::Add(add) => {
                    marks.extend(add);
                    marks.sort_unstable();
                    marks.dedup();
                }
                MarkChange::Remove(remove) => marks.retain(|m| !remove.contains(m)),
            }
        }
        offline
    }
}
