//! What the app backend answers to a callback.
//!
//! Every answer is the envelope `{"ActionStatus", "ErrorCode", "ErrorInfo"}`, plus extra fields for
//! a few before-callbacks. Parsing is lenient: unknown fields are ignored, missing fields take
//! their defaults (`ErrorCode` 0, empty strings, empty lists), `null` counts as missing and
//! `ErrorCode` / `ResultCode` may be a number or a numeric string.
//!
//! | Callback | Answer type |
//! |---|---|
//! | `C2C.CallbackBeforeSendMsg`, `Group.CallbackBeforeSendMsg` | [`SendMsgResponse`] |
//! | `Sns.CallbackPrevFriendAdd`, `Sns.CallbackPrevFriendResponse` | [`FriendResultResponse`] |
//! | `Group.CallbackBeforeInviteJoinGroup` | [`InviteJoinGroupResponse`] |
//! | `Chatbot.OnC2CSignalMessage` | [`ChatbotResponse`] |
//! | everything else | [`CallbackResponse`] (after-callbacks: read and ignored) |

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::MsgBodyElement;

/// The envelope every answer carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallbackResponse {
    /// `OK` or `FAIL`.
    #[serde(rename = "ActionStatus", deserialize_with = "lenient_string")]
    pub action_status: String,
    /// For before-callbacks the decision: `0` allow, `1` deny, `2` (message callbacks) drop
    /// silently, or an app-chosen code in the callback's custom range.
    #[serde(rename = "ErrorCode", deserialize_with = "lenient_code")]
    pub error_code: i64,
    /// Passed on to the client together with a custom `ErrorCode`.
    #[serde(rename = "ErrorInfo", deserialize_with = "lenient_string")]
    pub error_info: String,
}

/// How a before-callback's `ErrorCode` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `0`.
    Allow,
    /// `1`: refuse with the callback's standard error (e.g. 20006 for C2C, 10016 for groups).
    Deny,
    /// `2`: drop the message but report success to the sender (message callbacks only).
    Discard,
    /// Any other code. Whether it is in the callback's allowed custom range (and so is passed to
    /// the client with `ErrorInfo`) is for the caller to check.
    Code(i64),
}

impl CallbackResponse {
    /// A plain "OK, 0" answer.
    pub fn ok() -> Self {
        Self {
            action_status: "OK".to_owned(),
            error_code: 0,
            error_info: String::new(),
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self.error_code {
            0 => Verdict::Allow,
            1 => Verdict::Deny,
            2 => Verdict::Discard,
            code => Verdict::Code(code),
        }
    }

    pub fn is_allow(&self) -> bool {
        self.error_code == 0
    }
}

/// Answer to `C2C.CallbackBeforeSendMsg` and `Group.CallbackBeforeSendMsg`. With `ErrorCode` 0 the
/// app may replace the whole `MsgBody` and/or the `CloudCustomData`; omitted means unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendMsgResponse {
    #[serde(flatten)]
    pub base: CallbackResponse,
    #[serde(rename = "MsgBody", skip_serializing_if = "Option::is_none")]
    pub msg_body: Option<Vec<MsgBodyElement>>,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
}

impl SendMsgResponse {
    /// The replacement body, honoured only when the message is allowed (`ErrorCode` 0).
    pub fn replacement_msg_body(&self) -> Option<&[MsgBodyElement]> {
        self.msg_body.as_deref().filter(|_| self.base.is_allow())
    }

    /// The replacement `CloudCustomData`, honoured only when the message is allowed.
    pub fn replacement_cloud_custom_data(&self) -> Option<&str> {
        self.cloud_custom_data
            .as_deref()
            .filter(|_| self.base.is_allow())
    }
}

/// Answer to `Sns.CallbackPrevFriendAdd` / `Sns.CallbackPrevFriendResponse`. The decision is per
/// target in `ResultItem`; the top-level `ErrorCode` is ignored by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendResultResponse {
    #[serde(flatten)]
    pub base: CallbackResponse,
    #[serde(rename = "ResultItem", deserialize_with = "lenient_vec")]
    pub result_item: Vec<FriendResultItem>,
}

/// The app's decision for one target user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendResultItem {
    #[serde(rename = "To_Account", deserialize_with = "lenient_string")]
    pub to_account: String,
    /// `0` allows the pair; anything else refuses it (apps should use 38000–39000).
    #[serde(rename = "ResultCode", deserialize_with = "lenient_code")]
    pub result_code: i64,
    #[serde(rename = "ResultInfo", deserialize_with = "lenient_string")]
    pub result_info: String,
}

impl FriendResultResponse {
    /// The app's item for `to_account`, if it sent one.
    pub fn item_for(&self, to_account: &str) -> Option<&FriendResultItem> {
        self.result_item.iter().find(|i| i.to_account == to_account)
    }

    /// Whether the pair with `to_account` may go ahead. A target the app did not mention is
    /// allowed (Tencent does not document that case).
    pub fn allows(&self, to_account: &str) -> bool {
        self.item_for(to_account).is_none_or(|i| i.result_code == 0)
    }
}

