//! Friends: add, import, update, delete, check and read (`sns/friend_*`).

use std::collections::{HashMap, HashSet};

use natter_core::{codes, ApiResult, AppSettings};
use natter_store::{
    Friend, FriendRequest, ItemResult, PeerRelations, RelationChange, RelationPlan, RelationScope,
    Relations, SequenceKind,
};
use natter_webhook::payloads::sns::{AccountPair, FriendAdd, FriendAddPair, FriendDelete};
use natter_webhook::Origin;
use serde_json::Value;

use super::fields;
use super::{
    batch, fail, invalid, ok, peers_scope, repeated, BatchOutcome, RelationService, MAX_BATCH,
    MAX_FRIENDS, MAX_LISTS,
};

const ALLOW_ANY: &str = "AllowType_Type_AllowAny";
const DENY_ANY: &str = "AllowType_Type_DenyAny";
pub(super) const ADD_BOTH: &str = "Add_Type_Both";
pub(super) const ADD_SINGLE: &str = "Add_Type_Single";

/// Who asked for an add: the app's backend through REST (named as `Admin_Account` in
/// `Sns.CallbackFriendAdd`) or a user's client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Initiator {
    Admin(String),
    Client,
}

/// One `AddFriendItem` of `friend_add` (or of a client's friend request).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddFriendItem {
    pub to: String,
    pub remark: String,
    /// At most one friend list when adding.
    pub group_name: String,
    pub add_source: String,
    pub add_wording: String,
}

/// A `friend_add` call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddFriends {
    pub from: String,
    pub items: Vec<AddFriendItem>,
    /// `AddType`: `Add_Type_Both` (the default) or `Add_Type_Single`.
    pub add_type: Option<String>,
    /// `ForceAddFlags` 1: the targets' AllowType is not asked.
    pub force: bool,
    /// The admin account that called (`Admin_Account` of the callback).
    pub admin: String,
}

/// One `AddFriendItem` of `friend_import`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportFriendItem {
    pub to: String,
    pub remark: String,
    pub remark_time: i64,
    pub groups: Vec<String>,
    pub add_source: String,
    pub add_wording: String,
    /// Unix seconds; 0 means now.
    pub add_time: i64,
    pub custom: Vec<(String, Value)>,
}

/// Checks an `AddFriendItem` before anything is read.
pub(super) fn check_add_item(item: &AddFriendItem) -> ApiResult<()> {
    fields::check_add_source(&item.add_source)?;
    fields::check_remark(&item.remark)?;
    fields::check_wording(&item.add_wording)?;
    if !item.group_name.is_empty() {
        fields::check_list_name(&item.group_name)?;
    }
    Ok(())
}

/// Running totals of one user while a batch is decided item by item.
pub(super) struct Tally {
    pub friend_count: u64,
    pub lists: Vec<String>,
}

impl Tally {
    pub fn of(relations: &Relations) -> Self {
        Self {
            friend_count: relations.friend_count,
            lists: relations.lists.clone(),
        }
    }

    /// Creates the lists among `names` that do not exist yet, unless that would pass the limit.
    pub fn ensure_lists(
        &mut self,
        owner: &str,
        names: &[String],
        changes: &mut Vec<RelationChange>,
    ) -> Result<(), ItemResult> {
        let new: Vec<&String> = names.iter().filter(|n| !self.lists.contains(n)).collect();
        if self.lists.len() + new.len() > MAX_LISTS {
            return Err(fail(
                owner,
                codes::SNS_LIST_LIMIT,
                format!("{owner} would have more than {MAX_LISTS} friend lists"),
            ));
        }
        for name in new {
            self.lists.push(name.clone());
            changes.push(RelationChange::PutList {
                owner: owner.to_owned(),
                name: name.clone(),
            });
            changes.push(bump(owner, SequenceKind::Lists));
        }
        Ok(())
    }
}

pub(super) fn bump(owner: &str, kind: SequenceKind) -> RelationChange {
    RelationChange::Bump {
        owner: owner.to_owned(),
        kind,
    }
}

/// What is in the way of `from` adding `peer`, checked in Tencent's order: the peer exists,
/// neither blocklisted the other.
pub(super) fn blocked(from: &str, to: &str, peer: &PeerRelations) -> Option<ItemResult> {
    if to == from {
        return Some(fail(
            to,
            codes::SNS_INVALID_PARAM,
            "you cannot add yourself",
        ));
    }
    if !peer.exists {
        return Some(fail(
            to,
            codes::SNS_ACCOUNT_NOT_FOUND,
            format!("account {to} does not exist"),
        ));
    }
    if peer.blocked_at.is_some() {
        return Some(fail(
            to,
            codes::SNS_PEER_IN_YOUR_BLOCKLIST,
            format!("{to} is in your blocklist"),
        ));
    }
    if peer.blocked_by_peer {
        return Some(fail(
            to,
            codes::SNS_YOU_ARE_IN_PEER_BLOCKLIST,
            format!("you are in {to}'s blocklist"),
        ));
    }
    None
}

