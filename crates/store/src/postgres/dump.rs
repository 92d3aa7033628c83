//! Export and import of an app's rows (see [`crate::dump`]) and snapshots, PostgreSQL side.
//!
//! An export reads in one `REPEATABLE READ` read-only transaction (a consistent view while
//! other nodes write). An import is one transaction: other nodes see the old state until it
//! commits, and nothing if it fails. Rows go in pages of [`PAGE`], each one statement that
//! turns a JSON array into rows of the table (`json_populate_recordset`), so the engine does
//! the typing and a page costs one round trip.

use base64::Engine as _;
use futures::TryStreamExt;
use natter_core::AppId;
use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use tokio::sync::mpsc;

use super::PostgresStore;
use crate::dump::{self, bad, DumpItem, ImportOptions, ImportOutcome, SnapshotInfo, FILE_BYTES};
use crate::{StoreError, StoreResult};

/// Rows per insert statement.
const PAGE: usize = 500;

/// The tables of the schema that have an `app_id` column, by name (bytewise).
async fn app_tables(conn: &mut PgConnection) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name = 'app_id'
         ORDER BY table_name COLLATE \"C\"",
    )
    .fetch_all(conn)
    .await?)
}

/// A table's columns in order with their types, but `app_id`.
async fn columns(conn: &mut PgConnection, table: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'app_id'
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(conn)
    .await?)
}

/// Every app table's columns (but `app_id`) in order, in one catalog query: a restore would
/// otherwise ask `information_schema` once a table, which cost more than its rows.
async fn all_columns(
    conn: &mut PgConnection,
) -> StoreResult<std::collections::HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
           AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'app_id'
         ORDER BY c.relname, a.attnum",
    )
    .fetch_all(conn)
    .await?;
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (table, column) in rows {
        out.entry(table).or_default().push(column);
    }
    Ok(out)
}

/// The primary key's columns, in key order.
async fn key(conn: &mut PgConnection, table: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary
         ORDER BY array_position(i.indkey::int2[], a.attnum)",
    )
    .bind(table)
    .fetch_all(conn)
    .await?)
}

fn to_json(row: &PgRow, i: usize, kind: &str) -> StoreResult<Value> {
    Ok(match kind {
        "bigint" => Value::from(row.try_get::<Option<i64>, _>(i)?),
        "integer" => Value::from(row.try_get::<Option<i32>, _>(i)?),
        "smallint" => Value::from(row.try_get::<Option<i16>, _>(i)?),
        // SQLite has no booleans: both engines' exports say 0 or 1.
        "boolean" => Value::from(row.try_get::<Option<bool>, _>(i)?.map(i64::from)),
        "text" => Value::from(row.try_get::<Option<String>, _>(i)?),
        "bytea" => Value::from(
            row.try_get::<Option<Vec<u8>>, _>(i)?
                .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        ),
        other => {
            return Err(StoreError::Corrupt(format!(
                "column type {other} cannot be exported"
            )))
        }
    })
}

async fn export(db: &PostgresStore, app: AppId, out: &mpsc::Sender<DumpItem>) -> StoreResult<()> {
    let send = |item| async { out.send(item).await.map_err(|_| StoreError::Closed) };
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let app_id = app as i64;
    let (low, high): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(id), MAX(id) FROM c2c_messages WHERE app_id = $1")
            .bind(app_id)
            .fetch_one(&mut *tx)
            .await?;
    send(DumpItem::Begin {
        message_ids: low.zip(high),
    })
    .await?;
    for table in app_tables(&mut tx).await? {
        if !dump::exported(&table) {
            continue;
        }
        let cols = columns(&mut tx, &table).await?;
        let mut order = Vec::new();
        for name in key(&mut tx, &table).await? {
            let text = cols.iter().any(|(c, t)| *c == name && t == "text");
            order.push(if text {
                format!("{name} COLLATE \"C\"")
            } else {
                name
            });
        }
        let names: Vec<String> = cols.iter().map(|(c, _)| c.clone()).collect();
        send(DumpItem::Table {
            name: table.clone(),
            columns: names.clone(),
        })
        .await?;
        let sql = format!(
            "SELECT {} FROM {table} WHERE app_id = $1 ORDER BY {}",
            names.join(", "),
            order.join(", ")
        );
        let mut rows = sqlx::query(&sql).bind(app_id).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            let mut values = Vec::with_capacity(cols.len());
            for (i, (_, kind)) in cols.iter().enumerate() {
                values.push(to_json(&row, i, kind)?);
            }
            send(DumpItem::Row(values)).await?;
        }
    }
    tx.commit().await?;
    send(DumpItem::End).await
}

