//! Custom group attributes (`*_group_attr`) and group counters (`*_group_counter`), both kept
//! on the group row and changed under the group's lock.

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery};
use natter_webhook::payloads::group::{AfterGroupAttrChanged, GroupAttr};
use natter_webhook::Origin;

use super::{invalid, type_of, GroupService};

const MAX_ATTR_KEY_BYTES: usize = 32;
const MAX_ATTR_VALUE_BYTES: usize = 4096;
const MAX_ATTRS: usize = 16;
const MAX_ATTRS_BYTES: usize = 16 * 1024;
/// Attribute writes per second per group.
const ATTR_WRITES_PER_SECOND: u32 = 5;
const MAX_COUNTER_KEY_BYTES: usize = 128;
const MAX_COUNTERS_PER_CALL: usize = 20;

/// How an attribute write changes the group's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrChange {
    /// `modify_group_attr`: upsert the given keys.
    Modify,
    /// `set_group_attr`: replace them all.
    Set,
    /// `clear_group_attr`: remove them all.
    Clear,
    /// `delete_group_attr`: remove the given keys (each must exist: 10050).
    Delete,
}

impl AttrChange {
    fn option_type(self) -> &'static str {
        match self {
            Self::Modify => "modify",
            Self::Set => "set",
            Self::Clear => "clear",
            Self::Delete => "delete",
        }
    }
}

/// How `update_group_counter` applies its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterMode {
    Set,
    Increase,
    Decrease,
}

impl CounterMode {
    pub fn parse(mode: Option<&str>) -> ApiResult<Self> {
        match mode {
            None | Some("Set") => Ok(Self::Set),
            Some("Increase") => Ok(Self::Increase),
            Some("Decrease") => Ok(Self::Decrease),
            Some(other) => Err(invalid(format!(
                "Mode {other:?} is not Set, Increase or Decrease"
            ))),
        }
    }
}

impl GroupService {
    /// `get_group_attr`: every attribute of the group.
    pub async fn attributes(
        &self,
        app: &AppSettings,
        group_id: &str,
    ) -> ApiResult<Vec<(String, String)>> {
        Ok(self.group(app, group_id).await?.attributes)
    }

