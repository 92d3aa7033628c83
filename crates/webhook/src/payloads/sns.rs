//! Relationship chain: friends and blocklist.

use serde::{Deserialize, Serialize};

use super::payload;
use crate::commands;

/// `Sns.CallbackPrevFriendAdd` (before): a user sent friend requests from a client. Not fired for
/// REST friend adds. The app answers per target with
/// [`FriendResultResponse`](super::responses::FriendResultResponse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrevFriendAdd {
    /// Who initiated the request.
    #[serde(rename = "Requester_Account")]
    pub requester_account: String,
    /// The user adding friends ("A" in "A adds B").
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// One entry per requested friend.
    #[serde(rename = "FriendItem")]
    pub friend_item: Vec<FriendAddItem>,
    /// `Add_Type_Single` (one-way) or `Add_Type_Both` (two-way, the default).
    #[serde(rename = "AddType")]
    pub add_type: String,
    /// `1` when an admin force-adds, else `0`.
    #[serde(rename = "ForceAddFlags")]
    pub force_add_flags: u32,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(PrevFriendAdd, commands::SNS_PREV_FRIEND_ADD);

/// One requested friend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendAddItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// Remark `From_Account` gives `To_Account`.
    #[serde(rename = "Remark")]
    pub remark: String,
    /// Friend list `From_Account` puts `To_Account` in.
    #[serde(rename = "GroupName")]
    pub group_name: String,
    /// e.g. `AddSource_Type_Android`.
    #[serde(rename = "AddSource")]
    pub add_source: String,
    /// The request message.
    #[serde(rename = "AddWording")]
    pub add_wording: String,
}

/// `Sns.CallbackPrevFriendResponse` (before): a user accepted or rejected friend requests from a
/// client. Not fired for REST responses. Answered like [`PrevFriendAdd`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrevFriendResponse {
    #[serde(rename = "Requester_Account")]
    pub requester_account: String,
    /// The user responding.
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "ResponseFriendItem")]
    pub response_friend_item: Vec<FriendResponseItem>,
    /// Milliseconds since the epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
}
payload!(PrevFriendResponse, commands::SNS_PREV_FRIEND_RESPONSE);

/// One answered friend request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendResponseItem {
    /// The user who sent the request being answered.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Remark")]
    pub remark: String,
    /// Friend list name; `TagName` here, unlike `GroupName` in [`FriendAddItem`].
    #[serde(rename = "TagName")]
    pub tag_name: String,
    /// `Response_Action_AgreeAndAdd`, `Response_Action_Agree` or `Response_Action_Reject`.
    #[serde(rename = "ResponseAction")]
    pub response_action: String,
}

/// `Sns.CallbackFriendAdd`: friend relations were created. Not fired by friend import. No
/// `EventTime` is documented for this command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendAdd {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<FriendAddPair>,
    /// `friend_add` / `FriendAdd` for a request, `friend_response` / `FriendResponse` for an answer.
    #[serde(rename = "ClientCmd")]
    pub client_cmd: String,
    /// The admin account when triggered through REST, else empty.
    #[serde(rename = "Admin_Account")]
    pub admin_account: String,
    /// `1` when an admin forced the add, else `0`.
    #[serde(rename = "ForceFlag")]
    pub force_flag: u32,
}
payload!(FriendAdd, commands::SNS_FRIEND_ADD);

/// `To_Account` was added to `From_Account`'s friend list, on `Initiator_Account`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendAddPair {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Initiator_Account")]
    pub initiator_account: String,
}

impl FriendAddPair {
    pub fn new(
        from: impl Into<String>,
        to: impl Into<String>,
        initiator: impl Into<String>,
    ) -> Self {
        Self {
            from_account: from.into(),
            to_account: to.into(),
            initiator_account: initiator.into(),
        }
    }
}

/// A `{From_Account, To_Account}` pair: `To_Account` was added to / removed from a list owned by
/// `From_Account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPair {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
}

impl AccountPair {
    pub fn new(from_account: impl Into<String>, to_account: impl Into<String>) -> Self {
        Self {
            from_account: from_account.into(),
            to_account: to_account.into(),
        }
    }
}

/// `Sns.CallbackFriendDelete`: friends were deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendDelete {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<AccountPair>,
}
payload!(FriendDelete, commands::SNS_FRIEND_DELETE);

/// `Sns.CallbackBlackListAdd`: users were added to blocklists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlackListAdd {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<AccountPair>,
}
payload!(BlackListAdd, commands::SNS_BLACK_LIST_ADD);

