//! The Web SDK's upload flow (with its `tim-upload-plugin`): before it sends an image, file,
//! sound or video message it asks for a pre-signed upload URL, `PUT`s the file there and puts
//! the download URL into the message. Natter answers with URLs on itself
//! (`/_natter/files/<sdkappid>/<id>`, served by [`crate::files`]), at the address the SDK
//! reached it at:
//!
//! - `im_cos_msg.simple_sig` when the SDK has a `fileUploadProxy` or `fileDownloadProxy` (or no
//!   `proxyServer`): the SDK replaces the upload URL's `https://host` with `fileUploadProxy` and,
//!   when it shows a URL, the download URL's with `fileDownloadProxy`.
//! - `im_cos_msg.pre_sig` with `proxyServer` alone: both URLs are used as they are.
//! - `im_cos_msg.get_imageinfo`, after an image's upload in the first case: its sizes (the
//!   original's, and the large and thumbnail ones the SDK shows, here the same file).
//! - `im_cos_msg.video_cover`, after a video's upload: when the pre-signature carried a
//!   snapshot URL (`snapshot_url`, `str_snapshot_url`: the video's own download URL), the SDK
//!   asks for a cover of it. Natter offers one only when ffmpeg is there
//!   (`natter_services::engines::covers`): it takes a frame, keeps it as a file of the
//!   uploader's and answers its download URL, which the SDK puts into the video message as
//!   its snapshot. Without ffmpeg the pre-signature has no snapshot URL and the SDK sends the
//!   video without a cover.
//!
//! The frames use the SDK's wire names (`rpt_upload_object`, `str_upload_url`, …), which its
//! key maps turn into the names its code reads (`uploadConfig`, `uploadUrl`, …).

use natter_core::{codes, ApiError, ApiResult};
use natter_services::files::{FileKind, GRANT_LIFETIME_SECS};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::files::{download_url, image_size, parse_download_url, upload_url};
use crate::handler::Ctx;

/// One file the SDK wants to upload.
#[derive(Deserialize)]
struct UploadConfig {
    #[serde(rename = "uint32_file_id", default)]
    file_id: Value,
    #[serde(rename = "uint32_file_type")]
    file_type: u64,
    #[serde(rename = "str_file_name", default)]
    file_name: String,
}

#[derive(Deserialize)]
struct SimpleSig {
    #[serde(rename = "rpt_upload_object")]
    upload_config: Vec<UploadConfig>,
}

/// A fresh grant's (upload URL, download URL, file id, expiry). A sound's download URL ends in
/// its format's extension (`sound_extension`), which the SDK looks for before it asks for a
/// transcription.
fn urls(ctx: &Ctx, file_type: u64, file_name: &str) -> ApiResult<(String, String, String, i64)> {
    let kind = FileKind::from_sdk_type(file_type).ok_or_else(|| {
        ApiError::new(
            ctx.rules.invalid_param,
            format!("fileType {file_type} is not 1 (image), 2 (video), 3 (sound) or 255 (file)"),
        )
    })?;
    let base = ctx.public_url.as_deref().unwrap_or("http://localhost");
    let app = ctx.app.sdkappid;
    let grant = ctx.services.files.grant(&ctx.app, &ctx.identifier, kind);
    let mut download = download_url(base, app, &grant.id);
    if kind == FileKind::Sound {
        if let Some(extension) = natter_services::files::sound_extension(file_name) {
            download = format!("{download}.{extension}");
        }
    }
    Ok((
        upload_url(base, app, &grant),
        download,
        grant.id,
        grant.expires,
    ))
}

pub(super) async fn simple_sig(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: SimpleSig = ctx.parse(body)?;
    let mut pre_sig = Vec::with_capacity(request.upload_config.len());
    for file in request.upload_config {
        let (upload, download, id, _) = urls(&ctx, file.file_type, &file.file_name)?;
        let mut signed = json!({
            "uint32_file_id": file.file_id,
            "str_upload_url": upload,
            "str_download_url": download,
            "str_file_key": id,
            "uint32_exist_flag": 0,
        });
        if offers_cover(&ctx, file.file_type) {
            signed["str_snapshot_url"] = json!(download);
        }
        pre_sig.push(signed);
    }
    Ok(json!({ "rpt_pre_sig": pre_sig }))
}

#[derive(Deserialize)]
struct PreSig {
    file_type: u64,
    #[serde(default)]
    file_name: String,
}

pub(super) async fn pre_sig(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: PreSig = ctx.parse(body)?;
    let (upload, download, id, expires) = urls(&ctx, request.file_type, &request.file_name)?;
    let mut signed = json!({
        "upload_url": upload,
        "download_url": download,
        "expired_time": expires,
        "request_id": id,
        "duration": GRANT_LIFETIME_SECS,
    });
    if offers_cover(&ctx, request.file_type) {
        signed["snapshot_url"] = json!(download);
    }
    Ok(signed)
}

