//! What users do from their clients: friend requests, answers to them, and the checks the
//! relationship chain puts on one-to-one messages. Unlike the REST APIs, client requests pass
//! the app's before-callbacks (`Sns.CallbackPrevFriendAdd`, `Sns.CallbackPrevFriendResponse`),
//! which decide per target user.

use std::collections::HashMap;

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::{Friend, FriendRequest, RelationChange, RelationPlan, RelationScope, Relations};
use natter_webhook::payloads::responses::FriendResultResponse;
use natter_webhook::payloads::sns::{
    FriendAdd, FriendAddItem, FriendAddPair, FriendResponseItem, PrevFriendAdd, PrevFriendResponse,
};
use natter_webhook::{Asked, FailurePolicy, Origin};

use super::fields;
use super::friends::{
    check_add_item, clear_requests, parse_add_type, put_friend, AddFriendItem, AddRequest,
    Initiator, Tally, ADD_BOTH, ADD_SINGLE,
};
use super::{batch, fail, ok, repeated, BatchOutcome, RelationService, MAX_BATCH, MAX_FRIENDS};

/// How a user answers a friend request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseAction {
    /// `Response_Action_AgreeAndAdd`: both become friends.
    AgreeAndAdd,
    /// `Response_Action_Agree`: the requester gets the user as a friend, not the other way.
    Agree,
    /// `Response_Action_Reject`.
    Reject,
}

impl ResponseAction {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "Response_Action_AgreeAndAdd" => Some(Self::AgreeAndAdd),
            "Response_Action_Agree" => Some(Self::Agree),
            "Response_Action_Reject" => Some(Self::Reject),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::AgreeAndAdd => "Response_Action_AgreeAndAdd",
            Self::Agree => "Response_Action_Agree",
            Self::Reject => "Response_Action_Reject",
        }
    }
}

/// One answer: to the request from `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendResponse {
    pub to: String,
    pub remark: String,
    /// The friend list to put the requester in.
    pub tag_name: String,
    pub action: ResponseAction,
}

/// What a client one-to-one send may do, given the relationship chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendCheck {
    Deliver,
    /// The recipient blocklisted the sender and the app shows such sends as sent: tell the
    /// sender "sent", store and deliver nothing.
    LooksSent,
}

/// The targets a before-callback refused, with the code and info each gets.
fn refusals(asked: Asked, targets: &[String]) -> HashMap<String, (u32, String)> {
    match asked {
        Asked::Off | Asked::Failed(FailurePolicy::Allow) => HashMap::new(),
        // Tencent ignores the answer's top-level ErrorCode here: only the items decide.
        Asked::Replied(reply) => {
            let answer: FriendResultResponse = serde_json::from_value(reply).unwrap_or_default();
            targets
                .iter()
                .filter_map(|t| {
                    let item = answer.item_for(t).filter(|i| i.result_code != 0)?;
                    let info = if item.result_info.is_empty() {
                        "refused by the app's callback".to_owned()
                    } else {
                        item.result_info.clone()
                    };
                    Some((
                        t.clone(),
                        (u32::try_from(item.result_code).unwrap_or(u32::MAX), info),
                    ))
                })
                .collect()
        }
        Asked::Failed(FailurePolicy::Deny) => targets
            .iter()
            .map(|t| {
                (
                    t.clone(),
                    (
                        codes::SNS_TIMEOUT,
                        "the app's before-callback failed and its policy is to deny".to_owned(),
                    ),
                )
            })
            .collect(),
    }
}

