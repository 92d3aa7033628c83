//! Friend lists (`sns/group_*`): named sets of a user's friends, kept as each friend's
//! `Tag_SNS_IM_Group`.

use std::collections::HashSet;

use natter_core::{codes, ApiResult, AppSettings};
use natter_store::{RelationPlan, RelationScope};

use super::fields;
use super::friends::{put_friend, Tally};
use super::{
    batch, fail, invalid, ok, peers_scope, repeated, BatchOutcome, RelationService, MAX_BATCH,
    MAX_LISTS,
};

/// One `ResultItem` of `group_get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendList {
    pub name: String,
    pub friend_number: u64,
    /// The friends in the list, when asked for.
    pub members: Option<Vec<String>>,
}

/// Checks a `GroupName` array: 1 to 32 valid names, none twice.
fn check_names(names: &[String]) -> ApiResult<()> {
    if names.is_empty() {
        return Err(invalid("GroupName is empty"));
    }
    if names.len() > MAX_LISTS {
        return Err(invalid(format!(
            "GroupName names {} lists; at most {MAX_LISTS} are allowed",
            names.len()
        )));
    }
    let mut seen = HashSet::new();
    for name in names {
        fields::check_list_name(name)?;
        if !seen.insert(name) {
            return Err(invalid(format!("friend list {name:?} appears twice")));
        }
    }
    Ok(())
}

