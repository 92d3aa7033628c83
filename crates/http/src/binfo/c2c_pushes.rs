//! Pushes about the user's own side of one-to-one conversations, in the SDK's shapes (see
//! [`super::pushes`] for the others).

use natter_services::messages::user_number;
use serde_json::{json, Map, Value};

/// `Event` of a one-to-one read receipt: the SDK reads `C2cMsgInfo` only under this number.
const C2C_RECEIPT_EVENT: u32 = 16;
/// `Event` of one-to-one notices (`C2cNotifyMsgArray`), as in [`super::pushes`].
const C2C_EVENT: u32 = 9;

fn field<'a>(event: &'a Map<String, Value>, name: &str) -> &'a Value {
    event.get(name).unwrap_or(&Value::Null)
}

/// `C2cMsgReceipt`, to the sender: the SDK finds each of its messages by id
/// (`<TinyId>-<MsgClientTime>-<MsgRandom>`, the sender's own), marks it read by the peer named
/// in `Peer_Account` and says MESSAGE_READ_RECEIPT_RECEIVED.
pub fn c2c_receipt(event: &Map<String, Value>) -> Option<Value> {
    let messages: Vec<Value> = field(event, "MsgList")
        .as_array()?
        .iter()
        .map(|m| {
            let from = m["From_Account"].as_str().unwrap_or_default();
            json!({
                "TinyId": user_number(from).to_string(),
                "MsgClientTime": m["MsgTime"],
                "MsgRandom": m["MsgRandom"],
                "MsgSeq": m["MsgSeq"],
            })
        })
        .collect();
    Some(json!({"EventArray": [{
        "Event": C2C_RECEIPT_EVENT,
        "Peer_Account": field(event, "Report_Account"),
        "PeerReadTime": field(event, "ReadTime"),
        "C2cMsgInfo": messages,
    }]}))
}

/// `C2cPeerMute`, to the user's other devices: the SDK sets the conversation's
/// `messageRemindType` and says CONVERSATION_LIST_UPDATED.
pub fn c2c_peer_mute(event: &Map<String, Value>) -> Value {
    json!({"EventArray": [{
        "Event": C2C_EVENT,
        "C2cNotifyMsgArray": [{"MuteNotificationsSync": {
            "To_Account": field(event, "Peer_Account"),
            "MuteNotifications": field(event, "MuteNotifications"),
        }}],
    }]})
}

/// `Event` of the setting for all messages: the SDK reads the item itself.
const DO_NOT_DISTURB_EVENT: u32 = 24;

/// `DoNotDisturb`, to the user's other devices: the SDK says ALL_RECEIVE_MESSAGE_OPT_UPDATED.
pub fn do_not_disturb(event: &Map<String, Value>) -> Value {
    json!({"EventArray": [{
        "Event": DO_NOT_DISTURB_EVENT,
        "Level": field(event, "Level"),
        "StartTime": field(event, "StartTime"),
        "EndTime": field(event, "EndTime"),
        "IsRepeated": field(event, "IsRepeated"),
    }]})
}
