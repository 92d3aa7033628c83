//! Export and import of an app's rows (see [`crate::dump`]) and snapshots, SQLite side.
//!
//! An export reads on a connection of its own, on a blocking thread, inside one read
//! transaction (a consistent view while the writer goes on). An import is one writer job: it
//! runs inside the writer's transaction, taking rows from the channel as they come, so nothing
//! is visible, and nothing is kept, before `End`.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use natter_core::AppId;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;
use tokio::sync::mpsc;

use super::files::app_dir;
use super::SqliteStore;
use crate::dump::{self, bad, DumpItem, ImportOptions, ImportOutcome, SnapshotInfo, FILE_BYTES};
use crate::{is_file_id, StoreError, StoreResult};

/// The tables of the schema that have an `app_id` column, by name.
pub(super) fn app_tables(conn: &Connection) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
           AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'app_id')
         ORDER BY m.name",
    )?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

/// A table's columns in order, with their place in the primary key (0: not in it).
fn columns(conn: &Connection, table: &str) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let cols = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(cols.collect::<Result<_, _>>()?)
}

/// The stored columns an export reads (all but `app_id`; a file's `size` is the length of its
/// bytes, which come from the data directory).
fn stored_columns(table: &str, cols: &[(String, i64)]) -> Vec<String> {
    cols.iter()
        .map(|(name, _)| name.clone())
        .filter(|c| c != "app_id" && !(table == "files" && c == "size"))
        .collect()
}

/// The portable columns of a table: the stored ones, and a file's bytes last.
fn portable_columns(table: &str, cols: &[(String, i64)]) -> Vec<String> {
    let mut names = stored_columns(table, cols);
    if table == "files" {
        names.push(FILE_BYTES.to_owned());
    }
    names
}

fn to_json(value: ValueRef<'_>) -> StoreResult<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(
            std::str::from_utf8(t).map_err(|e| StoreError::Corrupt(format!("text: {e}")))?,
        ),
        ValueRef::Blob(b) => Value::from(base64::engine::general_purpose::STANDARD.encode(b)),
    })
}

fn to_sql(table: &str, column: &str, value: &Value) -> StoreResult<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        _ => {
            return Err(bad(format!(
                "{table}.{column}: not a column value: {value}"
            )))
        }
    })
}

fn send(out: &mpsc::Sender<DumpItem>, item: DumpItem) -> StoreResult<()> {
    out.blocking_send(item).map_err(|_| StoreError::Closed)
}

/// Streams the app's rows (runs on a blocking thread).
fn export(db: &Path, app: AppId, out: &mpsc::Sender<DumpItem>) -> StoreResult<()> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch("PRAGMA busy_timeout = 5000; BEGIN")?;
    let app_id = app as i64;
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT MIN(id), MAX(id) FROM c2c_messages WHERE app_id = ?1",
        [app_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    send(
        out,
        DumpItem::Begin {
            message_ids: low.zip(high),
        },
    )?;
    let files = app_dir(db, app);
    for table in app_tables(&conn)? {
        if !dump::exported(&table) {
            continue;
        }
        let cols = columns(&conn, &table)?;
        let stored = stored_columns(&table, &cols);
        let mut key: Vec<&(String, i64)> = cols.iter().filter(|(_, pk)| *pk > 0).collect();
        key.sort_by_key(|(_, pk)| *pk);
        let order: Vec<&str> = key.iter().map(|(name, _)| name.as_str()).collect();
        send(
            out,
            DumpItem::Table {
                name: table.clone(),
                columns: portable_columns(&table, &cols),
            },
        )?;
        let sql = format!(
            "SELECT {} FROM {table} WHERE app_id = ?1 ORDER BY {}",
            stored.join(", "),
            order.join(", ")
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([app_id])?;
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(stored.len() + 1);
            for i in 0..stored.len() {
                values.push(to_json(row.get_ref(i)?)?);
            }
            if table == "files" {
                let id = values[0].as_str().unwrap_or_default();
                if !is_file_id(id) {
                    return Err(StoreError::Corrupt(format!("not a file id: {id:?}")));
                }
                let bytes = std::fs::read(files.join(id))?;
                values.push(Value::from(
                    base64::engine::general_purpose::STANDARD.encode(bytes),
                ));
            }
            send(out, DumpItem::Row(values))?;
        }
    }
    conn.execute_batch("COMMIT")?;
    send(out, DumpItem::End)
}