/// Reserves the ids of the imported messages in a short transaction of its own (holding the
/// table's inserts for that long, so no other node takes one meanwhile): the same ids when no
/// other app holds one of them, else ids past every used one. Returns how far they move.
async fn reserve_message_ids(
    db: &PostgresStore,
    app: AppId,
    range: (i64, i64),
) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    sqlx::query("LOCK TABLE c2c_messages IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let (others, used): (bool, i64) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM c2c_messages WHERE id BETWEEN $1 AND $2 AND app_id <> $3),
                GREATEST((SELECT COALESCE(MAX(id), 0) FROM c2c_messages),
                         COALESCE(pg_sequence_last_value(pg_get_serial_sequence('c2c_messages', 'id')::regclass), 0))",
    )
    .bind(range.0)
    .bind(range.1)
    .bind(app as i64)
    .fetch_one(&mut *tx)
    .await?;
    let offset = dump::message_id_offset(range, others, used);
    sqlx::query("SELECT setval(pg_get_serial_sequence('c2c_messages', 'id'), GREATEST($1, $2))")
        .bind(used.max(1))
        .bind(range.1 + offset)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(offset)
}

/// The insert of one table's rows as the stream names its columns.
struct Insert {
    table: String,
    columns: Vec<String>,
    sql: String,
    page: Vec<Value>,
}

async fn flush(conn: &mut PgConnection, app: AppId, insert: &mut Insert) -> StoreResult<()> {
    if insert.page.is_empty() {
        return Ok(());
    }
    let page = Value::Array(std::mem::take(&mut insert.page)).to_string();
    sqlx::query(&insert.sql)
        .bind(app as i64)
        .bind(page)
        .execute(conn)
        .await?;
    Ok(())
}

