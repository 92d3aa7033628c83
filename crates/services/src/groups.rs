//! Groups (`group_open_http_svc`): creating, reading, changing and disbanding groups, their
//! members, and their messages. The rules of each group type are in [`GroupType`]; where
//! Tencent's pages are silent the choice is in docs/architecture.md ("Groups: decisions").
//!
//! Every change runs through `edit_group` (on `dyn Store`): decided inside the transaction that writes
//! it, under the group's lock, so member counts, caps and `MsgSeq` hold under concurrency.

mod applications;
mod attributes;
mod bans;
mod delivery;
mod imports;
mod members;
mod messages;
pub mod permissions;
mod receipts;
mod rooms;
mod tips;
mod topics;

use std::sync::Arc;

use natter_core::group::{ADMIN, MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock, CustomDataField, GroupType};
use natter_events::Hub;
use natter_store::{
    GroupChange, GroupOutcome, GroupPlan, GroupQuery, GroupSnapshot, MemberCursor, OutboxEvent,
    Store,
};
use natter_webhook::payloads::group::{
    AfterCreateGroup, AfterGroupDestroyed, AfterGroupInfoChanged, BeforeCreateGroup,
};
use natter_webhook::payloads::{MemberAccount, Payload, UserDefinedData};
use natter_webhook::{BeforeOutcome, Origin, Webhooks};
use rand::Rng;

use crate::fanout::Fanout;
use crate::internal;
use tips::{GroupTip, RemovedReason, TipKind};

pub use applications::{application_frame, Answer, Decision};
pub use attributes::{AttrChange, CounterMode};
pub use bans::Ban;
pub use delivery::MAX_NOTIFICATION_RECIPIENTS;
pub use imports::{ImportedMember, ImportedMessage};
pub use members::{AddedMember, JoinOutcome, MemberAdd, MemberChange, MemberList, MemberPage};
pub use messages::{priority_number, GroupSend, GroupSent, SendLimiter, GROUP_BODY_CODES};
pub use natter_store::{GroupMember, GroupRecord, TopicRecord};
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
    hub: Arc<Hub>,
    fanout: Fanout,
    broadcast_seq: Arc<delivery::BroadcastSeq>,
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

/// A generated group ID: `@TGS#` and the type's marker, then random letters and digits, as
/// Tencent's look (communities: `@TGS#_@TGS#c…`).
fn generate_id(group_type: GroupType) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    match group_type {
        GroupType::Community => format!("{COMMUNITY_PREFIX}{GENERATED_PREFIX}c{tail}"),
        other => format!("{GENERATED_PREFIX}{}{tail}", other.id_marker()),
    }
}

