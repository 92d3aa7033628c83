//! `v4/openim/*`: one-to-one messages (Tencent pages 1047/34919, 1047/34920, 1047/35014,
//! 1047/47722, 1047/47948, 1047/35478, 1047/35015, 1047/38996, 1047/41046, 1047/35477; bodies
//! 1047/33527).
//!
//! Most fields of the message APIs have their own error code when they have the wrong type, so
//! they are read as [`Field`](super::Field)s and checked, in Tencent's order, by the
//! conversions in each area.

mod edit;
mod history;
mod send;
mod status;
#[cfg(test)]
mod tests;

use natter_core::{codes, ApiError, ApiResult};
use serde::Serialize;
use serde_json::Value;

use super::Field;

pub use edit::*;
pub use history::*;
pub use send::*;
pub use status::*;

/// An optional field that must be an unsigned 32-bit integer when present.
pub(crate) fn opt_u32(field: Option<Field<u32>>, name: &str, code: u32) -> ApiResult<Option<u32>> {
    match field {
        None => Ok(None),
        Some(Field::Valid(n)) => Ok(Some(n)),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            code,
            format!("{name} must be an integer from 0 to 4294967295, got {v}"),
        )),
    }
}

/// An optional field that must be a string when present.
pub(crate) fn opt_str(
    field: Option<Field<String>>,
    name: &str,
    code: u32,
) -> ApiResult<Option<String>> {
    match field {
        None => Ok(None),
        Some(Field::Valid(s)) => Ok(Some(s)),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            code,
            format!("{name} must be a string, got {v}"),
        )),
    }
}

/// A required string field, `code` when missing or not a string.
pub(crate) fn req_str(field: Option<Field<String>>, name: &str, code: u32) -> ApiResult<String> {
    opt_str(field, name, code)?.ok_or_else(|| ApiError::new(code, format!("{name} is missing")))
}

/// An optional list of strings (empty when absent).
fn str_list(field: Option<Field<Vec<String>>>, name: &str) -> ApiResult<Vec<String>> {
    match field {
        None => Ok(Vec::new()),
        Some(Field::Valid(items)) => Ok(items),
        Some(Field::Invalid(Value::Array(_))) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("{name} must be a list of strings"),
        )),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("{name} must be a list of strings, got {v}"),
        )),
    }
}

/// An account a call failed for, and why.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AccountError {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub error_code: u32,
}
