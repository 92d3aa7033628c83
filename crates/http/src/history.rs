//! `/_natter/history/<sdkappid>/<C2C|Group>/<YYYYMMDDHH>.gz?expires=…&sig=…`: the message files
//! `open_msg_svc/get_history` hands out, as Tencent's download URLs do, needing no UserSig.
//!
//! The URL is signed (HMAC-SHA256 with the app's secret key over the app, the kind, the hour
//! and the expiry), so it cannot be guessed or altered, and works for an hour. The file is
//! made from the store as it is sent (`natter_services::ops::Archive`), so a large hour starts
//! downloading at once and takes little memory. 403 for a forged or expired URL, 404 for an
//! unknown SDKAppID.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use natter_core::AppId;
use natter_services::ops::{kind_name, Archive, DownloadRefusal, HistoryFile};
use serde::Deserialize;

use crate::AppState;

/// Where the files are, under Natter's address.
pub const HISTORY_PATH: &str = "/_natter/history";

/// The download URL of a file `get_history` described.
pub fn history_url(base: &str, app: AppId, file: &HistoryFile) -> String {
    format!(
        "{base}{HISTORY_PATH}/{app}/{}/{}.gz?expires={}&sig={}",
        kind_name(file.kind),
        file.hour,
        file.expires,
        file.signature
    )
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    expires: Option<i64>,
    sig: Option<String>,
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// `GET /_natter/history/<sdkappid>/<kind>/<hour>.gz?expires&sig`.
pub async fn download(
    State(state): State<AppState>,
    Path((app, kind, file)): Path<(AppId, String, String)>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let Some(app) = state.services.apps.get(app).cloned() else {
        return plain(StatusCode::NOT_FOUND, "unknown SDKAppID");
    };
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return plain(StatusCode::FORBIDDEN, "not a download URL of Natter's");
    };
    let Some(hour) = file.strip_suffix(".gz") else {
        return plain(StatusCode::NOT_FOUND, "no such file");
    };
    let ops = &state.services.ops;
    let (kind, start) = match ops.check_download(&app, &kind, hour, expires, &sig) {
        Ok(found) => found,
        Err(DownloadRefusal::Forged) => {
            return plain(StatusCode::FORBIDDEN, "not a download URL of Natter's")
        }
        Err(DownloadRefusal::Expired) => {
            return plain(
                StatusCode::FORBIDDEN,
                "this download URL has expired; call get_history again",
            )
        }
    };
    let archive = ops.archive(&app, kind, start);
    let chunks = futures::stream::unfold(Some(archive), |state: Option<Archive>| async move {
        let mut archive = state?;
        match archive.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(archive))),
            Ok(None) => None,
            // The client sees a cut-off transfer (no complete gzip stream), never a wrong file.
            Err(e) => Some((Err(std::io::Error::other(e.info)), None)),
        }
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/gzip"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}
