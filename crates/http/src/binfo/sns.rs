//! The SDK's relationship commands (`sns.*`) that are not the REST API's own: a user's friend
//! requests and answers (which pass the app's before-callbacks and the target's `AllowType`, as
//! `/ws`'s do), the requests waiting in and out, and the edits of one friend list. Each is run
//! through [`as_user`], so the body's `From_Account` must be the logged-in user. The commands
//! that are the REST API's (`friend_delete`, `friend_update`, `friend_check`, `group_add`,
//! `group_delete`, `black_list_add`, `black_list_delete`) run the REST handler in the table.

use std::collections::HashMap;

use natter_core::{codes, ApiError, ApiResult};
use natter_services::relations::{RequestSide, ADD_SOURCE, ADD_TIME, ADD_WORDING, GROUP, REMARK};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::commands::as_user;
use crate::handler::Ctx;
use crate::rest::sns;
use crate::wire::sns::{
    BatchReply, ClientFriendAdd, ClientFriendResponse, FriendGetList, ResultItem,
};

const COME_IN: &str = "Pendency_Type_ComeIn";
const SEND_OUT: &str = "Pendency_Type_SendOut";
const BOTH: &str = "Pendency_Type_Both";
/// The profile fields a request item shows of the other user.
const NICK: &str = "Tag_Profile_IM_Nick";
const IMAGE: &str = "Tag_Profile_IM_Image";

/// `sns.friend_add` (`addFriend`): a friend request from the user. The target's `AllowType`
/// decides: added at once, a request filed (30539 for that item, which the SDK reports as
/// "waiting"), or refused.
pub(super) async fn friend_add(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: ClientFriendAdd| async move {
            let (items, add_type) = req.into_parts();
            let outcome = ctx
                .services
                .relations
                .request_friends(
                    &ctx.app,
                    ctx.identifier.clone(),
                    items,
                    add_type.as_deref(),
                    &ctx.origin,
                )
                .await?;
            Ok(BatchReply::from(outcome))
        },
    )
    .await
}

