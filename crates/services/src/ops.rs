//! Operations: the daily operations data (`openconfigsvr/getappinfo`) and the hourly message
//! files (`open_msg_svc/get_history`).
//!
//! The counters are gathered where events happen into the node's [`Recorder`] (see
//! `natter_core::ops`) and flushed here to the store every second, before every report and at
//! shutdown. A report covers the last 30 Beijing days, today first.
//!
//! A message file is made from the store each time it is asked for, a page of messages at a
//! time through a gzip encoder, so memory stays bounded however many messages the hour holds:
//! once when `get_history` answers (to state its sizes and MD5s; the bytes are dropped) and
//! again, streamed, when the URL is downloaded. The same stored messages give the same bytes
//! (fixed gzip header, fixed order), so the download matches what the reply stated unless a
//! message of that hour changed in between (edited, deleted, imported into it).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use natter_core::ops::{self, field, Recorder};
use natter_core::{codes, ApiError, ApiResult, AppSettings, Clock};
use natter_store::{ArchiveCursor, ArchiveKind, ArchivedMessage, OpsDays, Store};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::Sha256;
use tokio::sync::watch;

use crate::internal;

/// How many days `getappinfo` reports (Tencent: "the last 30 days").
pub const REPORT_DAYS: i64 = 30;
/// How often the counters gathered in memory are written: at most this much is lost if the
/// process dies.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How far back `get_history` serves hours (Tencent keeps the files 7 days).
pub const HISTORY_KEEP_SECS: i64 = 7 * 86_400;
/// How long a download URL works.
pub const URL_LIFETIME_SECS: i64 = 3_600;
/// Messages read from the store per step of making a file.
const PAGE: usize = 1_000;

/// `getappinfo`'s fields, in the (ASCII) order Tencent's sample lists them.
pub const APP_INFO_FIELDS: [&str; 32] = [
    "APNSMsgNum",
    "ActiveUserNum",
    "AppId",
    "AppName",
    "C2CAPNSMsgNum",
    "C2CDownMsgNum",
    "C2CSendMsgUserNum",
    "C2CUpMsgNum",
    "CallBackReq",
    "CallBackRsp",
    "ChainDecrease",
    "ChainIncrease",
    "Company",
    "Date",
    "DownMsgNum",
    "GroupAPNSMsgNum",
    "GroupAllGroupNum",
    "GroupDestroyGroupNum",
    "GroupDownMsgNum",
    "GroupJoinGroupTimes",
    "GroupNewGroupNum",
    "GroupQuitGroupTimes",
    "GroupSendMsgGroupNum",
    "GroupSendMsgUserNum",
    "GroupUpMsgNum",
    "LoginTimes",
    "LoginUserNum",
    "MaxOnlineNum",
    "RegistUserNumOneDay",
    "RegistUserNumTotal",
    "SendMsgUserNum",
    "UpMsgNum",
];

/// The fields `getappinfo` answers.
pub fn app_info_fields() -> &'static [&'static str] {
    &APP_INFO_FIELDS
}

/// A message file `get_history` hands out: what its reply states and what its URL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFile {
    pub kind: ArchiveKind,
    /// `YYYYMMDDHH`, Beijing time.
    pub hour: String,
    /// Unix seconds after which the URL no longer works.
    pub expires: i64,
    /// Hex HMAC-SHA256 of the rest, keyed by the app's secret key.
    pub signature: String,
    pub file_size: u64,
    pub file_md5: String,
    pub gzip_size: u64,
    pub gzip_md5: String,
}

/// Why a download URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadRefusal {
    /// Not a URL Natter signed (or altered since).
    Forged,
    Expired,
}

#[derive(Clone)]
pub struct OpsService {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    recorder: Arc<Recorder>,
    /// One flush at a time, so a report's flush waits for one under way.
    flushing: Arc<tokio::sync::Mutex<()>>,
}

