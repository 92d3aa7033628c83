//! User profile.

use serde::{Deserialize, Serialize};

use super::payload;
use crate::commands;

/// `Profile.CallbackPortraitSet`: a user's profile was updated (by the user or by an admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortraitSet {
    /// Who performed the update.
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// Whose profile changed.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
    /// The fields that were updated successfully.
    #[serde(rename = "ProfileItem")]
    pub profile_item: Vec<ProfileItem>,
}
payload!(PortraitSet, commands::PROFILE_PORTRAIT_SET);

/// One updated profile field: `{"Tag": .., "Value": ..}`. The value is a JSON string, or a JSON
/// integer for integer tags (uint32 standard fields, uint64 custom integer fields); the profile
/// service has already checked it against the tag's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileItem {
    /// e.g. `Tag_Profile_IM_Nick`, `Tag_Profile_IM_Gender`, `Tag_Profile_Custom_*`.
    #[serde(rename = "Tag")]
    pub tag: String,
    #[serde(rename = "Value")]
    pub value: serde_json::Value,
}

impl ProfileItem {
    pub fn new(tag: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        Self {
            tag: tag.into(),
            value: value.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    #[test]
    fn documented_sample() {
        assert_body(
            &PortraitSet {
                operator_account: "id1".into(),
                from_account: "id1".into(),
                event_time: 1656921052497,
                profile_item: vec![
                    ProfileItem::new("Tag_Profile_IM_Nick", "nick1"),
                    ProfileItem::new("Tag_Profile_IM_Gender", "Gender_Type_Male"),
                    ProfileItem::new("Tag_Profile_IM_AllowType", "AllowType_Type_NeedConfirm"),
                    ProfileItem::new("Tag_Profile_Custom_Data", "your custom data"),
                ],
            },
            r#"{
                "CallbackCommand": "Profile.CallbackPortraitSet",
                "Operator_Account": "id1",
                "From_Account": "id1",
                "EventTime": 1656921052497,
                "ProfileItem": [
                    { "Tag": "Tag_Profile_IM_Nick", "Value": "nick1" },
                    { "Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Male" },
                    { "Tag": "Tag_Profile_IM_AllowType", "Value": "AllowType_Type_NeedConfirm" },
                    { "Tag": "Tag_Profile_Custom_Data", "Value": "your custom data" }
                ]
            }"#,
        );
    }

    /// Not in the sample: integer-typed tags are emitted as JSON numbers.
    #[test]
    fn integer_tags_are_numbers() {
        let item = ProfileItem::new("Tag_Profile_IM_Level", 7u32);
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            serde_json::json!({"Tag": "Tag_Profile_IM_Level", "Value": 7})
        );
        let back: ProfileItem =
            serde_json::from_str(r#"{"Tag":"Tag_Profile_IM_Level","Value":7}"#).unwrap();
        assert_eq!(back, item);
    }
}
