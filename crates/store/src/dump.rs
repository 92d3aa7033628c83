//! Moving an app's rows between stores, of either engine: export, import and snapshots.
//!
//! The unit is the row, not the domain object: an export is every row of every table that holds
//! an app's data, with its columns by name and its values in a portable form (JSON integers,
//! strings and null; bytes as base64). Each engine finds those tables in its own schema (every
//! table with an `app_id` column but the few of [`NOT_EXPORTED`]), so a table added by a new
//! migration is exported without anyone remembering to; a test holds the reset's `APP_TABLES`
//! to the same set. The rows are streamed through a bounded channel, so an app of any size moves
//! in bounded memory, and an import commits only when it has seen [`DumpItem::End`].

use serde_json::Value;

/// Tables with an `app_id` column whose rows are not part of an app's state, and why.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    (
        "webhook_outbox",
        "after-callbacks waiting for delivery: they belong to the server that made them, and \
         importing them would send the app's server callbacks for events of another time",
    ),
    (
        "webhook_dead_letters",
        "the delivery log of callbacks that failed, on the server that sent them",
    ),
    (
        "app_snapshots",
        "the snapshots themselves: a snapshot does not hold the other snapshots",
    ),
];

/// The portable name of a column that an engine keeps differently: SQLite keeps an uploaded
/// file's bytes in the data directory and its `size` in the row, PostgreSQL the bytes in the row.
pub const FILE_BYTES: &str = "bytes";

/// Columns that hold a `c2c_messages.id` (an internal row number, never on the wire): an import
/// renumbers them together when the ids are taken in the target (see [`message_id_offset`]).
pub(crate) const MESSAGE_ID_COLUMNS: &[(&str, &str)] = &[
    ("c2c_messages", "id"),
    ("c2c_extensions", "message_id"),
    ("c2c_reactions", "message_id"),
    ("c2c_cleared", "cleared_id"),
];

/// One item of an app's stream.
#[derive(Debug, Clone, PartialEq)]
pub enum DumpItem {
    /// First: the range of the app's one-to-one message row ids (`None`: no messages), so an
    /// import can reserve them before any row arrives.
    Begin { message_ids: Option<(i64, i64)> },
    /// The rows that follow belong to `table`, their values in `columns`' order.
    Table { name: String, columns: Vec<String> },
    /// One row of the last table named.
    Row(Vec<Value>),
    /// Everything was sent: only now may an import commit.
    End,
}

/// How an import treats the app it writes into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace whatever the app holds; otherwise an app that holds anything is refused.
    pub replace: bool,
    /// Accounts that do not make an app "not empty": its admins, which every start creates.
    pub ignored_accounts: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Committed: this many rows written.
    Imported { rows: u64 },
    /// Nothing written: the app holds rows of `table` and `replace` was not asked for.
    NotEmpty { table: String },
}

/// A saved snapshot, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub name: String,
    pub created_ms: i64,
    /// The size of the stored (compressed) export.
    pub bytes: u64,
}

/// How far the imported message ids move: 0 (every id kept) unless ids of another app lie in
/// `range`, else past `highest_used` (the largest id ever handed out), keeping their order.
pub(crate) fn message_id_offset(
    range: (i64, i64),
    others_in_range: bool,
    highest_used: i64,
) -> i64 {
    if others_in_range {
        highest_used + 1 - range.0
    } else {
        0
    }
}

/// Whether `column` of `table` holds a message id.
pub(crate) fn is_message_id(table: &str, column: &str) -> bool {
    MESSAGE_ID_COLUMNS.contains(&(table, column))
}

/// Adds `offset` to a message id value (null and non-integers are left alone: the engine's
/// insert refuses the latter).
pub(crate) fn shift_id(value: &Value, offset: i64) -> Value {
    match value.as_i64() {
        Some(id) if offset != 0 => Value::from(id + offset),
        _ => value.clone(),
    }
}

/// The refusal of a stream that does not fit the target's schema.
pub(crate) fn bad(message: impl Into<String>) -> crate::StoreError {
    crate::StoreError::BadImport(message.into())
}

/// Whether the table's rows are exported.
pub(crate) fn exported(table: &str) -> bool {
    !NOT_EXPORTED.iter().any(|(name, _)| *name == table)
}

/// Checks the columns a stream names against the target table's portable `known` columns.
pub(crate) fn check_columns(
    table: &str,
    columns: &[String],
    known: &[String],
) -> crate::StoreResult<()> {
    if let Some(unknown) = columns.iter().find(|c| !known.contains(c)) {
        return Err(bad(format!(
            "table {table} has no column {unknown} here (an export of a newer Natter?)"
        )));
    }
    Ok(())
}
