//! Events in the Web SDK's shape. The hub queues each event once, as Natter's `/ws` JSON (see
//! docs/client-protocol.md); a `/binfo` connection rewrites the ones the SDK understands into its
//! push body, `{"EventArray": [{"Event": n, "<Kind>Array": [item]}]}`, sent as
//! `im_open_push.msg_push`. Events the SDK has no shape for yet are not sent.

use super::extensions::extension_push;
use natter_services::messages::user_number;
use serde_json::{json, Map, Value};

/// The command name of every push.
pub const PUSH_COMMAND: &str = "im_open_push.msg_push";

/// `Event` numbers the SDK was seen to accept; it dispatches on the array's key, not on these.
pub(super) const C2C_EVENT: u32 = 9;
pub(super) const GROUP_EVENT: u32 = 3;

/// The SDK push body for a `/ws` event frame, for the connection of `me`; `None` for an event the
/// SDK gets no push for (yet).
pub fn to_sdk(frame: &str, me: &str) -> Option<Value> {
    let event: Map<String, Value> = serde_json::from_str(frame).ok()?;
    match event.get("Event")?.as_str()? {
        "C2cMsg" => Some(json!({"EventArray": [{
            "Event": C2C_EVENT,
            "C2cMsgArray": [c2c_item(&event, me)],
        }]})),
        "GroupMsg" => Some(json!({"EventArray": [{
            "Event": GROUP_EVENT,
            "GroupMsgArray": [group_item(&event)],
        }]})),
        "C2cMsgWithdraw" => Some(c2c_withdraw(&event)),
        "C2cMsgModify" => Some(c2c_modify(&event)),
        "GroupTip" => group_tip(&event),
        "GroupMsgRecall" => group_recall(&event),
        "GroupMsgModify" => Some(group_modify(&event)),
        "GroupMsgReceipt" => group_receipt(&event),
        "GroupMsgPin" => group_pin(&event),
        "GroupRemoved" => group_removed(&event),
        "GroupAttrChanged" => Some(group_attr_changed(&event)),
        "GroupCounterChanged" => Some(group_counter_changed(&event)),
        "TopicChange" => topic_change(&event),
        "RelationChange" => relation_change(&event, me),
        "C2cRead" => Some(c2c_read(&event, me)),
        "ConversationChanged" => super::conversation_pushes::conversation_changed(&event),
        "UserStatus" => super::status::user_status_push(&event),
        "C2cMsgExtension" => Some(c2c_extension(&event)),
        "GroupMsgExtension" => Some(group_extension(&event)),
        "C2cMsgReaction" => Some(super::reactions::reaction_push(&event, me, false)),
        "GroupMsgReaction" => Some(super::reactions::reaction_push(&event, me, true)),
        "GroupApplication" => super::group_notices::application(&event),
        "GroupApplicationHandled" => super::group_notices::application_handled(&event, me),
        "C2cMsgReceipt" => super::c2c_pushes::c2c_receipt(&event),
        "C2cPeerMute" => Some(super::c2c_pushes::c2c_peer_mute(&event)),
        "DoNotDisturb" => Some(super::c2c_pushes::do_not_disturb(&event)),
        "FollowChange" => super::follows::follow_push(&event, me),
        _ => None,
    }
}

fn field<'a>(event: &'a Map<String, Value>, name: &str) -> &'a Value {
    event.get(name).unwrap_or(&Value::Null)
}

fn sender_tiny_id(event: &Map<String, Value>) -> String {
    user_number(field(event, "From_Account").as_str().unwrap_or_default()).to_string()
}

