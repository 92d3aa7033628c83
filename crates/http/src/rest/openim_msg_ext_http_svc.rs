//! `v4/openim_msg_ext_http_svc/*`: message extensions of one-to-one messages (Tencent pages
//! 1047/51194, 1047/51195) and of group messages (1047/52169, 1047/52170). Both answer the
//! same shapes.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::extensions::{ExtensionChange, ExtensionItem, ExtensionPage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::handler::HandlerFuture;
use crate::handler::{fields, Ctx};
use crate::rest::openim::message_target;

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
        let page = ctx
            .services
            .messages
            .extensions(&ctx.app, target, start_seq(&body)?)
            .await?;
        get_reply(page)
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

/// The `OperateType` and `ExtensionList` of a set request.
fn change_of(body: &serde_json::Map<String, Value>, ctx: &Ctx) -> ApiResult<ExtensionChange> {
    let list = entries(body, ctx)?;
    match body.get("OperateType").and_then(Value::as_u64) {
        Some(1) => Ok(ExtensionChange::Set(
            list.into_iter().map(|e| (e.key, e.value)).collect(),
        )),
        Some(2) => Ok(ExtensionChange::Delete(
            list.into_iter().map(|e| e.key).collect(),
        )),
        Some(3) => Ok(ExtensionChange::Clear),
        _ => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            "OperateType must be 1 (set), 2 (delete) or 3 (clear)",
        )),
    }
}

fn start_seq(body: &serde_json::Map<String, Value>) -> ApiResult<u64> {
    match body.get("StartSeq") {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v.as_u64().ok_or_else(|| {
            ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("StartSeq must be an integer, got {v}"),
            )
        }),
    }
}

fn get_reply(page: ExtensionPage) -> ApiResult<Value> {
    fields(GetReply {
        complete_flag: u32::from(page.complete),
        latest_seq: page.extensions.latest_seq,
        clear_seq: page.extensions.clear_seq,
        extension_list: page.extensions.items.into_iter().map(Into::into).collect(),
    })
}

fn set_reply(changed: Vec<ExtensionItem>) -> ApiResult<Value> {
    fields(SetReply {
        extension_list: changed
            .into_iter()
            .map(|item| ItemResult {
                error_code: 0,
                extension: item.into(),
            })
            .collect(),
    })
}

pub fn set_key_values(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let body = body.as_object().cloned().unwrap_or_default();
        let target = message_target(&body, Some(&ctx.identifier))?;
        let change = change_of(&body, &ctx)?;
        let changed = ctx
            .services
            .messages
            .change_extensions(&ctx.app, target, change)
            .await?;
        set_reply(changed)
    })
}

/// Which group message a group extension call is about.
#[derive(Deserialize)]
struct GroupMessageRef {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MsgSeq")]
    msg_seq: u64,
}

pub fn group_get_key_values(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let target = ctx.parse::<GroupMessageRef>(body.clone())?;
        let body = body.as_object().cloned().unwrap_or_default();
        let page = ctx
            .services
            .groups
            .message_extensions(
                &ctx.app,
                &target.group_id,
                target.msg_seq,
                start_seq(&body)?,
            )
            .await?;
        get_reply(page)
    })
}

pub fn group_set_key_values(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let target = ctx.parse::<GroupMessageRef>(body.clone())?;
        let body = body.as_object().cloned().unwrap_or_default();
        let change = change_of(&body, &ctx)?;
        let changed = ctx
            .services
            .groups
            .change_message_extensions(&ctx.app, &target.group_id, target.msg_seq, change)
            .await?;
        set_reply(changed)
    })
}
