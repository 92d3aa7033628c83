//! The wire types of Tencent's API: one module per service in the URL, one request and one reply
//! type per command, named after it (`profile::PortraitGet`, `profile::PortraitGetReply`). Field
//! names are Tencent's. The REST handlers and the client gateway both read and write these, so a
//! command has one shape whichever way it arrives.
//!
//! Types hold what the wire holds; turning them into a service's own request lives beside them
//! (`impl … { fn into_… }`), so every entry point converts the same way. `serde_json::Value`
//! appears only where Tencent's shape really is open (custom fields, message bodies kept verbatim).

pub mod all_member_push;
pub mod config_svc;
pub mod follow;
pub mod group_open_attr_http_svc;
pub mod group_open_avchatroom_http_svc;
pub mod group_open_http_svc;
pub mod im_open_login_svc;
pub mod million_group_open_http_svc;
pub mod open_msg_svc;
pub mod openconfigsvr;
pub mod openim;
pub mod openim_msg_ext_http_svc;
pub mod openim_robot_http_svc;
pub mod profile;
pub mod recentcontact;
pub mod search;
pub mod sns;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A field whose wrong type Tencent answers with the field's own error code, not the service's
/// generic "invalid parameter" one. Reading the request never fails on it: a value of the wrong
/// type is kept as sent, and the conversion that knows the code refuses it, naming what it got.
#[derive(Debug, Clone)]
pub enum Field<T> {
    Valid(T),
    Invalid(Value),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(match T::deserialize(&value) {
            Ok(valid) => Self::Valid(valid),
            Err(_) => Self::Invalid(value),
        })
    }
}

/// The contract says what a valid value is: a value of another type is refused too, only later
/// and with the field's own code.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Field<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<T: DeserializeOwned> Field<T> {
    /// The value, or the error reading it as `T` gives (`invalid_param`, the path from the
    /// field down): for the fields a service checks only after others.
    pub fn or_parse_error(self, invalid_param: u32) -> natter_core::ApiResult<T> {
        match self {
            Self::Valid(valid) => Ok(valid),
            Self::Invalid(value) => crate::envelope::parse_body(value, invalid_param),
        }
    }
}
