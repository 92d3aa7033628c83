//! `RelationChange` events: what a committed relationship edit changed for each user it touched
//! (friends added or deleted, blocklist entries, friend requests made or gone), so that their
//! clients can update their lists. Read from the plan the edit wrote and the snapshot it was
//! decided on, so that rewriting a relation that already existed tells no one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use natter_events::{Priority, Push, Target};
use natter_store::{FriendRequest, RelationChange, RelationPlan, Relations};
use serde_json::{json, Map, Value};

use crate::fanout::Fanout;

/// What one user sees change.
#[derive(Debug, Default, Clone)]
struct UserChange {
    friend_add: Vec<String>,
    friend_del: Vec<String>,
    block_add: Vec<String>,
    block_del: Vec<String>,
    request_add: Vec<FriendRequest>,
    /// (requester, target)
    request_del: Vec<(String, String)>,
}

/// The changes of one edit, by user; filled inside the edit (the last attempt wins when the
/// store retries it), sent once it is written.
#[derive(Debug, Default, Clone)]
pub(super) struct Changes(Arc<Mutex<BTreeMap<String, UserChange>>>);

impl Changes {
    /// Records what `plan`, decided on `rel` (the relations of `owner`), changes.
    pub(super) fn record(&self, owner: &str, rel: &Relations, plan: &RelationPlan) {
        let mut users: BTreeMap<String, UserChange> = BTreeMap::new();
        if plan.refusal.is_none() {
            for change in &plan.changes {
                note(&mut users, owner, rel, change);
            }
        }
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = users;
    }

    /// Sends each user their `RelationChange` event, on all their connections.
    pub(super) fn send(&self, fanout: &Fanout, app: u64) {
        let users = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        for (user, change) in users {
            let frame = frame(change);
            fanout.send(
                app,
                Target::Users(vec![user]),
                &Push::new(Priority::High, &frame),
                None,
            );
        }
    }
}

fn note(
    users: &mut BTreeMap<String, UserChange>,
    owner: &str,
    rel: &Relations,
    change: &RelationChange,
) {
    let peer = |name: &str| rel.peers.get(name);
    match change {
        RelationChange::PutFriend { owner: o, friend } => {
            let new = if o == owner {
                peer(&friend.peer).is_none_or(|p| p.friend.is_none())
            } else {
                peer(o).is_none_or(|p| !p.reverse_friend)
            };
            if new {
                let entry = users.entry(o.clone()).or_default();
                entry.friend_add.push(friend.peer.clone());
            }
        }
        RelationChange::DeleteFriend { owner: o, peer: p } => {
            let existed = if o == owner {
                peer(p).is_none_or(|r| r.friend.is_some())
            } else {
                peer(o).is_none_or(|r| r.reverse_friend)
            };
            if existed {
                users
                    .entry(o.clone())
                    .or_default()
                    .friend_del
                    .push(p.clone());
            }
        }
        RelationChange::PutBlock {
            owner: o, peer: p, ..
        } if o != owner || peer(p).is_none_or(|r| r.blocked_at.is_none()) => {
            users
                .entry(o.clone())
                .or_default()
                .block_add
                .push(p.clone());
        }
        RelationChange::DeleteBlock { owner: o, peer: p }
            if o != owner || peer(p).is_none_or(|r| r.blocked_at.is_some()) =>
        {
            users
                .entry(o.clone())
                .or_default()
                .block_del
                .push(p.clone());
        }
        RelationChange::PutRequest(request) => {
            for user in [&request.target, &request.requester] {
                let entry = users.entry(user.clone()).or_default();
                entry.request_add.push(request.clone());
            }
        }
        RelationChange::DeleteRequest { requester, target } => {
            for user in [target, requester] {
                let entry = users.entry(user.clone()).or_default();
                entry.request_del.push((requester.clone(), target.clone()));
            }
        }
        _ => {}
    }
}

fn frame(change: UserChange) -> Value {
    let mut frame = Map::new();
    frame.insert("Event".into(), json!("RelationChange"));
    for (name, list) in [
        ("FriendAdd_Account", change.friend_add),
        ("FriendDel_Account", change.friend_del),
        ("BlackListAdd_Account", change.block_add),
        ("BlackListDel_Account", change.block_del),
    ] {
        if !list.is_empty() {
            frame.insert(name.into(), json!(list));
        }
    }
    if !change.request_add.is_empty() {
        let items: Vec<Value> = change
            .request_add
            .iter()
            .map(|r| {
                json!({
                    "From_Account": r.requester,
                    "To_Account": r.target,
                    "AddSource": r.add_source,
                    "AddWording": r.add_wording,
                    "AddTime": r.created,
                })
            })
            .collect();
        frame.insert("RequestAdd".into(), Value::Array(items));
    }
    if !change.request_del.is_empty() {
        let items: Vec<Value> = change
            .request_del
            .iter()
            .map(|(from, to)| json!({"From_Account": from, "To_Account": to}))
            .collect();
        frame.insert("RequestDel".into(), Value::Array(items));
    }
    Value::Object(frame)
}
