//! `v4/group_open_attr_http_svc/*`: reading custom group attributes (1047/44187). The writes
//! live under `group_open_http_svc`, as Tencent's paths have them.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;
use crate::handler::HandlerFuture;

#[derive(Deserialize)]
struct GetRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
}

pub fn get_group_attr(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GetRequest>(body)?;
        let attrs = ctx
            .services
            .groups
            .attributes(&ctx.app, &req.group_id)
            .await?;
        let list: Vec<Value> = attrs
            .into_iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
        Ok(json!({"GroupAttrAry": list}))
    })
}
