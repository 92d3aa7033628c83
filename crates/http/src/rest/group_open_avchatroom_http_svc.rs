//! `v4/group_open_avchatroom_http_svc/*`: who is online in a live group (1047/50293) and their
//! member marks (1047/50294).

use natter_services::groups::MemberMarks;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;
use crate::handler::HandlerFuture;

#[derive(Deserialize)]
struct MembersRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    /// The page's cursor: 0 first, then the `NextTimestamp` of the page before.
    #[serde(rename = "Timestamp", default)]
    timestamp: i64,
    /// Only members carrying this mark (seen in Tencent's sample request).
    #[serde(rename = "Mark")]
    mark: Option<u64>,
}

pub fn get_members(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MembersRequest>(body)?;
        let (members, next) = ctx
            .services
            .groups
            .online_members(&ctx.app, &req.group_id, req.timestamp, req.mark)
            .await?;
        let list: Vec<Value> = members
            .into_iter()
            .map(|m| {
                json!({
                    "JoinTime": m.join_time,
                    "Member_Account": m.account,
                    "NickName": m.nick,
                    "Avatar": m.avatar,
                })
            })
            .collect();
        Ok(json!({ "MemberList": list, "NextTimestamp": next }))
    })
}

#[derive(Deserialize)]
struct MarkItem {
    #[serde(rename = "Member_Account")]
    member_account: String,
    #[serde(rename = "Marks")]
    marks: Vec<u64>,
}

#[derive(Deserialize)]
struct MarksRequest {
    #[serde(rename = "GroupId")]
    group_id: String,
    /// 1 sets the marks, 2 deletes them.
    #[serde(rename = "CommandType")]
    command_type: u32,
    #[serde(rename = "MemberList")]
    member_list: Vec<MarkItem>,
}

pub fn modify_user_info(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MarksRequest>(body)?;
        let members = req
            .member_list
            .into_iter()
            .map(|m| MemberMarks {
                account: m.member_account,
                marks: m.marks,
            })
            .collect();
        let changed = ctx
            .services
            .groups
            .change_marks(&ctx.app, &req.group_id, req.command_type, members)
            .await?;
        let list: Vec<Value> = changed
            .into_iter()
            .map(|m| json!({"Member_Account": m.account, "Marks": m.marks}))
            .collect();
        Ok(json!({ "CommandType": req.command_type, "MemberList": list }))
    })
}
