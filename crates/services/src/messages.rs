//! One-to-one messages (`openim`): send and roaming history, with the C2C before/after
//! callbacks; administrator edits ([`edit`]) and message extensions ([`extensions`]).

mod batch;
pub mod chatbot;
pub mod edit;
pub mod extensions;
pub mod own;
pub(crate) mod prepared;
pub mod reactions;
mod reads;
mod recall;
pub mod receipts;

pub use recall::recall_too_late;

use std::sync::Arc;

use natter_core::message::{check_body, BodyCodes};
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
use natter_events::{Priority, Push, Target};
use natter_store::{C2cHistoryQuery, C2cSend, RelationScope, Store};
/// History pages hold these; callers read their fields.
pub use natter_store::{C2cMessage, StoredC2c};
use natter_webhook::payloads::c2c::{C2cAfterSendMsg, C2cBeforeSendMsg};
use natter_webhook::payloads::responses::SendMsgResponse;
use natter_webhook::payloads::{MsgBodyElement, Payload};
use natter_webhook::{BeforeOutcome, Origin, Webhooks};
use serde_json::{json, Value};

use crate::fanout::Fanout;
use crate::internal;
use crate::mutes::{check_send, SendKind};
use crate::relations::{c2c_send_check, SendCheck};
use prepared::Prepared;

/// The body codes of the one-to-one APIs.
pub const C2C_BODY_CODES: BodyCodes = BodyCodes {
    not_array: codes::C2C_MSGBODY_NOT_ARRAY,
    bad_element: codes::C2C_BAD_MESSAGE,
    too_long: codes::BODY_TOO_LONG,
};

/// Longest offline retention Tencent allows: 7 days.
pub const MAX_LIFE_TIME_SECS: u32 = 604_800;
/// Custom codes a before-send callback may pass back to the sender.
const CUSTOM_CODES: std::ops::RangeInclusive<i64> = 120_001..=130_000;
/// Most messages one `admin_getroammsg` page returns.
pub const MAX_PAGE: usize = 100;
/// Most recipients of one `batchsendmsg`.
pub const MAX_BATCH_RECIPIENTS: usize = 500;
/// Most peers one `get_c2c_unread_msg_num` may name.
pub const MAX_UNREAD_PEERS: usize = 10;
/// Tencent caps a history reply near 13 KB; a page stops before its messages pass this.
pub const MAX_PAGE_BYTES: usize = 13 * 1024;

/// A one-to-one send, as `sendmsg` (or a client) asks for it.
#[derive(Debug, Clone)]
pub struct SendC2c {
    pub from: String,
    pub to: String,
    pub msg_seq: Option<u32>,
    pub msg_random: u32,
    /// Checked with [`check_body`] by the caller.
    pub body: Vec<Value>,
    pub cloud_custom_data: String,
    /// `SyncOtherMachine`: 2 keeps the message out of the sender's history.
    pub sync_other_machine: u32,
    /// `MsgLifeTime`: 0 sends online only (nothing stored).
    pub msg_life_time: u32,
    pub no_unread: bool,
    /// `SendMsgControl: NoLastMsg`: the conversations do not move.
    pub no_last_msg: bool,
    /// The `OfflinePushInfo` object as JSON text (empty when absent).
    pub offline_push_info: String,
    /// `SupportMessageExtension` 1.
    pub supports_extension: bool,
    pub forbid_before_callback: bool,
    pub forbid_after_callback: bool,
    /// The time the sender's client gave the message (Tencent's Web SDK sends `MsgClientTime` and
    /// builds the message's id from it). Within [`CLIENT_TIME_TOLERANCE_SECS`] before now it
    /// becomes the message's time, so both ends' SDKs build the same id; otherwise the server's
    /// time is used. `None` for REST.
    pub client_time: Option<i64>,
    /// The Web SDK's `needReadReceipt`: the recipient's SDK may send a read receipt for it
    /// (`openim.c2c_msg_read_receipt`). Carried in the push only; history does not keep it.
    pub need_read_receipt: bool,
}

/// How far in the past a client's time for its message is taken (a clock the SDK set from the
/// server's whole seconds runs up to a second or two behind; a send may wait for a callback).
pub const CLIENT_TIME_TOLERANCE_SECS: i64 = 60;

