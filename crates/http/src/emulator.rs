//! What only a local emulator offers: `POST /_natter/usersig` mints a UserSig with the app's
//! secret key, so the console (and a test suite) can act as the admin or as any user without
//! knowing the key.
//!
//! Anyone who can reach this endpoint can act as anyone, so it answers only when both ends are
//! the machine itself: the server listens on a loopback address (`HttpConfig::emulator`, set
//! from `--listen`) AND the request comes from a loopback address AND it carries no
//! `Forwarded` / `X-Forwarded-For` header (a reverse proxy on the same machine would make
//! remote requests look local) AND its `Host` (and `Origin`, when a browser sends one) names a
//! loopback address or `localhost`: a web page elsewhere that a developer happens to open can
//! neither read the answer (no CORS) nor get around that with DNS rebinding (its own name
//! pointed at 127.0.0.1 arrives as that name in `Host`). Anything else is refused with HTTP
//! 403; a server that others can reach needs an admin UserSig made with `natter usersig` or a
//! Tencent SDK.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use natter_core::ids::user_id_problem;
use natter_core::{codes, ApiError, ApiResult};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::envelope::reply;
use crate::AppState;

/// Longest validity a minted UserSig may ask for (Tencent's tools allow up to 180 days too).
const MAX_EXPIRE_SECS: u64 = natter_usersig::DEFAULT_EXPIRE_SECS;
/// Validity when the request names none: a working day of console use.
const DEFAULT_EXPIRE_SECS: u64 = 24 * 3600;

#[derive(Deserialize)]
struct Mint {
    identifier: String,
    expire: Option<u64>,
}

/// Whether this request may mint: see the module's comment.
pub fn may_mint(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> bool {
    let origin_ok = match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .is_some_and(|(_, authority)| is_loopback_authority(authority)),
    };
    state.config.emulator
        && peer.ip().is_loopback()
        && !headers.contains_key("forwarded")
        && !headers.contains_key("x-forwarded-for")
        && headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(is_loopback_authority)
        && origin_ok
}

/// `localhost`, `127.0.0.1`, `[::1]`…, with or without a port.
fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        // [IPv6]:port
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `POST /_natter/usersig?sdkappid=N` with `{"identifier": "alice", "expire": 86400}`:
/// `{"UserSig", "Identifier", "SdkAppId", "Expire"}` in the usual envelope.
pub async fn usersig(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    if !may_mint(&state, peer, &headers) {
        let refused = reply(
            Err(ApiError::new(
                codes::ADMIN_REQUIRED,
                "minting UserSigs is for a local emulator only: the server must listen on a \
                 loopback address and the request come from it, not through a proxy; use an \
                 admin UserSig (natter usersig) instead",
            )),
            None,
        );
        return (StatusCode::FORBIDDEN, refused).into_response();
    }
    reply(mint(&state, query.as_deref(), &body), None)
}

fn mint(state: &AppState, query: Option<&str>, body: &[u8]) -> ApiResult<Value> {
    let caller = Caller::from_query(query);
    let sdkappid = caller
        .sdkappid
        .ok_or_else(|| ApiError::new(codes::SDKAPPID_MISSING, "sdkappid is missing"))?;
    let app = sdkappid
        .parse::<u64>()
        .ok()
        .and_then(|id| state.services.apps.get(id))
        .ok_or_else(|| {
            ApiError::new(
                codes::SDKAPPID_NOT_FOUND,
                format!("no app {sdkappid} is configured"),
            )
        })?;
    let asked: Mint = crate::webhooks::body_json(body)?;
    if let Some(problem) = user_id_problem(&asked.identifier) {
        return Err(ApiError::new(codes::ACCOUNT_INVALID_PARAM, problem));
    }
    let expire = asked.expire.unwrap_or(DEFAULT_EXPIRE_SECS);
    if expire == 0 || expire > MAX_EXPIRE_SECS {
        return Err(ApiError::new(
            codes::INVALID_JSON,
            format!("expire must be 1–{MAX_EXPIRE_SECS} seconds"),
        ));
    }
    let sig = natter_usersig::generate(
        app.sdkappid,
        &app.secret_key,
        &asked.identifier,
        expire,
        state.services.clock.now_secs() as u64,
        None,
    );
    Ok(json!({
        "SdkAppId": app.sdkappid,
        "Identifier": asked.identifier,
        "UserSig": sig,
        "Expire": expire,
    }))
}

#[cfg(test)]
mod tests {
    use super::is_loopback_authority;

    #[test]
    fn loopback_authorities() {
        for yes in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.2:80",
            "[::1]:8080",
            "[::1]",
        ] {
            assert!(is_loopback_authority(yes), "{yes}");
        }
        for no in [
            "",
            "example.com",
            "127.0.0.1.nip.io",
            "10.0.0.1:8080",
            "[2001:db8::1]:80",
            "localhost.evil",
        ] {
            assert!(!is_loopback_authority(no), "{no}");
        }
    }
}
