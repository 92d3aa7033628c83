//! A panic while serving one request becomes that request's answer: an internal-error envelope,
//! an ERROR log line naming the API, and a count in `/metrics`. REST answers and goes on; a
//! WebSocket (`/ws`, `/binfo`) answers and then closes only that connection, since its session
//! may be half-updated.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use natter_core::{ApiError, ApiResult};

/// The `metrics` counter of requests whose handler panicked, labelled by protocol and API.
pub const PANICS: &str = "natter_handler_panics_total";

/// The close code of a WebSocket whose request handler panicked ("internal error").
pub const PANIC_CLOSE: u16 = 1011;

/// What a guarded request came to.
pub enum Guarded<T> {
    Done(ApiResult<T>),
    /// The handler panicked; the error is the answer to send.
    Panicked(ApiError),
}

/// Runs `request`, turning a panic into `internal`'s error (and a log line and a count).
/// `api` names the request for the log and the count; it is built only after a panic, so a
/// request that runs normally pays nothing for it.
pub async fn guard<T>(
    protocol: &'static str,
    api: impl FnOnce() -> String,
    internal: u32,
    request: impl Future<Output = ApiResult<T>>,
) -> Guarded<T> {
    match AssertUnwindSafe(request).catch_unwind().await {
        Ok(result) => Guarded::Done(result),
        Err(panic) => {
            let api = api();
            let message = panic_message(&*panic);
            tracing::error!(protocol, api, panic = %message, "request handler panicked");
            metrics::counter!(PANICS, "protocol" => protocol, "api" => api.clone()).increment(1);
            Guarded::Panicked(ApiError::new(
                internal,
                format!("internal error while serving {api}; the server logged it (try again)"),
            ))
        }
    }
}

impl<T> Guarded<T> {
    /// The answer either way (REST goes on after a panic).
    pub fn into_result(self) -> ApiResult<T> {
        match self {
            Self::Done(result) => result,
            Self::Panicked(error) => Err(error),
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_owned()
    }
}

/// The request that panics on purpose, in builds with the `test-panic` feature only (the
/// integration tests turn it on), so the tests can prove the above: `natter_test/panic` over
/// REST, `natter_test.panic` over `/ws` and `/binfo`.
pub fn test_trigger(service: &str, command: &str) {
    if cfg!(feature = "test-panic") && (service, command) == ("natter_test", "panic") {
        panic!("natter_test: a panic on purpose");
    }
}