/// One C2C message as the SDK reads it in pushes, `openim.getmsg` and `openim.getroammsg`:
/// `TinyId` and `MsgClientTime` make its id (`<TinyId>-<MsgClientTime>-<MsgRandom>`) the one the
/// sender's SDK gave it, because a message sent from the SDK takes its `MsgClientTime` as its
/// `MsgTime` (see `SendC2c::client_time`).
pub fn c2c_item(event: &Map<String, Value>, me: &str) -> Value {
    let from = field(event, "From_Account");
    let time = field(event, "MsgTime");
    json!({
        "From_Account": from,
        "To_Account": field(event, "To_Account"),
        "MsgSeq": field(event, "MsgSeq"),
        "ClientSeq": field(event, "MsgSeq"),
        "MsgRandom": field(event, "MsgRandom"),
        "MsgTimeStamp": time,
        "MsgClientTime": time,
        "MsgKey": field(event, "MsgKey"),
        "MsgBody": field(event, "MsgBody"),
        "CloudCustomData": event.get("CloudCustomData").cloned().unwrap_or_else(|| json!("")),
        "TinyId": sender_tiny_id(event),
        // Pushes only (history does not keep it): the recipient may send a read receipt.
        "NeedReadReceipt": event.get("NeedReadReceipt").cloned().unwrap_or_else(|| json!(0)),
        // A copy of the user's own message, sent from another of their devices.
        "IsSyncMsg": u32::from(from.as_str() == Some(me)),
        "SupportMessageExtension": support_extension(event),
        // How many times it was modified (history; a new message: 0), which `modifyMessage`
        // sends back.
        "MsgVersion": event.get("MsgVersion").cloned().unwrap_or_else(|| json!(0)),
    })
}

