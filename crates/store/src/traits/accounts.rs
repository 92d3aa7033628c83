//! Accounts and what hangs off one account alone: profiles, kicks, uploaded files, global mutes
//! and chatbots.

use std::collections::HashMap;

use async_trait::async_trait;
use natter_core::AppId;

use crate::{
    AccountImport, GlobalMute, OutboxEvent, ProfileValue, RobotCreate, StoreResult, StoredFile,
};

#[cfg(doc)] // for the doc links only
use crate::is_file_id;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the accounts that do not exist yet and writes the given profile items of each
    /// (re-importing an account only updates those items). All or nothing.
    async fn import_accounts(
        &self,
        app: AppId,
        accounts: Vec<AccountImport>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Deletes accounts and everything that belongs to them. Returns, per requested UserID in
    /// order, whether it existed.
    async fn delete_accounts(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>>;

    /// Per requested UserID in order: whether the account exists.
    async fn accounts_exist(&self, app: AppId, user_ids: Vec<String>) -> StoreResult<Vec<bool>>;

    /// Up to `limit` of the app's UserIDs in byte order: those after `after` ("" from the
    /// start) that begin with `prefix` ("" for all). A keyset page on the accounts' primary
    /// key, so a page costs the same in an app of 100,000 accounts (the console's list).
    async fn list_accounts(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> StoreResult<Vec<String>>;

    /// Records that `user`'s logins were invalidated (`im_open_login_svc/kick`) at `at_secs` (Unix
    /// seconds); a later kick replaces an earlier one.
    async fn set_kicked(&self, app: AppId, user: String, at_secs: i64) -> StoreResult<()>;

    /// When `user`'s logins were last invalidated (Unix seconds), if ever.
    async fn kicked_at(&self, app: AppId, user: String) -> StoreResult<Option<i64>>;

    /// Keeps an uploaded file (a message's image, file, sound or video) under `id`, which is
    /// one of [`is_file_id`]'s. False (and nothing written) when `id` holds a file already:
    /// an upload URL is good for one upload.
    async fn put_file(&self, app: AppId, id: String, file: StoredFile) -> StoreResult<bool>;

    /// The file kept under `id`, if any.
    async fn get_file(&self, app: AppId, id: String) -> StoreResult<Option<StoredFile>>;

    /// Sets `user`'s global mute ends (see [`GlobalMute`]); `None` leaves that one as it is.
    /// Returns false (and writes nothing) when the account does not exist.
    async fn set_global_mute(
        &self,
        app: AppId,
        user: String,
        c2c_until: Option<i64>,
        group_until: Option<i64>,
    ) -> StoreResult<bool>;

    /// `user`'s global mute ends (both 0 when never set).
    async fn global_mute(&self, app: AppId, user: String) -> StoreResult<GlobalMute>;

    /// Makes `robot.user_id` a chatbot: creates its account if needed and writes its profile
    /// items, unless the app has `max` chatbots already (counting under a lock, so concurrent
    /// creations never pass it). All or nothing.
    async fn create_robot(
        &self,
        app: AppId,
        robot: AccountImport,
        max: usize,
        now_ms: i64,
    ) -> StoreResult<RobotCreate>;

    /// Ends `user`'s being a chatbot (its account stays). Returns whether it was one.
    async fn delete_robot(&self, app: AppId, user: String) -> StoreResult<bool>;

    /// The app's chatbots, by UserID (bytewise on both engines).
    async fn robots(&self, app: AppId) -> StoreResult<Vec<String>>;

    /// Whether `user` is one of the app's chatbots.
    async fn is_robot(&self, app: AppId, user: String) -> StoreResult<bool>;

    /// Writes profile items of an existing account and the `outbox` events in one transaction.
    /// Returns false (and writes nothing) when the account does not exist.
    async fn set_profile(
        &self,
        app: AppId,
        user_id: String,
        items: Vec<ProfileValue>,
        now_ms: i64,
        outbox: Vec<OutboxEvent>,
    ) -> StoreResult<bool>;

    /// The stored items among `tags` for each existing account; accounts that do not exist are
    /// absent from the map.
    async fn get_profiles(
        &self,
        app: AppId,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> StoreResult<HashMap<String, Vec<ProfileValue>>>;
}
