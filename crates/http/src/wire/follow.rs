//! `v4/follow/*`: follows and fans (Tencent pages 1047/70345 `follow_add`, 70346
//! `follow_delete`, 70347 `follow_get`, 70349 `follow_check`, 70350 `follow_get_info`). The Web
//! SDK sends the same bodies as `follow.<command>` (its `followUser` and the rest), and `/ws`
//! takes them by that name; Natter has no REST route for them yet.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::follows::{FollowList, FollowPage, FollowResult, UserCounts};
use serde::{Deserialize, Serialize};

use super::profile::TagValue;
use super::sns::ResultItem;

impl From<FollowResult> for ResultItem {
    fn from(r: FollowResult) -> Self {
        Self {
            to_account: r.user_id,
            result_code: r.code,
            result_info: r.info,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// The users to follow, at most 20.
    pub follow_item: Vec<FollowItem>,
}

impl FollowAdd {
    pub fn targets(self) -> Vec<String> {
        self.follow_item.into_iter().map(|i| i.to_account).collect()
    }
}

/// The reply of `follow_add` and `follow_delete`: a result per user, in the request's order.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowBatchReply {
    pub result_item: Vec<ResultItem>,
}

impl From<Vec<FollowResult>> for FollowBatchReply {
    fn from(results: Vec<FollowResult>) -> Self {
        Self {
            result_item: results.into_iter().map(ResultItem::from).collect(),
        }
    }
}

/// `follow_delete`, `follow_get_info` and `follow_check`: a user and the users it is about.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowAccounts {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// 1 the user's fans, 2 the users they follow, 3 mutual follows.
    pub follow_type: u32,
    /// "" for the first page, else the previous page's `NextCursor`.
    #[serde(default)]
    pub start_cursor: String,
    /// Users per page: 100 when absent or 0, at most 1,000.
    #[serde(default)]
    pub want_num: u64,
}

impl FollowGet {
    pub fn list(&self) -> ApiResult<FollowList> {
        match self.follow_type {
            1 => Ok(FollowList::Followers),
            2 => Ok(FollowList::Following),
            3 => Ok(FollowList::Mutual),
            other => Err(ApiError::new(
                codes::SNS_INVALID_PARAM,
                format!("FollowType {other} is not 1 (fans), 2 (follows) or 3 (mutual)"),
            )),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowedUser {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// When the user came into the list (Unix seconds).
    pub follow_time: i64,
    /// The fields the user's profile holds.
    pub profile_item: Vec<TagValue>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowGetReply {
    pub follow_item: Vec<FollowedUser>,
    /// "" after the last page.
    pub next_cursor: String,
}

impl From<FollowPage> for FollowGetReply {
    fn from(page: FollowPage) -> Self {
        Self {
            follow_item: page
                .users
                .into_iter()
                .map(|u| FollowedUser {
                    to_account: u.entry.user_id,
                    follow_time: u.entry.time,
                    profile_item: u
                        .profile
                        .into_iter()
                        .map(|v| TagValue {
                            tag: v.tag,
                            value: v.value,
                        })
                        .collect(),
                })
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowInfo {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub result_code: u32,
    pub result_info: String,
    pub follower_count: u64,
    pub following_count: u64,
    pub mutual_following_count: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowGetInfoReply {
    pub follow_info: Vec<FollowInfo>,
}

impl From<Vec<UserCounts>> for FollowGetInfoReply {
    fn from(users: Vec<UserCounts>) -> Self {
        Self {
            follow_info: users
                .into_iter()
                .map(|u| FollowInfo {
                    to_account: u.result.user_id,
                    result_code: u.result.code,
                    result_info: u.result.info,
                    follower_count: u.counts.followers,
                    following_count: u.counts.following,
                    mutual_following_count: u.counts.mutual,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowCheckItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    pub result_code: u32,
    pub result_info: String,
    /// 0 neither follows the other, 1 `To_Account` follows `From_Account`, 2 `From_Account`
    /// follows `To_Account`, 3 both.
    pub follow_type: u32,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FollowCheckReply {
    pub result_item: Vec<FollowCheckItem>,
}

impl From<Vec<(String, u32)>> for FollowCheckReply {
    fn from(types: Vec<(String, u32)>) -> Self {
        Self {
            result_item: types
                .into_iter()
                .map(|(to_account, follow_type)| FollowCheckItem {
                    to_account,
                    result_code: 0,
                    result_info: String::new(),
                    follow_type,
                })
                .collect(),
        }
    }
}
