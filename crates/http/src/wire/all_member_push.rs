//! `v4/all_member_push/*`: push to all users (page 37166) and the attribute and tag APIs
//! (pages 37167–37175). A field of the wrong type is 90001, the service's "invalid parameter".

use natter_core::message::{check_body, check_offline_push_info};
use natter_core::{codes, ApiError, ApiResult};
use natter_services::messages::{C2C_BODY_CODES, MAX_LIFE_TIME_SECS};
use natter_services::push::task::{ConditionRequest, PushRequest};
use natter_services::push::UserItems;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::Field;

/// `im_push` (page 37166).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImPush {
    /// Defaults to the calling admin.
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    pub msg_random: Option<Field<u32>>,
    pub msg_life_time: Option<Field<u32>>,
    /// Checked like a one-to-one message's body and kept verbatim.
    pub msg_body: Option<Value>,
    pub condition: Option<Condition>,
    /// Checked and kept verbatim.
    pub offline_push_info: Option<Value>,
}

/// `Condition`: tags or attributes (each `…And` and/or `…Or`); absent or empty = everyone.
#[derive(Debug, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Condition {
    pub tags_and: Option<Vec<String>>,
    pub tags_or: Option<Vec<String>>,
    /// Attribute name → value.
    pub attrs_and: Option<Map<String, Value>>,
    pub attrs_or: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImPushReply {
    pub task_id: String,
}

fn attr_pairs(map: Option<Map<String, Value>>, field: &str) -> ApiResult<Vec<(String, String)>> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(v) => Ok((name, v)),
            other => Err(ApiError::new(
                codes::PUSH_ATTR_INVALID,
                format!("{field}.{name} must be a string, got {other}"),
            )),
        })
        .collect()
}

impl ImPush {
    /// The push request; `From_Account` defaults to `identifier`.
    pub fn into_request(self, identifier: &str) -> ApiResult<PushRequest> {
        let msg_random = match self.msg_random {
            Some(Field::Valid(r)) => r,
            Some(Field::Invalid(v)) => {
                return Err(ApiError::new(
                    codes::PUSH_MSG_RANDOM_INVALID,
                    format!("MsgRandom must be a 32-bit unsigned integer, got {v}"),
                ))
            }
            None => {
                return Err(ApiError::new(
                    codes::PUSH_MSG_RANDOM_INVALID,
                    "MsgRandom is missing",
                ))
            }
        };
        let msg_life_time = match self.msg_life_time {
            None => MAX_LIFE_TIME_SECS,
            Some(Field::Valid(t)) if t <= MAX_LIFE_TIME_SECS => t,
            Some(other) => {
                let got = match other {
                    Field::Valid(t) => t.to_string(),
                    Field::Invalid(v) => v.to_string(),
                };
                return Err(ApiError::new(
                    codes::PUSH_LIFE_TIME_INVALID,
                    format!("MsgLifeTime must be 0 to {MAX_LIFE_TIME_SECS} seconds, got {got}"),
                ));
            }
        };
        let body = check_body(self.msg_body.as_ref(), "", C2C_BODY_CODES)?;
        let offline_push_info =
            check_offline_push_info(self.offline_push_info.as_ref(), codes::PUSH_BAD_PARAM)?;
        let c = self.condition.unwrap_or_default();
        let condition = ConditionRequest {
            tags_and: c.tags_and.unwrap_or_default(),
            tags_or: c.tags_or.unwrap_or_default(),
            attrs_and: attr_pairs(c.attrs_and, "AttrsAnd")?,
            attrs_or: attr_pairs(c.attrs_or, "AttrsOr")?,
        };
        Ok(PushRequest {
            from: self
                .from_account
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| identifier.to_owned()),
            msg_random,
            msg_life_time,
            body,
            offline_push_info,
            condition,
        })
    }
}

/// `im_set_attr_name` (page 37167): `{"0": "sex", "1": "city"}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImSetAttrName {
    pub attr_names: Map<String, Value>,
}

impl ImSetAttrName {
    pub fn into_names(self) -> ApiResult<Vec<(String, String)>> {
        self.attr_names
            .into_iter()
            .map(|(key, name)| match name {
                Value::String(name) => Ok((key, name)),
                other => Err(ApiError::new(
                    codes::PUSH_BAD_PARAM,
                    format!("AttrNames.{key} must be a string, got {other}"),
                )),
            })
            .collect()
    }
}

/// `im_get_attr_name` (page 37168): an empty body.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ImGetAttrName {}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImGetAttrNameReply {
    /// Number ("0"–"9") → name; only the numbers that have one.
    pub attr_names: Map<String, Value>,
}

/// `im_get_attr` (page 37169), `im_get_tag` (37172), `im_remove_all_tags` (37175).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Accounts {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

pub type ImGetAttr = Accounts;
pub type ImGetTag = Accounts;
pub type ImRemoveAllTags = Accounts;

/// One user's attributes: `im_set_attr` (page 37170) and `im_get_attr`'s reply.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
pub struct UserAttrs {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// Name → value.
    #[serde(rename = "Attrs")]
    pub attrs: Map<String, Value>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImSetAttr {
    pub user_attrs: Vec<UserAttrs>,
}

impl ImSetAttr {
    pub fn into_items(self) -> ApiResult<UserItems<(String, String)>> {
        self.user_attrs
            .into_iter()
            .map(|u| Ok((u.to_account, attr_pairs(Some(u.attrs), "Attrs")?)))
            .collect()
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImGetAttrReply {
    pub user_attrs: Vec<UserAttrs>,
}

/// `im_remove_attr` (page 37171): attribute names per user.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UserAttrNames {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Attrs")]
    pub attrs: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImRemoveAttr {
    pub user_attrs: Vec<UserAttrNames>,
}

/// One user's tags: `im_add_tag` (page 37173), `im_remove_tag` (37174), `im_get_tag`'s reply.
#[derive(Debug, Deserialize, Serialize, schemars::JsonSchema)]
pub struct UserTags {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Tags")]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImAddTag {
    pub user_tags: Vec<UserTags>,
}

pub type ImRemoveTag = ImAddTag;

impl ImAddTag {
    pub fn into_items(self) -> Vec<(String, Vec<String>)> {
        self.user_tags
            .into_iter()
            .map(|u| (u.to_account, u.tags))
            .collect()
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ImGetTagReply {
    pub user_tags: Vec<UserTags>,
}
