//! The push part of the control plane (`/_natter/pushes…`): the progress of the app's push
//! tasks (`im_push`), and a pause that holds this node's runners at a chosen point of a batch,
//! so operators can stop a push without stopping the node and tests can stop one half way. All
//! need an admin UserSig in the usual query parameters.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_services::push::task::{HoldPoint, Pause};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::envelope::reply;
use crate::webhooks::{admin_app, body_json};
use crate::AppState;

async fn status(state: &AppState, app: &AppSettings) -> ApiResult<Value> {
    let runner = state.services.pushes.tasks();
    let tasks: Vec<Value> = runner
        .list(app.sdkappid)
        .await?
        .into_iter()
        .map(|t| {
            let r = t.record;
            json!({
                "task_id": r.task_id,
                "from": t.from,
                "state": if r.done { "finished" } else { "running" },
                "created_ms": r.created_ms,
                "finished_ms": r.finished_ms,
                "scanned": r.scanned,
                "delivered": r.delivered,
                "cursor": r.cursor,
                "running_here": t.running_here,
                "held": t.held,
            })
        })
        .collect();
    let paused = runner.pause(app.sdkappid).map(|p| {
        json!({
            "batches": p.batches,
            "at": match p.at { HoldPoint::Deliver => "deliver", HoldPoint::Save => "save" },
        })
    });
    Ok(json!({ "paused": paused, "tasks": tasks }))
}

/// `GET /_natter/pushes`: the app's newest push tasks (at most 100), newest first, with their
/// progress, and this node's pause.
pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        status(&state, &app).await
    }
    .await;
    reply(result, None)
}

#[derive(Deserialize)]
struct PauseBody {
    /// Batches that still run whole before the runners hold (default 0).
    #[serde(default)]
    batches: u64,
    /// `deliver` (default): hold before delivering a batch; `save`: after delivering it and
    /// before saving its progress.
    #[serde(default)]
    at: Option<String>,
}

/// `POST /_natter/pushes/pause` with `{"batches": N, "at": "deliver"|"save"}`: this node's
/// runners of the app's pushes run N more batches, then hold at that point until resumed.
pub async fn pause(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        let body: PauseBody = if body.is_empty() {
            PauseBody {
                batches: 0,
                at: None,
            }
        } else {
            body_json(&body)?
        };
        let at = match body.at.as_deref() {
            None | Some("deliver") => HoldPoint::Deliver,
            Some("save") => HoldPoint::Save,
            Some(other) => {
                return Err(ApiError::new(
                    codes::INVALID_JSON,
                    format!("at must be \"deliver\" or \"save\", got {other:?}"),
                ))
            }
        };
        let pause = Pause {
            batches: body.batches,
            at,
        };
        state
            .services
            .pushes
            .tasks()
            .set_pause(app.sdkappid, Some(pause));
        status(&state, &app).await
    }
    .await;
    reply(result, None)
}

/// `POST /_natter/pushes/resume`: lifts this node's pause of the app's pushes.
pub async fn resume(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let app = admin_app(&state, query.as_deref()).await?;
        state.services.pushes.tasks().set_pause(app.sdkappid, None);
        status(&state, &app).await
    }
    .await;
    reply(result, None)
}