/// A new friend row made now.
pub(super) fn new_friend(peer: &str, item: &AddFriendItem, now_secs: i64) -> Friend {
    Friend {
        peer: peer.to_owned(),
        remark: item.remark.clone(),
        groups: if item.group_name.is_empty() {
            Vec::new()
        } else {
            vec![item.group_name.clone()]
        },
        add_source: item.add_source.clone(),
        add_wording: item.add_wording.clone(),
        add_time: now_secs,
        remark_time: if item.remark.is_empty() { 0 } else { now_secs },
        custom: Vec::new(),
    }
}

/// The rows that make `owner` have `friend`, plus the sequence bump.
pub(super) fn put_friend(owner: &str, friend: Friend, changes: &mut Vec<RelationChange>) {
    changes.push(RelationChange::PutFriend {
        owner: owner.to_owned(),
        friend,
    });
    changes.push(bump(owner, SequenceKind::Friends));
}

/// Removes pending requests between the two users, both ways.
pub(super) fn clear_requests(
    a: &str,
    b: &str,
    peer: &PeerRelations,
    changes: &mut Vec<RelationChange>,
) {
    if peer.request_to_peer.is_some() {
        changes.push(RelationChange::DeleteRequest {
            requester: a.to_owned(),
            target: b.to_owned(),
        });
    }
    if peer.request_from_peer.is_some() {
        changes.push(RelationChange::DeleteRequest {
            requester: b.to_owned(),
            target: a.to_owned(),
        });
    }
}

/// The add request as the app sees it.
pub(super) struct AddRequest {
    pub from: String,
    pub items: Vec<AddFriendItem>,
    pub both: bool,
    pub force: bool,
    pub initiator: Initiator,
    /// Targets a before-callback refused, with the app's code and info.
    pub refused: HashMap<String, (u32, String)>,
}

impl RelationService {
    /// `friend_add`: adds each target, or files a pending request when the target confirms
    /// requests (30539), or says why not; fires `Sns.CallbackFriendAdd` for the pairs made.
    pub async fn add_friends(
        &self,
        app: &AppSettings,
        request: AddFriends,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let both = parse_add_type(request.add_type.as_deref())?;
        self.add(
            app,
            AddRequest {
                from: request.from,
                items: request.items,
                both,
                force: request.force,
                initiator: Initiator::Admin(request.admin),
                refused: HashMap::new(),
            },
            origin,
        )
        .await
    }

    pub(super) async fn add(
        &self,
        app: &AppSettings,
        request: AddRequest,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let targets: Vec<String> = request.items.iter().map(|i| i.to.clone()).collect();
        let repeats = batch("AddFriendItem", &targets, MAX_BATCH)?;
        for item in &request.items {
            check_add_item(item)?;
        }
        let now = self.clock.now_secs();
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let outcome = self
            .edit(
                app,
                &request.from.clone(),
                RelationScope::PeersAndCounts(targets),
                move |rel| {
                    let mut plan = RelationPlan::default();
                    let mut tally = Tally::of(rel);
                    let mut pairs = Vec::new();
                    for (item, repeat) in request.items.iter().zip(repeats) {
                        let result = if repeat {
                            repeated(&item.to)
                        } else if let Some((code, info)) = request.refused.get(&item.to) {
                            fail(&item.to, *code, info.clone())
                        } else {
                            add_one(
                                &request,
                                item,
                                &rel.peers[&item.to],
                                &mut tally,
                                now,
                                &mut plan.changes,
                                &mut pairs,
                            )
                        };
                        plan.results.push(result);
                    }
                    if !pairs.is_empty() {
                        let (client_cmd, admin_account) = match &request.initiator {
                            Initiator::Admin(admin) => ("friend_add", admin.clone()),
                            Initiator::Client => ("friend_add", String::new()),
                        };
                        let payload = FriendAdd {
                            pair_list: pairs,
                            client_cmd: client_cmd.into(),
                            admin_account,
                            force_flag: u32::from(request.force),
                        };
                        plan.outbox.extend(this.after(
                            &app_settings,
                            &payload,
                            &request.from,
                            &origin,
                        ));
                    }
                    plan
                },
            )
            .await?;
        Ok(BatchOutcome {
            results: outcome.results,
            list_sequence: outcome.sequences.lists,
        })
    }