/// A sent message's time: the sender's client time when it is within
/// [`CLIENT_TIME_TOLERANCE_SECS`] before `now` (so every SDK builds the id the sender's SDK
/// built, `<TinyId>-<MsgClientTime>-<Random>`), else `now`.
pub fn message_time(client_time: Option<i64>, now: i64) -> i64 {
    client_time
        .filter(|t| (now - CLIENT_TIME_TOLERANCE_SECS..=now).contains(t))
        .unwrap_or(now)
}

/// What `sendmsg` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct C2cSent {
    pub msg_time: i64,
    pub msg_key: String,
    pub msg_id: String,
}

/// What `admin_getroammsg` asks for.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    pub operator: String,
    pub peer: String,
    pub max_count: usize,
    /// Inclusive Unix-second bounds.
    pub min_time: i64,
    pub max_time: i64,
    /// The previous page's `LastMsgKey`: continue with older messages.
    pub last_msg_key: Option<String>,
}

/// One page of roaming history: the newest messages of the range not yet returned, listed
/// oldest first, as Tencent lists them.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub messages: Vec<StoredC2c>,
    /// Per message: whether its recipient has read it (`IsPeerRead`).
    pub peer_read: Vec<bool>,
    /// True when nothing older is left in the range.
    pub complete: bool,
}

#[derive(Clone)]
pub struct MessageService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    webhooks: Arc<Webhooks>,
    fanout: Fanout,
}

/// `MsgKey`: `<MsgSeq>_<MsgRandom>_<MsgTime>`.
pub fn msg_key(seq: u32, random: u32, time: i64) -> String {
    format!("{seq}_{random}_{time}")
}

/// Parses a `MsgKey` back into (MsgTime, MsgSeq, MsgRandom), the history order.
pub fn parse_msg_key(key: &str) -> Option<(i64, u32, u32)> {
    let mut parts = key.split('_');
    let seq = parts.next()?.parse().ok()?;
    let random = parts.next()?.parse().ok()?;
    let time = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((time, seq, random))
}

/// A message id in Tencent's shape (`<sender number>-<MsgTime>-<MsgRandom>`), stable for the
/// same message so a repeated send answers the same id.
fn msg_id(from: &str, time: i64, random: u32) -> String {
    format!("{}-{time}-{random}", user_number(from))
}

/// A stable number for a user: the first part of their message ids, and the `TinyId` the Web
/// SDK knows them by (it builds message ids from it the same way).
pub fn user_number(user: &str) -> u64 {
    // FNV-1a: cheap and stable. The SDK keeps it as a string, so its size does not matter.
    let hash = user.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    hash >> 8
}

fn elements(body: &[Value]) -> Vec<MsgBodyElement> {
    body.iter()
        .filter_map(|e| serde_json::from_value(e.clone()).ok())
        .collect()
}

impl MessageService {
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

    /// Sends one one-to-one message: accounts checked, before-callback (may refuse or rewrite),
    /// then the message, the recipient's unread count and the after-callback in one transaction.
    /// A message to a chatbot then asks the app for the chatbot's answer ([`chatbot`]).
    pub async fn send(
        &self,
        app: &AppSettings,
        origin: &Origin,
        req: SendC2c,
    ) -> ApiResult<C2cSent> {
        self.send_at(app, origin, req, None).await
    }

    /// [`send`](Self::send) with the message's time fixed by the caller (`at`, Unix seconds):
    /// a push task's deliveries all carry the task's time, so delivering to an account again
    /// (after a restart half way) is the same message, which the store keeps once.
    pub async fn send_at(
        &self,
        app: &AppSettings,
        origin: &Origin,
        req: SendC2c,
        at: Option<i64>,
    ) -> ApiResult<C2cSent> {
        let question = chatbot::question(&req);
        let (sent, delivered) = self.send_message(app, origin, req, at).await?;
        if let Some(question) = question.filter(|_| delivered) {
            self.ask_chatbot(app, origin, question, &sent).await;
        }
        Ok(sent)
    }

