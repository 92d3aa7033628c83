//! The Web SDK's translation and speech-to-text commands over `/binfo`, handed to the engines
//! the operator configures. A small HTTP server in the test stands for them (LibreTranslate's
//! `/translate`, an OpenAI-compatible `/v1/audio/transcriptions`): it records what Natter sent
//! and answers as such a server would. Refusals: no engine configured (60020), an engine that
//! is down, fails or never answers, a sound URL that is not a file of this app, wrong types.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::harness::*;
use crate::sdk_client::SdkClient;

/// What the stand-in engine does with the next request.
#[derive(Clone, Copy)]
pub(crate) enum Mode {
    /// Answers as the real server would.
    Serve,
    /// HTTP 500 with an `error` field, as LibreTranslate says why.
    Fail,
    /// Never answers (Natter's timeout must end the wait).
    Hang,
}

#[derive(Clone)]
pub(crate) struct Heard {
    pub(crate) path: String,
    content_type: String,
    pub(crate) body: Vec<u8>,
}

/// A stand-in for LibreTranslate and a transcription server. A translation asked of the text
/// "please fail" fails as [`Mode::Fail`] does (for the real SDK's test, which cannot switch
/// modes).
#[derive(Clone)]
pub(crate) struct FakeEngine {
    pub(crate) url: String,
    mode: Arc<Mutex<Mode>>,
    heard: Arc<Mutex<Vec<Heard>>>,
}

async fn answer(
    State(engine): State<FakeEngine>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    engine.heard.lock().unwrap().push(Heard {
        path: path.clone(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body: body.to_vec(),
    });
    let mode = *engine.mode.lock().unwrap();
    match mode {
        Mode::Hang => std::future::pending().await,
        Mode::Fail => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"error": "model not loaded"})),
        )
            .into_response(),
        Mode::Serve if path == "/translate" && has_text(&body, "please fail") => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "asked to fail"})),
        )
            .into_response(),
        Mode::Serve if path == "/translate" => {
            // LibreTranslate: `q` an array → `translatedText` an array, in order.
            let request: Value = serde_json::from_slice(&body).unwrap();
            let target = request["target"].as_str().unwrap().to_owned();
            let texts: Vec<String> = request["q"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| format!("[{target}] {}", t.as_str().unwrap()))
                .collect();
            axum::Json(json!({ "translatedText": texts })).into_response()
        }
        Mode::Serve if path == "/v1/audio/transcriptions" => {
            axum::Json(json!({ "text": " hello from the sound " })).into_response()
        }
        Mode::Serve => StatusCode::NOT_FOUND.into_response(),
    }
}

fn has_text(body: &[u8], text: &str) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| {
        v["q"]
            .as_array()
            .is_some_and(|q| q.iter().any(|t| t == text))
    })
}

