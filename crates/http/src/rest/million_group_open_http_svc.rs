//! `v4/million_group_open_http_svc/*`: the topics of a topic-enabled community.
//! `group_open_http_svc/import_topic` takes the same fields as `create_topic`.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::group_open_http_svc::non_empty;
use crate::wire::million_group_open_http_svc::{
    CreateTopic, CreateTopicReply, DestroyResult, DestroyTopic, DestroyTopicReply, GetTopic,
    GetTopicReply, ModifyTopic, TopicAndSelfInfo, TopicInfo,
};

pub async fn create_topic(ctx: Ctx, req: CreateTopic) -> ApiResult<CreateTopicReply> {
    let topic_id = ctx
        .services
        .groups
        .create_topic(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.new_topic(),
            &ctx.origin(),
        )
        .await?;
    Ok(CreateTopicReply { topic_id })
}

pub async fn destroy_topic(ctx: Ctx, req: DestroyTopic) -> ApiResult<DestroyTopicReply> {
    let results = ctx
        .services
        .groups
        .destroy_topics(
            &ctx.app,
            &ctx.identifier,
            &req.group_id,
            req.topic_id_list,
            &ctx.origin(),
        )
        .await?;
    Ok(DestroyTopicReply {
        destroy_result_item: results
            .into_iter()
            .map(|(topic_id, error_code, error_info)| DestroyResult {
                error_code,
                error_info,
                topic_id,
            })
            .collect(),
    })
}

pub async fn get_topic(ctx: Ctx, req: GetTopic) -> ApiResult<GetTopicReply> {
    let from = non_empty(req.from_account);
    let items = ctx
        .services
        .groups
        .topics(&ctx.app, &req.group_id, req.topic_id_list, from.as_deref())
        .await?;
    let filter = req.response_filter.as_deref();
    let topic_and_self_info = items
        .into_iter()
        .map(|(topic_id, item)| match item {
            Ok((topic, me)) => TopicAndSelfInfo {
                error_code: 0,
                error_info: String::new(),
                topic_info: TopicInfo::of(&topic, filter),
                self_info: me.map(Into::into),
            },
            Err(e) => TopicAndSelfInfo {
                error_code: e.code,
                error_info: e.info,
                topic_info: TopicInfo {
                    topic_id,
                    ..TopicInfo::default()
                },
                self_info: None,
            },
        })
        .collect();
    Ok(GetTopicReply {
        topic_and_self_info,
    })
}

pub async fn modify_topic(ctx: Ctx, req: ModifyTopic) -> ApiResult<()> {
    let (group_id, topic_id, from, change) = req.into_change()?;
    let operator = from.unwrap_or_else(|| ctx.identifier.clone());
    ctx.services
        .groups
        .modify_topic(
            &ctx.app,
            &operator,
            &group_id,
            &topic_id,
            change,
            &ctx.origin(),
        )
        .await?;
    Ok(())
}
