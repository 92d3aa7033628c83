//! `group_open_http_svc.batch_get_group_notify`: the recalls of group messages an SDK may have
//! missed. After a reconnect, for each group whose history it does not pull again, the SDK asks
//! for the recalls since the last time it asked (`BeginTime`, in microseconds as the SDK counts
//! them here; 0 at first), marks its copies recalled (MESSAGE_REVOKED), and asks again from
//! `NextMsgTime` until that is 0. Only recalls are listed (`NotifyType` 1, the only kind the SDK asks for);
//! a group the user cannot read answers an empty list.

use natter_core::ApiResult;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// Recalls one answer lists per group when the SDK names no `Limit`, and at most.
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
/// Groups one request may name (the SDK sends at most 10).
const MAX_GROUPS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetGroupNotify {
    #[serde(default)]
    notify_req_list: Vec<NotifyReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NotifyReq {
    group_id: String,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    begin_time: Option<i64>,
}

pub(super) async fn batch_get_group_notify(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: BatchGetGroupNotify = ctx.parse(body)?;
    let mut replies = Vec::new();
    for item in req.notify_req_list.into_iter().take(MAX_GROUPS) {
        let limit = item.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        // Recall times are kept in milliseconds. `EndTime` bounds nothing: the SDK's clock is the
        // login's `TimeStamp` (whole seconds) plus its own, so it may lag a recall it must see;
        // listing the ones after it too is harmless (they are recalled).
        let since = item.begin_time.unwrap_or(0).max(0) / 1000;
        let until = i64::MAX;
        // One more than asked for says whether another page follows.
        let found = ctx
            .services
            .groups
            .recalls_between(
                &ctx.app,
                &item.group_id,
                &ctx.identifier,
                (since, until),
                limit + 1,
            )
            .await
            .unwrap_or_default();
        let more = found.len() > limit;
        let page = &found[..found.len().min(limit)];
        let next_ms = match (more, page.last()) {
            (true, Some(last)) if last.recalled_ms > since => last.recalled_ms,
            // A full page recalled within one millisecond: go past it.
            (true, Some(last)) => last.recalled_ms + 1,
            _ => 0,
        };
        let next = next_ms.saturating_mul(1000);
        let list: Vec<Value> = page
            .iter()
            .map(|r| {
                json!({
                    "MsgSeq": r.msg_seq,
                    "MsgRandom": r.random,
                    "From_Account": r.from,
                    "MsgTime": r.msg_time,
                    "RevokerInfo": {"Revoker_Account": r.revoker},
                })
            })
            .collect();
        replies.push(json!({
            "GroupId": item.group_id,
            "NextMsgTime": next,
            "NotifyMsgList": list,
        }));
    }
    Ok(json!({ "NotifyRspList": replies }))
}
