//! The SDK's message reactions (`addMessageReaction`, `removeMessageReaction`,
//! `getMessageReactions`, `getAllUserListOfMessageReaction`): `openim_msg_ext_http_svc.
//! reaction_add`, `reaction_del`, `reaction_multi_stat`, `reaction_iterate` for one-to-one
//! messages and their `group_` twins, which the REST API does not have. The rules (whose
//! messages, the limits, Tencent's codes 23005 to 23008) are the services' (`reactions`); here
//! are the SDK's request and reply shapes, and its pushes: `MsgReactionNotifyList` (a reaction's
//! count and first users, which the SDK reports as MESSAGE_REACTIONS_UPDATED) to both sides or
//! the members, and before it `MsgReactionNotify` to the user's other devices (whether they
//! reacted, which the SDK keeps per message).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::reactions::C2cReactionList;
use natter_services::messages::user_number;
use natter_services::reactions::{
    listed_users, page_size, ReactionChange, ReactionSummary, ReactionUsers,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::pushes::{C2C_EVENT, GROUP_EVENT};
use crate::handler::Ctx;
use crate::wire::openim::MsgTarget;

/// `reaction_add`, `reaction_del`: the message, the reaction, and the users it is for (the
/// SDK names the user alone, under `Add_Account` or `Del_Account`).
#[derive(Deserialize)]
struct C2cReaction {
    #[serde(flatten)]
    target: MsgTarget,
    #[serde(rename = "Reaction")]
    reaction: String,
    #[serde(default, rename = "Add_Account", alias = "Del_Account")]
    users: Option<Vec<String>>,
}

/// `group_reaction_add`, `group_reaction_del`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupReaction {
    group_id: String,
    #[serde(default)]
    topic_id: Option<String>,
    msg_seq: u64,
    reaction: String,
    #[serde(default, rename = "Add_Account", alias = "Del_Account")]
    users: Option<Vec<String>>,
}

/// `reaction_multi_stat`: messages of one conversation by `MsgKey`; `Count`, how many users
/// to name per reaction.
#[derive(Deserialize)]
struct C2cReactionStat {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(rename = "MsgKeyList")]
    msg_keys: Vec<String>,
    #[serde(default, rename = "Count")]
    count: Option<u64>,
}

/// `group_reaction_multi_stat`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupReactionStat {
    group_id: String,
    #[serde(default)]
    topic_id: Option<String>,
    msg_seq_list: Vec<u64>,
    #[serde(default)]
    count: Option<u64>,
}

/// `reaction_iterate`: a page of a reaction's users from `NextSeq` (0: the start).
#[derive(Deserialize)]
struct C2cReactionIterate {
    #[serde(flatten)]
    target: MsgTarget,
    #[serde(rename = "Reaction")]
    reaction: String,
    #[serde(default, rename = "NextSeq")]
    next_seq: u64,
    #[serde(default, rename = "Count")]
    count: u64,
}

/// `group_reaction_iterate`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupReactionIterate {
    group_id: String,
    #[serde(default)]
    topic_id: Option<String>,
    msg_seq: u64,
    reaction: String,
    #[serde(default)]
    next_seq: u64,
    #[serde(default)]
    count: u64,
}

/// One reaction as the SDK reads it (`MsgReactionSummary` items, and the reply of a change).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReactionItem {
    reaction: String,
    count: u64,
    #[serde(rename = "Reaction_Account")]
    users: Vec<String>,
    reacted_by_me: u32,
}

impl From<ReactionSummary> for ReactionItem {
    fn from(s: ReactionSummary) -> Self {
        Self {
            reaction: s.reaction,
            count: s.count,
            users: s.users,
            reacted_by_me: u32::from(s.by_me),
        }
    }
}

/// The reply of `reaction_iterate`: `NextSeq` 0 when the page holds the last user.
#[derive(Serialize)]
struct UsersPage {
    #[serde(rename = "Reaction_Account")]
    users: Vec<String>,
    #[serde(rename = "NextSeq")]
    next_seq: u64,
}

