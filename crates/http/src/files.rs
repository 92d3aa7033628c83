//! `/_natter/files/<sdkappid>/<id>`: the files of image, file, sound and video messages.
//!
//! - `PUT` with the query of an upload grant (`kind`, `user`, `expires`, `sig`; see
//!   `natter_services::files`) takes the file as the raw body, as COS takes the Web SDK's
//!   upload to a pre-signed URL: 200 and an empty body when kept; 403 for a forged or expired
//!   grant, 413 past the kind's size limit, 409 when the URL was used already.
//! - `GET` (and `HEAD`) serve it to whoever has the URL, with the `Content-Type` it was
//!   uploaded with; 404 when there is no such file.
//!
//! Browsers upload from the app's own origin, so every answer allows any origin (CORS), and an
//! `OPTIONS` preflight is answered. Downloads are sandboxed (`Content-Security-Policy:
//! sandbox`, `nosniff`): an uploaded page never runs as Natter's origin.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use natter_core::AppId;
use natter_services::files::{FileKind, Grant, UploadRefusal};
use serde::Deserialize;

use crate::AppState;

/// Where the files are, under Natter's address.
pub const FILES_PATH: &str = "/_natter/files";

/// The address a client reached Natter at (`scheme://host[:port]`), for the URLs Natter hands
/// it: `X-Forwarded-Proto`/`X-Forwarded-Host` when a proxy in front sets them, else `Host` and
/// whether Natter itself serves TLS.
pub fn public_url(headers: &HeaderMap, tls: bool) -> String {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let scheme = first("x-forwarded-proto").unwrap_or(if tls { "https" } else { "http" });
    let host = first("x-forwarded-host")
        .or_else(|| first("host"))
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// The URL a grant's file is uploaded to.
pub fn upload_url(base: &str, app: AppId, grant: &Grant) -> String {
    format!(
        "{}?kind={}&user={}&expires={}&sig={}",
        download_url(base, app, &grant.id),
        grant.kind.name(),
        encode(&grant.user),
        grant.expires,
        grant.signature
    )
}

/// The URL a file is downloaded from.
pub fn download_url(base: &str, app: AppId, id: &str) -> String {
    format!("{base}{FILES_PATH}/{app}/{id}")
}

/// The app and file id of a URL Natter handed out (whatever host the client rewrote it to).
pub fn parse_download_url(url: &str) -> Option<(AppId, String)> {
    let rest = &url[url.find(FILES_PATH)? + FILES_PATH.len()..];
    let rest = rest.strip_prefix('/')?;
    let rest = rest.split(['?', '#']).next()?;
    let (app, id) = rest.split_once('/')?;
    Some((app.parse().ok()?, id.to_owned()))
}

/// Percent-encodes a query value (UserIDs are printable ASCII, `&` and `+` included).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
pub struct UploadQuery {
    kind: String,
    user: String,
    expires: i64,
    sig: String,
}

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (status, cors(), text.into()).into_response()
}

fn cors() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    )]
}

/// `PUT /_natter/files/<sdkappid>/<id>?kind&user&expires&sig`.
pub async fn upload(
    State(state): State<AppState>,
    Path((app, id)): Path<(AppId, String)>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(app) = state.services.apps.get(app).cloned() else {
        return plain(StatusCode::NOT_FOUND, "unknown SDKAppID");
    };
    let Some(kind) = FileKind::from_name(&query.kind) else {
        return plain(StatusCode::FORBIDDEN, "not an upload URL of Natter's");
    };
    let grant = Grant {
        id,
        kind,
        user: query.user,
        expires: query.expires,
        signature: query.sig,
    };
    let files = &state.services.files;
    if let Err(refusal) = files.check(&app, &grant) {
        return refused(refusal);
    }
    let max = kind.max_bytes();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return refused(UploadRefusal::TooLarge { max });
    }
    let Ok(bytes) = axum::body::to_bytes(body, max).await else {
        return refused(UploadRefusal::TooLarge { max });
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .unwrap_or("application/octet-stream");
    match files
        .upload(&app, &grant, content_type, bytes.to_vec())
        .await
    {
        Ok(Ok(())) => plain(StatusCode::OK, ""),
        Ok(Err(refusal)) => refused(refusal),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, e.info),
    }
}

