//! The engines Natter hands work to instead of doing it itself: text translation (the Web SDK's
//! `translateText`), speech recognition (`convertVoiceToText`) and video covers (a frame of an
//! uploaded video). Each is a real program the operator runs and names in the configuration:
//!
//! - translation: a LibreTranslate server (`POST <translate_url>/translate`), the open API that
//!   LibreTranslate and the servers compatible with it speak;
//! - speech: an OpenAI-compatible transcription endpoint (`POST <transcribe_url>/v1/audio/
//!   transcriptions`, multipart), which whisper.cpp's server, faster-whisper-server and LocalAI
//!   speak;
//! - covers: the `ffmpeg` binary ([`covers`]).
//!
//! Nothing is faked: with no engine configured a request is refused with
//! [`codes::FEATURE_NOT_ENABLED`], Tencent's answer for a feature the app's plan lacks. Every
//! call to an engine is bounded by [`EngineConfig::timeout`]; an engine that fails, answers
//! nonsense or takes longer gets a clear error naming it, never a hang.

pub mod covers;

use std::time::Duration;

use natter_core::{codes, ApiError, ApiResult};
use serde::Deserialize;
use serde_json::{json, Value};

pub use covers::Covers;

/// Where the engines are; none configured by default.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Base URL of a LibreTranslate server (`http://host:5000`).
    pub translate_url: Option<String>,
    /// LibreTranslate's `api_key`, when the server asks for one.
    pub translate_api_key: Option<String>,
    /// Base URL of an OpenAI-compatible server (`http://host:8000`); `/v1/audio/transcriptions`
    /// is appended.
    pub transcribe_url: Option<String>,
    /// The `model` field of a transcription request.
    pub transcribe_model: String,
    /// Sent as `Authorization: Bearer …` to the transcription server, when given.
    pub transcribe_api_key: Option<String>,
    /// The `ffmpeg` binary found at start, if any.
    pub ffmpeg: Option<std::path::PathBuf>,
    /// How long one call to an engine may take.
    pub timeout: Duration,
}

/// The engines, shared by every request.
#[derive(Clone)]
pub struct Engines {
    config: EngineConfig,
    client: reqwest::Client,
    pub covers: Covers,
}

impl Default for Engines {
    fn default() -> Self {
        Self::new(EngineConfig {
            timeout: Duration::from_secs(30),
            ..Default::default()
        })
    }
}

/// A LibreTranslate answer: one text per text asked for (`q` was an array).
#[derive(Deserialize)]
struct Translated {
    #[serde(rename = "translatedText")]
    translated_text: Vec<String>,
}

/// An OpenAI-compatible transcription (`response_format=json`).
#[derive(Deserialize)]
struct Transcription {
    text: String,
}

impl Engines {
    pub fn new(config: EngineConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .expect("an HTTP client with rustls builds");
        let covers = Covers::new(config.ffmpeg.clone(), config.timeout);
        Self {
            config,
            client,
            covers,
        }
    }

    /// Translates each of `texts` from `source` (`auto` to detect it) into `target`, in order.
    /// Language codes go to the engine as the client gave them.
    pub async fn translate(
        &self,
        texts: &[String],
        source: &str,
        target: &str,
    ) -> ApiResult<Vec<String>> {
        let base = self.config.translate_url.as_deref().ok_or_else(|| {
            not_enabled("text translation: no translation engine is configured (translate_url)")
        })?;
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let url = format!("{}/translate", base.trim_end_matches('/'));
        let mut body = json!({ "q": texts, "source": source, "target": target, "format": "text" });
        if let Some(key) = &self.config.translate_api_key {
            body["api_key"] = json!(key);
        }
        let sent = self.client.post(&url).json(&body).send().await;
        let answer: Translated = read_answer("translation", &url, sent).await?;
        if answer.translated_text.len() != texts.len() {
            return Err(engine_failed(
                "translation",
                &url,
                format!(
                    "{} texts sent, {} translations back",
                    texts.len(),
                    answer.translated_text.len()
                ),
            ));
        }
        Ok(answer.translated_text)
    }

    /// Refused with [`codes::FEATURE_NOT_ENABLED`] unless speech recognition is configured.
    pub fn check_transcribes(&self) -> ApiResult<()> {
        self.transcriber().map(|_| ())
    }

