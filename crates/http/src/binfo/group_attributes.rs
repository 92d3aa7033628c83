//! The SDK's custom group attributes (`*_group_attr`) and group counters (`*_group_counter`):
//! any member writes and reads them (Tencent leaves who may to the app), through the REST
//! API's services, so the same limits, codes and webhooks apply. The SDK names the attribute
//! sequence it last saw (`AttrMainSeq`) with `AttrControl: ["RaceConflict"]`: a write after
//! someone else's is refused with 10056, and the SDK reads the attributes again.

use natter_core::ApiResult;
use natter_services::groups::permissions::ClientAction;
use natter_services::groups::{AttrChange, Attributes, CounterMode, Counters};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// The race check's name in `AttrControl`.
const RACE_CONFLICT: &str = "RaceConflict";

#[derive(Deserialize)]
struct AttrItem {
    key: String,
    #[serde(default)]
    value: String,
}

/// `set_group_attr`, `modify_group_attr`, `delete_group_attr` and `clear_group_attr`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttrWrite {
    group_id: String,
    #[serde(default)]
    group_attr: Vec<AttrItem>,
    attr_main_seq: Option<u64>,
    #[serde(default)]
    attr_control: Vec<String>,
}

fn attr_list(attrs: &[(String, String)]) -> Vec<Value> {
    attrs
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect()
}

async fn write(ctx: Ctx, body: Value, change: AttrChange) -> ApiResult<Value> {
    let req: AttrWrite = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::WriteGroupData,
        )
        .await?;
    let expected = req
        .attr_control
        .iter()
        .any(|c| c == RACE_CONFLICT)
        .then_some(req.attr_main_seq.unwrap_or(0));
    let attrs = req
        .group_attr
        .into_iter()
        .map(|a| (a.key, a.value))
        .collect();
    let written = groups
        .change_attributes(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            change,
            attrs,
            expected,
            &ctx.origin,
        )
        .await?;
    Ok(json!({
        "AttrMainSeq": written.seq,
        "GroupAttr": attr_list(&written.attrs),
    }))
}

/// `set_group_attr` (`initGroupAttributes`): the attributes become these.
pub(super) async fn set_group_attr(ctx: Ctx, body: Value) -> ApiResult<Value> {
    write(ctx, body, AttrChange::Set).await
}

/// `modify_group_attr` (`setGroupAttributes`): these are added or changed.
pub(super) async fn modify_group_attr(ctx: Ctx, body: Value) -> ApiResult<Value> {
    write(ctx, body, AttrChange::Modify).await
}

/// `delete_group_attr` (`deleteGroupAttributes` with keys).
pub(super) async fn delete_group_attr(ctx: Ctx, body: Value) -> ApiResult<Value> {
    write(ctx, body, AttrChange::Delete).await
}

/// `clear_group_attr` (`deleteGroupAttributes` without keys).
pub(super) async fn clear_group_attr(ctx: Ctx, body: Value) -> ApiResult<Value> {
    write(ctx, body, AttrChange::Clear).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupRef {
    group_id: String,
}

/// `group_open_attr_http_svc.get_group_attr` (`getGroupAttributes`): every attribute and the
/// sequence, for members.
pub(super) async fn get_group_attr(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupRef = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let Attributes { seq, attrs } = groups.attributes(&ctx.app, &req.group_id).await?;
    Ok(json!({"AttrMainSeq": seq, "GroupAttrAry": attr_list(&attrs)}))
}

/// One counter, as the SDK and the REST API spell it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CounterItem {
    key: String,
    value: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateGroupCounter {
    group_id: String,
    #[serde(default)]
    group_counter: Vec<CounterItem>,
    mode: Option<String>,
}

fn counters_reply(counters: Counters) -> Value {
    let list: Vec<Value> = counters
        .counters
        .iter()
        .map(|(key, value)| json!({"Key": key, "Value": value}))
        .collect();
    json!({"GroupCounter": list, "GroupCounterSeq": counters.seq})
}

/// `update_group_counter` (`setGroupCounters`, `increaseGroupCounter`,
/// `decreaseGroupCounter`): the new values; every member online, the writer included, gets
/// GROUP_COUNTER_UPDATED from the push.
pub(super) async fn update_group_counter(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: UpdateGroupCounter = ctx.parse(body)?;
    let mode = CounterMode::parse(req.mode.as_deref())?;
    let groups = &ctx.services.groups;
    groups
        .authorize(
            &ctx.app,
            &req.group_id,
            &ctx.identifier,
            ClientAction::WriteGroupData,
        )
        .await?;
    let values = req
        .group_counter
        .into_iter()
        .map(|c| (c.key, c.value))
        .collect();
    let counters = groups
        .update_counters(&ctx.app, &req.group_id, mode, values)
        .await?;
    Ok(counters_reply(counters))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetGroupCounter {
    group_id: String,
    /// Empty: every counter.
    #[serde(default)]
    group_counter_keys: Vec<String>,
}

/// `get_group_counter` (`getGroupCounters`): the named counters, or all, for members.
pub(super) async fn get_group_counter(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetGroupCounter = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    groups
        .authorize(&ctx.app, &req.group_id, &ctx.identifier, ClientAction::Read)
        .await?;
    let keys = (!req.group_counter_keys.is_empty()).then_some(req.group_counter_keys);
    let counters = groups.counters(&ctx.app, &req.group_id, keys).await?;
    Ok(counters_reply(counters))
}
