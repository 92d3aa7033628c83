//! The REST entry point: `/v4/<service>/<command>`.
//!
//! Order of checks for every call: SDKAppID → UserSig → admin → API exists → frequency limit →
//! body size → JSON → the handler. Every outcome is HTTP 200 with the Tencent envelope.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use natter_core::{codes, ApiError, ApiResult};
use serde_json::Value;

use crate::auth::Caller;
use crate::envelope::{reply, ServiceRules};
use crate::handler::Ctx;
use crate::routes::{self, Api};
use crate::{metrics, AppState};

pub async fn dispatch(
    State(state): State<AppState>,
    Path((service, command)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let api = routes::find(&service, &command);
    let name = api.map_or_else(|| "unknown".to_owned(), |(_, a)| a.name());
    let rules = api.map_or_else(|| ServiceRules::of(&service), |(_, a)| a.rules());
    let request = async {
        crate::panics::test_trigger(&service, &command);
        handle(&state, api, peer, method, query.as_deref(), &headers, body).await
    };
    let path = || format!("{service}/{command}");
    let result = crate::panics::guard("rest", path, rules.internal, request)
        .await
        .into_result();
    let code = result.as_ref().err().map_or(0, |e| e.code);
    metrics::record_rest(&name, code, started.elapsed().as_secs_f64());
    if let Err(e) = &result {
        tracing::debug!(api = %name, code = e.code, info = %e.info, "REST call refused");
    }
    reply(result, api.map(|(_, a)| a.rules()))
}

/// A known path with a method it does not take (a `PUT` to `/_natter/reset`, a `POST` to
/// `/_natter/health`…): HTTP 405 with the envelope (60002, the HTTP parse error), like every
/// other refusal, instead of an empty body.
pub async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> Response {
    let refusal = reply(
        Err(ApiError::new(
            codes::HTTP_PARSE_ERROR,
            format!("{} does not take {method}", uri.path()),
        )),
        None,
    );
    (axum::http::StatusCode::METHOD_NOT_ALLOWED, refusal).into_response()
}

/// Any other path: under `/v4/` a Tencent-style 60009 (HTTP 200, as Tencent answers), else 404.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/v4/") {
        reply(
            Err(ApiError::new(
                codes::API_NOT_FOUND,
                "no such API: the URL must be /v4/<service>/<command>",
            )),
            None,
        )
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}

async fn handle(
    state: &AppState,
    api: Option<(usize, &'static Api)>,
    peer: SocketAddr,
    method: Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<Value> {
    if method != Method::POST && method != Method::GET {
        return Err(ApiError::new(
            codes::HTTP_PARSE_ERROR,
            format!("method {method} is not supported; use POST"),
        ));
    }
    let services = &state.services;
    let (app, identifier) =
        state
            .auth
            .admin(&services.apps, &services.clock, &Caller::from_query(query))?;
    let Some((index, api)) = api else {
        return Err(ApiError::new(
            codes::API_NOT_FOUND,
            "no such API: check the service and command in the URL",
        ));
    };
    let Some(handler) = api.handler else {
        return Err(ApiError::new(
            codes::API_NOT_FOUND,
            format!(
                "API v4/{} is not implemented in Natter yet (see docs/compatibility.md)",
                api.name()
            ),
        ));
    };
    let limit = app
        .rate_limits
        .get(&api.name())
        .copied()
        .unwrap_or(api.default_limit);
    let calls = state
        .limiter
        .count(
            app.sdkappid,
            index,
            &api.name(),
            services.clock.now_secs(),
            limit,
        )
        .await;
    if limit > 0 && calls == over_limit_alarm_at(limit) {
        let alarm = natter_webhook::payloads::alert::RequestOverLimit {
            service_name: api.service.to_owned(),
            command: api.command.to_owned(),
            request: calls,
            limit,
        };
        services
            .webhooks
            .notify_now(app.sdkappid, alarm, natter_webhook::Origin::rest(peer.ip()));
    }
    if limit > 0 && calls > limit {
        return Err(ApiError::new(
            api.over_limit_code,
            format!(
                "v4/{} is limited to {limit} calls per second for this app",
                api.name()
            ),
        ));
    }
    let json = read_json(body, headers, state.config.max_body_bytes).await?;
    let ctx = Ctx {
        services: services.clone(),
        app,
        identifier,
        origin: natter_webhook::Origin::rest(peer.ip()),
        rules: api.rules(),
        // For the URLs a reply hands out (`get_history`'s files).
        public_url: Some(crate::files::public_url(headers, state.config.tls).into()),
    };
    handler(ctx, json).await
}

/// The call that takes an API past 80% of its limit within one second raises
/// `Alert.RequestOverLimit` (once per API per second).
fn over_limit_alarm_at(limit: u32) -> u32 {
    limit * 4 / 5 + 1
}

/// Reads the body as a JSON object, refusing one larger than `limit` as soon as that is known.
async fn read_json(body: Body, headers: &HeaderMap, limit: usize) -> ApiResult<Value> {
    let too_long = || {
        ApiError::new(
            codes::BODY_TOO_LONG,
            format!("request body is longer than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_long());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let over_limit = std::error::Error::source(&e)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_long()
        } else {
            ApiError::new(
                codes::HTTP_PARSE_ERROR,
                format!("reading the request body failed: {e}"),
            )
        }
    })?;
    // Tencent answers a call with no body (some SDKs send field-less calls such as
    // `get_appid_group_list` as a bare GET) as if the body were `{}`; an API that needs fields
    // then names the first missing one.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ApiError::new(
            codes::INVALID_JSON,
            "request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            codes::INVALID_JSON,
            format!("request body is not valid JSON: {e}"),
        )),
    }
}
