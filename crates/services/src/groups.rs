//! Groups (`group_open_http_svc`): creating, reading, changing and disbanding groups, their
//! members, and their messages. The rules of each group type are in [`GroupType`]; where
//! Tencent's pages are silent the choice is in docs/architecture.md ("Groups: decisions").
//!
//! Every change runs through `edit_group` (on `dyn Store`): decided inside the transaction that writes
//! it, under the group's lock, so member counts, caps and `MsgSeq` hold under concurrency.

mod applications;
mod attributes;
mod bans;
mod create;
mod delivery;
mod history_clears;
mod imports;
mod invitations;
mod kinds;
mod lists;
mod members;
mod message_extensions;
mod messages;
pub mod permissions;
mod pins;
pub mod reactions;
mod recalls;
mod receipts;
mod rooms;
mod tips;
mod topics;
mod viewers;

use std::sync::Arc;

use natter_core::ops::field;
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock, CustomDataField, GroupType};
use natter_events::{Budgets, Presence};
use natter_store::{
    GroupChange, GroupOutcome, GroupPlan, GroupQuery, GroupSnapshot, MemberCursor, OutboxEvent,
    Store,
};
use natter_webhook::payloads::group::{AfterGroupDestroyed, AfterGroupInfoChanged};
use natter_webhook::payloads::{MemberAccount, Payload};
use natter_webhook::{BeforeOutcome, Origin, Webhooks};

use crate::fanout::Fanout;
use crate::internal;
use tips::{GroupTip, RemovedReason, TipKind};

pub use applications::{application_frame, Answer, Decision};
pub use attributes::{AttrChange, Attributes, CounterMode, Counters};
pub use bans::Ban;
pub use delivery::MAX_NOTIFICATION_RECIPIENTS;
pub use history_clears::{MemberHistory, MAX_DELETE_FOR_SELF};
pub use imports::{ImportedMember, ImportedMessage};
pub use members::{AddedMember, JoinOutcome, MemberAdd, MemberChange, MemberList, MemberPage};
pub use messages::{priority_number, GroupSend, GroupSent, SendLimiter, GROUP_BODY_CODES};
pub use natter_store::{GroupMember, GroupRecord, JoinApplication, TopicRecord};
pub use pins::{MessagePin, PinnedGroupMessage};
pub use recalls::{EditOutcome, MessageEdit, ModifiedMessage, MAX_RECALL};
pub use receipts::{Receipt, ReceiptDetail};
pub use rooms::{MemberMarks, OnlineMember, RoomCause};
pub use topics::{NewTopic, TopicChange, TopicItem, TopicSelf};

const MAX_NAME_BYTES: usize = 30;
const MAX_INTRODUCTION_BYTES: usize = 240;
const MAX_NOTIFICATION_BYTES: usize = 300;
const MAX_FACE_URL_BYTES: usize = 100;
const MAX_GROUP_ID_BYTES: usize = 48;
/// Most members `create_group` may name.
pub const MAX_CREATE_MEMBERS: usize = 100;
/// Most groups one `get_group_info` may name.
pub const MAX_INFO_GROUPS: usize = 50;
const GENERATED_PREFIX: &str = "@TGS#";
const COMMUNITY_PREFIX: &str = "@TGS#_";
/// App-defined codes a before-callback may return to the caller.
pub(crate) const CUSTOM_CODES: std::ops::RangeInclusive<i64> = 10_100..=10_200;

/// A `create_group` request, checked by [`GroupService::create`].
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub group_type: String,
    pub name: String,
    pub owner: Option<String>,
    pub group_id: Option<String>,
    pub introduction: String,
    pub notification: String,
    pub face_url: String,
    pub max_member_count: Option<u64>,
    pub apply_join: Option<String>,
    pub invite_join: Option<String>,
    pub app_defined: Vec<(String, String)>,
    /// `(Member_Account, Role)`.
    pub members: Vec<(String, Option<String>)>,
    pub support_topic: bool,
}

/// The changes of `modify_group_base_info`; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct GroupInfoChange {
    pub name: Option<String>,
    pub introduction: Option<String>,
    pub notification: Option<String>,
    pub face_url: Option<String>,
    pub max_member_num: Option<u64>,
    pub apply_join: Option<String>,
    pub invite_join: Option<String>,
    pub mute_all: Option<bool>,
    /// An empty value deletes the key.
    pub app_defined: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct GroupService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    webhooks: Arc<Webhooks>,
    limiter: Arc<SendLimiter>,
    /// Who is connected anywhere in the cluster, and online in which live rooms.
    presence: Arc<Presence>,
    fanout: Fanout,
    broadcast_seq: Arc<delivery::BroadcastSeq>,
    /// Each group's unchanging type, so a send reads the group only once per node.
    kinds: Arc<kinds::GroupKinds>,
}

