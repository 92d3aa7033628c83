//! The profile fields Tencent defines (`Tag_Profile_IM_*`, from "Profile Management") and the
//! app's custom ones (`Tag_Profile_Custom_*`, declared in config as in Tencent's console), with
//! the value rules and error codes of `portrait_set`.

use natter_core::{codes, ApiError, AppSettings, CustomFieldKind};
use serde_json::Value;

/// Longest string value of any profile field.
pub const MAX_VALUE_BYTES: usize = 500;
pub const CUSTOM_PREFIX: &str = "Tag_Profile_Custom_";

#[derive(Debug, Clone, Copy)]
enum Rule {
    Text { max_bytes: usize },
    OneOf(&'static [&'static str]),
    U32,
}

const STANDARD: &[(&str, Rule)] = &[
    ("Tag_Profile_IM_Nick", Rule::Text { max_bytes: 500 }),
    (
        "Tag_Profile_IM_Gender",
        Rule::OneOf(&[
            "Gender_Type_Unknown",
            "Gender_Type_Female",
            "Gender_Type_Male",
        ]),
    ),
    ("Tag_Profile_IM_BirthDay", Rule::U32),
    ("Tag_Profile_IM_Location", Rule::Text { max_bytes: 16 }),
    (
        "Tag_Profile_IM_SelfSignature",
        Rule::Text { max_bytes: 500 },
    ),
    (
        "Tag_Profile_IM_AllowType",
        Rule::OneOf(&[
            "AllowType_Type_NeedConfirm",
            "AllowType_Type_AllowAny",
            "AllowType_Type_DenyAny",
        ]),
    ),
    ("Tag_Profile_IM_Language", Rule::U32),
    ("Tag_Profile_IM_Image", Rule::Text { max_bytes: 500 }),
    ("Tag_Profile_IM_MsgSettings", Rule::U32),
    (
        "Tag_Profile_IM_AdminForbidType",
        Rule::OneOf(&["AdminForbid_Type_None", "AdminForbid_Type_SendOut"]),
    ),
    ("Tag_Profile_IM_Level", Rule::U32),
    ("Tag_Profile_IM_Role", Rule::U32),
];

pub const NICK: &str = "Tag_Profile_IM_Nick";
pub const IMAGE: &str = "Tag_Profile_IM_Image";

/// Every field this app's profiles can hold by name: the standard ones, then the app's declared
/// custom ones (an app that declares none has no custom field to list).
pub fn all_tags(app: &AppSettings) -> Vec<String> {
    let standard = STANDARD.iter().map(|(tag, _)| (*tag).to_owned());
    let custom = app
        .custom_profile_fields
        .iter()
        .map(|f| format!("{CUSTOM_PREFIX}{}", f.name));
    standard.chain(custom).collect()
}

/// Whether `tag` names a field this app has (standard or declared custom).
pub fn is_known(app: &AppSettings, tag: &str) -> bool {
    STANDARD.iter().any(|(t, _)| *t == tag) || custom_field(app, tag).is_some()
}

fn custom_field(app: &AppSettings, tag: &str) -> Option<natter_core::CustomProfileField> {
    tag.strip_prefix(CUSTOM_PREFIX)
        .and_then(|name| app.custom_profile_field(name))
}

