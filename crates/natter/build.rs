//! Tells the integration tests which external services this machine offers, so that a test
//! needing one is reported as ignored (not passed) when it is not configured:
//! `natter_test_postgres` when `NATTER_TEST_POSTGRES` names a server (`off` or unset: not
//! configured) and `natter_test_nats` when `NATTER_TEST_NATS` does. A configured service must
//! answer: its tests then run, and failing to connect fails them. `natter_test_web_sdk` when
//! `NATTER_TEST_WEB_SDK` names the directory `tests/web-sdk` with its `node_modules` installed
//! (`npm ci` there): the Web SDK test then runs, with Node, and a broken install fails it.
//! `natter_test_browser` when `NATTER_TEST_CHROMIUM` names a Chromium binary: the SDK then also
//! runs in that browser (driven by `playwright-core` from the same `node_modules`).
//! `natter_test_ffmpeg` when `NATTER_TEST_FFMPEG` names the `ffmpeg` binary: the video cover
//! tests then run with it.

fn main() {
    for (var, cfg) in [
        ("NATTER_TEST_POSTGRES", "natter_test_postgres"),
        ("NATTER_TEST_NATS", "natter_test_nats"),
        ("NATTER_TEST_WEB_SDK", "natter_test_web_sdk"),
        ("NATTER_TEST_CHROMIUM", "natter_test_browser"),
        ("NATTER_TEST_FFMPEG", "natter_test_ffmpeg"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let configured = std::env::var(var)
            .map(|v| !v.trim().is_empty() && v.trim() != "off")
            .unwrap_or(false);
        if configured {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