/// Custom IDs: printable ASCII, at most 48 bytes, never `@TGS#…` (reserved for generated IDs)
/// except a community's, which must start with `@TGS#_`.
fn check_custom_id(id: &str, group_type: GroupType) -> ApiResult<()> {
    if id.is_empty()
        || id.len() > MAX_GROUP_ID_BYTES
        || !id.bytes().all(|b| (0x20..0x7f).contains(&b))
    {
        return Err(ApiError::new(
            codes::GROUP_ID_INVALID,
            format!("GroupId {id:?} must be 1 to {MAX_GROUP_ID_BYTES} printable ASCII characters"),
        ));
    }
    let community = group_type == GroupType::Community;
    if community && !id.starts_with(COMMUNITY_PREFIX) {
        return Err(ApiError::new(
            codes::GROUP_ID_INVALID,
            format!("a Community's custom GroupId must start with {COMMUNITY_PREFIX}"),
        ));
    }
    if id.contains(topics::TOPIC_MARKER) {
        return Err(ApiError::new(
            codes::GROUP_ID_INVALID,
            format!("a GroupId must not contain {}", topics::TOPIC_MARKER),
        ));
    }
    if !community && id.starts_with(GENERATED_PREFIX) {
        return Err(ApiError::new(
            codes::GROUP_ID_INVALID,
            format!("a custom GroupId must not start with {GENERATED_PREFIX}"),
        ));
    }
    Ok(())
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
        hub: Arc<Hub>,
        fanout: Fanout,
    ) -> Self {
        Self {
            store,
            clock,
            webhooks,
            limiter: Arc::new(SendLimiter::default()),
            hub,
            fanout,
            broadcast_seq: Arc::default(),
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

    /// `create_group`: checks the request, asks `Group.CallbackBeforeCreateGroup`, then creates
    /// the group with its owner and members and reports `Group.CallbackAfterCreateGroup`.
    /// Returns the group's ID.
    pub async fn create(
        &self,
        app: &AppSettings,
        operator: &str,
        req: NewGroup,
        origin: &Origin,
    ) -> ApiResult<String> {
        self.create_or_import(app, operator, req, origin, None)
            .await
    }

    /// `import_group`: a group as another system had it, created at `created` (Unix seconds;
    /// now when `None`); no callbacks, no AVChatRoom.
    pub async fn import(
        &self,
        app: &AppSettings,
        operator: &str,
        req: NewGroup,
        created: Option<i64>,
        origin: &Origin,
    ) -> ApiResult<String> {
        if GroupType::parse(&req.group_type) == Some(GroupType::AvChatRoom) {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom cannot be imported",
            ));
        }
        let created = created.unwrap_or_else(|| self.clock.now_secs());
        self.create_or_import(app, operator, req, origin, Some(created))
            .await
    }

    async fn create_or_import(
        &self,
        app: &AppSettings,
        operator: &str,
        req: NewGroup,
        origin: &Origin,
        imported: Option<i64>,
    ) -> ApiResult<String> {
        let group_type = GroupType::parse(&req.group_type).ok_or_else(|| {
            invalid(format!(
                "Type {:?} is not Private, Public, ChatRoom, AVChatRoom or Community",
                req.group_type
            ))
        })?;
        if req.name.is_empty() {
            return Err(invalid("Name is empty"));
        }
        check_len("Name", &req.name, MAX_NAME_BYTES)?;
        check_len("Introduction", &req.introduction, MAX_INTRODUCTION_BYTES)?;
        check_len("Notification", &req.notification, MAX_NOTIFICATION_BYTES)?;
        check_len("FaceUrl", &req.face_url, MAX_FACE_URL_BYTES)?;
        if let Some(apply) = &req.apply_join {
            check_apply_join(apply)?;
        }
        if let Some(invite) = &req.invite_join {
            check_invite_join(invite)?;
        }
        check_custom_data(&app.custom_group_fields, "AppDefinedData", &req.app_defined)?;
        let max_members = req
            .max_member_count
            .unwrap_or(u64::from(group_type.default_max_members()));
        if max_members == 0 || max_members > u64::from(group_type.max_members_limit()) {
            return Err(invalid(format!(
                "MaxMemberCount {max_members} is out of range for a {} group (1 to {})",
                group_type.name(),
                group_type.max_members_limit()
            )));
        }
        if req.members.len() > MAX_CREATE_MEMBERS {
            return Err(ApiError::new(
                codes::GROUP_TOO_MANY_ACCOUNTS,
                format!(
                    "MemberList names {} accounts; at most {MAX_CREATE_MEMBERS} are allowed",
                    req.members.len()
                ),
            ));
        }
        if group_type == GroupType::AvChatRoom && !req.members.is_empty() {
            return Err(ApiError::new(
                codes::GROUP_NO_PERMISSION,
                "an AVChatRoom cannot be created with members; they join from their clients",
            ));
        }
        for (member, role) in &req.members {
            match role.as_deref() {
                None | Some("") | Some(MEMBER) => {}
                Some(ADMIN) if group_type.has_admins() => {}
                Some(other) => {
                    return Err(invalid(format!(
                        "Role {other:?} of {member} is not allowed here (only Admin, in groups that have admins)"
                    )))
                }
            }
        }
        if req.support_topic && group_type != GroupType::Community {
            return Err(invalid("SupportTopic is only for Community groups"));
        }
        let group_id = match &req.group_id {
            Some(id) => {
                check_custom_id(id, group_type)?;
                id.clone()
            }
            None => generate_id(group_type),
        };
        let owner = req.owner.clone().unwrap_or_default();

        let now_ms = self.clock.now_ms();
        let before = BeforeCreateGroup {
            operator_account: operator.to_owned(),
            owner_account: owner.clone(),
            group_type: group_type.name().to_owned(),
            name: req.name.clone(),
            create_group_num: 0,
            member_list: req
                .members
                .iter()
                .map(|(m, _)| MemberAccount::new(m))
                .collect(),
            event_time: now_ms as u64,
        };
        if imported.is_none() {
            if let Some(refusal) =
                refused_by_callback(self.webhooks.before(app.sdkappid, &before, origin).await)
            {
                return Err(refusal);
            }
        }

        let now = self.clock.now_secs();
        let mut accounts: Vec<String> = req.members.iter().map(|(m, _)| m.clone()).collect();
        if !owner.is_empty() {
            accounts.push(owner.clone());
        }
        let after = AfterCreateGroup {
            group_id: group_id.clone(),
            operator_account: operator.to_owned(),
            owner_account: owner.clone(),
            group_type: group_type.name().to_owned(),
            name: req.name.clone(),
            member_list: before.member_list.clone(),
            user_defined_data_list: req
                .app_defined
                .iter()
                .map(|(k, v)| UserDefinedData::new(k, v))
                .collect(),
            event_time: now_ms as u64,
        };
        let event = match imported {
            Some(_) => None,
            None => self.after(app, &after, &group_id, origin),
        };
        let created = imported.unwrap_or(now);
        let id = group_id.clone();
        self.edit(
            app,
            &group_id,
            GroupQuery::accounts(accounts.clone()),
            move |snap| {
                let mut plan = GroupPlan::new();
                if snap.group.is_some() {
                    plan.refusal = Some((
                        codes::GROUP_ID_TAKEN,
                        format!("group ID {id} is already in use"),
                    ));
                    return plan;
                }
                if let Some(missing) = accounts.iter().find(|a| !snap.existing.contains(*a)) {
                    plan.refusal = Some((
                        codes::GROUP_ACCOUNT_NOT_FOUND,
                        format!("account {missing} does not exist"),
                    ));
                    return plan;
                }
                let mut members: Vec<GroupMember> = Vec::new();
                let mut add = |member: &str, role: &str| {
                    if !members.iter().any(|m| m.member == member) {
                        members.push(GroupMember {
                            member: member.to_owned(),
                            role: role.to_owned(),
                            join_time: now,
                            msg_flag: "AcceptAndNotify".into(),
                            ..GroupMember::default()
                        });
                    }
                };
                if !owner.is_empty() {
                    add(&owner, OWNER);
                }
                for (member, role) in &req.members {
                    add(
                        member,
                        if role.as_deref() == Some(ADMIN) {
                            ADMIN
                        } else {
                            MEMBER
                        },
                    );
                }
                if members.len() as u64 > max_members {
                    plan.refusal = Some((
                        codes::GROUP_FULL,
                        format!(
                            "{} members do not fit in a group of {max_members}",
                            members.len()
                        ),
                    ));
                    return plan;
                }
                plan.changes
                    .push(GroupChange::PutGroup(Box::new(GroupRecord {
                        group_id: id.clone(),
                        group_type: group_type.name().to_owned(),
                        name: req.name,
                        introduction: req.introduction,
                        notification: req.notification,
                        face_url: req.face_url,
                        owner,
                        created,
                        max_members,
                        apply_join: req
                            .apply_join
                            .filter(|_| !group_type.apply_join_is_fixed())
                            .unwrap_or_else(|| group_type.default_apply_join().to_owned()),
                        invite_join: req.invite_join.unwrap_or_else(|| "FreeAccess".to_owned()),
                        mute_all: false,
                        info_seq: 1,
                        last_info_time: now,
                        next_msg_seq: 1,
                        last_msg_time: 0,
                        member_count: members.len() as u64,
                        app_defined: req
                            .app_defined
                            .into_iter()
                            .filter(|(_, v)| !v.is_empty())
                            .collect(),
                        support_topic: req.support_topic,
                        ..GroupRecord::default()
                    })));
                plan.changes
                    .extend(members.into_iter().map(GroupChange::PutMember));
                plan.outbox.extend(event);
                plan
            },
        )
        .await?;
        Ok(group_id)
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
        self.send_removed(
            app,
            group_id,
            group_type,
            RemovedReason::Disbanded,
            &group.owner,
            members,
            origin.connection,
        );
        self.hub.close_room(app.sdkappid, group_id);
        Ok(())
    }

    /// `get_joined_group_list`: the groups `member` is in (live groups only with
    /// `with_huge_groups`), of one type or all, with their membership; and how many in all.
    pub async fn joined(
        &self,
        app: &AppSettings,
        member: &str,
        with_huge_groups: bool,
        group_type: Option<&str>,
        offset: usize,
        limit: Option<usize>,
    ) -> ApiResult<(Vec<(GroupRecord, GroupMember)>, u64)> {
        let wanted = match group_type {
            Some(name) => Some(
                GroupType::parse(name)
                    .ok_or_else(|| invalid(format!("GroupType {name:?} is not a group type")))?,
            ),
            None => None,
        };
        let all = self
            .store
            .joined_groups(app.sdkappid, member.to_owned())
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let matching: Vec<_> = all
            .into_iter()
            .filter(|(g, _)| {
                let t = type_of(g);
                (with_huge_groups || t != GroupType::AvChatRoom) && wanted.is_none_or(|w| w == t)
            })
            .collect();
        let total = matching.len() as u64;
        let page = matching
            .into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        Ok((page, total))
    }

    /// `get_appid_group_list`: a page of the app's group IDs in creation order, the cursor
    /// after it (0 when the list is finished), and how many groups there are.
    pub async fn app_groups(
        &self,
        app: &AppSettings,
        next: u64,
        limit: usize,
        group_type: Option<&str>,
    ) -> ApiResult<(Vec<String>, u64, u64)> {
        let wanted = match group_type {
            Some(name) => Some(
                GroupType::parse(name)
                    .ok_or_else(|| invalid(format!("GroupType {name:?} is not a group type")))?
                    .name()
                    .to_owned(),
            ),
            None => None,
        };
        let (page, total) = self
            .store
            .app_groups(app.sdkappid, next as i64, limit + 1, wanted)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?;
        let more = page.len() > limit;
        let page: Vec<_> = page.into_iter().take(limit).collect();
        let next = if more {
            page.last().map_or(0, |(_, serial)| *serial as u64)
        } else {
            0
        };
        Ok((page.into_iter().map(|(id, _)| id).collect(), next, total))
    }

    /// Each membership's unread count: the messages after the member's read position, less
    /// those that do not count (`NoUnread`, directed); none in types that count no unread.
    /// One indexed count per group.
    pub async fn unread_counts(
        &self,
        app: &AppSettings,
        memberships: &[(GroupRecord, GroupMember)],
    ) -> ApiResult<Vec<u64>> {
        let reads = memberships
            .iter()
            .filter(|(g, _)| type_of(g).counts_unread())
            .map(|(g, m)| (g.group_id.clone(), m.read_seq))
            .collect();
        let mut silent = self
            .store
            .silent_after(app.sdkappid, reads)
            .await
            .map_err(internal(codes::GROUP_INTERNAL))?
            .into_iter();
        Ok(memberships
            .iter()
            .map(|(g, m)| {
                if type_of(g).counts_unread() {
                    Self::unread(g, m).saturating_sub(silent.next().unwrap_or(0))
                } else {
                    0
                }
            })
            .collect())
    }

    /// A member's unread count by sequence numbers alone (none in types that count no unread).
    pub fn unread(group: &GroupRecord, member: &GroupMember) -> u64 {
        if !type_of(group).counts_unread() {
            return 0;
        }
        group
            .next_msg_seq
            .saturating_sub(1)
            .saturating_sub(member.read_seq)
    }
}
