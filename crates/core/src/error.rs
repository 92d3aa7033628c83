use std::fmt;

use serde_json::{Map, Value};

/// A Tencent-style failure: the `ErrorCode` and `ErrorInfo` of the reply envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: u32,
    pub info: String,
    /// Fields a refusal carries besides the code (the stored message with an edit conflict):
    /// the envelope adds them after its own, which they never replace. Boxed so that an
    /// `ApiResult` stays small on the common path.
    pub details: Option<Box<Map<String, Value>>>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: u32, info: impl Into<String>) -> Self {
        Self {
            code,
            info: info.into(),
            details: None,
        }
    }

    /// The same refusal carrying `fields` in its reply ([`ApiError::details`]).
    pub fn with_details(mut self, fields: Map<String, Value>) -> Self {
        self.details = Some(Box::new(fields));
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.info)
    }
}

impl std::error::Error for ApiError {}