    /// [`send`](Self::send) without the chatbot's turn; also whether the message went out
    /// (false when it only looks sent, or repeats one sent before).
    async fn send_message(
        &self,
        app: &AppSettings,
        origin: &Origin,
        mut req: SendC2c,
        at: Option<i64>,
    ) -> ApiResult<(C2cSent, bool)> {
        // The admin's REST send with no before-callback to ask (the common server-side path):
        // nothing the app can see happens before the store, so the store checks the accounts
        // in the send's own round trip. Otherwise they are checked first, as every check
        // after this one (mutes, relations, the before-callback) expects.
        let store_checks_accounts = origin.platform == natter_webhook::REST_PLATFORM
            && req.msg_life_time != 0
            && (req.forbid_before_callback
                || !self.webhooks.is_on(app.sdkappid, C2cBeforeSendMsg::COMMAND));
        if !store_checks_accounts {
            self.sender_and_recipient_exist(app.sdkappid, &req.from, &req.to)
                .await?;
        }
        // A user under a global mute does not send (checked before any callback fires).
        check_send(
            &*self.store,
            &self.clock,
            app.sdkappid,
            origin,
            &req.from,
            SendKind::C2c,
        )
        .await?;
        // Sends by users pass the relationship chain's checks; the admin's REST sends do not.
        let checked = if origin.platform == natter_webhook::REST_PLATFORM {
            SendCheck::Deliver
        } else {
            let sender = self
                .store
                .relations(
                    app.sdkappid,
                    req.from.clone(),
                    RelationScope::Peers(vec![req.to.clone()]),
                )
                .await
                .map_err(internal(codes::C2C_INTERNAL))?;
            c2c_send_check(app, &sender, &req.to)?
        };
        let now = self.clock.now_secs();
        let msg_time = at.unwrap_or_else(|| message_time(req.client_time, now));
        let msg_seq = req.msg_seq.unwrap_or_else(rand::random);
        let msg_key = msg_key(msg_seq, req.msg_random, msg_time);
        let msg_id = msg_id(&req.from, msg_time, req.msg_random);
        let sent = C2cSent {
            msg_time,
            msg_key: msg_key.clone(),
            msg_id: msg_id.clone(),
        };
        let online_only = req.msg_life_time == 0;
        if checked == SendCheck::LooksSent {
            return Ok((sent, false));
        }

        if !req.forbid_before_callback {
            let before = C2cBeforeSendMsg {
                from_account: req.from.clone(),
                to_account: req.to.clone(),
                msg_seq,
                msg_random: req.msg_random,
                msg_time: msg_time as u64,
                msg_key: msg_key.clone(),
                msg_id: msg_id.clone(),
                online_only_flag: u32::from(online_only),
                msg_body: elements(&req.body),
                cloud_custom_data: req.cloud_custom_data.clone(),
                event_time: self.clock.now_ms() as u64,
            };
            match self.webhooks.before(app.sdkappid, &before, origin).await {
                BeforeOutcome::Allow(Some(reply)) => apply_rewrite(&mut req, &reply)?,
                BeforeOutcome::Allow(None) => {}
                BeforeOutcome::Deny { info } => {
                    return Err(ApiError::new(
                        codes::C2C_CALLBACK_DENIED,
                        if info.is_empty() { "refused by the app's before-send callback".into() } else { info },
                    ))
                }
                // The sender is told "sent"; nothing is stored or delivered.
                BeforeOutcome::Discard => return Ok((sent, false)),
                BeforeOutcome::Custom { code, info } if CUSTOM_CODES.contains(&code) => {
                    return Err(ApiError::new(code as u32, info))
                }
                BeforeOutcome::Custom { code, info } => {
                    return Err(ApiError::new(
                        codes::C2C_CALLBACK_DENIED,
                        format!("refused by the app's before-send callback (code {code} outside 120001-130000): {info}"),
                    ))
                }
            }
        }

        let after = (!req.forbid_after_callback).then(|| C2cAfterSendMsg {
            from_account: req.from.clone(),
            to_account: req.to.clone(),
            msg_seq,
            msg_random: req.msg_random,
            msg_time: msg_time as u64,
            msg_key: msg_key.clone(),
            msg_id: msg_id.clone(),
            online_only_flag: u32::from(online_only),
            send_msg_result: 0,
            error_info: "send msg succeed".into(),
            unread_msg_num: 0,
            msg_body: elements(&req.body),
            cloud_custom_data: req.cloud_custom_data.clone(),
            event_time: self.clock.now_ms() as u64,
        });
        if online_only {
            // Not stored (no history, no unread count); the after-callback still reports it.
            if let Some(mut after) = after.clone() {
                after.unread_msg_num = -1;
                self.webhooks
                    .notify_now(app.sdkappid, after, origin.clone());
            }
        }
        let push = self.c2c_push(app, &req, msg_seq, msg_time, &msg_key, online_only);
        if online_only {
            self.webhooks.ops().c2c_message(app.sdkappid, &req.from, 1);
            self.push_c2c(
                app,
                &req.from,
                &req.to,
                req.sync_other_machine,
                push,
                origin.connection,
            );
            return Ok((sent, true));
        }
        let connection = origin.connection;
        let order_key = conversation_key(&req.from, &req.to);
        let prepared = match &after {
            None => Prepared::Rows(Vec::new()),
            Some(after) => prepared::prepare(
                &self.webhooks,
                app.sdkappid,
                after,
                |a, unread| a.unread_msg_num = unread as i64,
                &order_key,
                origin,
            ),
        };
        let (from, to, sync) = (req.from.clone(), req.to.clone(), req.sync_other_machine);
        let message = C2cMessage {
            from: req.from,
            to: req.to,
            msg_seq,
            msg_random: req.msg_random,
            msg_time,
            body: Value::Array(req.body).to_string(),
            cloud_custom_data: req.cloud_custom_data,
            in_sender_history: req.sync_other_machine != 2,
            counts_as_unread: !req.no_unread,
            updates_conversation: !req.no_last_msg,
            offline_push_info: req.offline_push_info,
            supports_extension: req.supports_extension,
        };
        let stored = match prepared {
            Prepared::Rows(outbox) => {
                self.store
                    .send_c2c_prepared(app.sdkappid, message, outbox, store_checks_accounts)
                    .await
            }
            Prepared::Unsplittable => {
                if store_checks_accounts {
                    self.sender_and_recipient_exist(app.sdkappid, &from, &to)
                        .await?;
                }
                let webhooks = self.webhooks.clone();
                let (sdkappid, origin) = (app.sdkappid, origin.clone());
                let outbox: natter_store::C2cOutbox = Box::new(move |unread| {
                    let Some(mut after) = after else {
                        return Vec::new();
                    };
                    after.unread_msg_num = unread as i64;
                    webhooks
                        .after(sdkappid, &after, &order_key, &origin)
                        .into_iter()
                        .collect()
                });
                self.store.send_c2c(app.sdkappid, message, outbox).await
            }
        }
        .map_err(internal(codes::C2C_INTERNAL))?;
        match stored {
            C2cSend::NoSender => return Err(not_imported(codes::C2C_FROM_ACCOUNT_INVALID, &from)),
            C2cSend::NoRecipient => return Err(not_imported(codes::C2C_TO_NOT_REGISTERED, &to)),
            C2cSend::Stored { .. } | C2cSend::Duplicate => {}
        }
        let delivered = matches!(stored, C2cSend::Stored { .. });
        if delivered {
            self.webhooks.ops().c2c_message(app.sdkappid, &from, 1);
            self.webhooks.wake();
            self.push_c2c(app, &from, &to, sync, push, connection);
        }
        Ok((sent, delivered))
    }

