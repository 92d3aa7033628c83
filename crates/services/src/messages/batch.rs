//! `batchsendmsg`: one message sent to many recipients, each stored as its own one-to-one message.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_store::{C2cMessage, C2cSend};
use serde_json::Value;

use super::{msg_id, msg_key, C2cSent, MessageService, SendC2c, MAX_BATCH_RECIPIENTS};
use crate::internal;

impl MessageService {
    /// `batchsendmsg`: the same message to up to 500 recipients, each stored as its own
    /// one-to-one message with one shared `MsgKey`. Fires no callbacks (Tencent's batch send does
    /// not). Returns the `MsgKey` and the recipients that failed, with their codes.
    pub async fn send_batch(
        &self,
        app: &AppSettings,
        template: SendC2c,
        recipients: Vec<String>,
    ) -> ApiResult<(C2cSent, Vec<(String, u32)>)> {
        if recipients.is_empty() {
            return Err(ApiError::new(codes::C2C_BATCH_EMPTY, "To_Account is empty"));
        }
        if recipients.len() > MAX_BATCH_RECIPIENTS {
            return Err(ApiError::new(
                codes::C2C_BATCH_TOO_MANY,
                format!(
                    "{} recipients; at most {MAX_BATCH_RECIPIENTS} are allowed",
                    recipients.len()
                ),
            ));
        }
        let mut ids = vec![template.from.clone()];
        ids.extend(recipients.iter().cloned());
        let exist = self
            .store
            .accounts_exist(app.sdkappid, ids)
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        if !exist[0] {
            return Err(ApiError::new(
                codes::C2C_FROM_ACCOUNT_INVALID,
                format!("From_Account {} is not imported", template.from),
            ));
        }
        let msg_time = self.clock.now_secs();
        let msg_seq = template.msg_seq.unwrap_or_else(rand::random);
        let sent = C2cSent {
            msg_time,
            msg_key: msg_key(msg_seq, template.msg_random, msg_time),
            msg_id: msg_id(&template.from, msg_time, template.msg_random),
        };
        let mut failed = Vec::new();
        let mut sends = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut delivered = Vec::new();
        let mut stored_for = Vec::new();
        for (to, exists) in recipients.into_iter().zip(&exist[1..]) {
            if !exists {
                failed.push((to, codes::C2C_TO_NOT_REGISTERED));
                continue;
            }
            if !seen.insert(to.clone()) {
                continue;
            }
            if template.msg_life_time == 0 {
                // Online only: nothing stored, pushed to whoever is connected.
                delivered.push(to);
                continue;
            }
            stored_for.push(to.clone());
            let message = C2cMessage {
                from: template.from.clone(),
                to,
                msg_seq,
                msg_random: template.msg_random,
                msg_time,
                body: Value::Array(template.body.clone()).to_string(),
                cloud_custom_data: template.cloud_custom_data.clone(),
                in_sender_history: template.sync_other_machine != 2,
                counts_as_unread: !template.no_unread,
                updates_conversation: !template.no_last_msg,
                offline_push_info: template.offline_push_info.clone(),
                supports_extension: template.supports_extension,
            };
            // Submitted together, so the embedded store commits them in a few grouped writes.
            sends.push(
                self.store
                    .send_c2c_prepared(app.sdkappid, message, Vec::new(), false),
            );
        }
        let results = futures::future::join_all(sends).await;
        for (to, result) in stored_for.into_iter().zip(results) {
            // A repeated batch stored nothing new, so it pushes nothing either.
            if let C2cSend::Stored { .. } = result.map_err(internal(codes::C2C_INTERNAL))? {
                delivered.push(to);
            }
        }
        if !delivered.is_empty() {
            self.webhooks
                .ops()
                .c2c_message(app.sdkappid, &template.from, delivered.len() as u64);
        }
        if self.fanout.may_reach(app.sdkappid) {
            let online_only = template.msg_life_time == 0;
            let sync = template.sync_other_machine;
            let mut template = template;
            for to in delivered {
                template.to = to;
                let push = self.c2c_push(
                    app,
                    &template,
                    msg_seq,
                    msg_time,
                    &sent.msg_key,
                    online_only,
                );
                self.push_c2c(app, &template.from, &template.to, sync, push, None);
            }
        }
        Ok((sent, failed))
    }
}
