//! Message extensions of group messages (`openim_msg_ext_http_svc/group_get_key_values`,
//! `group_set_key_values`): on messages of work, public and meeting groups, and, from the Web
//! SDK, of a community's topics.

use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery, GroupRecord, GroupSnapshot};
use natter_webhook::Origin;

use super::topics::{check_topic_group, topic_not_found};
use super::{refusal, type_of, GroupService};
use crate::messages::extensions::{
    apply_change, check_change, extension_frame, not_enabled, operate_type, page_from,
    ExtensionChange, ExtensionPage, ExtensionWrite, SeenSeqs,
};

/// Message extensions exist in work, public and meeting groups (Tencent's pages list those).
fn check_extension_group(group: &GroupRecord) -> ApiResult<()> {
    match type_of(group) {
        GroupType::Private | GroupType::Public | GroupType::ChatRoom => Ok(()),
        other => Err(ApiError::new(
            codes::GROUP_NO_PERMISSION,
            format!("{} groups have no message extensions", other.name()),
        )),
    }
}

/// Extensions of a topic's messages: the community must have topics (10076 otherwise), and the
/// topic must exist (it is in `snap.topics` when the query named it).
fn check_extension_stream(
    group: &GroupRecord,
    topic_id: Option<&str>,
    snap: &GroupSnapshot,
) -> ApiResult<()> {
    match topic_id {
        None => check_extension_group(group),
        Some(tid) => {
            check_topic_group(group)?;
            if snap.topics.contains_key(tid) {
                Ok(())
            } else {
                Err(topic_not_found(tid))
            }
        }
    }
}

pub(super) fn no_such_message(seq: u64) -> ApiError {
    ApiError::new(
        codes::GROUP_MSG_NOT_FOUND,
        format!("there is no message with MsgSeq {seq}"),
    )
}

impl GroupService {
    /// `openim_msg_ext_http_svc/group_get_key_values`: a message's extensions from version
    /// `start_seq` on. `topic_id` names a community topic whose message it is (the Web SDK's;
    /// the REST API has none).
    pub async fn message_extensions(
        &self,
        app: &AppSettings,
        (group_id, topic_id): (&str, Option<&str>),
        seq: u64,
        start_seq: u64,
    ) -> ApiResult<ExtensionPage> {
        let query = GroupQuery {
            messages: vec![seq],
            topic: topic_id.map(str::to_owned),
            ..GroupQuery::default()
        };
        let snap = self.snapshot(app, group_id, query).await?;
        let group = snap
            .group
            .as_ref()
            .ok_or_else(|| super::not_found(group_id))?;
        check_extension_stream(group, topic_id, &snap)?;
        let message = snap
            .messages
            .get(&seq)
            .ok_or_else(|| no_such_message(seq))?;
        let extensions = message.extensions.as_ref().ok_or_else(not_enabled)?;
        Ok(page_from(extensions, start_seq))
    }

    /// `openim_msg_ext_http_svc/group_set_key_values`: a set, delete or clear as one new
    /// version of the message's extensions. The REST caller is an administrator, so the `Seq`
    /// a client would send to detect concurrent writes is not checked (Tencent's rule): it
    /// passes no `seen`. The Web SDK's keys written since the version it saw are left alone
    /// ([`ExtensionWrite::conflicts`]).
    ///
    /// The members online (but `origin`'s connection) hear of it (`GroupMsgExtension`).
    /// `topic_id` names a community topic whose message it is (the Web SDK's; the REST API has
    /// none).
    pub async fn change_message_extensions(
        &self,
        app: &AppSettings,
        (group_id, topic_id): (&str, Option<&str>),
        seq: u64,
        change: ExtensionChange,
        seen: SeenSeqs,
        origin: &Origin,
    ) -> ApiResult<ExtensionWrite> {
        check_change(&change)?;
        let operate_type = operate_type(&change);
        let topic = topic_id.map(str::to_owned);
        let query = GroupQuery {
            messages: vec![seq],
            topic: topic.clone(),
            ..GroupQuery::default()
        };
        let outcome = self
            .edit_existing(app, group_id, query, move |group, snap| {
                if let Err(e) = check_extension_stream(group, topic.as_deref(), snap) {
                    return refusal(e);
                }
                let Some(stored) = snap.messages.get(&seq) else {
                    return refusal(no_such_message(seq));
                };
                let mut message = stored.clone();
                let Some(extensions) = message.extensions.as_mut() else {
                    return refusal(not_enabled());
                };
                match apply_change(extensions, change, &seen) {
                    // Every key conflicted: nothing to write.
                    Ok(write) if write.changed.is_empty() && operate_type != 3 => GroupPlan {
                        reply: Some((write, message)),
                        ..GroupPlan::default()
                    },
                    Ok(write) => GroupPlan {
                        reply: Some((write, message.clone())),
                        changes: vec![GroupChange::EditMessage(message)],
                        ..GroupPlan::default()
                    },
                    Err(e) => refusal(e),
                }
            })
            .await?;
        let (write, message) = outcome.reply.ok_or_else(|| {
            ApiError::new(codes::GROUP_INTERNAL, "the changed message went missing")
        })?;
        let untouched = write.changed.is_empty() && operate_type != 3;
        if let Some(now) = message.extensions.as_ref().filter(|_| !untouched) {
            let mut frame = extension_frame(operate_type, &write.changed, now);
            frame["Event"] = "GroupMsgExtension".into();
            frame["GroupId"] = group_id.into();
            frame["MsgSeq"] = message.seq.into();
            frame["Random"] = message.random.into();
            frame["From_Account"] = message.from.clone().into();
            frame["MsgTime"] = message.time.into();
            if let Some(tid) = topic_id {
                frame["TopicId"] = tid.into();
            }
            self.push_message_change(
                app,
                group_id,
                std::slice::from_ref(&message),
                &frame,
                origin,
            );
        }
        Ok(write)
    }
}
