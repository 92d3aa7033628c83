//! `docs/client-sdk.md` must be exactly what the `/binfo` command table generates.

#[test]
fn client_sdk_doc_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/client-sdk.md");
    let generated = natter_http::compat::client_sdk_markdown();
    if std::env::var_os("NATTER_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/client-sdk.md is stale: run `NATTER_BLESS=1 cargo test -p natter-http --test client_sdk_doc`"
    );
}
