//! `admin_msgwithdraw`: recalling a one-to-one message, which stays in history flagged recalled.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push};
use natter_store::C2cRecall;
use natter_webhook::payloads::c2c::C2cAfterMsgWithDraw;
use natter_webhook::Origin;
use serde_json::json;

use super::{conversation_key, msg_key, parse_msg_key, MessageService};
use crate::internal;

/// Whether a client's recall of a message sent at `sent` (Unix seconds) comes past the app's
/// recall time limit (`recall_window_secs`; 0: none).
pub fn recall_too_late(app: &AppSettings, now_secs: i64, sent: i64) -> bool {
    app.recall_window_secs > 0 && now_secs - sent > i64::from(app.recall_window_secs)
}

impl MessageService {
    /// A client's recall of its own message: [`recall`](Self::recall), refused with 20016 once
    /// the app's recall time limit has passed since it was sent.
    pub async fn client_recall(
        &self,
        app: &AppSettings,
        origin: &Origin,
        from: String,
        to: String,
        key: String,
    ) -> ApiResult<()> {
        if let Some((sent, _, _)) = parse_msg_key(&key) {
            if recall_too_late(app, self.clock.now_secs(), sent) {
                return Err(ApiError::new(
                    codes::C2C_RECALL_TOO_LATE,
                    format!(
                        "the message was sent more than {} s ago: past the app's recall time limit",
                        app.recall_window_secs
                    ),
                ));
            }
        }
        self.recall(app, origin, from, to, key).await
    }

    /// `admin_msgwithdraw`: recalls a message by its `MsgKey`, with `C2C.CallbackAfterMsgWithDraw`.
    /// The message stays in history, flagged recalled (`MsgFlagBits` 8). Both sides' connections
    /// (but the caller's) get the `C2cMsgWithdraw` event.
    pub async fn recall(
        &self,
        app: &AppSettings,
        origin: &Origin,
        from: String,
        to: String,
        key: String,
    ) -> ApiResult<()> {
        let position = parse_msg_key(&key).ok_or_else(|| {
            ApiError::new(
                codes::C2C_INVALID_MSG_KEY,
                format!("MsgKey {key:?} is not a MsgKey"),
            )
        })?;
        self.both_exist(app.sdkappid, &from, &to).await?;
        let now_ms = self.clock.now_ms();
        let withdraw = C2cAfterMsgWithDraw {
            from_account: from.clone(),
            to_account: to.clone(),
            msg_key: key,
            unread_msg_num: 0,
            event_time: now_ms as u64,
        };
        let webhooks = self.webhooks.clone();
        let (from_account, to_account, origin_connection) =
            (from.clone(), to.clone(), origin.connection);
        let (sdkappid, origin, order) =
            (app.sdkappid, origin.clone(), conversation_key(&from, &to));
        let outbox: natter_store::C2cOutbox = Box::new(move |unread| {
            let withdraw = C2cAfterMsgWithDraw {
                unread_msg_num: unread as i64,
                ..withdraw
            };
            webhooks
                .after(sdkappid, &withdraw, &order, &origin)
                .into_iter()
                .collect()
        });
        let outcome = self
            .store
            .c2c_recall(app.sdkappid, from, to, position, now_ms, outbox)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        match outcome {
            C2cRecall::Recalled { .. } => {
                self.webhooks.wake();
                if self.fanout.may_reach(app.sdkappid) {
                    let (time, seq, random) = position;
                    let frame = json!({
                        "Event": "C2cMsgWithdraw",
                        "From_Account": from_account,
                        "To_Account": to_account,
                        "MsgKey": msg_key(seq, random, time),
                        "MsgSeq": seq,
                        "MsgRandom": random,
                        "MsgTime": time,
                    });
                    self.push_c2c(
                        app,
                        &from_account,
                        &to_account,
                        1,
                        Some(Push::new(Priority::High, &frame)),
                        origin_connection,
                    );
                }
                Ok(())
            }
            C2cRecall::NotFound => Err(ApiError::new(
                codes::C2C_MSG_NOT_FOUND,
                "the message to recall does not exist",
            )),
            C2cRecall::AlreadyRecalled => Err(ApiError::new(
                codes::C2C_ALREADY_RECALLED,
                "the message was already recalled",
            )),
        }
    }
}
