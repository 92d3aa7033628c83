//! One-to-one message extensions (`openim_msg_ext_http_svc/get_key_values`, `set_key_values`):
//! key-value pairs attached to a message sent with `SupportMessageExtension` 1. Every change is
//! one new version (`Seq`) of the message's extensions; the REST API acts as an administrator,
//! so the `Seq` a client would use to detect concurrent writes is not checked. Every change is
//! pushed to both sides' connections (`C2cMsgExtension`, docs/client-protocol.md).

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push};
use natter_store::{C2cMessageRef, ExtensionOutcome, ExtensionRead};
pub use natter_store::{ExtensionChange, ExtensionItem, Extensions, SeenSeqs};
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::edit::{no_such_message, MessageTarget};
use super::{msg_key, MessageService};
use crate::internal;

/// Most keys one message holds.
pub const MAX_KEYS_PER_MESSAGE: usize = 300;
/// Most keys one set or delete names.
pub const MAX_KEYS_PER_CHANGE: usize = 20;
/// Most keys one pull returns.
pub const MAX_KEYS_PER_PULL: usize = 200;
pub const MAX_KEY_BYTES: usize = 100;
pub const MAX_VALUE_BYTES: usize = 1000;

/// What a set or delete did: the keys written or removed with the new version, and the keys
/// left alone because they were written since the version the writer saw (as they are: the
/// Web SDK's 23001 for each).
#[derive(Debug, Clone, Default)]
pub struct ExtensionWrite {
    pub changed: Vec<ExtensionItem>,
    pub conflicts: Vec<ExtensionItem>,
}

/// One pull: the keys and whether every key from the start was returned.
#[derive(Debug, Clone)]
pub struct ExtensionPage {
    pub extensions: Extensions,
    pub complete: bool,
}

/// Checks a set, delete or clear against the limits every message extension has: 1 to 20 keys
/// (none for a clear), keys of 1 to 100 bytes named once, values up to 1,000 bytes (90001).
pub fn check_change(change: &ExtensionChange) -> ApiResult<()> {
    let keys: Vec<&String> = match &change {
        ExtensionChange::Set(pairs) => {
            for (key, value) in pairs {
                if value.len() > MAX_VALUE_BYTES {
                    return Err(ApiError::new(
                        codes::C2C_BAD_PARAM,
                        format!("the value of {key:?} is {} bytes; at most {MAX_VALUE_BYTES} are allowed", value.len()),
                    ));
                }
            }
            pairs.iter().map(|(k, _)| k).collect()
        }
        ExtensionChange::Delete(keys) => keys.iter().collect(),
        ExtensionChange::Clear => Vec::new(),
    };
    if !matches!(change, ExtensionChange::Clear) && keys.is_empty() {
        return Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            "ExtensionList is empty",
        ));
    }
    if keys.len() > MAX_KEYS_PER_CHANGE {
        return Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!(
                "{} keys in ExtensionList; at most {MAX_KEYS_PER_CHANGE} are allowed",
                keys.len()
            ),
        ));
    }
    for key in &keys {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!("key {key:?} must be 1 to {MAX_KEY_BYTES} bytes"),
            ));
        }
    }
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != keys.len() {
        return Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            "a key appears twice in ExtensionList",
        ));
    }
    Ok(())
}

/// Applies a checked change to a message's extensions as one new version (`Seq`), but for the
/// keys written since the version `seen` names for them; returns the keys written or removed
/// (removed ones with an empty value) and those conflicts, or 90001 when the message would hold
/// more than 300 keys. Nothing changes when every key conflicts.
pub fn apply_change(
    extensions: &mut Extensions,
    mut change: ExtensionChange,
    seen: &[(String, u64)],
) -> ApiResult<ExtensionWrite> {
    let conflicts = change.drop_conflicts(seen, &extensions.items);
    if change.is_empty() {
        return Ok(ExtensionWrite {
            changed: Vec::new(),
            conflicts,
        });
    }
    let seq = extensions.latest_seq + 1;
    let mut changed = Vec::new();
    match change {
        ExtensionChange::Set(pairs) => {
            let added = pairs
                .iter()
                .filter(|(k, _)| !extensions.items.iter().any(|i| i.key == *k))
                .count();
            if extensions.items.len() + added > MAX_KEYS_PER_MESSAGE {
                return Err(too_many_keys());
            }
            for (key, value) in pairs {
                extensions.items.retain(|i| i.key != key);
                let item = ExtensionItem { key, value, seq };
                extensions.items.push(item.clone());
                changed.push(item);
            }
        }
        ExtensionChange::Delete(keys) => {
            for key in keys {
                extensions.items.retain(|i| i.key != key);
                changed.push(ExtensionItem {
                    key,
                    value: String::new(),
                    seq,
                });
            }
        }
        ExtensionChange::Clear => {
            extensions.items.clear();
            extensions.clear_seq = seq;
        }
    }
    extensions.latest_seq = seq;
    Ok(ExtensionWrite { changed, conflicts })
}

