//! Accounts (`im_open_login_svc`): import, delete, check.

use std::sync::Arc;

use natter_core::ops::{field, Recorder};
use natter_core::{codes, ids, ApiError, ApiResult, AppId, Clock};
use natter_store::{AccountImport, ProfileValue, Store};

use crate::{internal, profile_fields};

/// Most accounts one batch call may name.
pub const MAX_BATCH: usize = 100;
/// Most UserIDs one page of [`AccountService::list`] holds.
pub const MAX_LIST: u32 = 1000;

/// One account to import, as the API receives it.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub user_id: String,
    pub nick: Option<String>,
    pub face_url: Option<String>,
}

#[derive(Clone)]
pub struct AccountService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    ops: Option<Arc<Recorder>>,
}

impl AccountService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Self {
            store,
            clock,
            ops: None,
        }
    }

    /// Counts registrations and deletions into the operations data.
    pub fn counting(mut self, ops: Arc<Recorder>) -> Self {
        self.ops = Some(ops);
        self
    }

    /// Imports accounts, counting the ones that did not exist before as registrations.
    async fn import(&self, app: AppId, imports: Vec<AccountImport>) -> ApiResult<()> {
        let new = match &self.ops {
            Some(_) => {
                let ids = imports.iter().map(|i| i.user_id.clone()).collect();
                let exist = self
                    .store
                    .accounts_exist(app, ids)
                    .await
                    .map_err(internal(codes::ACCOUNT_INTERNAL))?;
                exist.iter().filter(|e| !**e).count() as i64
            }
            None => 0,
        };
        self.store
            .import_accounts(app, imports, self.clock.now_ms())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        if let Some(ops) = &self.ops {
            ops.add(app, field::REGIST_USER_NUM_ONE_DAY, new);
        }
        Ok(())
    }

    /// `account_import`: creates the account, or updates its nick and face URL if it exists.
    pub async fn import_one(&self, app: AppId, account: NewAccount) -> ApiResult<()> {
        let import = to_import(account)?;
        self.import(app, vec![import]).await
    }

    /// `multiaccount_import`: imports the valid accounts and returns the UserIDs that failed.
    pub async fn import_many(
        &self,
        app: AppId,
        accounts: Vec<NewAccount>,
    ) -> ApiResult<Vec<String>> {
        check_batch(accounts.len())?;
        let mut failed = Vec::new();
        let mut imports: Vec<AccountImport> = Vec::with_capacity(accounts.len());
        for account in accounts {
            let user_id = account.user_id.clone();
            match to_import(account) {
                // A repeated UserID is imported once; the later entry's nick and face win.
                Ok(import) => match imports.iter_mut().find(|i| i.user_id == import.user_id) {
                    Some(earlier) => *earlier = import,
                    None => imports.push(import),
                },
                Err(_) => failed.push(user_id),
            }
        }
        if !imports.is_empty() {
            self.import(app, imports).await?;
        }
        Ok(failed)
    }

    /// `account_delete`: per UserID in order, whether it existed (and is now gone).
    pub async fn delete(
        &self,
        app: AppId,
        user_ids: Vec<String>,
    ) -> ApiResult<Vec<(String, bool)>> {
        check_batch(user_ids.len())?;
        let existed = self
            .store
            .delete_accounts(app, user_ids.clone())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        if let Some(ops) = &self.ops {
            let gone = existed.iter().filter(|e| **e).count() as i64;
            ops.add(app, field::ACCOUNT_DELETE_NUM, gone);
        }
        Ok(user_ids.into_iter().zip(existed).collect())
    }

    /// `account_check`: per UserID in order, whether it is imported.
    pub async fn check(&self, app: AppId, user_ids: Vec<String>) -> ApiResult<Vec<(String, bool)>> {
        check_batch(user_ids.len())?;
        self.exist(app, user_ids).await
    }

    /// Whether each account exists, for callers that set their own batch limit.
    pub async fn exist(&self, app: AppId, user_ids: Vec<String>) -> ApiResult<Vec<(String, bool)>> {
        let exist = self
            .store
            .accounts_exist(app, user_ids.clone())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        Ok(user_ids.into_iter().zip(exist).collect())
    }

    /// The app's UserIDs in byte order, `limit` (1–1,000) at a time: those after `after` that
    /// begin with `prefix` (both may be empty). Tencent has no such API; Natter's control plane
    /// offers it for the console (`GET /_natter/accounts`). Returns the page and the cursor of
    /// the next one (`None` when this page is the last).
    pub async fn list(
        &self,
        app: AppId,
        prefix: String,
        after: String,
        limit: u32,
    ) -> ApiResult<(Vec<String>, Option<String>)> {
        if !(1..=MAX_LIST).contains(&limit) {
            return Err(ApiError::new(
                codes::ACCOUNT_INVALID_PARAM,
                format!("limit must be 1–{MAX_LIST}, not {limit}"),
            ));
        }
        for (name, value) in [("prefix", &prefix), ("after", &after)] {
            if value.len() > ids::MAX_USER_ID_BYTES {
                return Err(ApiError::new(
                    codes::ACCOUNT_INVALID_PARAM,
                    format!(
                        "{name} is {} bytes; a UserID has at most {}",
                        value.len(),
                        ids::MAX_USER_ID_BYTES
                    ),
                ));
            }
        }
        let page = self
            .store
            .list_accounts(app, prefix, after, limit)
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        let next = (page.len() == limit as usize)
            .then(|| page.last().cloned())
            .flatten();
        Ok((page, next))
    }

    /// Makes sure the app's admin accounts exist, as Tencent's console does when it makes an app.
    pub async fn ensure_admins(&self, app: AppId, admins: &[String]) -> ApiResult<()> {
        let exist = self
            .store
            .accounts_exist(app, admins.to_vec())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        let missing: Vec<AccountImport> = admins
            .iter()
            .zip(exist)
            .filter(|(_, e)| !e)
            .map(|(id, _)| AccountImport {
                user_id: id.clone(),
                profile: vec![],
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        self.store
            .import_accounts(app, missing, self.clock.now_ms())
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))
    }
}

fn check_batch(len: usize) -> ApiResult<()> {
    if len == 0 {
        return Err(ApiError::new(
            codes::ACCOUNT_INVALID_PARAM,
            "the account list is empty",
        ));
    }
    if len > MAX_BATCH {
        return Err(ApiError::new(
            codes::ACCOUNT_BATCH_TOO_LARGE,
            format!("{len} accounts in one request; at most {MAX_BATCH} are allowed"),
        ));
    }
    Ok(())
}

fn to_import(account: NewAccount) -> ApiResult<AccountImport> {
    if let Some(problem) = ids::user_id_problem(&account.user_id) {
        return Err(ApiError::new(codes::ACCOUNT_INVALID_PARAM, problem));
    }
    let mut profile = Vec::new();
    for (tag, value) in [
        (profile_fields::NICK, account.nick),
        (profile_fields::IMAGE, account.face_url),
    ] {
        let Some(value) = value else { continue };
        if value.len() > profile_fields::MAX_VALUE_BYTES {
            return Err(ApiError::new(
                codes::PROFILE_VALUE_TOO_LONG,
                format!(
                    "{} of {} is {} bytes; at most {} are allowed",
                    if tag == profile_fields::NICK {
                        "Nick"
                    } else {
                        "FaceUrl"
                    },
                    account.user_id,
                    value.len(),
                    profile_fields::MAX_VALUE_BYTES
                ),
            ));
        }
        profile.push(ProfileValue::new(tag, value));
    }
    Ok(AccountImport {
        user_id: account.user_id,
        profile,
    })
}