    /// The frame clients receive for a one-to-one message; `None` when no one of the app is
    /// connected (nothing to build).
    fn c2c_push(
        &self,
        app: &AppSettings,
        req: &SendC2c,
        msg_seq: u32,
        msg_time: i64,
        msg_key: &str,
        online_only: bool,
    ) -> Option<Push> {
        self.fanout.may_reach(app.sdkappid).then(|| {
            let mut frame = json!({
                "Event": "C2cMsg",
                "From_Account": req.from,
                "To_Account": req.to,
                "MsgSeq": msg_seq,
                "MsgRandom": req.msg_random,
                "MsgTime": msg_time,
                "MsgKey": msg_key,
                "OnlineOnlyFlag": u32::from(online_only),
                "NeedReadReceipt": u32::from(req.need_read_receipt),
                "MsgBody": req.body,
                "CloudCustomData": req.cloud_custom_data,
            });
            if req.supports_extension {
                frame["SupportMessageExtension"] = json!(1);
            }
            Push::new(Priority::High, &frame)
        })
    }

    /// Pushes a sent message to the recipient's connections and, unless `SyncOtherMachine` is
    /// 2, to the sender's (their other devices see what they sent).
    fn push_c2c(
        &self,
        app: &AppSettings,
        from: &str,
        to: &str,
        sync: u32,
        push: Option<Push>,
        except: Option<u64>,
    ) {
        let Some(push) = push else { return };
        let mut users = vec![to];
        if sync != 2 && from != to {
            users.push(from);
        }
        let users = users.into_iter().map(str::to_owned).collect();
        self.fanout
            .send(app.sdkappid, Target::Users(users), &push, except);
    }

