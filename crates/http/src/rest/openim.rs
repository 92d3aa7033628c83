//! `v4/openim/*`: one-to-one messages, history, unread counts, read marks, recalls, imports,
//! edits and online status. The wire types are in [`crate::wire::openim`].

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::MessageEdit;
use natter_services::messages::{msg_key, HistoryRequest};
use serde_json::Value;

use crate::handler::Ctx;
use crate::wire::openim::{
    opt_str, AccountError, AdminGetroammsg, AdminGetroammsgReply, AdminMsgwithdraw,
    AdminSetMsgRead, Batchsendmsg, BatchsendmsgReply, GetC2cUnreadMsgNum, GetC2cUnreadMsgNumReply,
    Importmsg, ModifyC2cMsg, ModifyGroupMsg, PeerError, PeerUnread, PlatformStatus,
    QueryOnlineStatus, QueryOnlineStatusReply, RoamMsg, Sendmsg, SendmsgReply, UserStatus,
};

pub async fn sendmsg(ctx: Ctx, req: Sendmsg) -> ApiResult<SendmsgReply> {
    let request = req.into_send(&ctx.identifier)?;
    let sent = ctx
        .services
        .messages
        .send(&ctx.app, &ctx.origin(), request)
        .await?;
    Ok(SendmsgReply {
        msg_time: sent.msg_time,
        msg_key: sent.msg_key,
        msg_id: sent.msg_id,
    })
}

pub async fn batchsendmsg(ctx: Ctx, req: Batchsendmsg) -> ApiResult<BatchsendmsgReply> {
    let (recipients, template) = req.into_batch(&ctx.identifier)?;
    let (sent, failed) = ctx
        .services
        .messages
        .send_batch(&ctx.app, template, recipients)
        .await?;
    Ok(BatchsendmsgReply {
        msg_key: sent.msg_key,
        msg_id: sent.msg_id,
        error_list: failed
            .into_iter()
            .map(|(to_account, error_code)| AccountError {
                to_account,
                error_code,
            })
            .collect(),
    })
}

pub async fn admin_getroammsg(ctx: Ctx, req: AdminGetroammsg) -> ApiResult<AdminGetroammsgReply> {
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
    Ok(AdminGetroammsgReply {
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
                RoamMsg {
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
    })
}

pub async fn get_c2c_unread_msg_num(
    ctx: Ctx,
    req: GetC2cUnreadMsgNum,
) -> ApiResult<GetC2cUnreadMsgNumReply> {
    let owner = req
        .to_account
        .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?;
    let (total, per_peer) = ctx
        .services
        .messages
        .unread(&ctx.app, owner, req.peer_account)
        .await?;
    let mut reply = GetC2cUnreadMsgNumReply {
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
    Ok(reply)
}

pub async fn admin_set_msg_read(ctx: Ctx, req: AdminSetMsgRead) -> ApiResult<()> {
    let read_time = req.read_time();
    let reader = req.report_account.ok_or_else(|| {
        ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "Report_Account is missing")
    })?;
    let peer = req
        .peer_account
        .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "Peer_Account is missing"))?;
    let read_time = read_time?;
    ctx.services
        .messages
        .mark_read(&ctx.app, &ctx.origin(), reader, peer, read_time)
        .await?;
    Ok(())
}

pub async fn admin_msgwithdraw(ctx: Ctx, req: AdminMsgwithdraw) -> ApiResult<()> {
    let from = req
        .from_account
        .ok_or_else(|| ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "From_Account is missing"))?;
    let to = req
        .to_account
        .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?;
    let key = req
        .msg_key
        .ok_or_else(|| ApiError::new(codes::C2C_INVALID_MSG_KEY, "MsgKey is missing"))?;
    ctx.services
        .messages
        .recall(&ctx.app, &ctx.origin(), from, to, key)
        .await?;
    Ok(())
}

pub async fn importmsg(ctx: Ctx, req: Importmsg) -> ApiResult<()> {
    let import = req.into_import()?;
    ctx.services.messages.import(&ctx.app, import).await?;
    Ok(())
}

pub async fn modify_c2c_msg(ctx: Ctx, req: ModifyC2cMsg) -> ApiResult<()> {
    let target = req.target.into_target(None)?;
    let cloud_custom_data = opt_str(
        req.cloud_custom_data,
        "CloudCustomData",
        codes::C2C_BAD_PARAM,
    )?;
    ctx.services
        .messages
        .modify(
            &ctx.app,
            &ctx.origin,
            target,
            req.msg_body.as_ref(),
            cloud_custom_data,
            // The REST API names no version: the last edit wins.
            None,
        )
        .await?;
    Ok(())
}

pub async fn modify_group_msg(ctx: Ctx, req: ModifyGroupMsg) -> ApiResult<()> {
    ctx.services
        .groups
        .modify_message(
            &ctx.app,
            &req.group_id,
            MessageEdit {
                topic_id: req.topic_id.filter(|t| !t.is_empty()),
                seq: req.msg_seq,
                body: req.msg_body,
                cloud_custom_data: req.cloud_custom_data,
                expected_version: None,
            },
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

/// Most accounts one `query_online_status` may name.
const MAX_STATUS_ACCOUNTS: usize = 500;

/// `query_online_status` (and its old name `querystate`): `Online` while the user has a client
/// connection, else `Offline` (Natter has no push channel, so no `PushOnline`).
pub async fn query_online_status(
    ctx: Ctx,
    req: QueryOnlineStatus,
) -> ApiResult<QueryOnlineStatusReply> {
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
    let mut reply = QueryOnlineStatusReply {
        query_result: Vec::new(),
        error_list: Vec::new(),
    };
    for (account, exists) in exist {
        if !exists {
            reply.error_list.push(AccountError {
                to_account: account,
                error_code: codes::ACCOUNT_NOT_FOUND,
            });
            continue;
        }
        let platforms = ctx.services.sessions.platforms(&ctx.app, &account);
        let state = if platforms.is_empty() {
            "Offline"
        } else {
            "Online"
        };
        let detail = (req.is_need_detail == 1).then(|| {
            platforms
                .iter()
                .map(|p| PlatformStatus {
                    platform: detail_platform(p).to_owned(),
                    status: "Online",
                })
                .collect()
        });
        reply.query_result.push(UserStatus {
            to_account: account,
            state,
            status: state,
            detail,
        });
    }
    Ok(reply)
}

/// `Detail[].Platform` as Tencent's sample spells it (`IPhone` for iOS).
fn detail_platform(platform: &str) -> &str {
    match platform {
        "iOS" => "IPhone",
        other => other,
    }
}

/// `querystate`: the older name of `query_online_status`, still served.
pub async fn querystate(ctx: Ctx, req: QueryOnlineStatus) -> ApiResult<QueryOnlineStatusReply> {
    query_online_status(ctx, req).await
}
