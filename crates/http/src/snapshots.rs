//! `/_natter/snapshots`: save an app's state under a name, list, restore and delete snapshots
//! (admin UserSig, as every control-plane call that touches app data). The rules are in
//! `services/src/snapshots.rs`; docs/export.md describes them.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use natter_core::{codes, ApiError, ApiResult};
use serde_json::{json, Value};

use crate::envelope::reply;
use crate::webhooks::{admin_app, query_param};
use crate::AppState;

fn name(query: Option<&str>) -> ApiResult<String> {
    query_param(query, "name").ok_or_else(|| {
        ApiError::new(
            codes::INVALID_JSON,
            "name is required (?name=…: 1–64 letters, digits, '.', '_' or '-')",
        )
    })
}

/// `GET /_natter/snapshots?…`: `{"snapshots": [{"name", "created_ms", "bytes"}]}`, by name.
pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let list: Vec<Value> = state
            .services
            .list_snapshots(&app)
            .await?
            .into_iter()
            .map(|s| json!({ "name": s.name, "created_ms": s.created_ms, "bytes": s.bytes }))
            .collect();
        Ok(json!({ "snapshots": list }))
    }
    .await;
    reply(result, None)
}

/// `POST /_natter/snapshots/save?…&name=seed`: `{"name", "rows", "bytes", "ms"}`.
pub async fn save(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let name = name(query.as_deref())?;
        let done = state.services.save_snapshot(&app, &name).await?;
        Ok(json!({ "name": name, "rows": done.rows, "bytes": done.bytes, "ms": done.millis }))
    }
    .await;
    reply(result, None)
}

/// `POST /_natter/snapshots/restore?…&name=seed`: `{"name", "rows", "ms"}`.
pub async fn restore(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let name = name(query.as_deref())?;
        let done = state.services.restore_snapshot(&app, &name).await?;
        Ok(json!({ "name": name, "rows": done.rows, "ms": done.millis }))
    }
    .await;
    reply(result, None)
}

/// `POST /_natter/snapshots/delete?…&name=seed`: `{"name", "deleted"}` (false: there was none).
pub async fn delete(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result: ApiResult<Value> = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let name = name(query.as_deref())?;
        let deleted = state.services.delete_snapshot(&app, &name).await?;
        Ok(json!({ "name": name, "deleted": deleted }))
    }
    .await;
    reply(result, None)
}
