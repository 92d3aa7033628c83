//! `/_natter/clock`: read, freeze, set and advance the server's time, so tests of expiring
//! UserSigs, mutes, bans, recall windows and retention run instantly. Emulator mode only (see
//! `natter serve --emulator`); an admin UserSig of any app is needed, and the clock is the
//! server's, so it moves for every app at once.
//!
//! `GET` answers `{"NowMs", "Frozen"}`. `POST` with `{"Action": "freeze"}` stops time where it
//! stands (or at `"Ms"` when given), `"resume"` lets it run on from where it stands, `"set"`
//! moves it to `"Ms"` (frozen or running, as it was), `"advance"` moves it by `"Ms"` (negative
//! goes back). UserSigs are checked against this clock too: moving it far ahead expires them,
//! the admin's included.

use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use natter_core::{codes, ApiError, ApiResult, Clock};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::envelope::{parse_body, reply};
use crate::webhooks::{admin_app, body_json};
use crate::AppState;

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Action {
    Freeze,
    Resume,
    Set,
    Advance,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Move {
    action: Action,
    ms: Option<i64>,
}

pub async fn clock(
    State(state): State<AppState>,
    method: Method,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    if !state.config.emulator {
        let refused = reply(
            Err(ApiError::new(
                codes::ADMIN_REQUIRED,
                "the clock can be moved in emulator mode only (natter serve --emulator on); \
                 this server keeps real time",
            )),
            None,
        );
        return (StatusCode::FORBIDDEN, refused).into_response();
    }
    let result = async {
        let services = &state.services;
        admin_app(&state, query.as_deref()).await?;
        if method == Method::POST {
            let asked: Move = parse_body(body_json::<Value>(&body)?, codes::INVALID_JSON)?;
            apply(&services.clock, asked)?;
            tracing::info!(now_ms = services.clock.now_ms(), "clock moved");
        }
        Ok(read(&services.clock))
    }
    .await;
    reply(result, None)
}

fn apply(clock: &Clock, asked: Move) -> ApiResult<()> {
    let ms = || {
        asked.ms.ok_or_else(|| {
            ApiError::new(
                codes::INVALID_JSON,
                format!("Ms is needed with {:?}", asked.action),
            )
        })
    };
    match asked.action {
        Action::Freeze => clock.freeze(asked.ms.unwrap_or_else(|| clock.now_ms())),
        Action::Resume => clock.unfreeze(),
        Action::Set => clock.advance_ms(ms()? - clock.now_ms()),
        Action::Advance => clock.advance_ms(ms()?),
    }
    Ok(())
}

fn read(clock: &Clock) -> Value {
    json!({ "NowMs": clock.now_ms(), "Frozen": clock.is_frozen() })
}
