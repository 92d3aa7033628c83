//! Natter's own control plane under `/_natter/`, apart from Tencent's `/v4/` paths.
//!
//! `health` and `/metrics` are open, because load balancers and Prometheus scrape them without
//! credentials; everything that reads or changes app data needs an admin UserSig in the same
//! query parameters as the REST API.

use axum::extract::{RawQuery, State};
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use natter_core::{codes, ApiError, ApiResult};
use serde_json::{json, Value};

use crate::envelope::reply;
use crate::webhooks::{admin_app, query_param};
use crate::AppState;

/// How long the readiness check waits for the store before calling it down.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `/_natter/health`, the readiness check: 200 when the store answers (and, on a cluster node,
/// the NATS link is up), else 503 naming what is down, so a load balancer stops sending traffic
/// to a node that could only fail it.
pub async fn health(State(state): State<AppState>) -> Response {
    let services = &state.services;
    let store = match tokio::time::timeout(READY_TIMEOUT, services.store.ping()).await {
        Ok(Ok(())) => "ok".to_owned(),
        Ok(Err(e)) => format!("down: {e}"),
        Err(_) => format!("down: no answer within {} s", READY_TIMEOUT.as_secs()),
    };
    let mut checks = json!({ "store": store });
    if let Some(up) = services.fanout.cluster_link_up() {
        checks["nats"] = if up { "ok" } else { "down: not connected" }.into();
    }
    let down: Vec<&str> = checks
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v != &"ok")
        .map(|(k, _)| k.as_str())
        .collect();
    let status = if down.is_empty() {
        StatusCode::OK
    } else {
        tracing::warn!(?down, "readiness check failed");
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if down.is_empty() { "ok" } else { "down" },
        "down": down,
        "checks": checks,
        "storage": services.store.backend(),
        "version": env!("CARGO_PKG_VERSION"),
        // The console offers to mint UserSigs only where /_natter/usersig would answer.
        "emulator": state.config.emulator,
    });
    (status, Json(body)).into_response()
}

/// `/_natter/live`, the liveness check: the process serves HTTP. It touches nothing else, so it
/// stays cheap and never fails because a dependency is down (restarting would not help).
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "alive", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// `/_natter/reset?sdkappid=…&identifier=…&usersig=…`: deletes every piece of that app's data,
/// for test suites that use Natter as an emulator. Other apps are untouched.
pub async fn reset(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let app = admin_app(&state, query.as_deref()).await?;
        state.services.reset_app(&app).await?;
        Ok(json!({ "SdkAppid": app.sdkappid }))
    }
    .await;
    reply(result, None)
}

/// `GET /_natter/accounts?…&prefix=al&after=alice&limit=100`: the app's UserIDs in byte order,
/// a keyset page at a time (Tencent has no API that lists accounts; the console needs one).
/// `{"accounts": [...], "next": "<after for the next page>"}`; `next` is absent on the last
/// page. `limit` 1–1,000 (default 100); a bad one, or a `prefix`/`after` longer than a UserID,
/// → 70402.
pub async fn accounts(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let services = &state.services;
        let app = admin_app(&state, query.as_deref()).await?;
        let param = |name: &str| query_param(query.as_deref(), name);
        let limit = match param("limit") {
            None => 100,
            Some(v) => v.parse::<u32>().map_err(|_| {
                ApiError::new(
                    codes::ACCOUNT_INVALID_PARAM,
                    format!("limit must be a whole number, not {v:?}"),
                )
            })?,
        };
        let (accounts, next) = services
            .accounts
            .list(
                app.sdkappid,
                param("prefix").unwrap_or_default(),
                param("after").unwrap_or_default(),
                limit,
            )
            .await?;
        let mut out = json!({ "accounts": accounts });
        if let Some(next) = next {
            out["next"] = next.into();
        }
        Ok(out)
    }
    .await;
    reply(result, None)
}

/// Most users `/_natter/online` lists in one answer.
const ONLINE_PAGE: usize = 1_000;

/// `/_natter/online?…`: the app's users connected to this node (`/ws` or `/binfo`), in byte
/// order, each with the platforms of their connections; at most 1,000, after `after` when
/// given, with `next` while more follow. In a cluster, the connections of every node.
pub async fn online(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let services = &state.services;
        let app = admin_app(&state, query.as_deref()).await?;
        let after = query_param(query.as_deref(), "after").unwrap_or_default();
        let mut page: Vec<String> = services
            .presence
            .online_users(app.sdkappid)
            .into_iter()
            .filter(|u| *u > after)
            .collect();
        page.sort();
        let more = page.len() > ONLINE_PAGE;
        page.truncate(ONLINE_PAGE);
        let list: Vec<Value> = page
            .iter()
            .map(|user| {
                json!({
                    "UserID": user,
                    "Platforms": services.presence.platforms(app.sdkappid, user),
                })
            })
            .collect();
        let mut out = json!({ "users": list });
        if more {
            out["next"] = page.last().cloned().into();
        }
        Ok(out)
    }
    .await;
    reply(result, None)
}