pub(crate) fn invalid(info: impl Into<String>) -> ApiError {
    ApiError::new(codes::GROUP_INVALID_PARAM, info)
}

pub(crate) fn not_found(group_id: &str) -> ApiError {
    ApiError::new(
        codes::GROUP_NOT_FOUND,
        format!("group {group_id} does not exist or was disbanded"),
    )
}

fn check_len(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.len() > max {
        return Err(invalid(format!(
            "{field} is {} bytes; at most {max} are allowed",
            text.len()
        )));
    }
    Ok(())
}

fn check_apply_join(value: &str) -> ApiResult<()> {
    match value {
        "FreeAccess" | "NeedPermission" | "DisableApply" => Ok(()),
        _ => Err(invalid(format!(
            "ApplyJoinOption {value:?} is not FreeAccess, NeedPermission or DisableApply"
        ))),
    }
}

fn check_invite_join(value: &str) -> ApiResult<()> {
    match value {
        "FreeAccess" | "NeedPermission" | "DisableInvite" => Ok(()),
        _ => Err(invalid(format!(
            "InviteJoinOption {value:?} is not FreeAccess, NeedPermission or DisableInvite"
        ))),
    }
}

/// Custom data (`AppDefinedData`, `AppMemberDefinedData`) against the fields the app declares:
/// only declared keys, each value within its length (10004). An app that declares none takes
/// any key.
pub(crate) fn check_custom_data(
    declared: &[CustomDataField],
    what: &str,
    pairs: &[(String, String)],
) -> ApiResult<()> {
    if declared.is_empty() {
        return Ok(());
    }
    for (key, value) in pairs {
        match declared.iter().find(|f| f.name == *key) {
            None => {
                return Err(invalid(format!(
                    "{what} key {key:?} is not one of the app's declared fields"
                )))
            }
            Some(field) if value.len() > field.max_bytes => {
                return Err(invalid(format!(
                    "{what} {key:?} is {} bytes; at most {} are allowed",
                    value.len(),
                    field.max_bytes
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The name, introduction, notification and face URL that a change gives a new value: what
/// `Group.CallbackAfterGroupInfoChanged` and `Group.CallbackAfterTopicInfoChanged` report (and
/// only when one of them changed).
pub(crate) struct ProfileDelta {
    pub name: Option<String>,
    pub introduction: Option<String>,
    pub notification: Option<String>,
    pub face_url: Option<String>,
}

impl ProfileDelta {
    /// From the old values and the requested ones (`None`: not asked to change), in the order
    /// name, introduction, notification, face URL.
    pub(crate) fn new(old: [&str; 4], new: [&Option<String>; 4]) -> Self {
        let [name, introduction, notification, face_url] =
            std::array::from_fn(|i| new[i].as_ref().filter(|n| n.as_str() != old[i]).cloned());
        Self {
            name,
            introduction,
            notification,
            face_url,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.introduction.is_none()
            && self.notification.is_none()
            && self.face_url.is_none()
    }
}

/// A plan that changes nothing and answers `error`.
pub(crate) fn refusal<R: Default>(error: ApiError) -> GroupPlan<R> {
    GroupPlan {
        refusal: Some((error.code, error.info)),
        ..GroupPlan::default()
    }
}

/// The group's type as stored (always one of the REST names).
pub(crate) fn type_of(group: &GroupRecord) -> GroupType {
    GroupType::parse(&group.group_type).unwrap_or(GroupType::Public)
}

/// The error a refusing before-callback gives a group API: the app's own code when it is in
/// the range Tencent passes through, else 10016.
pub(crate) fn refused_by_callback(outcome: BeforeOutcome) -> Option<ApiError> {
    let denied = |info: String| {
        ApiError::new(
            codes::GROUP_CALLBACK_DENIED,
            if info.is_empty() {
                "refused by the app's callback".to_owned()
            } else {
                info
            },
        )
    };
    match outcome {
        BeforeOutcome::Allow(_) => None,
        BeforeOutcome::Custom { code, info } if CUSTOM_CODES.contains(&code) => {
            Some(ApiError::new(code as u32, info))
        }
        BeforeOutcome::Deny { info } | BeforeOutcome::Custom { info, .. } => Some(denied(info)),
        BeforeOutcome::Discard => Some(denied(String::new())),
    }
}

impl GroupService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<Clock>,
        webhooks: Arc<Webhooks>,
        (presence, budgets): (Arc<Presence>, Arc<Budgets>),
        fanout: Fanout,
    ) -> Self {
        Self {
            store,
            clock,
            webhooks,
            limiter: Arc::new(SendLimiter::new(budgets)),
            presence,
            fanout,
            broadcast_seq: Arc::default(),
            kinds: Arc::default(),
        }
    }

    /// Runs one edit of a group and turns its refusal into an error.
    async fn edit<R: Send + 'static>(
        &self,
        app: &AppSettings,
        group_id: &str,
        query: GroupQuery,
        decide: impl FnOnce(&GroupSnapshot) -> GroupPlan<R> + Send + 'static,
    ) -> ApiResult<GroupOutcome<R>> {
        // Operations data, read off the plan against the snapshot it was decided on, and
        // counted once the edit is written: groups created and destroyed, members joining and
        // leaving (a member row put for an account that was not a member is a join).
        let tally = Arc::new(std::sync::Mutex::new([0i64; 4]));
        let counted = tally.clone();
        let decide = move |snap: &GroupSnapshot| {
            let plan = decide(snap);
            let mut t = [0i64; 4];
            for change in &plan.changes {
                match change {
                    GroupChange::PutGroup(_) if snap.group.is_none() => t[0] += 1,
                    GroupChange::DeleteGroup => t[1] += 1,
                    GroupChange::PutMember(m) if !snap.members.contains_key(&m.member) => t[2] += 1,
                    GroupChange::DeleteMember(_) => t[3] += 1,
                    _ => {}
                }
            }
            *counted.lock().unwrap_or_else(|e| e.into_inner()) = t;
            plan
        };
        let outcome = self
            .store
            .edit_group(
                app.sdkappid,
                group_id.to_owned(),
                query,
                self.clock.now_ms(),
                decide,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        if let Some((code, info)) = &outcome.refusal {
            return Err(ApiError::new(*code, info.clone()));
        }
        let t = *tally.lock().unwrap_or_else(|e| e.into_inner());
        let ops = self.webhooks.ops();
        for (i, f) in [
            field::GROUP_NEW_GROUP_NUM,
            field::GROUP_DESTROY_GROUP_NUM,
            field::GROUP_JOIN_GROUP_TIMES,
            field::GROUP_QUIT_GROUP_TIMES,
        ]
        .into_iter()
        .enumerate()
        {
            ops.add(app.sdkappid, f, t[i]);
        }
        if outcome.wrote_outbox {
            self.webhooks.wake();
        }
        Ok(outcome)
    }

    /// [`edit`](Self::edit) of a group that must exist (10010 otherwise): `decide` gets its row.
    async fn edit_existing<R: Default + Send + 'static>(
        &self,
        app: &AppSettings,
        group_id: &str,
        query: GroupQuery,
        decide: impl FnOnce(&GroupRecord, &GroupSnapshot) -> GroupPlan<R> + Send + 'static,
    ) -> ApiResult<GroupOutcome<R>> {
        let missing = not_found(group_id).info;
        self.edit(app, group_id, query, move |snap| match &snap.group {
            Some(group) => decide(group, snap),
            None => GroupPlan {
                refusal: Some((codes::GROUP_NOT_FOUND, missing)),
                ..GroupPlan::default()
            },
        })
        .await
    }

    /// A read-only snapshot of a group (no lock, no transaction).
    async fn snapshot(
        &self,
        app: &AppSettings,
        group_id: &str,
        query: GroupQuery,
    ) -> ApiResult<GroupSnapshot> {
        self.store
            .group_snapshot(app.sdkappid, group_id.to_owned(), query)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// One account's membership of a group, if they are a member.
    pub async fn membership(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
    ) -> ApiResult<Option<GroupMember>> {
        let mut snap = self
            .snapshot(app, group_id, GroupQuery::accounts(vec![member.to_owned()]))
            .await?;
        Ok(snap.members.remove(member))
    }

    /// That `member` is in the group: 10010 when the group does not exist, 10007 when they are
    /// not a member (one read).
    pub async fn require_member(
        &self,
        app: &AppSettings,
        group_id: &str,
        member: &str,
    ) -> ApiResult<GroupMember> {
        let mut snap = self
            .snapshot(app, group_id, GroupQuery::accounts(vec![member.to_owned()]))
            .await?;
        if snap.group.is_none() {
            return Err(not_found(group_id));
        }
        snap.members.remove(member).ok_or_else(|| {
            ApiError::new(
                codes::GROUP_NO_PERMISSION,
                format!("{member} is not a member of {group_id}"),
            )
        })
    }

    /// Every member of a group, in join order (for callbacks and lists that need them all).
    pub async fn all_members(
        &self,
        app: &AppSettings,
        group_id: &str,
    ) -> ApiResult<Vec<GroupMember>> {
        self.store
            .group_members(
                app.sdkappid,
                group_id.to_owned(),
                MemberCursor::Offset(0),
                Vec::new(),
                usize::MAX >> 1,
            )
            .await
            .map_err(internal(codes::GROUP_INTERNAL))
    }

    /// The outbox row of an after-callback, keyed by the group so its events arrive in order.
    fn after<P: Payload>(
        &self,
        app: &AppSettings,
        payload: &P,
        group_id: &str,
        origin: &Origin,
    ) -> Option<OutboxEvent> {
        self.webhooks
            .after(app.sdkappid, payload, &format!("group:{group_id}"), origin)
    }

    /// `get_group_info`: each group, or `None` for one that does not exist.
    pub async fn info(
        &self,
        app: &AppSettings,
        ids: Vec<String>,
    ) -> ApiResult<Vec<(String, Option<GroupRecord>)>> {
        if ids.is_empty() {
            return Err(invalid("GroupIdList is empty"));
        }
        if ids.len() > MAX_INFO_GROUPS {
            return Err(invalid(format!(
                "GroupIdList names {} groups; at most {MAX_INFO_GROUPS} are allowed",
                ids.len()
            )));
        }
        let found = self
            .store
            .groups(app.sdkappid, ids.clone())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        Ok(ids.into_iter().zip(found).collect())
    }

    /// One group, or 10010.
    pub async fn group(&self, app: &AppSettings, group_id: &str) -> ApiResult<GroupRecord> {
        self.store
            .groups(app.sdkappid, vec![group_id.to_owned()])
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?
            .pop()
            .flatten()
            .ok_or_else(|| not_found(group_id))
    }

    /// `modify_group_base_info`: changes the given fields; reports
    /// `Group.CallbackAfterGroupInfoChanged` with the name, introduction, notification and face
    /// URL that changed (and only when one of them did).
    pub async fn modify(
        &self,
        app: &AppSettings,
        operator: &str,
        group_id: &str,
        change: GroupInfoChange,
        origin: &Origin,
    ) -> ApiResult<()> {
        if let Some(name) = &change.name {
            if name.is_empty() {
                return Err(invalid("Name is empty"));
            }
            check_len("Name", name, MAX_NAME_BYTES)?;
        }
        if let Some(text) = &change.introduction {
            check_len("Introduction", text, MAX_INTRODUCTION_BYTES)?;
        }
        if let Some(text) = &change.notification {
            check_len("Notification", text, MAX_NOTIFICATION_BYTES)?;
        }
        if let Some(text) = &change.face_url {
            check_len("FaceUrl", text, MAX_FACE_URL_BYTES)?;
        }
        if let Some(apply) = &change.apply_join {
            check_apply_join(apply)?;
        }
        if let Some(invite) = &change.invite_join {
            check_invite_join(invite)?;
        }
        check_custom_data(
            &app.custom_group_fields,
            "AppDefinedData",
            &change.app_defined,
        )?;
        let now = self.clock.now_secs();
        let now_ms = self.clock.now_ms();
        let this = self.clone();
        let app_settings = app.clone();
        let connection = origin.connection;
        let origin = origin.clone();
        let operator = operator.to_owned();
        let id = group_id.to_owned();
        let outcome = self
            .edit_existing(app, group_id, GroupQuery::default(), move |before, _| {
                let mut plan = GroupPlan::default();
                let group_type = type_of(before);
                let mut group = before.clone();
                if let Some(max) = change.max_member_num {
                    // Ignored for live groups, as Tencent documents.
                    if group_type != GroupType::AvChatRoom {
                        if max == 0
                            || max > u64::from(group_type.max_members_limit())
                            || max < group.member_count
                        {
                            plan.refusal = Some((
                                codes::GROUP_INVALID_PARAM,
                                format!(
                                    "MaxMemberNum {max} is out of range (members now: {})",
                                    group.member_count
                                ),
                            ));
                            return plan;
                        }
                        group.max_members = max;
                    }
                }
                let delta = ProfileDelta::new(
                    [
                        &group.name,
                        &group.introduction,
                        &group.notification,
                        &group.face_url,
                    ],
                    [
                        &change.name,
                        &change.introduction,
                        &change.notification,
                        &change.face_url,
                    ],
                );
                let reports = !delta.is_empty();
                let mut info = serde_json::Map::new();
                for (name, value) in [
                    ("Name", &delta.name),
                    ("Introduction", &delta.introduction),
                    ("Notification", &delta.notification),
                    ("FaceUrl", &delta.face_url),
                ] {
                    if let Some(value) = value {
                        info.insert(name.to_owned(), value.clone().into());
                    }
                }
                let operator_account = operator.clone();
                let report = AfterGroupInfoChanged {
                    group_id: id.clone(),
                    group_type: group_type.name().to_owned(),
                    operator_account: operator,
                    name: delta.name,
                    introduction: delta.introduction,
                    notification: delta.notification,
                    face_url: delta.face_url,
                    event_time: now_ms as u64,
                };
                if let Some(v) = change.name {
                    group.name = v;
                }
                if let Some(v) = change.introduction {
                    group.introduction = v;
                }
                if let Some(v) = change.notification {
                    group.notification = v;
                }
                if let Some(v) = change.face_url {
                    group.face_url = v;
                }
                if let Some(v) = change
                    .apply_join
                    .filter(|_| !group_type.apply_join_is_fixed())
                {
                    group.apply_join = v;
                }
                if let Some(v) = change.invite_join {
                    group.invite_join = v;
                }
                if let Some(v) = change.mute_all {
                    group.mute_all = v;
                }
                for (key, value) in change.app_defined {
                    group.app_defined.retain(|(k, _)| *k != key);
                    if !value.is_empty() {
                        group.app_defined.push((key, value));
                    }
                }
                if reports {
                    let mut tip =
                        GroupTip::new(&group, TipKind::GroupInfoChanged, &operator_account, vec![]);
                    tip.info = info;
                    plan.reply = Some(tip);
                    plan.outbox
                        .extend(this.after(&app_settings, &report, &id, &origin));
                }
                if group != *before {
                    group.info_seq += 1;
                    group.last_info_time = now;
                    plan.changes.push(GroupChange::PutGroup(Box::new(group)));
                }
                plan
            })
            .await?;
        if let Some(tip) = outcome.reply {
            self.send_tip(app, tip, connection);
        }
        Ok(())
    }

    /// `destroy_group`: removes the group, its members and its messages; reports
    /// `Group.CallbackAfterGroupDestroyed` (without the member list for communities).
    pub async fn destroy(
        &self,
        app: &AppSettings,
        group_id: &str,
        origin: &Origin,
    ) -> ApiResult<()> {
        let group = self.group(app, group_id).await?;
        let group_type = type_of(&group);
        // Communities report no member list; their members are read only to be told.
        let members: Vec<String> =
            if group_type == GroupType::Community && !self.fanout.may_reach(app.sdkappid) {
                Vec::new()
            } else {
                let members = self.all_members(app, group_id).await?;
                members.into_iter().map(|m| m.member).collect()
            };
        let member_list = (group_type != GroupType::Community)
            .then(|| members.iter().map(MemberAccount::new).collect());
        let report = AfterGroupDestroyed {
            group_id: group_id.to_owned(),
            group_type: group_type.name().to_owned(),
            owner_account: group.owner.clone(),
            name: group.name.clone(),
            member_list,
            event_time: self.clock.now_ms() as u64,
        };
        let event = self.after(app, &report, group_id, origin);
        self.edit_existing(app, group_id, GroupQuery::default(), move |_, _| {
            let mut plan = GroupPlan::new();
            plan.changes.push(GroupChange::DeleteGroup);
            plan.outbox.extend(event);
            plan
        })
        .await?;
        self.kinds.forget(app.sdkappid, group_id);
        self.send_removed(
            app,
            group_id,
            group_type,
            RemovedReason::Disbanded,
            &group.owner,
            members,
            origin.connection,
        );
        self.presence.close_room(app.sdkappid, group_id).await;
        Ok(())
    }
}
