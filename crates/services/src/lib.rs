//! Domain services: what each Tencent area does, independent of HTTP and of the storage engine.
//! Handlers call these with already-parsed input; these call the [`Store`] and return Tencent
//! error codes ([`ApiError`]) for every refusal.

pub mod accounts;
pub mod apps;
pub mod conversation_sync;
pub mod conversations;
pub mod engines;
pub mod fanout;
pub mod files;
pub mod follows;
pub mod groups;
pub mod local_words;
pub mod messages;
pub mod mutes;
pub mod ops;
pub mod profile_fields;
pub mod profiles;
pub mod push;
pub mod reactions;
pub mod relations;
pub mod robots;
pub mod search;
pub mod sessions;
pub mod snapshots;
pub mod statuses;
pub mod transfer;

use std::sync::Arc;

use natter_core::{ApiError, Clock};
use natter_events::{Budgets, Hub, Presence};
use natter_store::{Store, StoreError};
use natter_webhook::Webhooks;

pub use accounts::AccountService;
pub use apps::Apps;
pub use conversations::ConversationService;
pub use fanout::Fanout;
pub use files::FileService;
pub use follows::FollowService;
pub use groups::GroupService;
pub use messages::MessageService;
pub use mutes::MuteService;
pub use ops::OpsService;
pub use profiles::ProfileService;
pub use push::PushService;
pub use relations::RelationService;
pub use robots::RobotService;
pub use search::SearchService;
pub use sessions::SessionService;
pub use statuses::StatusService;

/// Every service, wired to one store and one clock.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<Clock>,
    pub apps: Apps,
    pub webhooks: Arc<Webhooks>,
    pub accounts: AccountService,
    pub profiles: ProfileService,
    pub messages: MessageService,
    pub conversations: ConversationService,
    pub files: FileService,
    pub relations: RelationService,
    pub follows: FollowService,
    pub search: SearchService,
    pub groups: GroupService,
    pub pushes: PushService,
    pub sessions: SessionService,
    pub statuses: StatusService,
    pub mutes: MuteService,
    pub robots: RobotService,
    pub hub: Arc<Hub>,
    /// Who is connected where, cluster-wide.
    pub presence: Arc<Presence>,
    /// Per-second frequency limits, cluster-wide.
    pub budgets: Arc<Budgets>,
    pub fanout: Fanout,
    pub ops: OpsService,
    /// Translation, speech recognition and video covers (none configured unless
    /// [`Services::with_engines`] says where they are).
    pub engines: engines::Engines,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<Clock>,
        apps: Apps,
        webhooks: Arc<Webhooks>,
        (hub, presence, budgets): (Arc<Hub>, Arc<Presence>, Arc<Budgets>),
        fanout: Fanout,
    ) -> Self {
        let accounts = AccountService::new(store.clone(), clock.clone()).counting(webhooks.ops());
        let messages = MessageService::new(
            store.clone(),
            clock.clone(),
            webhooks.clone(),
            fanout.clone(),
        );
        let groups = GroupService::new(
            store.clone(),
            clock.clone(),
            webhooks.clone(),
            (presence.clone(), budgets.clone()),
            fanout.clone(),
        );
        let statuses = StatusService::new(store.clone(), presence.clone(), hub.clone());
        Self {
            sessions: SessionService::new(
                clock.clone(),
                webhooks.clone(),
                (hub.clone(), presence.clone()),
                (store.clone(), fanout.clone()),
                accounts.clone(),
                (groups.clone(), statuses.clone()),
            ),
            statuses,
            accounts,
            profiles: ProfileService::new(store.clone(), clock.clone(), webhooks.clone()),
            messages: messages.clone(),
            pushes: PushService::new(store.clone(), clock.clone(), messages),
            relations: RelationService::new(
                store.clone(),
                clock.clone(),
                webhooks.clone(),
                fanout.clone(),
            ),
            conversations: ConversationService::new(store.clone(), clock.clone(), fanout.clone()),
            follows: FollowService::new(store.clone(), clock.clone(), fanout.clone()),
            search: SearchService::new(store.clone()),
            fanout,
            ops: OpsService::new(store.clone(), clock.clone(), webhooks.ops()),
            mutes: MuteService::new(store.clone(), clock.clone()),
            robots: RobotService::new(store.clone(), clock.clone()),
            files: FileService::new(store.clone(), clock.clone()),
            groups,
            hub,
            presence,
            budgets,
            store,
            clock,
            apps,
            webhooks,
            engines: engines::Engines::default(),
        }
    }

    /// These services with the engines of `config` (see [`engines`]).
    pub fn with_engines(mut self, config: engines::EngineConfig) -> Self {
        self.engines = engines::Engines::new(config);
        self
    }
}

impl Services {
    /// Removes all of one app's data, then recreates its admin accounts (the emulator's reset).
    pub async fn reset_app(&self, app: &natter_core::AppSettings) -> natter_core::ApiResult<()> {
        // Counts of this node not written yet are written first, so the reset removes them too.
        self.ops.flush().await?;
        self.store
            .reset_app(app.sdkappid)
            .await
            .map_err(internal(natter_core::codes::ACCOUNT_INTERNAL))?;
        self.groups.forget_group_kinds(app.sdkappid);
        self.webhooks.clear_log(app.sdkappid);
        self.accounts.ensure_admins(app.sdkappid, &app.admins).await
    }
}

/// A storage failure, reported with the area's "internal error, try again later" code.
pub(crate) fn internal(code: u32) -> impl FnOnce(StoreError) -> ApiError {
    move |e| {
        tracing::error!(error = %e, code, "storage failure");
        ApiError::new(code, "internal server error, try again later")
    }
}