impl From<ReactionUsers> for UsersPage {
    fn from(page: ReactionUsers) -> Self {
        Self {
            users: page.users,
            next_seq: page.next,
        }
    }
}

fn to_value(reply: impl Serialize) -> ApiResult<Value> {
    serde_json::to_value(reply)
        .map_err(|e| ApiError::new(codes::C2C_INTERNAL, format!("reply: {e}")))
}

/// The users a change names must be the user alone (absent: the user).
fn as_self(ctx: &Ctx, users: Option<Vec<String>>, refusal: u32) -> ApiResult<()> {
    match users {
        None => Ok(()),
        Some(users) if users.len() == 1 && users[0] == ctx.identifier => Ok(()),
        Some(_) => Err(ApiError::new(
            refusal,
            "a user reacts only as themselves: Add_Account/Del_Account must name the user alone",
        )),
    }
}

/// The group and, for a topic's message, the topic (the SDK sends `""` or nothing for the
/// group itself).
fn stream<'a>(group_id: &'a str, topic_id: &'a Option<String>) -> (&'a str, Option<&'a str>) {
    (group_id, topic_id.as_deref().filter(|t| !t.is_empty()))
}

async fn c2c_change(ctx: Ctx, body: Value, add: bool) -> ApiResult<Value> {
    let req: C2cReaction = ctx.parse(body)?;
    as_self(&ctx, req.users, codes::C2C_BAD_PARAM)?;
    let target = req.target.into_target(None)?;
    let change = ReactionChange {
        reaction: req.reaction,
        add,
    };
    let summary = ctx
        .services
        .messages
        .react(&ctx.app, &ctx.identifier, target, change, &ctx.origin)
        .await?;
    to_value(ReactionItem::from(summary))
}

/// `reaction_add`: the user reacts to a one-to-one message of theirs.
pub(super) async fn reaction_add(ctx: Ctx, body: Value) -> ApiResult<Value> {
    c2c_change(ctx, body, true).await
}

/// `reaction_del`: the user takes a reaction of theirs back.
pub(super) async fn reaction_del(ctx: Ctx, body: Value) -> ApiResult<Value> {
    c2c_change(ctx, body, false).await
}

/// `Results`, one item per message asked for: its reactions, or (no such message) none with
/// the item's `ErrorCode`.
fn results(
    keys: Vec<(&str, Value)>,
    found: Vec<Option<Vec<ReactionSummary>>>,
    missing: u32,
) -> ApiResult<Value> {
    let items: Vec<Value> = keys
        .into_iter()
        .zip(found)
        .map(|((name, key), reactions)| {
            let mut item = Map::new();
            item.insert(name.to_owned(), key);
            let list: Vec<ReactionItem> = match reactions {
                Some(list) => list.into_iter().map(Into::into).collect(),
                None => {
                    item.insert("ErrorCode".into(), missing.into());
                    item.insert("ErrorInfo".into(), "no such message".into());
                    Vec::new()
                }
            };
            item.insert("MsgReactionSummary".into(), to_value(list)?);
            Ok(Value::Object(item))
        })
        .collect::<ApiResult<_>>()?;
    Ok(json!({ "Results": items }))
}

/// `reaction_multi_stat`: the reactions of up to 20 one-to-one messages of one conversation.
pub(super) async fn reaction_multi_stat(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: C2cReactionStat = ctx.parse(body)?;
    let list = C2cReactionList {
        from: req.from,
        to: req.to,
        msg_keys: req.msg_keys.clone(),
        listed_users: listed_users(req.count.unwrap_or(10)),
    };
    let found = ctx
        .services
        .messages
        .reactions(&ctx.app, &ctx.identifier, list)
        .await?;
    let keys = req
        .msg_keys
        .into_iter()
        .map(|k| ("MsgKey", Value::from(k)))
        .collect();
    results(keys, found, codes::C2C_MSG_NOT_FOUND)
}

