//! The Tencent reply envelope, the per-service rules that shape it, and how a request body is read
//! into its typed request. It depends on nothing else in this crate, so the REST dispatcher, the
//! handlers, the client gateway and the control plane can all use it.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use natter_core::{codes, ApiError, ApiResult};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// What differs between Tencent's services in the envelope and in generic failures.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRules {
    /// Code for a missing field or a field of the wrong type.
    pub invalid_param: u32,
    /// Whether replies carry `ErrorDisplay` (Tencent adds it on profile, sns, recentcontact).
    pub error_display: bool,
    /// Code for a failure of the server itself ("internal error, try again").
    pub internal: u32,
}

impl ServiceRules {
    pub fn of(service: &str) -> Self {
        let (invalid_param, error_display, internal) = match service {
            "im_open_login_svc" => (codes::ACCOUNT_INVALID_PARAM, false, codes::ACCOUNT_INTERNAL),
            "profile" => (codes::PROFILE_INVALID_PARAM, true, codes::PROFILE_INTERNAL),
            "sns" | "follow" => (30001, true, codes::SNS_INTERNAL),
            "recentcontact" => (50002, true, codes::CONVERSATION_INTERNAL),
            "openim" | "openim_msg_ext_http_svc" | "all_member_push" => {
                (90001, false, codes::C2C_INTERNAL)
            }
            // Neither page lists codes of its own: the profile service's (see mutes.rs).
            "openconfigsvr" => (codes::PROFILE_INVALID_PARAM, false, codes::PROFILE_INTERNAL),
            "openim_robot_http_svc" => (10004, false, codes::GROUP_INTERNAL),
            "group_open_http_svc"
            | "group_open_attr_http_svc"
            | "group_open_avchatroom_http_svc"
            | "million_group_open_http_svc" => (10004, false, codes::GROUP_INTERNAL),
            // Cloud search (the Web SDK's `searchCloud*`; no REST API).
            "message_search" | "user_search" | "group_search" | "group_member_search" => {
                (codes::SEARCH_INVALID_PARAM, false, codes::C2C_INTERNAL)
            }
            // Tencent's "internal server error, try again" of the account and REST framework.
            _ => (codes::INVALID_JSON, false, codes::ACCOUNT_INTERNAL),
        };
        Self {
            invalid_param,
            error_display,
            internal,
        }
    }
}

/// Reads `body` into `T`: a wrong type or a missing field gets `invalid_param`, except that an
/// account field that is not a string gets Tencent's dedicated 60015.
pub fn parse_body<T: DeserializeOwned>(body: Value, invalid_param: u32) -> ApiResult<T> {
    if let Some(path) = nul_at(&body, &mut String::new()) {
        return Err(ApiError::new(
            invalid_param,
            format!("{path}: text must not contain the NUL character (U+0000)"),
        ));
    }
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

/// Where the first string holding U+0000 is (`MsgBody[0].MsgContent.Text`), if any. PostgreSQL
/// cannot store that character in text and SQLite can, so every text field of every request
/// refuses it, the same on both engines, before anything is read or written.
fn nul_at(value: &Value, path: &mut String) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then(|| path.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = nul_at(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = if key.contains('\0') {
                Some(path.clone())
            } else {
                nul_at(item, path)
            };
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// The envelope of an outcome: `ActionStatus`, `ErrorCode`, `ErrorInfo`, `ErrorDisplay` where
/// the service has it, then the API's own fields. REST, `/ws` and `/binfo` all answer with it.
pub fn envelope(result: ApiResult<Value>, rules: Option<ServiceRules>) -> Map<String, Value> {
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
    match result {
        Ok(Value::Object(fields)) => out.extend(fields),
        Err(ApiError {
            details: Some(fields),
            ..
        }) => {
            for (name, value) in *fields {
                // A refusal's fields never stand in for the envelope's own.
                if !matches!(name.as_str(), "ActionStatus" | "ErrorCode" | "ErrorInfo") {
                    out.insert(name, value);
                }
            }
        }
        _ => {}
    }
    out
}

/// Builds the HTTP 200 reply of a REST call.
pub fn reply(result: ApiResult<Value>, rules: Option<ServiceRules>) -> Response {
    let body = serde_json::to_vec(&Value::Object(envelope(result, rules)))
        .expect("a JSON map always serialises");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_refusal_carries_its_fields_after_the_envelopes_own() {
        let fields = json!({ "MsgVersion": 3, "ErrorCode": 0, "ActionStatus": "OK" });
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        let refusal = ApiError::new(20027, "modified since").with_details(fields);
        let out = envelope(Err(refusal), None);
        assert_eq!(out["ActionStatus"], "FAIL");
        assert_eq!(out["ErrorCode"], 20027);
        assert_eq!(out["ErrorInfo"], "modified since");
        assert_eq!(out["MsgVersion"], 3);
        let names: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["ActionStatus", "ErrorCode", "ErrorInfo", "MsgVersion"]
        );
    }

    #[test]
    fn a_plain_refusal_has_the_envelope_only() {
        let out = envelope(
            Err(ApiError::new(90001, "bad")),
            ServiceRules::of("profile").into(),
        );
        let names: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["ActionStatus", "ErrorCode", "ErrorInfo", "ErrorDisplay"]
        );
    }
}