    /// `friend_import`: one-way friends with all their data, without asking the targets (no
    /// AllowType, no callback); the blocklist still wins, as a friend cannot be blocklisted.
    pub async fn import_friends(
        &self,
        app: &AppSettings,
        from: String,
        items: Vec<ImportFriendItem>,
    ) -> ApiResult<BatchOutcome> {
        let targets: Vec<String> = items.iter().map(|i| i.to.clone()).collect();
        let repeats = batch("AddFriendItem", &targets, MAX_BATCH)?;
        for item in &items {
            fields::check_add_source(&item.add_source)?;
            fields::check_remark(&item.remark)?;
            fields::check_wording(&item.add_wording)?;
            for name in &item.groups {
                fields::check_list_name(name)?;
            }
            for (tag, value) in &item.custom {
                fields::check_custom(app, tag, value)?;
            }
        }
        let now = self.clock.now_secs();
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(targets), move |rel| {
                let mut plan = RelationPlan::default();
                let mut tally = Tally::of(rel);
                for (item, repeat) in items.into_iter().zip(repeats) {
                    if repeat {
                        plan.results.push(repeated(&item.to));
                        continue;
                    }
                    let peer = &rel.peers[&item.to];
                    if let Some(refusal) = blocked(&from, &item.to, peer) {
                        plan.results.push(refusal);
                        continue;
                    }
                    if peer.friend.is_some() {
                        plan.results.push(fail(
                            &item.to,
                            codes::SNS_INVALID_PARAM,
                            format!("{} is already a friend of {from}", item.to),
                        ));
                        continue;
                    }
                    if tally.friend_count >= MAX_FRIENDS {
                        plan.results.push(friend_limit(&item.to, &from));
                        continue;
                    }
                    if let Err(e) = tally.ensure_lists(&from, &item.groups, &mut plan.changes) {
                        plan.results.push(ItemResult {
                            item: item.to.clone(),
                            ..e
                        });
                        continue;
                    }
                    tally.friend_count += 1;
                    let custom_changed = !item.custom.is_empty();
                    let to = item.to.clone();
                    put_friend(
                        &from,
                        Friend {
                            peer: item.to,
                            remark: item.remark,
                            groups: dedup(item.groups),
                            add_source: item.add_source,
                            add_wording: item.add_wording,
                            add_time: if item.add_time > 0 {
                                item.add_time
                            } else {
                                now
                            },
                            remark_time: item.remark_time,
                            custom: item.custom,
                        },
                        &mut plan.changes,
                    );
                    if custom_changed {
                        plan.changes.push(bump(&from, SequenceKind::Custom));
                    }
                    plan.results.push(ok(&to));
                }
                plan
            })
            .await?;
        Ok(BatchOutcome {
            results: outcome.results,
            list_sequence: outcome.sequences.lists,
        })
    }

    /// `friend_delete`: removes each friend (both ways with `Delete_Type_Both`, the default);
    /// a target that is not a friend gets 31704. Fires `Sns.CallbackFriendDelete`.
    pub async fn delete_friends(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        delete_type: Option<&str>,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let both = parse_delete_type(delete_type, true)?;
        let repeats = batch("To_Account", &to, MAX_BATCH)?;
        self.delete(app, from, to, repeats, both, origin).await
    }

    /// `friend_delete_all`: removes every friend (one way unless `Delete_Type_Both`).
    pub async fn delete_all_friends(
        &self,
        app: &AppSettings,
        from: String,
        delete_type: Option<&str>,
        origin: &Origin,
    ) -> ApiResult<()> {
        let both = parse_delete_type(delete_type, false)?;
        let friends = self
            .snapshot(app, &from, RelationScope::AllFriends)
            .await?
            .friend_order;
        if friends.is_empty() {
            return Ok(());
        }
        let repeats = vec![false; friends.len()];
        self.delete(app, from, friends, repeats, both, origin)
            .await
            .map(|_| ())
    }

    async fn delete(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        repeats: Vec<bool>,
        both: bool,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(to.clone()), move |rel| {
                let mut plan = RelationPlan::default();
                let mut pairs = Vec::new();
                for (peer_id, repeat) in to.iter().zip(repeats) {
                    if repeat {
                        plan.results.push(repeated(peer_id));
                        continue;
                    }
                    let peer = &rel.peers[peer_id];
                    if peer.friend.is_none() {
                        plan.results.push(fail(
                            peer_id,
                            codes::SNS_NOT_FRIENDS,
                            format!("{peer_id} is not a friend of {from}"),
                        ));
                        continue;
                    }
                    unfriend(&from, peer_id, &mut plan.changes);
                    pairs.push(AccountPair::new(&from, peer_id));
                    if both && peer.reverse_friend {
                        unfriend(peer_id, &from, &mut plan.changes);
                        pairs.push(AccountPair::new(peer_id, &from));
                    }
                    plan.results.push(ok(peer_id));
                }
                if !pairs.is_empty() {
                    let payload = FriendDelete { pair_list: pairs };
                    plan.outbox
                        .extend(this.after(&app_settings, &payload, &from, &origin));
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

/// Decides one add of a batch.
fn add_one(
    request: &AddRequest,
    item: &AddFriendItem,
    peer: &PeerRelations,
    tally: &mut Tally,
    now: i64,
    changes: &mut Vec<RelationChange>,
    pairs: &mut Vec<FriendAddPair>,
) -> ItemResult {
    let (from, to) = (request.from.as_str(), item.to.as_str());
    if let Some(refusal) = blocked(from, to, peer) {
        return refusal;
    }
    let have = peer.friend.is_some();
    let reverse_needed = request.both && !peer.reverse_friend;
    if have && !reverse_needed {
        return fail(
            to,
            codes::SNS_INVALID_PARAM,
            format!("{to} is already a friend of {from}"),
        );
    }
    if !request.force {
        match peer.allow_type.as_deref() {
            Some(ALLOW_ANY) => {}
            Some(DENY_ANY) => {
                return fail(
                    to,
                    codes::SNS_PEER_DENIES_ALL,
                    format!("{to} accepts no friend requests"),
                )
            }
            // AllowType_Type_NeedConfirm, and accounts that never set it (Tencent's default).
            _ => {
                changes.push(RelationChange::PutRequest(FriendRequest {
                    requester: from.to_owned(),
                    target: to.to_owned(),
                    add_source: item.add_source.clone(),
                    remark: item.remark.clone(),
                    group_name: item.group_name.clone(),
                    add_wording: item.add_wording.clone(),
                    add_type: if request.both { ADD_BOTH } else { ADD_SINGLE }.to_owned(),
                    created: now,
                }));
                return fail(
                    to,
                    codes::SNS_REQUEST_PENDING,
                    format!("{to} confirms friend requests; the request waits for their answer"),
                );
            }
        }
    }
    if !have && tally.friend_count >= MAX_FRIENDS {
        return friend_limit(to, from);
    }
    if reverse_needed && peer.friend_count >= MAX_FRIENDS {
        return fail(
            to,
            codes::SNS_PEER_FRIEND_LIMIT,
            format!("{to} already has {MAX_FRIENDS} friends"),
        );
    }
    if !have {
        let groups: Vec<String> = (!item.group_name.is_empty())
            .then(|| item.group_name.clone())
            .into_iter()
            .collect();
        if let Err(e) = tally.ensure_lists(from, &groups, changes) {
            return ItemResult {
                item: to.to_owned(),
                ..e
            };
        }
        tally.friend_count += 1;
        put_friend(from, new_friend(to, item, now), changes);
        pairs.push(FriendAddPair::new(from, to, from));
    }
    if reverse_needed {
        let back = AddFriendItem {
            to: from.to_owned(),
            add_source: item.add_source.clone(),
            ..AddFriendItem::default()
        };
        put_friend(to, new_friend(from, &back, now), changes);
        pairs.push(FriendAddPair::new(to, from, from));
    }
    clear_requests(from, to, peer, changes);
    ok(to)
}

fn friend_limit(to: &str, from: &str) -> ItemResult {
    fail(
        to,
        codes::SNS_FRIEND_LIMIT,
        format!("{from} already has {MAX_FRIENDS} friends"),
    )
}

/// Removes `peer` from `owner`'s friends.
pub(super) fn unfriend(owner: &str, peer: &str, changes: &mut Vec<RelationChange>) {
    changes.push(RelationChange::DeleteFriend {
        owner: owner.to_owned(),
        peer: peer.to_owned(),
    });
    changes.push(bump(owner, SequenceKind::Friends));
}

/// The names in their first order, each once.
pub(super) fn dedup(names: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// `AddType`: `Add_Type_Both` (the default) or `Add_Type_Single`.
pub(super) fn parse_add_type(value: Option<&str>) -> ApiResult<bool> {
    match value {
        None | Some(ADD_BOTH) => Ok(true),
        Some(ADD_SINGLE) => Ok(false),
        Some(other) => Err(invalid(format!(
            "AddType {other:?} is not {ADD_BOTH} or {ADD_SINGLE}"
        ))),
    }
}

fn parse_delete_type(value: Option<&str>, default_both: bool) -> ApiResult<bool> {
    match value {
        None => Ok(default_both),
        Some("Delete_Type_Both") => Ok(true),
        Some("Delete_Type_Single") => Ok(false),
        Some(other) => Err(invalid(format!(
            "DeleteType {other:?} is not Delete_Type_Both or Delete_Type_Single"
        ))),
    }
}
