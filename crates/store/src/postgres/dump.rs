//! Export and import of an app's rows (see [`crate::dump`]) and snapshots, PostgreSQL side.
//!
//! An export reads in one `REPEATABLE READ` read-only transaction (a consistent view while
//! other nodes write). An import is one transaction: other nodes see the old state until it
//! commits, and nothing if it fails. It empties the app's tables in one round trip, then
//! streams each table's rows with `COPY … FROM STDIN` (see [`super::copy`]) in chunks of
//! [`COPY_CHUNK`] bytes, so the engine types the values and a chunk costs one statement.
//! Both read the tables' shapes in one catalog query (`information_schema` would cost more
//! than a small app's rows).

use base64::Engine as _;
use futures::TryStreamExt;
use natter_core::AppId;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use tokio::sync::mpsc;

use super::copy;
use super::PostgresStore;
use crate::dump::{self, bad, DumpItem, ImportOptions, ImportOutcome, SnapshotInfo};
use crate::{StoreError, StoreResult};

/// Bytes of `COPY` text sent per statement: a small app's table is one statement, a large
/// one's rows stay bounded in memory.
const COPY_CHUNK: usize = 1 << 20;

/// A table of the schema with an `app_id` column, as the catalog describes it.
struct Shape {
    name: String,
    /// Its columns in order with their types (`bigint`, `text`, …), but `app_id`.
    columns: Vec<(String, String)>,
    /// The primary key's columns, in key order.
    key: Vec<String>,
}

/// The tables that have an `app_id` column, by name (bytewise), in one catalog query.
async fn app_shapes(conn: &mut PgConnection) -> StoreResult<Vec<Shape>> {
    let rows: Vec<(String, String, String, Option<i32>)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text, a.atttypid::regtype::text,
                array_position(i.indkey::int2[], a.attnum)
         FROM pg_class c
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
           AND EXISTS (SELECT 1 FROM pg_attribute k WHERE k.attrelid = c.oid
                         AND k.attname = 'app_id' AND NOT k.attisdropped)
         ORDER BY c.relname::text COLLATE \"C\", a.attnum",
    )
    .fetch_all(conn)
    .await?;
    let mut shapes: Vec<Shape> = Vec::new();
    let mut keys: Vec<Vec<(i32, String)>> = Vec::new();
    for (table, column, kind, key_at) in rows {
        if shapes.last().is_none_or(|s| s.name != table) {
            shapes.push(Shape {
                name: table,
                columns: Vec::new(),
                key: Vec::new(),
            });
            keys.push(Vec::new());
        }
        let (shape, key) = (shapes.last_mut().unwrap(), keys.last_mut().unwrap());
        if let Some(at) = key_at {
            key.push((at, column.clone()));
        }
        if column != "app_id" {
            shape.columns.push((column, kind));
        }
    }
    for (shape, mut key) in shapes.iter_mut().zip(keys) {
        key.sort();
        shape.key = key.into_iter().map(|(_, column)| column).collect();
    }
    Ok(shapes)
}

