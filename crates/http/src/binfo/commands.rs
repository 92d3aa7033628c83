//! The commands of the Web SDK, by `servcmd`. Each runs the same service as the REST API with
//! the logged-in user as the actor, so it fires the same webhooks (with the SDK's platform as
//! `OptPlatform`). A command Natter does not serve yet answers 60009 at once: the SDK then fails
//! that one call and does not retry.
//!
//! Many SDK commands are the REST API's own (`sns.friend_get` is `v4/sns/friend_get`) with the
//! user in the actor field; [`as_user`] runs the REST handler on such a body, so its checks and
//! reply are the REST API's.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::{msg_key, HistoryRequest, StoredC2c};
use natter_services::sessions::Session;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::pushes::c2c_item;
use crate::handler::{fields, typed, Ctx, HandlerFuture};
use crate::panics::Guarded;
use crate::rest::{recentcontact, sns};
use crate::wire::group_open_http_svc::{SendGroupMsg, SendGroupMsgReply};
use crate::wire::openim::Sendmsg;
use crate::AppState;

/// Purchase bits: which optional features the SDK switches on (bit 0 is the last character).
/// A feature that is off fails in the SDK without a request (3122), so only the bits whose
/// commands Natter serves are on: 6, AVChatRoom member lists (`group_open_avchatroom_http_svc`);
/// 7, user status (`getUserStatus`, `subscribeUserStatus`); 9, conversation marks
/// (`markConversation`); 10, conversation groups (`createConversationGroup` and the rest); 11,
/// AVChatRoom bans (`ban_group_member`); 13, message extensions (`openim_msg_ext_http_svc`);
/// 15, group counters (`*_group_counter`); 40, the cloud search plugin (`PLUGIN_CS`, bit 8 of
/// the upper 32-bit word: `*_search.query`; the pinned SDK sends those whatever the bit, and
/// only reports its use, but the bit says the feature is there); 48, message reactions
/// (`*reaction_*`; the SDK's `MSG_REACTION` is bit 16 of the upper word); 52 (bit 20 of the
/// upper word), follows (`follow.*`).
const PURCHASE_BITS: &str = concat!(
    "1",
    "000",
    "1",
    "0000000",
    "1",
    "000000000000000000000000",
    "1010111011000000"
);
/// How long the SDK keeps the configuration and purchase bits before asking again, seconds.
const CONFIG_LIFETIME_SECS: u64 = 3600;

/// A served command: the logged-in user's context and the frame's body, to the reply's fields.
pub type CommandHandler = fn(Ctx, Value) -> HandlerFuture;

/// One command the pinned SDK can send (or a push it takes), and what Natter does with it.
pub struct Command {
    /// `service.command`, as in the frame's `head.servcmd`.
    pub name: &'static str,
    pub serving: Serving,
}

