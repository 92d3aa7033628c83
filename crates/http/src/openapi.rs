//! Natter's published contract: an OpenAPI 3.1 document of every implemented REST API, generated
//! from the route table and the JSON Schemas of the wire types (derived with `schemars`, which
//! follows their serde attributes), so it cannot disagree with what the server reads and writes.
//! Served at `GET /_natter/openapi.json` and committed as `docs/openapi.json`; a test fails when
//! the file is stale and `NATTER_BLESS=1 cargo test -p natter-http --test openapi_doc` rewrites it.
//!
//! Request bodies are described as Natter reads them (serde's deserialize side: fields with a
//! default are optional, unknown fields are ignored) and replies as it writes them. A reply is
//! Tencent's envelope: on success `ActionStatus` "OK", `ErrorCode` 0 and the API's own fields; on
//! failure `ActionStatus` "FAIL", a non-zero `ErrorCode` and the envelope alone.

use std::collections::HashMap;
use std::future::Future;
use std::sync::OnceLock;

use natter_core::ApiResult;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::handler::Ctx;
use crate::routes::{Api, ROUTES};

/// Where shared schemas live in the document.
const DEFINITIONS: &str = "/components/schemas";
/// Suffix of a reply's shared schema whose name a request's schema already has, differently.
const REPLY_SUFFIX: &str = "_Reply";

/// The two schema generators of one document: requests as read, replies as written.
pub struct Generators {
    requests: SchemaGenerator,
    replies: SchemaGenerator,
}

/// One API's request body and reply fields (`None`: the reply has no fields of its own).
pub struct Described {
    request: Schema,
    reply: Option<Schema>,
}

/// How the route table records an API's types: `describe(generators, rest::profile::portrait_get)`
/// infers the request and the reply from the handler itself, so a new route needs no extra line.
pub fn describe<Req, Reply, Fut>(
    generators: &mut Generators,
    _handler: impl FnOnce(Ctx, Req) -> Fut,
) -> Described
where
    Req: JsonSchema,
    Reply: JsonSchema,
    Fut: Future<Output = ApiResult<Reply>>,
{
    let reply = generators.replies.subschema_for::<Reply>();
    // `()` (schema `{"type": "null"}`) adds no field to the envelope.
    let has_fields = reply.get("type") != Some(&json!("null"));
    Described {
        request: generators.requests.subschema_for::<Req>(),
        reply: has_fields.then_some(reply),
    }
}

/// The document, generated once per process.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(generate)
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(document()).expect("JSON always serialises");
    text.push('\n');
    text
}

fn generate() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = DEFINITIONS.into();
        s.meta_schema = None;
    });
    let mut generators = Generators {
        requests: settings.clone().for_deserialize().into_generator(),
        replies: settings.for_serialize().into_generator(),
    };
    let described: Vec<(&Api, Described)> = ROUTES
        .iter()
        .filter_map(|api| Some((api, (api.describe?)(&mut generators))))
        .collect();

    let mut schemas = generators.requests.take_definitions(true);
    let renames = merge_reply_definitions(&mut schemas, generators.replies.take_definitions(true));
    schemas.insert("Envelope".into(), envelope_schema());
    schemas.insert("Failure".into(), failure_schema());

    let mut paths = Map::new();
    for (api, described) in described {
        let mut reply = described.reply.map(Schema::to_value);
        if let Some(reply) = &mut reply {
            rename_refs(reply, &renames);
        }
        paths.insert(
            format!("/v4/{}", api.name()),
            json!({ "post": operation(api, described.request.to_value(), reply) }),
        );
    }

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Natter REST API (Tencent Cloud Chat server API)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every Tencent Cloud Chat REST API that Natter implements, generated from \
    its route table and wire types. Which APIs and webhooks are implemented is listed in \
    docs/compatibility.md; an API not listed here answers ErrorCode 60009. Every call is a POST with \
    the app's admin credentials in the query string; every reply is HTTP 200 with Tencent's envelope \
    (ActionStatus, ErrorCode, ErrorInfo), the API's fields following on success.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": parameters(),
        },
    })
}

/// A reply's shared schemas join the requests'; one whose name is taken by a different schema is
/// renamed (`ContactItem` → `ContactItem_Reply`). Returns the renames.
fn merge_reply_definitions(
    schemas: &mut Map<String, Value>,
    replies: Map<String, Value>,
) -> HashMap<String, String> {
    let mut renames = HashMap::new();
    for name in replies.keys() {
        if schemas.get(name).is_some_and(|s| s != &replies[name]) {
            renames.insert(name.clone(), format!("{name}{REPLY_SUFFIX}"));
        }
    }
    for (name, mut schema) in replies {
        rename_refs(&mut schema, &renames);
        let name = renames.get(&name).cloned().unwrap_or(name);
        schemas.insert(name, schema);
    }
    renames
}

