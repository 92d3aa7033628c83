//! Community topics (`million_group_open_http_svc`, and `group_open_http_svc/import_topic`):
//! creating, reading, changing and deleting the topics of a topic-enabled community. Messages
//! into a topic go through the group send, history and recall with a topic ID (see
//! `messages.rs`).
//!
//! Every change is an edit of the parent community, under its lock, so a topic's `MsgSeq`,
//! the topic limit and ID uniqueness hold under concurrency.

use natter_core::group::{ADMIN, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{
    GroupChange, GroupOutcome, GroupPlan, GroupQuery, GroupRecord, GroupSnapshot, TopicRecord,
};
use natter_webhook::payloads::topic::{
    AfterCreateTopic, AfterTopicDestroyed, AfterTopicInfoChanged, BeforeCreateTopic,
};
use natter_webhook::Origin;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::kinds::GroupKind;
use super::{check_len, invalid, refusal, refused_by_callback, GroupService, ProfileDelta};
use crate::internal;

pub const MAX_TOPIC_NAME_BYTES: usize = 30;
pub const MAX_CUSTOM_STRING_BYTES: usize = 3000;
const MAX_INTRODUCTION_BYTES: usize = 240;
const MAX_NOTIFICATION_BYTES: usize = 300;
const MAX_FACE_URL_BYTES: usize = 100;
/// A whole topic ID, group part included.
pub const MAX_TOPIC_ID_BYTES: usize = 96;
/// Topics one community may hold. Tencent's pages give no figure; this is Natter's.
pub const MAX_TOPICS: u64 = 1000;
/// Most topics one `destroy_topic` or `get_topic` may name.
pub const MAX_TOPICS_PER_CALL: usize = 100;
/// Between the group ID and the topic's own part of every topic ID.
pub const TOPIC_MARKER: &str = "@TOPIC#_";
/// Starts the own part of a generated topic ID; custom IDs may not use it.
const GENERATED_MARKER: &str = "@TOPIC#";

/// A `create_topic` or `import_topic` request.
#[derive(Debug, Clone, Default)]
pub struct NewTopic {
    pub topic_id: Option<String>,
    pub name: String,
    /// The member creating it; the calling admin when `None`.
    pub from: Option<String>,
    pub custom_string: String,
    pub face_url: String,
    pub notification: String,
    pub introduction: String,
}

/// The changes of `modify_topic`; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct TopicChange {
    pub name: Option<String>,
    pub custom_string: Option<String>,
    pub face_url: Option<String>,
    pub notification: Option<String>,
    pub introduction: Option<String>,
    pub mute_all: Option<bool>,
}

/// One member's view of a topic (`SelfInfo` of `get_topic`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSelf {
    pub msg_flag: String,
    /// The last `MsgSeq` read in the topic.
    pub read_seq: u64,
    /// Unix seconds; 0 when not muted.
    pub muted_until: i64,
}

/// One item of `get_topic`: the topic and the caller-named member's view of it, or an error.
pub type TopicItem = (String, ApiResult<(TopicRecord, Option<TopicSelf>)>);

/// Topics exist only in a community with topics enabled (11000 otherwise).
pub(crate) fn check_topic_group(group: &GroupRecord) -> ApiResult<()> {
    check_topic_kind(&group.group_id, &GroupKind::of(group))
}

/// `check_topic_group` on what a node remembers of the group.
pub(crate) fn check_topic_kind(group_id: &str, kind: &GroupKind) -> ApiResult<()> {
    if kind.group_type == GroupType::Community && kind.support_topic {
        Ok(())
    } else {
        Err(ApiError::new(
            codes::TOPIC_NOT_SUPPORTED,
            format!("group {group_id} is not a Community with topics enabled (SupportTopic 1)"),
        ))
    }
}

