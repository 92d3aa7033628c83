//! User status over `/binfo` (`im_open_status.ws_*`): the user's custom status, other users'
//! statuses, and subscriptions to their changes (the rules, and how a cluster shares them, are
//! in `natter_services::statuses`); and the app's foreground and background reports.

use base64::Engine;
use natter_core::ApiResult;
use natter_services::statuses::{StatusFailure, UserStatus};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// A custom status as the SDK reads it: base64 of its UTF-8 text.
pub fn encode_custom(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn status_item(status: &UserStatus) -> Value {
    json!({
        "To_Account": status.user,
        "Status": status.status,
        "CustomStatus": encode_custom(&status.custom_status),
    })
}

fn failure_item(failure: &StatusFailure) -> Value {
    json!({
        "Invalid_Account": failure.user,
        "ErrorCode": failure.code,
        "ErrorInfo": failure.info,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetCustomStatus {
    custom_status: String,
}

/// `im_open_status.ws_set_custom_status` (`setSelfStatus`): every device of the user and
/// every subscriber gets the new status (USER_STATUS_UPDATED).
pub(super) async fn ws_set_custom_status(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SetCustomStatus = ctx.parse(body)?;
    ctx.services
        .statuses
        .set_custom(&ctx.app, &ctx.identifier, req.custom_status)
        .await?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct Users {
    /// The SDK's `userIDList`.
    #[serde(rename = "To_Account", default)]
    to_account: Vec<String>,
}

/// `im_open_status.ws_get_user_status` (`getUserStatus`).
pub(super) async fn ws_get_user_status(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Users = ctx.parse(body)?;
    let (statuses, failures) = ctx.services.statuses.get(&ctx.app, req.to_account).await?;
    Ok(json!({
        "UserStatusList": statuses.iter().map(status_item).collect::<Vec<_>>(),
        "ErrorList": failures.iter().map(failure_item).collect::<Vec<_>>(),
    }))
}

/// `im_open_status.ws_status_subscribe` (`subscribeUserStatus`).
pub(super) async fn ws_status_subscribe(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Users = ctx.parse(body)?;
    let failures = ctx
        .services
        .statuses
        .subscribe(&ctx.app, &ctx.identifier, req.to_account)
        .await?;
    Ok(json!({"ErrorList": failures.iter().map(failure_item).collect::<Vec<_>>()}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Unsubscribe {
    #[serde(rename = "To_Account")]
    to_account: Option<Vec<String>>,
    #[serde(default)]
    unsubscribe_all: u32,
}

/// `im_open_status.ws_status_unsubscribe` (`unsubscribeUserStatus`): the users named, or all
/// with `UnsubscribeAll` 1 (the SDK's call without a list).
pub(super) async fn ws_status_unsubscribe(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: Unsubscribe = ctx.parse(body)?;
    let users = if req.unsubscribe_all == 1 {
        None
    } else {
        Some(req.to_account.unwrap_or_default())
    };
    ctx.services
        .statuses
        .unsubscribe(&ctx.app, &ctx.identifier, users)?;
    Ok(json!({"ErrorList": []}))
}

/// `Event` of a status push; the SDK goes by the `UserStatusList` key.
const USER_STATUS_EVENT: u32 = 15;

/// A `UserStatus` event in the SDK's push shape.
pub fn user_status_push(event: &serde_json::Map<String, Value>) -> Option<Value> {
    let custom = event.get("CustomStatus")?.as_str()?;
    Some(json!({"EventArray": [{
        "Event": USER_STATUS_EVENT,
        "UserStatusList": [{
            "To_Account": event.get("To_Account")?,
            "Status": event.get("Status")?,
            "CustomStatus": encode_custom(custom),
        }],
    }]}))
}