pub enum Serving {
    /// Answered by this handler.
    Served(CommandHandler),
    /// Answered by this handler, which waits on an outside engine (translation, speech,
    /// ffmpeg) and may take seconds: `/binfo` holds it beside the connection's other requests
    /// rather than before them.
    Slow(CommandHandler),
    /// Answered with 60009 at once: the SDK fails that one call and does not retry.
    NotYet,
    /// A command the SDK never sends through `proxyServer` (why: docs/client-sdk.md), kept in
    /// the table because the SDK can send it elsewhere; answered with 60009 at once if it comes.
    NotInProxyMode,
    /// A command Natter does not serve, by decision: what it is for is not part of Natter
    /// (the reason, shown in docs/client-sdk.md); answered with 60009 at once, naming it.
    NotServed(&'static str),
    /// A push Natter sends; the SDK never sends it.
    Push,
    /// A push the SDK takes that Natter never sends (why: docs/client-sdk.md); the SDK never
    /// sends it either.
    UnsentPush,
}

impl Serving {
    /// The handler of a served command, slow or not.
    pub fn handler(&self) -> Option<CommandHandler> {
        match self {
            Self::Served(handler) | Self::Slow(handler) => Some(*handler),
            _ => None,
        }
    }
}

/// Whether `servcmd` is a [`Serving::Slow`] command.
pub fn is_slow(servcmd: &str) -> bool {
    find(servcmd).is_some_and(|c| matches!(c.serving, Serving::Slow(_)))
}

/// The service the SDK sends every group command of a community to (`@TGS#_` IDs), whatever
/// its usual service: `million_group_open_http_svc.create_group` is `create_group`.
const COMMUNITY_SERVICE: &str = "million_group_open_http_svc";

/// Finds a command by its `servcmd`; a community's group command not in the table by the same
/// command of `group_open_http_svc`.
pub fn find(servcmd: &str) -> Option<&'static Command> {
    let table = super::table::COMMANDS;
    table.iter().find(|c| c.name == servcmd).or_else(|| {
        let command = servcmd.strip_prefix(COMMUNITY_SERVICE)?.strip_prefix('.')?;
        let usual = format!("group_open_http_svc.{command}");
        table.iter().find(|c| c.name == usual)
    })
}

/// Runs one command of a logged-in SDK; the reply's fields, or the error to answer, or the
/// internal error of a command that panicked (after which the connection closes).
pub async fn run(
    state: &AppState,
    session: &Session,
    public_url: &std::sync::Arc<str>,
    servcmd: &str,
    body: Value,
) -> Guarded<Value> {
    let (service, command) = servcmd.split_once('.').unwrap_or((servcmd, ""));
    let internal = crate::envelope::ServiceRules::of(service).internal;
    let request = async {
        crate::panics::test_trigger(service, command);
        run_unguarded(state, session, public_url, servcmd, body).await
    };
    crate::panics::guard("binfo", || servcmd.to_owned(), internal, request).await
}

async fn run_unguarded(
    state: &AppState,
    session: &Session,
    public_url: &std::sync::Arc<str>,
    servcmd: &str,
    body: Value,
) -> ApiResult<Value> {
    let handler = match find(servcmd) {
        Some(Command {
            serving: Serving::Served(handler) | Serving::Slow(handler),
            ..
        }) => handler,
        Some(Command {
            serving: Serving::NotInProxyMode,
            ..
        }) => {
            return Err(ApiError::new(
                codes::API_NOT_FOUND,
                format!(
                    "{servcmd} is not available through Natter: the Web SDK sends it only when it \
                     talks to Tencent's own hosts (see docs/client-sdk.md)"
                ),
            ))
        }
        Some(Command {
            serving: Serving::NotServed(reason),
            ..
        }) => {
            return Err(ApiError::new(
                codes::API_NOT_FOUND,
                format!("{servcmd} is not served by Natter: {reason} (see docs/client-sdk.md)"),
            ))
        }
        _ => {
            return Err(ApiError::new(
                codes::API_NOT_FOUND,
                format!("{servcmd} is not served by Natter's /binfo yet (see docs/client-sdk.md)"),
            ))
        }
    };
    let (service, _) = servcmd.split_once('.').unwrap_or((servcmd, ""));
    let ctx = Ctx::client(state.services.clone(), session, service).reached_at(public_url.clone());
    handler(ctx, body).await
}

/// Keep-alives, statistics, and the login of a connection that is logged in already.
pub(super) async fn ok(_: Ctx, _: Value) -> ApiResult<Value> {
    Ok(Value::Null)
}

pub(super) async fn fetch_config(_: Ctx, _: Value) -> ApiResult<Value> {
    Ok(json!({
        "int32_error_code": 0,
        "str_json_config": "{}",
        "uint64_version": 0,
        "uint32_expired_time": CONFIG_LIFETIME_SECS,
    }))
}