    /// `admin_getroammsg`: one page of the history between the operator and the peer. Pages walk
    /// back in time; each lists its messages oldest first, and the next page continues below the
    /// oldest one (`LastMsgKey`). A page holds at most `MaxCnt` (up to 100) messages and stops
    /// before it passes 13 KB.
    pub async fn history(&self, app: &AppSettings, req: HistoryRequest) -> ApiResult<HistoryPage> {
        if req.max_count == 0 {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "MaxCnt must be at least 1",
            ));
        }
        let before = match req.last_msg_key.as_deref().filter(|k| !k.is_empty()) {
            Some(key) => Some(parse_msg_key(key).ok_or_else(|| {
                ApiError::new(
                    codes::C2C_BAD_PARAM,
                    format!("LastMsgKey {key:?} is not a MsgKey"),
                )
            })?),
            None => None,
        };
        self.both_exist(app.sdkappid, &req.operator, &req.peer)
            .await?;
        let limit = req.max_count.min(MAX_PAGE);
        // Messages past the app's retention are gone, even before the sweep deletes them.
        let min_time = match self.retention_cutoff(app) {
            Some(cutoff) => req.min_time.max(cutoff),
            None => req.min_time,
        };
        let (req_operator, req_peer) = (req.operator.clone(), req.peer.clone());
        let newest_first = self
            .store
            .c2c_history(
                app.sdkappid,
                C2cHistoryQuery {
                    operator: req.operator,
                    peer: req.peer,
                    min_time,
                    max_time: req.max_time,
                    before,
                    limit: limit + 1,
                },
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let available = newest_first.len();
        let mut messages = Vec::with_capacity(limit);
        let mut bytes = 0;
        for stored in newest_first.into_iter().take(limit) {
            bytes += stored.message.body.len() + stored.message.cloud_custom_data.len() + 200;
            if !messages.is_empty() && bytes > MAX_PAGE_BYTES {
                break;
            }
            messages.push(stored);
        }
        let complete = messages.len() == available;
        messages.reverse();
        // A message is read by its recipient once the recipient's read mark reaches its time.
        let (operator, peer) = (req_operator, req_peer);
        let operator_read = self.read_time(app.sdkappid, &operator, &peer).await?;
        let peer_read_time = self.read_time(app.sdkappid, &peer, &operator).await?;
        let peer_read = messages
            .iter()
            .map(|m| {
                let recipient_read = if m.message.from == operator {
                    peer_read_time
                } else {
                    operator_read
                };
                recipient_read >= m.message.msg_time
            })
            .collect();
        Ok(HistoryPage {
            messages,
            peer_read,
            complete,
        })
    }
}

/// Messages one retention step deletes; bounded so other writes are not held up.
const PURGE_STEP: usize = 5_000;

impl MessageService {
    /// The oldest MsgTime the app keeps, when it has a retention period.
    fn retention_cutoff(&self, app: &AppSettings) -> Option<i64> {
        (app.history_retention_days > 0)
            .then(|| self.clock.now_secs() - i64::from(app.history_retention_days) * 86_400)
    }

    /// Deletes the app's one-to-one messages older than its retention period, in bounded steps.
    /// Returns how many were deleted.
    pub async fn purge_expired(&self, app: &AppSettings) -> ApiResult<u64> {
        let Some(cutoff) = self.retention_cutoff(app) else {
            return Ok(0);
        };
        let mut purged = 0;
        loop {
            let step = self
                .store
                .purge_c2c(app.sdkappid, cutoff, PURGE_STEP)
                .await
                .map_err(internal(codes::C2C_INTERNAL))?;
            purged += step;
            if step < PURGE_STEP as u64 {
                return Ok(purged);
            }
        }
    }

