//! The SDK's follow commands (`follow.*`: `followUser`, `unfollowUser`, the three lists,
//! `getUserFollowInfo`, `checkFollowType`), in the bodies of Tencent's REST API
//! (`wire::follow`). Each is run through [`as_user`], so the body's `From_Account` must be the
//! logged-in user. Changes reach the users concerned as `FollowChange` events, which become the
//! SDK's `FollowChangeList` pushes ([`follow_push`]).

use natter_core::ApiResult;
use serde_json::{json, Map, Value};

use super::commands::as_user;
use crate::handler::Ctx;
use crate::wire::follow::{
    FollowAccounts, FollowAdd, FollowBatchReply, FollowCheckReply, FollowGet, FollowGetInfoReply,
    FollowGetReply,
};

/// `follow.follow_add` (`followUser`).
pub(super) async fn follow_add(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FollowAdd| async move {
            let results = ctx
                .services
                .follows
                .follow(&ctx.app, &ctx.origin, &ctx.identifier, req.targets())
                .await?;
            Ok(FollowBatchReply::from(results))
        },
    )
    .await
}

/// `follow.follow_delete` (`unfollowUser`).
pub(super) async fn follow_delete(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FollowAccounts| async move {
            let results = ctx
                .services
                .follows
                .unfollow(&ctx.app, &ctx.origin, &ctx.identifier, req.to_account)
                .await?;
            Ok(FollowBatchReply::from(results))
        },
    )
    .await
}

/// `follow.follow_get` (`getMyFollowersList`, `getMyFollowingList`, `getMutualFollowersList`).
pub(super) async fn follow_get(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FollowGet| async move {
            let list = req.list()?;
            let page = ctx
                .services
                .follows
                .list(
                    &ctx.app,
                    &ctx.identifier,
                    list,
                    &req.start_cursor,
                    req.want_num,
                )
                .await?;
            Ok(FollowGetReply::from(page))
        },
    )
    .await
}

/// `follow.follow_get_info` (`getUserFollowInfo`: the SDK names the user when the app names
/// no one).
pub(super) async fn follow_get_info(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FollowAccounts| async move {
            let counts = ctx
                .services
                .follows
                .counts(&ctx.app, req.to_account)
                .await?;
            Ok(FollowGetInfoReply::from(counts))
        },
    )
    .await
}

/// `follow.follow_check` (`checkFollowType`).
pub(super) async fn follow_check(ctx: Ctx, body: Value) -> ApiResult<Value> {
    as_user(
        ctx,
        body,
        "From_Account",
        |ctx: Ctx, req: FollowAccounts| async move {
            let types = ctx
                .services
                .follows
                .check(&ctx.app, &ctx.identifier, req.to_account)
                .await?;
            Ok(FollowCheckReply::from(types))
        },
    )
    .await
}

/// `Event` of follow pushes; the SDK goes by the `FollowChangeList` key.
const FOLLOW_EVENT: u32 = 30;
/// The SDK's follow types: its lists that a change touches.
const FANS: u32 = 1;
const FOLLOWING: u32 = 2;
const MUTUAL: u32 = 3;

/// A `FollowChange` event for the connection of `me`: the list of `me`'s that changed (fans
/// for the user followed, follows for the follower's other devices), and the mutual list when
/// the two follow each other (or did until then). The SDK says MY_FOLLOWERS_LIST_UPDATED,
/// MY_FOLLOWING_LIST_UPDATED and MUTUAL_FOLLOWERS_LIST_UPDATED with the other user.
pub fn follow_push(event: &Map<String, Value>, me: &str) -> Option<Value> {
    let follower = event.get("From_Account")?.as_str()?;
    let followee = event.get("To_Account")?.as_str()?;
    let (other, list) = if followee == me {
        (follower, FANS)
    } else if follower == me {
        (followee, FOLLOWING)
    } else {
        return None;
    };
    let is_add = event.get("Followed")?.as_u64()?;
    let mut lists = vec![list];
    if event.get("Mutual")?.as_u64()? == 1 {
        lists.push(MUTUAL);
    }
    let diffs: Vec<Value> = lists
        .into_iter()
        .map(|list| json!({"IsAdd": is_add, "FollowType": list}))
        .collect();
    Some(json!({"EventArray": [{
        "Event": FOLLOW_EVENT,
        "FollowChangeList": [{
            "From_Account": other,
            "FollowTime": event.get("FollowTime"),
            "FollowDiffList": diffs,
        }],
    }]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(followed: u32, mutual: u32) -> Map<String, Value> {
        let frame = json!({"Event": "FollowChange", "From_Account": "alice",
            "To_Account": "bob", "Followed": followed, "Mutual": mutual, "FollowTime": 7});
        serde_json::from_value(frame).unwrap()
    }

    #[test]
    fn each_side_hears_of_its_own_lists() {
        let fan = follow_push(&event(1, 0), "bob").unwrap();
        let item = &fan["EventArray"][0]["FollowChangeList"][0];
        assert_eq!(item["From_Account"], "alice");
        assert_eq!(
            item["FollowDiffList"],
            json!([{"IsAdd": 1, "FollowType": FANS}])
        );
        let mine = follow_push(&event(0, 1), "alice").unwrap();
        let item = &mine["EventArray"][0]["FollowChangeList"][0];
        assert_eq!(item["From_Account"], "bob");
        assert_eq!(
            item["FollowDiffList"],
            json!([{"IsAdd": 0, "FollowType": FOLLOWING}, {"IsAdd": 0, "FollowType": MUTUAL}])
        );
        assert!(follow_push(&event(1, 0), "carol").is_none());
    }
}
