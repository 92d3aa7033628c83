//! Changes to a user's conversation list that their other devices must follow (pins,
//! deletions, marks, conversation groups), and the two list edits only clients make: pinning
//! and clearing a one-to-one history.
//!
//! Each change goes to the owner's connections, except the one that made it, as one
//! `ConversationChanged` event (docs/client-protocol.md); `/binfo` turns it into the Web SDK's
//! conversation push.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_store::{ContactChange, ContactGroup, ConversationId, ConversationKind};
use natter_webhook::Origin;
use serde_json::{json, Value};

use crate::conversations::{ConversationService, MAX_ITEMS_PER_CHANGE};
use crate::internal;

/// A conversation as the event names it: `Type` 1 with `To_Account`, or 2 with `GroupId`.
pub fn conversation(id: &ConversationId) -> Value {
    match id.kind {
        ConversationKind::C2c => json!({"Type": 1, "To_Account": id.peer}),
        ConversationKind::Group => json!({"Type": 2, "GroupId": id.peer}),
    }
}

fn conversations(ids: &[ConversationId]) -> Vec<Value> {
    ids.iter().map(conversation).collect()
}

/// Conversations removed from the list.
pub fn deleted(ids: &[ConversationId]) -> Value {
    json!({"Event": "ConversationChanged", "Change": "Deleted", "Conversations": conversations(ids)})
}

fn pinned(ids: &[ConversationId], pinned: bool) -> Value {
    let change = if pinned { "Pinned" } else { "Unpinned" };
    json!({"Event": "ConversationChanged", "Change": change, "Conversations": conversations(ids)})
}

fn group(group: &ContactGroup) -> Value {
    json!({"GroupId": group.id, "GroupName": group.name})
}

impl ConversationService {
    /// Hands `frame` to `owner`'s connections but the one that caused it.
    pub(crate) fn announce(&self, app: &AppSettings, origin: &Origin, owner: &str, frame: Value) {
        if self.fanout.may_reach(app.sdkappid) {
            self.fanout.send(
                app.sdkappid,
                Target::Users(vec![owner.to_owned()]),
                &Push::new(Priority::High, &frame),
                origin.connection,
            );
        }
    }

    /// The event of a done contact change. Marks are sent whole (both kinds, as they are now),
    /// read back after the change, so a device that missed an earlier change still ends right.
    pub(crate) async fn announce_contacts(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: &str,
        change: &ContactChange,
        changed: Option<&ContactGroup>,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        let frame = match (change, changed) {
            (ContactChange::Mark(items), _) => {
                let ids: Vec<ConversationId> = items.iter().map(|i| i.id.clone()).collect();
                let data = match self
                    .store
                    .contact_data(app.sdkappid, owner.to_owned(), Some(ids.clone()), 0, 0)
                    .await
                {
                    Ok(data) => data,
                    // The change is made; a device that misses it sees it at its next sync.
                    Err(e) => {
                        tracing::warn!(error = %e, "conversation marks not read back for the push");
                        return;
                    }
                };
                let marks: Vec<Value> = ids
                    .iter()
                    .map(|id| {
                        let now = data.iter().find(|d| d.id == *id);
                        let mut item = conversation(id);
                        item["StandardMark"] =
                            format!("{:b}", now.map_or(0, |d| d.standard_mark)).into();
                        item["CustomMark"] = now.map_or("", |d| d.custom_mark.as_str()).into();
                        item
                    })
                    .collect();
                json!({"Event": "ConversationChanged", "Change": "Marked", "Marks": marks})
            }
            (ContactChange::CreateGroup { members, .. }, Some(created)) => json!({
                "Event": "ConversationChanged",
                "Change": "GroupCreated",
                "Group": group(created),
                "Conversations": conversations(members),
            }),
            (ContactChange::DeleteGroup { .. }, Some(gone)) => json!({
                "Event": "ConversationChanged",
                "Change": "GroupDeleted",
                "Group": group(gone),
            }),
            (ContactChange::RenameGroup { old, .. }, Some(renamed)) => json!({
                "Event": "ConversationChanged",
                "Change": "GroupRenamed",
                "Group": group(renamed),
                "OldGroupName": old,
            }),
            (ContactChange::UpdateMembers { add, remove, .. }, Some(updated)) => json!({
                "Event": "ConversationChanged",
                "Change": "GroupConversationsChanged",
                "Group": group(updated),
                "Added": conversations(add),
                "Removed": conversations(remove),
            }),
            _ => return,
        };
        self.announce(app, origin, owner, frame);
    }

    /// Pins (or unpins) conversations in `owner`'s list (the Web SDK's `pinConversation`); a
    /// conversation without a message yet is added to the list pinned.
    pub async fn pin(
        &self,
        app: &AppSettings,
        origin: &Origin,
        owner: String,
        ids: Vec<ConversationId>,
        pin: bool,
    ) -> ApiResult<()> {
        if ids.is_empty() || ids.len() > MAX_ITEMS_PER_CHANGE {
            return Err(ApiError::new(
                codes::CONVERSATION_BAD_PARAM,
                format!(
                    "1 to {MAX_ITEMS_PER_CHANGE} conversations may be pinned at once, got {}",
                    ids.len()
                ),
            ));
        }
        self.owner_exists(app.sdkappid, &owner).await?;
        self.store
            .set_conversations_pinned(app.sdkappid, owner.clone(), ids.clone(), pin)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        self.announce(app, origin, &owner, pinned(&ids, pin));
        Ok(())
    }

    /// Clears `owner`'s history of a one-to-one conversation (the peer keeps it); the
    /// conversation stays in the list. A group's history is the group's, not the user's: Natter
    /// keeps no per-member view of it, so that is refused.
    pub async fn clear_history(
        &self,
        app: &AppSettings,
        owner: String,
        id: ConversationId,
    ) -> ApiResult<()> {
        if id.kind == ConversationKind::Group {
            return Err(ApiError::new(
                codes::API_NOT_FOUND,
                "clearing a group conversation's history is not served by Natter yet",
            ));
        }
        self.owner_exists(app.sdkappid, &owner).await?;
        self.owner_exists(app.sdkappid, &id.peer).await?;
        self.store
            .clear_c2c_history(app.sdkappid, owner, id.peer)
            .await
            .map_err(internal(codes::CONVERSATION_INTERNAL))?;
        Ok(())
    }
}