/// Points every `$ref` to a renamed reply schema at its new name.
fn rename_refs(value: &mut Value, renames: &HashMap<String, String>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields.iter_mut() {
                if key == "$ref" {
                    if let Some(name) = item
                        .as_str()
                        .and_then(|r| r.strip_prefix(&format!("#{DEFINITIONS}/")))
                        .and_then(|name| renames.get(name))
                    {
                        *item = json!(format!("#{DEFINITIONS}/{name}"));
                    }
                } else {
                    rename_refs(item, renames);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_refs(i, renames)),
        _ => {}
    }
}

fn operation(api: &Api, request: Value, reply: Option<Value>) -> Value {
    let success = match reply {
        Some(fields) => json!({ "allOf": [ { "$ref": ref_to("Envelope") }, fields ] }),
        None => json!({ "$ref": ref_to("Envelope") }),
    };
    let mut description = format!(
        "Default frequency limit: {} calls per second per app.",
        api.default_limit
    );
    if let Some(doc) = api.doc {
        description.push_str(&format!(
            " Tencent's page: https://www.tencentcloud.com/document/product/1047/{doc}"
        ));
    }
    let parameters = ["sdkappid", "identifier", "usersig", "random", "contenttype"]
        .map(|name| json!({ "$ref": format!("#/components/parameters/{name}") }));
    json!({
        "operationId": api.name().replace('/', "."),
        "summary": api.title,
        "description": description,
        "tags": [api.service],
        "parameters": parameters,
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": request } },
        },
        "responses": {
            "200": {
                "description": "Tencent's envelope: the API's fields on success, the envelope alone on failure.",
                "content": { "application/json": { "schema": {
                    "oneOf": [ success, { "$ref": ref_to("Failure") } ],
                } } },
            },
        },
    })
}

fn ref_to(name: &str) -> String {
    format!("#{DEFINITIONS}/{name}")
}

/// The envelope of a success. `ErrorDisplay` is there on the profile, sns and recentcontact
/// services only.
fn envelope_schema() -> Value {
    json!({
        "type": "object",
        "description": "Tencent's envelope of a successful call; the API's own fields follow.",
        "properties": {
            "ActionStatus": { "const": "OK" },
            "ErrorCode": { "const": 0 },
            "ErrorInfo": { "type": "string" },
            "ErrorDisplay": { "type": "string" },
        },
        "required": ["ActionStatus", "ErrorCode", "ErrorInfo"],
    })
}

/// The envelope of a refusal or failure: nothing else follows it.
fn failure_schema() -> Value {
    json!({
        "type": "object",
        "description": "Tencent's envelope of a refused or failed call: ErrorCode is Tencent's \
    documented code (see each API's page), ErrorInfo says what was wrong.",
        "properties": {
            "ActionStatus": { "const": "FAIL" },
            "ErrorCode": { "type": "integer", "minimum": 1 },
            "ErrorInfo": { "type": "string" },
            "ErrorDisplay": { "type": "string" },
        },
        "required": ["ActionStatus", "ErrorCode", "ErrorInfo"],
        "additionalProperties": false,
    })
}

/// The five query parameters of every call (docs/compatibility.md, Tencent's "REST API overview").
fn parameters() -> Value {
    let parameter = |name: &str, description: &str, schema: Value| {
        json!({
            "name": name,
            "in": "query",
            "required": true,
            "description": description,
            "schema": schema,
        })
    };
    json!({
        "sdkappid": parameter("sdkappid", "The app's SDKAppID.", json!({ "type": "integer", "minimum": 1 })),
        "identifier": parameter("identifier", "The app's admin account.", json!({ "type": "string", "minLength": 1 })),
        "usersig": parameter("usersig", "A UserSig of the admin account.", json!({ "type": "string", "minLength": 1 })),
        "random": parameter("random", "A random 32-bit unsigned integer.", json!({ "type": "integer", "minimum": 0, "maximum": 4294967295u64 })),
        "contenttype": parameter("contenttype", "Always json.", json!({ "const": "json" })),
    })
}

/// `GET /_natter/openapi.json`: public documentation, so it needs no credentials.
pub async fn serve() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document_text(),
    )
        .into_response()
}
