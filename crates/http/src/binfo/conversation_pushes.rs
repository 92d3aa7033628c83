//! `ConversationChanged` events (a user's conversation list changed on another of their
//! devices, or through the REST API) in the Web SDK's shape: one `RecentContactMod` item whose
//! `PushType` says what changed. The SDK then updates its copy and says
//! CONVERSATION_LIST_UPDATED, CONVERSATION_GROUP_LIST_UPDATED or CONVERSATION_IN_GROUP_UPDATED.

use serde_json::{json, Map, Value};

/// `Event` of the push; the SDK goes by the `RecentContactMod` key.
const RECENT_CONTACT_EVENT: u32 = 13;

/// A conversation as the SDK reads it in these pushes: `Type` with `UserId` or `GroupId`.
fn sdk_conversation(conversation: &Value) -> Value {
    match conversation.get("Type").and_then(Value::as_u64) {
        Some(1) => json!({"Type": 1, "UserId": conversation["To_Account"]}),
        _ => json!({"Type": 2, "GroupId": conversation["GroupId"]}),
    }
}

fn sdk_conversations(list: Option<&Value>) -> Vec<Value> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().map(sdk_conversation).collect())
        .unwrap_or_default()
}

/// The push for one `ConversationChanged` event; `None` for a change the SDK has no push for.
pub fn conversation_changed(event: &Map<String, Value>) -> Option<Value> {
    let group = event.get("Group").cloned().unwrap_or(Value::Null);
    let conversations = || sdk_conversations(event.get("Conversations"));
    let change = match event.get("Change")?.as_str()? {
        "Deleted" => json!({
            "PushType": 1,
            "RecentContactDeleteItem": {"RecentContactList": conversations()},
        }),
        "Pinned" | "Unpinned" => json!({
            "PushType": if event["Change"] == "Pinned" { 2 } else { 3 },
            "RecentContactTopItem": {"RecentContactList": conversations()},
        }),
        "Marked" => {
            let marks: Vec<Value> = event
                .get("Marks")?
                .as_array()?
                .iter()
                .map(|mark| {
                    json!({
                        "RecentContactItem": sdk_conversation(mark),
                        // Both kinds of mark, as they are now.
                        "OptType": 3,
                        "StandardMark": mark["StandardMark"],
                        "CustomMark": mark["CustomMark"],
                    })
                })
                .collect();
            json!({
                "PushType": 4,
                "RecentContactMarkContact": {"RecentContactMarkContactItem": marks},
            })
        }
        "GroupCreated" => json!({
            "PushType": 5,
            "RecentContactCreateContactGroup": {"MsgContactGroupContactItem": [{
                "MsgGroupItem": group,
                "MsgRecentContactItem": conversations(),
            }]},
        }),
        "GroupDeleted" => json!({
            "PushType": 6,
            "RecentContactDelContactGroup": {"MsgGroupItem": [group]},
        }),
        "GroupRenamed" => json!({
            "PushType": 7,
            "RecentContactUpdateContactGroup": {
                "UpdateType": 1,
                "MsgUpdateGroup": {
                    "UpdateGroupType": 1,
                    "GroupId": group["GroupId"],
                    "GroupName": group["GroupName"],
                    "OldGroupName": event.get("OldGroupName"),
                },
            },
        }),
        "GroupConversationsChanged" => {
            let each = |key: &str, opt: u32| {
                sdk_conversations(event.get(key))
                    .into_iter()
                    .map(move |c| json!({"ContactOptType": opt, "RecentContactItem": c}))
            };
            let items: Vec<Value> = each("Added", 1).chain(each("Removed", 2)).collect();
            json!({
                "PushType": 7,
                "RecentContactUpdateContactGroup": {
                    "UpdateType": 1,
                    "MsgUpdateGroup": {
                        "UpdateGroupType": 2,
                        "GroupId": group["GroupId"],
                        // The SDK finds the group by the name it had.
                        "OldGroupName": group["GroupName"],
                        "RecentContactUpdateGroupItem": items,
                    },
                },
            })
        }
        _ => return None,
    };
    Some(json!({"EventArray": [{
        "Event": RECENT_CONTACT_EVENT,
        "RecentContactMod": [change],
    }]}))
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
    fn a_pin_names_each_conversation_as_the_sdk_reads_it() {
        let push = conversation_changed(&event(json!({
            "Event": "ConversationChanged", "Change": "Unpinned",
            "Conversations": [{"Type": 1, "To_Account": "bob"}, {"Type": 2, "GroupId": "g1"}],
        })))
        .unwrap();
        let change = &push["EventArray"][0]["RecentContactMod"][0];
        assert_eq!(change["PushType"], 3);
        assert_eq!(
            change["RecentContactTopItem"]["RecentContactList"],
            json!([{"Type": 1, "UserId": "bob"}, {"Type": 2, "GroupId": "g1"}])
        );
        assert!(conversation_changed(&event(json!({"Change": "Unknown"}))).is_none());
    }
}