/// The fields of a topic that a change gave new values, named as in `modify_topic`.
fn changed_fields(before: &TopicRecord, after: &TopicRecord) -> Map<String, Value> {
    let mut info = Map::new();
    let texts = [
        ("TopicName", &before.name, &after.name),
        ("FaceUrl", &before.face_url, &after.face_url),
        ("Introduction", &before.introduction, &after.introduction),
        ("Notification", &before.notification, &after.notification),
        ("CustomString", &before.custom_string, &after.custom_string),
    ];
    for (name, old, new) in texts {
        if old != new {
            info.insert(name.to_owned(), new.clone().into());
        }
    }
    if before.mute_all != after.mute_all {
        info.insert("ShutUpAllMember".to_owned(), after.mute_all.into());
    }
    info
}

pub(crate) fn topic_not_found(topic_id: &str) -> ApiError {
    ApiError::new(
        codes::TOPIC_NOT_FOUND,
        format!("topic {topic_id} does not exist or was deleted"),
    )
}

fn check_profile(
    name: Option<&str>,
    custom_string: Option<&str>,
    face_url: Option<&str>,
    notification: Option<&str>,
    introduction: Option<&str>,
) -> ApiResult<()> {
    let checks = [
        ("TopicName", name, MAX_TOPIC_NAME_BYTES),
        ("CustomString", custom_string, MAX_CUSTOM_STRING_BYTES),
        ("FaceUrl", face_url, MAX_FACE_URL_BYTES),
        ("Notification", notification, MAX_NOTIFICATION_BYTES),
        ("Introduction", introduction, MAX_INTRODUCTION_BYTES),
    ];
    for (field, value, max) in checks {
        if let Some(text) = value {
            check_len(field, text, max)?;
        }
    }
    Ok(())
}

/// Custom topic IDs: `<GroupId>@TOPIC#_<own part>`, printable ASCII, at most 96 bytes in all;
/// the own part may not contain `@TGS#_` or start like a generated one.
fn check_custom_topic_id(group_id: &str, topic_id: &str) -> ApiResult<()> {
    let prefix = format!("{group_id}{TOPIC_MARKER}");
    let own = topic_id.strip_prefix(&prefix).unwrap_or_default();
    let fault = if !topic_id.starts_with(&prefix) {
        Some(format!("a TopicId must start with {prefix}"))
    } else if own.is_empty() {
        Some("a TopicId needs something after @TOPIC#_".to_owned())
    } else if topic_id.len() > MAX_TOPIC_ID_BYTES {
        Some(format!("a TopicId is at most {MAX_TOPIC_ID_BYTES} bytes"))
    } else if !topic_id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Some("a TopicId is printable ASCII only".to_owned())
    } else if own.contains("@TGS#_") || own.starts_with(GENERATED_MARKER) {
        Some("a custom TopicId may not contain @TGS#_ or start with @TOPIC#".to_owned())
    } else {
        None
    };
    match fault {
        Some(info) => Err(ApiError::new(
            codes::GROUP_ID_INVALID,
            format!("TopicId {topic_id:?}: {info}"),
        )),
        None => Ok(()),
    }
}

/// Why a topic `topic_id` may not be created now (by `from`), if it may not: an unknown
/// `From_Account` (10019), a used ID (10021), a community at its topic limit (10004).
fn create_refusal(snap: &GroupSnapshot, topic_id: &str, from: Option<&str>) -> Option<ApiError> {
    if let Some(missing) = from.filter(|f| !snap.existing.contains(*f)) {
        return Some(ApiError::new(
            codes::GROUP_ACCOUNT_NOT_FOUND,
            format!("From_Account {missing} does not exist"),
        ));
    }
    if snap.topics.contains_key(topic_id) {
        return Some(ApiError::new(
            codes::GROUP_ID_TAKEN,
            format!("topic ID {topic_id} is already in use"),
        ));
    }
    if snap.topic_count >= MAX_TOPICS {
        return Some(invalid(format!(
            "the community already has {MAX_TOPICS} topics, the most it may"
        )));
    }
    None
}

/// A generated topic ID, shaped like Tencent's: `<GroupId>@TOPIC#_@TOPIC#c…`.
fn generate_topic_id(group_id: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{group_id}{TOPIC_MARKER}{GENERATED_MARKER}c{tail}")
}