impl OpsService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>, recorder: Arc<Recorder>) -> Self {
        Self {
            store,
            clock,
            recorder,
            flushing: Arc::default(),
        }
    }

    /// The node's counters, for code that counts.
    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    /// Writes what was counted so far. A batch the store refuses is kept for the next flush.
    pub async fn flush(&self) -> ApiResult<()> {
        let _one = self.flushing.lock().await;
        let batch = self.recorder.take();
        if batch.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.store.record_ops(batch.clone()).await {
            self.recorder.restore(batch);
            return Err(internal(codes::ACCOUNT_INTERNAL)(e));
        }
        Ok(())
    }

    /// Flushes every [`FLUSH_EVERY`] until `stop`, then once more. Every hour (and at start) it
    /// also deletes the days no report covers any more.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut flushes = 0u64;
        loop {
            if flushes.is_multiple_of(3_600) {
                let today = ops::beijing_day(self.clock.now_secs());
                let before = ops::day_before(today, REPORT_DAYS);
                if let Err(e) = self.store.purge_ops(before).await {
                    tracing::warn!(error = %e, "deleting old operations data failed");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(FLUSH_EVERY) => {}
                _ = stop.wait_for(|s| *s) => break,
            }
            flushes += 1;
            if let Err(e) = self.flush().await {
                tracing::warn!(error = %e.info, "writing operations counters failed; kept for the next try");
            }
        }
        if let Err(e) = self.flush().await {
            tracing::warn!(error = %e.info, "writing operations counters at shutdown failed");
        }
    }

    /// `getappinfo`: one object per day of the last [`REPORT_DAYS`] (today first), each with
    /// the `fields` asked for (all when `None`) and `Date`, every value a string. An unknown
    /// field name → 40001 (openconfigsvr's invalid-parameter code).
    pub async fn app_info(
        &self,
        app: &AppSettings,
        fields: Option<Vec<String>>,
    ) -> ApiResult<Vec<BTreeMap<String, String>>> {
        let wanted: Vec<&'static str> = match fields {
            None => app_info_fields().to_vec(),
            Some(names) => {
                let mut wanted = Vec::with_capacity(names.len());
                for name in names {
                    let Some(f) = app_info_fields().iter().find(|f| **f == name) else {
                        // openconfigsvr's invalid-parameter code, as for a wrong type.
                        return Err(ApiError::new(
                            codes::PROFILE_INVALID_PARAM,
                            format!(
                                "RequestField: {name:?} is not an operations data field; the fields are {}",
                                app_info_fields().join(", ")
                            ),
                        ));
                    };
                    wanted.push(*f);
                }
                wanted
            }
        };
        self.flush().await?;
        let today = ops::beijing_day(self.clock.now_secs());
        let first = ops::day_before(today, REPORT_DAYS - 1);
        let data = self
            .store
            .ops_days(app.sdkappid, first, today)
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        let mut out = Vec::with_capacity(REPORT_DAYS as usize);
        // Totals of past days: today's, less what happened since.
        let (mut accounts, mut groups) = (data.accounts as i64, data.groups as i64);
        for back in 0..REPORT_DAYS {
            let day = ops::day_before(today, back);
            let mut item = BTreeMap::new();
            for name in wanted.iter().copied().chain(["Date"]) {
                let value = match name {
                    "Date" => day.to_string(),
                    "AppId" => app.sdkappid.to_string(),
                    "AppName" | "Company" => String::new(),
                    "RegistUserNumTotal" => accounts.max(0).to_string(),
                    "GroupAllGroupNum" => groups.max(0).to_string(),
                    other => day_value(&data, day, other).to_string(),
                };
                item.insert(name.to_owned(), value);
            }
            out.push(item);
            accounts -= data.get(day, field::REGIST_USER_NUM_ONE_DAY)
                - data.get(day, field::ACCOUNT_DELETE_NUM);
            groups -= data.get(day, field::GROUP_NEW_GROUP_NUM)
                - data.get(day, field::GROUP_DESTROY_GROUP_NUM);
        }
        Ok(out)
    }

    /// `get_history`: the file of one Beijing hour's one-to-one (`C2C`) or group (`Group`)
    /// messages. `MsgTime` is `YYYYMMDDHH`; an hour not over yet, or that began more than 7
    /// days ago, has no file (1004); a bad `ChatType` or `MsgTime` → 60003.
    pub async fn history_file(
        &self,
        app: &AppSettings,
        chat_type: &str,
        msg_time: &str,
    ) -> ApiResult<HistoryFile> {
        let kind = kind_of(chat_type).ok_or_else(|| {
            ApiError::new(
                codes::INVALID_JSON,
                format!("ChatType {chat_type:?} is neither \"C2C\" nor \"Group\""),
            )
        })?;
        let start = ops::parse_beijing_hour(msg_time).ok_or_else(|| {
            ApiError::new(
                codes::INVALID_JSON,
                format!("MsgTime {msg_time:?} is not an hour as YYYYMMDDHH (Beijing time)"),
            )
        })?;
        let now = self.clock.now_secs();
        if start + 3_600 > now {
            return Err(ApiError::new(
                codes::HISTORY_NOT_AVAILABLE,
                format!("the hour {msg_time} (Beijing time) is not over yet; its file is made once it is"),
            ));
        }
        if start < now - HISTORY_KEEP_SECS {
            return Err(ApiError::new(
                codes::HISTORY_NOT_AVAILABLE,
                format!("the hour {msg_time} is more than 7 days ago; files are kept 7 days"),
            ));
        }
        let mut archive = self.archive(app, kind, start);
        let (mut gzip_size, mut gzip_md5) = (0u64, Md5::new());
        while let Some(chunk) = archive.next_chunk().await? {
            gzip_size += chunk.len() as u64;
            gzip_md5.update(&chunk);
        }
        let expires = now + URL_LIFETIME_SECS;
        let hour = msg_time.to_owned();
        Ok(HistoryFile {
            signature: hex::encode(sign(app, kind, &hour, expires).finalize().into_bytes()),
            kind,
            hour,
            expires,
            file_size: archive.raw_len,
            file_md5: hex::encode(archive.raw_md5.clone().finalize()),
            gzip_size,
            gzip_md5: hex::encode(gzip_md5.finalize()),
        })
    }

    /// Checks a download URL's fields; the hour's start (Unix seconds) when they are good.
    pub fn check_download(
        &self,
        app: &AppSettings,
        chat_type: &str,
        hour: &str,
        expires: i64,
        signature: &str,
    ) -> Result<(ArchiveKind, i64), DownloadRefusal> {
        let kind = kind_of(chat_type).ok_or(DownloadRefusal::Forged)?;
        let start = ops::parse_beijing_hour(hour).ok_or(DownloadRefusal::Forged)?;
        let given = hex::decode(signature).map_err(|_| DownloadRefusal::Forged)?;
        sign(app, kind, hour, expires)
            .verify_slice(&given)
            .map_err(|_| DownloadRefusal::Forged)?;
        if self.clock.now_secs() > expires {
            return Err(DownloadRefusal::Expired);
        }
        Ok((kind, start))
    }

    /// The gzip file of one hour's messages, made as it is read.
    pub fn archive(&self, app: &AppSettings, kind: ArchiveKind, start: i64) -> Archive {
        Archive {
            store: self.store.clone(),
            app: app.sdkappid,
            kind,
            from: start,
            to: start + 3_600,
            cursor: None,
            encoder: Some(
                GzBuilder::new()
                    .mtime(0)
                    .write(Vec::new(), Compression::default()),
            ),
            written: 0,
            raw_len: 0,
            raw_md5: Md5::new(),
        }
    }
}

