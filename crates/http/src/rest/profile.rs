//! `v4/profile/*`: profiles (Tencent pages 1047/34916, 1047/34917; fields from 1047/33520).

use natter_core::{codes, ApiError};
use natter_webhook::Origin;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{fields, Ctx};
use crate::routes::HandlerFuture;

#[derive(Deserialize, Serialize)]
struct TagValue {
    #[serde(rename = "Tag")]
    tag: String,
    #[serde(rename = "Value")]
    value: Value,
}

#[derive(Deserialize)]
struct SetRequest {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "ProfileItem")]
    profile_item: Vec<TagValue>,
}

pub fn portrait_set(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<SetRequest>(body)?;
        let items = req
            .profile_item
            .into_iter()
            .map(|i| (i.tag, i.value))
            .collect();
        let origin = Origin::rest(ctx.client_ip);
        ctx.services
            .profiles
            .set(&ctx.app, &ctx.identifier, &origin, req.from_account, items)
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct GetRequest {
    #[serde(rename = "To_Account")]
    to_account: Option<Vec<String>>,
    #[serde(rename = "TagList")]
    tag_list: Vec<String>,
}

#[derive(Serialize)]
struct UserProfileItem {
    #[serde(rename = "To_Account")]
    to_account: String,
    #[serde(rename = "ProfileItem", skip_serializing_if = "Option::is_none")]
    profile_item: Option<Vec<TagValue>>,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: String,
}

#[derive(Serialize)]
struct GetReply {
    #[serde(rename = "UserProfileItem")]
    user_profile_item: Vec<UserProfileItem>,
    /// Present only when some account failed, as in Tencent's samples.
    #[serde(rename = "Fail_Account", skip_serializing_if = "Vec::is_empty")]
    fail_account: Vec<String>,
}

pub fn portrait_get(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<GetRequest>(body)?;
        let to_account = req
            .to_account
            .ok_or_else(|| ApiError::new(codes::PROFILE_NO_TARGET, "To_Account is missing"))?;
        let profiles = ctx
            .services
            .profiles
            .get(&ctx.app, to_account, req.tag_list)
            .await?;
        let mut reply = GetReply {
            user_profile_item: Vec::with_capacity(profiles.len()),
            fail_account: Vec::new(),
        };
        for profile in profiles {
            let item = match profile.items {
                Some(items) => UserProfileItem {
                    to_account: profile.user_id,
                    profile_item: Some(
                        items
                            .into_iter()
                            .map(|v| TagValue {
                                tag: v.tag,
                                value: v.value,
                            })
                            .collect(),
                    ),
                    result_code: 0,
                    result_info: String::new(),
                },
                None => {
                    reply.fail_account.push(profile.user_id.clone());
                    UserProfileItem {
                        to_account: profile.user_id,
                        profile_item: None,
                        result_code: codes::PROFILE_ACCOUNT_NOT_FOUND,
                        result_info: "account does not exist".into(),
                    }
                }
            };
            reply.user_profile_item.push(item);
        }
        fields(reply)
    })
}
