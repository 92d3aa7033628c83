//! The Tencent reply envelope and the context a handler gets.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_services::Services;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::routes::{Api, ServiceRules};

/// Everything a REST handler may use: the services, the calling app and admin, and its API row.
pub struct Ctx {
    pub services: Services,
    pub app: Arc<AppSettings>,
    /// The admin account in the URL's `identifier`.
    pub identifier: String,
    pub client_ip: IpAddr,
    pub api: &'static Api,
}

impl Ctx {
    /// Reads the body into the API's request type. A wrong type or a missing field gets the
    /// service's "invalid parameter" code, except that an account field that is not a string gets
    /// Tencent's dedicated 60015.
    pub fn parse<T: DeserializeOwned>(&self, body: Value) -> ApiResult<T> {
        parse_body(body, self.api.rules().invalid_param)
    }
}

/// Reads `body` into `T`: a wrong type or a missing field gets `invalid_param`, except that an
/// account field that is not a string gets Tencent's dedicated 60015.
pub fn parse_body<T: DeserializeOwned>(body: Value, invalid_param: u32) -> ApiResult<T> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let field = path.rsplit('.').next().unwrap_or_default();
        let names_account = field == "UserID"
            || field == "Identifier"
            || field.ends_with("_Account")
            || field.starts_with("Accounts[");
        if names_account && inner.starts_with("invalid type") && inner.contains("expected a string")
        {
            return ApiError::new(
                codes::ACCOUNT_NOT_STRING,
                format!("{path}: {inner}; account fields must be strings"),
            );
        }
        if path == "." {
            ApiError::new(invalid_param, inner)
        } else {
            ApiError::new(invalid_param, format!("{path}: {inner}"))
        }
    })
}

/// Builds the HTTP 200 reply: `ActionStatus`, `ErrorCode`, `ErrorInfo`, `ErrorDisplay` where the
/// service has it, then the API's own fields.
pub fn reply(result: ApiResult<Value>, rules: Option<ServiceRules>) -> Response {
    let mut out = Map::new();
    match &result {
        Ok(_) => {
            out.insert("ActionStatus".into(), "OK".into());
            out.insert("ErrorCode".into(), 0.into());
            out.insert("ErrorInfo".into(), "".into());
        }
        Err(e) => {
            out.insert("ActionStatus".into(), "FAIL".into());
            out.insert("ErrorCode".into(), e.code.into());
            out.insert("ErrorInfo".into(), e.info.clone().into());
        }
    }
    if rules.is_some_and(|r| r.error_display) {
        out.insert("ErrorDisplay".into(), "".into());
    }
    if let Ok(Value::Object(fields)) = result {
        out.extend(fields);
    }
    let body = serde_json::to_vec(&Value::Object(out)).expect("a JSON map always serialises");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Turns a typed response struct into the API's fields.
pub fn fields<T: serde::Serialize>(value: T) -> ApiResult<Value> {
    serde_json::to_value(value).map_err(|e| ApiError::new(codes::SERVICE_TIMEOUT, e.to_string()))
}