/// The insert of one table's rows, as the stream names its columns.
struct Insert {
    table: String,
    sql: String,
    /// Per stream column: whether it is a message id (shifted by the offset).
    ids: Vec<bool>,
    /// The stream column of a file's bytes, written to the data directory instead.
    bytes_at: Option<usize>,
}

/// What the import job hands back: the outcome, and the files of the old state to delete once
/// the transaction is durable.
type ImportDone = (ImportOutcome, Vec<PathBuf>);

fn import(
    conn: &Connection,
    files: &Path,
    app: AppId,
    options: ImportOptions,
    input: &mut mpsc::Receiver<DumpItem>,
) -> StoreResult<ImportDone> {
    let app_id = app as i64;
    let Some(DumpItem::Begin { message_ids }) = input.blocking_recv() else {
        return Err(bad("the stream does not begin with its header"));
    };
    let tables: Vec<String> = app_tables(conn)?
        .into_iter()
        .filter(|t| dump::exported(t))
        .collect();
    if !options.replace {
        let ignored = Value::from(options.ignored_accounts.clone()).to_string();
        for table in &tables {
            let sql = if table == "accounts" {
                "SELECT 1 FROM accounts WHERE app_id = ?1
                   AND user_id NOT IN (SELECT value FROM json_each(?2)) LIMIT 1"
                    .to_owned()
            } else {
                format!("SELECT 1 FROM {table} WHERE app_id = ?1 AND ?2 IS NOT NULL LIMIT 1")
            };
            let found = conn
                .query_row(&sql, params![app_id, ignored], |_| Ok(()))
                .optional()?;
            if found.is_some() {
                return Ok((
                    ImportOutcome::NotEmpty {
                        table: table.clone(),
                    },
                    Vec::new(),
                ));
            }
        }
    }
    let old_files: Vec<String> = conn
        .prepare("SELECT file_id FROM files WHERE app_id = ?1")?
        .query_map([app_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in &tables {
        conn.execute(&format!("DELETE FROM {table} WHERE app_id = ?1"), [app_id])?;
    }
    let offset = match message_ids {
        None => 0,
        Some((low, high)) => {
            let others: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM c2c_messages WHERE id BETWEEN ?1 AND ?2)",
                [low, high],
                |r| r.get(0),
            )?;
            let used: i64 = conn.query_row(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM c2c_messages), 0),
                            COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'c2c_messages'), 0))",
                [],
                |r| r.get(0),
            )?;
            dump::message_id_offset((low, high), others, used)
        }
    };
    let mut rows = 0u64;
    let mut new_files = Vec::new();
    let mut insert: Option<Insert> = None;
    loop {
        match input.blocking_recv() {
            None => return Err(bad("the stream ended before its end mark")),
            Some(DumpItem::Begin { .. }) => return Err(bad("a second header in one app")),
            Some(DumpItem::End) => break,
            Some(DumpItem::Table {
                name,
                columns: names,
            }) => {
                if !tables.contains(&name) {
                    return Err(bad(format!(
                        "no table {name} here (an export of a newer Natter?)"
                    )));
                }
                let cols = columns(conn, &name)?;
                dump::check_columns(&name, &names, &portable_columns(&name, &cols))?;
                let bytes_at = (name == "files")
                    .then(|| names.iter().position(|c| c == FILE_BYTES))
                    .flatten();
                let mut target: Vec<&str> = names
                    .iter()
                    .filter(|c| !(name == "files" && *c == FILE_BYTES))
                    .map(String::as_str)
                    .collect();
                if bytes_at.is_some() {
                    target.push("size");
                }
                let marks = vec!["?"; target.len() + 1].join(", ");
                insert = Some(Insert {
                    sql: format!(
                        "INSERT INTO {name} (app_id, {}) VALUES ({marks})",
                        target.join(", ")
                    ),
                    ids: names
                        .iter()
                        .map(|c| dump::is_message_id(&name, c))
                        .collect(),
                    table: name,
                    bytes_at,
                });
            }
            Some(DumpItem::Row(values)) => {
                let Some(ins) = &insert else {
                    return Err(bad("a row before its table"));
                };
                if values.len() != ins.ids.len() {
                    return Err(bad(format!(
                        "a row of {} with {} values",
                        ins.table,
                        values.len()
                    )));
                }
                let mut bound = vec![SqlValue::Integer(app_id)];
                let mut file_bytes = None;
                for (i, value) in values.iter().enumerate() {
                    if Some(i) == ins.bytes_at {
                        let text = value.as_str().unwrap_or_default();
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .map_err(|e| bad(format!("files.bytes: {e}")))?;
                        file_bytes = Some(bytes);
                        continue;
                    }
                    let value = if ins.ids[i] {
                        dump::shift_id(value, offset)
                    } else {
                        value.clone()
                    };
                    bound.push(to_sql(&ins.table, "", &value)?);
                }
                if let Some(bytes) = file_bytes {
                    let id = match &bound[1] {
                        SqlValue::Text(id) if is_file_id(id) => id.clone(),
                        _ => return Err(bad("files: the first column must be a file id")),
                    };
                    bound.push(SqlValue::Integer(bytes.len() as i64));
                    std::fs::create_dir_all(files)?;
                    std::fs::write(files.join(&id), bytes)?;
                    new_files.push(id);
                }
                conn.prepare_cached(&ins.sql)?
                    .execute(rusqlite::params_from_iter(bound))?;
                rows += 1;
            }
        }
    }
    let stale = old_files
        .into_iter()
        .filter(|id| !new_files.contains(id) && is_file_id(id))
        .map(|id| files.join(id))
        .collect();
    Ok((ImportOutcome::Imported { rows }, stale))
}