/// Any error here makes the SDK ask again every second, so this always succeeds.
pub(super) async fn fetch_purchase_bits(_: Ctx, _: Value) -> ApiResult<Value> {
    Ok(json!({
        "int32_error_code": 0,
        "str_purchase_bits": PURCHASE_BITS,
        "uint32_expired_time": CONFIG_LIFETIME_SECS,
    }))
}

/// `sns.black_list_get`: the SDK leaves out `LastSequence`, which the REST page requires.
pub(super) async fn black_list_get(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let body = with_default(body, "LastSequence", 0.into());
    as_user(ctx, body, "From_Account", sns::black_list_get).await
}

/// Runs a REST handler for the user: the body's actor field (`From_Account`, …) is the user
/// (filled in when absent); naming anyone else is refused, as a user acts only as themselves.
pub(super) async fn as_user<Req, Reply, Fut>(
    ctx: Ctx,
    mut body: Value,
    actor: &str,
    handler: impl FnOnce(Ctx, Req) -> Fut + Send + 'static,
) -> ApiResult<Value>
where
    Req: DeserializeOwned + Send + 'static,
    Reply: Serialize,
    Fut: std::future::Future<Output = ApiResult<Reply>> + Send + 'static,
{
    let object = body.as_object_mut().expect("frame bodies are objects");
    match object.get(actor) {
        None => {
            object.insert(actor.to_owned(), ctx.identifier.clone().into());
        }
        Some(Value::String(named)) if *named == ctx.identifier => {}
        Some(other) => {
            return Err(ApiError::new(
                ctx.rules.invalid_param,
                format!(
                    "{actor} {other} is not the logged-in user; a user acts only as themselves"
                ),
            ))
        }
    }
    typed(ctx, body, handler).await
}

