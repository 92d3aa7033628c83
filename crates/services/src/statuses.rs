//! User status for clients (the Web SDK's `setSelfStatus`, `getUserStatus`,
//! `subscribeUserStatus`): whether a user is connected, a custom status the user sets, and
//! subscriptions to other users' changes.
//!
//! Whether a user is connected and their custom status are the cluster's: both are kept by
//! `natter_events::Presence` (in a cluster, in the user's entry of the presence replica, so a
//! custom status ends with the user's last connection on any node, a dead node's included).
//! Presence tells this service of every status change, on every node; subscriptions are kept
//! on the node that took them, which pushes each change to its own subscribers (and, for a
//! custom status set, to the user's own connections there). Nothing needs to survive a
//! restart: a client subscribes again when it logs in again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Hub, Presence, Priority, Push, StatusChange, StatusNotSet};
use natter_store::Store;
use serde_json::json;

use crate::internal;

/// Longest custom status, in bytes (Tencent's limit).
pub const MAX_CUSTOM_STATUS_BYTES: usize = 100;
/// Most users one `getUserStatus` names (the SDK's own limit).
pub const MAX_QUERY: usize = 500;
/// Most users one subscribe or unsubscribe names (the SDK's own limit).
pub const MAX_SUBSCRIBE: usize = 100;
/// Most users one user may be subscribed to at once.
pub const MAX_SUBSCRIPTIONS: usize = 200;

/// The SDK's status types.
pub const ONLINE: u32 = 1;
/// Not connected: on the web that is "logged out" (Tencent reports no offline state for web
/// clients), and it is how Natter shows every user without a connection here.
pub const NOT_LOGGED_IN: u32 = 3;

/// One user's status as clients see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    pub user: String,
    pub status: u32,
    pub custom_status: String,
}

/// A user a status call could not cover, with the reason's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFailure {
    pub user: String,
    pub code: u32,
    pub info: String,
}

#[derive(Default)]
struct State {
    /// App → watched user → who is subscribed to them here (looked up by `&str` on every
    /// status change in the cluster).
    subscribers: HashMap<u64, HashMap<String, HashSet<String>>>,
    /// (app, subscriber) → whom they are subscribed to.
    subscriptions: HashMap<(u64, String), HashSet<String>>,
}

type Shared = Arc<Mutex<State>>;

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves plain maps behind; they stay usable.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone)]
pub struct StatusService {
    store: Arc<dyn Store>,
    presence: Arc<Presence>,
    state: Shared,
}

fn bad(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::ACCOUNT_INVALID_PARAM, info)
}

/// Pushes a status change to those it concerns on this node: the user's subscribers here and,
/// when the user set their custom status, the user's own connections here.
fn announce(state: &Mutex<State>, hub: &Hub, change: StatusChange) {
    let mut targets: Vec<String> = lock(state)
        .subscribers
        .get(&change.app)
        .and_then(|watched| watched.get(&change.user))
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    if change.custom_set && !targets.contains(&change.user) {
        targets.push(change.user.clone());
    }
    if targets.is_empty() {
        return;
    }
    let frame = json!({
        "Event": "UserStatus",
        "To_Account": change.user,
        "Status": if change.online { ONLINE } else { NOT_LOGGED_IN },
        "CustomStatus": change.custom_status,
    });
    let push = Push::new(Priority::Normal, &frame);
    hub.send_except(change.app, targets.iter().map(String::as_str), &push, None);
}