fn refused(refusal: UploadRefusal) -> Response {
    match refusal {
        UploadRefusal::Forged => plain(
            StatusCode::FORBIDDEN,
            "the upload URL's signature is not valid",
        ),
        UploadRefusal::Expired => plain(StatusCode::FORBIDDEN, "the upload URL has expired"),
        UploadRefusal::TooLarge { max } => plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("files of this kind are limited to {max} bytes"),
        ),
        UploadRefusal::Taken => plain(StatusCode::CONFLICT, "the upload URL was used already"),
    }
}

/// `GET`/`HEAD /_natter/files/<sdkappid>/<id>`.
pub async fn download(
    State(state): State<AppState>,
    method: Method,
    Path((app, id)): Path<(AppId, String)>,
) -> Response {
    let Some(app) = state.services.apps.get(app).cloned() else {
        return plain(StatusCode::NOT_FOUND, "no such file");
    };
    match state.services.files.download(&app, &id).await {
        Ok(Some(file)) => {
            let length = file.bytes.len();
            let content_type = HeaderValue::from_str(&file.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            let headers = [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_LENGTH, HeaderValue::from(length)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("sandbox"),
                ),
            ];
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(file.bytes)
            };
            (StatusCode::OK, cors(), headers, body).into_response()
        }
        Ok(None) => plain(StatusCode::NOT_FOUND, "no such file"),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, e.info),
    }
}

/// The CORS preflight of a browser's upload.
pub async fn preflight(headers: HeaderMap) -> Response {
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("content-type"));
    (
        StatusCode::NO_CONTENT,
        cors(),
        [
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, PUT, OPTIONS"),
            ),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, asked),
            (
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            ),
        ],
    )
        .into_response()
}

/// Width and height of a PNG, GIF, JPEG, BMP or WebP image, from its header.
pub fn image_size(b: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as u32);
    let le16 = |i: usize| Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]) as u32);
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le32 = |i: usize| Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF8") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"BM") {
        let h = le32(22)? as i32;
        return Some((le32(18)?, h.unsigned_abs()));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return match b.get(12..16)? {
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff)),
            b"VP8L" => {
                let bits = le32(21)?;
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => {
                let w = le32(24)? & 0xff_ffff;
                let h = le32(27)? & 0xff_ffff;
                Some((w + 1, h + 1))
            }
            _ => None,
        };
    }
    if b.starts_with(&[0xff, 0xd8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xff {
                return None;
            }
            let marker = b[i + 1];
            if marker == 0xff {
                i += 1;
                continue;
            }
            let len = be16(i + 2)? as usize;
            // Start-of-frame markers (not DHT, JPG, DAC) carry the size.
            if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
                return Some((be16(i + 7)?, be16(i + 5)?));
            }
            i += 2 + len;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_parse_back_whatever_the_host() {
        let url = download_url("http://127.0.0.1:9", 1400000001, "abc");
        assert_eq!(parse_download_url(&url), Some((1400000001, "abc".into())));
        let proxied = "https://proxy.example/chat/_natter/files/7/xyz?authKey=1";
        assert_eq!(parse_download_url(proxied), Some((7, "xyz".into())));
        assert_eq!(parse_download_url("https://cos.example/a/b"), None);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("a&b=c d+%"), "a%26b%3Dc%20d%2B%25");
    }

    #[test]
    fn image_sizes_come_from_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((640, 480)));
        let gif = b"GIF89a\x20\x03\x58\x02";
        assert_eq!(image_size(gif), Some((800, 600)));
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 50, 0, 100, 3, 0, 0, 0,
        ];
        assert_eq!(image_size(&jpeg), Some((100, 50)));
        assert_eq!(image_size(b"not an image"), None);
    }
}
