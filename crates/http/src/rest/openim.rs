//! `v4/openim/*`: one-to-one messages (Tencent pages 1047/34919, 1047/35478; bodies 1047/33527).

use natter_core::message::{check_body, check_offline_push_info};
use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::edit::{ImportC2c, MessageTarget};
use natter_services::messages::{
    msg_key, HistoryRequest, SendC2c, C2C_BODY_CODES, MAX_LIFE_TIME_SECS,
};
use natter_webhook::Origin;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::handler::HandlerFuture;
use crate::handler::{fields, Ctx};

/// Reads an optional field that must be an unsigned 32-bit integer when present.
fn opt_u32(body: &Map<String, Value>, name: &str, code: u32) -> ApiResult<Option<u32>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::new(
                    code,
                    format!("{name} must be an integer from 0 to 4294967295, got {v}"),
                )
            }),
    }
}

fn opt_str<'a>(body: &'a Map<String, Value>, name: &str, code: u32) -> ApiResult<Option<&'a str>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(ApiError::new(
            code,
            format!("{name} must be a string, got {v}"),
        )),
    }
}

fn str_list<'a>(body: &'a Map<String, Value>, name: &str) -> ApiResult<Vec<&'a str>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().ok_or_else(|| {
                    ApiError::new(
                        codes::C2C_BAD_PARAM,
                        format!("{name} must be a list of strings"),
                    )
                })
            })
            .collect(),
        Some(v) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("{name} must be a list of strings, got {v}"),
        )),
    }
}

#[derive(Serialize)]
struct SendReply {
    #[serde(rename = "MsgTime")]
    msg_time: i64,
    #[serde(rename = "MsgKey")]
    msg_key: String,
    #[serde(rename = "MsgId")]
    msg_id: String,
}

/// Reads the fields `sendmsg` and `batchsendmsg` share (everything but `To_Account`).
fn message_fields(identifier: &str, body: &Map<String, Value>, to: String) -> ApiResult<SendC2c> {
    let from = opt_str(body, "From_Account", codes::C2C_BAD_PARAM)?.unwrap_or(identifier);
    let msg_random = opt_u32(body, "MsgRandom", codes::C2C_MSG_RANDOM_INVALID)?
        .ok_or_else(|| ApiError::new(codes::C2C_MSG_RANDOM_INVALID, "MsgRandom is missing"))?;
    let msg_seq = opt_u32(body, "MsgSeq", codes::C2C_BAD_PARAM)?;
    if body
        .get("MsgTimeStamp")
        .is_some_and(|t| !t.is_null() && t.as_u64().is_none())
    {
        return Err(ApiError::new(
            codes::C2C_MSG_TIMESTAMP_INVALID,
            "MsgTimeStamp must be an integer",
        ));
    }
    let sync_other_machine = opt_u32(
        body,
        "SyncOtherMachine",
        codes::C2C_SYNC_OTHER_MACHINE_INVALID,
    )?
    .unwrap_or(1);
    let msg_life_time = opt_u32(body, "MsgLifeTime", codes::C2C_MSG_LIFE_TIME_INVALID)?
        .unwrap_or(MAX_LIFE_TIME_SECS);
    if msg_life_time > MAX_LIFE_TIME_SECS {
        return Err(ApiError::new(
            codes::C2C_MSG_LIFE_TIME_TOO_LONG,
            format!("MsgLifeTime is {msg_life_time} s; at most {MAX_LIFE_TIME_SECS} (7 days) is allowed"),
        ));
    }
    let cloud_custom_data =
        opt_str(body, "CloudCustomData", codes::C2C_BAD_PARAM)?.unwrap_or_default();
    let elements = check_body(body.get("MsgBody"), cloud_custom_data, C2C_BODY_CODES)?;
    let control = str_list(body, "SendMsgControl")?;
    let forbid = str_list(body, "ForbidCallbackControl")?;
    let offline_push_info =
        check_offline_push_info(body.get("OfflinePushInfo"), codes::C2C_BAD_PARAM)?;
    let supports_extension = match opt_u32(body, "SupportMessageExtension", codes::C2C_BAD_PARAM)? {
        None | Some(0) => false,
        Some(1) => true,
        Some(other) => {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("SupportMessageExtension must be 0 or 1, got {other}"),
            ))
        }
    };
    Ok(SendC2c {
        from: from.to_owned(),
        to,
        msg_seq,
        msg_random,
        body: elements,
        cloud_custom_data: cloud_custom_data.to_owned(),
        sync_other_machine,
        msg_life_time,
        no_unread: control.contains(&"NoUnread"),
        no_last_msg: control.contains(&"NoLastMsg"),
        offline_push_info,
        supports_extension,
        forbid_before_callback: forbid.contains(&"ForbidBeforeSendMsgCallback"),
        forbid_after_callback: forbid.contains(&"ForbidAfterSendMsgCallback"),
    })
}