/// `reaction_iterate`: a page of the users of a reaction on a one-to-one message.
pub(super) async fn reaction_iterate(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: C2cReactionIterate = ctx.parse(body)?;
    let target = req.target.into_target(None)?;
    let page = ctx
        .services
        .messages
        .reaction_users(
            &ctx.app,
            &ctx.identifier,
            target,
            req.reaction,
            (req.next_seq, page_size(req.count)),
        )
        .await?;
    to_value(UsersPage::from(page))
}

async fn group_change(ctx: Ctx, body: Value, add: bool) -> ApiResult<Value> {
    let req: GroupReaction = ctx.parse(body)?;
    as_self(&ctx, req.users, codes::GROUP_NO_PERMISSION)?;
    let change = ReactionChange {
        reaction: req.reaction,
        add,
    };
    let summary = ctx
        .services
        .groups
        .react(
            &ctx.app,
            &ctx.identifier,
            stream(&req.group_id, &req.topic_id),
            req.msg_seq,
            change,
            &ctx.origin,
        )
        .await?;
    to_value(ReactionItem::from(summary))
}

/// `group_reaction_add`: a member reacts to a group message.
pub(super) async fn group_reaction_add(ctx: Ctx, body: Value) -> ApiResult<Value> {
    group_change(ctx, body, true).await
}

/// `group_reaction_del`.
pub(super) async fn group_reaction_del(ctx: Ctx, body: Value) -> ApiResult<Value> {
    group_change(ctx, body, false).await
}

/// `group_reaction_multi_stat`: the reactions of up to 20 messages of a group.
pub(super) async fn group_reaction_multi_stat(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupReactionStat = ctx.parse(body)?;
    let found = ctx
        .services
        .groups
        .reactions(
            &ctx.app,
            &ctx.identifier,
            stream(&req.group_id, &req.topic_id),
            req.msg_seq_list.clone(),
            listed_users(req.count.unwrap_or(10)),
        )
        .await?;
    let keys = req
        .msg_seq_list
        .into_iter()
        .map(|seq| ("MsgSeq", Value::from(seq)))
        .collect();
    results(keys, found, codes::GROUP_MSG_NOT_FOUND)
}

/// `group_reaction_iterate`.
pub(super) async fn group_reaction_iterate(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let req: GroupReactionIterate = ctx.parse(body)?;
    let page = ctx
        .services
        .groups
        .reaction_users(
            &ctx.app,
            &ctx.identifier,
            stream(&req.group_id, &req.topic_id),
            req.msg_seq,
            req.reaction,
            (req.next_seq, page_size(req.count)),
        )
        .await?;
    to_value(UsersPage::from(page))
}

fn field<'a>(event: &'a Map<String, Value>, name: &str) -> &'a Value {
    event.get(name).unwrap_or(&Value::Null)
}

