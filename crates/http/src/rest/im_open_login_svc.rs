//! `v4/im_open_login_svc/*`: accounts and kicks.

use natter_core::{codes, ApiError, ApiResult};
use natter_services::accounts::NewAccount;

use crate::handler::Ctx;
use crate::wire::im_open_login_svc::{
    AccountCheck, AccountDelete, AccountImport, CheckResult, DeleteResult, Kick,
    MultiaccountImport, MultiaccountImportReply, ResultItems,
};

/// Tencent's per-item text for an account that does not exist.
const ACCOUNT_NOT_EXIST: &str = "Err_TLS_PT_Open_Login_Account_Not_Exist";

pub async fn account_import(ctx: Ctx, req: AccountImport) -> ApiResult<()> {
    let account = req.into_new_account()?;
    ctx.services
        .accounts
        .import_one(ctx.app.sdkappid, account)
        .await?;
    Ok(())
}

pub async fn multiaccount_import(
    ctx: Ctx,
    req: MultiaccountImport,
) -> ApiResult<MultiaccountImportReply> {
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
    Ok(MultiaccountImportReply { fail_accounts })
}

pub async fn account_delete(ctx: Ctx, req: AccountDelete) -> ApiResult<ResultItems<DeleteResult>> {
    let ids = req.delete_item.into_iter().map(|i| i.user_id).collect();
    let outcome = ctx.services.accounts.delete(ctx.app.sdkappid, ids).await?;
    Ok(ResultItems {
        result_item: outcome
            .into_iter()
            .map(|(user_id, existed)| DeleteResult {
                result_code: if existed { 0 } else { codes::ACCOUNT_NOT_FOUND },
                result_info: if existed { "" } else { ACCOUNT_NOT_EXIST },
                user_id,
            })
            .collect(),
    })
}

pub async fn account_check(ctx: Ctx, req: AccountCheck) -> ApiResult<ResultItems<CheckResult>> {
    let ids = req.check_item.into_iter().map(|i| i.user_id).collect();
    let outcome = ctx.services.accounts.check(ctx.app.sdkappid, ids).await?;
    Ok(ResultItems {
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
}

/// `kick`: the user's current UserSigs stop logging in (a UserSig issued after the kick does),
/// and their connections get the kicked-out event and end. An unknown account is 70107.
pub async fn kick(ctx: Ctx, req: Kick) -> ApiResult<()> {
    ctx.services.sessions.kick(&ctx.app, &req.user_id).await
}
