//! Groups themselves: create, disband, read, change and list them.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::groups::{GroupInfoChange, GroupRecord, MemberPage};

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::{
    mute_all_flag, CreateGroup, CreateGroupReply, DestroyGroup, GetAppidGroupList,
    GetAppidGroupListReply, GetGroupInfo, GetGroupInfoReply, GetJoinedGroupList,
    GetJoinedGroupListReply, GroupBaseInfo, GroupIdItem, GroupInfoFilter, GroupInfoItem,
    JoinedGroup, KeyValue, MemberInfo, ModifyGroupBaseInfo,
};

pub async fn create_group(ctx: Ctx, req: CreateGroup) -> ApiResult<CreateGroupReply> {
    let community = req.group_type == "Community";
    let group_id = ctx
        .services
        .groups
        .create(
            &ctx.app,
            &ctx.identifier,
            req.into_new_group(),
            &ctx.origin(),
        )
        .await?;
    Ok(CreateGroupReply {
        group_id,
        group_type: community.then_some("Community"),
        huge_group_flag: community.then_some(0),
    })
}

pub async fn destroy_group(ctx: Ctx, req: DestroyGroup) -> ApiResult<()> {
    ctx.services
        .groups
        .destroy(&ctx.app, &req.group_id, &ctx.origin())
        .await?;
    Ok(())
}

pub async fn get_group_info(ctx: Ctx, req: GetGroupInfo) -> ApiResult<GetGroupInfoReply> {
    let found = ctx
        .services
        .groups
        .info(&ctx.app, req.group_id_list)
        .await?;
    let mut group_info = Vec::with_capacity(found.len());
    for (id, group) in found {
        group_info.push(match group {
            Some(g) => info_item(&ctx, &g, req.response_filter.as_ref()).await?,
            None => GroupInfoItem::not_found(id),
        });
    }
    Ok(GetGroupInfoReply { group_info })
}

/// One `GroupInfo` item: everything without a filter; with one, the base fields it names and
/// the member list only when `MemberInfoFilter` asks for it.
async fn info_item(
    ctx: &Ctx,
    group: &GroupRecord,
    filter: Option<&GroupInfoFilter>,
) -> ApiResult<GroupInfoItem> {
    let base_filter = filter.and_then(|f| f.group_base_info_filter.as_deref());
    let group_keys = filter.and_then(|f| f.app_defined_data_filter_group.as_deref());
    let member_filter = filter.and_then(|f| f.member_info_filter.as_deref());
    let custom = filter.and_then(|f| f.app_defined_data_filter_group_member.as_deref());
    let live = group.group_type == "AVChatRoom";
    let mut member_list = None;
    if !live && (filter.is_none() || member_filter.is_some()) {
        let members = ctx
            .services
            .groups
            .members(&ctx.app, &group.group_id, &[], MemberPage::default(), None)
            .await?
            .members;
        // `MemberInfoFilter` may call the account `Account`; it is always there anyway.
        let want = |field: &str| match field {
            "Member_Account" => true,
            "AppMemberDefinedData" => filter.is_none() || custom.is_some(),
            _ => member_filter.is_none_or(|f| f.iter().any(|n| n == field)),
        };
        member_list = Some(
            members
                .iter()
                .map(|m| MemberInfo::of(m, &want, custom))
                .collect(),
        );
    }
    Ok(GroupInfoItem {
        group_id: group.group_id.clone(),
        error_code: 0,
        error_info: String::new(),
        base: GroupBaseInfo::of(ctx.app.sdkappid, group, base_filter),
        app_defined_data: (filter.is_none() || group_keys.is_some())
            .then(|| KeyValue::list(&group.app_defined, group_keys)),
        member_list,
    })
}

pub async fn modify_group_base_info(ctx: Ctx, req: ModifyGroupBaseInfo) -> ApiResult<()> {
    let mute_all = mute_all_flag(req.mute_all_member.as_deref())?;
    ctx.services
        .groups
        .modify(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            GroupInfoChange {
                name: req.name,
                introduction: req.introduction,
                notification: req.notification,
                face_url: req.face_url,
                max_member_num: req.max_member_num,
                apply_join: req.apply_join_option,
                invite_join: req.invite_join_option,
                mute_all,
                app_defined: KeyValue::pairs(req.app_defined_data),
            },
            &ctx.origin(),
        )
        .await?;
    Ok(())
}

pub async fn get_joined_group_list(
    ctx: Ctx,
    req: GetJoinedGroupList,
) -> ApiResult<GetJoinedGroupListReply> {
    let (groups, total_count) = ctx
        .services
        .groups
        .joined(
            &ctx.app,
            &req.member_account,
            req.with_huge_groups == 1,
            req.group_type.as_deref(),
            req.offset,
            req.limit,
        )
        .await?;
    let wants_unread = req.response_filter.as_ref().is_some_and(|f| {
        f.self_info_filter
            .iter()
            .any(|field| field == "UnreadMsgNum")
    });
    let unread = if wants_unread {
        ctx.services.groups.unread_counts(&ctx.app, &groups).await?
    } else {
        vec![0; groups.len()]
    };
    let group_id_list = groups
        .iter()
        .zip(unread)
        .map(|((g, m), unread)| {
            let mut item = JoinedGroup {
                group_id: g.group_id.clone(),
                base: GroupBaseInfo::default(),
                self_info: None,
            };
            if let Some(filter) = &req.response_filter {
                item.base = GroupBaseInfo::of(
                    ctx.app.sdkappid,
                    g,
                    Some(filter.group_base_info_filter.as_slice()),
                );
                if !filter.self_info_filter.is_empty() {
                    let want = |field: &str| filter.self_info_filter.iter().any(|f| f == field);
                    let mut own = MemberInfo::of(m, &want, None);
                    own.unread_msg_num = want("UnreadMsgNum").then_some(unread);
                    item.self_info = Some(own);
                }
            }
            item
        })
        .collect();
    Ok(GetJoinedGroupListReply {
        total_count,
        group_id_list,
    })
}

pub async fn get_appid_group_list(
    ctx: Ctx,
    req: GetAppidGroupList,
) -> ApiResult<GetAppidGroupListReply> {
    let limit = req.limit.unwrap_or(10_000);
    if limit == 0 || limit > 10_000 {
        return Err(ApiError::new(
            codes::GROUP_INVALID_PARAM,
            format!("Limit must be 1 to 10000, got {limit}"),
        ));
    }
    let (ids, next, total_count) = ctx
        .services
        .groups
        .app_groups(&ctx.app, req.next, limit, req.group_type.as_deref())
        .await?;
    Ok(GetAppidGroupListReply {
        total_count,
        group_id_list: ids
            .into_iter()
            .map(|group_id| GroupIdItem { group_id })
            .collect(),
        next,
    })
}
