//! The Web SDK's language commands, handed to the engines the operator configured
//! (`natter_services::engines`); Natter neither translates nor recognises speech itself.
//!
//! - `im_open_translate.ws_batch_trans_text` (`translateText`): `SourceText` (the texts),
//!   `source` (`auto` to detect) and `target`; the answer's `TargetText` holds one translation
//!   per text, in order.
//! - `im_open_speech.ws_sentence_recognition` (`convertVoiceToText`): `BytesUrl`, the sound's
//!   URL, which is a file of Natter's own store (the upload flow's download URL, see
//!   `files.rs`); `BytesEngServiceType` names Tencent's engine (`16k_zh`, `16k_en`, …), read
//!   here as a language hint. The answer's `BytesResult` is the text.
//!
//! Both answers carry `CmdErrorCode` (`{ErrorCode, ErrorInfo}`), which the SDK reads as the
//! call's outcome, so a refusal is said there (the frame itself succeeds): the SDK then fails
//! the call with that code and text (`translateText`; `convertVoiceToText` always reports
//! VOICE_TO_TEXT_FAIL). An error in the frame's own envelope would reach the app as the SDK
//! tripping over the missing `CmdErrorCode` (TRANSLATE_TEXT_FAIL with a JavaScript message).
//! The SDK sends `Source` and `Target` capitalised (its key map names neither).

use natter_core::{ApiError, ApiResult};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::handler::Ctx;

/// Texts one `translateText` call may carry, and characters in all: bounds on what one call
/// sends the engine (Tencent's pages give none for the SDK's call).
const MAX_TEXTS: usize = 100;
const MAX_CHARS: usize = 20_000;

#[derive(Deserialize)]
struct TransText {
    #[serde(rename = "SourceText")]
    texts: Vec<String>,
    #[serde(rename = "Source", alias = "source", default)]
    source: String,
    #[serde(rename = "Target", alias = "target")]
    target: String,
}

/// The answer of a command whose outcome the SDK reads from `CmdErrorCode`.
fn in_cmd_error_code(result: ApiResult<Value>) -> ApiResult<Value> {
    Ok(result.unwrap_or_else(
        |e| json!({ "CmdErrorCode": { "ErrorCode": e.code, "ErrorInfo": e.info } }),
    ))
}

fn success() -> Value {
    json!({ "ErrorCode": 0, "ErrorInfo": "" })
}

pub(super) async fn ws_batch_trans_text(ctx: Ctx, body: Value) -> ApiResult<Value> {
    in_cmd_error_code(translate(ctx, body).await)
}

async fn translate(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: TransText = ctx.parse(body)?;
    let invalid = |info: &str| ApiError::new(ctx.rules.invalid_param, info.to_owned());
    if request.target.trim().is_empty() {
        return Err(invalid("target: the target language is required"));
    }
    if request.texts.len() > MAX_TEXTS {
        return Err(invalid(&format!(
            "SourceText: at most {MAX_TEXTS} texts per call"
        )));
    }
    if request
        .texts
        .iter()
        .map(|t| t.chars().count())
        .sum::<usize>()
        > MAX_CHARS
    {
        return Err(invalid(&format!(
            "SourceText: at most {MAX_CHARS} characters per call"
        )));
    }
    let source = match request.source.trim() {
        "" => "auto",
        source => source,
    };
    let translated = ctx
        .services
        .engines
        .translate(&request.texts, source, request.target.trim())
        .await?;
    Ok(json!({
        "TargetText": translated,
        "RequestId": natter_services::engines::request_id(),
        "CmdErrorCode": success(),
    }))
}

#[derive(Deserialize)]
struct SentenceRecognition {
    #[serde(rename = "BytesUrl")]
    url: String,
    #[serde(rename = "BytesVoiceFormat", default)]
    format: String,
    #[serde(rename = "BytesEngServiceType", default)]
    engine: String,
}

/// The language of Tencent's engine type, for the transcription server; none (detect it) for
/// the mixed Chinese/English/Cantonese `16k_zh-PY` and anything unknown.
fn language_hint(engine: &str) -> Option<&'static str> {
    match engine {
        "16k_zh" => Some("zh"),
        "16k_en" => Some("en"),
        "16k_yue" => Some("yue"),
        "16k_ja" => Some("ja"),
        _ => None,
    }
}

/// The formats the SDK names (it reads them off the URL), as file extensions the
/// transcription server recognises.
fn extension(format: &str) -> &str {
    match format {
        "wav" | "pcm" | "ogg-opus" | "speex" | "silk" | "mp3" | "m4a" | "aac" | "amr" => {
            if format == "ogg-opus" {
                "ogg"
            } else {
                format
            }
        }
        _ => "mp3",
    }
}

/// The largest sound handed to the transcription engine (OpenAI's endpoint takes 25 MB; a
/// minute of speech is well under 1 MB).
const MAX_SOUND_BYTES: usize = 20 * 1024 * 1024;

pub(super) async fn ws_sentence_recognition(ctx: Ctx, body: Value) -> ApiResult<Value> {
    in_cmd_error_code(recognise(ctx, body).await)
}

async fn recognise(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: SentenceRecognition = ctx.parse(body)?;
    // Said before the URL is looked at: the feature itself is off.
    ctx.services.engines.check_transcribes()?;
    let refusal =
        "BytesUrl is not a sound uploaded to this app (only Natter's own file URLs are read)";
    let (id, file) = super::files::app_file(&ctx, &request.url, refusal).await?;
    if file.bytes.len() > MAX_SOUND_BYTES {
        return Err(ApiError::new(
            ctx.rules.invalid_param,
            format!(
                "the sound is {} bytes; speech to text takes at most {MAX_SOUND_BYTES}",
                file.bytes.len()
            ),
        ));
    }
    let id = id.split_once('.').map_or(id.as_str(), |(id, _)| id);
    let file_name = format!("{id}.{}", extension(&request.format));
    let text = ctx
        .services
        .engines
        .transcribe(
            file.bytes,
            &file_name,
            &file.content_type,
            language_hint(&request.engine),
        )
        .await?;
    Ok(json!({
        "BytesResult": text,
        "BytesRequestid": natter_services::engines::request_id(),
        "CmdErrorCode": success(),
    }))
}
