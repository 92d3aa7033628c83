//! The local profanity lexicon over `/binfo` (`im_msg_audit_mgr.get_local_words`), as the Web
//! SDK's filter plugin pages through it: the app's `local_words`, encrypted under the key the
//! answer's `str_token` carries pair-swapped; pages until `uint64_complete_flag`; nothing again
//! for an SDK that holds the version; no words and every scene off by default.

use natter_services::local_words::{encrypt, swap_pairs};
use serde_json::{json, Value};

use crate::harness::*;
use crate::sdk_client::SdkClient;

fn ask(version: u64, start: u64) -> Value {
    json!({"uint64_version": version, "str_device_id": "", "uint64_start_index": start})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lexicon_pages_to_the_sdk_encrypted_as_its_plugin_reads_it() {
    let words: Vec<natter_core::LocalWord> = (0..150)
        .map(|i| natter_core::LocalWord {
            word: format!("word{i}"),
            replacement: (i % 2 == 0).then(|| "***".to_owned()),
            regex: i == 149,
        })
        .collect();
    let server = TestServer::start_with(Engine::Sqlite, |config| {
        config.apps[0].settings.local_words = words.clone();
    })
    .await;
    let mut alice = SdkClient::connect(&server, "alice").await;

    let first = alice
        .call("im_msg_audit_mgr.get_local_words", ask(0, 0))
        .await;
    assert_eq!(first["ErrorCode"], 0, "{first}");
    assert_eq!(first["msg_cmd_error_code"]["uint32_code"], 0);
    assert_eq!(first["msg_scene_ctl_config"]["uint64_c2c_text_msg_flag"], 1);
    assert_eq!(
        first["msg_scene_ctl_config"]["uint64_group_custom_msg_flag"],
        1
    );
    assert_eq!(first["uint64_complete_flag"], 0);
    assert_eq!(first["uint64_next_start_index"], 100);
    let key = swap_pairs(first["str_token"].as_str().unwrap());
    assert_eq!(key.len(), 32);
    let lexicon = first["rpt_msg_dirty_word"].as_array().unwrap();
    assert_eq!(lexicon.len(), 100);
    assert_eq!(lexicon[0]["str_dirty_word"], encrypt(&key, "word0"));
    assert_eq!(lexicon[0]["str_replaced_content"], encrypt(&key, "***"));
    assert_eq!(
        (
            lexicon[0]["uint64_filter_type"].clone(),
            lexicon[1]["uint64_filter_type"].clone()
        ),
        (json!(2), json!(1))
    );
    let version = first["uint64_version"].as_u64().unwrap();
    assert!(version > 0 && version < 1 << 53);

    let second = alice
        .call("im_msg_audit_mgr.get_local_words", ask(0, 100))
        .await;
    assert_eq!(second["uint64_complete_flag"], 1, "{second}");
    assert_eq!(second["uint64_version"], version);
    let key = swap_pairs(second["str_token"].as_str().unwrap());
    let rest = second["rpt_msg_dirty_word"].as_array().unwrap();
    assert_eq!(rest.len(), 50);
    assert_eq!(rest[49]["uint64_id"], 150);
    assert_eq!(rest[49]["uint64_word_type"], 2, "a regular expression");
    assert_eq!(rest[49]["str_dirty_word"], encrypt(&key, "word149"));

    // The SDK asks again when its copy expires: nothing new for the version it holds.
    let again = alice
        .call("im_msg_audit_mgr.get_local_words", ask(version, 0))
        .await;
    assert_eq!(again["uint64_complete_flag"], 1, "{again}");
    assert_eq!(again["rpt_msg_dirty_word"], json!([]));

    // Wrong types: invalid parameter.
    let bad = alice
        .call(
            "im_msg_audit_mgr.get_local_words",
            json!({"uint64_start_index": "x"}),
        )
        .await;
    assert_eq!(bad["ErrorCode"], 60003, "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_local_words_by_default() {
    let server = TestServer::start(Engine::Sqlite).await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let reply = alice
        .call("im_msg_audit_mgr.get_local_words", ask(0, 0))
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    assert_eq!(reply["uint64_complete_flag"], 1);
    assert_eq!(reply["uint64_version"], 0);
    assert_eq!(reply["rpt_msg_dirty_word"], json!([]));
    assert_eq!(reply["msg_scene_ctl_config"]["uint64_c2c_text_msg_flag"], 0);
}
