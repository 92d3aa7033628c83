//! `im_msg_audit_mgr.get_local_words`: the app's local profanity lexicon for the Web SDK's
//! filter plugin, a page at a time (the rules and the plugin's encryption are in
//! `natter_services::local_words`). The field names are the SDK's wire names, which its key map
//! turns into `lexicon`, `filterConfig`, `completeFlag` and the rest; `str_token` reaches it as
//! `strToken`.

use natter_core::ApiResult;
use natter_services::local_words::{page, LIFETIME_SECS};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

#[derive(Deserialize)]
struct GetLocalWords {
    #[serde(rename = "uint64_version", default)]
    version: u64,
    #[serde(rename = "uint64_start_index", default)]
    start_index: u64,
}

pub(super) async fn get_local_words(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: GetLocalWords = ctx.parse(body)?;
    let page = page(&ctx.app.local_words, request.version, request.start_index);
    // Every scene the plugin checks is on while there are words (off, nothing to check).
    let on = u64::from(page.filtering);
    let words: Vec<Value> = page
        .words
        .iter()
        .map(|w| {
            json!({
                "uint64_id": w.id,
                "str_dirty_word": w.word,
                "str_replaced_content": w.replacement,
                "uint64_filter_type": w.filter_type,
                "uint64_word_type": w.word_type,
            })
        })
        .collect();
    Ok(json!({
        "msg_cmd_error_code": { "uint32_code": 0, "str_err_msg": "" },
        "msg_scene_ctl_config": {
            "uint64_c2c_text_msg_flag": on,
            "uint64_c2c_custom_msg_flag": on,
            "uint64_group_text_msg_flag": on,
            "uint64_group_custom_msg_flag": on,
            "uint64_group_info_flag": on,
            "uint64_group_member_info_flag": on,
            "uint64_relation_chain_flag": on,
            "uint64_user_info_flag": on,
        },
        "rpt_msg_dirty_word": words,
        "str_token": page.token,
        "uint64_complete_flag": u64::from(page.complete),
        "uint64_next_start_index": page.next_start,
        "uint64_version": page.version,
        "uint64_expired_time": LIFETIME_SECS,
    }))
}
