//! Client sessions: logging in and out over Natter's client protocol, and what that tells the
//! app (`State.StateChange`) and the live rooms the user is in (their members come online and
//! go offline with the user).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock, LoginPolicy};
use natter_events::{Hub, Link, Presence, Priority, Push, Reaped, Registration, Target};
use natter_store::Store;
use natter_webhook::payloads::state::{KickedDevice, StateChange, StateChangeInfo};
use natter_webhook::{Origin, Webhooks};

use crate::accounts::{AccountService, NewAccount};
use crate::fanout::Fanout;
use crate::groups::{GroupService, RoomCause};
use crate::internal;
use crate::statuses::StatusService;

/// The event that ends a user's connections when an administrator invalidates their logins
/// (`im_open_login_svc/kick`); its `KickType` is the Web SDK's (3: `REST_API_Kick`).
pub const KICKED_EVENT: &str = "Kicked";
/// The Web SDK's kick types: 1 another instance, 2 another device, 3 the REST API.
pub const KICK_BY_REST: u32 = 3;
/// `KickType` of a Web instance pushed out by a newer one (the SDK's "multiple accounts/instances").
pub const KICK_BY_INSTANCE: u32 = 1;
/// `KickType` of a device pushed out by a login on another device (the SDK's "multiple devices").
pub const KICK_BY_DEVICE: u32 = 2;

/// The platforms a client may say it is on; they become `OptPlatform` of what it does.
pub const PLATFORMS: &[&str] = &[
    "Web", "Android", "iOS", "Windows", "Mac", "iPad", "Linux", "Unknown",
];

/// One logged-in connection.
#[derive(Debug, Clone)]
pub struct Session {
    pub app: Arc<AppSettings>,
    pub user: String,
    pub connection: u64,
    /// `OptPlatform` and `ClientIP` of everything this session does.
    pub origin: Origin,
}

/// How a session ended, as `State.StateChange` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client logged out (`Logout` / `Unregister`).
    Logout,
    /// The connection closed without a logout (`Disconnect` / `LinkClose`).
    LinkClosed,
    /// The client stopped answering pings (`Disconnect` / `TimeOut`).
    TimedOut,
    /// An administrator invalidated the user's logins (`Logout` / `Kicked`).
    Kicked,
}

#[derive(Clone)]
pub struct SessionService {
    clock: Arc<Clock>,
    webhooks: Arc<Webhooks>,
    /// This node's connections.
    hub: Arc<Hub>,
    /// Who is connected anywhere in the cluster.
    presence: Arc<Presence>,
    store: Arc<dyn Store>,
    fanout: Fanout,
    accounts: AccountService,
    groups: GroupService,
    statuses: StatusService,
    /// One lock per user with a login or logout under way, so that the reports of one
    /// connection's end and another's start reach the app in the order they happened.
    transitions: TransitionLocks,
}

impl SessionService {
    /// Waits for the user's other logins and logouts; the guard lets the next one go.
    async fn transition(&self, app: u64, user: &str) -> UserTransition {
        let lock = self
            .transitions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((app, user.to_owned()))
            .or_default()
            .clone();
        UserTransition {
            guard: Some(lock.lock_owned().await),
            key: (app, user.to_owned()),
            locks: self.transitions.clone(),
        }
    }

    pub fn new(
        clock: Arc<Clock>,
        webhooks: Arc<Webhooks>,
        (hub, presence): (Arc<Hub>, Arc<Presence>),
        (store, fanout): (Arc<dyn Store>, Fanout),
        accounts: AccountService,
        (groups, statuses): (GroupService, StatusService),
    ) -> Self {
        Self {
            clock,
            webhooks,
            hub,
            presence,
            store,
            fanout,
            accounts,
            groups,
            statuses,
            transitions: Arc::default(),
        }
    }

