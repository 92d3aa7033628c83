//! Translation and speech to text through Tencent's Web SDK (`tests/web-sdk/language.mjs`):
//! `translateText` reaches the translation engine (a stand-in for LibreTranslate, as in
//! `binfo_language.rs`) and its translations come back to the SDK in order; an engine's failure
//! is the SDK's; `convertVoiceToText` on a received sound message (uploaded to Natter's file
//! store) gets the transcription engine's text.

use serde_json::{json, Value};

use crate::binfo_language::{server_with, upload_sound, FakeEngine};
use crate::harness::*;
use crate::messages::import;
use crate::sdk_client::SdkClient;
use crate::web_sdk::{run_script, step, ALICE, BOB};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_web_sdk),
    ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
)]
async fn translate_text_through_the_web_sdk() {
    let engine = FakeEngine::start().await;
    let server = server_with(
        Engine::Sqlite,
        Some(engine.url.clone()),
        Some(engine.url.clone()),
    )
    .await;
    import(&server, &[ALICE, BOB]).await;
    // A sound message from A to B, its file uploaded through the SDK's flow (the Web SDK sends
    // sounds only from mini programs; the REST API sends this one).
    let mut alice = SdkClient::connect(&server, ALICE).await;
    let sound_url = upload_sound(&server, &mut alice, b"ID3\x04voice").await;
    alice.close().await;
    server
        .ok(
            "openim/sendmsg",
            json!({"From_Account": ALICE, "To_Account": BOB, "MsgRandom": 77, "SyncOtherMachine": 2,
                   "MsgBody": [{"MsgType": "TIMSoundElem", "MsgContent": {
                       "Url": sound_url, "UUID": "voice-1", "Size": 11, "Second": 1, "Download_Flag": 2}}]}),
        )
        .await;
    let report = run_script(&server, "language.mjs", &[]).await;

    let translated = step(&report, "A translates two texts");
    assert_eq!(
        translated["translated"],
        json!(["[zh] hello", "[zh] good night"]),
        "{translated}"
    );
    let failed = step(&report, "a failing engine is the SDK failure");
    assert_eq!(
        failed["code"], 70500,
        "the engine's failure reaches the app: {failed}"
    );
    // What the SDK sent reached the engine as LibreTranslate takes it.
    let sent: Value = serde_json::from_slice(&engine.heard()[0].body).unwrap();
    assert_eq!(sent["q"], json!(["hello", "good night"]), "{sent}");
    assert_eq!(
        (sent["source"].as_str(), sent["target"].as_str()),
        (Some("auto"), Some("zh"))
    );
    let spoken = step(&report, "B converts A's sound message to text");
    assert_eq!(spoken["result"], "hello from the sound", "{spoken}");
    let heard = engine.heard();
    let transcription = heard
        .iter()
        .find(|h| h.path == "/v1/audio/transcriptions")
        .expect("the sound went to the transcription engine");
    let has = |needle: &[u8]| {
        transcription
            .body
            .windows(needle.len())
            .any(|w| w == needle)
    };
    assert!(has(b"ID3\x04voice"), "the uploaded sound's bytes");
    assert!(
        has(b"name=\"language\"\r\n\r\nen\r\n"),
        "en-US is 16k_en: English"
    );
}

/// The local profanity filter through the Web SDK and Tencent's plugin
/// (`tests/web-sdk/local-words.mjs`): the plugin decrypts the lexicon Natter serves, refuses a
/// blocked word and replaces another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_web_sdk),
    ignore = "set NATTER_TEST_WEB_SDK=<crates/natter/tests/web-sdk, after npm ci there> to run"
)]
async fn local_words_through_the_web_sdk_and_its_plugin() {
    let server = TestServer::start_with(Engine::Sqlite, |config| {
        config.apps[0].settings.local_words = vec![
            natter_core::LocalWord {
                word: "badword".into(),
                replacement: None,
                regex: false,
            },
            natter_core::LocalWord {
                word: "darn".into(),
                replacement: Some("***".into()),
                regex: false,
            },
        ];
    })
    .await;
    import(&server, &[ALICE, BOB]).await;
    let report = run_script(&server, "local-words.mjs", &[]).await;
    let blocked = step(&report, "a blocked word stops the message");
    assert_eq!(blocked["code"], 3123, "{blocked}");
    let replaced = step(&report, "a replaced word reaches the receiver replaced");
    assert_eq!(replaced["received"], "oh *** it", "{replaced}");
}