impl RelationService {
    /// A user's friend request from a client: `Sns.CallbackPrevFriendAdd` decides per target,
    /// then each allowed target is handled as `friend_add` handles it (never forced).
    pub async fn request_friends(
        &self,
        app: &AppSettings,
        from: String,
        items: Vec<AddFriendItem>,
        add_type: Option<&str>,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let both = parse_add_type(add_type)?;
        let targets: Vec<String> = items.iter().map(|i| i.to.clone()).collect();
        batch("AddFriendItem", &targets, MAX_BATCH)?;
        for item in &items {
            check_add_item(item)?;
        }
        let callback = PrevFriendAdd {
            requester_account: from.clone(),
            from_account: from.clone(),
            friend_item: items
                .iter()
                .map(|i| FriendAddItem {
                    to_account: i.to.clone(),
                    remark: i.remark.clone(),
                    group_name: i.group_name.clone(),
                    add_source: i.add_source.clone(),
                    add_wording: i.add_wording.clone(),
                })
                .collect(),
            add_type: if both { ADD_BOTH } else { ADD_SINGLE }.to_owned(),
            force_add_flags: 0,
            event_time: self.clock.now_ms() as u64,
        };
        let refused = refusals(
            self.webhooks.ask(app.sdkappid, &callback, origin).await,
            &targets,
        );
        let request = AddRequest {
            from,
            items,
            both,
            force: false,
            initiator: Initiator::Client,
            refused,
        };
        self.add(app, request, origin).await
    }

