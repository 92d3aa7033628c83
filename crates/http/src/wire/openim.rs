//! `v4/openim/*`: one-to-one messages (Tencent pages 1047/34919, 1047/34920, 1047/35014,
//! 1047/47722, 1047/47948, 1047/35478, 1047/35015, 1047/38996, 1047/41046, 1047/35477; bodies
//! 1047/33527).
//!
//! Most fields of the message APIs have their own error code when they have the wrong type, so
//! they are read as [`Field`]s and checked, in Tencent's order, by the conversions below.

use natter_core::message::{check_body, check_offline_push_info};
use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::edit::{ImportC2c, MessageTarget};
use natter_services::messages::{SendC2c, C2C_BODY_CODES, MAX_LIFE_TIME_SECS};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Field;

/// An optional field that must be an unsigned 32-bit integer when present.
pub(crate) fn opt_u32(field: Option<Field<u32>>, name: &str, code: u32) -> ApiResult<Option<u32>> {
    match field {
        None => Ok(None),
        Some(Field::Valid(n)) => Ok(Some(n)),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            code,
            format!("{name} must be an integer from 0 to 4294967295, got {v}"),
        )),
    }
}

/// An optional field that must be a string when present.
pub(crate) fn opt_str(
    field: Option<Field<String>>,
    name: &str,
    code: u32,
) -> ApiResult<Option<String>> {
    match field {
        None => Ok(None),
        Some(Field::Valid(s)) => Ok(Some(s)),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            code,
            format!("{name} must be a string, got {v}"),
        )),
    }
}

/// A required string field, `code` when missing or not a string.
pub(crate) fn req_str(field: Option<Field<String>>, name: &str, code: u32) -> ApiResult<String> {
    opt_str(field, name, code)?.ok_or_else(|| ApiError::new(code, format!("{name} is missing")))
}

/// An optional list of strings (empty when absent).
fn str_list(field: Option<Field<Vec<String>>>, name: &str) -> ApiResult<Vec<String>> {
    match field {
        None => Ok(Vec::new()),
        Some(Field::Valid(items)) => Ok(items),
        Some(Field::Invalid(Value::Array(_))) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("{name} must be a list of strings"),
        )),
        Some(Field::Invalid(v)) => Err(ApiError::new(
            codes::C2C_BAD_PARAM,
            format!("{name} must be a list of strings, got {v}"),
        )),
    }
}

/// `sendmsg` (`To` = a UserID) and `batchsendmsg` (`To` = a list of UserIDs): everything but
/// `To_Account` is shared.
#[derive(Debug, Deserialize)]
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

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendmsgReply {
    pub msg_time: i64,
    pub msg_key: String,
    pub msg_id: String,
}

/// An account a call failed for, and why.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountError {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub error_code: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchsendmsgReply {
    pub msg_key: String,
    pub msg_id: String,
    /// Present only when some recipient failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

/// `importmsg` (page 35014).
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyC2cMsg {
    #[serde(flatten)]
    pub target: MsgTarget,
    pub cloud_custom_data: Option<Field<String>>,
    /// The new elements, kept verbatim; absent or null leaves the body as it is.
    pub msg_body: Option<Value>,
}

/// `modify_group_msg`: a group message's body and/or CloudCustomData (page 47948).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyGroupMsg {
    pub group_id: String,
    pub msg_seq: u64,
    pub cloud_custom_data: Option<String>,
    pub topic_id: Option<String>,
    /// The new elements, kept verbatim; absent or null leaves the body as it is.
    pub msg_body: Option<Value>,
}

/// `admin_getroammsg` (page 35478).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetroammsg {
    #[serde(rename = "Operator_Account")]
    pub operator_account: Option<String>,
    /// Older name of `Operator_Account`.
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    pub peer_account: Option<String>,
    /// Older name of `Peer_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    pub max_cnt: u32,
    pub min_time: i64,
    pub max_time: i64,
    #[serde(default)]
    pub last_msg_key: Option<String>,
}

