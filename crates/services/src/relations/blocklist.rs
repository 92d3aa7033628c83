//! Blocklists (`sns/black_list_*`). Blocklisting someone ends the friendship both ways and any
//! pending request between the two; while either blocks the other, neither can add the other.

use natter_core::{codes, ApiResult, AppSettings};
use natter_store::{BlockedAccount, RelationChange, RelationPlan, SequenceKind};
use natter_webhook::payloads::sns::{AccountPair, BlackListAdd, BlackListDelete};
use natter_webhook::Origin;

use super::friend_reads::CheckMode;
use super::friends::{bump, clear_requests, unfriend};
use super::{
    batch, fail, invalid, ok, peers_scope, repeated, BatchOutcome, RelationService, MAX_BATCH,
    MAX_BLOCKLIST,
};

/// One `BlackListCheckItem` of `black_list_check`.
pub type BlockRelation = super::friend_reads::FriendRelation;

/// `BlackCheckResult_Type_Single` or `_Both`.
pub type BlockCheck = CheckMode;

/// One page of `black_list_get`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlocklistPage {
    pub items: Vec<BlockedAccount>,
    /// Where the next page starts; 0 when this page is the last.
    pub next_start_index: u64,
    pub sequence: u64,
}

impl RelationService {
    /// `black_list_add`: blocklists each account (30001 when it already is, 30013 past the
    /// limit); ends friendships and pending requests with them. Fires `Sns.CallbackBlackListAdd`.
    pub async fn block(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let repeats = batch("To_Account", &to, MAX_BATCH)?;
        let now = self.clock.now_secs();
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(to.clone()), move |rel| {
                let mut plan = RelationPlan::default();
                let mut count = rel.blocklist_count;
                let mut pairs = Vec::new();
                for (peer_id, repeat) in to.iter().zip(repeats) {
                    let peer = &rel.peers[peer_id];
                    let result = if repeat {
                        repeated(peer_id)
                    } else if peer_id == &from {
                        fail(
                            peer_id,
                            codes::SNS_INVALID_PARAM,
                            "you cannot blocklist yourself",
                        )
                    } else if !peer.exists {
                        fail(
                            peer_id,
                            codes::SNS_ACCOUNT_NOT_FOUND,
                            format!("account {peer_id} does not exist"),
                        )
                    } else if peer.blocked_at.is_some() {
                        fail(
                            peer_id,
                            codes::SNS_INVALID_PARAM,
                            format!("{peer_id} is already in the blocklist"),
                        )
                    } else if count >= MAX_BLOCKLIST {
                        fail(
                            peer_id,
                            codes::SNS_BLOCKLIST_LIMIT,
                            format!("the blocklist already holds {MAX_BLOCKLIST} accounts"),
                        )
                    } else {
                        count += 1;
                        plan.changes.push(RelationChange::PutBlock {
                            owner: from.clone(),
                            peer: peer_id.clone(),
                            at: now,
                        });
                        plan.changes.push(bump(&from, SequenceKind::Blocklist));
                        if peer.friend.is_some() {
                            unfriend(&from, peer_id, &mut plan.changes);
                        }
                        if peer.reverse_friend {
                            unfriend(peer_id, &from, &mut plan.changes);
                        }
                        clear_requests(&from, peer_id, peer, &mut plan.changes);
                        pairs.push(AccountPair::new(&from, peer_id));
                        ok(peer_id)
                    };
                    plan.results.push(result);
                }
                if !pairs.is_empty() {
                    let payload = BlackListAdd { pair_list: pairs };
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

    /// `black_list_delete`: takes accounts off the blocklist (30001 for one that is not on it).
    /// Fires `Sns.CallbackBlackListDelete`.
    pub async fn unblock(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let repeats = batch("To_Account", &to, MAX_BATCH)?;
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let owner = from.clone();
        let outcome = self
            .edit(app, &owner, peers_scope(to.clone()), move |rel| {
                let mut plan = RelationPlan::default();
                let mut pairs = Vec::new();
                for (peer_id, repeat) in to.iter().zip(repeats) {
                    let result = if repeat {
                        repeated(peer_id)
                    } else if rel.peers[peer_id].blocked_at.is_none() {
                        fail(
                            peer_id,
                            codes::SNS_INVALID_PARAM,
                            format!("{peer_id} is not in the blocklist"),
                        )
                    } else {
                        plan.changes.push(RelationChange::DeleteBlock {
                            owner: from.clone(),
                            peer: peer_id.clone(),
                        });
                        plan.changes.push(bump(&from, SequenceKind::Blocklist));
                        pairs.push(AccountPair::new(&from, peer_id));
                        ok(peer_id)
                    };
                    plan.results.push(result);
                }
                if !pairs.is_empty() {
                    let payload = BlackListDelete { pair_list: pairs };
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

    /// `black_list_get`: one page of the blocklist, from `start_index`, at most `max` accounts.
    pub async fn blocklist(
        &self,
        app: &AppSettings,
        from: String,
        start_index: u64,
        max: u64,
    ) -> ApiResult<BlocklistPage> {
        if max == 0 || max > MAX_BLOCKLIST {
            return Err(invalid(format!(
                "MaxLimited must be 1 to {MAX_BLOCKLIST}, got {max}"
            )));
        }
        self.ensure_owner(app, &from).await?;
        let page = self
            .store
            .blocklist_page(app.sdkappid, from, start_index, max as usize)
            .await
            .map_err(crate::internal(codes::SNS_INTERNAL))?;
        let end = start_index + page.items.len() as u64;
        Ok(BlocklistPage {
            items: page.items,
            next_start_index: if end >= page.total { 0 } else { end },
            sequence: page.sequences.blocklist,
        })
    }

    /// `black_list_check`: whether each account is blocklisted, one way or both.
    pub async fn check_blocks(
        &self,
        app: &AppSettings,
        from: String,
        to: Vec<String>,
        mode: BlockCheck,
    ) -> ApiResult<Vec<BlockRelation>> {
        const NAMES: [&str; 4] = [
            "BlackCheckResult_Type_BothWay",
            "BlackCheckResult_Type_AWithB",
            "BlackCheckResult_Type_BWithA",
            "BlackCheckResult_Type_NO",
        ];
        self.check_relations(app, from, to, mode, NAMES, |peer| {
            (peer.blocked_at.is_some(), peer.blocked_by_peer)
        })
        .await
    }
}
