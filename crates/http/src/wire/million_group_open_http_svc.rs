//! `v4/million_group_open_http_svc/*`: the topics of a topic-enabled community (Tencent pages
//! 1047/49468–49471). `group_open_http_svc/import_topic` (1047/53448) takes the same fields
//! ([`TopicProfile`]).

use natter_core::ApiResult;
use natter_services::groups::{NewTopic, TopicChange, TopicRecord, TopicSelf};
use serde::{Deserialize, Serialize};

use super::group_open_http_svc::{mute_all_flag, non_empty};

/// The profile fields `create_topic` and `import_topic` share.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TopicProfile {
    pub group_id: String,
    pub topic_id: Option<String>,
    #[serde(default)]
    pub topic_name: String,
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    #[serde(default)]
    pub custom_string: String,
    #[serde(default)]
    pub face_url: String,
    #[serde(default)]
    pub notification: String,
    #[serde(default)]
    pub introduction: String,
    /// `import_topic` only.
    pub create_time: Option<i64>,
    /// `import_topic` only: `Community` when given.
    #[serde(rename = "Type")]
    pub group_type: Option<String>,
}

pub type CreateTopic = TopicProfile;

impl TopicProfile {
    pub fn new_topic(&self) -> NewTopic {
        NewTopic {
            topic_id: non_empty(self.topic_id.clone()),
            name: self.topic_name.clone(),
            from: non_empty(self.from_account.clone()),
            custom_string: self.custom_string.clone(),
            face_url: self.face_url.clone(),
            notification: self.notification.clone(),
            introduction: self.introduction.clone(),
        }
    }
}

/// The reply of `create_topic` and `import_topic`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTopicReply {
    pub topic_id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DestroyTopic {
    pub group_id: String,
    pub topic_id_list: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DestroyTopicReply {
    pub destroy_result_item: Vec<DestroyResult>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DestroyResult {
    pub error_code: u32,
    pub error_info: String,
    pub topic_id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetTopic {
    pub group_id: String,
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    pub topic_id_list: Option<Vec<String>>,
    pub response_filter: Option<Vec<String>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetTopicReply {
    pub topic_and_self_info: Vec<TopicAndSelfInfo>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TopicAndSelfInfo {
    pub error_code: u32,
    pub error_info: String,
    pub topic_info: TopicInfo,
    /// Only when `From_Account` named a member of the topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_info: Option<TopicSelfInfo>,
}

/// `TopicInfo` of `get_topic`: `TopicId` always, the rest as `ResponseFilter` asks.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TopicInfo {
    pub topic_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<String>,
    /// Spelled with a capital D in the reply, unlike everywhere else.
    #[serde(rename = "GroupID", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_msg_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_msg_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shut_up_all_flag: Option<u32>,
}

impl TopicInfo {
    /// The fields of `t` that `filter` names (all without one).
    pub fn of(t: &TopicRecord, filter: Option<&[String]>) -> Self {
        let want = |name: &str| filter.is_none_or(|f| f.iter().any(|n| n == name));
        let field = |name: &str, value: &String| want(name).then(|| value.clone());
        TopicInfo {
            topic_id: t.topic_id.clone(),
            topic_name: field("TopicName", &t.name),
            group_id: field("GroupID", &t.group_id),
            face_url: field("FaceUrl", &t.face_url),
            notification: field("Notification", &t.notification),
            introduction: field("Introduction", &t.introduction),
            custom_string: field("CustomString", &t.custom_string),
            create_time: want("CreateTime").then_some(t.created),
            last_msg_time: want("LastMsgTime").then_some(t.last_msg_time),
            next_msg_seq: want("NextMsgSeq").then_some(t.next_msg_seq),
            shut_up_all_flag: want("ShutUpAllFlag").then_some(u32::from(t.mute_all)),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TopicSelfInfo {
    pub msg_flag: String,
    pub msg_seq: u64,
    pub shut_up_time: i64,
}

impl From<TopicSelf> for TopicSelfInfo {
    fn from(me: TopicSelf) -> Self {
        TopicSelfInfo {
            msg_flag: me.msg_flag,
            msg_seq: me.read_seq,
            shut_up_time: me.muted_until,
        }
    }
}

/// `modify_topic`, from REST or a client.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyTopic {
    pub group_id: String,
    pub topic_id: String,
    #[serde(rename = "From_Account")]
    pub from_account: Option<String>,
    pub topic_name: Option<String>,
    pub custom_string: Option<String>,
    pub face_url: Option<String>,
    pub notification: Option<String>,
    pub introduction: Option<String>,
    pub mute_all_member: Option<String>,
}

impl ModifyTopic {
    /// The group, the topic, the operator named in `From_Account` (if any) and the change.
    pub fn into_change(self) -> ApiResult<(String, String, Option<String>, TopicChange)> {
        let change = TopicChange {
            mute_all: mute_all_flag(self.mute_all_member.as_deref())?,
            name: self.topic_name,
            custom_string: self.custom_string,
            face_url: self.face_url,
            notification: self.notification,
            introduction: self.introduction,
        };
        let from = non_empty(self.from_account);
        Ok((self.group_id, self.topic_id, from, change))
    }
}

/// The client's `read_topic`: the member has read the topic up to `MsgSeq` (Natter's client
/// protocol; no REST counterpart).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ReadTopic {
    pub group_id: String,
    pub topic_id: String,
    pub msg_seq: u64,
}