/// `Sns.CallbackBlackListDelete`: users were removed from blocklists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlackListDelete {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<AccountPair>,
}
payload!(BlackListDelete, commands::SNS_BLACK_LIST_DELETE);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::testutil::assert_body;

    fn three_pairs() -> Vec<AccountPair> {
        vec![
            AccountPair::new("id", "id1"),
            AccountPair::new("id", "id2"),
            AccountPair::new("id", "id3"),
        ]
    }

    const THREE_PAIRS: &str = r#"[
        { "From_Account": "id", "To_Account": "id1" },
        { "From_Account": "id", "To_Account": "id2" },
        { "From_Account": "id", "To_Account": "id3" }
    ]"#;

    #[test]
    fn prev_friend_add_documented_sample() {
        let item = |to: &str, remark: &str| FriendAddItem {
            to_account: to.into(),
            remark: remark.into(),
            group_name: "group1".into(),
            add_source: "AddSource_Type_Android".into(),
            add_wording: format!("this is {to}!"),
        };
        assert_body(
            &PrevFriendAdd {
                requester_account: "id".into(),
                from_account: "id".into(),
                friend_item: vec![item("id1", "remark1"), item("id2", "remark2")],
                add_type: "Add_Type_Both".into(),
                force_add_flags: 0,
                event_time: 1631777344870,
            },
            r#"{
                "CallbackCommand": "Sns.CallbackPrevFriendAdd",
                "Requester_Account": "id",
                "From_Account": "id",
                "FriendItem": [
                    {
                        "To_Account": "id1",
                        "Remark": "remark1",
                        "GroupName": "group1",
                        "AddSource": "AddSource_Type_Android",
                        "AddWording": "this is id1!"
                    },
                    {
                        "To_Account": "id2",
                        "Remark": "remark2",
                        "GroupName": "group1",
                        "AddSource": "AddSource_Type_Android",
                        "AddWording": "this is id2!"
                    }
                ],
                "AddType": "Add_Type_Both",
                "ForceAddFlags": 0,
                "EventTime": 1631777344870
            }"#,
        );
    }

    #[test]
    fn prev_friend_response_documented_sample() {
        assert_body(
            &PrevFriendResponse {
                requester_account: "id".into(),
                from_account: "id".into(),
                response_friend_item: vec![
                    FriendResponseItem {
                        to_account: "id1".into(),
                        remark: "remark1".into(),
                        tag_name: "group1".into(),
                        response_action: "Response_Action_AgreeAndAdd".into(),
                    },
                    FriendResponseItem {
                        to_account: "id2".into(),
                        remark: "remark2".into(),
                        tag_name: "group2".into(),
                        response_action: "Response_Action_Reject".into(),
                    },
                ],
                event_time: 1631777645424,
            },
            r#"{
                "CallbackCommand": "Sns.CallbackPrevFriendResponse",
                "Requester_Account": "id",
                "From_Account": "id",
                "ResponseFriendItem": [
                    {
                        "To_Account": "id1",
                        "Remark": "remark1",
                        "TagName": "group1",
                        "ResponseAction": "Response_Action_AgreeAndAdd"
                    },
                    {
                        "To_Account": "id2",
                        "Remark": "remark2",
                        "TagName": "group2",
                        "ResponseAction": "Response_Action_Reject"
                    }
                ],
                "EventTime": 1631777645424
            }"#,
        );
    }

    #[test]
    fn friend_add_documented_sample() {
        let pair = |to: &str| FriendAddPair {
            from_account: "id".into(),
            to_account: to.into(),
            initiator_account: "id".into(),
        };
        assert_body(
            &FriendAdd {
                pair_list: vec![pair("id1"), pair("id2"), pair("id3")],
                client_cmd: "friend_add".into(),
                admin_account: String::new(),
                force_flag: 1,
            },
            r#"{
                "CallbackCommand": "Sns.CallbackFriendAdd",
                "PairList": [
                    { "From_Account": "id", "To_Account": "id1", "Initiator_Account": "id" },
                    { "From_Account": "id", "To_Account": "id2", "Initiator_Account": "id" },
                    { "From_Account": "id", "To_Account": "id3", "Initiator_Account": "id" }
                ],
                "ClientCmd": "friend_add",
                "Admin_Account": "",
                "ForceFlag": 1
            }"#,
        );
    }

    #[test]
    fn friend_delete_documented_sample() {
        assert_body(
            &FriendDelete {
                pair_list: three_pairs(),
            },
            &format!(
                r#"{{"CallbackCommand": "Sns.CallbackFriendDelete", "PairList": {THREE_PAIRS}}}"#
            ),
        );
    }

    #[test]
    fn black_list_add_documented_sample() {
        assert_body(
            &BlackListAdd {
                pair_list: three_pairs(),
            },
            &format!(
                r#"{{"CallbackCommand": "Sns.CallbackBlackListAdd", "PairList": {THREE_PAIRS}}}"#
            ),
        );
    }

    #[test]
    fn black_list_delete_documented_sample() {
        assert_body(
            &BlackListDelete {
                pair_list: three_pairs(),
            },
            &format!(
                r#"{{"CallbackCommand": "Sns.CallbackBlackListDelete", "PairList": {THREE_PAIRS}}}"#
            ),
        );
    }
}