impl FakeEngine {
    pub(crate) async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let engine = Self {
            url: format!("http://{}", listener.local_addr().unwrap()),
            mode: Arc::new(Mutex::new(Mode::Serve)),
            heard: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(engine.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        engine
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub(crate) fn heard(&self) -> Vec<Heard> {
        self.heard.lock().unwrap().clone()
    }
}

/// A URL where nothing listens.
async fn closed_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

pub(crate) async fn server_with(
    engine: Engine,
    translate: Option<String>,
    transcribe: Option<String>,
) -> TestServer {
    TestServer::start_with(engine, |config| {
        config.engines.translate_url = translate;
        config.engines.transcribe_url = transcribe;
        config.engines.transcribe_model = "whisper-test".into();
        // Short, so that the engine that never answers ends the test soon.
        config.engines.timeout = Duration::from_secs(2);
    })
    .await
}

fn translate_body(texts: Value, target: &str) -> Value {
    json!({"SourceText": texts, "SdkAppId": APP, "FromAccount": 144115000000000001u64, "Source": "auto", "Target": target})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn translation_goes_to_the_configured_engine() {
    let engine = FakeEngine::start().await;
    let server = server_with(Engine::Sqlite, Some(format!("{}/", engine.url)), None).await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let reply = alice
        .call(
            "im_open_translate.ws_batch_trans_text",
            translate_body(json!(["hello", "good night"]), "zh"),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    assert_eq!(
        reply["TargetText"],
        json!(["[zh] hello", "[zh] good night"])
    );
    assert_eq!(reply["CmdErrorCode"]["ErrorCode"], 0, "{reply}");
    assert!(reply["RequestId"].as_str().is_some_and(|id| !id.is_empty()));
    let heard = engine.heard();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].path, "/translate");
    let sent: Value = serde_json::from_slice(&heard[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"q": ["hello", "good night"], "source": "auto", "target": "zh", "format": "text"})
    );

    // The engine fails: its reason reaches the client, with the internal error code.
    engine.set(Mode::Fail);
    let failed = alice
        .call(
            "im_open_translate.ws_batch_trans_text",
            translate_body(json!(["hello"]), "zh"),
        )
        .await;
    assert_eq!(failed["CmdErrorCode"]["ErrorCode"], 70500, "{failed}");
    let info = failed["CmdErrorCode"]["ErrorInfo"].as_str().unwrap();
    assert!(info.contains("model not loaded"), "{failed}");
    // The operator's engine address is never told to clients.
    let host = engine.url.trim_start_matches("http://");
    assert!(!info.contains(host), "{failed}");

    // The engine never answers: Natter's timeout ends the call (60008), the connection lives on
    // and goes on answering meanwhile (the call is held beside its other requests).
    engine.set(Mode::Hang);
    let translate = "im_open_translate.ws_batch_trans_text";
    let waiting = alice
        .send_request(translate, translate_body(json!(["hello"]), "zh"))
        .await;
    let (head, _) = alice.request("heartbeat.alive", json!({}), json!({})).await;
    assert_eq!(head["servcmd"], "heartbeat.alive");
    assert!(
        !alice.has_reply(translate, waiting),
        "the heartbeat was answered while the engine call waited"
    );
    let hung = alice.reply_to(translate, waiting).await;
    assert_eq!(hung["CmdErrorCode"]["ErrorCode"], 60008, "{hung}");
    engine.set(Mode::Serve);
    let again = alice
        .call(
            "im_open_translate.ws_batch_trans_text",
            translate_body(json!(["again"]), "en"),
        )
        .await;
    assert_eq!(again["TargetText"], json!(["[en] again"]), "{again}");

    // Wrong types and a missing target: invalid parameter, and the engine is not asked.
    let asked = engine.heard().len();
    for body in [
        translate_body(json!("hello"), "zh"),
        translate_body(json!([1, 2]), "zh"),
        translate_body(json!(["hello"]), " "),
        json!({"SourceText": ["hello"]}),
    ] {
        let bad = alice
            .call("im_open_translate.ws_batch_trans_text", body.clone())
            .await;
        assert_eq!(bad["CmdErrorCode"]["ErrorCode"], 60003, "{body} → {bad}");
    }
    assert_eq!(engine.heard().len(), asked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_engines_the_features_are_not_enabled() {
    let server = server_with(Engine::Sqlite, None, None).await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let translate = alice
        .call(
            "im_open_translate.ws_batch_trans_text",
            translate_body(json!(["hello"]), "zh"),
        )
        .await;
    assert_eq!(translate["CmdErrorCode"]["ErrorCode"], 60020, "{translate}");
    assert!(
        translate.get("TargetText").is_none(),
        "no fake translation: {translate}"
    );
    let speech = alice
        .call(
            "im_open_speech.ws_sentence_recognition",
            json!({"BytesUrl": format!("{}/_natter/files/{APP}/00", server.base), "Uint32Sdkappid": APP,
                   "BytesVoiceFormat": "mp3", "Uint64SourceType": 0, "BytesEngServiceType": "16k_en"}),
        )
        .await;
    assert_eq!(speech["CmdErrorCode"]["ErrorCode"], 60020, "{speech}");

    // An engine that is down: a clear error, not a hang.
    let down = server_with(
        Engine::Sqlite,
        Some(closed_url().await),
        Some(closed_url().await),
    )
    .await;
    let mut bob = SdkClient::connect(&down, "bob").await;
    let failed = bob
        .call(
            "im_open_translate.ws_batch_trans_text",
            translate_body(json!(["hello"]), "zh"),
        )
        .await;
    assert_eq!(failed["CmdErrorCode"]["ErrorCode"], 70500, "{failed}");
    assert!(
        failed["CmdErrorCode"]["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("translation engine"),
        "{failed}"
    );
}

/// Uploads `bytes` as a sound through the SDK's flow; its download URL.
pub(crate) async fn upload_sound(server: &TestServer, sdk: &mut SdkClient, bytes: &[u8]) -> String {
    let signed = sdk
        .call(
            "im_cos_msg.pre_sig",
            json!({"file_type": 3, "file_name": "voice.mp3", "upload_method": 0, "duration": 900}),
        )
        .await;
    assert_eq!(signed["ErrorCode"], 0, "{signed}");
    let put = server
        .client
        .put(signed["upload_url"].as_str().unwrap())
        .header("Content-Type", "audio/mpeg")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let download = signed["download_url"].as_str().unwrap().to_owned();
    assert!(
        download.ends_with(".mp3"),
        "the SDK reads the format off the URL: {download}"
    );
    // The URL with its extension is the file's.
    let got = server.client.get(&download).send().await.unwrap();
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
    download
}

async fn speech_to_text(engine_kind: Engine) {
    let engine = FakeEngine::start().await;
    let server = server_with(engine_kind, None, Some(engine.url.clone())).await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let sound = b"ID3\x04fake mp3 frames".to_vec();
    let url = upload_sound(&server, &mut alice, &sound).await;
    let recognise = |url: String, engine_type: &str| {
        json!({"BytesUrl": url, "Uint32Sdkappid": APP, "BytesVoiceFormat": "mp3",
               "Uint64SourceType": 0, "BytesEngServiceType": engine_type})
    };

    // Another user (the receiver of the sound message) converts it: the URL is the message's.
    let mut bob = SdkClient::connect(&server, "bob").await;
    let reply = bob
        .call(
            "im_open_speech.ws_sentence_recognition",
            recognise(url.clone(), "16k_en"),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    assert_eq!(reply["BytesResult"], "hello from the sound");
    assert_eq!(reply["CmdErrorCode"]["ErrorCode"], 0, "{reply}");
    let heard = engine.heard();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].path, "/v1/audio/transcriptions");
    assert!(heard[0]
        .content_type
        .starts_with("multipart/form-data; boundary="));
    let body = &heard[0].body;
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"name=\"model\"\r\n\r\nwhisper-test\r\n"));
    assert!(has(b"name=\"language\"\r\n\r\nen\r\n"));
    assert!(has(b"filename=\""));
    assert!(has(b"Content-Type: audio/mpeg\r\n\r\n"));
    assert!(has(&sound), "the sound's bytes are sent");

    // The mixed-language engine type gives no hint: the engine detects the language.
    let mixed = bob
        .call(
            "im_open_speech.ws_sentence_recognition",
            recognise(format!("{url}.mp3"), "16k_zh-PY"),
        )
        .await;
    assert_eq!(
        mixed["ErrorCode"], 0,
        "a URL that names its format: {mixed}"
    );
    let body = &engine.heard()[1].body;
    assert!(!body.windows(8).any(|w| w == b"language"));

    // URLs that are not this app's files; wrong types.
    let other_app = url.replace(&format!("/{APP}/"), &format!("/{OTHER_APP}/"));
    let unknown = format!(
        "{}/_natter/files/{APP}/{}.mp3",
        server.base,
        "ab".repeat(16)
    );
    for bad_url in [other_app, unknown, "https://cdn.example/voice.mp3".into()] {
        let bad = bob
            .call(
                "im_open_speech.ws_sentence_recognition",
                recognise(bad_url.clone(), "16k_en"),
            )
            .await;
        assert_eq!(bad["CmdErrorCode"]["ErrorCode"], 60003, "{bad_url} → {bad}");
    }
    let typed = bob
        .call(
            "im_open_speech.ws_sentence_recognition",
            json!({"BytesUrl": 7}),
        )
        .await;
    assert_eq!(typed["CmdErrorCode"]["ErrorCode"], 60003, "{typed}");
    assert_eq!(engine.heard().len(), 2, "no bad request reached the engine");

    // The engine fails or never answers.
    engine.set(Mode::Fail);
    let failed = bob
        .call(
            "im_open_speech.ws_sentence_recognition",
            recognise(url.clone(), "16k_en"),
        )
        .await;
    assert_eq!(failed["CmdErrorCode"]["ErrorCode"], 70500, "{failed}");
    engine.set(Mode::Hang);
    let hung = bob
        .call(
            "im_open_speech.ws_sentence_recognition",
            recognise(url, "16k_en"),
        )
        .await;
    assert_eq!(hung["CmdErrorCode"]["ErrorCode"], 60008, "{hung}");
}

mod speech_to_text_reads_the_sound_from_the_file_store {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        speech_to_text(Engine::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_postgres),
        ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        speech_to_text(Engine::Postgres).await;
    }
}