/// One message of a history page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoamMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub msg_seq: u32,
    pub msg_random: u32,
    pub msg_time_stamp: i64,
    pub msg_flag_bits: u32,
    pub is_peer_read: u32,
    pub msg_key: String,
    /// The elements as stored, verbatim.
    pub msg_body: Value,
    pub cloud_custom_data: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetroammsgReply {
    pub complete: u32,
    pub msg_cnt: usize,
    pub last_msg_time: i64,
    pub last_msg_key: String,
    pub msg_list: Vec<RoamMsg>,
}

/// `get_c2c_unread_msg_num` (page 41046).
#[derive(Debug, Deserialize)]
pub struct GetC2cUnreadMsgNum {
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    #[serde(rename = "Peer_Account", default)]
    pub peer_account: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PeerUnread {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "C2CUnreadMsgNum")]
    pub c2c_unread_msg_num: u64,
}

#[derive(Debug, Serialize)]
pub struct PeerError {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: u32,
}

#[derive(Debug, Serialize)]
pub struct GetC2cUnreadMsgNumReply {
    #[serde(rename = "AllC2CUnreadMsgNum")]
    pub all_c2c_unread_msg_num: u64,
    #[serde(rename = "C2CUnreadMsgNumList", skip_serializing_if = "Vec::is_empty")]
    pub c2c_unread_msg_num_list: Vec<PeerUnread>,
    #[serde(rename = "ErrorList", skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<PeerError>,
}

/// `admin_set_msg_read` (page 38996).
#[derive(Debug, Deserialize)]
pub struct AdminSetMsgRead {
    #[serde(rename = "Report_Account")]
    pub report_account: Option<String>,
    #[serde(rename = "Peer_Account")]
    pub peer_account: Option<String>,
    /// Unix seconds; Tencent's page types it as a string, clients also send a number.
    #[serde(rename = "MsgReadTime", alias = "MsgReadedTime", default)]
    pub msg_read_time: Option<Field<i64>>,
}

impl AdminSetMsgRead {
    /// `MsgReadTime` as Unix seconds (`None` when absent, null or empty).
    pub fn read_time(&self) -> ApiResult<Option<i64>> {
        match &self.msg_read_time {
            None => Ok(None),
            Some(Field::Valid(t)) => Ok(Some(*t)),
            Some(Field::Invalid(Value::String(text))) if text.is_empty() => Ok(None),
            Some(Field::Invalid(v)) => v
                .as_str()
                .and_then(|text| text.trim().parse().ok())
                .map(Some)
                .ok_or_else(|| {
                    ApiError::new(
                        codes::C2C_BAD_PARAM,
                        format!("MsgReadTime must be Unix seconds, got {v}"),
                    )
                }),
        }
    }
}

/// `admin_msgwithdraw` (page 35015).
#[derive(Debug, Deserialize)]
pub struct AdminMsgwithdraw {
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    #[serde(rename = "To_Account")]
    pub to_account: Option<String>,
    #[serde(rename = "MsgKey")]
    pub msg_key: Option<String>,
}

/// `query_online_status` and its old name `querystate` (page 35477).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOnlineStatus {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(default)]
    pub is_need_detail: u32,
}

/// One connected platform of a user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlatformStatus {
    pub platform: String,
    pub status: &'static str,
}

