//! Limits on a request's head, checked before routing so that an over-long URL or header gets
//! the Tencent envelope like every other refusal. hyper has its own, larger limits (the accept
//! loop sizes its head buffer at twice [`MAX_HEADER_BYTES`]); past those hyper answers a bare
//! 431 (or 414) itself, with no body: README "Connections" says so.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use natter_core::{codes, ApiError};

/// Longest request target (path and query) accepted, in bytes. A REST URL with a UserSig is a
/// few hundred bytes; this is the common proxy limit (nginx's header buffer).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest sum of header names and values accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose URL or headers are too long: 414 or 431, with the envelope.
pub async fn check_head(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if uri > MAX_URI_BYTES {
        return refuse(
            StatusCode::URI_TOO_LONG,
            ApiError::new(
                codes::HTTP_PARSE_ERROR,
                format!("the URL is {uri} bytes long; at most {MAX_URI_BYTES} are accepted"),
            ),
        );
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::new(
                codes::SERVICE_TIMEOUT,
                format!(
                    "the headers are {headers} bytes long; at most {MAX_HEADER_BYTES} are accepted"
                ),
            ),
        );
    }
    next.run(request).await
}

/// A place among the WebSockets waiting for their login, kept until the login succeeds or the
/// socket closes. None left: 503 with the envelope (60018), before the upgrade. With the login
/// waits (`/ws` 10 s, `/binfo` 60 s) this bounds sockets that never log in, in number and time.
// The refusal is the handler's answer, returned as it is: boxing it would only be undone.
#[allow(clippy::result_large_err)]
pub fn login_slot(state: &crate::AppState) -> Result<tokio::sync::OwnedSemaphorePermit, Response> {
    state
        .pending_logins
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            metrics::counter!("natter_connections_refused_total", "reason" => "pending_logins")
                .increment(1);
            let mut response = crate::envelope::reply(
                Err(ApiError::new(
                    codes::TOO_MANY_REQUESTS,
                    "too many connections waiting to log in; retry later",
                )),
                None,
            );
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            let headers = response.headers_mut();
            headers.insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
            // The connection asked to become a WebSocket; as plain HTTP it is of no more use.
            headers.insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            response
        })
}

fn refuse(status: StatusCode, error: ApiError) -> Response {
    let mut response = crate::envelope::reply(Err(error), None);
    *response.status_mut() = status;
    // The request's body, if any, is not read: the connection is not reused.
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response.into_response()
}