/// Reads a `sendmsg` body (REST or client); `From_Account` defaults to `identifier`.
pub(crate) fn c2c_send(body: Value, identifier: &str) -> ApiResult<SendC2c> {
    let body = body.as_object().cloned().unwrap_or_default();
    let to = opt_str(&body, "To_Account", codes::C2C_TO_ACCOUNT_INVALID)?
        .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?
        .to_owned();
    message_fields(identifier, &body, to)
}

pub fn sendmsg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let request = c2c_send(body, &ctx.identifier)?;
        let sent = ctx
            .services
            .messages
            .send(&ctx.app, &Origin::rest(ctx.client_ip), request)
            .await?;
        fields(SendReply {
            msg_time: sent.msg_time,
            msg_key: sent.msg_key,
            msg_id: sent.msg_id,
        })
    })
}

#[derive(Serialize)]
struct RecipientError {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "ErrorCode")]
    error_code: u32,
}

#[derive(Serialize)]
struct BatchReply {
    #[serde(rename = "MsgKey")]
    msg_key: String,
    #[serde(rename = "MsgId")]
    msg_id: String,
    /// Present only when some recipient failed.
    #[serde(rename = "ErrorList", skip_serializing_if = "Vec::is_empty")]
    error_list: Vec<RecipientError>,
}

pub fn batchsendmsg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let recipients: Vec<String> = match body.get("To_Account") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str().map(str::to_owned).ok_or_else(|| {
                        ApiError::new(
                            codes::C2C_BATCH_NOT_ARRAY,
                            "To_Account must be a list of UserIDs",
                        )
                    })
                })
                .collect::<ApiResult<_>>()?,
            _ => {
                return Err(ApiError::new(
                    codes::C2C_BATCH_NOT_ARRAY,
                    "To_Account must be an array of UserIDs",
                ))
            }
        };
        let template = message_fields(&ctx.identifier, &body, String::new())?;
        let (sent, failed) = ctx
            .services
            .messages
            .send_batch(&ctx.app, template, recipients)
            .await?;
        fields(BatchReply {
            msg_key: sent.msg_key,
            msg_id: sent.msg_id,
            error_list: failed
                .into_iter()
                .map(|(to_account, error_code)| RecipientError {
                    to_account,
                    error_code,
                })
                .collect(),
        })
    })
}

#[derive(Deserialize)]
struct RoamRequest {
    #[serde(rename = "Operator_Account")]
    operator_account: Option<String>,
    /// Older name of `Operator_Account`.
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    peer_account: Option<String>,
    /// Older name of `Peer_Account`.
    #[serde(rename = "To_Account")]
    to_account: Option<String>,
    #[serde(rename = "MaxCnt")]
    max_cnt: u32,
    #[serde(rename = "MinTime")]
    min_time: i64,
    #[serde(rename = "MaxTime")]
    max_time: i64,
    #[serde(rename = "LastMsgKey", default)]
    last_msg_key: Option<String>,
}

#[derive(Serialize)]
struct RoamMessage {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "MsgSeq")]
    msg_seq: u32,
    #[serde(rename = "MsgRandom")]
    msg_random: u32,
    #[serde(rename = "MsgTimeStamp")]
    msg_time_stamp: i64,
    #[serde(rename = "MsgFlagBits")]
    msg_flag_bits: u32,
    #[serde(rename = "IsPeerRead")]
    is_peer_read: u32,
    #[serde(rename = "MsgKey")]
    msg_key: String,
    #[serde(rename = "MsgBody")]
    msg_body: Value,
    #[serde(rename = "CloudCustomData")]
    cloud_custom_data: String,
}

