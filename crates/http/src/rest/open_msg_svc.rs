//! `v4/open_msg_svc/*`: downloading recent messages.

use natter_core::{ops, ApiResult};

use crate::handler::Ctx;
use crate::history::history_url;
use crate::wire::open_msg_svc::{GetHistory, GetHistoryReply, HistoryFileItem};

/// `get_history`: one file per hour and kind, served by Natter itself under
/// `/_natter/history/` at a signed URL that works for an hour.
pub async fn get_history(ctx: Ctx, req: GetHistory) -> ApiResult<GetHistoryReply> {
    let file = ctx
        .services
        .ops
        .history_file(&ctx.app, &req.chat_type, &req.msg_time)
        .await?;
    let base = ctx.public_url.as_deref().unwrap_or("http://localhost");
    Ok(GetHistoryReply {
        file: vec![HistoryFileItem {
            url: history_url(base, ctx.app.sdkappid, &file),
            expire_time: ops::beijing_datetime(file.expires),
            file_size: file.file_size,
            file_md5: file.file_md5,
            gzip_size: file.gzip_size,
            gzip_md5: file.gzip_md5,
        }],
    })
}
