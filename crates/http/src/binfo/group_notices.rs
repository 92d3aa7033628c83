//! Group system notices about requests to join: the SDK adds each to its system conversation
//! and says GROUP_SYSTEM_NOTICE_RECEIVED. A request (or a member's invitation) waiting for the
//! owner and admins is `OpType` 1, naming the user who would join as its operator, so that the
//! SDK's `handleGroupApplication({message})` answers it with `handle_apply_join_group` for that
//! user (which answers an invitation too). Answers reach the user who would join: to their own
//! request `OpType` 2 (agreed: the SDK loads the group) or 3 (refused); to an invitation they
//! did not know of only when agreed, as `OpType` 7 (invited: the SDK loads the group).

use natter_services::messages::user_number;
use serde_json::{json, Map, Value};

use super::pushes::{group_tips_push, GROUP_NOTICE_EVENT};

const JOIN_REQUEST: u32 = 1;
const REQUEST_AGREED: u32 = 2;
const REQUEST_REFUSED: u32 = 3;
const INVITED: u32 = 7;

fn text<'a>(event: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    event.get(name).and_then(Value::as_str)
}

/// The notice's own `MsgTime` and a `Random` of its own: the SDK tells notices apart by their
/// sequence (0 for all) and `Random`.
fn stamped(event: &Map<String, Value>, time_secs: i64, subject: &str) -> Map<String, Value> {
    let mut notice = event.clone();
    let random = (time_secs as u64 ^ user_number(subject)) & u64::from(u32::MAX);
    notice.insert("MsgTime".into(), time_secs.into());
    notice.insert("Random".into(), random.into());
    notice
}

/// `GroupApplication` (to the owner and admins): a join request or an invitation waiting.
pub fn application(event: &Map<String, Value>) -> Option<Value> {
    text(event, "GroupId")?;
    let subject = text(event, "From_Account")?;
    let time_ms = event.get("AddTime").and_then(Value::as_i64).unwrap_or(0);
    let mut body = json!({
        "OpType": JOIN_REQUEST,
        "Operator_Account": subject,
        "RemarkInfo": event.get("RequestMsg").cloned().unwrap_or_else(|| json!("")),
        "Authentication": "",
        "MsgKey": time_ms,
    });
    if let Some(inviter) = text(event, "Inviter_Account") {
        body["Inviter_Account"] = inviter.into();
    }
    let notice = stamped(event, time_ms / 1000, subject);
    Some(group_tips_push(
        &notice,
        GROUP_NOTICE_EVENT,
        &json!(0),
        body,
    ))
}

/// `GroupApplicationHandled` (to the user who would join, and to an invitation's inviter).
pub fn application_handled(event: &Map<String, Value>, me: &str) -> Option<Value> {
    text(event, "GroupId")?;
    if text(event, "Applicant_Account")? != me {
        return None;
    }
    let agreed = event.get("HandleResult").and_then(Value::as_u64) == Some(1);
    let invited_by = text(event, "Inviter_Account");
    let (op_type, operator) = match (invited_by, agreed) {
        (None, true) => (REQUEST_AGREED, text(event, "Operator_Account")?),
        (None, false) => (REQUEST_REFUSED, text(event, "Operator_Account")?),
        (Some(inviter), true) => (INVITED, inviter),
        (Some(_), false) => return None,
    };
    let body = json!({
        "OpType": op_type,
        "Operator_Account": operator,
        "RemarkInfo": event.get("HandleMsg").cloned().unwrap_or_else(|| json!("")),
    });
    let time = event.get("HandleTime").and_then(Value::as_i64).unwrap_or(0);
    let notice = stamped(event, time, operator);
    Some(group_tips_push(
        &notice,
        GROUP_NOTICE_EVENT,
        &json!(0),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_waiting_invitation_is_a_join_request_notice_naming_the_invitee() {
        let push = application(&event(json!({"Event": "GroupApplication", "GroupId": "g",
            "From_Account": "dave", "Inviter_Account": "bob", "RequestMsg": "",
            "AddTime": 5_000})))
        .unwrap();
        let notice = &push["EventArray"][0]["GroupTips"][0];
        assert_eq!(notice["Event"], GROUP_NOTICE_EVENT);
        assert_eq!(notice["ToGroupId"], "g");
        assert_eq!(notice["MsgTimeStamp"], 5);
        assert_eq!(notice["MsgBody"]["OpType"], JOIN_REQUEST);
        assert_eq!(notice["MsgBody"]["Operator_Account"], "dave");
        assert_eq!(notice["MsgBody"]["Inviter_Account"], "bob");
    }

    #[test]
    fn answers_reach_the_user_who_would_join_in_the_sdks_terms() {
        let handled = |inviter: Option<&str>, result: u32| {
            let mut e = json!({"Event": "GroupApplicationHandled", "GroupId": "g",
                "Applicant_Account": "dave", "Operator_Account": "alice",
                "HandleResult": result, "HandleMsg": "ok", "HandleTime": 7});
            if let Some(inviter) = inviter {
                e["Inviter_Account"] = inviter.into();
            }
            event(e)
        };
        let op = |push: Option<Value>| {
            push.map(|p| p["EventArray"][0]["GroupTips"][0]["MsgBody"].clone())
        };
        let agreed = op(application_handled(&handled(None, 1), "dave")).unwrap();
        assert_eq!(agreed["OpType"], REQUEST_AGREED);
        assert_eq!(agreed["Operator_Account"], "alice");
        let refused = op(application_handled(&handled(None, 0), "dave")).unwrap();
        assert_eq!(refused["OpType"], REQUEST_REFUSED);
        let invited = op(application_handled(&handled(Some("bob"), 1), "dave")).unwrap();
        assert_eq!(invited["OpType"], INVITED);
        assert_eq!(invited["Operator_Account"], "bob");
        assert!(application_handled(&handled(Some("bob"), 0), "dave").is_none());
        assert!(application_handled(&handled(Some("bob"), 1), "bob").is_none());
    }
}

/// The sender of group system notices, as the SDK names it when deleting them.
const NOTICE_SENDER: &str = "@TIM#SYSTEM";

#[derive(serde::Deserialize)]
struct DeletedNotice {
    #[serde(rename = "From_Account", alias = "From", default)]
    from: Option<String>,
}

#[derive(serde::Deserialize)]
struct Deletemsg {
    #[serde(rename = "DelMsgList")]
    notices: Vec<DeletedNotice>,
}

/// `openim.deletemsg`: the SDK deletes group system notices from its system conversation
/// (`deleteConversation('@TIM#SYSTEM')`, a request notice it answered with
/// `handleGroupApplication({message})`, notices of requests handled elsewhere). Natter pushes
/// notices and keeps none (a new login learns of waiting requests from `get_pendency`), so there
/// is nothing to remove and the deletion holds at once; on success the SDK drops its copies.
/// Anything but a group system notice is refused (90001).
pub(super) async fn deletemsg(
    ctx: crate::handler::Ctx,
    body: Value,
) -> natter_core::ApiResult<Value> {
    let req: Deletemsg = ctx.parse(body)?;
    if let Some(other) = req
        .notices
        .iter()
        .filter_map(|n| n.from.as_deref())
        .find(|from| *from != NOTICE_SENDER)
    {
        return Err(natter_core::ApiError::new(
            natter_core::codes::C2C_BAD_PARAM,
            format!("DelMsgList names a message from {other}; only group system notices ({NOTICE_SENDER}) are deleted this way"),
        ));
    }
    Ok(Value::Null)
}