/// The keys of `extensions` from version `start_seq` on, in version then key order, at most
/// one pull's worth.
pub fn page_from(extensions: &Extensions, start_seq: u64) -> ExtensionPage {
    let mut items: Vec<ExtensionItem> = extensions
        .items
        .iter()
        .filter(|i| i.seq >= start_seq)
        .cloned()
        .collect();
    items.sort_by(|a, b| (a.seq, &a.key).cmp(&(b.seq, &b.key)));
    let complete = items.len() <= MAX_KEYS_PER_PULL;
    items.truncate(MAX_KEYS_PER_PULL);
    ExtensionPage {
        extensions: Extensions {
            items,
            ..extensions.clone()
        },
        complete,
    }
}

fn too_many_keys() -> ApiError {
    ApiError::new(
        codes::C2C_BAD_PARAM,
        format!("a message holds at most {MAX_KEYS_PER_MESSAGE} extension keys"),
    )
}

pub(crate) fn not_enabled() -> ApiError {
    ApiError::new(
        codes::C2C_BAD_PARAM,
        "the message was not sent with SupportMessageExtension 1",
    )
}

impl MessageService {
    pub async fn extensions(
        &self,
        app: &AppSettings,
        target: MessageTarget,
        start_seq: u64,
    ) -> ApiResult<ExtensionPage> {
        let target = self.resolve(app, target).await?;
        let read = self
            .store
            .c2c_extensions(app.sdkappid, target, start_seq, MAX_KEYS_PER_PULL + 1)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        match read {
            ExtensionRead::Found(mut extensions) => {
                let complete = extensions.items.len() <= MAX_KEYS_PER_PULL;
                extensions.items.truncate(MAX_KEYS_PER_PULL);
                Ok(ExtensionPage {
                    extensions,
                    complete,
                })
            }
            ExtensionRead::NoMessage => Err(no_such_message()),
            ExtensionRead::NotEnabled => Err(not_enabled()),
        }
    }

    /// Applies a set (1), delete (2) or clear (3); returns the keys written or removed with the
    /// new version, and the keys written since the version `seen` names for them (left alone).
    /// Both sides' connections (but `origin`'s) hear of a change.
    pub async fn change_extensions(
        &self,
        app: &AppSettings,
        target: MessageTarget,
        change: ExtensionChange,
        seen: SeenSeqs,
        origin: &Origin,
    ) -> ApiResult<ExtensionWrite> {
        check_change(&change)?;
        let operate_type = operate_type(&change);
        let target = self.resolve(app, target).await?;
        let outcome = self
            .store
            .change_c2c_extensions(
                app.sdkappid,
                target.clone(),
                change,
                seen,
                MAX_KEYS_PER_MESSAGE,
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let (items, conflicts) = match outcome {
            ExtensionOutcome::Changed { changed, conflicts } => (changed, conflicts),
            ExtensionOutcome::NoMessage => return Err(no_such_message()),
            ExtensionOutcome::NotEnabled => return Err(not_enabled()),
            ExtensionOutcome::TooManyKeys => return Err(too_many_keys()),
        };
        if operate_type == 3 || !items.is_empty() {
            self.push_extension_change(app, target, operate_type, &items, origin)
                .await;
        }
        Ok(ExtensionWrite {
            changed: items,
            conflicts,
        })
    }

    /// `C2cMsgExtension` to both sides: the keys changed and the message's versions after it.
    async fn push_extension_change(
        &self,
        app: &AppSettings,
        target: C2cMessageRef,
        operate_type: u32,
        items: &[ExtensionItem],
        origin: &Origin,
    ) {
        if !self.fanout.may_reach(app.sdkappid) {
            return;
        }
        // The versions as they are now (a clear names no key to read them from).
        let Ok(ExtensionRead::Found(now)) = self
            .store
            .c2c_extensions(app.sdkappid, target.clone(), u64::MAX, 0)
            .await
        else {
            return;
        };
        let (time, seq, random) = target.position;
        let mut frame = extension_frame(operate_type, items, &now);
        frame["Event"] = "C2cMsgExtension".into();
        frame["From_Account"] = target.from.clone().into();
        frame["To_Account"] = target.to.clone().into();
        frame["MsgKey"] = msg_key(seq, random, time).into();
        frame["MsgSeq"] = seq.into();
        frame["MsgRandom"] = random.into();
        frame["MsgTime"] = time.into();
        self.push_c2c(
            app,
            &target.from,
            &target.to,
            1,
            Some(Push::new(Priority::High, &frame)),
            origin.connection,
        );
    }
}

/// `OperateType` of a change: 1 set, 2 delete, 3 clear.
pub fn operate_type(change: &ExtensionChange) -> u32 {
    match change {
        ExtensionChange::Set(_) => 1,
        ExtensionChange::Delete(_) => 2,
        ExtensionChange::Clear => 3,
    }
}

/// The part of a `C2cMsgExtension` or `GroupMsgExtension` frame that says what changed: the
/// keys set or deleted (a deleted key has an empty value) and the message's versions after it.
pub fn extension_frame(operate_type: u32, items: &[ExtensionItem], now: &Extensions) -> Value {
    let list: Vec<Value> = items
        .iter()
        .map(|i| json!({"Key": i.key, "Value": i.value, "Seq": i.seq}))
        .collect();
    json!({
        "OperateType": operate_type,
        "ExtensionList": list,
        "LatestSeq": now.latest_seq,
        "ClearSeq": now.clear_seq,
    })
}