/// A user's state: sent as `State` and, for clients of the old page, also as `Status`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserStatus {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub state: &'static str,
    pub status: &'static str,
    /// Only when `IsNeedDetail` is 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Vec<PlatformStatus>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOnlineStatusReply {
    pub query_result: Vec<UserStatus>,
    /// Present only when some account does not exist.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::envelope::parse_body;

    fn send(body: Value) -> ApiResult<SendC2c> {
        parse_body::<Sendmsg>(body, codes::C2C_BAD_PARAM)?.into_send("admin")
    }

    fn refusal<T: std::fmt::Debug>(result: ApiResult<T>) -> (u32, String) {
        let e = result.unwrap_err();
        (e.code, e.info)
    }

    #[test]
    fn wrong_types_get_each_fields_own_code() {
        let body = |extra: Value| {
            let mut b = json!({"To_Account": "b", "MsgRandom": 1, "MsgBody": [
                {"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]});
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            b
        };
        assert_eq!(send(body(json!({}))).unwrap().from, "admin");
        let cases = [
            (
                json!({"To_Account": 5}),
                90003,
                "To_Account must be a string, got 5",
            ),
            (json!({"To_Account": null}), 90003, "To_Account is missing"),
            (
                json!({"From_Account": 7}),
                90001,
                "From_Account must be a string, got 7",
            ),
            (
                json!({"MsgRandom": -1}),
                90005,
                "MsgRandom must be an integer from 0 to 4294967295, got -1",
            ),
            (
                json!({"MsgTimeStamp": "x"}),
                90006,
                "MsgTimeStamp must be an integer",
            ),
            (
                json!({"SendMsgControl": ["NoUnread", 1]}),
                90001,
                "SendMsgControl must be a list of strings",
            ),
            (
                json!({"ForbidCallbackControl": "x"}),
                90001,
                "ForbidCallbackControl must be a list of strings, got \"x\"",
            ),
            (
                json!({"SupportMessageExtension": 2}),
                90001,
                "SupportMessageExtension must be 0 or 1, got 2",
            ),
        ];
        for (extra, code, info) in cases {
            assert_eq!(refusal(send(body(extra))), (code, info.to_owned()));
        }
    }

    #[test]
    fn batch_recipients_must_be_a_list_of_strings() {
        let batch = |to: Value| {
            parse_body::<Batchsendmsg>(json!({ "To_Account": to }), codes::C2C_BAD_PARAM)
                .unwrap()
                .into_batch("admin")
        };
        assert_eq!(
            refusal(batch(json!("a"))),
            (90028, "To_Account must be an array of UserIDs".to_owned())
        );
        assert_eq!(
            refusal(batch(json!(["a", 1]))),
            (90028, "To_Account must be a list of UserIDs".to_owned())
        );
    }

    #[test]
    fn read_time_is_seconds_as_a_number_or_a_string() {
        let read = |t: Value| {
            parse_body::<AdminSetMsgRead>(json!({ "MsgReadTime": t }), codes::C2C_BAD_PARAM)
                .unwrap()
                .read_time()
        };
        assert_eq!(read(json!(12)).unwrap(), Some(12));
        assert_eq!(read(json!(" 12 ")).unwrap(), Some(12));
        assert_eq!(read(json!("")).unwrap(), None);
        assert_eq!(read(json!(null)).unwrap(), None);
        assert_eq!(
            refusal(read(json!("x"))),
            (
                90001,
                "MsgReadTime must be Unix seconds, got \"x\"".to_owned()
            )
        );
    }

    #[test]
    fn a_message_target_may_default_its_sender() {
        let target = |body: Value, default: Option<&str>| {
            parse_body::<ModifyC2cMsg>(body, codes::C2C_BAD_PARAM)
                .unwrap()
                .target
                .into_target(default)
        };
        let t = target(json!({"To_Account": "b", "MsgKey": "k"}), Some("admin")).unwrap();
        assert_eq!((t.from.as_str(), t.to.as_str()), ("admin", "b"));
        assert_eq!(
            refusal(target(json!({"To_Account": "b", "MsgKey": "k"}), None)),
            (90008, "From_Account is missing".to_owned())
        );
        assert_eq!(
            refusal(target(
                json!({"From_Account": "a", "To_Account": "b", "MsgKey": 3}),
                None
            )),
            (90054, "MsgKey must be a string, got 3".to_owned())
        );
    }
}
