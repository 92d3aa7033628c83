//! `v4/openim_msg_ext_http_svc/*`: one-to-one message extensions (Tencent pages 1047/51194,
//! 1047/51195). The group variants come with the group messages.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::extensions::{ExtensionChange, ExtensionItem};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{fields, Ctx};
use crate::rest::openim::message_target;
use crate::routes::HandlerFuture;

#[derive(Serialize)]
struct Extension {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
    #[serde(rename = "Seq")]
    seq: u64,
}

impl From<ExtensionItem> for Extension {
    fn from(item: ExtensionItem) -> Self {
        Self {
            key: item.key,
            value: item.value,
            seq: item.seq,
        }
    }
}

#[derive(Serialize)]
struct GetReply {
    #[serde(rename = "CompleteFlag")]
    complete_flag: u32,
    #[serde(rename = "LatestSeq")]
    latest_seq: u64,
    #[serde(rename = "ClearSeq")]
    clear_seq: u64,
    #[serde(rename = "ExtensionList")]
    extension_list: Vec<Extension>,
}

pub fn get_key_values(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let target = message_target(&body, Some(&ctx.identifier))?;
        let start_seq = match body.get("StartSeq") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_u64().ok_or_else(|| {
                ApiError::new(
                    codes::C2C_BAD_PARAM,
                    format!("StartSeq must be an integer, got {v}"),
                )
            })?,
        };
        let page = ctx
            .services
            .messages
            .extensions(&ctx.app, target, start_seq)
            .await?;
        fields(GetReply {
            complete_flag: u32::from(page.complete),
            latest_seq: page.extensions.latest_seq,
            clear_seq: page.extensions.clear_seq,
            extension_list: page.extensions.items.into_iter().map(Into::into).collect(),
        })
    })
}

#[derive(Deserialize)]
struct ExtensionEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
    /// The version the caller last saw; an administrator's write does not check it.
    #[serde(rename = "Seq", default)]
    #[allow(dead_code)]
    seq: Option<u64>,
}

#[derive(Serialize)]
struct ItemResult {
    #[serde(rename = "ErrorCode")]
    error_code: u32,
    #[serde(rename = "Extension")]
    extension: Extension,
}

#[derive(Serialize)]
struct SetReply {
    #[serde(rename = "ExtensionList")]
    extension_list: Vec<ItemResult>,
}

fn entries(body: &serde_json::Map<String, Value>, ctx: &Ctx) -> ApiResult<Vec<ExtensionEntry>> {
    match body.get("ExtensionList") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(list) => ctx.parse(list.clone()),
    }
}

pub fn set_key_values(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let target = message_target(&body, Some(&ctx.identifier))?;
        let list = entries(&body, &ctx)?;
        let change = match body.get("OperateType").and_then(Value::as_u64) {
            Some(1) => ExtensionChange::Set(list.into_iter().map(|e| (e.key, e.value)).collect()),
            Some(2) => ExtensionChange::Delete(list.into_iter().map(|e| e.key).collect()),
            Some(3) => ExtensionChange::Clear,
            _ => {
                return Err(ApiError::new(
                    codes::C2C_BAD_PARAM,
                    "OperateType must be 1 (set), 2 (delete) or 3 (clear)",
                ))
            }
        };
        let changed = ctx
            .services
            .messages
            .change_extensions(&ctx.app, target, change)
            .await?;
        fields(SetReply {
            extension_list: changed
                .into_iter()
                .map(|item| ItemResult {
                    error_code: 0,
                    extension: item.into(),
                })
                .collect(),
        })
    })
}
