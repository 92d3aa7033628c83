//! Push to all users (`all_member_push`): the app's attribute names, users' push attributes and
//! tags ([`PushService`]), and push tasks ([`task`]): a one-to-one message to every matching
//! account, delivered in the background through the normal C2C send.
//!
//! Limits (Tencent's pages): 10 attributes per app (numbered 0–9), names and values up to 50
//! bytes; 100 accounts per call; 10 tags per user in one add, 100 per user in all, tags up to 50
//! bytes.

pub mod task;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
use natter_store::{PushLabelChange, PushLabels, Store};

use crate::internal;
use crate::messages::MessageService;
use task::Runner;

/// Attributes an app may name (numbered 0 to 9).
pub const MAX_ATTRS: u32 = 10;
/// Longest attribute name, attribute value and tag, in bytes.
pub const MAX_LABEL_BYTES: usize = 50;
/// Most accounts one call names.
pub const MAX_ACCOUNTS: usize = 100;
/// Most tags one user gets in one `im_add_tag`.
pub const MAX_TAGS_PER_ADD: usize = 10;
/// Most tags one user holds.
pub const MAX_TAGS_PER_USER: usize = 100;

#[derive(Clone)]
pub struct PushService {
    store: Arc<dyn Store>,
    runner: Runner,
}

/// One user's attributes or tags, as a call names them.
pub type UserItems<T> = Vec<(String, Vec<T>)>;