/// `C2C` or `Group`, as `ChatType` and download URLs name them.
pub fn kind_of(chat_type: &str) -> Option<ArchiveKind> {
    match chat_type {
        "C2C" => Some(ArchiveKind::C2c),
        "Group" => Some(ArchiveKind::Group),
        _ => None,
    }
}

pub fn kind_name(kind: ArchiveKind) -> &'static str {
    match kind {
        ArchiveKind::C2c => "C2C",
        ArchiveKind::Group => "Group",
    }
}

/// A stored counter of a day, or one made of two (`UpMsgNum`, `DownMsgNum`); the APNs counts
/// are 0, as Natter sends no offline pushes.
fn day_value(data: &OpsDays, day: u32, name: &str) -> i64 {
    match name {
        "UpMsgNum" => data.get(day, field::C2C_UP_MSG_NUM) + data.get(day, field::GROUP_UP_MSG_NUM),
        "DownMsgNum" => {
            data.get(day, field::C2C_DOWN_MSG_NUM) + data.get(day, field::GROUP_DOWN_MSG_NUM)
        }
        "APNSMsgNum" | "C2CAPNSMsgNum" | "GroupAPNSMsgNum" => 0,
        other => data.get(day, other),
    }
}

fn sign(app: &AppSettings, kind: ArchiveKind, hour: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(app.secret_key.as_bytes())
        .expect("HMAC takes keys of any length");
    let fields = format!(
        "natter-history\n{}\n{}\n{hour}\n{expires}",
        app.sdkappid,
        kind_name(kind)
    );
    mac.update(fields.as_bytes());
    mac
}

