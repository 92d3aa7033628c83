//! `group_open_http_svc.get_pendency` (the SDK's `getGroupApplicationList`): the join
//! requests waiting in the groups the user owns or administers, which they answer with
//! `handle_apply_join_group`. Invitations that wait for approval (`PendencyType` 2) are not
//! kept by Natter: an invitation adds the member at once, whatever the group's
//! `InviteJoinOption` (see docs/client-sdk.md).

use std::collections::HashMap;

use natter_core::ApiResult;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

const NICK: &str = "Tag_Profile_IM_Nick";

/// `PendencyType` of a join request.
const JOIN_REQUEST: u32 = 0;

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
    let mut applicants: Vec<String> = requests.iter().map(|r| r.applicant.clone()).collect();
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
            json!({
                "GroupId": r.group_id,
                "GroupName": names.get(&r.group_id).cloned().unwrap_or_default(),
                "From_Account": r.applicant,
                "FromUserNickName": nicks.get(&r.applicant).cloned().unwrap_or_else(|| json!("")),
                "To_Account": "",
                "PendencyType": JOIN_REQUEST,
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