#[derive(Serialize)]
struct RoamReply {
    #[serde(rename = "Complete")]
    complete: u32,
    #[serde(rename = "MsgCnt")]
    msg_cnt: usize,
    #[serde(rename = "LastMsgTime")]
    last_msg_time: i64,
    #[serde(rename = "LastMsgKey")]
    last_msg_key: String,
    #[serde(rename = "MsgList")]
    msg_list: Vec<RoamMessage>,
}

pub fn admin_getroammsg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<RoamRequest>(body)?;
        let operator = req
            .operator_account
            .or(req.from_account)
            .ok_or_else(|| ApiError::new(codes::C2C_BAD_PARAM, "Operator_Account is missing"))?;
        let peer = req
            .peer_account
            .or(req.to_account)
            .ok_or_else(|| ApiError::new(codes::C2C_BAD_PARAM, "Peer_Account is missing"))?;
        let page = ctx
            .services
            .messages
            .history(
                &ctx.app,
                HistoryRequest {
                    operator,
                    peer,
                    max_count: req.max_cnt as usize,
                    min_time: req.min_time,
                    max_time: req.max_time,
                    last_msg_key: req.last_msg_key,
                },
            )
            .await?;
        // The page lists oldest first; the next page continues below its oldest message.
        let last = page.messages.first().map(|m| &m.message);
        let reply = RoamReply {
            complete: u32::from(page.complete),
            msg_cnt: page.messages.len(),
            last_msg_time: last.map_or(0, |m| m.msg_time),
            last_msg_key: last.map_or_else(String::new, |m| {
                msg_key(m.msg_seq, m.msg_random, m.msg_time)
            }),
            msg_list: page
                .messages
                .into_iter()
                .zip(page.peer_read)
                .map(|(stored, peer_read)| {
                    let m = stored.message;
                    RoamMessage {
                        msg_key: msg_key(m.msg_seq, m.msg_random, m.msg_time),
                        from_account: m.from,
                        to_account: m.to,
                        msg_seq: m.msg_seq,
                        msg_random: m.msg_random,
                        msg_time_stamp: m.msg_time,
                        msg_flag_bits: stored.flag_bits,
                        is_peer_read: u32::from(peer_read),
                        msg_body: serde_json::from_str(&m.body).unwrap_or(Value::Array(Vec::new())),
                        cloud_custom_data: m.cloud_custom_data,
                    }
                })
                .collect(),
        };
        fields(reply)
    })
}

#[derive(Deserialize)]
struct UnreadRequest {
    #[serde(rename = "To_Account")]
    to_account: Option<String>,
    #[serde(rename = "Peer_Account", default)]
    peer_account: Vec<String>,
}

#[derive(Serialize)]
struct PeerUnread {
    #[serde(rename = "Peer_Account")]
    peer_account: String,
    #[serde(rename = "C2CUnreadMsgNum")]
    c2c_unread_msg_num: u64,
}

#[derive(Serialize)]
struct PeerError {
    #[serde(rename = "Peer_Account")]
    peer_account: String,
    #[serde(rename = "ErrorCode")]
    error_code: u32,
}

#[derive(Serialize)]
struct UnreadReply {
    #[serde(rename = "AllC2CUnreadMsgNum")]
    all_c2c_unread_msg_num: u64,
    #[serde(rename = "C2CUnreadMsgNumList", skip_serializing_if = "Vec::is_empty")]
    c2c_unread_msg_num_list: Vec<PeerUnread>,
    #[serde(rename = "ErrorList", skip_serializing_if = "Vec::is_empty")]
    error_list: Vec<PeerError>,
}

pub fn get_c2c_unread_msg_num(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<UnreadRequest>(body)?;
        let owner = req
            .to_account
            .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?;
        let (total, per_peer) = ctx
            .services
            .messages
            .unread(&ctx.app, owner, req.peer_account)
            .await?;
        let mut reply = UnreadReply {
            all_c2c_unread_msg_num: total,
            c2c_unread_msg_num_list: Vec::new(),
            error_list: Vec::new(),
        };
        for (peer, count) in per_peer {
            match count {
                Some(n) => reply.c2c_unread_msg_num_list.push(PeerUnread {
                    peer_account: peer,
                    c2c_unread_msg_num: n,
                }),
                None => reply.error_list.push(PeerError {
                    peer_account: peer,
                    error_code: codes::ACCOUNT_NOT_FOUND,
                }),
            }
        }
        fields(reply)
    })
}

