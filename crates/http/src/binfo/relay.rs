//! The SDK's merged messages too large to send whole (`createMergerMessage`,
//! `downloadMergerMessage`): `im_long_msg.save_relay_json_msg` keeps the list of messages and
//! answers its key, `get_relay_json_msg` gives the list back (see
//! `natter_services::files::relay`).

use natter_core::ApiResult;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

#[derive(Deserialize)]
struct SaveRelay {
    #[serde(rename = "MsgList")]
    messages: Vec<Value>,
}

/// `im_long_msg.save_relay_json_msg`: the key (`JsonMsgKey`, also as `PbMsgKey`) the SDK puts
/// in the merged message it then sends.
pub(super) async fn save_relay_json_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: SaveRelay = ctx.parse(body)?;
    let key = ctx
        .services
        .files
        .save_relay(&ctx.app, &ctx.identifier, &req.messages)
        .await?;
    Ok(json!({"JsonMsgKey": key, "PbMsgKey": key}))
}

#[derive(Deserialize)]
struct GetRelay {
    #[serde(rename = "JsonMsgKey")]
    key: String,
}

/// `im_long_msg.get_relay_json_msg`: the messages saved under `JsonMsgKey`.
pub(super) async fn get_relay_json_msg(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetRelay = ctx.parse(body)?;
    let messages = ctx.services.files.load_relay(&ctx.app, &req.key).await?;
    Ok(json!({"MsgList": messages}))
}