impl RelationService {
    /// `group_add`: creates lists and puts the given friends in all of them (32216 for an
    /// account that is not a friend). Results per account only when accounts were given.
    pub async fn add_lists(
        &self,
        app: &AppSettings,
        from: String,
        names: Vec<String>,
        to: Option<Vec<String>>,
    ) -> ApiResult<BatchOutcome> {
        check_names(&names)?;
        let to = to.unwrap_or_default();
        let repeats = if to.is_empty() {
            Vec::new()
        } else {
            batch("To_Account", &to, MAX_BATCH)?
        };
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(to.clone()), move |rel| {
                let mut plan = RelationPlan::default();
                if let Some(name) = names.iter().find(|n| rel.lists.contains(n)) {
                    plan.refusal = Some((
                        codes::SNS_INVALID_PARAM,
                        format!("friend list {name:?} already exists"),
                    ));
                    return plan;
                }
                let mut tally = Tally::of(rel);
                if let Err(e) = tally.ensure_lists(&from, &names, &mut plan.changes) {
                    plan.refusal = Some((e.code, e.info));
                    return plan;
                }
                for (peer, repeat) in to.iter().zip(repeats) {
                    if repeat {
                        plan.results.push(repeated(peer));
                        continue;
                    }
                    let Some(mut friend) = rel.peers[peer].friend.clone() else {
                        plan.results.push(fail(
                            peer,
                            codes::SNS_LIST_MEMBER_NOT_FRIEND,
                            format!("{peer} is not a friend of {from}"),
                        ));
                        continue;
                    };
                    friend.groups.extend(names.iter().cloned());
                    put_friend(&from, friend, &mut plan.changes);
                    plan.results.push(ok(peer));
                }
                plan
            })
            .await?;
        Ok(BatchOutcome {
            results: outcome.results,
            list_sequence: outcome.sequences.lists,
        })
    }

    /// `group_delete`: removes lists (every name must exist) and takes their friends out of
    /// them. Returns the new list sequence.
    pub async fn delete_lists(
        &self,
        app: &AppSettings,
        from: String,
        names: Vec<String>,
    ) -> ApiResult<u64> {
        check_names(&names)?;
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, RelationScope::AllFriends, move |rel| {
                let mut plan = RelationPlan::default();
                if let Some(name) = names.iter().find(|n| !rel.lists.contains(n)) {
                    plan.refusal = Some((
                        codes::SNS_INVALID_PARAM,
                        format!("friend list {name:?} does not exist"),
                    ));
                    return plan;
                }
                for name in &names {
                    plan.changes.push(natter_store::RelationChange::DeleteList {
                        owner: from.clone(),
                        name: name.clone(),
                    });
                }
                plan.changes.push(super::friends::bump(
                    &from,
                    natter_store::SequenceKind::Lists,
                ));
                for peer in &rel.friend_order {
                    let Some(friend) = &rel.peers[peer].friend else {
                        continue;
                    };
                    if friend.groups.iter().any(|g| names.contains(g)) {
                        let mut friend = friend.clone();
                        friend.groups.retain(|g| !names.contains(g));
                        put_friend(&from, friend, &mut plan.changes);
                    }
                }
                plan
            })
            .await?;
        Ok(outcome.sequences.lists)
    }

    /// Renames a list (`new_name`) and/or puts friends in it or takes them out of it
    /// (`members`: each account with true to add, false to remove), as the client's
    /// `group_update` does. The list must exist and the new name must not (30001); an account
    /// that is not a friend gets 32216.
    pub async fn update_list(
        &self,
        app: &AppSettings,
        from: String,
        name: String,
        new_name: Option<String>,
        members: Vec<(String, bool)>,
    ) -> ApiResult<BatchOutcome> {
        fields::check_list_name(&name)?;
        if let Some(new_name) = &new_name {
            fields::check_list_name(new_name)?;
        }
        let accounts: Vec<String> = members.iter().map(|(a, _)| a.clone()).collect();
        let repeats = if accounts.is_empty() {
            Vec::new()
        } else {
            batch("UpdateGroupItem", &accounts, MAX_BATCH)?
        };
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, RelationScope::AllFriends, move |rel| {
                let mut plan = RelationPlan::default();
                if !rel.lists.contains(&name) {
                    plan.refusal = Some((
                        codes::SNS_INVALID_PARAM,
                        format!("friend list {name:?} does not exist"),
                    ));
                    return plan;
                }
                // The friends whose lists change, by UserID, each written once.
                let mut changed: std::collections::BTreeMap<String, natter_store::Friend> =
                    Default::default();
                let current = |peer: &str,
                               changed: &mut std::collections::BTreeMap<
                    String,
                    natter_store::Friend,
                >| {
                    if let Some(friend) = changed.get(peer) {
                        return Some(friend.clone());
                    }
                    rel.peers.get(peer).and_then(|p| p.friend.clone())
                };
                let mut list = name.clone();
                if let Some(new_name) = new_name.as_ref().filter(|n| **n != name) {
                    if rel.lists.contains(new_name) {
                        plan.refusal = Some((
                            codes::SNS_INVALID_PARAM,
                            format!("friend list {new_name:?} already exists"),
                        ));
                        return plan;
                    }
                    plan.changes.push(natter_store::RelationChange::DeleteList {
                        owner: from.clone(),
                        name: name.clone(),
                    });
                    plan.changes.push(natter_store::RelationChange::PutList {
                        owner: from.clone(),
                        name: new_name.clone(),
                    });
                    plan.changes.push(super::friends::bump(
                        &from,
                        natter_store::SequenceKind::Lists,
                    ));
                    for peer in &rel.friend_order {
                        if let Some(mut friend) = current(peer, &mut changed) {
                            if friend.groups.contains(&name) {
                                for g in &mut friend.groups {
                                    if *g == name {
                                        g.clone_from(new_name);
                                    }
                                }
                                changed.insert(peer.clone(), friend);
                            }
                        }
                    }
                    list.clone_from(new_name);
                }
                for ((peer, add), repeat) in members.iter().zip(repeats) {
                    if repeat {
                        plan.results.push(repeated(peer));
                        continue;
                    }
                    let Some(mut friend) = current(peer, &mut changed) else {
                        plan.results.push(fail(
                            peer,
                            codes::SNS_LIST_MEMBER_NOT_FRIEND,
                            format!("{peer} is not a friend of {from}"),
                        ));
                        continue;
                    };
                    let has = friend.groups.contains(&list);
                    if *add && !has {
                        friend.groups.push(list.clone());
                        changed.insert(peer.clone(), friend);
                    } else if !*add && has {
                        friend.groups.retain(|g| *g != list);
                        changed.insert(peer.clone(), friend);
                    }
                    plan.results.push(ok(peer));
                }
                for friend in changed.into_values() {
                    put_friend(&from, friend, &mut plan.changes);
                }
                plan
            })
            .await?;
        Ok(BatchOutcome {
            results: outcome.results,
            list_sequence: outcome.sequences.lists,
        })
    }

    /// `group_get`: the lists (all, or the named ones) with their friend counts, and with their
    /// friends when `need_friend` or when lists are named (as Tencent's sample shows).
    pub async fn get_lists(
        &self,
        app: &AppSettings,
        from: String,
        need_friend: bool,
        names: Vec<String>,
    ) -> ApiResult<(Vec<FriendList>, u64)> {
        if names.len() > MAX_LISTS {
            return Err(invalid(format!(
                "GroupName names {} lists; at most {MAX_LISTS} are allowed",
                names.len()
            )));
        }
        let rel = self.snapshot(app, &from, RelationScope::AllFriends).await?;
        if let Some(name) = names.iter().find(|n| !rel.lists.contains(n)) {
            return Err(invalid(format!("friend list {name:?} does not exist")));
        }
        let with_members = need_friend || !names.is_empty();
        let chosen: Vec<&String> = if names.is_empty() {
            rel.lists.iter().collect()
        } else {
            names.iter().collect()
        };
        let lists = chosen
            .into_iter()
            .map(|name| {
                let members: Vec<String> = rel
                    .friend_order
                    .iter()
                    .filter(|peer| {
                        rel.peers[*peer]
                            .friend
                            .as_ref()
                            .is_some_and(|f| f.groups.contains(name))
                    })
                    .cloned()
                    .collect();
                FriendList {
                    name: name.clone(),
                    friend_number: members.len() as u64,
                    members: with_members.then_some(members),
                }
            })
            .collect();
        Ok((lists, rel.sequences.lists))
    }
}
