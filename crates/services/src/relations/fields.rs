//! Friend data fields (`Tag_SNS_IM_*` and the app's `Tag_SNS_Custom_*`) and their limits, from
//! "Relationship Chain Management" (1047/33521).

use natter_core::{ApiResult, AppSettings, CustomFieldKind};
use natter_store::Friend;
use serde_json::Value;

use super::invalid;

pub const GROUP: &str = "Tag_SNS_IM_Group";
pub const REMARK: &str = "Tag_SNS_IM_Remark";
pub const ADD_SOURCE: &str = "Tag_SNS_IM_AddSource";
pub const ADD_WORDING: &str = "Tag_SNS_IM_AddWording";
pub const ADD_TIME: &str = "Tag_SNS_IM_AddTime";
pub const CUSTOM_PREFIX: &str = "Tag_SNS_Custom_";

const ADD_SOURCE_PREFIX: &str = "AddSource_Type_";
const MAX_REMARK_BYTES: usize = 96;
const MAX_WORDING_BYTES: usize = 256;
const MAX_LIST_NAME_BYTES: usize = 30;
const MAX_CUSTOM_BYTES: usize = 500;

/// A friend data tag this app has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendTag {
    Group,
    Remark,
    AddSource,
    AddWording,
    AddTime,
    Custom(String),
}

impl FriendTag {
    pub fn parse(app: &AppSettings, tag: &str) -> Option<Self> {
        Some(match tag {
            GROUP => Self::Group,
            REMARK => Self::Remark,
            ADD_SOURCE => Self::AddSource,
            ADD_WORDING => Self::AddWording,
            ADD_TIME => Self::AddTime,
            _ => {
                let name = tag.strip_prefix(CUSTOM_PREFIX)?;
                app.custom_friend_field(name)?;
                Self::Custom(tag.to_owned())
            }
        })
    }

    /// This tag's value in `friend`, or `None` when it is unset (unset fields are left out of
    /// replies, as in Tencent's samples).
    pub fn value(&self, friend: &Friend) -> Option<Value> {
        let text = |s: &str| (!s.is_empty()).then(|| Value::from(s));
        match self {
            Self::Group => (!friend.groups.is_empty()).then(|| Value::from(friend.groups.clone())),
            Self::Remark => text(&friend.remark),
            Self::AddSource => text(&friend.add_source),
            Self::AddWording => text(&friend.add_wording),
            Self::AddTime => Some(Value::from(friend.add_time)),
            Self::Custom(tag) => friend
                .custom
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, v)| v.clone()),
        }
    }

    pub fn is_custom(&self) -> bool {
        matches!(self, Self::Custom(_))
    }
}

/// The standard tags `friend_get` returns, in the order of Tencent's sample.
pub const STANDARD_GET_TAGS: [FriendTag; 5] = [
    FriendTag::AddSource,
    FriendTag::Remark,
    FriendTag::Group,
    FriendTag::AddWording,
    FriendTag::AddTime,
];

/// `AddSource_Type_` followed by 1 to 8 letters.
pub fn check_add_source(source: &str) -> ApiResult<()> {
    let keyword = source.strip_prefix(ADD_SOURCE_PREFIX).unwrap_or("");
    if keyword.is_empty() || keyword.len() > 8 || !keyword.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Err(invalid(format!(
            "AddSource {source:?} must be {ADD_SOURCE_PREFIX} followed by 1 to 8 letters"
        )));
    }
    Ok(())
}

fn check_len(what: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.len() > max {
        return Err(invalid(format!(
            "{what} is {} bytes; at most {max} are allowed",
            text.len()
        )));
    }
    Ok(())
}

pub fn check_remark(remark: &str) -> ApiResult<()> {
    check_len("Remark", remark, MAX_REMARK_BYTES)
}

pub fn check_wording(wording: &str) -> ApiResult<()> {
    check_len("AddWording", wording, MAX_WORDING_BYTES)
}

pub fn check_list_name(name: &str) -> ApiResult<()> {
    if name.is_empty() {
        return Err(invalid("a friend list name must not be empty"));
    }
    check_len("friend list name", name, MAX_LIST_NAME_BYTES)
}

/// A `Tag_SNS_Custom_*` value: the field must be declared, the value of its type.
pub fn check_custom(app: &AppSettings, tag: &str, value: &Value) -> ApiResult<()> {
    let field = tag
        .strip_prefix(CUSTOM_PREFIX)
        .and_then(|name| app.custom_friend_field(name))
        .ok_or_else(|| {
            invalid(format!(
                "friend field {tag} does not exist (this app declares its custom friend fields in its config; a custom name is 1 to 8 letters)"
            ))
        })?;
    match field.kind {
        CustomFieldKind::String => {
            let text = value
                .as_str()
                .ok_or_else(|| invalid(format!("value of {tag} must be a string, got {value}")))?;
            check_len(tag, text, field.max_bytes.min(MAX_CUSTOM_BYTES))
        }
        CustomFieldKind::Any if value.is_u64() => Ok(()),
        CustomFieldKind::Any => {
            let text = value.as_str().ok_or_else(|| {
                invalid(format!(
                    "value of {tag} must be a string or an unsigned integer, got {value}"
                ))
            })?;
            check_len(tag, text, MAX_CUSTOM_BYTES)
        }
        CustomFieldKind::Integer => match value.as_u64() {
            Some(_) => Ok(()),
            None => Err(invalid(format!(
                "value of {tag} must be an unsigned integer, got {value}"
            ))),
        },
    }
}

/// Sets a custom value on a friend row, replacing an earlier one.
pub fn set_custom(friend: &mut Friend, tag: &str, value: Value) {
    friend.custom.retain(|(t, _)| t != tag);
    friend.custom.push((tag.to_owned(), value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_source_needs_the_prefix_and_a_short_keyword() {
        assert!(check_add_source("AddSource_Type_Android").is_ok());
        assert!(check_add_source("AddSource_Type_").is_err());
        assert!(check_add_source("AddSource_Type_TooLongKw").is_err());
        assert!(check_add_source("AddSource_Type_Web1").is_err());
        assert!(check_add_source("Android").is_err());
    }

    #[test]
    fn list_names_are_one_to_thirty_bytes() {
        assert!(check_list_name("").is_err());
        assert!(check_list_name(&"x".repeat(30)).is_ok());
        assert!(check_list_name(&"x".repeat(31)).is_err());
    }
}
