//! User status for clients (the Web SDK's `setSelfStatus`, `getUserStatus`,
//! `subscribeUserStatus`): whether a user is connected, a custom status the user sets, and
//! subscriptions to other users' changes.
//!
//! Whether a user is connected is the cluster's (`natter_events::Presence`); custom statuses
//! and subscriptions are the state of one node: a custom status set on another node of a
//! cluster is not seen here, and a subscription lives on the node that took it. Nothing needs
//! to survive a restart: a client subscribes again when it logs in again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Presence, Priority, Push, Target};
use natter_store::Store;
use serde_json::json;

use crate::{internal, Fanout};

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
    /// (app, user) → custom status, while the user has one.
    custom: HashMap<(u64, String), String>,
    /// (app, watched user) → who is subscribed to them.
    subscribers: HashMap<(u64, String), HashSet<String>>,
    /// (app, subscriber) → whom they are subscribed to.
    subscriptions: HashMap<(u64, String), HashSet<String>>,
}

#[derive(Clone)]
pub struct StatusService {
    store: Arc<dyn Store>,
    presence: Arc<Presence>,
    fanout: Fanout,
    state: Arc<Mutex<State>>,
}

fn bad(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::ACCOUNT_INVALID_PARAM, info)
}

impl StatusService {
    pub fn new(store: Arc<dyn Store>, presence: Arc<Presence>, fanout: Fanout) -> Self {
        Self {
            store,
            presence,
            fanout,
            state: Arc::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind; they stay usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn status_of(&self, app: u64, user: &str) -> UserStatus {
        let custom_status = self
            .state()
            .custom
            .get(&(app, user.to_owned()))
            .cloned()
            .unwrap_or_default();
        UserStatus {
            user: user.to_owned(),
            status: if self.presence.is_online(app, user) {
                ONLINE
            } else {
                NOT_LOGGED_IN
            },
            custom_status,
        }
    }

    /// Tells `user`'s subscribers (and, with `to_self`, `user`'s own connections) the status
    /// `user` has now.
    fn announce(&self, app: u64, user: &str, to_self: bool) {
        if !self.fanout.may_reach(app) {
            return;
        }
        let mut targets: Vec<String> = self
            .state()
            .subscribers
            .get(&(app, user.to_owned()))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        if to_self && !targets.iter().any(|t| t == user) {
            targets.push(user.to_owned());
        }
        if targets.is_empty() {
            return;
        }
        let now = self.status_of(app, user);
        let frame = json!({
            "Event": "UserStatus",
            "To_Account": now.user,
            "Status": now.status,
            "CustomStatus": now.custom_status,
        });
        self.fanout.send(
            app,
            Target::Users(targets),
            &Push::new(Priority::Normal, &frame),
            None,
        );
    }

    /// Sets (or, with "", clears) `user`'s custom status; their subscribers and their own
    /// devices are told.
    pub fn set_custom(&self, app: &AppSettings, user: &str, custom: String) -> ApiResult<()> {
        if custom.len() > MAX_CUSTOM_STATUS_BYTES {
            return Err(bad(format!(
                "CustomStatus is {} bytes; at most {MAX_CUSTOM_STATUS_BYTES} are allowed",
                custom.len()
            )));
        }
        {
            let mut state = self.state();
            let key = (app.sdkappid, user.to_owned());
            if custom.is_empty() {
                state.custom.remove(&key);
            } else {
                state.custom.insert(key, custom);
            }
        }
        self.announce(app.sdkappid, user, true);
        Ok(())
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
                .entry((app.sdkappid, user))
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
        for user in gone {
            let watched = (app.sdkappid, user);
            if let Some(subscribers) = state.subscribers.get_mut(&watched) {
                subscribers.remove(subscriber);
                if subscribers.is_empty() {
                    state.subscribers.remove(&watched);
                }
            }
        }
        Ok(())
    }

    /// `user`'s first connection here: subscribers see them online (the user's own devices
    /// know).
    pub(crate) fn came_online(&self, app: u64, user: &str) {
        self.announce(app, user, false);
    }

    /// `user`'s last connection here ended: the custom status goes (as Tencent clears a
    /// logged-out web user's), subscribers see them logged out, and their own subscriptions
    /// end (a client subscribes again when it logs in), so they never outlive a connection.
    pub(crate) fn went_offline(&self, app: &AppSettings, user: &str) {
        self.state().custom.remove(&(app.sdkappid, user.to_owned()));
        let _ = self.unsubscribe(app, user, None);
        self.announce(app.sdkappid, user, false);
    }
}