    fn transcriber(&self) -> ApiResult<&str> {
        self.config.transcribe_url.as_deref().ok_or_else(|| {
            not_enabled(
                "speech to text: no speech recognition engine is configured (transcribe_url)",
            )
        })
    }

    /// The text spoken in `audio` (a file named `file_name`, of `content_type`); `language` an
    /// ISO 639-1 hint, or none to let the engine detect it.
    pub async fn transcribe(
        &self,
        audio: Vec<u8>,
        file_name: &str,
        content_type: &str,
        language: Option<&str>,
    ) -> ApiResult<String> {
        let base = self.transcriber()?;
        let url = format!("{}/v1/audio/transcriptions", base.trim_end_matches('/'));
        let mut form = Multipart::new();
        form.text("model", &self.config.transcribe_model);
        form.text("response_format", "json");
        if let Some(language) = language {
            form.text("language", language);
        }
        form.file("file", file_name, content_type, &audio);
        let (content_type, body) = form.finish();
        let mut request = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(key) = &self.config.transcribe_api_key {
            request = request.bearer_auth(key);
        }
        let answer: Transcription =
            read_answer("speech recognition", &url, request.send().await).await?;
        Ok(answer.text.trim().to_owned())
    }
}

/// A fresh id for an engine's answer (the SDK logs it as the call's `requestID`).
pub fn request_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn not_enabled(what: &str) -> ApiError {
    ApiError::new(
        codes::FEATURE_NOT_ENABLED,
        format!("{what}; see docs/client-sdk.md"),
    )
}

/// A failing engine: the log names where it is (without credentials), the client only which
/// engine failed and why, never the operator's address.
fn engine_failed(engine: &str, url: &str, why: impl std::fmt::Display) -> ApiError {
    tracing::warn!(engine, url = %shown(url), error = %why, "engine failed");
    ApiError::new(
        codes::ACCOUNT_INTERNAL,
        format!("the {engine} engine failed: {why}"),
    )
}

/// `url` as logs may show it: scheme, host, port and path; no user, password or query (where
/// an API key may ride).
pub fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => {
            let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
            let host = parsed.host_str().unwrap_or_default();
            format!("{}://{host}{port}{}", parsed.scheme(), parsed.path())
        }
        Err(_) => "(an address that does not parse)".into(),
    }
}

/// An engine's JSON answer, or the error to give the client: a timeout is 60008 (Tencent's
/// "service timed out"), any other failure the internal error, each naming the engine.
async fn read_answer<T: serde::de::DeserializeOwned>(
    engine: &str,
    url: &str,
    sent: reqwest::Result<reqwest::Response>,
) -> ApiResult<T> {
    let timed_out = |e: &reqwest::Error| {
        e.is_timeout().then(|| {
            tracing::warn!(engine, url = %shown(url), "engine timed out");
            ApiError::new(
                codes::SERVICE_TIMEOUT,
                format!("the {engine} engine did not answer in time"),
            )
        })
    };
    let response = sent.map_err(|e| {
        timed_out(&e).unwrap_or_else(|| engine_failed(engine, url, e.without_url()))
    })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        timed_out(&e).unwrap_or_else(|| engine_failed(engine, url, e.without_url()))
    })?;
    if !status.is_success() {
        // LibreTranslate and OpenAI-style servers say why in an `error` field.
        let why = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| match &v["error"] {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect());
        return Err(engine_failed(engine, url, format!("HTTP {status}: {why}")));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| engine_failed(engine, url, format!("an answer Natter cannot read ({e})")))
}

/// A `multipart/form-data` body, built by hand (the fields are few and known).
struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    fn new() -> Self {
        Self {
            boundary: format!("natter-{}", hex::encode(rand::random::<[u8; 12]>())),
            body: Vec::new(),
        }
    }

    fn text(&mut self, name: &str, value: &str) {
        let part = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
            self.boundary
        );
        self.body.extend_from_slice(part.as_bytes());
    }

    fn file(&mut self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) {
        // A file name is Natter's own (an id and an extension): no quotes or line breaks.
        let head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n",
            self.boundary
        );
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body,
        )
    }
}
