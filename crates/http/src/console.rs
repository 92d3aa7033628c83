//! `/console`: the browser console (docs/console.md), a static page embedded in the binary at
//! build time (`crates/http/console/`), so it works offline and from any copy of the binary.
//! It speaks only the public protocols (REST with an admin UserSig, `/ws` as users, the
//! `/_natter/` control plane): serving it is all this module does.
//!
//! Caching: every answer has a strong `ETag` (the content's CRC-32 and Natter's version) and
//! `Cache-Control: no-cache`, so a browser revalidates each file and gets a bodiless 304 while
//! it is unchanged, and a new binary's console is never mixed with an old cached module (the
//! modules import each other by plain names, so they cannot carry a content hash). Files are
//! gzipped once, on first request, for clients that accept it.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console; anything else under `/console/` is a 404.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("js/main.js", JS),
    asset!("js/api.js", JS),
    asset!("js/ws.js", JS),
    asset!("js/ui.js", JS),
    asset!("js/accounts.js", JS),
    asset!("js/groups.js", JS),
    asset!("js/conversations.js", JS),
    asset!("js/online.js", JS),
    asset!("js/chat.js", JS),
    asset!("js/webhooks.js", JS),
];

/// The page may load only its own files and talk only to its own origin (REST, `/ws`).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; form-action 'none'";

/// The names and sizes of the embedded files (for the page-weight figure in BENCHMARKS.md).
pub fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
    ASSETS.iter().map(|a| (a.name, a.body))
}

fn gzipped(index: usize) -> &'static [u8] {
    static CACHE: OnceLock<Vec<OnceLock<Vec<u8>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| ASSETS.iter().map(|_| OnceLock::new()).collect());
    cache[index].get_or_init(|| {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(ASSETS[index].body.as_bytes())
            .expect("writing to memory");
        encoder.finish().expect("writing to memory")
    })
}

fn etag(asset: &Asset) -> String {
    format!(
        "\"{:08x}-{}\"",
        crc32fast::hash(asset.body.as_bytes()),
        env!("CARGO_PKG_VERSION")
    )
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            // `gzip;q=0` means "not gzip".
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no console file {name:?}"),
        )
            .into_response();
    };
    let asset = &ASSETS[index];
    let tag = etag(asset);
    let mut out = HeaderMap::new();
    out.insert(header::ETAG, HeaderValue::from_str(&tag).expect("ASCII"));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if asset.name.ends_with(".html") {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == tag || t.trim() == "*");
    if unchanged {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    if accepts_gzip(headers) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return (out, gzipped(index)).into_response();
    }
    (out, asset.body).into_response()
}

/// `GET /console`: to `/console/`, so the page's relative URLs resolve inside it (also behind
/// a proxy that mounts Natter under a path).
pub async fn redirect() -> Response {
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, "console/")],
    )
        .into_response()
}

/// `GET /console/`: the page.
pub async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /console/<file>`.
pub async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    serve(&name, &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_read_from_accept_encoding() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(!with("gzip;q=0, br"));
        assert!(!with("deflate"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn every_file_unzips_to_itself() {
        use std::io::Read as _;
        for (i, asset) in ASSETS.iter().enumerate() {
            let mut text = String::new();
            flate2::read::GzDecoder::new(gzipped(i))
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, asset.body, "{}", asset.name);
        }
    }
}