    /// A user's answers to the friend requests waiting for them, from a client:
    /// `Sns.CallbackPrevFriendResponse` decides per requester; 30614 when no request waits.
    pub async fn respond_to_requests(
        &self,
        app: &AppSettings,
        from: String,
        responses: Vec<FriendResponse>,
        origin: &Origin,
    ) -> ApiResult<BatchOutcome> {
        let targets: Vec<String> = responses.iter().map(|r| r.to.clone()).collect();
        let repeats = batch("ResponseFriendItem", &targets, MAX_BATCH)?;
        for r in &responses {
            fields::check_remark(&r.remark)?;
            if !r.tag_name.is_empty() {
                fields::check_list_name(&r.tag_name)?;
            }
        }
        let callback = PrevFriendResponse {
            requester_account: from.clone(),
            from_account: from.clone(),
            response_friend_item: responses
                .iter()
                .map(|r| FriendResponseItem {
                    to_account: r.to.clone(),
                    remark: r.remark.clone(),
                    tag_name: r.tag_name.clone(),
                    response_action: r.action.name().to_owned(),
                })
                .collect(),
            event_time: self.clock.now_ms() as u64,
        };
        let refused = refusals(
            self.webhooks.ask(app.sdkappid, &callback, origin).await,
            &targets,
        );
        let now = self.clock.now_secs();
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let owner = from.clone();
        let outcome = self
            .edit(
                app,
                &owner,
                RelationScope::PeersAndCounts(targets),
                move |rel| {
                    let mut plan = RelationPlan::default();
                    let mut tally = Tally::of(rel);
                    let mut pairs = Vec::new();
                    for (response, repeat) in responses.iter().zip(repeats) {
                        let result = if repeat {
                            repeated(&response.to)
                        } else if let Some((code, info)) = refused.get(&response.to) {
                            fail(&response.to, *code, info.clone())
                        } else {
                            answer(
                                &from,
                                response,
                                rel,
                                &mut tally,
                                now,
                                &mut plan.changes,
                                &mut pairs,
                            )
                        };
                        plan.results.push(result);
                    }
                    if !pairs.is_empty() {
                        let payload = FriendAdd {
                            pair_list: pairs,
                            client_cmd: "friend_response".into(),
                            admin_account: String::new(),
                            force_flag: 0,
                        };
                        plan.outbox
                            .extend(this.after(&app_settings, &payload, &from, &origin));
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
}

/// Which of a user's waiting friend requests: the ones sent to them, or the ones they sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSide {
    /// `Pendency_Type_ComeIn`.
    Incoming,
    /// `Pendency_Type_SendOut`.
    Outgoing,
}

impl RelationService {
    /// The friend requests still waiting that `user` sent or was sent, newest first.
    pub async fn pending_requests(
        &self,
        app: &AppSettings,
        user: &str,
    ) -> ApiResult<Vec<FriendRequest>> {
        self.ensure_owner(app, user).await?;
        self.store
            .friend_requests(app.sdkappid, user.to_owned())
            .await
            .map_err(crate::internal(codes::SNS_INTERNAL))
    }

    /// Marks the requests sent to `user` until `up_to` (Unix seconds) read (the Web SDK's
    /// `setFriendApplicationRead`); the mark never moves back.
    pub async fn mark_requests_read(
        &self,
        app: &AppSettings,
        user: &str,
        up_to: i64,
    ) -> ApiResult<()> {
        self.ensure_owner(app, user).await?;
        self.store
            .mark_friend_requests_read(app.sdkappid, user.to_owned(), up_to)
            .await
            .map_err(crate::internal(codes::SNS_INTERNAL))
    }

    /// How many of `requests` (what [`pending_requests`](Self::pending_requests) returned)
    /// were sent to `user` after the user last marked them read.
    pub async fn unread_requests(
        &self,
        app: &AppSettings,
        user: &str,
        requests: &[FriendRequest],
    ) -> ApiResult<usize> {
        let read_up_to = self
            .store
            .friend_requests_read_up_to(app.sdkappid, user.to_owned())
            .await
            .map_err(crate::internal(codes::SNS_INTERNAL))?;
        Ok(requests
            .iter()
            .filter(|r| r.target == user && r.created > read_up_to)
            .count())
    }

    /// Withdraws the user's own requests to `peers` ([`RequestSide::Outgoing`]), or drops the
    /// requests `peers` sent them without answering ([`RequestSide::Incoming`]: the requester is
    /// not told). 30614 for a peer with no such request waiting.
    pub async fn delete_requests(
        &self,
        app: &AppSettings,
        from: String,
        side: RequestSide,
        peers: Vec<String>,
    ) -> ApiResult<BatchOutcome> {
        let repeats = batch("To_Account", &peers, MAX_BATCH)?;
        let owner = from.clone();
        let outcome = self
            .edit(
                app,
                &owner,
                RelationScope::Peers(peers.clone()),
                move |rel| {
                    let mut plan = RelationPlan::default();
                    for (peer, repeat) in peers.iter().zip(repeats) {
                        if repeat {
                            plan.results.push(repeated(peer));
                            continue;
                        }
                        let relation = &rel.peers[peer];
                        let (waiting, requester, target) = match side {
                            RequestSide::Incoming => {
                                (relation.request_from_peer.is_some(), peer, &from)
                            }
                            RequestSide::Outgoing => {
                                (relation.request_to_peer.is_some(), &from, peer)
                            }
                        };
                        if !waiting {
                            plan.results.push(fail(
                                peer,
                                codes::SNS_NO_SUCH_REQUEST,
                                format!("no friend request from {requester} to {target} waits"),
                            ));
                            continue;
                        }
                        plan.changes.push(RelationChange::DeleteRequest {
                            requester: requester.clone(),
                            target: target.clone(),
                        });
                        plan.results.push(ok(peer));
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
}

/// Whether a client one-to-one send from the owner of `sender` (a snapshot naming `to`) may go
/// ahead. REST sends by the admin skip this, as Tencent's do. Refused with 20007 when `to`
/// blocklisted the sender (or told "sent" when the app hides that), and with 20009–20011 when
/// the app checks friendship and the two are not friends both ways.
pub fn c2c_send_check(app: &AppSettings, sender: &Relations, to: &str) -> ApiResult<SendCheck> {
    let peer = sender.peers.get(to).cloned().unwrap_or_default();
    if peer.blocked_by_peer {
        if !app.blocked_send_fails {
            return Ok(SendCheck::LooksSent);
        }
        return Err(ApiError::new(
            codes::C2C_IN_PEER_BLOCKLIST,
            format!("the sender is in {to}'s blocklist"),
        ));
    }
    if app.c2c_friend_check {
        let refusal = match (peer.friend.is_some(), peer.reverse_friend) {
            (true, true) => None,
            (false, false) => Some((
                codes::C2C_NOT_FRIENDS,
                "the sender and the recipient are not friends",
            )),
            (true, false) => Some((
                codes::C2C_NOT_PEER_FRIEND,
                "the sender is not in the recipient's friend list",
            )),
            (false, true) => Some((
                codes::C2C_NOT_SELF_FRIEND,
                "the recipient is not in the sender's friend list",
            )),
        };
        if let Some((code, info)) = refusal {
            return Err(ApiError::new(code, info));
        }
    }
    Ok(SendCheck::Deliver)
}

/// Decides one answer to a friend request.
fn answer(
    from: &str,
    response: &FriendResponse,
    rel: &Relations,
    tally: &mut Tally,
    now: i64,
    changes: &mut Vec<RelationChange>,
    pairs: &mut Vec<FriendAddPair>,
) -> natter_store::ItemResult {
    let requester = response.to.as_str();
    let peer = &rel.peers[requester];
    let Some(request) = &peer.request_from_peer else {
        return fail(
            requester,
            codes::SNS_NO_SUCH_REQUEST,
            format!("no friend request from {requester} waits for {from}"),
        );
    };
    if response.action == ResponseAction::Reject {
        changes.push(RelationChange::DeleteRequest {
            requester: requester.to_owned(),
            target: from.to_owned(),
        });
        return ok(requester);
    }
    let add_back = response.action == ResponseAction::AgreeAndAdd && peer.friend.is_none();
    if !peer.reverse_friend && peer.friend_count >= MAX_FRIENDS {
        return fail(
            requester,
            codes::SNS_PEER_FRIEND_LIMIT,
            format!("{requester} already has {MAX_FRIENDS} friends"),
        );
    }
    if add_back && tally.friend_count >= MAX_FRIENDS {
        return fail(
            requester,
            codes::SNS_FRIEND_LIMIT,
            format!("{from} already has {MAX_FRIENDS} friends"),
        );
    }
    if add_back {
        let groups: Vec<String> = (!response.tag_name.is_empty())
            .then(|| response.tag_name.clone())
            .into_iter()
            .collect();
        if let Err(e) = tally.ensure_lists(from, &groups, changes) {
            return natter_store::ItemResult {
                item: requester.to_owned(),
                ..e
            };
        }
    }
    if !peer.reverse_friend {
        // The requester's own list named in the request (created if new).
        if !request.group_name.is_empty() {
            changes.push(RelationChange::PutList {
                owner: requester.to_owned(),
                name: request.group_name.clone(),
            });
            changes.push(super::friends::bump(
                requester,
                natter_store::SequenceKind::Lists,
            ));
        }
        put_friend(
            requester,
            Friend {
                peer: from.to_owned(),
                remark: request.remark.clone(),
                groups: (!request.group_name.is_empty())
                    .then(|| request.group_name.clone())
                    .into_iter()
                    .collect(),
                add_source: request.add_source.clone(),
                add_wording: request.add_wording.clone(),
                add_time: now,
                remark_time: if request.remark.is_empty() { 0 } else { now },
                custom: Vec::new(),
            },
            changes,
        );
        pairs.push(FriendAddPair::new(requester, from, requester));
    }
    if add_back {
        tally.friend_count += 1;
        put_friend(
            from,
            Friend {
                peer: requester.to_owned(),
                remark: response.remark.clone(),
                groups: (!response.tag_name.is_empty())
                    .then(|| response.tag_name.clone())
                    .into_iter()
                    .collect(),
                add_source: request.add_source.clone(),
                add_wording: String::new(),
                add_time: now,
                remark_time: if response.remark.is_empty() { 0 } else { now },
                custom: Vec::new(),
            },
            changes,
        );
        pairs.push(FriendAddPair::new(from, requester, requester));
    }
    clear_requests(from, requester, peer, changes);
    ok(requester)
}