/// One hour's message file, produced a page of messages at a time: `{"MsgList":[` on the first
/// line, one message per line (each but the last followed by a comma), `]}` on the last, as
/// Tencent's files are laid out (so line-by-line readers of those files read these).
pub struct Archive {
    store: Arc<dyn Store>,
    app: u64,
    kind: ArchiveKind,
    from: i64,
    to: i64,
    cursor: Option<ArchiveCursor>,
    /// `None` once finished.
    encoder: Option<GzEncoder<Vec<u8>>>,
    /// Messages written so far.
    written: u64,
    /// The size and MD5 of the file before compression, complete once the last chunk is out.
    pub raw_len: u64,
    pub raw_md5: Md5,
}

#[derive(Serialize)]
struct C2cRecord<'a> {
    #[serde(rename = "From_Account")]
    from: &'a str,
    #[serde(rename = "To_Account")]
    to: &'a str,
    #[serde(rename = "MsgSeq")]
    seq: u64,
    #[serde(rename = "MsgRandom")]
    random: u64,
    #[serde(rename = "MsgTimestamp")]
    time: i64,
    #[serde(rename = "MsgKey")]
    key: String,
    #[serde(rename = "MsgBody")]
    body: &'a RawValue,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "str::is_empty")]
    cloud_custom_data: &'a str,
}

#[derive(Serialize)]
struct GroupRecord<'a> {
    #[serde(rename = "GroupId")]
    group: &'a str,
    #[serde(rename = "From_Account")]
    from: &'a str,
    #[serde(rename = "MsgSeq")]
    seq: u64,
    #[serde(rename = "MsgRandom")]
    random: u64,
    #[serde(rename = "MsgTimestamp")]
    time: i64,
    #[serde(rename = "MsgBody")]
    body: &'a RawValue,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "str::is_empty")]
    cloud_custom_data: &'a str,
}

impl Archive {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.raw_len += bytes.len() as u64;
        self.raw_md5.update(bytes);
        if let Some(encoder) = &mut self.encoder {
            encoder.write_all(bytes)?;
        }
        Ok(())
    }

    fn record(&self, m: &ArchivedMessage) -> Vec<u8> {
        // A body that is not JSON (never stored by Natter) is shown as an empty array rather
        // than breaking the file.
        let empty = RawValue::from_string("[]".into()).expect("[] is JSON");
        let parsed = RawValue::from_string(m.body.clone()).ok();
        let body: &RawValue = parsed.as_deref().unwrap_or(&empty);
        let line = match self.kind {
            ArchiveKind::C2c => serde_json::to_vec(&C2cRecord {
                from: &m.from,
                to: &m.to,
                seq: m.msg_seq,
                random: m.msg_random,
                time: m.msg_time,
                key: crate::messages::msg_key(m.msg_seq as u32, m.msg_random as u32, m.msg_time),
                body,
                cloud_custom_data: &m.cloud_custom_data,
            }),
            ArchiveKind::Group => serde_json::to_vec(&GroupRecord {
                group: &m.to,
                from: &m.from,
                seq: m.msg_seq,
                random: m.msg_random,
                time: m.msg_time,
                body,
                cloud_custom_data: &m.cloud_custom_data,
            }),
        };
        line.expect("records serialize")
    }

    /// The next piece of the gzip file (possibly empty), or `None` after the last.
    pub async fn next_chunk(&mut self) -> ApiResult<Option<Vec<u8>>> {
        if self.encoder.is_none() {
            return Ok(None);
        }
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, "compressing a message file failed");
            ApiError::new(
                codes::ACCOUNT_INTERNAL,
                "internal server error, try again later",
            )
        };
        if self.written == 0 && self.cursor.is_none() && self.raw_len == 0 {
            self.put(b"{\"MsgList\":[\n").map_err(io)?;
        }
        let page = self
            .store
            .archive_page(
                self.app,
                self.kind,
                self.from,
                self.to,
                self.cursor.clone(),
                PAGE,
            )
            .await
            .map_err(internal(codes::ACCOUNT_INTERNAL))?;
        if let Some(last) = page.last() {
            self.cursor = Some(last.cursor.clone());
        }
        for m in &page {
            let line = self.record(m);
            if self.written > 0 {
                self.put(b",\n").map_err(io)?;
            }
            self.put(&line).map_err(io)?;
            self.written += 1;
        }
        if page.len() < PAGE {
            let tail: &[u8] = if self.written == 0 {
                b"]}\n"
            } else {
                b"\n]}\n"
            };
            self.put(tail).map_err(io)?;
            let encoder = self.encoder.take().expect("not finished yet");
            return Ok(Some(encoder.finish().map_err(io)?));
        }
        let encoder = self.encoder.as_mut().expect("not finished yet");
        Ok(Some(std::mem::take(encoder.get_mut())))
    }
}
