//! `v4/im_open_login_svc/*`: accounts and kicks (Tencent pages 1047/34953–34957).

use natter_core::{codes, ApiError};
use natter_services::accounts::NewAccount;
use serde::{Deserialize, Serialize};

/// `account_import`, and one entry of `multiaccount_import`'s `AccountList`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AccountImport {
    #[serde(rename = "UserID")]
    pub user_id: Option<String>,
    /// The field's name in Tencent's older docs; still sent by older SDKs.
    pub identifier: Option<String>,
    pub nick: Option<String>,
    pub face_url: Option<String>,
}

impl AccountImport {
    pub fn into_new_account(self) -> Result<NewAccount, ApiError> {
        let user_id = self
            .user_id
            .or(self.identifier)
            .ok_or_else(|| ApiError::new(codes::ACCOUNT_INVALID_PARAM, "UserID is missing"))?;
        Ok(NewAccount {
            user_id,
            nick: self.nick,
            face_url: self.face_url,
        })
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MultiaccountImport {
    /// Old form: UserIDs only.
    pub accounts: Option<Vec<String>>,
    /// New form: UserID with optional nick and face URL.
    pub account_list: Option<Vec<AccountImport>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MultiaccountImportReply {
    pub fail_accounts: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UserIdItem {
    #[serde(rename = "UserID")]
    pub user_id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AccountDelete {
    pub delete_item: Vec<UserIdItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteResult {
    pub result_code: u32,
    pub result_info: &'static str,
    #[serde(rename = "UserID")]
    pub user_id: String,
}

/// The reply of `account_delete` and `account_check`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ResultItems<T> {
    pub result_item: Vec<T>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AccountCheck {
    pub check_item: Vec<UserIdItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CheckResult {
    #[serde(rename = "UserID")]
    pub user_id: String,
    pub result_code: u32,
    pub result_info: &'static str,
    pub account_status: &'static str,
}

/// `kick` (page 34957): invalidates the login state of one account.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Kick {
    #[serde(rename = "UserID")]
    pub user_id: String,
}