impl GroupService {
    /// [`edit_existing`](Self::edit_existing) of a topic-enabled community (11000 otherwise).
    async fn edit_topics<R: Default + Send + 'static>(
        &self,
        app: &AppSettings,
        group_id: &str,
        query: GroupQuery,
        decide: impl FnOnce(&GroupRecord, &GroupSnapshot) -> GroupPlan<R> + Send + 'static,
    ) -> ApiResult<GroupOutcome<R>> {
        self.edit_existing(
            app,
            group_id,
            query,
            move |group, snap| match check_topic_group(group) {
                Ok(()) => decide(group, snap),
                Err(e) => refusal(e),
            },
        )
        .await
    }

    /// Checks that `topic_id` is a topic of `group` (a topic-enabled community).
    pub(crate) async fn existing_topic(
        &self,
        app: &AppSettings,
        group: &GroupRecord,
        topic_id: &str,
    ) -> ApiResult<TopicRecord> {
        check_topic_group(group)?;
        let query = GroupQuery {
            topics: vec![topic_id.to_owned()],
            ..GroupQuery::default()
        };
        let mut snap = self.snapshot(app, &group.group_id, query).await?;
        snap.topics
            .remove(topic_id)
            .ok_or_else(|| topic_not_found(topic_id))
    }

    /// `create_topic`: `Group.CallbackBeforeCreateTopic` may refuse (10016 or the app's code);
    /// then the topic is created and `Group.CallbackAfterCreateTopic` reported. Returns its ID.
    pub async fn create_topic(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        req: NewTopic,
        origin: &Origin,
    ) -> ApiResult<String> {
        self.create_or_import_topic(app, operator, group_id, req, None, origin)
            .await
    }

    /// `import_topic`: a topic as another system had it, created at `created` (Unix seconds;
    /// now when `None`). No callbacks.
    pub async fn import_topic(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        req: NewTopic,
        created: Option<i64>,
        origin: &Origin,
    ) -> ApiResult<String> {
        let created = created.unwrap_or_else(|| self.clock.now_secs());
        if created <= 0 || created > self.clock.now_secs() {
            return Err(invalid(format!(
                "CreateTime {created} must be a past Unix time in seconds"
            )));
        }
        self.create_or_import_topic(app, operator, group_id, req, Some(created), origin)
            .await
    }

    async fn create_or_import_topic(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        req: NewTopic,
        imported: Option<i64>,
        origin: &Origin,
    ) -> ApiResult<String> {
        if req.name.is_empty() && imported.is_none() {
            return Err(invalid("TopicName is empty"));
        }
        check_profile(
            Some(&req.name),
            Some(&req.custom_string),
            Some(&req.face_url),
            Some(&req.notification),
            Some(&req.introduction),
        )?;
        let topic_id = match &req.topic_id {
            Some(id) => {
                check_custom_topic_id(group_id, id)?;
                id.clone()
            }
            None => generate_topic_id(group_id),
        };
        let from = req.from.clone().filter(|f| !f.is_empty());
        let operator = from.clone().unwrap_or_else(|| operator.to_owned());
        let operator_account = operator.clone();
        let query = GroupQuery {
            accounts: from.iter().cloned().collect(),
            topics: vec![topic_id.clone()],
            count_topics: true,
            ..GroupQuery::default()
        };
        // Checked before asking the app, and again in the edit that writes the topic.
        let snap = self.snapshot(app, group_id, query.clone()).await?;
        let group = snap
            .group
            .as_ref()
            .ok_or_else(|| super::not_found(group_id))?;
        check_topic_group(group)?;
        if let Some(e) = create_refusal(&snap, &topic_id, from.as_deref()) {
            return Err(e);
        }
        if imported.is_none() {
            let before = BeforeCreateTopic {
                group_id: Some(group_id.to_owned()),
                operator_account: operator.clone(),
                group_type: GroupType::Community.name().to_owned(),
                name: req.name.clone(),
            };
            if let Some(refusal) =
                refused_by_callback(self.webhooks.before(app.sdkappid, &before, origin).await)
            {
                return Err(refusal);
            }
        }
        let now = self.clock.now_secs();
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let id = topic_id.clone();
        let gid = group_id.to_owned();
        self.edit_topics(app, group_id, query, move |group, snap| {
            if let Some(e) = create_refusal(snap, &id, from.as_deref()) {
                return refusal(e);
            }
            let mut plan = GroupPlan::new();
            let topic = TopicRecord {
                group_id: gid.clone(),
                topic_id: id.clone(),
                name: req.name.clone(),
                introduction: req.introduction,
                notification: req.notification,
                face_url: req.face_url,
                custom_string: req.custom_string,
                creator: operator.clone(),
                created: imported.unwrap_or(now),
                mute_all: false,
                next_msg_seq: 1,
                last_msg_time: 0,
                read_floor: 0,
            };
            plan.changes.push(GroupChange::PutTopic(Box::new(topic)));
            if imported.is_none() {
                let report = AfterCreateTopic {
                    group_id: gid.clone(),
                    topic_id: id,
                    operator_account: operator,
                    owner_account: group.owner.clone(),
                    group_type: GroupType::Community.name().to_owned(),
                    name: req.name,
                    user_defined_data_list: Vec::new(),
                };
                plan.outbox
                    .extend(this.after(&app_settings, &report, &gid, &origin));
            }
            plan
        })
        .await?;
        if imported.is_none() {
            let frame = self.topic_frame(
                group_id,
                "Created",
                &operator_account,
                json!({"TopicId": topic_id}),
            );
            self.send_to_group(app, group_id, GroupType::Community, &frame, None);
        }
        Ok(topic_id)
    }

    /// A `TopicChange` event (`Created`, `Deleted` or `Changed`) with `fields` added.
    fn topic_frame(&self, group_id: &str, change: &str, operator: &str, fields: Value) -> Value {
        let mut frame = json!({
            "Event": "TopicChange",
            "GroupId": group_id,
            "GroupType": GroupType::Community.name(),
            "Change": change,
            "Operator_Account": operator,
            "MsgTime": self.clock.now_secs(),
            "Random": rand::rng().random::<u32>(),
        });
        if let (Some(frame), Value::Object(fields)) = (frame.as_object_mut(), fields) {
            frame.extend(fields);
        }
        frame
    }

    /// `destroy_topic`: deletes each named topic with its messages; per topic 0 or 110003
    /// (no such topic). Reports `Group.CallbackAfterTopicDestroyed` with the deleted ones.
    pub async fn destroy_topics(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        topic_ids: Vec<String>,
        origin: &Origin,
    ) -> ApiResult<Vec<(String, u32, String)>> {
        if topic_ids.is_empty() || topic_ids.len() > MAX_TOPICS_PER_CALL {
            return Err(invalid(format!(
                "TopicIdList must name 1 to {MAX_TOPICS_PER_CALL} topics, got {}",
                topic_ids.len()
            )));
        }
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let gid = group_id.to_owned();
        let query = GroupQuery {
            topics: topic_ids.clone(),
            ..GroupQuery::default()
        };
        let outcome = self
            .edit_topics(app, group_id, query, move |_, snap| {
                let mut plan = GroupPlan::default();
                let mut results = Vec::new();
                let mut destroyed: Vec<String> = Vec::new();
                for id in topic_ids {
                    if snap.topics.contains_key(&id) && !destroyed.contains(&id) {
                        plan.changes.push(GroupChange::DeleteTopic(id.clone()));
                        destroyed.push(id.clone());
                        results.push((id, 0, "ok".to_owned()));
                    } else {
                        let e = topic_not_found(&id);
                        results.push((id, e.code, e.info));
                    }
                }
                if !destroyed.is_empty() {
                    let report = AfterTopicDestroyed {
                        group_id: gid.clone(),
                        group_type: GroupType::Community.name().to_owned(),
                        topic_id_list: destroyed,
                    };
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &gid, &origin));
                }
                plan.reply = results;
                plan
            })
            .await?;
        let destroyed: Vec<&String> = outcome
            .reply
            .iter()
            .filter(|(_, code, _)| *code == 0)
            .map(|(id, _, _)| id)
            .collect();
        if !destroyed.is_empty() {
            let frame = self.topic_frame(
                group_id,
                "Deleted",
                operator,
                json!({"TopicIdList": destroyed}),
            );
            self.send_to_group(app, group_id, GroupType::Community, &frame, None);
        }
        Ok(outcome.reply)
    }

    /// `get_topic`: the named topics (all when `None`), in the order named (creation order for
    /// all), each with `member`'s view of it when a member is named.
    pub async fn topics(
        &self,
        app: &AppSettings,
        group_id: &str,
        topic_ids: Option<Vec<String>>,
        member: Option<&str>,
    ) -> ApiResult<Vec<TopicItem>> {
        if topic_ids
            .as_ref()
            .is_some_and(|ids| ids.len() > MAX_TOPICS_PER_CALL)
        {
            return Err(invalid(format!(
                "TopicIdList names more than {MAX_TOPICS_PER_CALL} topics"
            )));
        }
        let group = self.group(app, group_id).await?;
        check_topic_group(&group)?;
        let all = self
            .store
            .topics(app.sdkappid, group_id.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let me = match member {
            Some(member) => self.topic_self(app, group_id, member).await?,
            None => None,
        };
        let view = |t: &TopicRecord| {
            me.as_ref().map(|(base, reads)| TopicSelf {
                read_seq: reads
                    .iter()
                    .find(|(id, _)| *id == t.topic_id)
                    .map_or(0, |(_, seq)| *seq)
                    .max(t.read_floor),
                ..base.clone()
            })
        };
        Ok(match topic_ids {
            None => all
                .iter()
                .map(|t| (t.topic_id.clone(), Ok((t.clone(), view(t)))))
                .collect(),
            Some(ids) => ids
                .into_iter()
                .map(|id| {
                    let found = all.iter().find(|t| t.topic_id == id);
                    let item = match found {
                        Some(t) => Ok((t.clone(), view(t))),
                        None => Err(topic_not_found(&id)),
                    };
                    (id, item)
                })
                .collect(),
        })
    }

    /// A member's standing in a community (message flag and mute) with their topic read
    /// positions; `None` when they are not a member.
    async fn topic_self(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
    ) -> ApiResult<Option<(TopicSelf, Vec<(String, u64)>)>> {
        let Some(membership) = self.membership(app, group_id, member).await? else {
            return Ok(None);
        };
        let reads = self
            .store
            .topic_reads(app.sdkappid, group_id.to_owned(), member.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let now = self.clock.now_secs();
        let base = TopicSelf {
            msg_flag: membership.msg_flag,
            read_seq: 0,
            muted_until: if membership.muted_until > now {
                membership.muted_until
            } else {
                0
            },
        };
        Ok(Some((base, reads)))
    }

    /// `modify_topic`: changes the given fields; reports `Group.CallbackAfterTopicInfoChanged`
    /// with the name, introduction, notification and face URL that changed (and only when one
    /// of them did), like `Group.CallbackAfterGroupInfoChanged`, whose switch it shares.
    pub async fn modify_topic(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        topic_id: &str,
        change: TopicChange,
        origin: &Origin,
    ) -> ApiResult<()> {
        if change.name.as_deref() == Some("") {
            return Err(invalid("TopicName is empty"));
        }
        check_profile(
            change.name.as_deref(),
            change.custom_string.as_deref(),
            change.face_url.as_deref(),
            change.notification.as_deref(),
            change.introduction.as_deref(),
        )?;
        let this = self.clone();
        let app_settings = app.clone();
        let origin = origin.clone();
        let operator = operator.to_owned();
        let operator_account = operator.clone();
        let connection = origin.connection;
        let gid = group_id.to_owned();
        let tid = topic_id.to_owned();
        let query = GroupQuery {
            topics: vec![topic_id.to_owned()],
            ..GroupQuery::default()
        };
        let outcome = self
            .edit_topics(app, group_id, query, move |_, snap| {
                let mut plan = GroupPlan::<Option<Map<String, Value>>>::default();
                let Some(before) = snap.topics.get(&tid) else {
                    return refusal(topic_not_found(&tid));
                };
                let delta = ProfileDelta::new(
                    [
                        &before.name,
                        &before.introduction,
                        &before.notification,
                        &before.face_url,
                    ],
                    [
                        &change.name,
                        &change.introduction,
                        &change.notification,
                        &change.face_url,
                    ],
                );
                let reports = !delta.is_empty();
                let report = AfterTopicInfoChanged {
                    group_id: gid.clone(),
                    topic_id: Some(tid.clone()),
                    group_type: GroupType::Community.name().to_owned(),
                    operator_account: operator,
                    name: delta.name,
                    introduction: delta.introduction,
                    notification: delta.notification,
                    face_url: delta.face_url,
                };
                let mut topic = before.clone();
                let fields = [
                    (&mut topic.name, change.name),
                    (&mut topic.introduction, change.introduction),
                    (&mut topic.notification, change.notification),
                    (&mut topic.face_url, change.face_url),
                    (&mut topic.custom_string, change.custom_string),
                ];
                for (field, value) in fields {
                    if let Some(value) = value {
                        *field = value;
                    }
                }
                if let Some(mute) = change.mute_all {
                    topic.mute_all = mute;
                }
                if topic != *before {
                    plan.reply = Some(changed_fields(before, &topic));
                    plan.changes.push(GroupChange::PutTopic(Box::new(topic)));
                }
                if reports {
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &gid, &origin));
                }
                plan
            })
            .await?;
        if let Some(info) = outcome.reply {
            let frame = self.topic_frame(
                group_id,
                "Changed",
                &operator_account,
                json!({"TopicId": topic_id, "TopicInfo": info}),
            );
            self.send_to_group(app, group_id, GroupType::Community, &frame, connection);
        }
        Ok(())
    }

    /// A member changes a topic from their client: only the community's owner and admins may
    /// (10007 otherwise); then as [`modify_topic`](Self::modify_topic).
    pub async fn modify_topic_as_member(
        &self,
        app: &AppSettings,
        member: &str,
        group_id: &str,
        topic_id: &str,
        change: TopicChange,
        origin: &Origin,
    ) -> ApiResult<()> {
        let role = self.require_member(app, group_id, member).await?.role;
        if role != OWNER && role != ADMIN {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("only the owner and admins of {group_id} may change its topics"),
            ));
        }
        self.modify_topic(app, member, group_id, topic_id, change, origin)
            .await
    }

    /// A member has read a topic up to `seq` (at most the topic's last message); a client
    /// action. Read positions never move back.
    pub async fn read_topic(
        &self,
        app: &AppSettings,
        group_id: &str,
        topic_id: &str,
        member: &str,
        seq: u64,
    ) -> ApiResult<()> {
        let member = member.to_owned();
        let tid = topic_id.to_owned();
        let query = GroupQuery {
            accounts: vec![member.clone()],
            topic: Some(topic_id.to_owned()),
            ..GroupQuery::default()
        };
        self.edit_topics(app, group_id, query, move |group, snap| {
            let mut plan = GroupPlan::new();
            let Some(topic) = snap.topics.get(&tid) else {
                return refusal(topic_not_found(&tid));
            };
            if !snap.members.contains_key(&member) {
                plan.refusal = Some((
                    codes::GROUP_NO_PERMISSION,
                    format!("{member} is not a member of {}", group.group_id),
                ));
                return plan;
            }
            plan.changes.push(GroupChange::ReadTopicUpTo {
                topic_id: tid,
                member,
                seq: seq.min(topic.next_msg_seq.saturating_sub(1)),
            });
            plan
        })
        .await?;
        Ok(())
    }
}