/// Whether the pre-signature of a file of `file_type` asks the SDK to request a cover: a video,
/// when covers can be made.
fn offers_cover(ctx: &Ctx, file_type: u64) -> bool {
    FileKind::from_sdk_type(file_type) == Some(FileKind::Video)
        && ctx.services.engines.covers.available()
}

#[derive(Deserialize)]
struct VideoCover {
    #[serde(rename = "snapshot_url")]
    video_url: String,
}

/// `im_cos_msg.video_cover`: a frame of the caller's uploaded video, kept as a JPEG file of
/// theirs; its download URL.
pub(super) async fn video_cover(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: VideoCover = ctx.parse(body)?;
    if !ctx.services.engines.covers.available() {
        return Err(ApiError::new(
            codes::FEATURE_NOT_ENABLED,
            "video covers: no ffmpeg is configured (option ffmpeg); see docs/client-sdk.md",
        ));
    }
    let refusal = "snapshot_url is not a video this user uploaded to this app";
    let (video_id, video) = app_file(&ctx, &request.video_url, refusal).await?;
    // Only the uploader asks for a cover (right after the upload); anyone else could have any
    // video they hold a URL of turned into files of theirs.
    if video.owner != ctx.identifier {
        return Err(ApiError::new(ctx.rules.invalid_param, refusal));
    }
    let base = ctx.public_url.as_deref().unwrap_or("http://localhost");
    // One cover per video: asked again, the one made before.
    let files = &ctx.services.files;
    if files.has_cover(&ctx.app, &video_id).await? {
        let cover_id = natter_services::FileService::cover_id(&video_id);
        return Ok(json!({ "download_url": download_url(base, ctx.app.sdkappid, &cover_id) }));
    }
    let cover = ctx
        .services
        .engines
        .covers
        .cover(&video.bytes)
        .await
        .map_err(|why| {
            tracing::warn!(error = %why, "no video cover");
            ApiError::new(
                ctx.rules.internal,
                format!("no cover for this video: {why}"),
            )
        })?;
    let cover_id = files
        .keep_cover(&ctx.app, &ctx.identifier, &video_id, cover)
        .await?;
    Ok(json!({ "download_url": download_url(base, ctx.app.sdkappid, &cover_id) }))
}

#[derive(Deserialize)]
struct GetImageinfo {
    #[serde(rename = "str_image_url")]
    image_url: String,
}

/// The shorter side of the SDK's thumbnail and large image.
const THUMBNAIL_SIDE: u32 = 198;
const LARGE_SIDE: u32 = 720;

/// `width`×`height` scaled so the shorter side is at most `side`.
fn scaled(width: u32, height: u32, side: u32) -> (u32, u32) {
    let shorter = width.min(height);
    if shorter <= side || shorter == 0 {
        return (width, height);
    }
    let scale = |n: u32| ((n as u64 * side as u64) / shorter as u64) as u32;
    (scale(width), scale(height))
}

/// The file of this app that a Natter download URL names, with the id the URL gives it
/// (`<id>.<ext>` for a sound), or `refusal` as the service's invalid parameter: a URL of another
/// app, of no file, or not Natter's.
pub(super) async fn app_file(
    ctx: &Ctx,
    url: &str,
    refusal: &str,
) -> ApiResult<(String, natter_services::files::StoredFile)> {
    let not_ours = || ApiError::new(ctx.rules.invalid_param, refusal);
    let (app, id) = parse_download_url(url).ok_or_else(not_ours)?;
    if app != ctx.app.sdkappid {
        return Err(not_ours());
    }
    let file = ctx
        .services
        .files
        .download(&ctx.app, &id)
        .await?
        .ok_or_else(not_ours)?;
    Ok((id, file))
}

pub(super) async fn get_imageinfo(ctx: Ctx, body: Value) -> ApiResult<Value> {
    let request: GetImageinfo = ctx.parse(body)?;
    let refusal = "imageUrl is not an uploaded file of this app";
    let (_, file) = app_file(&ctx, &request.image_url, refusal).await?;
    let (width, height) = image_size(&file.bytes).unwrap_or((0, 0));
    let url = request.image_url;
    let entry = |kind: u32, (w, h): (u32, u32)| json!({ "uint32_image_type": kind, "str_url": url, "uint32_width": w, "uint32_height": h });
    Ok(json!({
        "rpt_msg_image_info": [
            entry(3, (width, height)),
            entry(2, scaled(width, height, LARGE_SIDE)),
            entry(1, scaled(width, height, THUMBNAIL_SIDE)),
        ]
    }))
}