async fn import(
    db: &PostgresStore,
    app: AppId,
    options: ImportOptions,
    mut input: mpsc::Receiver<DumpItem>,
) -> StoreResult<ImportOutcome> {
    let Some(DumpItem::Begin { message_ids }) = input.recv().await else {
        return Err(bad("the stream does not begin with its header"));
    };
    let app_id = app as i64;
    let mut tx = db.begin().await?;
    let tables: Vec<String> = app_tables(&mut tx)
        .await?
        .into_iter()
        .filter(|t| dump::exported(t))
        .collect();
    let known_columns = all_columns(&mut tx).await?;
    if !options.replace {
        for table in &tables {
            let sql = if table == "accounts" {
                "SELECT 1 FROM accounts WHERE app_id = $1 AND NOT (user_id = ANY ($2)) LIMIT 1"
                    .to_owned()
            } else {
                format!("SELECT 1 FROM {table} WHERE app_id = $1 AND cardinality($2::text[]) >= 0 LIMIT 1")
            };
            let found: Option<i32> = sqlx::query_scalar(&sql)
                .bind(app_id)
                .bind(&options.ignored_accounts)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_some() {
                return Ok(ImportOutcome::NotEmpty {
                    table: table.clone(),
                });
            }
        }
    }
    let offset = match message_ids {
        Some(range) => reserve_message_ids(db, app, range).await?,
        None => 0,
    };
    for table in &tables {
        sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut rows = 0u64;
    let mut insert: Option<Insert> = None;
    loop {
        match input.recv().await {
            None => return Err(bad("the stream ended before its end mark")),
            Some(DumpItem::Begin { .. }) => return Err(bad("a second header in one app")),
            Some(DumpItem::End) => break,
            Some(DumpItem::Table {
                name,
                columns: names,
            }) => {
                if let Some(done) = insert.as_mut() {
                    flush(&mut tx, app, done).await?;
                }
                if !tables.contains(&name) {
                    return Err(bad(format!(
                        "no table {name} here (an export of a newer Natter?)"
                    )));
                }
                let known = known_columns.get(&name).cloned().unwrap_or_default();
                dump::check_columns(&name, &names, &known)?;
                let list = names.join(", ");
                insert = Some(Insert {
                    sql: format!(
                        "INSERT INTO {name} (app_id, {list})
                         SELECT $1, {list} FROM json_populate_recordset(NULL::{name}, $2::json)"
                    ),
                    table: name,
                    columns: names,
                    page: Vec::with_capacity(PAGE),
                });
            }
            Some(DumpItem::Row(values)) => {
                let Some(ins) = insert.as_mut() else {
                    return Err(bad("a row before its table"));
                };
                if values.len() != ins.columns.len() {
                    return Err(bad(format!(
                        "a row of {} with {} values",
                        ins.table,
                        values.len()
                    )));
                }
                let mut object = Map::with_capacity(values.len());
                for (column, value) in ins.columns.iter().zip(values) {
                    let value = if dump::is_message_id(&ins.table, column) {
                        dump::shift_id(&value, offset)
                    } else if ins.table == "files" && column == FILE_BYTES {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(value.as_str().unwrap_or_default())
                            .map_err(|e| bad(format!("files.bytes: {e}")))?;
                        // bytea's text form, which json_populate_recordset reads.
                        Value::from(format!("\\x{}", hex::encode(bytes)))
                    } else if let Value::Array(_) | Value::Object(_) = value {
                        return Err(bad(format!("{}.{column}: not a column value", ins.table)));
                    } else {
                        value
                    };
                    object.insert(column.clone(), value);
                }
                ins.page.push(Value::Object(object));
                rows += 1;
                if ins.page.len() >= PAGE {
                    flush(&mut tx, app, ins).await?;
                }
            }
        }
    }
    if let Some(last) = insert.as_mut() {
        flush(&mut tx, app, last).await?;
    }
    tx.commit().await?;
    Ok(ImportOutcome::Imported { rows })
}

impl PostgresStore {
    pub(super) async fn export_app_impl(
        &self,
        app: AppId,
        out: mpsc::Sender<DumpItem>,
    ) -> StoreResult<()> {
        self.detached(move |db| async move { export(&db, app, &out).await })
            .await
    }

    pub(super) async fn import_app_impl(
        &self,
        app: AppId,
        options: ImportOptions,
        input: mpsc::Receiver<DumpItem>,
    ) -> StoreResult<ImportOutcome> {
        self.detached(move |db| async move { import(&db, app, options, input).await })
            .await
    }

    pub(super) async fn put_snapshot_impl(
        &self,
        app: AppId,
        name: String,
        data: Vec<u8>,
        created_ms: i64,
    ) -> StoreResult<()> {
        self.detached(move |db| async move {
            sqlx::query(
                "INSERT INTO app_snapshots (app_id, name, created_ms, data) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (app_id, name) DO UPDATE
                 SET created_ms = excluded.created_ms, data = excluded.data",
            )
            .bind(app as i64)
            .bind(name)
            .bind(created_ms)
            .bind(data)
            .execute(&db.pool)
            .await?;
            Ok(())
        })
        .await
    }

    pub(super) async fn get_snapshot_impl(
        &self,
        app: AppId,
        name: String,
    ) -> StoreResult<Option<Vec<u8>>> {
        self.detached(move |db| async move {
            Ok(
                sqlx::query_scalar(
                    "SELECT data FROM app_snapshots WHERE app_id = $1 AND name = $2",
                )
                .bind(app as i64)
                .bind(name)
                .fetch_optional(&db.pool)
                .await?,
            )
        })
        .await
    }

    pub(super) async fn list_snapshots_impl(&self, app: AppId) -> StoreResult<Vec<SnapshotInfo>> {
        self.detached(move |db| async move {
            let rows: Vec<(String, i64, i32)> = sqlx::query_as(
                "SELECT name, created_ms, length(data) FROM app_snapshots
                 WHERE app_id = $1 ORDER BY name COLLATE \"C\"",
            )
            .bind(app as i64)
            .fetch_all(&db.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(name, created_ms, bytes)| SnapshotInfo {
                    name,
                    created_ms,
                    bytes: bytes as u64,
                })
                .collect())
        })
        .await
    }

    pub(super) async fn delete_snapshot_impl(&self, app: AppId, name: String) -> StoreResult<bool> {
        self.detached(move |db| async move {
            let done = sqlx::query("DELETE FROM app_snapshots WHERE app_id = $1 AND name = $2")
                .bind(app as i64)
                .bind(name)
                .execute(&db.pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    pub(super) async fn app_table_lists_impl(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        let mut reset: Vec<String> = super::migrations::APP_TABLES
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        reset.sort();
        let mut conn = self.pool.acquire().await?;
        let schema = app_tables(&mut conn).await?;
        Ok((reset, schema))
    }
}
