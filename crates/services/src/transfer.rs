//! The export file: apps' rows ([`natter_store::dump`]) as gzip-compressed JSON lines, one
//! record a line, so it streams both ways in bounded memory and a reader of any language can
//! take it apart (`docs/export.md` is its description):
//!
//! ```text
//! {"format":"natter-export","version":1,"engine":"sqlite","natter":"0.1.0","created_ms":…,"apps":[1400000000]}
//! {"app":1400000000,"message_ids":[1,10000]}
//! {"table":"accounts","columns":["user_id","created_ms"]}
//! ["alice",1733390000000]
//! …
//! {"end_app":1400000000,"rows":12345}
//! {"end":true,"rows":12345}
//! ```
//!
//! Writing and reading run on blocking threads (gzip and JSON are CPU work), joined to the
//! store by bounded channels.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use natter_core::AppId;
use natter_store::dump::{DumpItem, ImportOptions, ImportOutcome};
use natter_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// What the first line says a file is.
pub const FORMAT: &str = "natter-export";
/// The newest format this Natter writes and reads. A reader refuses a newer one: its rows may
/// mean something this version cannot keep.
pub const FORMAT_VERSION: u32 = 1;

/// Items in flight between the store and the file.
const CHANNEL: usize = 1024;

/// The first line of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The engine it was exported from: `sqlite` or `postgres`.
    pub engine: String,
    /// The Natter version that wrote it.
    pub natter: String,
    pub created_ms: i64,
    pub apps: Vec<AppId>,
}

/// Called with the number of rows moved so far, now and then (a progress bar).
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Why an export or an import failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// Not an export, a newer format, or a damaged or cut file.
    #[error("{0}")]
    Format(String),
    /// Nothing written into this app: it holds data (rows of `table`).
    #[error(
        "app {app} is not empty (it holds {table} rows): import with --replace to replace its data"
    )]
    NotEmpty { app: AppId, table: String },
}

fn format_error(message: impl Into<String>) -> TransferError {
    TransferError::Format(message.into())
}

/// Writes `apps` of `store` to `out` as one export; returns `out` and the number of rows.
pub async fn export<W: Write + Send + 'static>(
    store: Arc<dyn Store>,
    apps: Vec<AppId>,
    out: W,
    now_ms: i64,
    progress: Option<Progress>,
) -> Result<(W, u64), TransferError> {
    let header = Header {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        engine: store.backend().into(),
        natter: env!("CARGO_PKG_VERSION").into(),
        created_ms: now_ms,
        apps: apps.clone(),
    };
    let (tx, rx) = mpsc::channel(CHANNEL);
    let writer = tokio::task::spawn_blocking(move || encode(out, header, rx, progress));
    let mut read = Ok(());
    for app in apps {
        read = store.export_app(app, tx.clone()).await;
        if read.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| TransferError::Io(std::io::Error::other(e)))?;
    match (read, written) {
        // The writer stopped first (a full disk): its error says why.
        (Err(StoreError::Closed), Err(e)) => Err(e),
        (Err(e), _) => Err(e.into()),
        (Ok(()), written) => written,
    }
}

fn line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

fn encode<W: Write>(
    out: W,
    header: Header,
    mut items: mpsc::Receiver<DumpItem>,
    progress: Option<Progress>,
) -> Result<(W, u64), TransferError> {
    let mut gz = GzEncoder::new(std::io::BufWriter::new(out), flate2::Compression::fast());
    line(&mut gz, &header)?;
    let mut total = 0u64;
    for app in &header.apps {
        let mut rows = 0u64;
        loop {
            let Some(item) = items.blocking_recv() else {
                return Err(format_error("the export stopped before its end"));
            };
            match item {
                DumpItem::Begin { message_ids } => {
                    line(&mut gz, &json!({ "app": app, "message_ids": message_ids }))?
                }
                DumpItem::Table { name, columns } => {
                    line(&mut gz, &json!({ "table": name, "columns": columns }))?
                }
                DumpItem::Row(values) => {
                    line(&mut gz, &values)?;
                    rows += 1;
                    if let Some(report) = progress.as_ref().filter(|_| rows.is_multiple_of(4096)) {
                        report(total + rows);
                    }
                }
                DumpItem::End => {
                    line(&mut gz, &json!({ "end_app": app, "rows": rows }))?;
                    break;
                }
            }
        }
        total += rows;
    }
    line(&mut gz, &json!({ "end": true, "rows": total }))?;
    if let Some(report) = &progress {
        report(total);
    }
    let out = gz
        .finish()?
        .into_inner()
        .map_err(|e| TransferError::Io(e.into_error()))?;
    Ok((out, total))
}

/// An export being read: its header is known, its rows not yet.
pub struct ExportReader<R: Read> {
    pub header: Header,
    lines: BufReader<GzDecoder<R>>,
}