/// Checks one `{Tag, Value}` for `portrait_set`.
pub fn check(app: &AppSettings, tag: &str, value: &Value) -> Result<(), ApiError> {
    let rule = match STANDARD.iter().find(|(t, _)| *t == tag) {
        Some((_, rule)) => *rule,
        None => match custom_field(app, tag) {
            Some(field) => match field.kind {
                CustomFieldKind::String => Rule::Text {
                    max_bytes: field.max_bytes.min(MAX_VALUE_BYTES),
                },
                CustomFieldKind::Integer => {
                    return match value.as_u64() {
                        Some(_) => Ok(()),
                        None => Err(type_mismatch(tag, "an unsigned integer", value)),
                    }
                }
                // Undeclared (the app declares none): a string as long as any, or a number.
                CustomFieldKind::Any if value.is_u64() => return Ok(()),
                CustomFieldKind::Any => Rule::Text {
                    max_bytes: MAX_VALUE_BYTES,
                },
            },
            None => {
                return Err(ApiError::new(
                    codes::PROFILE_TAG_NOT_FOUND,
                    format!("profile tag {tag} does not exist (this app declares its custom tags in its config; a custom name is 1 to 8 letters)"),
                ))
            }
        },
    };
    match rule {
        Rule::Text { max_bytes } => {
            let text = value
                .as_str()
                .ok_or_else(|| type_mismatch(tag, "a string", value))?;
            if text.len() > max_bytes {
                return Err(ApiError::new(
                    codes::PROFILE_VALUE_TOO_LONG,
                    format!(
                        "value of {tag} is {} bytes; at most {max_bytes} are allowed",
                        text.len()
                    ),
                ));
            }
        }
        Rule::OneOf(allowed) => {
            let text = value
                .as_str()
                .ok_or_else(|| type_mismatch(tag, "a string", value))?;
            if !allowed.contains(&text) {
                return Err(ApiError::new(
                    codes::PROFILE_BAD_VALUE,
                    format!(
                        "{text:?} is not a valid value of {tag}; allowed: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Rule::U32 => {
            if value.as_u64().is_none_or(|n| n > u64::from(u32::MAX)) {
                return Err(type_mismatch(tag, "an unsigned 32-bit integer", value));
            }
        }
    }
    Ok(())
}

fn type_mismatch(tag: &str, expected: &str, got: &Value) -> ApiError {
    ApiError::new(
        codes::PROFILE_TYPE_MISMATCH,
        format!("value of {tag} must be {expected}, got {got}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app() -> AppSettings {
        AppSettings {
            sdkappid: 1,
            secret_key: String::new(),
            admins: vec![],
            history_retention_days: 0,
            custom_friend_fields: vec![],
            c2c_friend_check: false,
            blocked_send_fails: false,
            custom_group_fields: vec![],
            custom_member_fields: vec![],
            login_policy: Default::default(),
            web_instances: 1,
            recall_window_secs: 120,
            local_words: vec![],
            custom_profile_fields: vec![
                natter_core::CustomProfileField {
                    name: "Hobby".into(),
                    kind: CustomFieldKind::String,
                    max_bytes: 10,
                },
                natter_core::CustomProfileField {
                    name: "Score".into(),
                    kind: CustomFieldKind::Integer,
                    max_bytes: 500,
                },
            ],
            rate_limits: Default::default(),
        }
    }

    fn code(tag: &str, value: Value) -> u32 {
        check(&app(), tag, &value).err().map_or(0, |e| e.code)
    }

    #[test]
    fn standard_fields() {
        assert_eq!(code("Tag_Profile_IM_Nick", json!("x")), 0);
        assert_eq!(code("Tag_Profile_IM_Nick", json!("x".repeat(501))), 40601);
        assert_eq!(code("Tag_Profile_IM_Nick", json!(5)), 40610);
        assert_eq!(
            code("Tag_Profile_IM_Location", json!("x".repeat(17))),
            40601
        );
        assert_eq!(code("Tag_Profile_IM_Gender", json!("Gender_Type_Male")), 0);
        assert_eq!(code("Tag_Profile_IM_Gender", json!("male")), 40605);
        assert_eq!(code("Tag_Profile_IM_BirthDay", json!(20000101)), 0);
        assert_eq!(code("Tag_Profile_IM_BirthDay", json!("20000101")), 40610);
        assert_eq!(code("Tag_Profile_IM_Level", json!(4_294_967_296u64)), 40610);
        assert_eq!(code("Tag_Profile_IM_Level", json!(-1)), 40610);
        assert_eq!(code("Tag_Profile_IM_Nope", json!("x")), 40009);
    }

    #[test]
    fn custom_fields_follow_their_declaration() {
        assert_eq!(code("Tag_Profile_Custom_Hobby", json!("chess")), 0);
        assert_eq!(
            code("Tag_Profile_Custom_Hobby", json!("x".repeat(11))),
            40601
        );
        assert_eq!(code("Tag_Profile_Custom_Score", json!(12)), 0);
        assert_eq!(code("Tag_Profile_Custom_Score", json!("12")), 40610);
        assert_eq!(code("Tag_Profile_Custom_Other", json!("x")), 40009);
    }
}