impl StatusService {
    /// The service, listening to `presence` for status changes to push to this node's
    /// connections (`hub`).
    pub fn new(store: Arc<dyn Store>, presence: Arc<Presence>, hub: Arc<Hub>) -> Self {
        let state = Shared::default();
        let listening = state.clone();
        presence.on_status_change(move |change| announce(&listening, &hub, change));
        Self {
            store,
            presence,
            state,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn status_of(&self, app: u64, user: &str) -> UserStatus {
        UserStatus {
            user: user.to_owned(),
            status: if self.presence.is_online(app, user) {
                ONLINE
            } else {
                NOT_LOGGED_IN
            },
            custom_status: self.presence.custom_status(app, user),
        }
    }

    /// Sets (or, with "", clears) `user`'s custom status; their subscribers and their own
    /// devices are told, on every node.
    pub async fn set_custom(&self, app: &AppSettings, user: &str, custom: String) -> ApiResult<()> {
        if custom.len() > MAX_CUSTOM_STATUS_BYTES {
            return Err(bad(format!(
                "CustomStatus is {} bytes; at most {MAX_CUSTOM_STATUS_BYTES} are allowed",
                custom.len()
            )));
        }
        match self
            .presence
            .set_custom_status(app.sdkappid, user, &custom)
            .await
        {
            Ok(()) => Ok(()),
            Err(StatusNotSet::NotConnected) => Err(bad(format!(
                "{user} has no connection: a custom status lasts only while its user is connected"
            ))),
            Err(StatusNotSet::Unreachable) => Err(ApiError::new(
                codes::ACCOUNT_INTERNAL,
                "the custom status was not recorded (the cluster's NATS is unreachable); try \
                 again later",
            )),
        }
    }

    /// Splits `users` into those that exist and failures for those that do not.
    async fn existing(
        &self,
        app: u64,
        users: Vec<String>,
        limit: usize,
    ) -> ApiResult<(Vec<String>, Vec<StatusFailure>)> {
        if users.is_empty() || users.len() > limit {
            return Err(bad(format!(
                "To_Account must name 1 to {limit} users, got {}",
                users.len()
            )));
        }
        let exist = self
            .store
            .accounts_exist(app, users.clone())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        let (mut found, mut missing) = (Vec::new(), Vec::new());
        for (user, exists) in users.into_iter().zip(exist) {
            if exists {
                found.push(user);
            } else {
                missing.push(StatusFailure {
                    info: format!("account {user} is not imported"),
                    user,
                    code: codes::ACCOUNT_NOT_FOUND,
                });
            }
        }
        Ok((found, missing))
    }

    /// The status of each of `users` (those that exist; the others as failures).
    pub async fn get(
        &self,
        app: &AppSettings,
        users: Vec<String>,
    ) -> ApiResult<(Vec<UserStatus>, Vec<StatusFailure>)> {
        let (found, missing) = self.existing(app.sdkappid, users, MAX_QUERY).await?;
        let statuses = found
            .iter()
            .map(|u| self.status_of(app.sdkappid, u))
            .collect();
        Ok((statuses, missing))
    }

    /// Subscribes `subscriber` to the status changes of `users`; users that do not exist, or
    /// that would take the subscriber past [`MAX_SUBSCRIPTIONS`], are failures.
    pub async fn subscribe(
        &self,
        app: &AppSettings,
        subscriber: &str,
        users: Vec<String>,
    ) -> ApiResult<Vec<StatusFailure>> {
        let (found, mut failures) = self.existing(app.sdkappid, users, MAX_SUBSCRIBE).await?;
        let mut state = self.state();
        let key = (app.sdkappid, subscriber.to_owned());
        for user in found {
            let mine = state.subscriptions.entry(key.clone()).or_default();
            if !mine.contains(&user) && mine.len() >= MAX_SUBSCRIPTIONS {
                failures.push(StatusFailure {
                    info: format!("a user subscribes to at most {MAX_SUBSCRIPTIONS} users"),
                    user,
                    code: codes::ACCOUNT_INVALID_PARAM,
                });
                continue;
            }
            mine.insert(user.clone());
            state
                .subscribers
                .entry(app.sdkappid)
                .or_default()
                .entry(user)
                .or_default()
                .insert(subscriber.to_owned());
        }
        Ok(failures)
    }

    /// Ends `subscriber`'s subscriptions to `users`, or to everyone with `None`.
    pub fn unsubscribe(
        &self,
        app: &AppSettings,
        subscriber: &str,
        users: Option<Vec<String>>,
    ) -> ApiResult<()> {
        if let Some(users) = &users {
            if users.is_empty() || users.len() > MAX_SUBSCRIBE {
                return Err(bad(format!(
                    "To_Account must name 1 to {MAX_SUBSCRIBE} users, got {}",
                    users.len()
                )));
            }
        }
        let mut state = self.state();
        let key = (app.sdkappid, subscriber.to_owned());
        let Some(mine) = state.subscriptions.get_mut(&key) else {
            return Ok(());
        };
        let gone: Vec<String> = match users {
            Some(users) => users.into_iter().filter(|u| mine.remove(u)).collect(),
            None => mine.drain().collect(),
        };
        if mine.is_empty() {
            state.subscriptions.remove(&key);
        }
        let Some(watched) = state.subscribers.get_mut(&app.sdkappid) else {
            return Ok(());
        };
        for user in gone {
            if let Some(subscribers) = watched.get_mut(&user) {
                subscribers.remove(subscriber);
                if subscribers.is_empty() {
                    watched.remove(&user);
                }
            }
        }
        if watched.is_empty() {
            state.subscribers.remove(&app.sdkappid);
        }
        Ok(())
    }

    /// `user`'s last connection on this node ended: their subscriptions here end (a client
    /// subscribes again when it logs in), so they never outlive a connection. That they went
    /// offline, and lost their custom status, presence tells when it was their last anywhere.
    pub(crate) fn left_node(&self, app: &AppSettings, user: &str) {
        let _ = self.unsubscribe(app, user, None);
    }
}