/// Opens an export and checks its first line (the format, not newer than this Natter's).
pub fn open<R: Read>(input: R) -> Result<ExportReader<R>, TransferError> {
    let mut lines = BufReader::with_capacity(1 << 16, GzDecoder::new(input));
    let mut first = String::new();
    lines
        .read_line(&mut first)
        .map_err(|e| format_error(format!("not a Natter export (not gzip: {e})")))?;
    let value: Value = serde_json::from_str(&first)
        .map_err(|_| format_error("not a Natter export (its first line is not a header)"))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format_error(
            "not a Natter export (no \"format\":\"natter-export\")",
        ));
    }
    let version = value.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version > u64::from(FORMAT_VERSION) {
        let by = value.get("natter").and_then(Value::as_str).unwrap_or("?");
        return Err(format_error(format!(
            "this export is format version {version} (written by Natter {by}); this Natter ({}) \
             reads versions up to {FORMAT_VERSION}: import it with a newer Natter",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let header: Header = serde_json::from_value(value)
        .map_err(|e| format_error(format!("a damaged export header: {e}")))?;
    Ok(ExportReader { header, lines })
}

impl<R: Read + Send + 'static> ExportReader<R> {
    /// Imports the apps of the file that `targets` names, each with its options, each in one
    /// transaction (apps of the file it does not name are skipped). Stops at the first app
    /// refused. Returns the rows written per app.
    pub async fn import(
        self,
        store: Arc<dyn Store>,
        targets: Vec<(AppId, ImportOptions)>,
        progress: Option<Progress>,
    ) -> Result<Vec<(AppId, u64)>, TransferError> {
        let (sections_tx, mut sections) = mpsc::channel(1);
        let wanted: Vec<AppId> = targets.iter().map(|(app, _)| *app).collect();
        let reader = tokio::task::spawn_blocking(move || {
            decode(self.lines, &self.header, &wanted, sections_tx, progress)
        });
        let mut done = Vec::new();
        let mut failure = None;
        while let Some((app, rows)) = sections.recv().await {
            let options = targets
                .iter()
                .find(|(a, _)| *a == app)
                .map(|(_, o)| o.clone())
                .unwrap_or_default();
            match store.import_app(app, options, rows).await {
                Ok(ImportOutcome::Imported { rows }) => done.push((app, rows)),
                Ok(ImportOutcome::NotEmpty { table }) => {
                    failure = Some(TransferError::NotEmpty { app, table });
                    break;
                }
                Err(e) => {
                    failure = Some(e.into());
                    break;
                }
            }
        }
        drop(sections);
        let read = reader
            .await
            .map_err(|e| TransferError::Io(std::io::Error::other(e)))?;
        match (failure, read) {
            // A damaged file cut the stream: the reader says where.
            (Some(TransferError::Store(StoreError::BadImport(_))), Err(e)) => Err(e),
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(e),
            (None, Ok(())) => Ok(done),
        }
    }
}

type Section = (AppId, mpsc::Receiver<DumpItem>);

/// Reads the file after its header, handing each wanted app's rows to the importer.
fn decode<R: Read>(
    mut lines: BufReader<GzDecoder<R>>,
    header: &Header,
    wanted: &[AppId],
    sections: mpsc::Sender<Section>,
    progress: Option<Progress>,
) -> Result<(), TransferError> {
    let mut text = String::new();
    let mut number = 1u64;
    let mut total = 0u64;
    let mut current: Option<(AppId, Option<mpsc::Sender<DumpItem>>, u64)> = None;
    let stopped = || format_error("the import stopped");
    loop {
        text.clear();
        number += 1;
        let read = lines
            .read_line(&mut text)
            .map_err(|e| format_error(format!("line {number}: {e}")))?;
        if read == 0 {
            return Err(format_error(format!(
                "the file ends at line {number} without its end record: it was cut short"
            )));
        }
        let bad = |what: &str| format_error(format!("line {number}: {what}"));
        if text.starts_with('[') {
            let Some((_, rows_tx, rows)) = current.as_mut() else {
                return Err(bad("a row outside an app"));
            };
            *rows += 1;
            if let Some(tx) = rows_tx {
                let values: Vec<Value> =
                    serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
                tx.blocking_send(DumpItem::Row(values))
                    .map_err(|_| stopped())?;
                total += 1;
                if let Some(report) = progress.as_ref().filter(|_| total.is_multiple_of(4096)) {
                    report(total);
                }
            }
            continue;
        }
        let record: Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
        if let Some(app) = record.get("app").and_then(Value::as_u64) {
            if current.is_some() || !header.apps.contains(&app) {
                return Err(bad("an app the header does not list, or inside another"));
            }
            let message_ids = serde_json::from_value(record["message_ids"].clone())
                .map_err(|e| bad(&e.to_string()))?;
            let rows_tx = if wanted.contains(&app) {
                let (tx, rx) = mpsc::channel(CHANNEL);
                sections.blocking_send((app, rx)).map_err(|_| stopped())?;
                tx.blocking_send(DumpItem::Begin { message_ids })
                    .map_err(|_| stopped())?;
                Some(tx)
            } else {
                None
            };
            current = Some((app, rows_tx, 0));
        } else if let Some(table) = record.get("table").and_then(Value::as_str) {
            let Some((_, rows_tx, _)) = current.as_ref() else {
                return Err(bad("a table outside an app"));
            };
            let columns = serde_json::from_value(record["columns"].clone())
                .map_err(|e| bad(&e.to_string()))?;
            if let Some(tx) = rows_tx {
                tx.blocking_send(DumpItem::Table {
                    name: table.to_owned(),
                    columns,
                })
                .map_err(|_| stopped())?;
            }
        } else if let Some(app) = record.get("end_app").and_then(Value::as_u64) {
            let Some((open, rows_tx, rows)) = current.take() else {
                return Err(bad("the end of an app that did not begin"));
            };
            if open != app || record.get("rows").and_then(Value::as_u64) != Some(rows) {
                return Err(bad("the app's row count does not match its rows"));
            }
            if let Some(tx) = rows_tx {
                tx.blocking_send(DumpItem::End).map_err(|_| stopped())?;
            }
        } else if record.get("end").is_some() {
            if current.is_some() {
                return Err(bad("the end of the file inside an app"));
            }
            if let Some(report) = &progress {
                report(total);
            }
            return Ok(());
        } else {
            return Err(bad("a record of no known kind"));
        }
    }
}
