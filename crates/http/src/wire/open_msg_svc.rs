//! `v4/open_msg_svc/*`: downloading recent messages.

use serde::{Deserialize, Serialize};

/// `get_history`: where to download one Beijing hour's one-to-one or group messages.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetHistory {
    /// `C2C` or `Group`.
    pub chat_type: String,
    /// `YYYYMMDDHH`, Beijing time.
    pub msg_time: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GetHistoryReply {
    pub file: Vec<HistoryFileItem>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HistoryFileItem {
    #[serde(rename = "URL")]
    pub url: String,
    /// When the URL stops working, `YYYY-MM-DD HH:MM:SS` in Beijing time.
    #[serde(rename = "ExpireTime")]
    pub expire_time: String,
    /// Bytes of the file before compression, and their MD5 (hex).
    #[serde(rename = "FileSize")]
    pub file_size: u64,
    #[serde(rename = "FileMD5")]
    pub file_md5: String,
    /// Bytes of the gzip file served at `URL`, and their MD5 (hex).
    #[serde(rename = "GzipSize")]
    pub gzip_size: u64,
    #[serde(rename = "GzipMD5")]
    pub gzip_md5: String,
}