/// Fills in a field the SDK leaves out where the REST API requires it.
fn with_default(mut body: Value, field: &str, value: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.entry(field).or_insert(value);
    }
    body
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserItem {
    #[serde(rename = "To_Account")]
    to_account: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PortraitGetAll {
    user_item: Vec<UserItem>,
}

/// `profile.portrait_get_all`: every field of the named users' profiles (the SDK's start-up asks
/// for the user's own).
pub(super) async fn portrait_get_all(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: PortraitGetAll = ctx.parse(body)?;
    let tags = natter_services::profile_fields::all_tags(&ctx.app);
    let accounts: Vec<String> = req.user_item.into_iter().map(|u| u.to_account).collect();
    let request = json!({"To_Account": accounts, "TagList": tags});
    typed(ctx, request, crate::rest::profile::portrait_get).await
}

/// `recentcontact.page_get`: the REST conversation list, with what the SDK shows of each C2C
/// conversation (its last message, unread count and the user's notification setting,
/// `MsgRecvOption`) and the group id where it looks for it.
pub(super) async fn page_get(ctx: Ctx, mut body: Value) -> ApiResult<Value> {
    let me = ctx.identifier.clone();
    let services = ctx.services.clone();
    let app = ctx.app.clone();
    body.as_object_mut()
        .expect("frame bodies are objects")
        .insert("From_Account".into(), me.clone().into());
    let mut page = typed(ctx, body, recentcontact::get_list).await?;
    let items = page["SessionItem"]
        .as_array_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let peers: Vec<String> = items
        .iter()
        .filter_map(|i| {
            i.get("To_Account")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let unread = if peers.is_empty() {
        Vec::new()
    } else {
        services
            .messages
            .unread(&app, me.clone(), peers.clone())
            .await?
            .1
    };
    // The user's notification setting per peer, the SDK's `messageRemindType`.
    let mut remind = Vec::with_capacity(peers.len());
    for chunk in peers.chunks(natter_services::messages::own::MAX_MUTE_PEERS) {
        let flags = services
            .messages
            .peer_mutes(&app, &me, chunk.to_vec())
            .await?;
        remind.extend(chunk.iter().cloned().zip(flags));
    }
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        if let Some(peer) = item
            .get("To_Account")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            let count = unread
                .iter()
                .find(|(p, _)| *p == peer)
                .and_then(|(_, n)| *n)
                .unwrap_or(0);
            item["UnreadMsgCount"] = count.into();
            let flag = remind
                .iter()
                .find(|(p, _)| *p == peer)
                .map_or(0, |(_, f)| *f);
            item["MsgRecvOption"] = flag.into();
            let last = services
                .messages
                .history(
                    &app,
                    HistoryRequest {
                        operator: me.clone(),
                        peer: peer.clone(),
                        max_count: 1,
                        min_time: 0,
                        max_time: i64::MAX,
                        last_msg_key: None,
                    },
                )
                .await?;
            if let Some(message) = last.messages.last() {
                let event = stored_event(message);
                let sdk = c2c_item(&event, &me);
                for key in ["MsgSeq", "MsgRandom", "MsgKey"] {
                    item[key] = sdk[key].clone();
                }
                item["LastC2CMsgFromAccount"] = sdk["From_Account"].clone();
                item["LastMsg"] = json!({
                    "MsgBody": sdk["MsgBody"],
                    "CloudCustomData": sdk["CloudCustomData"],
                });
            }
        } else if let Some(group) = item.get("GroupId").cloned() {
            item["ToAccount"] = group;
        }
        out.push(item);
    }
    page["SessionItem"] = out.into();
    Ok(page)
}

/// A stored message in the shape of the `C2cMsg` event, so history and pushes share one
/// conversion to the SDK's items.
pub(super) fn stored_event(stored: &StoredC2c) -> Map<String, Value> {
    let message = &stored.message;
    let body: Value = serde_json::from_str(&message.body).unwrap_or_else(|_| json!([]));
    let event = json!({
        "From_Account": message.from,
        "To_Account": message.to,
        "MsgSeq": message.msg_seq,
        "MsgRandom": message.msg_random,
        "MsgTime": message.msg_time,
        "MsgKey": msg_key(message.msg_seq, message.msg_random, message.msg_time),
        "MsgBody": body,
        "CloudCustomData": message.cloud_custom_data,
        "SupportMessageExtension": u32::from(message.supports_extension),
        "MsgVersion": stored.version,
    });
    match event {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object"),
    }
}

/// `openim.sendmsg`: the REST body (plus SDK-only fields, ignored), sent as the user.
pub(super) async fn sendmsg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let client_time = body.get("MsgClientTime").and_then(Value::as_i64);
    // The SDK's `needReadReceipt` (it sends `IsNeedReadReceipt`).
    let need_read_receipt = ["IsNeedReadReceipt", "NeedReadReceipt"]
        .iter()
        .any(|field| body.get(*field).and_then(Value::as_u64) == Some(1));
    let req: Sendmsg = ctx.parse(body)?;
    let mut send = req.into_send(&ctx.identifier)?;
    send.client_time = client_time;
    send.need_read_receipt = need_read_receipt;
    if send.from != ctx.identifier {
        return Err(ApiError::new(
            codes::C2C_FROM_ACCOUNT_INVALID,
            "From_Account is not the logged-in user; a user sends only as themselves",
        ));
    }
    send.forbid_before_callback = false;
    send.forbid_after_callback = false;
    let sent = ctx
        .services
        .messages
        .send(&ctx.app, &ctx.origin, send)
        .await?;
    Ok(json!({"MsgTime": sent.msg_time, "MsgKey": sent.msg_key, "MsgId": sent.msg_id}))
}

