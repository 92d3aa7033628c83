//! Video covers: a frame of an uploaded video, taken by the `ffmpeg` binary. Natter asks the Web
//! SDK for nothing it cannot make: the pre-signature of a video upload offers a cover only when
//! ffmpeg was found at start ([`Covers::available`]).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::sync::Semaphore;

/// How far into the video the frame is taken (a first frame is often black); a video shorter
/// than this gets its first frame.
const FRAME_AT_SECS: &str = "0.5";

/// The largest cover accepted from ffmpeg (a JPEG of one frame is far smaller).
const MAX_COVER_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Covers {
    ffmpeg: Option<PathBuf>,
    /// How long one cover may take in all, waiting for a turn included.
    timeout: Duration,
    /// ffmpeg runs at once: one per core, so covers cannot crowd out the server.
    turns: Arc<Semaphore>,
}

impl Covers {
    pub fn new(ffmpeg: Option<PathBuf>, timeout: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            ffmpeg,
            timeout,
            turns: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Whether covers can be made (ffmpeg was found).
    pub fn available(&self) -> bool {
        self.ffmpeg.is_some()
    }

    /// A JPEG of one frame of `video`, or why there is none, within the timeout.
    pub async fn cover(&self, video: &[u8]) -> Result<Vec<u8>, String> {
        let ffmpeg = self.ffmpeg.as_ref().ok_or("no ffmpeg is configured")?;
        // Dropped at the deadline, the run's ffmpeg is killed with it.
        tokio::time::timeout(self.timeout, async {
            let _turn = self.turns.acquire().await.map_err(|e| e.to_string())?;
            self.take_cover(ffmpeg, video).await
        })
        .await
        .map_err(|_| format!("ffmpeg took longer than {:?}", self.timeout))?
    }

    async fn take_cover(&self, ffmpeg: &Path, video: &[u8]) -> Result<Vec<u8>, String> {
        // ffmpeg reads many containers (MP4 with its index at the end) only from a seekable
        // file, so the video goes to a temporary file first (written off the runtime's threads).
        let input = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        tokio::fs::write(input.path(), video)
            .await
            .map_err(|e| e.to_string())?;
        let first = self
            .frame(ffmpeg, input.path(), Some(FRAME_AT_SECS))
            .await?;
        if !first.is_empty() {
            return Ok(first);
        }
        // Shorter than FRAME_AT_SECS: the first frame.
        let frame = self.frame(ffmpeg, input.path(), None).await?;
        if frame.is_empty() {
            return Err("ffmpeg found no frame in the video".into());
        }
        Ok(frame)
    }

    async fn frame(
        &self,
        ffmpeg: &Path,
        input: &Path,
        at: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        let mut command = Command::new(ffmpeg);
        // The upload is untrusted: ffmpeg may open nothing but the file it is given.
        command.args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-protocol_whitelist",
            "file",
        ]);
        if let Some(at) = at {
            command.args(["-ss", at]);
        }
        command
            .arg("-i")
            .arg(input)
            .args(["-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", ffmpeg.display()))?;
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let run = async {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let mut stdout = (&mut stdout).take(MAX_COVER_BYTES as u64 + 1);
            let mut stderr = (&mut stderr).take(64 * 1024);
            let (read_out, read_err) =
                tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
            read_out.map_err(|e| e.to_string())?;
            read_err.map_err(|e| e.to_string())?;
            let status = child.wait().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, out, err))
        };
        let (status, out, err) = run.await?;
        if !status.success() {
            let why = String::from_utf8_lossy(&err);
            return Err(format!(
                "ffmpeg could not read the video ({status}): {}",
                why.trim().chars().take(300).collect::<String>()
            ));
        }
        if out.len() > MAX_COVER_BYTES {
            return Err("ffmpeg's frame is larger than a cover may be".into());
        }
        Ok(out)
    }
}

/// The `ffmpeg` to use for `setting`: `off` (none), a path, or a name looked up on `PATH`;
/// `None` when it is not there (the caller logs that video covers are off).
pub fn find_ffmpeg(setting: &str) -> Option<PathBuf> {
    if setting.is_empty() || setting == "off" {
        return None;
    }
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if setting.contains('/') {
        let path = PathBuf::from(setting);
        return executable(&path).then_some(path);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(setting))
        .find(|p| executable(p))
}
