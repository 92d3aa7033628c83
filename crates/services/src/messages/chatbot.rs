//! Chatbots' turn in a conversation: `Chatbot.OnC2CSignalMessage` (page 1047/59057).
//!
//! When a user's one-to-one message to a chatbot (`@RBT#…`, made with `create_robot`) carries
//! custom pass-through content (a `TIMCustomElem`), the app is asked with the element's `Data`.
//! An answer with `ErrorCode` 0 and a `RspData` is the chatbot's reply: Natter sends it back in
//! the same conversation, from the chatbot to the user, as a `TIMCustomElem` whose `Data` is
//! `RspData`. Any other answer, a failure or a timeout sends nothing (the page: "RspData
//! ignored"). The user's own message is delivered and stored either way, before the app is
//! asked; the ask is awaited before the sender's reply, so the chatbot's answer is in the
//! history once the send returns (at most the callback's timeout later).

use natter_core::AppSettings;
use natter_webhook::payloads::chatbot::OnC2cSignalMessage;
use natter_webhook::payloads::responses::ChatbotResponse;
use natter_webhook::{commands, Asked, Origin};
use serde_json::{json, Value};

use super::{parse_msg_key, C2cSent, MessageService, SendC2c, MAX_LIFE_TIME_SECS};
use crate::robots::looks_like_robot;

/// A message that may be a question for a chatbot: who asks whom, and the pass-through data.
#[derive(Debug, Clone)]
pub struct Question {
    from: String,
    to: String,
    data: String,
}

/// The question in `req`, when it is named like one to a chatbot (from someone who is not one)
/// and carries custom content. No storage is read here; whether `to` really is a chatbot is
/// asked only of such messages.
pub(super) fn question(req: &SendC2c) -> Option<Question> {
    if !looks_like_robot(&req.to) || looks_like_robot(&req.from) {
        return None;
    }
    let custom = req
        .body
        .iter()
        .find(|e| e.get("MsgType").and_then(Value::as_str) == Some("TIMCustomElem"))?;
    let data = custom
        .pointer("/MsgContent/Data")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(Question {
        from: req.from.clone(),
        to: req.to.clone(),
        data: data.to_owned(),
    })
}

impl MessageService {
    /// Asks the app for the chatbot's answer to a sent message, and sends the answer.
    pub(super) async fn ask_chatbot(
        &self,
        app: &AppSettings,
        origin: &Origin,
        question: Question,
        sent: &C2cSent,
    ) {
        if !self
            .webhooks
            .is_on(app.sdkappid, commands::CHATBOT_ON_C2C_SIGNAL_MESSAGE)
        {
            return;
        }
        match self.store.is_robot(app.sdkappid, question.to.clone()).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::error!(error = %e, "storage failure: is_robot");
                return;
            }
        }
        let Some((_, msg_seq, msg_random)) = parse_msg_key(&sent.msg_key) else {
            return;
        };
        let payload = OnC2cSignalMessage {
            from_account: question.from.clone(),
            to_account: question.to.clone(),
            msg_seq,
            msg_random,
            msg_key: sent.msg_key.clone(),
            event_time: self.clock.now_ms() as u64,
            data: question.data,
        };
        let answer = match self.webhooks.ask(app.sdkappid, &payload, origin).await {
            Asked::Replied(reply) => serde_json::from_value::<ChatbotResponse>(reply).ok(),
            Asked::Off | Asked::Failed(_) => None,
        };
        let Some(rsp_data) = answer.as_ref().and_then(ChatbotResponse::reply) else {
            return;
        };
        let reply = SendC2c {
            from: question.to,
            to: question.from,
            // History orders one second's messages by MsgSeq: the answer follows its question.
            msg_seq: Some(msg_seq.saturating_add(1)),
            msg_random: rand::random(),
            body: vec![json!({"MsgType": "TIMCustomElem", "MsgContent": {"Data": rsp_data}})],
            cloud_custom_data: String::new(),
            sync_other_machine: 1,
            msg_life_time: MAX_LIFE_TIME_SECS,
            no_unread: false,
            no_last_msg: false,
            offline_push_info: String::new(),
            supports_extension: false,
            // The app wrote this answer itself: it is not asked about it again.
            forbid_before_callback: true,
            forbid_after_callback: true,
            client_time: None,
            need_read_receipt: false,
        };
        // Sent as the app's (a REST send): no relationship checks, no mute of the chatbot.
        let as_app = Origin::rest(origin.client_ip.clone());
        if let Err(e) = self.send_message(app, &as_app, reply, None).await {
            tracing::warn!(code = e.code, info = %e.info, "the chatbot's answer was not sent");
        }
    }
}