#[derive(Deserialize)]
struct MarkReadRequest {
    #[serde(rename = "Report_Account")]
    report_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    peer_account: Option<String>,
    /// Unix seconds; Tencent's page types it as a string, clients also send a number.
    #[serde(rename = "MsgReadTime", alias = "MsgReadedTime", default)]
    msg_read_time: Option<Value>,
}

pub fn admin_set_msg_read(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MarkReadRequest>(body)?;
        let reader = req.report_account.ok_or_else(|| {
            ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "Report_Account is missing")
        })?;
        let peer = req.peer_account.ok_or_else(|| {
            ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "Peer_Account is missing")
        })?;
        let read_time = match &req.msg_read_time {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(v) => Some(
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|text| text.trim().parse().ok()))
                    .ok_or_else(|| {
                        ApiError::new(
                            codes::C2C_BAD_PARAM,
                            format!("MsgReadTime must be Unix seconds, got {v}"),
                        )
                    })?,
            ),
        };
        ctx.services
            .messages
            .mark_read(
                &ctx.app,
                &Origin::rest(ctx.client_ip),
                reader,
                peer,
                read_time,
            )
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct WithdrawRequest {
    #[serde(rename = "From_Account")]
    from_account: Option<String>,
    #[serde(rename = "To_Account")]
    to_account: Option<String>,
    #[serde(rename = "MsgKey")]
    msg_key: Option<String>,
}

pub fn admin_msgwithdraw(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<WithdrawRequest>(body)?;
        let from = req.from_account.ok_or_else(|| {
            ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "From_Account is missing")
        })?;
        let to = req
            .to_account
            .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?;
        let key = req
            .msg_key
            .ok_or_else(|| ApiError::new(codes::C2C_INVALID_MSG_KEY, "MsgKey is missing"))?;
        ctx.services
            .messages
            .recall(&ctx.app, &Origin::rest(ctx.client_ip), from, to, key)
            .await?;
        Ok(Value::Null)
    })
}

/// A required string field, `code` when missing or not a string.
fn req_str(body: &Map<String, Value>, name: &str, code: u32) -> ApiResult<String> {
    opt_str(body, name, code)?
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new(code, format!("{name} is missing")))
}

pub fn importmsg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let realtime = match body.get("SyncFromOldSystem").and_then(Value::as_u64) {
            Some(2) => false,
            Some(5) => true,
            _ => {
                return Err(ApiError::new(
                    codes::C2C_SYNC_FROM_OLD_SYSTEM_INVALID,
                    "SyncFromOldSystem must be 2 (history) or 5 (real time)",
                ))
            }
        };
        let from = req_str(&body, "From_Account", codes::C2C_FROM_ACCOUNT_INVALID)?;
        let to = req_str(&body, "To_Account", codes::C2C_TO_ACCOUNT_INVALID)?;
        let msg_random = opt_u32(&body, "MsgRandom", codes::C2C_MSG_RANDOM_INVALID)?
            .ok_or_else(|| ApiError::new(codes::C2C_MSG_RANDOM_INVALID, "MsgRandom is missing"))?;
        let msg_time = opt_u32(&body, "MsgTimeStamp", codes::C2C_MSG_TIMESTAMP_INVALID)?
            .ok_or_else(|| {
                ApiError::new(codes::C2C_MSG_TIMESTAMP_INVALID, "MsgTimeStamp is missing")
            })?;
        let msg_seq = opt_u32(&body, "MsgSeq", codes::C2C_BAD_PARAM)?;
        let cloud_custom_data =
            opt_str(&body, "CloudCustomData", codes::C2C_BAD_PARAM)?.unwrap_or_default();
        let elements = check_body(body.get("MsgBody"), cloud_custom_data, C2C_BODY_CODES)?;
        ctx.services
            .messages
            .import(
                &ctx.app,
                ImportC2c {
                    from,
                    to,
                    msg_seq,
                    msg_random,
                    msg_time: i64::from(msg_time),
                    body: elements,
                    cloud_custom_data: cloud_custom_data.to_owned(),
                    realtime,
                },
            )
            .await?;
        Ok(Value::Null)
    })
}

