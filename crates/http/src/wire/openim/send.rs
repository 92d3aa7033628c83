//! Sending: `sendmsg`, `batchsendmsg`.

use natter_core::message::{check_body, check_offline_push_info};
use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::{SendC2c, C2C_BODY_CODES, MAX_LIFE_TIME_SECS};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{opt_str, opt_u32, str_list, AccountError};
use crate::wire::Field;

/// `sendmsg` (`To` = a UserID) and `batchsendmsg` (`To` = a list of UserIDs): everything but
/// `To_Account` is shared.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase", bound(deserialize = "To: DeserializeOwned"))]
pub struct C2cMessage<To> {
    #[serde(rename = "To_Account")]
    pub to_account: Option<Field<To>>,
    /// Defaults to the caller (the URL's admin, or the client itself).
    #[serde(rename = "From_Account")]
    pub from_account: Option<Field<String>>,
    pub msg_random: Option<Field<u32>>,
    pub msg_seq: Option<Field<u32>>,
    /// Accepted for compatibility; the server stamps the time.
    pub msg_time_stamp: Option<Field<u64>>,
    pub sync_other_machine: Option<Field<u32>>,
    pub msg_life_time: Option<Field<u32>>,
    pub cloud_custom_data: Option<Field<String>>,
    /// The message elements, checked and kept verbatim.
    pub msg_body: Option<Value>,
    pub send_msg_control: Option<Field<Vec<String>>>,
    pub forbid_callback_control: Option<Field<Vec<String>>>,
    /// Checked and kept verbatim (vendor fields change often).
    pub offline_push_info: Option<Value>,
    pub support_message_extension: Option<Field<u32>>,
}

/// `sendmsg` (page 34919), also sent by clients over the gateway.
pub type Sendmsg = C2cMessage<String>;
/// `batchsendmsg` (page 34920).
pub type Batchsendmsg = C2cMessage<Vec<String>>;

impl<To> C2cMessage<To> {
    /// Everything but the recipient, checked in Tencent's order; `From_Account` defaults to
    /// `identifier`.
    fn into_fields(self, identifier: &str, to: String) -> ApiResult<SendC2c> {
        let from = opt_str(self.from_account, "From_Account", codes::C2C_BAD_PARAM)?
            .unwrap_or_else(|| identifier.to_owned());
        let msg_random = opt_u32(self.msg_random, "MsgRandom", codes::C2C_MSG_RANDOM_INVALID)?
            .ok_or_else(|| ApiError::new(codes::C2C_MSG_RANDOM_INVALID, "MsgRandom is missing"))?;
        let msg_seq = opt_u32(self.msg_seq, "MsgSeq", codes::C2C_BAD_PARAM)?;
        if let Some(Field::Invalid(_)) = self.msg_time_stamp {
            return Err(ApiError::new(
                codes::C2C_MSG_TIMESTAMP_INVALID,
                "MsgTimeStamp must be an integer",
            ));
        }
        let sync_other_machine = opt_u32(
            self.sync_other_machine,
            "SyncOtherMachine",
            codes::C2C_SYNC_OTHER_MACHINE_INVALID,
        )?
        .unwrap_or(1);
        let msg_life_time = opt_u32(
            self.msg_life_time,
            "MsgLifeTime",
            codes::C2C_MSG_LIFE_TIME_INVALID,
        )?
        .unwrap_or(MAX_LIFE_TIME_SECS);
        if msg_life_time > MAX_LIFE_TIME_SECS {
            return Err(ApiError::new(
                codes::C2C_MSG_LIFE_TIME_TOO_LONG,
                format!("MsgLifeTime is {msg_life_time} s; at most {MAX_LIFE_TIME_SECS} (7 days) is allowed"),
            ));
        }
        let cloud_custom_data = opt_str(
            self.cloud_custom_data,
            "CloudCustomData",
            codes::C2C_BAD_PARAM,
        )?
        .unwrap_or_default();
        let elements = check_body(self.msg_body.as_ref(), &cloud_custom_data, C2C_BODY_CODES)?;
        let control = str_list(self.send_msg_control, "SendMsgControl")?;
        let forbid = str_list(self.forbid_callback_control, "ForbidCallbackControl")?;
        let offline_push_info =
            check_offline_push_info(self.offline_push_info.as_ref(), codes::C2C_BAD_PARAM)?;
        let supports_extension = match opt_u32(
            self.support_message_extension,
            "SupportMessageExtension",
            codes::C2C_BAD_PARAM,
        )? {
            None | Some(0) => false,
            Some(1) => true,
            Some(other) => {
                return Err(ApiError::new(
                    codes::C2C_BAD_PARAM,
                    format!("SupportMessageExtension must be 0 or 1, got {other}"),
                ))
            }
        };
        let has = |list: &[String], flag: &str| list.iter().any(|s| s == flag);
        Ok(SendC2c {
            from,
            to,
            msg_seq,
            msg_random,
            body: elements,
            cloud_custom_data,
            sync_other_machine,
            msg_life_time,
            no_unread: has(&control, "NoUnread"),
            no_last_msg: has(&control, "NoLastMsg"),
            offline_push_info,
            supports_extension,
            forbid_before_callback: has(&forbid, "ForbidBeforeSendMsgCallback"),
            forbid_after_callback: has(&forbid, "ForbidAfterSendMsgCallback"),
            client_time: None,
            need_read_receipt: false,
        })
    }
}

impl Sendmsg {
    /// The send request (REST or client); `From_Account` defaults to `identifier`.
    pub fn into_send(mut self, identifier: &str) -> ApiResult<SendC2c> {
        let to = opt_str(
            self.to_account.take(),
            "To_Account",
            codes::C2C_TO_ACCOUNT_INVALID,
        )?
        .ok_or_else(|| ApiError::new(codes::C2C_TO_ACCOUNT_INVALID, "To_Account is missing"))?;
        self.into_fields(identifier, to)
    }
}

impl Batchsendmsg {
    /// The recipients, and the message every one of them gets (its `to` left empty).
    pub fn into_batch(mut self, identifier: &str) -> ApiResult<(Vec<String>, SendC2c)> {
        let recipients = match self.to_account.take() {
            Some(Field::Valid(recipients)) => recipients,
            Some(Field::Invalid(Value::Array(_))) => {
                return Err(ApiError::new(
                    codes::C2C_BATCH_NOT_ARRAY,
                    "To_Account must be a list of UserIDs",
                ))
            }
            _ => {
                return Err(ApiError::new(
                    codes::C2C_BATCH_NOT_ARRAY,
                    "To_Account must be an array of UserIDs",
                ))
            }
        };
        Ok((recipients, self.into_fields(identifier, String::new())?))
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendmsgReply {
    pub msg_time: i64,
    pub msg_key: String,
    pub msg_id: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BatchsendmsgReply {
    pub msg_key: String,
    pub msg_id: String,
    /// Present only when some recipient failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}