/// `sns.friend_response` (`acceptFriendApplication`, `refuseFriendApplication`): the user's
/// answers to the requests waiting for them.
pub(super) async fn friend_response(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: ClientFriendResponse| async move {
            let responses = req.into_responses()?;
            let outcome = ctx
                .services
                .relations
                .respond_to_requests(&ctx.app, ctx.identifier.clone(), responses, &ctx.origin)
                .await?;
            Ok(BatchReply::from(outcome))
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FriendGetSpecified {
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    /// The SDK sends none: then every friend field the app has.
    tag_list: Option<Vec<String>>,
}

/// `sns.friend_get_specified` (`getFriendProfile`): `friend_get_list` with every friend field
/// when the SDK names none.
pub(super) async fn friend_get_specified(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FriendGetSpecified| async move {
            let tag_list = req.tag_list.unwrap_or_else(|| {
                let mut tags: Vec<String> = [ADD_SOURCE, REMARK, GROUP, ADD_WORDING, ADD_TIME]
                    .iter()
                    .map(|t| (*t).to_owned())
                    .collect();
                tags.extend(
                    ctx.app
                        .custom_friend_fields
                        .iter()
                        .map(|f| format!("Tag_SNS_Custom_{}", f.name)),
                );
                tags
            });
            let request = FriendGetList {
                from_account: ctx.identifier.clone(),
                to_account: req.to_account,
                tag_list,
            };
            sns::friend_get_list(ctx, request).await
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PendencyGet {
    /// `Pendency_Type_ComeIn`, `Pendency_Type_SendOut` or `Pendency_Type_Both` (the default).
    pendency_type: Option<String>,
}

/// Which requests a `PendencyType` names (`None`: both ways).
fn pendency_side(value: Option<&str>) -> ApiResult<Option<RequestSide>> {
    match value {
        None | Some("") | Some(BOTH) => Ok(None),
        Some(COME_IN) => Ok(Some(RequestSide::Incoming)),
        Some(SEND_OUT) => Ok(Some(RequestSide::Outgoing)),
        Some(other) => Err(ApiError::new(
            codes::SNS_INVALID_PARAM,
            format!("PendencyType {other:?} is not {COME_IN}, {SEND_OUT} or {BOTH}"),
        )),
    }
}

/// `sns.pendency_get` (`getFriendApplicationList`): every request waiting, sent to the user
/// (`Pendency_Type_ComeIn`) or by them (`Pendency_Type_SendOut`), newest first, each with the
/// other user's nickname and avatar; the requests to the user that came after the user last
/// marked them read (`sns.pendency_report`) count as unread.
pub(super) async fn pendency_get(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: PendencyGet| async move {
            let side = pendency_side(req.pendency_type.as_deref())?;
            let me = ctx.identifier.clone();
            let requests = ctx
                .services
                .relations
                .pending_requests(&ctx.app, &me)
                .await?;
            let unread = ctx
                .services
                .relations
                .unread_requests(&ctx.app, &me, &requests)
                .await?;
            let requests: Vec<_> = requests
                .into_iter()
                .map(|r| {
                    let incoming = r.target == me;
                    (incoming, r)
                })
                .filter(|(incoming, _)| match side {
                    None => true,
                    Some(RequestSide::Incoming) => *incoming,
                    Some(RequestSide::Outgoing) => !*incoming,
                })
                .collect();
            let mut peers: Vec<String> = requests
                .iter()
                .map(|(incoming, r)| {
                    if *incoming {
                        r.requester.clone()
                    } else {
                        r.target.clone()
                    }
                })
                .collect();
            peers.sort();
            peers.dedup();
            let mut shown: HashMap<String, (Value, Value)> = HashMap::new();
            for chunk in peers.chunks(natter_services::profiles::MAX_GET_ACCOUNTS) {
                let profiles = ctx
                    .services
                    .profiles
                    .get(&ctx.app, chunk.to_vec(), vec![NICK.into(), IMAGE.into()])
                    .await?;
                for profile in profiles {
                    let value = |tag: &str| {
                        profile
                            .items
                            .iter()
                            .flatten()
                            .find(|v| v.tag == tag)
                            .map_or_else(|| json!(""), |v| v.value.clone())
                    };
                    let entry = (value(NICK), value(IMAGE));
                    shown.insert(profile.user_id.clone(), entry);
                }
            }
            let items: Vec<Value> = requests
                .into_iter()
                .map(|(incoming, r)| {
                    let peer = if incoming { &r.requester } else { &r.target };
                    let (nick, image) = shown
                        .get(peer)
                        .cloned()
                        .unwrap_or_else(|| (json!(""), json!("")));
                    json!({
                        "To_Account": peer,
                        "PendencyType": if incoming { COME_IN } else { SEND_OUT },
                        "AddSource": r.add_source,
                        "AddWording": r.add_wording,
                        "AddTime": r.created,
                        "Nick": nick,
                        "Image": image,
                    })
                })
                .collect();
            Ok(json!({
                "PendencyItem": items,
                "UnreadPendencyCount": unread,
                "StartTime": 0,
                "CurrentSequence": 0,
            }))
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PendencyDelete {
    /// `Pendency_Type_ComeIn` (the SDK's default) or `Pendency_Type_SendOut`.
    pendency_type: Option<String>,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
}

/// `sns.pendency_delete` (`deleteFriendApplication`): drops requests sent to the user without
/// answering them, or withdraws the user's own; 30614 for one that does not wait.
pub(super) async fn pendency_delete(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: PendencyDelete| async move {
            let side = pendency_side(req.pendency_type.as_deref())?.ok_or_else(|| {
                ApiError::new(
                    codes::SNS_INVALID_PARAM,
                    format!("PendencyType must be {COME_IN} or {SEND_OUT}"),
                )
            })?;
            let outcome = ctx
                .services
                .relations
                .delete_requests(&ctx.app, ctx.identifier.clone(), side, req.to_account)
                .await?;
            Ok(BatchReply::from(outcome))
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateGroupItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    update_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupUpdate {
    group_old_name: String,
    group_new_name: Option<String>,
    #[serde(default)]
    update_group_item: Vec<UpdateGroupItem>,
}

const UPDATE_ADD: &str = "Update_Type_Add";
const UPDATE_DELETE: &str = "Update_Type_Delete";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateResult {
    #[serde(flatten)]
    result: ResultItem,
    update_type: String,
}

/// `sns.group_update` (`renameFriendGroup`, `addToFriendGroup`, `removeFromFriendGroup`): one
/// friend list renamed, or friends put in it or taken out (each result with its `UpdateType`).
pub(super) async fn group_update(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: GroupUpdate| async move {
            let mut members = Vec::with_capacity(req.update_group_item.len());
            for item in &req.update_group_item {
                let add = match item.update_type.as_str() {
                    UPDATE_ADD => true,
                    UPDATE_DELETE => false,
                    other => {
                        return Err(ApiError::new(
                            codes::SNS_INVALID_PARAM,
                            format!("UpdateType {other:?} is not {UPDATE_ADD} or {UPDATE_DELETE}"),
                        ))
                    }
                };
                members.push((item.to_account.clone(), add));
            }
            let new_name = req.group_new_name.filter(|n| !n.is_empty());
            let outcome = ctx
                .services
                .relations
                .update_list(
                    &ctx.app,
                    ctx.identifier.clone(),
                    req.group_old_name,
                    new_name,
                    members,
                )
                .await?;
            let fail_account = outcome.failed();
            let results: Vec<UpdateResult> = outcome
                .results
                .into_iter()
                .zip(req.update_group_item)
                .map(|(result, item)| UpdateResult {
                    result: result.into(),
                    update_type: item.update_type,
                })
                .collect();
            let mut reply = json!({
                "ResultItem": results,
                "CurrentSequence": outcome.list_sequence,
            });
            if !fail_account.is_empty() {
                reply["Fail_Account"] = fail_account.into();
            }
            Ok(reply)
        },
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PendencyReport {
    /// Unix seconds: requests to the user until then are read.
    latest_pendency_time_stamp: i64,
}

/// `sns.pendency_report` (`setFriendApplicationRead`): the requests to the user until
/// `LatestPendencyTimeStamp` are read, so `pendency_get`'s `UnreadPendencyCount` leaves them out.
pub(super) async fn pendency_report(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: PendencyReport| async move {
            ctx.services
                .relations
                .mark_requests_read(&ctx.app, &ctx.identifier, req.latest_pendency_time_stamp)
                .await?;
            Ok(Value::Null)
        },
    )
    .await
}