/// Reads `From_Account`, `To_Account` and `MsgKey`, the way the APIs about one stored message
/// name it.
pub(crate) fn message_target(
    body: &Map<String, Value>,
    from_default: Option<&str>,
) -> ApiResult<MessageTarget> {
    let from = match opt_str(body, "From_Account", codes::C2C_FROM_ACCOUNT_INVALID)? {
        Some(from) => from.to_owned(),
        None => from_default.map(str::to_owned).ok_or_else(|| {
            ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "From_Account is missing")
        })?,
    };
    Ok(MessageTarget {
        from,
        to: req_str(body, "To_Account", codes::C2C_TO_ACCOUNT_INVALID)?,
        msg_key: req_str(body, "MsgKey", codes::C2C_INVALID_MSG_KEY)?,
    })
}

pub fn modify_c2c_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let target = message_target(&body, None)?;
        let cloud_custom_data =
            opt_str(&body, "CloudCustomData", codes::C2C_BAD_PARAM)?.map(str::to_owned);
        let new_body = body.get("MsgBody").filter(|b| !b.is_null());
        ctx.services
            .messages
            .modify(&ctx.app, target, new_body, cloud_custom_data)
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct ModifyGroupMsgRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeq")]
    msg_seq: u64,
    #[serde(rename = "CloudCustomData")]
    cloud_custom_data: Option<String>,
    #[serde(rename = "TopicId")]
    topic_id: Option<String>,
}

/// `modify_group_msg`: a group message's body and/or CloudCustomData (Tencent page 1047/47948).
pub fn modify_group_msg(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<ModifyGroupMsgRequest>(body.clone())?;
        let new_body = match body.get("MsgBody").filter(|b| !b.is_null()) {
            Some(b) => Some(check_body(
                Some(b),
                req.cloud_custom_data.as_deref().unwrap_or_default(),
                C2C_BODY_CODES,
            )?),
            None => None,
        };
        ctx.services
            .groups
            .modify_message(
                &ctx.app,
                &req.group_id,
                req.topic_id.filter(|t| !t.is_empty()),
                req.msg_seq,
                new_body,
                req.cloud_custom_data,
            )
            .await?;
        Ok(Value::Null)
    })
}

/// Most accounts one `query_online_status` may name.
const MAX_STATUS_ACCOUNTS: usize = 500;

#[derive(Deserialize)]
struct OnlineStatusRequest {
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    #[serde(rename = "IsNeedDetail", default)]
    is_need_detail: u32,
}

/// `query_online_status` (and its old name `querystate`): `Online` while the user has a client
/// connection, else `Offline` (Natter has no push channel, so no `PushOnline`). The per-user
/// state is sent as `State` and, for clients of the old page, also as `Status`.
pub fn query_online_status(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<OnlineStatusRequest>(body)?;
        if req.to_account.is_empty() {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "To_Account names no account",
            ));
        }
        if req.to_account.len() > MAX_STATUS_ACCOUNTS {
            return Err(ApiError::new(
                codes::C2C_BATCH_TOO_MANY,
                format!(
                    "To_Account names {} accounts; at most {MAX_STATUS_ACCOUNTS} are allowed",
                    req.to_account.len()
                ),
            ));
        }
        let exist = ctx
            .services
            .accounts
            .exist(ctx.app.sdkappid, req.to_account)
            .await?;
        let mut results = Vec::new();
        let mut errors = Vec::new();
        for (account, exists) in exist {
            if !exists {
                errors.push(json!({"To_Account": account, "ErrorCode": codes::ACCOUNT_NOT_FOUND}));
                continue;
            }
            let platforms = ctx.services.sessions.platforms(&ctx.app, &account);
            let state = if platforms.is_empty() {
                "Offline"
            } else {
                "Online"
            };
            let mut item = json!({"To_Account": account, "State": state, "Status": state});
            if req.is_need_detail == 1 {
                let detail: Vec<Value> = platforms
                    .iter()
                    .map(|p| json!({"Platform": detail_platform(p), "Status": "Online"}))
                    .collect();
                item["Detail"] = Value::from(detail);
            }
            results.push(item);
        }
        let mut reply = json!({ "QueryResult": results });
        if !errors.is_empty() {
            reply["ErrorList"] = Value::from(errors);
        }
        Ok(reply)
    })
}

/// `Detail[].Platform` as Tencent's sample spells it (`IPhone` for iOS).
fn detail_platform(platform: &str) -> &str {
    match platform {
        "iOS" => "IPhone",
        other => other,
    }
}

/// `querystate`: the older name of `query_online_status`, still served.
pub fn querystate(ctx: Ctx, body: Value) -> HandlerFuture {
    query_online_status(ctx, body)
}