impl PushService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>, messages: MessageService) -> Self {
        Self {
            runner: Runner::new(store.clone(), clock, messages),
            store,
        }
    }

    /// The background side: push tasks, their pause control and shutdown.
    pub fn tasks(&self) -> &Runner {
        &self.runner
    }

    /// `im_push`: stores a push task and starts it; answers its `TaskId`.
    pub async fn push(
        &self,
        app: &Arc<AppSettings>,
        client_ip: String,
        req: task::PushRequest,
    ) -> ApiResult<String> {
        let c = &req.condition;
        let numbers = if c.attrs_and.is_empty() && c.attrs_or.is_empty() {
            BTreeMap::new()
        } else {
            self.attr_numbers(app).await?
        };
        self.runner.push(app, &numbers, client_ip, req).await
    }

    /// `im_get_attr_name`: the app's attribute names by number.
    pub async fn attr_names(&self, app: &AppSettings) -> ApiResult<Vec<(u32, String)>> {
        self.store
            .push_attr_names(app.sdkappid)
            .await
            .map_err(internal(codes::PUSH_INTERNAL))
    }

    /// `im_set_attr_name`: names attributes by number ("0" to "9"); numbers not given keep
    /// their names. Two attributes may not share a name (a condition names attributes).
    pub async fn set_attr_names(
        &self,
        app: &AppSettings,
        names: Vec<(String, String)>,
    ) -> ApiResult<()> {
        if names.is_empty() {
            return Err(ApiError::new(codes::PUSH_BAD_PARAM, "AttrNames is empty"));
        }
        let mut merged: BTreeMap<u32, String> = self.attr_names(app).await?.into_iter().collect();
        for (key, name) in names {
            let index = key
                .parse::<u32>()
                .ok()
                .filter(|i| *i < MAX_ATTRS && key == i.to_string())
                .ok_or_else(|| {
                    ApiError::new(
                        codes::PUSH_BAD_PARAM,
                        format!("attribute number {key:?} must be one of \"0\" to \"9\""),
                    )
                })?;
            if name.is_empty() || name.len() > MAX_LABEL_BYTES {
                return Err(ApiError::new(
                    codes::PUSH_BAD_PARAM,
                    format!("attribute name {name:?} must be 1 to {MAX_LABEL_BYTES} bytes"),
                ));
            }
            merged.insert(index, name);
        }
        let mut seen = HashSet::new();
        if let Some(name) = merged.values().find(|n| !seen.insert(n.as_str())) {
            return Err(ApiError::new(
                codes::PUSH_BAD_PARAM,
                format!("two attributes would be named {name:?}"),
            ));
        }
        self.store
            .set_push_attr_names(app.sdkappid, merged.into_iter().collect())
            .await
            .map_err(internal(codes::PUSH_INTERNAL))
    }

    /// The number of each attribute name (90033 for a name the app has not set).
    pub(crate) async fn attr_numbers(&self, app: &AppSettings) -> ApiResult<BTreeMap<String, u32>> {
        Ok(self
            .attr_names(app)
            .await?
            .into_iter()
            .map(|(i, n)| (n, i))
            .collect())
    }

    /// `im_get_attr`: each user's attributes by name (values under a number that has no name
    /// are not shown).
    pub async fn user_attrs(
        &self,
        app: &AppSettings,
        users: Vec<String>,
    ) -> ApiResult<Vec<(String, Vec<(String, String)>)>> {
        let labels = self.labels(app, users.clone()).await?;
        let names: BTreeMap<u32, String> = self.attr_names(app).await?.into_iter().collect();
        Ok(users
            .into_iter()
            .zip(labels)
            .map(|(user, labels)| {
                let attrs = labels
                    .attrs
                    .into_iter()
                    .filter_map(|(i, v)| names.get(&i).map(|n| (n.clone(), v)))
                    .collect();
                (user, attrs)
            })
            .collect())
    }

    /// `im_get_tag`: each user's tags (bytewise order).
    pub async fn user_tags(
        &self,
        app: &AppSettings,
        users: Vec<String>,
    ) -> ApiResult<Vec<(String, Vec<String>)>> {
        let labels = self.labels(app, users.clone()).await?;
        Ok(users
            .into_iter()
            .zip(labels)
            .map(|(user, labels)| (user, labels.tags.into_iter().collect()))
            .collect())
    }

    async fn labels(&self, app: &AppSettings, users: Vec<String>) -> ApiResult<Vec<PushLabels>> {
        self.check_accounts(app, users.iter()).await?;
        self.store
            .push_labels(app.sdkappid, users)
            .await
            .map_err(internal(codes::PUSH_INTERNAL))
    }

    /// `im_set_attr`: sets attribute values by name; other attributes keep theirs.
    pub async fn set_user_attrs(
        &self,
        app: &AppSettings,
        items: UserItems<(String, String)>,
    ) -> ApiResult<()> {
        let numbers = self.attr_numbers(app).await?;
        let mut change = Vec::with_capacity(items.len());
        for (user, attrs) in &items {
            let mut values = Vec::with_capacity(attrs.len());
            for (name, value) in attrs {
                if value.len() > MAX_LABEL_BYTES {
                    return Err(ApiError::new(
                        codes::PUSH_ATTR_INVALID,
                        format!("value of attribute {name:?} is over {MAX_LABEL_BYTES} bytes"),
                    ));
                }
                values.push((number(&numbers, name)?, value.clone()));
            }
            change.push((user.clone(), values));
        }
        self.check_accounts(app, items.iter().map(|i| &i.0)).await?;
        self.change(app, PushLabelChange::SetAttrs(change)).await
    }

    /// `im_remove_attr`: removes attributes by name.
    pub async fn remove_user_attrs(
        &self,
        app: &AppSettings,
        items: UserItems<String>,
    ) -> ApiResult<()> {
        let numbers = self.attr_numbers(app).await?;
        let mut change = Vec::with_capacity(items.len());
        for (user, names) in &items {
            let numbers = names
                .iter()
                .map(|n| number(&numbers, n))
                .collect::<ApiResult<Vec<_>>>()?;
            change.push((user.clone(), numbers));
        }
        self.check_accounts(app, items.iter().map(|i| &i.0)).await?;
        self.change(app, PushLabelChange::RemoveAttrs(change)).await
    }

    /// `im_add_tag`: at most 10 tags per user per call and 100 per user in all (90032).
    pub async fn add_tags(&self, app: &AppSettings, items: UserItems<String>) -> ApiResult<()> {
        for (user, tags) in &items {
            if tags.len() > MAX_TAGS_PER_ADD {
                return Err(ApiError::new(
                    codes::PUSH_TOO_MANY_TAGS,
                    format!(
                        "{} tags for {user}; at most {MAX_TAGS_PER_ADD} per user in one call",
                        tags.len()
                    ),
                ));
            }
            tags.iter().try_for_each(|t| check_tag(t))?;
        }
        self.check_accounts(app, items.iter().map(|i| &i.0)).await?;
        self.change(app, PushLabelChange::AddTags(items)).await
    }

    /// `im_remove_tag`: tags a user does not have are ignored.
    pub async fn remove_tags(&self, app: &AppSettings, items: UserItems<String>) -> ApiResult<()> {
        for (_, tags) in &items {
            tags.iter().try_for_each(|t| check_tag(t))?;
        }
        self.check_accounts(app, items.iter().map(|i| &i.0)).await?;
        self.change(app, PushLabelChange::RemoveTags(items)).await
    }

    /// `im_remove_all_tags`.
    pub async fn remove_all_tags(&self, app: &AppSettings, users: Vec<String>) -> ApiResult<()> {
        self.check_accounts(app, users.iter()).await?;
        self.change(app, PushLabelChange::ClearTags(users)).await
    }

    async fn change(&self, app: &AppSettings, change: PushLabelChange) -> ApiResult<()> {
        match self
            .store
            .change_push_labels(app.sdkappid, change, MAX_TAGS_PER_USER)
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?
        {
            Ok(()) => Ok(()),
            Err(user) => Err(ApiError::new(
                codes::PUSH_TOO_MANY_TAGS,
                format!("{user} would hold more than {MAX_TAGS_PER_USER} tags; remove some first"),
            )),
        }
    }

    /// 1–100 accounts (90001 / 90018), each imported (70107).
    async fn check_accounts<'a>(
        &self,
        app: &AppSettings,
        users: impl Iterator<Item = &'a String>,
    ) -> ApiResult<()> {
        let users: Vec<String> = users.cloned().collect();
        if users.is_empty() {
            return Err(ApiError::new(codes::PUSH_BAD_PARAM, "no account given"));
        }
        if users.len() > MAX_ACCOUNTS {
            return Err(ApiError::new(
                codes::PUSH_TOO_MANY_ACCOUNTS,
                format!("{} accounts; at most {MAX_ACCOUNTS} per call", users.len()),
            ));
        }
        let exist = self
            .store
            .accounts_exist(app.sdkappid, users.clone())
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?;
        if let Some((user, _)) = users.iter().zip(exist).find(|(_, e)| !e) {
            return Err(ApiError::new(
                codes::ACCOUNT_NOT_FOUND,
                format!("account {user} is not imported"),
            ));
        }
        Ok(())
    }
}

fn number(numbers: &BTreeMap<String, u32>, name: &str) -> ApiResult<u32> {
    numbers.get(name).copied().ok_or_else(|| {
        ApiError::new(
            codes::PUSH_ATTR_INVALID,
            format!("attribute {name:?} is not one of the app's (im_set_attr_name)"),
        )
    })
}

/// A tag is 1–50 bytes (90040 empty, 90020 longer).
pub(crate) fn check_tag(tag: &str) -> ApiResult<()> {
    if tag.is_empty() {
        return Err(ApiError::new(codes::PUSH_TAG_EMPTY, "a tag is empty"));
    }
    if tag.len() > MAX_LABEL_BYTES {
        return Err(ApiError::new(
            codes::PUSH_TAG_TOO_LONG,
            format!("tag {tag:?} is over {MAX_LABEL_BYTES} bytes"),
        ));
    }
    Ok(())
}
