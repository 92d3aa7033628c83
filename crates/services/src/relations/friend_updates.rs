//! Updating friends: `friend_update` sets the remark, the friend lists and custom fields.

use natter_core::{codes, ApiResult, AppSettings};
use natter_store::{ItemResult, RelationPlan, SequenceKind};
use serde_json::Value;

use super::fields::{self, FriendTag};
use super::friends::{bump, dedup, put_friend, Tally};
use super::{
    batch, fail, invalid, ok, peers_scope, repeated, BatchOutcome, RelationService, MAX_BATCH,
};

/// One `UpdateItem` of `friend_update`: the `{Tag, Value}` pairs to set on one friend.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateFriendItem {
    pub to: String,
    pub items: Vec<(String, Value)>,
}

impl RelationService {
    /// `friend_update`: sets the remark, the friend lists (replacing them) and custom fields of
    /// existing friends. Other tags cannot be changed (30001).
    pub async fn update_friends(
        &self,
        app: &AppSettings,
        from: String,
        items: Vec<UpdateFriendItem>,
    ) -> ApiResult<BatchOutcome> {
        let targets: Vec<String> = items.iter().map(|i| i.to.clone()).collect();
        let repeats = batch("UpdateItem", &targets, MAX_BATCH)?;
        let mut changes = Vec::with_capacity(items.len());
        for item in &items {
            if item.items.is_empty() {
                return Err(invalid(format!("SnsItem of {} is empty", item.to)));
            }
            let mut parsed = Vec::with_capacity(item.items.len());
            for (tag, value) in &item.items {
                parsed.push(parse_update(app, tag, value)?);
            }
            changes.push(parsed);
        }
        let now = self.clock.now_secs();
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(targets), move |rel| {
                let mut plan = RelationPlan::default();
                let mut tally = Tally::of(rel);
                for ((item, updates), repeat) in items.iter().zip(changes).zip(repeats) {
                    if repeat {
                        plan.results.push(repeated(&item.to));
                        continue;
                    }
                    let Some(mut friend) = rel.peers[&item.to].friend.clone() else {
                        plan.results.push(fail(
                            &item.to,
                            codes::SNS_INVALID_PARAM,
                            format!("{} is not a friend of {from}", item.to),
                        ));
                        continue;
                    };
                    let mut custom_changed = false;
                    let mut list_error = None;
                    for update in updates {
                        match update {
                            Update::Remark(remark) => {
                                friend.remark = remark;
                                friend.remark_time = now;
                            }
                            Update::Groups(groups) => {
                                if let Err(e) =
                                    tally.ensure_lists(&from, &groups, &mut plan.changes)
                                {
                                    list_error = Some(e);
                                }
                                friend.groups = groups;
                            }
                            Update::Custom(tag, value) => {
                                fields::set_custom(&mut friend, &tag, value);
                                custom_changed = true;
                            }
                        }
                    }
                    if let Some(e) = list_error {
                        plan.results.push(ItemResult {
                            item: item.to.clone(),
                            ..e
                        });
                        continue;
                    }
                    put_friend(&from, friend, &mut plan.changes);
                    if custom_changed {
                        plan.changes.push(bump(&from, SequenceKind::Custom));
                    }
                    plan.results.push(ok(&item.to));
                }
                plan
            })
            .await?;
        Ok(BatchOutcome {
            results: outcome.results,
            list_sequence: outcome.sequences.lists,
        })
    }
}

/// One change `friend_update` may make.
enum Update {
    Remark(String),
    Groups(Vec<String>),
    Custom(String, Value),
}

fn parse_update(app: &AppSettings, tag: &str, value: &Value) -> ApiResult<Update> {
    match FriendTag::parse(app, tag) {
        Some(FriendTag::Remark) => {
            let remark = value
                .as_str()
                .ok_or_else(|| invalid(format!("value of {tag} must be a string")))?;
            fields::check_remark(remark)?;
            Ok(Update::Remark(remark.to_owned()))
        }
        Some(FriendTag::Group) => {
            let names: Vec<String> = serde_json::from_value(value.clone())
                .map_err(|_| invalid(format!("value of {tag} must be an array of strings")))?;
            for name in &names {
                fields::check_list_name(name)?;
            }
            Ok(Update::Groups(dedup(names)))
        }
        Some(FriendTag::Custom(tag)) => {
            fields::check_custom(app, &tag, value)?;
            Ok(Update::Custom(tag, value.clone()))
        }
        Some(_) => Err(invalid(format!(
            "{tag} cannot be updated; only the remark, friend lists and custom friend fields can"
        ))),
        None => Err(invalid(format!("friend field {tag} does not exist"))),
    }
}
