//! Natter core: the vocabulary every other crate shares.
//!
//! Tencent's error codes are the domain's language (an app backend branches on them), so they live
//! here rather than in the HTTP layer: services return [`ApiError`] with the code Tencent documents.

pub mod app;
pub mod clock;
pub mod codes;
pub mod error;
pub mod group;
pub mod ids;
pub mod message;
pub mod ops;

pub use app::{
    is_custom_field_name, AppSettings, CustomDataField, CustomFieldKind, CustomProfileField,
    LocalWord, LoginPolicy, DEFAULT_RECALL_WINDOW_SECS,
};
pub use clock::Clock;
pub use error::{ApiError, ApiResult};
pub use group::GroupType;

/// A Tencent SDKAppID. Every piece of data belongs to exactly one.
pub type AppId = u64;
