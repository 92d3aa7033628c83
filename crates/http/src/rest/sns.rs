//! `v4/sns/*`: friends, friend lists and the blocklist. The wire types are in
//! [`crate::wire::sns`].

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::sns::{
    BatchReply, BlackListAdd, BlackListCheck, BlackListCheckReply, BlackListDelete, BlackListGet,
    BlackListGetReply, BlackListItem, FriendAdd, FriendCheck, FriendCheckReply, FriendDelete,
    FriendDeleteAll, FriendGet, FriendGetList, FriendGetListReply, FriendGetReply, FriendImport,
    FriendUpdate, GroupAdd, GroupAddReply, GroupDelete, GroupDeleteReply, GroupGet, GroupGetReply,
    ListItem, SnsProfileInfo, UserDataItem,
};

pub async fn friend_add(ctx: Ctx, req: FriendAdd) -> ApiResult<BatchReply> {
    let origin = ctx.origin();
    let outcome = ctx
        .services
        .relations
        .add_friends(&ctx.app, req.into_request(ctx.identifier.clone()), &origin)
        .await?;
    Ok(outcome.into())
}

pub async fn friend_import(ctx: Ctx, req: FriendImport) -> ApiResult<BatchReply> {
    let items = req.add_friend_item.into_iter().map(Into::into).collect();
    let outcome = ctx
        .services
        .relations
        .import_friends(&ctx.app, req.from_account, items)
        .await?;
    Ok(outcome.into())
}

pub async fn friend_update(ctx: Ctx, req: FriendUpdate) -> ApiResult<BatchReply> {
    let items = req.update_item.into_iter().map(Into::into).collect();
    let outcome = ctx
        .services
        .relations
        .update_friends(&ctx.app, req.from_account, items)
        .await?;
    Ok(outcome.into())
}

pub async fn friend_delete(ctx: Ctx, req: FriendDelete) -> ApiResult<BatchReply> {
    let outcome = ctx
        .services
        .relations
        .delete_friends(
            &ctx.app,
            req.from_account,
            req.to_account,
            req.delete_type.as_deref(),
            &ctx.origin(),
        )
        .await?;
    Ok(outcome.into())
}

pub async fn friend_delete_all(ctx: Ctx, req: FriendDeleteAll) -> ApiResult<()> {
    ctx.services
        .relations
        .delete_all_friends(
            &ctx.app,
            req.from_account,
            req.delete_type.as_deref(),
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn friend_check(ctx: Ctx, req: FriendCheck) -> ApiResult<FriendCheckReply> {
    let mode = req.mode("CheckResult_Type_")?;
    let found = ctx
        .services
        .relations
        .check_friends(&ctx.app, req.from_account, req.to_account, mode)
        .await?;
    Ok(FriendCheckReply {
        info_item: found.into_iter().map(Into::into).collect(),
    })
}

pub async fn friend_get(ctx: Ctx, req: FriendGet) -> ApiResult<FriendGetReply> {
    let page = ctx
        .services
        .relations
        .get_friends(
            &ctx.app,
            req.from_account,
            req.start_index,
            req.standard_sequence,
            req.custom_sequence,
        )
        .await?;
    Ok(FriendGetReply {
        user_data_item: page
            .friends
            .into_iter()
            .map(|(to_account, values)| UserDataItem {
                to_account,
                value_item: values.into_iter().map(Into::into).collect(),
            })
            .collect(),
        standard_sequence: page.standard_sequence,
        custom_sequence: page.custom_sequence,
        friend_num: page.friend_num,
        complete_flag: u32::from(page.complete),
        next_start_index: page.next_start_index,
    })
}

pub async fn friend_get_list(ctx: Ctx, req: FriendGetList) -> ApiResult<FriendGetListReply> {
    let profiles = ctx
        .services
        .relations
        .friend_profiles(&ctx.app, req.from_account, req.to_account, req.tag_list)
        .await?;
    let fail_account = profiles
        .iter()
        .filter(|p| p.code != 0)
        .map(|p| p.to.clone())
        .collect();
    Ok(FriendGetListReply {
        info_item: profiles
            .into_iter()
            .map(|p| SnsProfileInfo {
                to_account: p.to,
                sns_profile_item: p
                    .items
                    .map(|items| items.into_iter().map(Into::into).collect()),
                result_code: p.code,
                result_info: p.info,
            })
            .collect(),
        fail_account,
    })
}

pub async fn group_add(ctx: Ctx, req: GroupAdd) -> ApiResult<GroupAddReply> {
    let with_accounts = req.to_account.as_ref().is_some_and(|a| !a.is_empty());
    let outcome = ctx
        .services
        .relations
        .add_lists(&ctx.app, req.from_account, req.group_name, req.to_account)
        .await?;
    Ok(GroupAddReply {
        fail_account: outcome.failed(),
        current_sequence: outcome.list_sequence,
        result_item: with_accounts.then(|| outcome.results.into_iter().map(Into::into).collect()),
    })
}

pub async fn group_delete(ctx: Ctx, req: GroupDelete) -> ApiResult<GroupDeleteReply> {
    let current_sequence = ctx
        .services
        .relations
        .delete_lists(&ctx.app, req.from_account, req.group_name)
        .await?;
    Ok(GroupDeleteReply { current_sequence })
}

pub async fn group_get(ctx: Ctx, req: GroupGet) -> ApiResult<GroupGetReply> {
    let need_friend = req.need_friend()?;
    let (lists, current_sequence) = ctx
        .services
        .relations
        .get_lists(&ctx.app, req.from_account, need_friend, req.group_name)
        .await?;
    Ok(GroupGetReply {
        result_item: lists
            .into_iter()
            .map(|l| ListItem {
                group_name: l.name,
                friend_number: l.friend_number,
                to_account: l.members,
            })
            .collect(),
        current_sequence,
    })
}

pub async fn black_list_add(ctx: Ctx, req: BlackListAdd) -> ApiResult<BatchReply> {
    let outcome = ctx
        .services
        .relations
        .block(&ctx.app, req.from_account, req.to_account, &ctx.origin())
        .await?;
    Ok(outcome.into())
}

pub async fn black_list_delete(ctx: Ctx, req: BlackListDelete) -> ApiResult<BatchReply> {
    let outcome = ctx
        .services
        .relations
        .unblock(&ctx.app, req.from_account, req.to_account, &ctx.origin())
        .await?;
    Ok(outcome.into())
}

pub async fn black_list_get(ctx: Ctx, req: BlackListGet) -> ApiResult<BlackListGetReply> {
    let page = ctx
        .services
        .relations
        .blocklist(&ctx.app, req.from_account, req.start_index, req.max_limited)
        .await?;
    Ok(BlackListGetReply {
        black_list_item: page
            .items
            .into_iter()
            .map(|b| BlackListItem {
                to_account: b.peer,
                add_black_time_stamp: b.at,
            })
            .collect(),
        start_index: page.next_start_index,
        curruent_sequence: page.sequence,
    })
}

pub async fn black_list_check(ctx: Ctx, req: BlackListCheck) -> ApiResult<BlackListCheckReply> {
    let mode = req.mode("BlackCheckResult_Type_")?;
    let found = ctx
        .services
        .relations
        .check_blocks(&ctx.app, req.from_account, req.to_account, mode)
        .await?;
    Ok(BlackListCheckReply {
        black_list_check_item: found.into_iter().map(Into::into).collect(),
    })
}
