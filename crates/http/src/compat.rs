//! Renders `docs/compatibility.md` from the route table and the webhook command table, so the
//! published list can never disagree with what the server does. A test fails when the file is
//! stale; `NATTER_BLESS=1 cargo test -p natter-http --test compatibility_doc` rewrites it.

use std::fmt::Write;

use natter_webhook::commands::{Kind, COMMANDS};

use crate::routes::ROUTES;

const DOC_BASE: &str = "https://www.tencentcloud.com/document/product/1047/";

pub fn compatibility_markdown() -> String {
    let mut out = String::new();
    let implemented = ROUTES.iter().filter(|a| a.handler.is_some()).count();
    let fired = COMMANDS.iter().filter(|c| c.fired).count();
    out.push_str("# Compatibility with Tencent Cloud Chat\n\n");
    out.push_str(
        "Generated from the server's own route and webhook tables (`crates/http/src/routes.rs`, \
`crates/webhook/src/commands.rs`); do not edit by hand. An API marked \"not yet\" answers \
`ErrorCode` 60009 with an `ErrorInfo` that says so; it never fakes a success.\n\n",
    );
    let _ = writeln!(
        out,
        "REST APIs implemented: **{implemented} of {}**. Webhooks fired: **{fired} of {}**.\n",
        ROUTES.len(),
        COMMANDS.len()
    );
    out.push_str("## REST API\n\n| API | Path | Tencent page | Default limit (calls/s) | Natter |\n|---|---|---|---|---|\n");
    for api in ROUTES {
        let _ = writeln!(
            out,
            "| {} | `v4/{}` | {} | {} | {} |",
            api.title,
            api.name(),
            doc_link(api.doc),
            api.default_limit,
            if api.handler.is_some() {
                "implemented"
            } else {
                "not yet"
            }
        );
    }
    out.push_str("\n## Webhooks\n\n| Webhook | CallbackCommand | Kind | Tencent page | Natter |\n|---|---|---|---|---|\n");
    for c in COMMANDS {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            c.title,
            c.command,
            match c.kind {
                Kind::Before => "before",
                Kind::After => "after",
            },
            doc_link(c.doc),
            if c.fired { "fired" } else { "not yet" }
        );
    }
    out
}

fn doc_link(doc: Option<u32>) -> String {
    match doc {
        Some(n) => format!("[1047/{n}]({DOC_BASE}{n})"),
        None => "—".into(),
    }
}
