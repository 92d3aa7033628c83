//! Stored messages: `importmsg`, `modify_c2c_msg`, `modify_group_msg`, and the target of a
//! stored message shared with the extension APIs.

use natter_core::message::check_body;
use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::edit::{ImportC2c, MessageTarget};
use natter_services::messages::C2C_BODY_CODES;
use serde::Deserialize;
use serde_json::Value;

use super::{opt_str, opt_u32, req_str};
use crate::wire::Field;

/// `importmsg` (page 35014).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Importmsg {
    /// 2 (history) or 5 (real time).
    pub sync_from_old_system: Option<Field<u64>>,
    #[serde(rename = "From_Account")]
    pub from_account: Option<Field<String>>,
    #[serde(rename = "To_Account")]
    pub to_account: Option<Field<String>>,
    pub msg_random: Option<Field<u32>>,
    pub msg_time_stamp: Option<Field<u32>>,
    pub msg_seq: Option<Field<u32>>,
    pub cloud_custom_data: Option<Field<String>>,
    /// The message elements, checked and kept verbatim.
    pub msg_body: Option<Value>,
}

impl Importmsg {
    pub fn into_import(self) -> ApiResult<ImportC2c> {
        let realtime = match self.sync_from_old_system {
            Some(Field::Valid(2)) => false,
            Some(Field::Valid(5)) => true,
            _ => {
                return Err(ApiError::new(
                    codes::C2C_SYNC_FROM_OLD_SYSTEM_INVALID,
                    "SyncFromOldSystem must be 2 (history) or 5 (real time)",
                ))
            }
        };
        let from = req_str(
            self.from_account,
            "From_Account",
            codes::C2C_FROM_ACCOUNT_INVALID,
        )?;
        let to = req_str(self.to_account, "To_Account", codes::C2C_TO_ACCOUNT_INVALID)?;
        let msg_random = opt_u32(self.msg_random, "MsgRandom", codes::C2C_MSG_RANDOM_INVALID)?
            .ok_or_else(|| ApiError::new(codes::C2C_MSG_RANDOM_INVALID, "MsgRandom is missing"))?;
        let msg_time = opt_u32(
            self.msg_time_stamp,
            "MsgTimeStamp",
            codes::C2C_MSG_TIMESTAMP_INVALID,
        )?
        .ok_or_else(|| {
            ApiError::new(codes::C2C_MSG_TIMESTAMP_INVALID, "MsgTimeStamp is missing")
        })?;
        let msg_seq = opt_u32(self.msg_seq, "MsgSeq", codes::C2C_BAD_PARAM)?;
        let cloud_custom_data = opt_str(
            self.cloud_custom_data,
            "CloudCustomData",
            codes::C2C_BAD_PARAM,
        )?
        .unwrap_or_default();
        let body = check_body(self.msg_body.as_ref(), &cloud_custom_data, C2C_BODY_CODES)?;
        Ok(ImportC2c {
            from,
            to,
            msg_seq,
            msg_random,
            msg_time: i64::from(msg_time),
            body,
            cloud_custom_data,
            realtime,
        })
    }
}

/// `From_Account`, `To_Account` and `MsgKey`: one stored message, the way the APIs about it
/// name it (`modify_c2c_msg` here, the extension APIs of `openim_msg_ext_http_svc`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct MsgTarget {
    #[serde(rename = "From_Account")]
    pub from_account: Option<Field<String>>,
    #[serde(rename = "To_Account")]
    pub to_account: Option<Field<String>>,
    #[serde(rename = "MsgKey")]
    pub msg_key: Option<Field<String>>,
}

impl MsgTarget {
    /// The message; a missing `From_Account` is `from_default` where the API has one.
    pub fn into_target(self, from_default: Option<&str>) -> ApiResult<MessageTarget> {
        let from = match opt_str(
            self.from_account,
            "From_Account",
            codes::C2C_FROM_ACCOUNT_INVALID,
        )? {
            Some(from) => from,
            None => from_default.map(str::to_owned).ok_or_else(|| {
                ApiError::new(codes::C2C_FROM_ACCOUNT_INVALID, "From_Account is missing")
            })?,
        };
        Ok(MessageTarget {
            from,
            to: req_str(self.to_account, "To_Account", codes::C2C_TO_ACCOUNT_INVALID)?,
            msg_key: req_str(self.msg_key, "MsgKey", codes::C2C_INVALID_MSG_KEY)?,
        })
    }
}

/// `modify_c2c_msg` (page 47722).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyC2cMsg {
    #[serde(flatten)]
    pub target: MsgTarget,
    pub cloud_custom_data: Option<Field<String>>,
    /// The new elements, kept verbatim; absent or null leaves the body as it is.
    pub msg_body: Option<Value>,
}

/// `modify_group_msg`: a group message's body and/or CloudCustomData (page 47948).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyGroupMsg {
    pub group_id: String,
    pub msg_seq: u64,
    pub cloud_custom_data: Option<String>,
    pub topic_id: Option<String>,
    /// The new elements, kept verbatim; absent or null leaves the body as it is.
    pub msg_body: Option<Value>,
}
