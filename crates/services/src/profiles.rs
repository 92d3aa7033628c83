//! Profiles (`profile`): set and get standard and custom fields.

use std::sync::Arc;

use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
use natter_store::{ProfileValue, Store};
use natter_webhook::payloads::profile::{PortraitSet, ProfileItem};
use natter_webhook::{Origin, Webhooks};
use serde_json::Value;

use crate::{internal, profile_fields};

/// Most accounts one `portrait_get` may name ("no more than 100 users at a time").
pub const MAX_GET_ACCOUNTS: usize = 100;

/// The profile of one requested account: its items, or `None` when the account does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct UserProfile {
    pub user_id: String,
    pub items: Option<Vec<ProfileValue>>,
}

#[derive(Clone)]
pub struct ProfileService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    webhooks: Arc<Webhooks>,
}

impl ProfileService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>, webhooks: Arc<Webhooks>) -> Self {
        Self {
            store,
            clock,
            webhooks,
        }
    }

    /// `portrait_set`: validates every item first, then writes them all or none, together with
    /// the `Profile.CallbackPortraitSet` after-callback. Returns the items as stored.
    pub async fn set(
        &self,
        app: &AppSettings,
        operator: &str,
        origin: &Origin,
        user_id: String,
        items: Vec<(String, Value)>,
    ) -> ApiResult<Vec<ProfileValue>> {
        if items.is_empty() {
            return Err(ApiError::new(
                codes::PROFILE_INVALID_PARAM,
                "ProfileItem is empty",
            ));
        }
        let mut values: Vec<ProfileValue> = Vec::with_capacity(items.len());
        for (tag, value) in items {
            profile_fields::check(app, &tag, &value)?;
            // The last value given for a tag wins, as if the items were applied in order.
            values.retain(|v| v.tag != tag);
            values.push(ProfileValue { tag, value });
        }
        let now_ms = self.clock.now_ms();
        let callback = PortraitSet {
            operator_account: operator.to_owned(),
            from_account: user_id.clone(),
            event_time: now_ms as u64,
            profile_item: values
                .iter()
                .map(|v| ProfileItem::new(v.tag.clone(), v.value.clone()))
                .collect(),
        };
        // Written in the same transaction as the profile: the callback fires if and only if the
        // change is stored.
        let events: Vec<_> = self
            .webhooks
            .after(app.sdkappid, &callback, &user_id, origin)
            .into_iter()
            .collect();
        let fires = !events.is_empty();
        let written = self
            .store
            .set_profile(
                app.sdkappid,
                user_id.clone(),
                values.clone(),
                now_ms,
                events,
            )
            .await
            .map_err(internal(codes::PROFILE_INTERNAL))?;
        if !written {
            return Err(ApiError::new(
                codes::PROFILE_ACCOUNT_NOT_FOUND,
                format!("account {user_id} does not exist"),
            ));
        }
        if fires {
            self.webhooks.wake();
        }
        Ok(values)
    }

    /// `portrait_get`: the requested tags of each account, in the order asked.
    pub async fn get(
        &self,
        app: &AppSettings,
        user_ids: Vec<String>,
        tags: Vec<String>,
    ) -> ApiResult<Vec<UserProfile>> {
        if user_ids.is_empty() {
            return Err(ApiError::new(
                codes::PROFILE_NO_TARGET,
                "To_Account is empty",
            ));
        }
        if user_ids.len() > MAX_GET_ACCOUNTS {
            return Err(ApiError::new(
                codes::PROFILE_INVALID_PARAM,
                format!(
                    "{} accounts in To_Account; at most {MAX_GET_ACCOUNTS} are allowed",
                    user_ids.len()
                ),
            ));
        }
        if tags.is_empty() {
            return Err(ApiError::new(
                codes::PROFILE_INVALID_PARAM,
                "TagList is empty",
            ));
        }
        if let Some(unknown) = tags.iter().find(|t| !profile_fields::is_known(app, t)) {
            return Err(ApiError::new(
                codes::PROFILE_TAG_NOT_FOUND,
                format!("profile tag {unknown} does not exist"),
            ));
        }
        let mut found = self
            .store
            .get_profiles(app.sdkappid, user_ids.clone(), tags.clone())
            .await
            .map_err(internal(codes::PROFILE_INTERNAL))?;
        Ok(user_ids
            .into_iter()
            .map(|user_id| {
                // Items come back in the order of TagList.
                let items = found.get_mut(&user_id).map(|stored| {
                    tags.iter()
                        .filter_map(|t| stored.iter().find(|v| &v.tag == t).cloned())
                        .collect()
                });
                UserProfile { user_id, items }
            })
            .collect())
    }
}