impl SqliteStore {
    pub(super) async fn export_app_impl(
        &self,
        app: AppId,
        out: mpsc::Sender<DumpItem>,
    ) -> StoreResult<()> {
        let db = self.path().to_path_buf();
        tokio::task::spawn_blocking(move || export(&db, app, &out))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    pub(super) async fn import_app_impl(
        &self,
        app: AppId,
        options: ImportOptions,
        mut input: mpsc::Receiver<DumpItem>,
    ) -> StoreResult<ImportOutcome> {
        let files = app_dir(self.path(), app);
        let (outcome, stale) = self
            .write(move |conn| import(conn, &files, app, options, &mut input))
            .await?;
        for path in stale {
            // The old state's files; a file left behind is only wasted room.
            let _ = std::fs::remove_file(path);
        }
        Ok(outcome)
    }

    pub(super) async fn put_snapshot_impl(
        &self,
        app: AppId,
        name: String,
        data: Vec<u8>,
        created_ms: i64,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO app_snapshots (app_id, name, created_ms, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (app_id, name) DO UPDATE
                 SET created_ms = excluded.created_ms, data = excluded.data",
                params![app as i64, name, created_ms, data],
            )?;
            Ok(())
        })
        .await
    }

    pub(super) async fn get_snapshot_impl(
        &self,
        app: AppId,
        name: String,
    ) -> StoreResult<Option<Vec<u8>>> {
        self.readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT data FROM app_snapshots WHERE app_id = ?1 AND name = ?2",
                    )?
                    .query_row(params![app as i64, name], |r| r.get(0))
                    .optional()?)
            })
            .await
    }

    pub(super) async fn list_snapshots_impl(&self, app: AppId) -> StoreResult<Vec<SnapshotInfo>> {
        self.readers
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT name, created_ms, length(data) FROM app_snapshots
                     WHERE app_id = ?1 ORDER BY name",
                )?;
                let list = stmt.query_map([app as i64], |r| {
                    Ok(SnapshotInfo {
                        name: r.get(0)?,
                        created_ms: r.get(1)?,
                        bytes: r.get::<_, i64>(2)? as u64,
                    })
                })?;
                Ok(list.collect::<Result<_, _>>()?)
            })
            .await
    }

    pub(super) async fn delete_snapshot_impl(&self, app: AppId, name: String) -> StoreResult<bool> {
        self.write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM app_snapshots WHERE app_id = ?1 AND name = ?2",
                params![app as i64, name],
            )? == 1)
        })
        .await
    }

    pub(super) async fn app_table_lists_impl(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        let mut reset: Vec<String> = super::migrations::APP_TABLES
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        reset.sort();
        let schema = self.readers.read(app_tables).await?;
        Ok((reset, schema))
    }
}
