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

/// Dead letters listed by `GET /_natter/webhooks`.
const DEAD_LETTERS_SHOWN: usize = 100;

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

/// `GET /_natter/webhooks`: the last deliveries (newest first) and the dead letters.
pub async fn deliveries(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let webhooks = &state.services.webhooks;
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
        Ok(json!({
            "deliveries": webhooks.recent_deliveries(app.sdkappid),
            "dead_letters": dead,
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
            let config: WebhookConfig = body_json(&body)?;
            webhooks
                .configure(app.sdkappid, config)
                .map_err(|e| ApiError::new(codes::INVALID_JSON, e))?;
        }
        let config = webhooks.config(app.sdkappid);
        let mut shown = serde_json::to_value(&*config).unwrap_or(Value::Null);
        if config.token.is_some() {
            shown["token"] = "(set)".into();
        }
        Ok(json!({ "config": shown }))
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
