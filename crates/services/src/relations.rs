//! The relationship chain (`sns`): friends, friend lists, blocklists, friend requests, and the
//! checks they impose on one-to-one messages. Tencent's rules are in "Relationship Chain
//! Management" (1047/33521) and each API's page; where those are silent the choice is written
//! in docs/architecture.md ("Relationship chain: decisions").
//!
//! Every change is decided inside the storage transaction that writes it
//! ([`natter_store::RelationStore::edit_relations`]), from a snapshot of the users concerned, so
//! two concurrent requests never both pass a check that only one of them may pass (a limit,
//! "already friends").

mod blocklist;
mod events;
mod fields;
mod friend_reads;
mod friend_updates;
mod friends;
mod lists;
mod requests;

use std::collections::HashSet;
use std::sync::Arc;

use natter_core::ops::field;
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
pub use natter_store::ItemResult;
use natter_store::{
    OutboxEvent, RelationChange, RelationEdit, RelationOutcome, RelationPlan, RelationScope,
    Relations, Store,
};
use natter_webhook::payloads::Payload;
use natter_webhook::{Origin, Webhooks};

use crate::fanout::Fanout;
use crate::internal;

pub use blocklist::{BlockCheck, BlockRelation, BlocklistPage};
pub use fields::{FriendTag, ADD_SOURCE, ADD_TIME, ADD_WORDING, GROUP, REMARK};
pub use friend_reads::{CheckMode, FriendPage, FriendRelation, SnsProfile};
pub use friend_updates::UpdateFriendItem;
pub use friends::{AddFriendItem, AddFriends, ImportFriendItem, Initiator};
pub use lists::FriendList;
pub use natter_store::FriendRequest;
pub use requests::{c2c_send_check, FriendResponse, RequestSide, ResponseAction, SendCheck};

/// Most friends one user may have (Tencent's default; 30010 / 30014 beyond).
pub const MAX_FRIENDS: u64 = 3000;
/// Most accounts one user may blocklist (30013 beyond).
pub const MAX_BLOCKLIST: u64 = 1000;
/// Most friend lists one user may have (30011 beyond).
pub const MAX_LISTS: usize = 32;
/// Most accounts (or items) one batch request may name.
pub const MAX_BATCH: usize = 1000;
/// Most accounts `friend_get_list` may name.
pub const MAX_GET_LIST: usize = 100;
/// Friends per `friend_get` page ("each page returns up to 500 friends").
pub const FRIEND_PAGE: usize = 500;

/// What a batch call answers: one result per item, in the order asked, and the sequences after
/// the change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchOutcome {
    pub results: Vec<ItemResult>,
    /// The owner's friend list sequence afterwards (`CurrentSequence` of the list APIs).
    pub list_sequence: u64,
}

impl BatchOutcome {
    /// The items that failed, for `Fail_Account`.
    pub fn failed(&self) -> Vec<String> {
        self.results
            .iter()
            .filter(|r| r.code != 0)
            .map(|r| r.item.clone())
            .collect()
    }
}

#[derive(Clone)]
pub struct RelationService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    webhooks: Arc<Webhooks>,
    fanout: Fanout,
}

