//! Community topics. These share the console switches of the matching group callbacks, and none
//! of them documents an `EventTime`.

use serde::{Deserialize, Serialize};

use super::{payload, UserDefinedData};
use crate::commands;

/// `Group.CallbackBeforeCreateTopic` (before): a topic is about to be created in a community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeforeCreateTopic {
    /// Natter extension: the parent community. Tencent's sample has no `GroupId`; a receiver
    /// cannot tell which community the topic is for without it. Left out when `None`.
    #[serde(rename = "GroupId", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// Always `Community`.
    #[serde(rename = "Type")]
    pub group_type: String,
    /// Topic name.
    #[serde(rename = "Name")]
    pub name: String,
}
payload!(BeforeCreateTopic, commands::GROUP_BEFORE_CREATE_TOPIC);

/// `Group.CallbackAfterCreateTopic`: a topic was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterCreateTopic {
    /// The parent community.
    #[serde(rename = "GroupId")]
    pub group_id: String,
    #[serde(rename = "TopicId")]
    pub topic_id: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    /// The community's owner.
    #[serde(rename = "Owner_Account")]
    pub owner_account: String,
    /// Always `Community`.
    #[serde(rename = "Type")]
    pub group_type: String,
    /// Topic name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Custom topic fields given at creation (empty unless the feature is enabled).
    #[serde(rename = "UserDefinedDataList")]
    pub user_defined_data_list: Vec<UserDefinedData>,
}
payload!(AfterCreateTopic, commands::GROUP_AFTER_CREATE_TOPIC);

/// `Group.CallbackAfterTopicDestroyed`: topics were deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterTopicDestroyed {
    /// The parent community.
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// Always `Community`.
    #[serde(rename = "Type")]
    pub group_type: String,
    /// IDs of the deleted topics (bare strings).
    #[serde(rename = "TopicIdList")]
    pub topic_id_list: Vec<String>,
}
payload!(AfterTopicDestroyed, commands::GROUP_AFTER_TOPIC_DESTROYED);

/// `Group.CallbackAfterTopicInfoChanged`: a topic's name, introduction, notification or face URL
/// changed. As for groups, only the changed fields are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterTopicInfoChanged {
    /// The parent community.
    #[serde(rename = "GroupId")]
    pub group_id: String,
    /// Natter extension: the topic that changed. No language version of Tencent's page has it,
    /// yet without it the receiver cannot tell which topic changed. Left out when `None`.
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// Always `Community`.
    #[serde(rename = "Type")]
    pub group_type: String,
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Introduction", skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(rename = "Notification", skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(rename = "FaceUrl", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}
payload!(
    AfterTopicInfoChanged,
    commands::GROUP_AFTER_TOPIC_INFO_CHANGED
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    #[test]
    fn before_create_topic_documented_sample() {
        assert_body(
            &BeforeCreateTopic {
                group_id: None,
                operator_account: "leckie".into(),
                group_type: "Community".into(),
                name: "MyFirstTopic".into(),
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeCreateTopic",
                "Operator_Account": "leckie",
                "Type": "Community",
                "Name": "MyFirstTopic"
            }"#,
        );
    }

    /// With the (undocumented) parent `GroupId` filled in: it goes right after the command, where
    /// the after-create callback has it.
    #[test]
    fn before_create_topic_with_group_id() {
        assert_body(
            &BeforeCreateTopic {
                group_id: Some("@TGS#_@TGS#cQVLVHIM62CJ".into()),
                operator_account: "leckie".into(),
                group_type: "Community".into(),
                name: "MyFirstTopic".into(),
            },
            r#"{
                "CallbackCommand": "Group.CallbackBeforeCreateTopic",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "Operator_Account": "leckie",
                "Type": "Community",
                "Name": "MyFirstTopic"
            }"#,
        );
    }

    #[test]
    fn after_create_topic_documented_sample() {
        assert_body(
            &AfterCreateTopic {
                group_id: "@TGS#2J4SZEAEL".into(),
                topic_id: "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5".into(),
                operator_account: "group_root".into(),
                owner_account: "leckie".into(),
                group_type: "Community".into(),
                name: "MyFirstTopic".into(),
                user_defined_data_list: vec![
                    UserDefinedData::new("UserDefined1", "hello"),
                    UserDefinedData::new("UserDefined2", "world"),
                ],
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterCreateTopic",
                "GroupId": "@TGS#2J4SZEAEL",
                "TopicId": "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5",
                "Operator_Account": "group_root",
                "Owner_Account": "leckie",
                "Type": "Community",
                "Name": "MyFirstTopic",
                "UserDefinedDataList": [
                    { "Key": "UserDefined1", "Value": "hello" },
                    { "Key": "UserDefined2", "Value": "world" }
                ]
            }"#,
        );
    }

    /// The field table types `TopicIdList` as String; the sample (followed here) has an array.
    #[test]
    fn after_topic_destroyed_documented_sample() {
        assert_body(
            &AfterTopicDestroyed {
                group_id: "@TGS#_@TGS#cQVLVHIM62CJ".into(),
                group_type: "Community".into(),
                topic_id_list: vec![
                    "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic".into(),
                    "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1".into(),
                ],
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterTopicDestroyed",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "Type": "Community",
                "TopicIdList": [
                    "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                    "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1"
                ]
            }"#,
        );
    }

    /// Exactly the sample of the seed page (1047/49466), comments stripped.
    #[test]
    fn after_topic_info_changed_documented_sample() {
        assert_body(
            &AfterTopicInfoChanged {
                group_id: "@TGS#2J4SZEAEL".into(),
                topic_id: None,
                group_type: "Community".into(),
                operator_account: "leckie".into(),
                name: Some("TestTopic".into()),
                introduction: Some("TestIntroduction".into()),
                notification: Some("NewNotification".into()),
                face_url: Some("http://this.is.face.url".into()),
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterTopicInfoChanged",
                "GroupId" : "@TGS#2J4SZEAEL",
                "Type": "Community",
                "Operator_Account": "leckie",
                "Name": "TestTopic",
                "Introduction": "TestIntroduction",
                "Notification": "NewNotification",
                "FaceUrl": "http://this.is.face.url"
            }"#,
        );
    }

    /// Natter's `TopicId` extension, and a single changed field.
    #[test]
    fn after_topic_info_changed_with_topic_id_and_one_field() {
        assert_body(
            &AfterTopicInfoChanged {
                group_id: "@TGS#_@TGS#cQVLVHIM62CJ".into(),
                topic_id: Some("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic".into()),
                group_type: "Community".into(),
                operator_account: "leckie".into(),
                name: Some("Renamed".into()),
                introduction: None,
                notification: None,
                face_url: None,
            },
            r#"{
                "CallbackCommand": "Group.CallbackAfterTopicInfoChanged",
                "GroupId": "@TGS#_@TGS#cQVLVHIM62CJ",
                "TopicId": "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic",
                "Type": "Community",
                "Operator_Account": "leckie",
                "Name": "Renamed"
            }"#,
        );
    }
}
