//! `docs/openapi.json` must be exactly what the route table and the wire types generate.

#[test]
fn openapi_doc_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let generated = natter_http::openapi::document_text();
    if std::env::var_os("NATTER_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/openapi.json is stale: run `NATTER_BLESS=1 cargo test -p natter-http --test openapi_doc`"
    );
}

/// Every implemented API has a path, and every path an implemented API.
#[test]
fn every_implemented_api_is_described() {
    let document = natter_http::openapi::document();
    let paths = document["paths"].as_object().unwrap();
    let implemented: Vec<String> = natter_http::routes::ROUTES
        .iter()
        .filter(|api| api.handler.is_some())
        .map(|api| format!("/v4/{}", api.name()))
        .collect();
    assert_eq!(paths.len(), implemented.len());
    for path in implemented {
        let post = &paths[&path]["post"];
        assert!(
            post["requestBody"]["content"]["application/json"]["schema"].is_object(),
            "{path}"
        );
        assert_eq!(post["parameters"].as_array().unwrap().len(), 5, "{path}");
    }
}
