//! One-to-one message extensions (`openim_msg_ext_http_svc/get_key_values`, `set_key_values`):
//! key-value pairs attached to a message sent with `SupportMessageExtension` 1. Every change is
//! one new version (`Seq`) of the message's extensions; the REST API acts as an administrator,
//! so the `Seq` a client would use to detect concurrent writes is not checked.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
pub use natter_store::{ExtensionChange, ExtensionItem};
use natter_store::{ExtensionOutcome, ExtensionRead, Extensions};

use super::edit::{no_such_message, MessageTarget};
use super::MessageService;
use crate::internal;

/// Most keys one message holds.
pub const MAX_KEYS_PER_MESSAGE: usize = 300;
/// Most keys one set or delete names.
pub const MAX_KEYS_PER_CHANGE: usize = 20;
/// Most keys one pull returns.
pub const MAX_KEYS_PER_PULL: usize = 200;
pub const MAX_KEY_BYTES: usize = 100;
pub const MAX_VALUE_BYTES: usize = 1000;

/// One pull: the keys and whether every key from the start was returned.
#[derive(Debug, Clone)]
pub struct ExtensionPage {
    pub extensions: Extensions,
    pub complete: bool,
}

fn not_enabled() -> ApiError {
    ApiError::new(
        codes::C2C_BAD_PARAM,
        "the message was not sent with SupportMessageExtension 1",
    )
}

impl MessageService {
    pub async fn extensions(
        &self,
        app: &AppSettings,
        target: MessageTarget,
        start_seq: u64,
    ) -> ApiResult<ExtensionPage> {
        let target = self.resolve(app, target).await?;
        let read = self
            .store
            .c2c_extensions(app.sdkappid, target, start_seq, MAX_KEYS_PER_PULL + 1)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        match read {
            ExtensionRead::Found(mut extensions) => {
                let complete = extensions.items.len() <= MAX_KEYS_PER_PULL;
                extensions.items.truncate(MAX_KEYS_PER_PULL);
                Ok(ExtensionPage {
                    extensions,
                    complete,
                })
            }
            ExtensionRead::NoMessage => Err(no_such_message()),
            ExtensionRead::NotEnabled => Err(not_enabled()),
        }
    }

    /// Applies a set (1), delete (2) or clear (3); returns the keys written or removed with the
    /// new version.
    pub async fn change_extensions(
        &self,
        app: &AppSettings,
        target: MessageTarget,
        change: ExtensionChange,
    ) -> ApiResult<Vec<ExtensionItem>> {
        let keys: Vec<&String> = match &change {
            ExtensionChange::Set(pairs) => {
                for (key, value) in pairs {
                    if value.len() > MAX_VALUE_BYTES {
                        return Err(ApiError::new(
                            codes::C2C_BAD_PARAM,
                            format!("the value of {key:?} is {} bytes; at most {MAX_VALUE_BYTES} are allowed", value.len()),
                        ));
                    }
                }
                pairs.iter().map(|(k, _)| k).collect()
            }
            ExtensionChange::Delete(keys) => keys.iter().collect(),
            ExtensionChange::Clear => Vec::new(),
        };
        if !matches!(change, ExtensionChange::Clear) && keys.is_empty() {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "ExtensionList is empty",
            ));
        }
        if keys.len() > MAX_KEYS_PER_CHANGE {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "{} keys in ExtensionList; at most {MAX_KEYS_PER_CHANGE} are allowed",
                    keys.len()
                ),
            ));
        }
        for key in &keys {
            if key.is_empty() || key.len() > MAX_KEY_BYTES {
                return Err(ApiError::new(
                    codes::C2C_BAD_PARAM,
                    format!("key {key:?} must be 1 to {MAX_KEY_BYTES} bytes"),
                ));
            }
        }
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != keys.len() {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "a key appears twice in ExtensionList",
            ));
        }
        let target = self.resolve(app, target).await?;
        let outcome = self
            .store
            .change_c2c_extensions(app.sdkappid, target, change, MAX_KEYS_PER_MESSAGE)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        match outcome {
            ExtensionOutcome::Changed(items) => Ok(items),
            ExtensionOutcome::NoMessage => Err(no_such_message()),
            ExtensionOutcome::NotEnabled => Err(not_enabled()),
            ExtensionOutcome::TooManyKeys => Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("a message holds at most {MAX_KEYS_PER_MESSAGE} extension keys"),
            )),
        }
    }
}
