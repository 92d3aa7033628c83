//! Merged (relay) messages too large to send whole (the Web SDK's `createMergerMessage` past
//! 11 KB): the SDK saves the list of messages (`im_long_msg.save_relay_json_msg`), sends a
//! merged message carrying the key it got, and the receiver's SDK fetches the list by that key
//! (`get_relay_json_msg`, `downloadMergerMessage`). The list is kept as a file of the app
//! (`application/json`, 128 random bits for its key), so it lives where uploads live, on both
//! engines; anyone of the app with the key reads it, as anyone with a file's URL does.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::StoredFile;
use serde_json::Value;

use super::{store_error, FileService};

/// Most messages one merged message holds (Tencent: 300).
pub const MAX_RELAY_MESSAGES: usize = 300;
/// The content type a saved list is kept with.
const RELAY_CONTENT_TYPE: &str = "application/json";

impl FileService {
    /// Keeps `messages` (the SDK's `MsgList`, kept verbatim) for `owner`; returns its key.
    pub async fn save_relay(
        &self,
        app: &AppSettings,
        owner: &str,
        messages: &[Value],
    ) -> ApiResult<String> {
        if messages.is_empty() || messages.len() > MAX_RELAY_MESSAGES {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "{} messages in MsgList; 1 to {MAX_RELAY_MESSAGES} are allowed",
                    messages.len()
                ),
            ));
        }
        let key = format!("relay-{}", hex::encode(rand::random::<[u8; 16]>()));
        let file = StoredFile {
            content_type: RELAY_CONTENT_TYPE.to_owned(),
            owner: owner.to_owned(),
            created_ms: self.clock.now_ms(),
            bytes: serde_json::to_vec(messages).expect("JSON values serialize"),
        };
        let stored = self
            .store
            .put_file(app.sdkappid, key.clone(), file)
            .await
            .map_err(store_error)?;
        if !stored {
            // 128 random bits never repeat; if they did, nothing was overwritten.
            return Err(ApiError::new(
                codes::C2C_INTERNAL,
                "the merged message's key was taken; save it again",
            ));
        }
        Ok(key)
    }

    /// The list of messages saved under `key`; 90001 when there is none.
    pub async fn load_relay(&self, app: &AppSettings, key: &str) -> ApiResult<Vec<Value>> {
        let not_found = || {
            ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("no merged message has the key {key:?}"),
            )
        };
        if !key.starts_with("relay-") {
            return Err(not_found());
        }
        let file = self.download(app, key).await?.ok_or_else(not_found)?;
        if file.content_type != RELAY_CONTENT_TYPE {
            return Err(not_found());
        }
        serde_json::from_slice(&file.bytes).map_err(|_| not_found())
    }
}
