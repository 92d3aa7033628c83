//! `v4/ConfigSvc/*`: the server's addresses. The module is named in snake case; the URL keeps
//! Tencent's capitals (`ConfigSvc/GetIPList`), so its route line names the handler itself.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::config_svc::{GetIpList, GetIpListReply};

/// `GetIPList`: the addresses this app's callbacks come from. Tencent splits its answer by
/// `nettype` (SDK access points inside or outside China, webhook egress); Natter is one
/// server whose clients and callbacks share its addresses, so every `nettype` gets the same
/// list (see docs/architecture.md).
pub async fn get_ip_list(ctx: Ctx, _req: GetIpList) -> ApiResult<GetIpListReply> {
    Ok(GetIpListReply {
        ip_list: ctx.services.webhooks.source_ips(ctx.app.sdkappid).await,
    })
}
