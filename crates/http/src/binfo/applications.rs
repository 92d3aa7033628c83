//! `group_open_http_svc.get_pendency` (the SDK's `getGroupApplicationList`): what waits in the
//! groups the user owns or administers: join requests (`PendencyType` 0, answered with
//! `handle_apply_join_group`) and members' invitations (`PendencyType` 2, `From_Account` the
//! inviter and `To_Account` the invitee, answered with `handle_invite_join_permission_group`).
//! Natter keeps no invitation waiting for its invitee (`PendencyType` 1; see
//! docs/client-sdk.md).

use std::collections::HashMap;

use natter_core::ApiResult;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

const NICK: &str = "Tag_Profile_IM_Nick";

/// `PendencyType` of a join request.
const JOIN_REQUEST: u32 = 0;
/// `PendencyType` of an invitation waiting for the owner or an admin.
const INVITATION: u32 = 2;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetPendency {
    /// Requests made at or after this time (Unix seconds; 0: all). The SDK pages with the
    /// `NextStartTime` of the reply, which is 0 here: one page holds them all.
    #[serde(default)]
    start_time: i64,
}

pub(super) async fn get_pendency(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GetPendency = ctx.parse(body)?;
    let groups = &ctx.services.groups;
    let requests: Vec<_> = groups
        .applications_for(&ctx.app, &ctx.identifier)
        .await?
        .into_iter()
        .filter(|r| r.time_ms / 1000 >= req.start_time)
        .collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for r in &requests {
        if !names.contains_key(&r.group_id) {
            let name = groups.group(&ctx.app, &r.group_id).await?.name;
            names.insert(r.group_id.clone(), name);
        }
    }
    // Whose nickname each item shows: the applicant's, or the inviter's.
    let from = |r: &natter_services::groups::JoinApplication| {
        if r.inviter.is_empty() {
            r.applicant.clone()
        } else {
            r.inviter.clone()
        }
    };
    let mut applicants: Vec<String> = requests.iter().map(from).collect();
    applicants.sort();
    applicants.dedup();
    let mut nicks: HashMap<String, Value> = HashMap::new();
    for chunk in applicants.chunks(natter_services::profiles::MAX_GET_ACCOUNTS) {
        let profiles = ctx
            .services
            .profiles
            .get(&ctx.app, chunk.to_vec(), vec![NICK.into()])
            .await?;
        for profile in profiles {
            let nick = profile
                .items
                .iter()
                .flatten()
                .find(|v| v.tag == NICK)
                .map_or_else(|| json!(""), |v| v.value.clone());
            nicks.insert(profile.user_id.clone(), nick);
        }
    }
    let list: Vec<Value> = requests
        .iter()
        .map(|r| {
            let (kind, to) = if r.inviter.is_empty() {
                (JOIN_REQUEST, "")
            } else {
                (INVITATION, r.applicant.as_str())
            };
            let from = from(r);
            json!({
                "GroupId": r.group_id,
                "GroupName": names.get(&r.group_id).cloned().unwrap_or_default(),
                "From_Account": from,
                "FromUserNickName": nicks.get(&from).cloned().unwrap_or_else(|| json!("")),
                "To_Account": to,
                "PendencyType": kind,
                "Handled": 0,
                "AddTime": r.time_ms / 1000,
                "ApplyInviteMsg": r.message,
                "Authentication": "",
            })
        })
        .collect();
    Ok(json!({
        "PendencyList": list,
        "NextStartTime": 0,
        "UnReadCount": list.len(),
    }))
}
