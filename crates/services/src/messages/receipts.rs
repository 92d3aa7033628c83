//! One-to-one read receipts (the Web SDK's `sendMessageReadReceipt` on messages sent with
//! `needReadReceipt`): the reader tells the sender that these messages were read. Nothing is
//! stored (the read position is `admin_set_msg_read`'s); the sender's connections get the
//! `C2cMsgReceipt` event. Tencent has no callback for it.

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_events::{Priority, Push, Target};
use natter_store::C2cHistoryQuery;
use natter_webhook::Origin;
use serde_json::{json, Value};

use super::{msg_key, MessageService};
use crate::internal;

/// Most messages one receipt names.
pub const MAX_RECEIPT_MESSAGES: usize = 100;

/// A message a receipt is for, as the reader names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFor {
    pub from: String,
    pub to: String,
    pub seq: u32,
    pub random: u32,
    pub time: i64,
}

impl MessageService {
    /// `reader` has read these messages of `peer`'s: each must be one `peer` sent to `reader`
    /// and still in `reader`'s history (90001 otherwise, 20022 for one not found). `peer`'s
    /// connections get one `C2cMsgReceipt` event naming them all.
    pub async fn send_c2c_receipts(
        &self,
        app: &AppSettings,
        origin: &Origin,
        reader: &str,
        peer: &str,
        messages: Vec<ReceiptFor>,
    ) -> ApiResult<()> {
        if messages.is_empty() || messages.len() > MAX_RECEIPT_MESSAGES {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "{} messages in C2CMsgInfo; 1 to {MAX_RECEIPT_MESSAGES} are allowed",
                    messages.len()
                ),
            ));
        }
        if let Some(other) = messages.iter().find(|m| m.from != peer || m.to != reader) {
            return Err(ApiError::new(
                codes::C2C_BAD_PARAM,
                format!(
                    "the message {} from {} to {} is not one {peer} sent to {reader}",
                    msg_key(other.seq, other.random, other.time),
                    other.from,
                    other.to
                ),
            ));
        }
        self.both_exist(app.sdkappid, reader, peer).await?;
        for message in &messages {
            self.require_in_history(app.sdkappid, reader, message)
                .await?;
        }
        if self.fanout.may_reach(app.sdkappid) {
            let list: Vec<Value> = messages
                .iter()
                .map(|m| {
                    json!({
                        "From_Account": m.from,
                        "To_Account": m.to,
                        "MsgSeq": m.seq,
                        "MsgRandom": m.random,
                        "MsgTime": m.time,
                        "MsgKey": msg_key(m.seq, m.random, m.time),
                    })
                })
                .collect();
            let frame = json!({
                "Event": "C2cMsgReceipt",
                "Report_Account": reader,
                "Peer_Account": peer,
                "ReadTime": self.clock.now_secs(),
                "MsgList": list,
            });
            self.fanout.send(
                app.sdkappid,
                Target::Users(vec![peer.to_owned()]),
                &Push::new(Priority::High, &frame),
                origin.connection,
            );
        }
        Ok(())
    }

    /// Fails with 20022 unless `message` is in `reader`'s history (not deleted, cleared or
    /// past the retention).
    async fn require_in_history(
        &self,
        app: u64,
        reader: &str,
        message: &ReceiptFor,
    ) -> ApiResult<()> {
        let same_second = self
            .store
            .c2c_history(
                app,
                C2cHistoryQuery {
                    operator: reader.to_owned(),
                    peer: message.from.clone(),
                    min_time: message.time,
                    max_time: message.time,
                    before: None,
                    limit: 100,
                },
            )
            .await
            .map_err(internal(codes::C2C_INTERNAL))?;
        let found = same_second.iter().any(|stored| {
            let m = &stored.message;
            m.from == message.from && m.msg_seq == message.seq && m.msg_random == message.random
        });
        if found {
            Ok(())
        } else {
            Err(ApiError::new(
                codes::C2C_MSG_NOT_FOUND,
                format!(
                    "no message {} from {} in {reader}'s history",
                    msg_key(message.seq, message.random, message.time),
                    message.from
                ),
            ))
        }
    }
}