    /// Logs `user` in on `platform` (its UserSig already checked; `sig_issued_at` is when it was
    /// issued, Unix seconds). A UserSig issued before the user was kicked
    /// ([`kick`](Self::kick)) is refused (70003). As on Tencent, an account that does not exist
    /// yet is created by its first login. Reports `State.StateChange` (`Login`) and brings the
    /// user online in the live rooms they are a member of.
    pub async fn login(
        &self,
        app: Arc<AppSettings>,
        user: &str,
        platform: &str,
        client_ip: &str,
        sig_issued_at: u64,
    ) -> ApiResult<(Session, Registration)> {
        if !PLATFORMS.contains(&platform) {
            return Err(ApiError::new(
                codes::ACCOUNT_INVALID_PARAM,
                format!(
                    "Platform {platform:?} is not one of {}",
                    PLATFORMS.join(", ")
                ),
            ));
        }
        let kicked_at = self
            .store
            .kicked_at(app.sdkappid, user.to_owned())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        if let Some(kicked_at) = kicked_at.filter(|k| (sig_issued_at as i64) < *k) {
            return Err(ApiError::new(
                codes::USERSIG_INVALID,
                format!(
                    "the UserSig was issued at {sig_issued_at}, before {user}'s logins were \
                     invalidated at {kicked_at} (im_open_login_svc/kick); log in with a new one"
                ),
            ));
        }
        let exists = self
            .accounts
            .check(app.sdkappid, vec![user.to_owned()])
            .await?;
        if !exists.first().is_some_and(|(_, e)| *e) {
            self.accounts
                .import_one(
                    app.sdkappid,
                    NewAccount {
                        user_id: user.to_owned(),
                        ..NewAccount::default()
                    },
                )
                .await?;
        }
        let _turn = self.transition(app.sdkappid, user).await;
        let connected = self
            .presence
            .connect(app.sdkappid, user, platform, client_ip)
            .await;
        let registration = connected.registration;
        let kicked = self.apply_login_policy(&app, user, &connected.others, platform);
        self.webhooks.ops().login(
            app.sdkappid,
            user,
            self.presence.online_count(app.sdkappid) as i64,
        );
        let session = Session {
            app,
            user: user.to_owned(),
            connection: registration.id,
            origin: Origin {
                client_ip: client_ip.to_owned(),
                platform: platform.to_owned(),
                connection: Some(registration.id),
            },
        };
        self.report_login(&session, kicked).await;
        if connected.first {
            self.groups
                .come_online(&session.app, user, &session.origin)
                .await;
        }
        Ok((session, registration))
    }

    /// Ends a session. Reports `State.StateChange`; when it was the user's last connection,
    /// they go offline in their live rooms. Ending a session twice does nothing.
    pub async fn end(&self, session: &Session, how: SessionEnd) {
        let _turn = self.transition(session.app.sdkappid, &session.user).await;
        let Some(rooms) = self
            .presence
            .disconnect(session.app.sdkappid, &session.user, session.connection)
            .await
        else {
            return;
        };
        let (action, reason) = match how {
            SessionEnd::Logout => ("Logout", "Unregister"),
            SessionEnd::LinkClosed => ("Disconnect", "LinkClose"),
            SessionEnd::TimedOut => ("Disconnect", "TimeOut"),
            SessionEnd::Kicked => ("Logout", "Kicked"),
        };
        self.report_state(session, action, reason).await;
        if !self.hub.is_online(session.app.sdkappid, &session.user) {
            self.statuses.left_node(&session.app, &session.user);
        }
        // Logging out is not quitting: the user stays a member and comes back online in the
        // room at the next login, as after a lost connection.
        self.groups
            .went_offline(
                &session.app,
                &rooms,
                &session.user,
                RoomCause::HeartbeatInterrupt,
                &session.origin,
            )
            .await;
    }

    /// `im_open_login_svc/kick`: the user's UserSigs issued so far (and the Web SDK's A2Keys
    /// made from them) no longer log in, and every connection of the user (on every node) gets
    /// the `Kicked` event and is closed; each reports `State.StateChange` `Logout` / `Kicked`.
    pub async fn kick(&self, app: &AppSettings, user: &str) -> ApiResult<()> {
        let exists = self
            .accounts
            .check(app.sdkappid, vec![user.to_owned()])
            .await?;
        if !exists.first().is_some_and(|(_, e)| *e) {
            return Err(ApiError::new(
                codes::ACCOUNT_NOT_FOUND,
                format!("UserID {user} is not imported"),
            ));
        }
        self.store
            .set_kicked(app.sdkappid, user.to_owned(), self.clock.now_secs())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        let event = serde_json::json!({"Event": KICKED_EVENT, "KickType": KICK_BY_REST});
        self.fanout.send(
            app.sdkappid,
            Target::Users(vec![user.to_owned()]),
            &Push::new(Priority::High, &event),
            None,
        );
        Ok(())
    }

    /// Whether `user` is connected anywhere, and on which platforms (one entry per connection).
    pub fn platforms(&self, app: &AppSettings, user: &str) -> Vec<String> {
        self.presence.platforms(app.sdkappid, user)
    }

    /// The app's login policy for a new connection on `platform`: the user's `older`
    /// connections (on any node) that it pushes out get the `Kicked` event (they close, and end
    /// as `Logout` / `Kicked`). Returns their platforms, for the login's `KickedDevice`.
    fn apply_login_policy(
        &self,
        app: &AppSettings,
        user: &str,
        older: &[Link],
        platform: &str,
    ) -> Vec<String> {
        if app.login_policy == LoginPolicy::Unlimited {
            return Vec::new();
        }
        let victims = login_victims(app.login_policy, app.web_instances, older, platform);
        for victim in &victims {
            let kick_type = if victim.platform == "Web" && platform == "Web" {
                KICK_BY_INSTANCE
            } else {
                KICK_BY_DEVICE
            };
            let event = serde_json::json!({"Event": KICKED_EVENT, "KickType": kick_type});
            let push = Push::new(Priority::High, &event);
            if *victim.node == **self.presence.node() {
                self.hub
                    .send_to_connection(app.sdkappid, user, victim.id, &push);
            } else {
                let target = Target::Connection {
                    user: user.to_owned(),
                    node: victim.node.clone(),
                    id: victim.id,
                };
                self.fanout.send(app.sdkappid, target, &push, None);
            }
        }
        victims.into_iter().map(|v| v.platform).collect()
    }

