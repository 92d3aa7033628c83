//! Video covers over `/binfo`: with ffmpeg (`NATTER_TEST_FFMPEG`), the pre-signature of a video
//! upload carries a snapshot URL, and `im_cos_msg.video_cover` answers the URL of a JPEG frame
//! of the uploaded video, kept in the file store like the upload (both engines). Refusals: a
//! video of another user or another app, an unknown file, a file that is no video, wrong
//! types. Without ffmpeg no snapshot URL is offered and a cover asked for anyway is 60020.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::*;
use crate::sdk_client::SdkClient;

fn ffmpeg() -> Option<PathBuf> {
    std::env::var_os("NATTER_TEST_FFMPEG")
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty() && p.as_os_str() != "off")
}

/// A one-second 64×48 test video (MP4, H.264 or MPEG-4 part 2, whichever the build has), made
/// by ffmpeg itself.
pub(crate) async fn test_video(ffmpeg: &std::path::Path) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clip.mp4");
    let status = tokio::process::Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=64x48:rate=10")
        .args(["-t", "1", "-pix_fmt", "yuv420p"])
        .arg(&out)
        .status()
        .await
        .unwrap();
    assert!(status.success(), "ffmpeg made the test video");
    std::fs::read(out).unwrap()
}

/// Pre-signs and uploads `bytes` as a file of `file_type`; the pre-signature and download URL.
async fn upload(
    server: &TestServer,
    sdk: &mut SdkClient,
    file_type: u64,
    bytes: Vec<u8>,
) -> (Value, String) {
    let signed = sdk
        .call(
            "im_cos_msg.pre_sig",
            json!({"file_type": file_type, "file_name": "clip.mp4", "upload_method": 0, "duration": 900}),
        )
        .await;
    assert_eq!(signed["ErrorCode"], 0, "{signed}");
    let put = server
        .client
        .put(signed["upload_url"].as_str().unwrap())
        .header("Content-Type", "video/mp4")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let download = signed["download_url"].as_str().unwrap().to_owned();
    (signed, download)
}

fn ask_cover(url: &str) -> Value {
    json!({"version": 1, "platform": 7, "cover_name": "cover_1.jpg", "snapshot_url": url})
}

async fn covers_of_uploaded_videos(engine: Engine) {
    let ffmpeg = ffmpeg().expect("NATTER_TEST_FFMPEG names ffmpeg");
    let server = TestServer::start_with(engine, |config| {
        config.engines.ffmpeg = Some(ffmpeg.clone());
        config.engines.timeout = Duration::from_secs(30);
    })
    .await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let video = test_video(&ffmpeg).await;
    let (signed, download) = upload(&server, &mut alice, 2, video).await;
    assert_eq!(
        signed["snapshot_url"],
        download.as_str(),
        "a cover is offered: {signed}"
    );

    let reply = alice
        .call("im_cos_msg.video_cover", ask_cover(&download))
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    let cover_url = reply["download_url"].as_str().unwrap();
    assert!(
        cover_url.starts_with(&format!("{}/_natter/files/{APP}/", server.base)),
        "{cover_url}"
    );
    let got = reqwest::Client::new().get(cover_url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    let jpeg = got.bytes().await.unwrap();
    assert_eq!(&jpeg[..2], b"\xff\xd8", "a JPEG");
    // Asked again, the same cover: no second file.
    let again = alice
        .call("im_cos_msg.video_cover", ask_cover(&download))
        .await;
    assert_eq!(again["download_url"], reply["download_url"], "{again}");

    // simple_sig offers it too; an image's pre-signature does not.
    let simple = alice
        .call(
            "im_cos_msg.simple_sig",
            json!({"rpt_upload_object": [{"uint32_file_id": 1, "uint32_file_type": 2, "str_file_name": "v.mp4"}]}),
        )
        .await;
    let signed = &simple["rpt_pre_sig"][0];
    assert_eq!(
        signed["str_snapshot_url"], signed["str_download_url"],
        "{simple}"
    );
    let image = alice
        .call("im_cos_msg.pre_sig", json!({"file_type": 1}))
        .await;
    assert!(image.get("snapshot_url").is_none(), "{image}");

    // Another user's video, another app's, an unknown file, a wrong type: invalid parameter.
    let mut bob = SdkClient::connect(&server, "bob").await;
    let theirs = bob
        .call("im_cos_msg.video_cover", ask_cover(&download))
        .await;
    assert_eq!(theirs["ErrorCode"], 60003, "{theirs}");
    let other_app = download.replace(&format!("/{APP}/"), &format!("/{OTHER_APP}/"));
    let unknown = format!("{}/_natter/files/{APP}/{}", server.base, "cd".repeat(16));
    for url in [other_app, unknown, "https://cos.example/v.mp4".to_owned()] {
        let bad = alice.call("im_cos_msg.video_cover", ask_cover(&url)).await;
        assert_eq!(bad["ErrorCode"], 60003, "{url} → {bad}");
    }
    let typed = alice
        .call("im_cos_msg.video_cover", json!({"snapshot_url": 7}))
        .await;
    assert_eq!(typed["ErrorCode"], 60003, "{typed}");

    // A file that is no video: ffmpeg's reason, and no cover.
    let (_, garbage) = upload(&server, &mut alice, 2, b"not a video at all".to_vec()).await;
    let failed = alice
        .call("im_cos_msg.video_cover", ask_cover(&garbage))
        .await;
    assert_eq!(failed["ErrorCode"], 70500, "{failed}");
    assert!(
        failed["ErrorInfo"].as_str().unwrap().contains("no cover"),
        "{failed}"
    );
}

mod covers_of_uploaded_videos {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(natter_test_ffmpeg),
        ignore = "set NATTER_TEST_FFMPEG=/usr/bin/ffmpeg (Debian's ffmpeg) to run"
    )]
    async fn sqlite() {
        covers_of_uploaded_videos(Engine::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(all(natter_test_ffmpeg, natter_test_postgres)),
        ignore = "set NATTER_TEST_FFMPEG=/usr/bin/ffmpeg and NATTER_TEST_POSTGRES=postgres://… to run"
    )]
    async fn postgres() {
        covers_of_uploaded_videos(Engine::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_ffmpeg_no_cover_is_offered() {
    let server = TestServer::start(Engine::Sqlite).await;
    let mut alice = SdkClient::connect(&server, "alice").await;
    let (signed, download) = upload(&server, &mut alice, 2, b"frames".to_vec()).await;
    assert!(signed.get("snapshot_url").is_none(), "{signed}");
    let reply = alice
        .call("im_cos_msg.video_cover", ask_cover(&download))
        .await;
    assert_eq!(reply["ErrorCode"], 60020, "{reply}");
}