/// Answer to `Group.CallbackBeforeInviteJoinGroup`: with `ErrorCode` 0, the invitees listed in
/// `RefusedMembers_Account` (bare user IDs) are dropped and the rest are added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteJoinGroupResponse {
    #[serde(flatten)]
    pub base: CallbackResponse,
    #[serde(
        rename = "RefusedMembers_Account",
        deserialize_with = "lenient_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub refused_members_account: Vec<String>,
}

impl InviteJoinGroupResponse {
    pub fn refuses(&self, member: &str) -> bool {
        self.refused_members_account.iter().any(|m| m == member)
    }
}

/// Answer to `Chatbot.OnC2CSignalMessage`: with `ErrorCode` 0, `RspData` is the chatbot's reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatbotResponse {
    #[serde(flatten)]
    pub base: CallbackResponse,
    #[serde(rename = "RspData", skip_serializing_if = "Option::is_none")]
    pub rsp_data: Option<String>,
}

impl ChatbotResponse {
    /// The reply to deliver, only on success.
    pub fn reply(&self) -> Option<&str> {
        self.rsp_data.as_deref().filter(|_| self.base.is_allow())
    }
}

/// A string, with `null` read as empty.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A list, with `null` read as empty.
fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An integer code given as a JSON number or a numeric string; `null` and `""` read as 0.
fn lenient_code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct CodeVisitor;

    impl Visitor<'_> for CodeVisitor {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer or a numeric string")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom(format!("code {v} out of range")))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
                Ok(v as i64)
            } else {
                Err(E::custom(format!("code {v} is not an integer")))
            }
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(0);
            }
            v.parse()
                .map_err(|_| E::custom(format!("code {v:?} is not a number")))
        }

        fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
            Ok(0)
        }

        fn visit_none<E: de::Error>(self) -> Result<i64, E> {
            Ok(0)
        }
    }

    d.deserialize_any(CodeVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> T {
        serde_json::from_str(s).expect("response parses")
    }

    #[test]
    fn allow() {
        let r: CallbackResponse =
            parse(r#"{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}"#);
        assert_eq!(r, CallbackResponse::ok());
        assert_eq!(r.verdict(), Verdict::Allow);
        assert!(r.is_allow());
    }

    #[test]
    fn deny_with_error_code_1() {
        let r: CallbackResponse =
            parse(r#"{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 1}"#);
        assert_eq!(r.verdict(), Verdict::Deny);
        assert!(!r.is_allow());
    }

    #[test]
    fn silent_discard_with_error_code_2() {
        let r: SendMsgResponse =
            parse(r#"{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 2}"#);
        assert_eq!(r.base.verdict(), Verdict::Discard);
    }

    #[test]
    fn custom_codes_keep_code_and_info() {
        let r: CallbackResponse = parse(
            r#"{"ActionStatus": "OK", "ErrorCode": 120001, "ErrorInfo": "blocked by policy"}"#,
        );
        assert_eq!(r.verdict(), Verdict::Code(120001));
        assert_eq!(r.error_info, "blocked by policy");

        let r: CallbackResponse =
            parse(r#"{"ActionStatus": "FAIL", "ErrorCode": 10150, "ErrorInfo": "no"}"#);
        assert_eq!(r.verdict(), Verdict::Code(10150));
        assert_eq!(r.action_status, "FAIL");
    }

    #[test]
    fn error_code_as_string_or_null() {
        let r: CallbackResponse = parse(r#"{"ActionStatus": "OK", "ErrorCode": "1"}"#);
        assert_eq!(r.verdict(), Verdict::Deny);
        let r: CallbackResponse = parse(r#"{"ActionStatus": "OK", "ErrorCode": " 10100 "}"#);
        assert_eq!(r.error_code, 10100);
        let r: CallbackResponse = parse(r#"{"ActionStatus": null, "ErrorCode": null}"#);
        assert_eq!(r, CallbackResponse::default());
        assert!(serde_json::from_str::<CallbackResponse>(r#"{"ErrorCode": "nope"}"#).is_err());
        assert!(serde_json::from_str::<CallbackResponse>(r#"{"ErrorCode": 1.5}"#).is_err());
    }

    #[test]
    fn missing_error_info_and_empty_object() {
        let r: CallbackResponse = parse(r#"{"ActionStatus": "OK", "ErrorCode": 0}"#);
        assert_eq!(r.error_info, "");
        let r: CallbackResponse = parse("{}");
        assert_eq!(r.verdict(), Verdict::Allow);
        assert_eq!(r.action_status, "");
    }

    #[test]
    fn extra_unknown_fields_are_ignored() {
        let r: CallbackResponse = parse(
            r#"{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RequestId": "abc", "Extra": {"a": [1, 2]}}"#,
        );
        assert!(r.is_allow());
        let r: SendMsgResponse = parse(r#"{"ErrorCode": 0, "Whatever": true}"#);
        assert_eq!(r.msg_body, None);
    }

    #[test]
    fn send_msg_allow_without_changes() {
        let r: SendMsgResponse =
            parse(r#"{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}"#);
        assert!(r.base.is_allow());
        assert_eq!(r.replacement_msg_body(), None);
        assert_eq!(r.replacement_cloud_custom_data(), None);
    }

    #[test]
    fn send_msg_rewritten_body() {
        let r: SendMsgResponse = parse(
            r#"{
                "ActionStatus": "OK",
                "ErrorInfo": "",
                "ErrorCode": 0,
                "MsgBody": [
                    { "MsgType": "TIMTextElem", "MsgContent": { "Text": "red packet" } },
                    {
                        "MsgType": "TIMCustomElem",
                        "MsgContent": { "Desc": "CustomElement.MemberLevel", "Data": "LV1" }
                    }
                ],
                "CloudCustomData": "your cloud custom data"
            }"#,
        );
        let body = r.replacement_msg_body().expect("body replaced");
        assert_eq!(body.len(), 2);
        assert_eq!(body[0], MsgBodyElement::text("red packet"));
        assert_eq!(body[1].msg_type, "TIMCustomElem");
        assert_eq!(body[1].msg_content["Data"], "LV1");
        assert_eq!(
            r.replacement_cloud_custom_data(),
            Some("your cloud custom data")
        );
    }

    #[test]
    fn send_msg_rewrite_ignored_unless_allowed() {
        let r: SendMsgResponse = parse(
            r#"{"ErrorCode": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "x"}}], "CloudCustomData": "c"}"#,
        );
        assert!(r.msg_body.is_some());
        assert_eq!(r.replacement_msg_body(), None);
        assert_eq!(r.replacement_cloud_custom_data(), None);
    }

    #[test]
    fn send_msg_null_body_means_unchanged() {
        let r: SendMsgResponse = parse(r#"{"ErrorCode": 0, "MsgBody": null}"#);
        assert_eq!(r.replacement_msg_body(), None);
    }

    #[test]
    fn friend_result_items() {
        let r: FriendResultResponse = parse(
            r#"{
                "ActionStatus": "OK",
                "ErrorCode": 0,
                "ErrorInfo": "",
                "ResultItem": [
                    { "To_Account": "id1", "ResultCode": 0, "ResultInfo": "" },
                    { "To_Account": "id2", "ResultCode": 38001, "ResultInfo": "not allowed" }
                ]
            }"#,
        );
        assert_eq!(r.result_item.len(), 2);
        assert!(r.allows("id1"));
        assert!(!r.allows("id2"));
        assert_eq!(r.item_for("id2").unwrap().result_info, "not allowed");
        // Not mentioned by the app: allowed.
        assert!(r.allows("id3"));
    }

    #[test]
    fn friend_result_lenient_items() {
        let r: FriendResultResponse = parse(
            r#"{"ErrorCode": 5, "ResultItem": [{"To_Account": "id1", "ResultCode": "38000"}]}"#,
        );
        // Top-level code is informational here; the item decides.
        assert_eq!(r.base.error_code, 5);
        assert!(!r.allows("id1"));
        assert_eq!(r.item_for("id1").unwrap().result_info, "");

        let r: FriendResultResponse = parse(r#"{"ErrorCode": 0, "ResultItem": null}"#);
        assert!(r.result_item.is_empty());
        assert!(r.allows("anyone"));
    }

    #[test]
    fn invite_refused_members() {
        let r: InviteJoinGroupResponse = parse(
            r#"{
                "ActionStatus": "OK",
                "ErrorInfo": "",
                "ErrorCode": 0,
                "RefusedMembers_Account": [ "jared" ]
            }"#,
        );
        assert!(r.base.is_allow());
        assert_eq!(r.refused_members_account, ["jared"]);
        assert!(r.refuses("jared"));
        assert!(!r.refuses("leckie"));

        let r: InviteJoinGroupResponse = parse(r#"{"ActionStatus": "OK", "ErrorCode": 0}"#);
        assert!(r.refused_members_account.is_empty());
    }

    #[test]
    fn chatbot_reply() {
        let r: ChatbotResponse = parse(
            r#"{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "RspData": "{\"answer\":42}"}"#,
        );
        assert_eq!(r.reply(), Some(r#"{"answer":42}"#));

        let r: ChatbotResponse = parse(
            r#"{"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": "x", "RspData": "ignored"}"#,
        );
        assert_eq!(r.reply(), None);

        let r: ChatbotResponse = parse(r#"{"ActionStatus": "OK", "ErrorCode": 0}"#);
        assert_eq!(r.reply(), None);
    }

    #[test]
    fn responses_serialise_for_mock_backends() {
        let v = serde_json::to_value(InviteJoinGroupResponse {
            base: CallbackResponse::ok(),
            refused_members_account: vec!["jared".into()],
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "ActionStatus": "OK",
                "ErrorCode": 0,
                "ErrorInfo": "",
                "RefusedMembers_Account": ["jared"]
            })
        );
    }
}
