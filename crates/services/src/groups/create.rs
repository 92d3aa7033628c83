//! Creating groups: `create_group` and `import_group`, and the group IDs they generate or check.

use natter_core::group::{ADMIN, MEMBER, OWNER};
use natter_core::{codes, ApiError, ApiResult, AppSettings, GroupType};
use natter_store::{GroupChange, GroupPlan, GroupQuery};
use natter_webhook::payloads::group::{AfterCreateGroup, BeforeCreateGroup};
use natter_webhook::payloads::{MemberAccount, UserDefinedData};
use natter_webhook::Origin;
use rand::Rng;

use super::{
    check_apply_join, check_custom_data, check_invite_join, check_len, invalid,
    refused_by_callback, topics, GroupMember, GroupRecord, GroupService, NewGroup,
    COMMUNITY_PREFIX, GENERATED_PREFIX, MAX_CREATE_MEMBERS, MAX_FACE_URL_BYTES, MAX_GROUP_ID_BYTES,
    MAX_INTRODUCTION_BYTES, MAX_NAME_BYTES, MAX_NOTIFICATION_BYTES,
};

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

impl GroupService {
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
}
