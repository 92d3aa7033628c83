//! Writing one-to-one history as an administrator: `importmsg` and `modify_c2c_msg`. Neither
//! fires a callback (Tencent's do not).

use natter_core::message::check_body;
use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push};
use natter_store::{C2cHistoryQuery, C2cImport, C2cMessage, C2cMessageRef, C2cModify};
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::{msg_key, parse_msg_key, MessageService, C2C_BODY_CODES};
use crate::groups::{EditOutcome, ModifiedMessage};
use crate::internal;

/// One message to import (`importmsg`).
#[derive(Debug, Clone)]
pub struct ImportC2c {
    pub from: String,
    pub to: String,
    pub msg_seq: Option<u32>,
    pub msg_random: u32,
    /// `MsgTimeStamp`, Unix seconds.
    pub msg_time: i64,
    /// Checked with [`check_body`] by the caller.
    pub body: Vec<Value>,
    pub cloud_custom_data: String,
    /// `SyncFromOldSystem` 5 (real time during a migration: counts as unread) rather than 2
    /// (history: already read).
    pub realtime: bool,
}

impl MessageService {
    /// `importmsg`: stores a message at its own time, first import wins (a duplicate, in either
    /// direction, is answered as a success and changes nothing); updates both conversations.
    pub async fn import(&self, app: &AppSettings, req: ImportC2c) -> ApiResult<C2cImport> {
        self.sender_and_recipient_exist(app.sdkappid, &req.from, &req.to)
            .await?;
        let message = C2cMessage {
            from: req.from,
            to: req.to,
            msg_seq: req.msg_seq.unwrap_or_else(rand::random),
            msg_random: req.msg_random,
            msg_time: req.msg_time,
            body: Value::Array(req.body).to_string(),
            cloud_custom_data: req.cloud_custom_data,
            in_sender_history: true,
            counts_as_unread: req.realtime,
            updates_conversation: true,
            offline_push_info: String::new(),
            supports_extension: false,
        };
        self.store
            .import_c2c(app.sdkappid, message)
            .await
            .map_err(internal(codes::C2C_INTERNAL))
    }

    /// `modify_c2c_msg`: replaces the body and/or the CloudCustomData of a stored message, for
    /// both sides' history. A recalled message stays recalled and cannot be modified. Both
    /// sides' connections (but the caller's) get the `C2cMsgModify` event with the new message.
    /// With an `expected_version` (the `MsgVersion` of the editor's copy) older than the stored
    /// one nothing changes: [`EditOutcome::Conflict`] with the message as it is.
    pub async fn modify(
        &self,
        app: &AppSettings,
        origin: &Origin,
        target: MessageTarget,
        body: Option<&Value>,
        cloud_custom_data: Option<String>,
        expected_version: Option<u64>,
    ) -> ApiResult<EditOutcome> {
        if body.is_none() && cloud_custom_data.is_none() {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                "nothing to modify: give MsgBody, CloudCustomData or both",
            ));
        }
        let body = match body {
            Some(body) => {
                let checked = check_body(
                    Some(body),
                    cloud_custom_data.as_deref().unwrap_or_default(),
                    C2C_BODY_CODES,
                )?;
                Some(Value::Array(checked).to_string())
            }
            None => None,
        };
        let target = self.resolve(app, target).await?;
        let outcome = self
            .store
            .modify_c2c(
                app.sdkappid,
                target.clone(),
                body,
                cloud_custom_data,
                expected_version,
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        match outcome {
            C2cModify::Modified { .. } => {
                let current = self.push_modified(app, origin, target).await;
                current
                    .map(EditOutcome::Modified)
                    .ok_or_else(no_such_message)
            }
            C2cModify::Conflict {
                body,
                cloud_custom_data,
                version,
            } => Ok(EditOutcome::Conflict(ModifiedMessage {
                body: serde_json::from_str(&body).unwrap_or_else(|_| json!([])),
                cloud_custom_data,
                version,
            })),
            C2cModify::NotFound => Err(no_such_message()),
            C2cModify::Recalled => Err(ApiError::new(
                codes::C2C_ALREADY_RECALLED,
                "the message was recalled and cannot be modified",
            )),
        }
    }

    /// Tells both sides' connections that a message changed, with its new body (the Web SDK
    /// replaces the whole message; `MsgVersion` grows with every edit). The message as it now
    /// is; `None` if it went in the meantime.
    async fn push_modified(
        &self,
        app: &AppSettings,
        origin: &Origin,
        target: C2cMessageRef,
    ) -> Option<ModifiedMessage> {
        let (time, seq, random) = target.position;
        // The recipient's view holds the message whatever the sender's history shows.
        let found = self
            .store
            .c2c_history(
                app.sdkappid,
                C2cHistoryQuery {
                    operator: target.to.clone(),
                    peer: target.from.clone(),
                    min_time: time,
                    max_time: time,
                    before: random.checked_add(1).map(|r| (time, seq, r)),
                    limit: 1,
                },
            )
            .await;
        let stored = found.ok().and_then(|page| page.into_iter().next())?;
        let m = stored.message;
        if (m.msg_seq, m.msg_random, m.from.as_str()) != (seq, random, target.from.as_str()) {
            return None;
        }
        let body: Value = serde_json::from_str(&m.body).unwrap_or_else(|_| json!([]));
        let current = ModifiedMessage {
            body: body.clone(),
            cloud_custom_data: m.cloud_custom_data.clone(),
            version: stored.version,
        };
        if !self.fanout.may_reach(app.sdkappid) {
            return Some(current);
        }
        let frame = json!({
            "Event": "C2cMsgModify",
            "From_Account": m.from,
            "To_Account": m.to,
            "MsgKey": msg_key(seq, random, time),
            "MsgSeq": seq,
            "MsgRandom": random,
            "MsgTime": time,
            "MsgBody": body,
            "CloudCustomData": m.cloud_custom_data,
            "MsgVersion": stored.version,
        });
        self.push_c2c(
            app,
            &target.from,
            &target.to,
            1,
            Some(Push::new(Priority::High, &frame)),
            origin.connection,
        );
        Some(current)
    }

    /// Checks the accounts and the `MsgKey` of a request about one stored message.
    pub(super) async fn resolve(
        &self,
        app: &AppSettings,
        target: MessageTarget,
    ) -> ApiResult<C2cMessageRef> {
        let position = parse_msg_key(&target.msg_key).ok_or_else(|| {
            ApiError::new(
                codes::C2C_INVALID_MSG_KEY,
                format!("MsgKey {:?} is not a MsgKey", target.msg_key),
            )
        })?;
        self.both_exist(app.sdkappid, &target.from, &target.to)
            .await?;
        Ok(C2cMessageRef {
            from: target.from,
            to: target.to,
            position,
        })
    }
}

/// A stored message named the way the REST API names it.
#[derive(Debug, Clone)]
pub struct MessageTarget {
    pub from: String,
    pub to: String,
    pub msg_key: String,
}

pub(super) fn no_such_message() -> ApiError {
    ApiError::new(
        codes::C2C_MSG_NOT_FOUND,
        "no message with this MsgKey between these accounts",
    )
}