/// The SDK's push for a `C2cMsgReaction` or `GroupMsgReaction` event, for the connection of
/// `me`. The SDK finds the message by the parts of its ID (`<TinyId>-<MsgClientTime>-
/// <MsgRandom>`, the sender's number).
pub(super) fn reaction_push(event: &Map<String, Value>, me: &str, group: bool) -> Value {
    let tiny_id = user_number(field(event, "From_Account").as_str().unwrap_or_default());
    let (info_name, info, number) = if group {
        let mut info = json!({
            "GroupId": field(event, "GroupId"),
            "MsgSeq": field(event, "MsgSeq"),
            "MsgRandom": field(event, "Random"),
            "MsgClientTime": field(event, "MsgTime"),
            "TinyId": tiny_id.to_string(),
        });
        // A topic's message (the SDK finds the message by its ID alone).
        if let Some(topic) = event.get("TopicId") {
            info["TopicId"] = topic.clone();
        }
        ("GroupMsgInfo", info, GROUP_EVENT)
    } else {
        let info = json!({
            "From_Account": field(event, "From_Account"),
            "To_Account": field(event, "To_Account"),
            "MsgKey": field(event, "MsgKey"),
            "MsgSeq": field(event, "MsgSeq"),
            "MsgRandom": field(event, "MsgRandom"),
            "MsgClientTime": field(event, "MsgTime"),
            "TinyId": tiny_id.to_string(),
        });
        ("C2CMsgInfo", info, C2C_EVENT)
    };
    let mut summary = json!({
        "Reaction": field(event, "Reaction"),
        "Count": field(event, "Count"),
        "Reaction_Account": field(event, "Reaction_Account"),
    });
    if let Some(mine) = reacted_by(event, me) {
        summary["ReactedByMe"] = u32::from(mine).into();
    }
    let list = json!({
        "Event": number,
        "MsgReactionNotifyList": [{info_name: info.clone(), "MsgReactionSummary": [summary]}],
    });
    if field(event, "Operator_Account").as_str() != Some(me) {
        return json!({ "EventArray": [list] });
    }
    // The user's own other device: first whether they reacted, then the reaction's state.
    let mine = json!({
        "Event": number,
        "MsgReactionNotify": {
            info_name: info,
            "Reaction": field(event, "Reaction"),
            "OperateType": field(event, "OperateType"),
        },
    });
    json!({ "EventArray": [mine, list] })
}

/// Whether `me` has the reaction after the change, when the event tells: the user who made
/// it knows, a user named among the first users has it, and one not named does not when the
/// names are all of them.
fn reacted_by(event: &Map<String, Value>, me: &str) -> Option<bool> {
    if field(event, "Operator_Account").as_str() == Some(me) {
        return Some(field(event, "OperateType").as_u64() == Some(1));
    }
    let users = field(event, "Reaction_Account").as_array()?;
    if users.iter().any(|u| u.as_str() == Some(me)) {
        return Some(true);
    }
    let count = field(event, "Count").as_u64()?;
    (count <= users.len() as u64).then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(operator: &str, op: u64, count: u64, users: &[&str]) -> Map<String, Value> {
        let value = json!({
            "Event": "C2cMsgReaction", "From_Account": "a", "To_Account": "b",
            "MsgKey": "1_2_3", "MsgSeq": 1, "MsgRandom": 2, "MsgTime": 3,
            "Operator_Account": operator, "OperateType": op, "Reaction": "smile",
            "Count": count, "Reaction_Account": users,
        });
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_operators_other_devices_hear_first_whether_they_reacted() {
        let push = reaction_push(&event("b", 1, 1, &["b"]), "b", false);
        let items = push["EventArray"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["MsgReactionNotify"]["OperateType"], 1);
        assert_eq!(items[0]["MsgReactionNotify"]["C2CMsgInfo"]["MsgRandom"], 2);
        let summary = &items[1]["MsgReactionNotifyList"][0]["MsgReactionSummary"][0];
        assert_eq!(summary["ReactedByMe"], 1);
        assert_eq!(
            items[1]["MsgReactionNotifyList"][0]["C2CMsgInfo"]["TinyId"],
            user_number("a").to_string()
        );
    }

    #[test]
    fn others_hear_the_reaction_and_whether_they_have_it_when_known() {
        let push = reaction_push(&event("b", 1, 1, &["b"]), "a", false);
        let items = push["EventArray"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let summary = &items[0]["MsgReactionNotifyList"][0]["MsgReactionSummary"][0];
        assert_eq!(summary["Count"], 1);
        assert_eq!(summary["ReactedByMe"], 0, "every user is named");
        let crowded = reaction_push(&event("b", 1, 12, &["c", "d"]), "a", true);
        let summary =
            &crowded["EventArray"][0]["MsgReactionNotifyList"][0]["MsgReactionSummary"][0];
        assert!(summary.get("ReactedByMe").is_none(), "not known: {summary}");
        assert_eq!(crowded["EventArray"][0]["Event"], GROUP_EVENT);
    }
}
