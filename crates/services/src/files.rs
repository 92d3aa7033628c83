//! Files of image, file, sound and video messages, uploaded by a client before it sends the
//! message (the Web SDK's upload flow in proxy mode, `binfo/files.rs`). A logged-in user asks
//! for an upload [`Grant`]: a fresh file id, signed with the app's secret key for that user,
//! that kind of file and a quarter of an hour, so the URL made from it takes one upload of one
//! user and nothing else. Whoever has a file's id may download it, as with Tencent's COS URLs.

pub mod relay;

use std::sync::Arc;

use hmac::{Hmac, Mac};
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
pub use natter_store::StoredFile;
use natter_store::{Store, StoreError};
use sha2::Sha256;

use crate::internal;

/// How long an upload grant is good for: the SDK's own `duration` for its pre-signed URLs.
pub const GRANT_LIFETIME_SECS: i64 = 900;

/// What kind of file a message carries; each has Tencent's size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Image,
    File,
    Sound,
    Video,
}

const MIB: usize = 1024 * 1024;

impl FileKind {
    pub const ALL: [FileKind; 4] = [Self::Image, Self::File, Self::Sound, Self::Video];

    /// The Web SDK's `fileType`: 1 image, 2 video, 3 sound, 255 file.
    pub fn from_sdk_type(file_type: u64) -> Option<Self> {
        match file_type {
            1 => Some(Self::Image),
            2 => Some(Self::Video),
            3 => Some(Self::Sound),
            255 => Some(Self::File),
            _ => None,
        }
    }

    /// The largest upload: 20 MB for images and sounds, 100 MB for files and videos (the limits
    /// Tencent's SDK enforces before it uploads, `UPLOAD_SIZE_LIMIT`).
    pub fn max_bytes(self) -> usize {
        match self {
            Self::Image | Self::Sound => 20 * MIB,
            Self::File | Self::Video => 100 * MIB,
        }
    }

    /// The kind's name in upload URLs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::File => "file",
            Self::Sound => "sound",
            Self::Video => "video",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The right to upload one file: what the upload URL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub kind: FileKind,
    pub user: String,
    /// Unix seconds after which the grant is void.
    pub expires: i64,
    /// Hex HMAC-SHA256 of the rest, keyed by the app's secret key.
    pub signature: String,
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRefusal {
    /// The signature is not the app's for these fields.
    Forged,
    Expired,
    TooLarge {
        max: usize,
    },
    /// The URL was used already.
    Taken,
}

#[derive(Clone)]
pub struct FileService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
}

impl FileService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Self { store, clock }
    }

    /// A new file id that `user` may upload a file of `kind` to, for [`GRANT_LIFETIME_SECS`].
    pub fn grant(&self, app: &AppSettings, user: &str, kind: FileKind) -> Grant {
        let id = hex::encode(rand::random::<[u8; 16]>());
        let expires = self.clock.now_secs() + GRANT_LIFETIME_SECS;
        let signature = hex::encode(sign(app, &id, kind, user, expires).finalize().into_bytes());
        Grant {
            id,
            kind,
            user: user.to_owned(),
            expires,
            signature,
        }
    }

    /// Checks a grant's signature and expiry.
    pub fn check(&self, app: &AppSettings, grant: &Grant) -> Result<(), UploadRefusal> {
        let given = hex::decode(&grant.signature).map_err(|_| UploadRefusal::Forged)?;
        sign(app, &grant.id, grant.kind, &grant.user, grant.expires)
            .verify_slice(&given)
            .map_err(|_| UploadRefusal::Forged)?;
        if self.clock.now_secs() > grant.expires {
            return Err(UploadRefusal::Expired);
        }
        Ok(())
    }

    /// Keeps an upload made with `grant`. The size was checked against the kind's limit before
    /// the body was read; it is checked again here.
    pub async fn upload(
        &self,
        app: &AppSettings,
        grant: &Grant,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Result<(), UploadRefusal>, ApiError> {
        if let Err(refusal) = self.check(app, grant) {
            return Ok(Err(refusal));
        }
        let max = grant.kind.max_bytes();
        if bytes.len() > max {
            return Ok(Err(UploadRefusal::TooLarge { max }));
        }
        let file = StoredFile {
            content_type: content_type.to_owned(),
            owner: grant.user.clone(),
            created_ms: self.clock.now_ms(),
            bytes,
        };
        let stored = self
            .store
            .put_file(app.sdkappid, grant.id.clone(), file)
            .await
            .map_err(store_error)?;
        Ok(if stored {
            Ok(())
        } else {
            Err(UploadRefusal::Taken)
        })
    }

    /// The id of the cover of the video `video_id`: one per video, so asking again makes no
    /// second file.
    pub fn cover_id(video_id: &str) -> String {
        use sha2::Digest;
        let video_id = video_id.split_once('.').map_or(video_id, |(id, _)| id);
        let digest = sha2::Sha256::digest(format!("cover:{video_id}").as_bytes());
        hex::encode(&digest[..16])
    }

    /// Whether the video `video_id` has its cover already.
    pub async fn has_cover(&self, app: &AppSettings, video_id: &str) -> ApiResult<bool> {
        let id = Self::cover_id(video_id);
        Ok(self.download(app, &id).await?.is_some())
    }

    /// Keeps the cover Natter made of the video `video_id` for `owner`; its id.
    pub async fn keep_cover(
        &self,
        app: &AppSettings,
        owner: &str,
        video_id: &str,
        bytes: Vec<u8>,
    ) -> ApiResult<String> {
        let id = Self::cover_id(video_id);
        let content_type = "image/jpeg";
        let file = StoredFile {
            content_type: content_type.to_owned(),
            owner: owner.to_owned(),
            created_ms: self.clock.now_ms(),
            bytes,
        };
        self.store
            .put_file(app.sdkappid, id.clone(), file)
            .await
            .map_err(store_error)?;
        Ok(id)
    }

    /// The file with this id, if any. The id may end in a format's extension (`<id>.mp3`):
    /// the Web SDK reads a sound's format off its URL (see [`sound_extension`]).
    pub async fn download(&self, app: &AppSettings, id: &str) -> ApiResult<Option<StoredFile>> {
        let id = id.split_once('.').map_or(id, |(id, _)| id);
        if !natter_store::is_file_id(id) {
            return Ok(None);
        }
        self.store
            .get_file(app.sdkappid, id.to_owned())
            .await
            .map_err(store_error)
    }
}

/// The extension a sound's download URL ends in: its file name's, when it is one of the formats
/// the Web SDK's `convertVoiceToText` reads off the URL (it refuses a URL that names none).
pub fn sound_extension(file_name: &str) -> Option<&'static str> {
    const FORMATS: [&str; 8] = ["wav", "pcm", "speex", "silk", "mp3", "m4a", "aac", "amr"];
    let (_, extension) = file_name.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    FORMATS.into_iter().find(|f| *f == extension)
}

fn store_error(e: StoreError) -> ApiError {
    internal(codes::ACCOUNT_INTERNAL)(e)
}

fn sign(app: &AppSettings, id: &str, kind: FileKind, user: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(app.secret_key.as_bytes())
        .expect("HMAC takes keys of any length");
    let fields = format!(
        "natter-upload\n{}\n{id}\n{}\n{user}\n{expires}",
        app.sdkappid,
        kind.name()
    );
    mac.update(fields.as_bytes());
    mac
}
