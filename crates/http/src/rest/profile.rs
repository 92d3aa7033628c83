//! `v4/profile/*`: profiles.

use natter_core::{codes, ApiError, ApiResult};

use crate::handler::Ctx;
use crate::wire::profile::{PortraitGet, PortraitGetReply, PortraitSet, TagValue, UserProfileItem};

pub async fn portrait_set(ctx: Ctx, req: PortraitSet) -> ApiResult<()> {
    let items = req
        .profile_item
        .into_iter()
        .map(|i| (i.tag, i.value))
        .collect();
    ctx.services
        .profiles
        .set(
            &ctx.app,
            &ctx.identifier,
            &ctx.origin(),
            req.from_account,
            items,
        )
        .await?;
    Ok(())
}

pub async fn portrait_get(ctx: Ctx, req: PortraitGet) -> ApiResult<PortraitGetReply> {
    let to_account = req
        .to_account
        .ok_or_else(|| ApiError::new(codes::PROFILE_NO_TARGET, "To_Account is missing"))?;
    let profiles = ctx
        .services
        .profiles
        .get(&ctx.app, to_account, req.tag_list)
        .await?;
    let mut reply = PortraitGetReply {
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
    Ok(reply)
}
