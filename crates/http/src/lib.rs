//! Natter's HTTP layer. It parses requests, calls a service and shapes the Tencent envelope; it
//! never touches storage.
//!
//! - `/v4/<service>/<command>`: the Tencent REST API, dispatched from one table ([`routes`]),
//!   handlers grouped by the service name in the URL ([`rest`]).
//! - `/ws`: Natter's client protocol over WebSocket ([`gateway`]).
//! - `/binfo`: the protocol of Tencent's Web SDK, reached through its `proxyServer` option
//!   ([`binfo`]).
//! - `/_natter/files/…`: the files of image, file, sound and video messages ([`files`]).
//! - `/_natter/history/…`: the hourly message files of `get_history` ([`history`]).
//! - `/_natter/openapi.json`: the published contract of the REST API ([`openapi`]).
//! - `/_natter/…`: Natter's own control plane ([`control`], [`webhooks`], [`pushes`]);
//!   `/metrics` for Prometheus.
//! - `/console`: the browser console, static files embedded in the binary ([`console`]);
//!   `/_natter/usersig` mints UserSigs for it on a local emulator only ([`emulator`]).

pub mod auth;
pub mod binfo;
pub mod clock;
pub mod compat;
pub mod console;
pub mod control;
pub mod dispatch;
pub mod emulator;
pub mod envelope;
pub mod files;
pub mod gateway;
pub mod handler;
pub mod history;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod panics;
pub mod pushes;
pub mod rate_limit;
pub mod rest;
pub mod routes;
pub mod snapshots;
pub mod webhooks;
pub mod wire;

use std::sync::Arc;

use axum::routing::{any, get, post};
use axum::Router;
use natter_services::Services;

pub use handler::Ctx;

/// Limits and switches of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Request bodies larger than this are refused before they are read whole.
    pub max_body_bytes: usize,
    /// Whether Natter itself serves TLS: the scheme of the URLs it hands clients (unless a
    /// proxy in front says otherwise with `X-Forwarded-Proto`).
    pub tls: bool,
    /// A local emulator: the server listens on a loopback address, so `/_natter/usersig` may
    /// mint UserSigs for requests from the machine itself ([`emulator`]).
    pub emulator: bool,
    /// How long a logged-in client (`/ws`, `/binfo`) may stay silent before it is dropped.
    pub client_timeout: std::time::Duration,
    /// WebSockets (`/ws`, `/binfo`) open at once that have not logged in yet, at most; another
    /// upgrade is answered 503 (see [`limits::login_slot`]).
    pub max_pending_logins: usize,
    /// `/binfo` sockets watching AVChatRooms without login (the Web SDK's viewers) at once, at
    /// most: they no longer count as waiting for a login, and this bounds them instead.
    pub max_viewers: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            tls: false,
            emulator: false,
            client_timeout: std::time::Duration::from_secs(90),
            max_pending_logins: 1000,
            max_viewers: 10_000,
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<HttpConfig>,
    pub auth: Arc<auth::Authenticator>,
    pub limiter: Arc<rate_limit::RateLimiter>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// One permit per WebSocket that has not logged in yet.
    pub pending_logins: Arc<tokio::sync::Semaphore>,
    /// One permit per `/binfo` socket watching AVChatRooms without login.
    pub viewers: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(services: Services, config: HttpConfig) -> Self {
        let mut limiter = rate_limit::RateLimiter::new(services.apps.all().map(|a| a.sdkappid));
        if services.fanout.bus().is_some() {
            limiter = limiter.shared(services.budgets.clone());
        }
        Self {
            services,
            config: Arc::new(config.clone()),
            auth: Arc::new(auth::Authenticator::new()),
            limiter: Arc::new(limiter),
            metrics: metrics::handle(),
            pending_logins: Arc::new(tokio::sync::Semaphore::new(config.max_pending_logins)),
            viewers: Arc::new(tokio::sync::Semaphore::new(config.max_viewers)),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v4/{service}/{command}", any(dispatch::dispatch))
        .route("/ws", get(gateway::upgrade))
        .route("/binfo", get(binfo::upgrade))
        .route(
            "/_natter/files/{app}/{id}",
            get(files::download)
                .head(files::download)
                .put(files::upload)
                .options(files::preflight),
        )
        .route(
            "/_natter/history/{app}/{kind}/{file}",
            get(history::download),
        )
        .route("/_natter/health", get(control::health))
        .route("/_natter/live", get(control::live))
        .route("/_natter/openapi.json", get(openapi::serve))
        .route("/_natter/reset", any(control::reset))
        .route("/_natter/clock", get(clock::clock).post(clock::clock))
        .route("/_natter/webhooks", get(webhooks::deliveries))
        .route(
            "/_natter/webhooks/config",
            get(webhooks::config).post(webhooks::config),
        )
        .route("/_natter/webhooks/faults", post(webhooks::faults))
        .route("/_natter/webhooks/replay", post(webhooks::replay))
        .route("/_natter/usersig", post(emulator::usersig))
        .route("/_natter/accounts", get(control::accounts))
        .route("/_natter/online", get(control::online))
        .route("/_natter/snapshots", get(snapshots::list))
        .route("/_natter/snapshots/save", post(snapshots::save))
        .route("/_natter/snapshots/restore", post(snapshots::restore))
        .route("/_natter/snapshots/delete", post(snapshots::delete))
        .route("/console", get(console::redirect))
        .route("/console/", get(console::index))
        .route("/console/{*file}", get(console::file))
        .route("/_natter/pushes", get(pushes::list))
        .route("/_natter/pushes/pause", post(pushes::pause))
        .route("/_natter/pushes/resume", post(pushes::resume))
        .route("/metrics", get(control::metrics))
        .fallback(dispatch::not_found)
        .method_not_allowed_fallback(dispatch::method_not_allowed)
        .layer(axum::middleware::from_fn(limits::check_head))
        .with_state(state)
}