    /// The attribute writes: checks keys and sizes (10045 for a key over 32 bytes, 10050 for
    /// deleting a key that does not exist, 10049 past 5 writes a second) and reports
    /// `Group.CallbackAfterGroupAttrChanged` with the attributes written (or removed).
    pub async fn change_attributes(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        change: AttrChange,
        attrs: Vec<(String, String)>,
        origin: &Origin,
    ) -> ApiResult<()> {
        if matches!(change, AttrChange::Modify | AttrChange::Delete) && attrs.is_empty() {
            return Err(invalid("GroupAttr is empty"));
        }
        for (key, value) in &attrs {
            if key.is_empty() || key.len() > MAX_ATTR_KEY_BYTES {
                return Err(ApiError::new(
                    codes::GROUP_ATTR_KEY_TOO_LONG,
                    format!("attribute key {key:?} must be 1 to {MAX_ATTR_KEY_BYTES} bytes"),
                ));
            }
            if value.len() > MAX_ATTR_VALUE_BYTES {
                return Err(invalid(format!(
                    "the value of {key:?} is {} bytes; at most {MAX_ATTR_VALUE_BYTES} are allowed",
                    value.len()
                )));
            }
        }
        if !self
            .limiter
            .admit(
                app.sdkappid,
                &format!("attr\u{1f}{group_id}"),
                self.clock.now_secs(),
                ATTR_WRITES_PER_SECOND,
                2,
            )
            .await
        {
            return Err(ApiError::new(
                codes::GROUP_ATTR_WRITES_TOO_FAST,
                format!("group {group_id} takes at most {ATTR_WRITES_PER_SECOND} attribute writes per second"),
            ));
        }
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        self.edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
            let mut plan = GroupPlan::new();
            let mut group = group.clone();
            let reported: Vec<(String, String)> = match change {
                AttrChange::Modify => {
                    for (key, value) in &attrs {
                        match group.attributes.iter_mut().find(|(k, _)| k == key) {
                            Some(slot) => slot.1 = value.clone(),
                            None => group.attributes.push((key.clone(), value.clone())),
                        }
                    }
                    attrs
                }
                AttrChange::Set => {
                    group.attributes = attrs.clone();
                    attrs
                }
                AttrChange::Clear => std::mem::take(&mut group.attributes),
                AttrChange::Delete => {
                    if let Some((missing, _)) = attrs.iter().find(|(k, _)| !group.attributes.iter().any(|(g, _)| g == k)) {
                        plan.refusal = Some((codes::GROUP_ATTR_NOT_FOUND, format!("attribute {missing:?} does not exist")));
                        return plan;
                    }
                    let removed = group
                        .attributes
                        .iter()
                        .filter(|(k, _)| attrs.iter().any(|(a, _)| a == k))
                        .cloned()
                        .collect();
                    group.attributes.retain(|(k, _)| !attrs.iter().any(|(a, _)| a == k));
                    removed
                }
            };
            let total: usize = group.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
            if group.attributes.len() > MAX_ATTRS || total > MAX_ATTRS_BYTES {
                plan.refusal = Some((
                    codes::GROUP_INVALID_PARAM,
                    format!("a group holds at most {MAX_ATTRS} attributes and {MAX_ATTRS_BYTES} bytes of them"),
                ));
                return plan;
            }
            let report = AfterGroupAttrChanged {
                group_id: id.clone(),
                group_type: group.group_type.clone(),
                operator_account: operator,
                option_type: change.option_type().to_owned(),
                group_attr: reported.into_iter().map(|(k, v)| GroupAttr::new(k, v)).collect(),
                event_time: now_ms as u64,
            };
            plan.changes.push(GroupChange::PutGroup(Box::new(group)));
            plan.outbox.extend(this.after(&app_settings, &report, &id, &origin));
            plan
        })
        .await?;
        Ok(())
    }

    /// `get_group_counter`: the named counters (all without names); unknown ones are left out.
    pub async fn counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        keys: Option<Vec<String>>,
    ) -> ApiResult<Vec<(String, i64)>> {
        let group = self.group(app, group_id).await?;
        check_counter_type(type_of(&group))?;
        Ok(match keys {
            None => group.counters,
            Some(keys) => keys
                .into_iter()
                .filter_map(|k| group.counters.iter().find(|(c, _)| *c == k).cloned())
                .collect(),
        })
    }

    /// `update_group_counter`: sets, raises or lowers counters (a missing one starts at 0);
    /// returns their new values.
    pub async fn update_counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        mode: CounterMode,
        values: Vec<(String, i64)>,
    ) -> ApiResult<Vec<(String, i64)>> {
        check_counter_keys(values.iter().map(|(k, _)| k))?;
        let group = self.group(app, group_id).await?;
        check_counter_type(type_of(&group))?;
        let outcome = self
            .edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
                let mut plan = GroupPlan::default();
                let mut group = group.clone();
                let mut results = Vec::new();
                for (key, value) in values {
                    let slot = match group.counters.iter().position(|(k, _)| *k == key) {
                        Some(i) => i,
                        None => {
                            group.counters.push((key.clone(), 0));
                            group.counters.len() - 1
                        }
                    };
                    let current = &mut group.counters[slot].1;
                    *current = match mode {
                        CounterMode::Set => value,
                        CounterMode::Increase => current.saturating_add(value),
                        CounterMode::Decrease => current.saturating_sub(value),
                    };
                    results.push((key, *current));
                }
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                plan.reply = results;
                plan
            })
            .await?;
        Ok(outcome.reply)
    }

    /// `delete_group_counter`: removes the named counters (unknown ones are ignored).
    pub async fn delete_counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        keys: Vec<String>,
    ) -> ApiResult<()> {
        check_counter_keys(keys.iter())?;
        let group = self.group(app, group_id).await?;
        check_counter_type(type_of(&group))?;
        self.edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
            let mut plan = GroupPlan::new();
            let mut group = group.clone();
            group.counters.retain(|(k, _)| !keys.contains(k));
            plan.changes.push(GroupChange::PutGroup(Box::new(group)));
            plan
        })
        .await?;
        Ok(())
    }
}

/// Communities have no counters (Tencent's page lists the other four types).
fn check_counter_type(group_type: GroupType) -> ApiResult<()> {
    if group_type == GroupType::Community {
        return Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            "a Community has no group counters",
        ));
    }
    Ok(())
}

fn check_counter_keys<'a>(keys: impl ExactSizeIterator<Item = &'a String>) -> ApiResult<()> {
    if keys.len() == 0 || keys.len() > MAX_COUNTERS_PER_CALL {
        return Err(invalid(format!(
            "name 1 to {MAX_COUNTERS_PER_CALL} counters, got {}",
            keys.len()
        )));
    }
    for key in keys {
        if key.is_empty() || key.len() > MAX_COUNTER_KEY_BYTES {
            return Err(invalid(format!(
                "counter key {key:?} must be 1 to {MAX_COUNTER_KEY_BYTES} bytes"
            )));
        }
    }
    Ok(())
}
