//! The webhook part of the control plane (`/_natter/webhooks…`): the delivery log and dead
//! letters, the app's webhook settings (read and changed at run time), and fault injection.
//! All need an admin UserSig in the usual query parameters.

use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_webhook::{FaultKind, WebhookConfig};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::envelope::reply;
use crate::AppState;

/// What `GET /_natter/webhooks/config` shows in place of a token.
const TOKEN_SHOWN: &str = "(set)";

/// Dead letters listed by `GET /_natter/webhooks`.
const DEAD_LETTERS_SHOWN: usize = 100;

/// The app whose admin UserSig the query carries (the control plane's one check).
pub(crate) async fn admin_app(
    state: &AppState,
    query: Option<&str>,
) -> ApiResult<std::sync::Arc<AppSettings>> {
    let services = &state.services;
    let (app, _) = state
        .auth
        .admin(&services.apps, &services.clock, &Caller::from_query(query))?;
    Ok(app)
}

pub(crate) fn body_json<T: for<'de> Deserialize<'de>>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(codes::INVALID_JSON, format!("request body: {e}")))
}

/// A query parameter's first value.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `GET /_natter/webhooks`: the last deliveries (newest first) and the dead letters.
/// `after=<id>` keeps only the deliveries logged after that one, so a page that polls (the
/// console's inspector) gets each once; `cursor` is the id to ask after next time.
pub async fn deliveries(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let after = match query_param(query.as_deref(), "after") {
            None => 0,
            Some(v) => v.parse::<u64>().map_err(|_| {
                ApiError::new(
                    codes::INVALID_JSON,
                    format!("after must be a delivery id (a whole number), not {v:?}"),
                )
            })?,
        };
        let webhooks = &state.services.webhooks;
        // Read before the log, so a delivery logged in between is returned again next time
        // rather than never.
        let cursor = webhooks.last_delivery_id();
        let dead = webhooks
            .dead_letters(app.sdkappid, DEAD_LETTERS_SHOWN)
            .await
            .map_err(|e| {
                ApiError::new(codes::SERVICE_TIMEOUT, format!("reading dead letters: {e}"))
            })?;
        let dead: Vec<Value> = dead
            .into_iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "command": d.event.command,
                    "body": serde_json::from_str::<Value>(&d.event.body).unwrap_or(Value::Null),
                    "created_ms": d.created_ms,
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                    "dead_ms": d.dead_ms,
                })
            })
            .collect();
        let deliveries = webhooks.deliveries_since(app.sdkappid, after);
        let cursor = deliveries
            .first()
            .map_or(cursor.max(after), |d| d.id.max(cursor));
        Ok(json!({
            "deliveries": deliveries,
            "dead_letters": dead,
            "cursor": cursor,
        }))
    }
    .await;
    reply(result, None)
}

/// `GET /_natter/webhooks/config` reads the app's webhook settings; `POST` replaces them
/// (body: the same JSON), effective at once, without a restart.
pub async fn config(
    State(state): State<AppState>,
    method: Method,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let webhooks = &state.services.webhooks;
        if method == Method::POST {
            let mut config: WebhookConfig = body_json(&body)?;
            // What GET shows in place of a token: sent back unchanged, it keeps the token, so a
            // page can read, edit and write the settings without ever holding the secret.
            if config.token.as_deref() == Some(TOKEN_SHOWN) {
                config.token = webhooks.config(app.sdkappid).token.clone();
            }
            webhooks
                .configure(app.sdkappid, config)
                .map_err(|e| ApiError::new(codes::INVALID_JSON, e))?;
        }
        let config = webhooks.config(app.sdkappid);
        let mut shown = serde_json::to_value(&*config).unwrap_or(Value::Null);
        if config.token.is_some() {
            shown["token"] = TOKEN_SHOWN.into();
        }
        // Every callback Natter knows, with whether it fires it today: the switches a page
        // can offer (a shared switch is named by its group command, as in `commands`).
        let known: Vec<Value> = natter_webhook::commands::COMMANDS
            .iter()
            .map(|c| json!({"command": c.command, "title": c.title, "fired": c.fired}))
            .collect();
        Ok(json!({ "config": shown, "commands_known": known }))
    }
    .await;
    reply(result, None)
}

#[derive(Deserialize)]
struct Fault {
    command: String,
    kind: FaultKind,
    count: u32,
}

/// `POST /_natter/webhooks/faults` with `{"command": "...", "kind": "fail"|"timeout", "count": N}`:
/// the next N deliveries of that command fail or time out, so app developers can test their own
/// failure handling. `count` 0 clears it.
pub async fn faults(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let fault: Fault = body_json(&body)?;
        if natter_webhook::commands::find(&fault.command).is_none() {
            return Err(ApiError::new(
                codes::INVALID_JSON,
                format!("unknown CallbackCommand {}", fault.command),
            ));
        }
        state
            .services
            .webhooks
            .inject_fault(app.sdkappid, &fault.command, fault.kind, fault.count);
        Ok(Value::Null)
    }
    .await;
    reply(result, None)
}

#[derive(Deserialize)]
struct Replay {
    /// A delivery's `id` from the log.
    delivery: Option<u64>,
    /// A dead letter's `id`.
    dead_letter: Option<i64>,
}

fn stored<E: std::fmt::Display>(e: E) -> ApiError {
    ApiError::new(codes::SERVICE_TIMEOUT, format!("replaying: {e}"))
}

/// `POST /_natter/webhooks/replay` with `{"delivery": id}` or `{"dead_letter": id}`: sends that
/// callback again (same command, body, client IP and platform) as a new delivery through the
/// outbox, with retries and a new log entry. Unknown id → 60003 (`ErrorInfo` says which).
pub async fn replay(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let asked: Replay = body_json(&body)?;
        let webhooks = &state.services.webhooks;
        let found =
            match (asked.delivery, asked.dead_letter) {
                (Some(id), None) => webhooks.replay(app.sdkappid, id).await.map_err(stored)?,
                (None, Some(id)) => webhooks
                    .replay_dead_letter(app.sdkappid, id)
                    .await
                    .map_err(stored)?,
                _ => return Err(ApiError::new(
                    codes::INVALID_JSON,
                    "give exactly one of delivery (a log id) and dead_letter (a dead letter id)",
                )),
            };
        if !found {
            return Err(ApiError::new(
                codes::INVALID_JSON,
                "no such delivery in the log (it keeps the last 200 per app) or dead letter",
            ));
        }
        Ok(Value::Null)
    }
    .await;
    reply(result, None)
}