impl RelationService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<Clock>,
        webhooks: Arc<Webhooks>,
        fanout: Fanout,
    ) -> Self {
        Self {
            store,
            clock,
            webhooks,
            fanout,
        }
    }

    /// A read-only snapshot; refuses an owner that does not exist.
    async fn snapshot(
        &self,
        app: &AppSettings,
        owner: &str,
        scope: RelationScope,
    ) -> ApiResult<Relations> {
        let relations = self
            .store
            .relations(app.sdkappid, owner.to_owned(), scope)
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        if !relations.owner_exists {
            return Err(owner_not_found(owner));
        }
        Ok(relations)
    }

    /// Refuses an owner that does not exist (for reads that do not take a snapshot).
    async fn ensure_owner(&self, app: &AppSettings, owner: &str) -> ApiResult<()> {
        let exists = self
            .store
            .accounts_exist(app.sdkappid, vec![owner.to_owned()])
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        if exists.first() != Some(&true) {
            return Err(owner_not_found(owner));
        }
        Ok(())
    }

    /// Runs one edit; a missing owner and the plan's own refusal become errors, and the webhook
    /// engine is woken when after-callbacks were written. Users whose relations changed get
    /// `RelationChange` events on every connection, the one the change came from included: the
    /// Web SDK updates its friend, request and block lists only from these pushes.
    async fn edit(
        &self,
        app: &AppSettings,
        owner: &str,
        scope: RelationScope,
        decide: impl FnOnce(&Relations) -> RelationPlan + Send + 'static,
    ) -> ApiResult<RelationOutcome> {
        let missing = owner_not_found(owner).info;
        let told = events::Changes::default();
        let tell = self.fanout.may_reach(app.sdkappid).then(|| told.clone());
        let owner_id = owner.to_owned();
        // Friendships made and ended (operations data), counted once the edit is written.
        let tally = Arc::new(std::sync::Mutex::new((0i64, 0i64)));
        let counted = tally.clone();
        let edit: RelationEdit = Box::new(move |relations: &Relations| {
            if !relations.owner_exists {
                return RelationPlan {
                    refusal: Some((codes::SNS_ACCOUNT_NOT_FOUND, missing)),
                    ..RelationPlan::default()
                };
            }
            let plan = decide(relations);
            *counted.lock().unwrap_or_else(|e| e.into_inner()) =
                chain_changes(&owner_id, relations, &plan);
            if let Some(tell) = tell {
                tell.record(&owner_id, relations, &plan);
            }
            plan
        });
        let outcome = self
            .store
            .edit_relations(
                app.sdkappid,
                owner.to_owned(),
                scope,
                self.clock.now_ms(),
                edit,
            )
            .await
            .map_err(internal(codes::SNS_INTERNAL))?;
        if let Some((code, info)) = &outcome.refusal {
            return Err(ApiError::new(*code, info.clone()));
        }
        let (made, ended) = *tally.lock().unwrap_or_else(|e| e.into_inner());
        let ops = self.webhooks.ops();
        ops.add(app.sdkappid, field::CHAIN_INCREASE, made);
        ops.add(app.sdkappid, field::CHAIN_DECREASE, ended);
        if outcome.wrote_outbox {
            self.webhooks.wake();
        }
        told.send(&self.fanout, app.sdkappid);
        Ok(outcome)
    }

    /// The outbox row of an after-callback (when the app wants it), keyed by the owner so one
    /// user's relationship events arrive in order.
    fn after<P: Payload>(
        &self,
        app: &AppSettings,
        payload: &P,
        owner: &str,
        origin: &Origin,
    ) -> Option<OutboxEvent> {
        self.webhooks
            .after(app.sdkappid, payload, &format!("sns:{owner}"), origin)
    }
}

/// Friend rows (one per direction) a plan adds and removes, judged against the snapshot it was
/// decided on: a row put where there was none is a new friendship, a row deleted where there
/// was one an ended one; rewriting an existing row (remarks, lists) is neither.
fn chain_changes(edit_owner: &str, rel: &Relations, plan: &RelationPlan) -> (i64, i64) {
    let was_friend = |owner: &str, peer: &str| {
        if owner == edit_owner {
            rel.peers.get(peer).map(|p| p.friend.is_some())
        } else if peer == edit_owner {
            rel.peers.get(owner).map(|p| p.reverse_friend)
        } else {
            None
        }
    };
    let mut made_ended = (0, 0);
    for change in &plan.changes {
        match change {
            RelationChange::PutFriend { owner, friend }
                if was_friend(owner, &friend.peer) == Some(false) =>
            {
                made_ended.0 += 1;
            }
            RelationChange::DeleteFriend { owner, peer }
                if was_friend(owner, peer) == Some(true) =>
            {
                made_ended.1 += 1;
            }
            _ => {}
        }
    }
    made_ended
}

fn owner_not_found(owner: &str) -> ApiError {
    ApiError::new(
        codes::SNS_ACCOUNT_NOT_FOUND,
        format!("From_Account {owner} does not exist"),
    )
}

fn invalid(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::SNS_INVALID_PARAM, info)
}

fn ok(item: &str) -> ItemResult {
    ItemResult {
        item: item.to_owned(),
        code: 0,
        info: String::new(),
    }
}

fn fail(item: &str, code: u32, info: impl Into<String>) -> ItemResult {
    ItemResult {
        item: item.to_owned(),
        code,
        info: info.into(),
    }
}

/// Checks a batch of accounts: not empty, not over `max`. Returns them with repeats marked, so
/// each account is acted on once (a repeat gets 30001).
fn batch(field: &str, accounts: &[String], max: usize) -> ApiResult<Vec<bool>> {
    if accounts.is_empty() {
        return Err(invalid(format!("{field} is empty")));
    }
    if accounts.len() > max {
        return Err(invalid(format!(
            "{field} names {} accounts; at most {max} are allowed",
            accounts.len()
        )));
    }
    let mut seen = HashSet::new();
    Ok(accounts.iter().map(|a| !seen.insert(a.as_str())).collect())
}

fn repeated(item: &str) -> ItemResult {
    fail(
        item,
        codes::SNS_INVALID_PARAM,
        "this account appears more than once in the request",
    )
}

/// The peers a request names, for the snapshot scope.
fn peers_scope(accounts: impl IntoIterator<Item = String>) -> RelationScope {
    RelationScope::Peers(accounts.into_iter().collect())
}