/// `SupportMessageExtension` of a message event: 1 when it takes extensions.
fn support_extension(event: &Map<String, Value>) -> u64 {
    event
        .get("SupportMessageExtension")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

pub(super) fn group_item(event: &Map<String, Value>) -> Value {
    let mut group_info = json!({"GroupId": field(event, "GroupId")});
    if let Some(topic) = event.get("TopicId") {
        group_info["TopicId"] = topic.clone();
        group_info["MillionGroupFlag"] = TOPIC_COMMUNITY.into();
    }
    json!({
        "From_Account": field(event, "From_Account"),
        // The SDK's `to`, from which it makes the conversation ID (`GROUP<id>`).
        "ToGroupId": field(event, "GroupId"),
        "GroupInfo": group_info,
        "MsgSeq": field(event, "MsgSeq"),
        "MsgRandom": field(event, "Random"),
        "ClientSeq": field(event, "MsgSeq"),
        "MsgTimeStamp": field(event, "MsgTime"),
        "MsgClientTime": field(event, "MsgTime"),
        "MsgPriority": field(event, "MsgPriority"),
        "MsgBody": field(event, "MsgBody"),
        "CloudCustomData": event.get("CloudCustomData").cloned().unwrap_or_else(|| json!("")),
        "TinyId": sender_tiny_id(event),
        "SupportMessageExtension": support_extension(event),
    })
}

/// The command name of a kick: the SDK's own for it.
pub const KICK_COMMAND: &str = "im_open_status.stat_forceoffline";

/// The SDK's kick type when the event ends the connection (`Kicked`), else `None`.
pub fn kick_type(frame: &str) -> Option<u64> {
    if !frame.contains(natter_services::sessions::KICKED_EVENT) {
        return None;
    }
    let event: Map<String, Value> = serde_json::from_str(frame).ok()?;
    if event.get("Event")?.as_str()? != natter_services::sessions::KICKED_EVENT {
        return None;
    }
    event.get("KickType")?.as_u64()
}

/// The SDK's kicked-out push: `KickType` 1 (another instance), 2 (another device) or 3 (the
/// REST API) becomes its KICKED_OUT event's type.
pub fn kickout(kick_type: u64) -> Value {
    json!({"EventArray": [{
        "Event": C2C_EVENT,
        "C2cNotifyMsgArray": [{"KickoutMsgNotify": {"KickType": kick_type, "NewInstInfo": {}}}],
    }]})
}

/// A recalled one-to-one message: the SDK finds it by peer, `MsgSeq` and `MsgRandom` and says
/// MESSAGE_REVOKED.
fn c2c_withdraw(event: &Map<String, Value>) -> Value {
    json!({"EventArray": [{
        "Event": C2C_EVENT,
        "C2cNotifyMsgArray": [{"WithdrawC2cMsgNotify": {"C2cWithdrawInfoArray": [{
            "From_Account": field(event, "From_Account"),
            "To_Account": field(event, "To_Account"),
            "MsgSeq": field(event, "MsgSeq"),
            "MsgRandom": field(event, "MsgRandom"),
            "MsgTimeStamp": field(event, "MsgTime"),
            "MsgClientTime": field(event, "MsgTime"),
            "MsgKey": field(event, "MsgKey"),
            "TinyId": sender_tiny_id(event),
        }]}}],
    }]})
}

/// An edited one-to-one message: the SDK replaces its body when `MsgVersion` is newer than the
/// one it has, and says MESSAGE_MODIFIED.
fn c2c_modify(event: &Map<String, Value>) -> Value {
    json!({"EventArray": [{
        "Event": C2C_EVENT,
        "C2cMsgModNotifys": [{
            "From_Account": field(event, "From_Account"),
            "To_Account": field(event, "To_Account"),
            "MsgSeq": field(event, "MsgSeq"),
            "MsgRandom": field(event, "MsgRandom"),
            "MsgTimeStamp": field(event, "MsgTime"),
            "MsgClientTime": field(event, "MsgTime"),
            "MsgKey": field(event, "MsgKey"),
            "MsgBody": field(event, "MsgBody"),
            "CloudCustomData": event.get("CloudCustomData").cloned().unwrap_or_else(|| json!("")),
            "MsgVersion": field(event, "MsgVersion"),
            "TinyId": sender_tiny_id(event),
        }],
    }]})
}

/// A one-to-one message's extensions changed: the SDK finds its copy by the sender's `TinyId`
/// and the message's `MsgClientTime` and `MsgRandom`.
fn c2c_extension(event: &Map<String, Value>) -> Value {
    let info = json!({
        "From_Account": field(event, "From_Account"),
        "To_Account": field(event, "To_Account"),
        "MsgSeq": field(event, "MsgSeq"),
        "MsgRandom": field(event, "MsgRandom"),
        "MsgClientTime": field(event, "MsgTime"),
        "MsgKey": field(event, "MsgKey"),
    });
    let notify = extension_push(event, ("ExtensionC2cMsgInfo", info), sender_tiny_id(event));
    json!({"EventArray": [{"Event": C2C_EVENT, "MsgExtensionNotify": notify}]})
}

/// A group message's extensions changed (see [`c2c_extension`]).
fn group_extension(event: &Map<String, Value>) -> Value {
    let info = json!({
        "GroupId": field(event, "GroupId"),
        "MsgSeq": field(event, "MsgSeq"),
        "MsgRandom": field(event, "Random"),
        "MsgClientTime": field(event, "MsgTime"),
    });
    let notify = extension_push(
        event,
        ("ExtensionGroupMsgInfo", info),
        sender_tiny_id(event),
    );
    json!({"EventArray": [{"Event": GROUP_EVENT, "MsgExtensionNotify": notify}]})
}

/// `Event` of a `GroupTips` item that is a tip shown in the group's conversation (the SDK's
/// group tip message).
const GROUP_TIP_EVENT: u32 = 4;
/// `Event` of a `GroupTips` item that is a group system notice (the SDK's system conversation).
pub(super) const GROUP_NOTICE_EVENT: u32 = 5;
/// The sender of group tips and system notices, as the SDK knows it.
const SYSTEM_ACCOUNT: &str = "@TIM#SYSTEM";

/// A group tip: the SDK adds a TIMGroupTipElem message (`operationType` 1 join, 2 quit,
/// 3 kicked, 4 set admin, 5 admin cancelled, 6 profile changed) to the group's conversation,
/// says MESSAGE_RECEIVED, and updates its copy of the group (member count, profile, members).
fn group_tip(event: &Map<String, Value>) -> Option<Value> {
    let op_type = match field(event, "TipType").as_str()? {
        "Join" => 1,
        "Quit" => 2,
        "Kicked" => 3,
        "SetAdmin" => 4,
        "CancelAdmin" => 5,
        "GroupInfoChanged" => 6,
        _ => return None,
    };
    let mut body = json!({
        "OpType": op_type,
        "Operator_Account": field(event, "Operator_Account"),
        "List_Account": field(event, "Member_Account"),
        "MemberNum": field(event, "MemberNum"),
    });
    if let Some(Value::Object(info)) = event.get("GroupInfo") {
        // The SDK's names (`GroupName` → its `name`, `FaceUrl` → `avatar`).
        let mut new_info = Map::new();
        for (name, value) in info {
            let name = if name == "Name" { "GroupName" } else { name };
            new_info.insert(name.to_owned(), value.clone());
        }
        body["MsgGroupNewInfo"] = Value::Object(new_info);
    }
    Some(group_tips_push(
        event,
        GROUP_TIP_EVENT,
        field(event, "MsgSeq"),
        body,
    ))
}

/// A group gone for the user (`Reason` Kicked, Quit or Disbanded): a group system notice
/// (`operationType` 4, 8 or 5) on which the SDK drops the group and its conversation, says
/// GROUP_LIST_UPDATED and CONVERSATION_LIST_UPDATED, and MESSAGE_RECEIVED with the notice.
fn group_removed(event: &Map<String, Value>) -> Option<Value> {
    let notice = group_removed_notice(event)?;
    Some(json!({"EventArray": [{"Event": GROUP_NOTICE_EVENT, "GroupTips": [notice]}]}))
}

/// The group system notice of [`group_removed`], as one `GroupTips` item: what a push carries,
/// and what a viewer's poll of a disbanded AVChatRoom answers (`binfo::live`).
pub(super) fn group_removed_notice(event: &Map<String, Value>) -> Option<Value> {
    let op_type = match field(event, "Reason").as_str()? {
        "Kicked" => 4,
        "Disbanded" => 5,
        "Quit" => 8,
        _ => return None,
    };
    let body = json!({
        "OpType": op_type,
        "Operator_Account": field(event, "Operator_Account"),
    });
    Some(group_tip_item(event, GROUP_NOTICE_EVENT, &json!(0), body))
}

/// `Event` of a `GroupTips` item that carries a group's attribute or counter change: the SDK
/// takes it in without showing a message.
const GROUP_DATA_EVENT: u32 = 6;

/// The SDK's `OpType` of an attribute change (its cache: 1 replace all, 2 upsert, 3 clear,
/// 4 remove the keys).
fn attr_op_type(option_type: &str) -> u32 {
    match option_type {
        "set" => 1,
        "modify" => 2,
        "clear" => 3,
        _ => 4,
    }
}

/// Attributes written: when `AttrMainSeq` is one past the SDK's copy it applies the change,
/// else it reads them again (`get_group_attr`); then GROUP_ATTRIBUTES_UPDATED.
fn group_attr_changed(event: &Map<String, Value>) -> Value {
    let body = json!({"MsgGroupNewInfo": {"GroupAttrOption": {
        "OpType": attr_op_type(field(event, "OptionType").as_str().unwrap_or_default()),
        "AttrMainSeq": field(event, "AttrMainSeq"),
        "PushChangedAttrValFlag": 1,
        "GroupAttrInfo": field(event, "GroupAttr"),
    }}});
    group_tips_push(event, GROUP_DATA_EVENT, &json!(0), body)
}

/// Counters set (`Type` 0) or deleted (1): the SDK updates its copy and says
/// GROUP_COUNTER_UPDATED for each counter set.
fn group_counter_changed(event: &Map<String, Value>) -> Value {
    let body = json!({"GroupCounterInfo": [{
        "Type": field(event, "Type"),
        "GroupCounterSeq": field(event, "GroupCounterSeq"),
        "GroupCounter": field(event, "GroupCounter"),
    }]});
    group_tips_push(event, GROUP_DATA_EVENT, &json!(0), body)
}

/// `MillionGroupFlag` of a community with topics: the SDK files what names a `TopicId` under
/// that topic.
const TOPIC_COMMUNITY: u32 = 2;

/// A topic created (a group system notice, `OpType` 17: TOPIC_CREATED), deleted (18:
/// TOPIC_DELETED, the SDK drops them) or changed (a group tip, `OpType` 8: the SDK updates its
/// copy and says TOPIC_UPDATED).
fn topic_change(event: &Map<String, Value>) -> Option<Value> {
    let operator = field(event, "Operator_Account");
    let (kind, body) = match field(event, "Change").as_str()? {
        "Created" => (
            GROUP_NOTICE_EVENT,
            json!({"OpType": 17, "Operator_Account": operator}),
        ),
        "Deleted" => (
            GROUP_NOTICE_EVENT,
            json!({"OpType": 18, "Operator_Account": operator,
                   "TopicIdArray": field(event, "TopicIdList")}),
        ),
        "Changed" => {
            let mut info = Map::new();
            for (name, value) in event.get("TopicInfo")?.as_object()? {
                // The SDK's names for a topic's new profile.
                let name = match name.as_str() {
                    "FaceUrl" => "TopicFaceUrl",
                    "Introduction" => "TopicIntroduction",
                    "Notification" => "TopicNotification",
                    "ShutUpAllMember" => "ShutupAll",
                    other => other,
                };
                info.insert(name.to_owned(), value.clone());
            }
            (
                GROUP_TIP_EVENT,
                json!({"OpType": 8, "Operator_Account": operator, "MsgTopicNewInfo": info}),
            )
        }
        _ => return None,
    };
    let mut push = group_tips_push(event, kind, &json!(0), body);
    let group_info = &mut push["EventArray"][0]["GroupTips"][0]["GroupInfo"];
    group_info["MillionGroupFlag"] = TOPIC_COMMUNITY.into();
    if let Some(topic) = event.get("TopicId") {
        group_info["TopicId"] = topic.clone();
    }
    Some(push)
}

pub(super) fn group_tips_push(
    event: &Map<String, Value>,
    kind: u32,
    seq: &Value,
    body: Value,
) -> Value {
    let item = group_tip_item(event, kind, seq, body);
    json!({"EventArray": [{"Event": kind, "GroupTips": [item]}]})
}

/// One `GroupTips` item of [`group_tips_push`].
fn group_tip_item(event: &Map<String, Value>, kind: u32, seq: &Value, body: Value) -> Value {
    json!({
        "Event": kind,
        "From_Account": SYSTEM_ACCOUNT,
        "ToGroupId": field(event, "GroupId"),
        "GroupInfo": {
            "GroupId": field(event, "GroupId"),
            "GroupType": field(event, "GroupType"),
        },
        "MsgSeq": seq,
        "ClientSeq": seq,
        "MsgRandom": field(event, "Random"),
        "MsgTimeStamp": field(event, "MsgTime"),
        "MsgClientTime": field(event, "MsgTime"),
        "MsgBody": body,
    })
}

/// The messages of a `GroupMsgRecall` or `GroupMsgReceipt` event, and a copy of the event
/// with the first one's `Random` and `MsgTime`, which the notice carrying them takes.
fn message_list(event: &Map<String, Value>) -> Option<(&Vec<Value>, Map<String, Value>)> {
    let list = event.get("MsgList")?.as_array().filter(|l| !l.is_empty())?;
    let mut notice = event.clone();
    notice.insert("Random".into(), list[0]["Random"].clone());
    notice.insert("MsgTime".into(), list[0]["MsgTime"].clone());
    Some((list, notice))
}

/// The fields by which the SDK finds a group message it has: `MsgSeq`, `MsgRandom`, and its
/// id's `TinyId` and `MsgClientTime`.
fn group_message_ref(event: &Map<String, Value>, message: &Value) -> Map<String, Value> {
    let from = message["From_Account"].as_str().unwrap_or_default();
    let mut item = Map::new();
    item.insert("GroupId".into(), field(event, "GroupId").clone());
    if let Some(topic) = event.get("TopicId") {
        item.insert("TopicId".into(), topic.clone());
    }
    item.insert("MsgSeq".into(), message["MsgSeq"].clone());
    item.insert("MsgRandom".into(), message["Random"].clone());
    item.insert("MsgTimeStamp".into(), message["MsgTime"].clone());
    item.insert("MsgClientTime".into(), message["MsgTime"].clone());
    item.insert("TinyId".into(), user_number(from).to_string().into());
    item
}

/// Recalled group messages: a group system notice whose body lists them
/// (`GroupWithdrawInfoArray`); the SDK marks its copies recalled and says MESSAGE_REVOKED with
/// the recaller as `revoker`.
fn group_recall(event: &Map<String, Value>) -> Option<Value> {
    let (list, notice) = message_list(event)?;
    let revoker = json!({"Revoker_Account": field(event, "Operator_Account")});
    let items: Vec<Value> = list
        .iter()
        .map(|m| {
            let mut item = group_message_ref(event, m);
            item.insert("RevokerInfo".into(), revoker.clone());
            Value::Object(item)
        })
        .collect();
    let body = json!({"GroupWithdrawInfoArray": items});
    let mut push = group_tips_push(&notice, GROUP_NOTICE_EVENT, &json!(0), body);
    push["EventArray"][0]["GroupTips"][0]["RevokerInfo"] = revoker;
    Some(push)
}

/// An edited group message: the SDK replaces its copy's body when `MsgVersion` is newer than
/// the one it has, and says MESSAGE_MODIFIED.
fn group_modify(event: &Map<String, Value>) -> Value {
    let mut item = group_message_ref(event, &Value::Object(event.clone()));
    item.insert("From_Account".into(), field(event, "From_Account").clone());
    item.insert("MsgBody".into(), field(event, "MsgBody").clone());
    item.insert(
        "CloudCustomData".into(),
        event
            .get("CloudCustomData")
            .cloned()
            .unwrap_or_else(|| json!("")),
    );
    item.insert("MsgVersion".into(), field(event, "MsgVersion").clone());
    json!({"EventArray": [{"Event": GROUP_EVENT, "GroupMsgModNotifys": [item]}]})
}

/// New read counts of the user's group messages: a group system notice whose body lists them
/// (`GroupMsgReceiptList`); the SDK updates its copies' `readReceiptInfo` and says
/// MESSAGE_READ_RECEIPT_RECEIVED.
/// `OpType` of the group tip that says a message was pinned (with `PinnedMsg`) or unpinned
/// (with `SdkGroupMessageId`); the SDK says PINNED_GROUP_MESSAGE_UPDATED and does not add the
/// tip to the conversation.
const PINNED_OP_TYPE: u32 = 16;
const UNPINNED_OP_TYPE: u32 = 17;

/// A pinned or unpinned group message (`GroupMsgPin`): a group tip the SDK turns into
/// PINNED_GROUP_MESSAGE_UPDATED, with the whole message when pinned (the SDK shows it) and the
/// parts of its ID when unpinned (`<TinyId>-<MsgClientTime>-<Random>`, by which it finds it).
fn group_pin(event: &Map<String, Value>) -> Option<Value> {
    let pinned = field(event, "Pinned").as_bool()?;
    let Value::Object(message) = field(event, "Message") else {
        return None;
    };
    let operator = field(event, "Operator_Account");
    let mut body = json!({
        "OpType": if pinned { PINNED_OP_TYPE } else { UNPINNED_OP_TYPE },
        "Operator_Account": operator,
        // The SDK reads the operator from here (its `operatorInfo`), whatever else is known.
        "MsgOperatorMemberExtraInfo": {"UserId": operator, "Nick": "", "Avatar": ""},
    });
    let mut sent = message.clone();
    sent.insert("GroupId".into(), field(event, "GroupId").clone());
    if let Some(topic) = event.get("TopicId") {
        sent.insert("TopicId".into(), topic.clone());
    }
    if pinned {
        body["PinnedMsg"] = group_item(&sent);
    } else {
        let from = message
            .get("From_Account")
            .and_then(Value::as_str)
            .unwrap_or_default();
        body["SdkGroupMessageId"] = json!({
            "SenderTinyId": user_number(from).to_string(),
            "MsgClientTime": message.get("MsgTime"),
            "ServerTime": message.get("MsgTime"),
            "MsgRandom": message.get("Random"),
            "MsgSeq": message.get("MsgSeq"),
        });
    }
    // The tip's own sequence is 0: it is no message of the group's.
    Some(group_tips_push(event, GROUP_TIP_EVENT, &json!(0), body))
}

fn group_receipt(event: &Map<String, Value>) -> Option<Value> {
    let (list, notice) = message_list(event)?;
    let items: Vec<Value> = list
        .iter()
        .map(|m| {
            let mut item = group_message_ref(event, m);
            item.insert("ReadNum".into(), m["ReadNum"].clone());
            item.insert("UnreadNum".into(), m["UnreadNum"].clone());
            Value::Object(item)
        })
        .collect();
    let body = json!({"GroupMsgReceiptList": items});
    Some(group_tips_push(
        &notice,
        GROUP_NOTICE_EVENT,
        &json!(0),
        body,
    ))
}

/// A user read a one-to-one conversation up to `LastReadTime`. To the peer: the read receipt on
/// which the SDK marks its own messages sent until then as read by the peer (`isPeerRead`) and
/// says MESSAGE_READ_BY_PEER; to the reader's other devices: the notice on which the SDK marks
/// the conversation read there (unread count 0).
fn c2c_read(event: &Map<String, Value>, me: &str) -> Value {
    let reader = field(event, "Report_Account");
    let time = field(event, "LastReadTime");
    let notify = if reader.as_str() == Some(me) {
        json!({"ReadC2cMsgNotify": {"UinPairReadArray": [{
            "From_Account": field(event, "Peer_Account"),
            "LastReadTime": time,
        }]}})
    } else {
        json!({"C2cReadedReceipt": {
            "To_Account": reader,
            "UinPairReadArray": [{"From_Account": reader, "LastReadTime": time}],
        }})
    };
    json!({"EventArray": [{"Event": C2C_EVENT, "C2cNotifyMsgArray": [notify]}]})
}

/// `Event` of relationship pushes; the SDK goes by the `FriendListMod` key.
const RELATION_EVENT: u32 = 7;

/// Relationship changes, one `FriendListMod` item each (`PushType` 1 friends added, 2 deleted,
/// 3 a friend request, 4 requests gone, 5 blocklisted, 6 unblocked): the SDK updates its lists
/// and says FRIEND_LIST_UPDATED, FRIEND_APPLICATION_LIST_UPDATED or BLACKLIST_UPDATED. A
/// request's `From_Account` is its requester: the SDK files it as sent by the user when that is
/// the user, else as received.
fn relation_change(event: &Map<String, Value>, me: &str) -> Option<Value> {
    let mut mods = Vec::new();
    let list = |name: &str| {
        event
            .get(name)
            .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    };
    if let Some(added) = list("FriendAdd_Account") {
        mods.push(json!({"PushType": 1, "FriendAdd_Account": added}));
    }
    if let Some(deleted) = list("FriendDel_Account") {
        mods.push(json!({"PushType": 2, "FriendDel_Account": deleted}));
    }
    for request in list("RequestAdd")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let from = &request["From_Account"];
        let other = if from.as_str() == Some(me) {
            &request["To_Account"]
        } else {
            from
        };
        mods.push(json!({
            "PushType": 3,
            "From_Account": from,
            "PendencyAdd": [{
                "PendencyAdd_Account": other,
                "AddSource": request["AddSource"],
                "AddWording": request["AddWording"],
                "AddTime": request["AddTime"],
            }],
        }));
    }
    if let Some(gone) = list("RequestDel").and_then(Value::as_array) {
        let others: Vec<&Value> = gone
            .iter()
            .map(|r| {
                if r["From_Account"].as_str() == Some(me) {
                    &r["To_Account"]
                } else {
                    &r["From_Account"]
                }
            })
            .collect();
        mods.push(json!({"PushType": 4, "FrienPencydDel_Account": others}));
    }
    if let Some(blocked) = list("BlackListAdd_Account") {
        mods.push(json!({"PushType": 5, "BlackListAdd_Account": blocked}));
    }
    if let Some(unblocked) = list("BlackListDel_Account") {
        mods.push(json!({"PushType": 6, "BlackListDel_Account": unblocked}));
    }
    if mods.is_empty() {
        return None;
    }
    let items: Vec<Value> = mods
        .into_iter()
        .map(|m| json!({"Event": RELATION_EVENT, "FriendListMod": [m]}))
        .collect();
    Some(json!({ "EventArray": items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_c2c_event_becomes_an_sdk_push() {
        let frame = json!({"Event": "C2cMsg", "From_Account": "alice", "To_Account": "bob",
            "MsgSeq": 7, "MsgRandom": 9, "MsgTime": 100, "MsgKey": "7_9_100",
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]})
        .to_string();
        let push = to_sdk(&frame, "bob").unwrap();
        let item = &push["EventArray"][0]["C2cMsgArray"][0];
        assert_eq!(item["MsgTimeStamp"], 100);
        assert_eq!(item["MsgClientTime"], 100);
        assert_eq!(item["IsSyncMsg"], 0);
        assert_eq!(item["TinyId"], user_number("alice").to_string());
        assert_eq!(item["MsgBody"][0]["MsgContent"]["Text"], "hi");
        let own = to_sdk(&frame, "alice").unwrap();
        assert_eq!(own["EventArray"][0]["C2cMsgArray"][0]["IsSyncMsg"], 1);
        assert!(to_sdk(r#"{"Event":"NoSuchEvent"}"#, "bob").is_none());
    }

    #[test]
    fn a_group_recall_becomes_a_system_notice_the_sdk_finds_its_message_by() {
        let frame = json!({"Event": "GroupMsgRecall", "GroupId": "g", "GroupType": "Public",
            "Operator_Account": "carol",
            "MsgList": [{"MsgSeq": 4, "Random": 9, "From_Account": "alice", "MsgTime": 100}]})
        .to_string();
        let push = to_sdk(&frame, "bob").unwrap();
        let notice = &push["EventArray"][0]["GroupTips"][0];
        assert_eq!(notice["Event"], 5);
        assert_eq!(notice["RevokerInfo"]["Revoker_Account"], "carol");
        let item = &notice["MsgBody"]["GroupWithdrawInfoArray"][0];
        assert_eq!(item["MsgSeq"], 4);
        assert_eq!(item["MsgRandom"], 9);
        assert_eq!(item["MsgClientTime"], 100);
        assert_eq!(item["TinyId"], user_number("alice").to_string());
        assert!(item.get("TopicId").is_none());
        // Nothing recalled, nothing to say.
        let empty = json!({"Event": "GroupMsgRecall", "GroupId": "g", "MsgList": []});
        assert!(to_sdk(&empty.to_string(), "bob").is_none());
    }

    #[test]
    fn a_pin_becomes_a_group_tip_with_the_message_or_its_id() {
        let message = json!({"MsgSeq": 4, "Random": 9, "From_Account": "alice", "MsgTime": 100,
            "MsgPriority": 2, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}],
            "CloudCustomData": ""});
        let frame = |pinned: bool| {
            json!({"Event": "GroupMsgPin", "GroupId": "g", "GroupType": "Public",
                "Operator_Account": "carol", "Pinned": pinned, "Message": message})
            .to_string()
        };
        let push = to_sdk(&frame(true), "bob").unwrap();
        let tip = &push["EventArray"][0]["GroupTips"][0];
        assert_eq!(tip["Event"], GROUP_TIP_EVENT);
        assert_eq!(tip["ToGroupId"], "g");
        let body = &tip["MsgBody"];
        assert_eq!(body["OpType"], 16);
        assert_eq!(body["MsgOperatorMemberExtraInfo"]["UserId"], "carol");
        assert_eq!(body["PinnedMsg"]["MsgSeq"], 4);
        assert_eq!(body["PinnedMsg"]["MsgClientTime"], 100);
        assert_eq!(body["PinnedMsg"]["MsgRandom"], 9);
        assert_eq!(
            body["PinnedMsg"]["TinyId"],
            user_number("alice").to_string()
        );
        assert_eq!(body["PinnedMsg"]["MsgBody"][0]["MsgContent"]["Text"], "hi");

        let push = to_sdk(&frame(false), "bob").unwrap();
        let body = &push["EventArray"][0]["GroupTips"][0]["MsgBody"];
        assert_eq!(body["OpType"], 17);
        let id = &body["SdkGroupMessageId"];
        assert_eq!(id["SenderTinyId"], user_number("alice").to_string());
        assert_eq!(id["MsgClientTime"], 100);
        assert_eq!(id["MsgRandom"], 9);
        assert_eq!(id["MsgSeq"], 4);
        assert!(body.get("PinnedMsg").is_none());
    }
}