/// `group_open_http_svc.send_group_msg` (also `/ws`'s `send_group_msg`): the REST body, sent
/// as the user into a group they are in.
pub(crate) async fn send_group_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    // The SDK's clock, from which it made the message's id (see `GroupSend::client_time`).
    let client_time = body.get("MsgClientTime").and_then(Value::as_i64);
    let req: SendGroupMsg = ctx.parse(body)?;
    let (group_id, mut send) = req.into_group_send()?;
    send.client_time = client_time;
    // A client sends as itself, and only into groups it is in.
    send.from = None;
    send.forbid_before_callback = false;
    send.forbid_after_callback = false;
    let groups = &ctx.services.groups;
    groups
        .require_member(&ctx.app, &group_id, &ctx.identifier)
        .await?;
    let sent = groups
        .send(&ctx.app, &ctx.identifier, &group_id, send, &ctx.origin)
        .await?;
    fields(SendGroupMsgReply {
        msg_time: sent.msg_time,
        msg_seq: sent.msg_seq,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Getroammsg {
    #[serde(rename = "Peer_Account")]
    peer_account: String,
    #[serde(default = "default_roam_count")]
    max_cnt: usize,
    /// The previous page's oldest message (0 and "" for the newest page).
    #[serde(default)]
    last_msg_time: i64,
    #[serde(default)]
    msg_key: String,
}

fn default_roam_count() -> usize {
    15
}

/// `openim.getroammsg`: a page of the conversation's history, older than the cursor.
pub(super) async fn getroammsg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Getroammsg = ctx.parse(body)?;
    let page = ctx
        .services
        .messages
        .history(
            &ctx.app,
            HistoryRequest {
                operator: ctx.identifier.clone(),
                peer: req.peer_account,
                max_count: req.max_cnt.clamp(1, 100),
                min_time: 0,
                max_time: if req.last_msg_time > 0 {
                    req.last_msg_time
                } else {
                    i64::MAX
                },
                last_msg_key: (!req.msg_key.is_empty()).then_some(req.msg_key),
            },
        )
        .await?;
    let list: Vec<Value> = page
        .messages
        .iter()
        .zip(&page.peer_read)
        .map(|(stored, peer_read)| {
            let mut item = c2c_item(&stored_event(stored), &ctx.identifier);
            item["IsPeerRead"] = u32::from(*peer_read).into();
            item["MsgFlagBits"] = stored.flag_bits.into();
            item
        })
        .collect();
    let oldest = page.messages.first().map(|m| &m.message);
    Ok(json!({
        "Complete": u32::from(page.complete),
        "MsgList": list,
        "LastMsgTime": oldest.map_or(0, |m| m.msg_time),
        "MsgKey": oldest.map_or_else(String::new, |m| {
            msg_key(m.msg_seq, m.msg_random, m.msg_time)
        }),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Msgreaded {
    #[serde(rename = "C2CMsgReaded")]
    c2c_msg_readed: Option<C2cMsgReaded>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct C2cMsgReaded {
    #[serde(rename = "C2CMsgReadedItem", default)]
    items: Vec<ReadItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReadItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    /// The SDK's spelling.
    lasted_msg_time: Option<i64>,
}

/// `openim.msgreaded`: the user has read their conversations up to the times given.
pub(super) async fn msgreaded(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Msgreaded = ctx.parse(body)?;
    for item in req.c2c_msg_readed.map(|r| r.items).unwrap_or_default() {
        ctx.services
            .messages
            .mark_read(
                &ctx.app,
                &ctx.origin,
                ctx.identifier.clone(),
                item.to_account,
                item.lasted_msg_time,
            )
            .await?;
    }
    Ok(Value::Null)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetPeerReadTime {
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
}

/// `openim.get_peer_read_time`: up to when each peer has read their conversation with the user.
pub(super) async fn get_peer_read_time(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetPeerReadTime = ctx.parse(body)?;
    let mut times = Vec::with_capacity(req.to_account.len());
    for peer in req.to_account {
        let time = ctx
            .services
            .messages
            .read_time(ctx.app.sdkappid, &peer, &ctx.identifier)
            .await?;
        times.push(time.max(0));
    }
    fields(json!({ "ReadTime": times }))
}
