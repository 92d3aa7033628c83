//! `v4/im_open_login_svc/*`: accounts (Tencent pages 1047/34953–34956).

use natter_core::{codes, ApiError};
use natter_services::accounts::NewAccount;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{fields, Ctx};
use crate::routes::HandlerFuture;

#[derive(Deserialize)]
struct AccountFields {
    #[serde(rename = "UserID")]
    user_id: Option<String>,
    /// The field's name in Tencent's older docs; still sent by older SDKs.
    #[serde(rename = "Identifier")]
    identifier: Option<String>,
    #[serde(rename = "Nick")]
    nick: Option<String>,
    #[serde(rename = "FaceUrl")]
    face_url: Option<String>,
}

impl AccountFields {
    fn into_new_account(self) -> Result<NewAccount, ApiError> {
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

pub fn account_import(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let account = ctx.parse::<AccountFields>(body)?.into_new_account()?;
        ctx.services
            .accounts
            .import_one(ctx.app.sdkappid, account)
            .await?;
        Ok(Value::Null)
    })
}

#[derive(Deserialize)]
struct MultiImport {
    /// Old form: UserIDs only.
    #[serde(rename = "Accounts")]
    accounts: Option<Vec<String>>,
    /// New form: UserID with optional nick and face URL.
    #[serde(rename = "AccountList")]
    account_list: Option<Vec<AccountFields>>,
}

#[derive(Serialize)]
struct MultiImportReply {
    #[serde(rename = "FailAccounts")]
    fail_accounts: Vec<String>,
}

pub fn multiaccount_import(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<MultiImport>(body)?;
        if req.accounts.is_none() && req.account_list.is_none() {
            return Err(ApiError::new(
                codes::ACCOUNT_INVALID_PARAM,
                "Accounts or AccountList is required",
            ));
        }
        let mut accounts: Vec<NewAccount> = req
            .accounts
            .unwrap_or_default()
            .into_iter()
            .map(|user_id| NewAccount {
                user_id,
                ..Default::default()
            })
            .collect();
        for fields in req.account_list.unwrap_or_default() {
            accounts.push(fields.into_new_account()?);
        }
        let fail_accounts = ctx
            .services
            .accounts
            .import_many(ctx.app.sdkappid, accounts)
            .await?;
        fields(MultiImportReply { fail_accounts })
    })
}

#[derive(Deserialize)]
struct UserIdItem {
    #[serde(rename = "UserID")]
    user_id: String,
}

#[derive(Deserialize)]
struct DeleteRequest {
    #[serde(rename = "DeleteItem")]
    delete_item: Vec<UserIdItem>,
}

#[derive(Serialize)]
struct DeleteResult {
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: &'static str,
    #[serde(rename = "UserID")]
    user_id: String,
}

#[derive(Serialize)]
struct ResultItems<T> {
    #[serde(rename = "ResultItem")]
    result_item: Vec<T>,
}

/// Tencent's per-item text for an account that does not exist.
const ACCOUNT_NOT_EXIST: &str = "Err_TLS_PT_Open_Login_Account_Not_Exist";

pub fn account_delete(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<DeleteRequest>(body)?;
        let ids = req.delete_item.into_iter().map(|i| i.user_id).collect();
        let outcome = ctx.services.accounts.delete(ctx.app.sdkappid, ids).await?;
        fields(ResultItems {
            result_item: outcome
                .into_iter()
                .map(|(user_id, existed)| DeleteResult {
                    result_code: if existed { 0 } else { codes::ACCOUNT_NOT_FOUND },
                    result_info: if existed { "" } else { ACCOUNT_NOT_EXIST },
                    user_id,
                })
                .collect(),
        })
    })
}

#[derive(Deserialize)]
struct CheckRequest {
    #[serde(rename = "CheckItem")]
    check_item: Vec<UserIdItem>,
}

#[derive(Serialize)]
struct CheckResult {
    #[serde(rename = "UserID")]
    user_id: String,
    #[serde(rename = "ResultCode")]
    result_code: u32,
    #[serde(rename = "ResultInfo")]
    result_info: &'static str,
    #[serde(rename = "AccountStatus")]
    account_status: &'static str,
}

pub fn account_check(ctx: Ctx, body: Value) -> HandlerFuture {
    Box::pin(async move {
        let req = ctx.parse::<CheckRequest>(body)?;
        let ids = req.check_item.into_iter().map(|i| i.user_id).collect();
        let outcome = ctx.services.accounts.check(ctx.app.sdkappid, ids).await?;
        fields(ResultItems {
            result_item: outcome
                .into_iter()
                .map(|(user_id, imported)| CheckResult {
                    user_id,
                    result_code: 0,
                    result_info: "",
                    account_status: if imported { "Imported" } else { "NotImported" },
                })
                .collect(),
        })
    })
}