/// The names of the tables that have an `app_id` column (bytewise).
async fn app_tables(conn: &mut PgConnection) -> StoreResult<Vec<String>> {
    Ok(app_shapes(conn)
        .await?
        .into_iter()
        .map(|shape| shape.name)
        .collect())
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
    for shape in app_shapes(&mut tx).await? {
        if !dump::exported(&shape.name) {
            continue;
        }
        let (table, cols) = (shape.name, shape.columns);
        let mut order = Vec::new();
        for name in shape.key {
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

/// The tables (of `shapes`) in which the app holds rows, in one round trip.
async fn held_tables(
    conn: &mut PgConnection,
    app_id: i64,
    shapes: &[Shape],
) -> StoreResult<Vec<String>> {
    let probes: Vec<String> = shapes
        .iter()
        .map(|shape| {
            let table = &shape.name;
            format!("SELECT '{table}'::text WHERE EXISTS (SELECT 1 FROM {table} WHERE app_id = $1)")
        })
        .collect();
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(&probes.join(" UNION ALL "))
        .bind(app_id)
        .fetch_all(conn)
        .await?)
}

/// One table's rows arriving: straight into the table when the app holds none of its rows,
/// else into a temporary copy that [`merge`] then makes the table's rows.
struct Incoming {
    rows: copy::Rows,
    shape_at: usize,
    /// The temporary copy, when the app holds rows of the table.
    staged: Option<String>,
}

impl Incoming {
    async fn send(&mut self, conn: &mut PgConnection) -> StoreResult<()> {
        let into = self
            .staged
            .clone()
            .unwrap_or_else(|| self.rows.table.clone());
        self.rows.send(conn, &into).await
    }

    /// Sends what is left and, if staged, merges the copy into the table.
    async fn finish(
        mut self,
        conn: &mut PgConnection,
        app_id: i64,
        shape: &Shape,
    ) -> StoreResult<()> {
        self.send(conn).await?;
        match &self.staged {
            Some(staged) => merge(conn, app_id, shape, staged).await,
            None => Ok(()),
        }
    }
}

/// Makes the app's rows of `shape`'s table those of `staged`, writing only what differs: the
/// rows no longer there (or changed) are deleted, the missing (or changed) ones inserted. A
/// test suite restores a seed that its last test changed in a few rows, so a restore costs
/// reading the app's rows, not rewriting them with their indexes (which, with autovacuum
/// behind, also leaves a dead copy of every row at every restore). Both differences are read
/// from the table's state before the delete (`EXCEPT ALL`: rows equal in every column, nulls
/// included, are the same row).
async fn merge(
    conn: &mut PgConnection,
    app_id: i64,
    shape: &Shape,
    staged: &str,
) -> StoreResult<()> {
    let table = &shape.name;
    if shape.key.is_empty() {
        sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
            .bind(app_id)
            .execute(&mut *conn)
            .await?;
    } else {
        let key = shape.key.join(", ");
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE app_id = $1 AND ({key}) IN (
               SELECT {key} FROM (SELECT * FROM {table} WHERE app_id = $1
                                  EXCEPT ALL SELECT * FROM {staged}) AS stale)"
        ))
        .bind(app_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(&format!(
        "INSERT INTO {table} SELECT * FROM (SELECT * FROM {staged}
           EXCEPT ALL SELECT * FROM {table} WHERE app_id = $1) AS fresh"
    ))
    .bind(app_id)
    .execute(&mut *conn)
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
    let shapes: Vec<Shape> = app_shapes(&mut tx)
        .await?
        .into_iter()
        .filter(|shape| dump::exported(&shape.name))
        .collect();
    if !options.replace {
        for shape in &shapes {
            let table = &shape.name;
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
    let mut held = held_tables(&mut tx, app_id, &shapes).await?;
    let mut rows = 0u64;
    let mut incoming: Option<Incoming> = None;
    loop {
        match input.recv().await {
            None => return Err(bad("the stream ended before its end mark")),
            Some(DumpItem::Begin { .. }) => return Err(bad("a second header in one app")),
            Some(DumpItem::End) => break,
            Some(DumpItem::Table {
                name,
                columns: names,
            }) => {
                if let Some(done) = incoming.take() {
                    let shape = &shapes[done.shape_at];
                    done.finish(&mut tx, app_id, shape).await?;
                }
                let Some(shape_at) = shapes.iter().position(|shape| shape.name == name) else {
                    return Err(bad(format!(
                        "no table {name} here (an export of a newer Natter?)"
                    )));
                };
                let known: Vec<String> = shapes[shape_at]
                    .columns
                    .iter()
                    .map(|(c, _)| c.clone())
                    .collect();
                dump::check_columns(&name, &names, &known)?;
                let staged = match held.iter().position(|t| *t == name) {
                    Some(at) => {
                        held.swap_remove(at);
                        let staged = format!("natter_restore_{name}");
                        sqlx::query(&format!(
                            "CREATE TEMPORARY TABLE {staged} (LIKE {name} INCLUDING DEFAULTS)
                             ON COMMIT DROP"
                        ))
                        .execute(&mut *tx)
                        .await?;
                        Some(staged)
                    }
                    None => None,
                };
                incoming = Some(Incoming {
                    rows: copy::Rows::new(name, names, COPY_CHUNK + (COPY_CHUNK >> 3)),
                    shape_at,
                    staged,
                });
            }
            Some(DumpItem::Row(values)) => {
                let Some(table) = incoming.as_mut() else {
                    return Err(bad("a row before its table"));
                };
                table.rows.push(app_id, &values, offset)?;
                rows += 1;
                if table.rows.text.len() >= COPY_CHUNK {
                    table.send(&mut tx).await?;
                }
            }
        }
    }
    if let Some(last) = incoming.take() {
        let shape = &shapes[last.shape_at];
        last.finish(&mut tx, app_id, shape).await?;
    }
    // Tables the stream did not name (an export of an older Natter) hold nothing after it.
    for table in held {
        sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
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