    /// Catch-up of a client: the stored one-to-one messages `user` received or sent (and keeps
    /// in their history) after the position (MsgTime, MsgSeq, MsgRandom), oldest first, at most
    /// `limit`. Recalled messages, those the user cleared and those past the app's retention are
    /// left out.
    pub async fn since(
        &self,
        app: &AppSettings,
        user: &str,
        after: (i64, u32, u32),
        limit: usize,
    ) -> ApiResult<Vec<StoredC2c>> {
        let after = match self.retention_cutoff(app) {
            Some(cutoff) if after.0 < cutoff => (cutoff, 0, 0),
            _ => after,
        };
        self.store
            .c2c_since(app.sdkappid, user.to_owned(), after, limit)
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }

    /// Checks that the two accounts of a one-to-one API exist: 90008 for the first (the
    /// "From" side), 90003 for the second (the "To" side), as Tencent's pages name them.
    async fn both_exist(&self, app: u64, from: &str, to: &str) -> ApiResult<()> {
        self.accounts_exist(app, from, to, codes::C2C_TO_ACCOUNT_INVALID)
            .await
    }

    /// Like [`both_exist`](Self::both_exist) for the sending APIs, where an unknown recipient
    /// is 90012 ("not registered").
    async fn sender_and_recipient_exist(&self, app: u64, from: &str, to: &str) -> ApiResult<()> {
        self.accounts_exist(app, from, to, codes::C2C_TO_NOT_REGISTERED)
            .await
    }

    async fn accounts_exist(&self, app: u64, from: &str, to: &str, to_code: u32) -> ApiResult<()> {
        let exist = self
            .store
            .accounts_exist(app, vec![from.to_owned(), to.to_owned()])
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        if !exist[0] {
            return Err(not_imported(codes::C2C_FROM_ACCOUNT_INVALID, from));
        }
        if !exist[1] {
            return Err(not_imported(to_code, to));
        }
        Ok(())
    }
}

fn not_imported(code: u32, account: &str) -> ApiError {
    ApiError::new(code, format!("account {account} is not imported"))
}

/// The outbox order key of a conversation: both UserIDs in byte order.
fn conversation_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("c2c:{a}:{b}")
    } else {
        format!("c2c:{b}:{a}")
    }
}

/// Applies a before-callback's rewrite (`MsgBody`, `CloudCustomData`), checked like a sent body.
fn apply_rewrite(req: &mut SendC2c, reply: &Value) -> ApiResult<()> {
    apply_send_rewrite(
        reply,
        &mut req.body,
        &mut req.cloud_custom_data,
        C2C_BODY_CODES,
        codes::C2C_CALLBACK_DENIED,
    )
}

/// Applies a before-send callback's rewrite of `MsgBody` and `CloudCustomData` (one-to-one and
/// group sends alike); a rewritten body that is not valid refuses the send with `deny_code`.
pub(crate) fn apply_send_rewrite(
    reply: &Value,
    body: &mut Vec<Value>,
    cloud_custom_data: &mut String,
    body_codes: BodyCodes,
    deny_code: u32,
) -> ApiResult<()> {
    let Ok(answer) = serde_json::from_value::<SendMsgResponse>(reply.clone()) else {
        return Ok(());
    };
    if let Some(data) = answer.replacement_cloud_custom_data() {
        *cloud_custom_data = data.to_owned();
    }
    if reply
        .get("MsgBody")
        .is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
    {
        *body = check_body(reply.get("MsgBody"), cloud_custom_data, body_codes).map_err(|e| {
            ApiError::new(
                deny_code,
                format!("the before-send callback's MsgBody is invalid: {}", e.info),
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_keys_round_trip() {
        assert_eq!(
            msg_key(549396494, 2578554, 1584669680),
            "549396494_2578554_1584669680"
        );
        assert_eq!(
            parse_msg_key("549396494_2578554_1584669680"),
            Some((1584669680, 549396494, 2578554))
        );
        assert_eq!(parse_msg_key("1_2"), None);
        assert_eq!(parse_msg_key("1_2_3_4"), None);
        assert_eq!(parse_msg_key("a_2_3"), None);
    }

    #[test]
    fn message_ids_are_stable_per_message() {
        assert_eq!(msg_id("alice", 1, 2), msg_id("alice", 1, 2));
        assert_ne!(msg_id("alice", 1, 2), msg_id("bob", 1, 2));
        assert!(msg_id("alice", 1727580296, 4026038328).ends_with("-1727580296-4026038328"));
    }
}
