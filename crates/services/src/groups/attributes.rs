//! Custom group attributes (`*_group_attr`) and group counters (`*_group_counter`), both kept
//! on the group row and changed under the group's lock. Every change is pushed to the group's
//! members online (`GroupAttrChanged`, `GroupCounterChanged`), whoever made it, with the
//! group's attribute or counter sequence, by which the Web SDK knows whether its copy is one
//! change behind (then it applies the push) or more (then it reads them again).

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery};
use natter_webhook::payloads::group::{AfterGroupAttrChanged, GroupAttr};
use natter_webhook::Origin;
use rand::Rng;
use serde_json::json;

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
    /// Its name in `Group.CallbackAfterGroupAttrChanged` and the `GroupAttrChanged` event.
    pub fn option_type(self) -> &'static str {
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

/// A group's attributes and their sequence (grows by one with every write).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub seq: u64,
    pub attrs: Vec<(String, String)>,
}

/// A group's counters and their sequence (grows by one with every write).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub seq: u64,
    pub counters: Vec<(String, i64)>,
}

/// `Type` of the `GroupCounterChanged` event: counters set to new values, or deleted.
const COUNTERS_SET: u32 = 0;
const COUNTERS_DELETED: u32 = 1;

impl GroupService {
    /// `get_group_attr`: every attribute of the group.
    pub async fn attributes(&self, app: &AppSettings, group_id: &str) -> ApiResult<Attributes> {
        let group = self.group(app, group_id).await?;
        Ok(Attributes {
            seq: group.attr_seq,
            attrs: group.attributes,
        })
    }

    /// The attribute writes: checks keys and sizes (10045 for a key over 32 bytes, 10050 for
    /// deleting a key that does not exist, 10049 past 5 writes a second) and, when the writer
    /// names the sequence it last saw (`expected_seq`, the Web SDK's race check), that no one
    /// wrote since (10056 otherwise). Reports `Group.CallbackAfterGroupAttrChanged` and pushes
    /// `GroupAttrChanged` with the attributes written (or removed) to the members online but
    /// the writer's connection. Returns the new sequence and those attributes.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_attributes(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        change: AttrChange,
        attrs: Vec<(String, String)>,
        expected_seq: Option<u64>,
        origin: &Origin,
    ) -> ApiResult<Attributes> {
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
        let connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let operator_account = operator.clone();
        let id = group_id.to_owned();
        let outcome = self.edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
            let mut plan = GroupPlan::<Option<(GroupType, Attributes)>>::default();
            if let Some(seen) = expected_seq.filter(|seen| *seen != group.attr_seq) {
                plan.refusal = Some((
                    codes::GROUP_ATTR_SEQ_CONFLICT,
                    format!(
                        "the attributes of {id} changed since sequence {seen} (now {}); read them again",
                        group.attr_seq
                    ),
                ));
                return plan;
            }
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
            group.attr_seq += 1;
            let report = AfterGroupAttrChanged {
                group_id: id.clone(),
                group_type: group.group_type.clone(),
                operator_account: operator,
                option_type: change.option_type().to_owned(),
                group_attr: reported.iter().map(|(k, v)| GroupAttr::new(k.clone(), v.clone())).collect(),
                event_time: now_ms as u64,
            };
            plan.reply = Some((type_of(&group), Attributes { seq: group.attr_seq, attrs: reported }));
            plan.changes.push(GroupChange::PutGroup(Box::new(group)));
            plan.outbox.extend(this.after(&app_settings, &report, &id, &origin));
            plan
        })
        .await?;
        let (group_type, written) = outcome
            .reply
            .expect("a write that was not refused has its reply");
        let frame = json!({
            "Event": "GroupAttrChanged",
            "GroupId": group_id,
            "GroupType": group_type.name(),
            "Operator_Account": operator_account,
            "OptionType": change.option_type(),
            "AttrMainSeq": written.seq,
            "GroupAttr": written
                .attrs
                .iter()
                .map(|(key, value)| json!({"key": key, "value": value}))
                .collect::<Vec<_>>(),
            "MsgTime": self.clock.now_secs(),
            "Random": rand::rng().random::<u32>(),
        });
        self.send_to_group(app, group_id, group_type, &frame, connection);
        Ok(written)
    }

    /// `get_group_counter`: the named counters (all without names); unknown ones are left out.
    pub async fn counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        keys: Option<Vec<String>>,
    ) -> ApiResult<Counters> {
        let group = self.group(app, group_id).await?;
        check_counter_type(type_of(&group))?;
        let counters = match keys {
            None => group.counters,
            Some(keys) => keys
                .into_iter()
                .filter_map(|k| group.counters.iter().find(|(c, _)| *c == k).cloned())
                .collect(),
        };
        Ok(Counters {
            seq: group.counter_seq,
            counters,
        })
    }

    /// `update_group_counter`: sets, raises or lowers counters (a missing one starts at 0);
    /// returns their new values, which `GroupCounterChanged` tells the members online (the
    /// writer's connection too: the Web SDK learns of its own change from the push).
    pub async fn update_counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        mode: CounterMode,
        values: Vec<(String, i64)>,
    ) -> ApiResult<Counters> {
        check_counter_keys(values.iter().map(|(k, _)| k))?;
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        check_counter_type(group_type)?;
        let outcome = self
            .edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
                let mut plan = GroupPlan::<Counters>::default();
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
                group.counter_seq += 1;
                plan.reply = Counters {
                    seq: group.counter_seq,
                    counters: results,
                };
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                plan
            })
            .await?;
        self.send_counters(app, group_id, group_type, COUNTERS_SET, &outcome.reply);
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
        let group_type = type_of(&group);
        check_counter_type(group_type)?;
        let outcome = self
            .edit_existing(app, group_id, GroupQuery::default(), move |group, _| {
                let mut plan = GroupPlan::<Counters>::default();
                let mut group = group.clone();
                let (gone, kept) = std::mem::take(&mut group.counters)
                    .into_iter()
                    .partition(|(k, _)| keys.contains(k));
                group.counters = kept;
                group.counter_seq += 1;
                plan.reply = Counters {
                    seq: group.counter_seq,
                    counters: gone,
                };
                plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                plan
            })
            .await?;
        if !outcome.reply.counters.is_empty() {
            self.send_counters(app, group_id, group_type, COUNTERS_DELETED, &outcome.reply);
        }
        Ok(())
    }

    /// Pushes `GroupCounterChanged` to the group's members online.
    fn send_counters(
        &self,
        app: &AppSettings,
        group_id: &str,
        group_type: GroupType,
        kind: u32,
        changed: &Counters,
    ) {
        let frame = json!({
            "Event": "GroupCounterChanged",
            "GroupId": group_id,
            "GroupType": group_type.name(),
            "Type": kind,
            "GroupCounterSeq": changed.seq,
            "GroupCounter": changed
                .counters
                .iter()
                .map(|(key, value)| json!({"Key": key, "Value": value}))
                .collect::<Vec<_>>(),
            "MsgTime": self.clock.now_secs(),
            "Random": rand::rng().random::<u32>(),
        });
        self.send_to_group(app, group_id, group_type, &frame, None);
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