    /// Reports the connections of dead nodes that this node took out of the cluster
    /// (`State.StateChange` `Disconnect` / `TimeOut`, once each), until the node stops.
    pub fn report_reaped(
        &self,
        apps: crate::apps::Apps,
        mut reaped: tokio::sync::mpsc::Receiver<Reaped>,
    ) {
        let sessions = self.clone();
        tokio::spawn(async move {
            while let Some(Reaped {
                app,
                user,
                link,
                rooms_left,
            }) = reaped.recv().await
            {
                let Some(app) = apps.get(app) else {
                    continue;
                };
                let session = Session {
                    app: app.clone(),
                    user,
                    connection: link.id,
                    origin: Origin {
                        client_ip: link.client_ip,
                        platform: link.platform,
                        connection: None,
                    },
                };
                sessions
                    .report_state(&session, "Disconnect", "TimeOut")
                    .await;
                sessions
                    .groups
                    .went_offline(
                        &session.app,
                        &rooms_left,
                        &session.user,
                        RoomCause::HeartbeatInterrupt,
                        &session.origin,
                    )
                    .await;
            }
        });
    }

    async fn report_login(&self, session: &Session, kicked: Vec<String>) {
        let kicked_device = (!kicked.is_empty()).then(|| {
            kicked
                .into_iter()
                .map(|platform| KickedDevice { platform })
                .collect()
        });
        self.report(session, "Login", "Register", kicked_device)
            .await;
    }

    async fn report_state(&self, session: &Session, action: &str, reason: &str) {
        self.report(session, action, reason, None).await;
    }

    async fn report(
        &self,
        session: &Session,
        action: &str,
        reason: &str,
        kicked_device: Option<Vec<KickedDevice>>,
    ) {
        let payload = StateChange {
            event_time: self.clock.now_ms() as u64,
            info: StateChangeInfo {
                action: action.to_owned(),
                to_account: session.user.clone(),
                reason: reason.to_owned(),
            },
            kicked_device,
        };
        self.webhooks
            .record_after(
                session.app.sdkappid,
                &payload,
                &format!("state:{}", session.user),
                &session.origin,
            )
            .await;
    }
}

/// The per-user login/logout locks, by `(SDKAppID, UserID)`.
type TransitionLocks = Arc<Mutex<HashMap<(u64, String), Arc<tokio::sync::Mutex<()>>>>>;

/// A user's turn to log in or out; the lock entry goes when no one else waits for it.
struct UserTransition {
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    key: (u64, String),
    locks: TransitionLocks,
}

impl Drop for UserTransition {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map holds it now: nobody is waiting.
        if locks
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            locks.remove(&self.key);
        }
    }
}

/// The older connections (`older`, oldest first: connection, platform) that a new login on
/// `platform` pushes out under `policy`.
fn login_victims(
    policy: LoginPolicy,
    web_instances: u32,
    older: &[Link],
    platform: &str,
) -> Vec<Link> {
    match policy {
        LoginPolicy::Unlimited => Vec::new(),
        LoginPolicy::Single => older.to_vec(),
        LoginPolicy::PerPlatform => {
            let allowed = if platform == "Web" {
                web_instances.max(1) as usize
            } else {
                1
            };
            let same: Vec<&Link> = older.iter().filter(|l| l.platform == platform).collect();
            // The new login is one of the allowed: the oldest of the rest go.
            let excess = (same.len() + 1).saturating_sub(allowed);
            same.into_iter().take(excess).cloned().collect()
        }
    }
}

#[cfg(test)]
mod login_policy_tests {
    use super::*;

    fn conns(list: &[(u64, &str)]) -> Vec<Link> {
        list.iter()
            .map(|(c, p)| Link {
                node: "n".into(),
                id: *c,
                platform: (*p).to_owned(),
                client_ip: String::new(),
            })
            .collect()
    }

    #[test]
    fn each_policy_pushes_out_the_right_devices() {
        let older = conns(&[(1, "Web"), (2, "Android"), (3, "Web"), (4, "iOS")]);
        assert!(login_victims(LoginPolicy::Unlimited, 1, &older, "Android").is_empty());
        assert_eq!(login_victims(LoginPolicy::Single, 1, &older, "Mac"), older);
        assert_eq!(
            login_victims(LoginPolicy::PerPlatform, 1, &older, "Android"),
            conns(&[(2, "Android")])
        );
        assert!(login_victims(LoginPolicy::PerPlatform, 1, &older, "Mac").is_empty());
        // Two Web instances kept at most: with two older ones, the oldest goes.
        assert_eq!(
            login_victims(LoginPolicy::PerPlatform, 2, &older, "Web"),
            conns(&[(1, "Web")])
        );
        assert!(login_victims(LoginPolicy::PerPlatform, 3, &older, "Web").is_empty());
    }
}
