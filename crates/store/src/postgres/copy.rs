//! Rows of an import in `COPY … FROM STDIN`'s text format, the fastest way into PostgreSQL:
//! the engine parses each value with its column type's input function, with no statement per
//! row and no JSON to take apart on the server.
//!
//! A row is its values separated by tabs and ended by a newline; null is `\N`; a backslash, a
//! tab, a newline and a carriage return inside a value are escaped with a backslash.

use std::io::Write as _;

use base64::Engine as _;
use serde_json::Value;
use sqlx::PgConnection;

use crate::dump::{self, bad, FILE_BYTES};
use crate::StoreResult;

/// What a column of the stream holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    /// A one-to-one message id: moved by the import's offset.
    MessageId,
    /// A file's bytes, base64 in the stream.
    FileBytes,
}

/// Rows of one table on their way in, as `COPY` text with `app_id` first.
pub(super) struct Rows {
    pub(super) table: String,
    pub(super) columns: Vec<String>,
    kinds: Vec<Kind>,
    pub(super) text: Vec<u8>,
}

impl Rows {
    pub(super) fn new(table: String, columns: Vec<String>, capacity: usize) -> Self {
        let kinds = columns
            .iter()
            .map(|column| {
                if dump::is_message_id(&table, column) {
                    Kind::MessageId
                } else if table == "files" && column == FILE_BYTES {
                    Kind::FileBytes
                } else {
                    Kind::Plain
                }
            })
            .collect();
        Rows {
            table,
            columns,
            kinds,
            text: Vec::with_capacity(capacity),
        }
    }

    /// Appends one row of the stream, its message ids moved by `offset`.
    pub(super) fn push(&mut self, app_id: i64, values: &[Value], offset: i64) -> StoreResult<()> {
        if values.len() != self.columns.len() {
            return Err(bad(format!(
                "a row of {} with {} values",
                self.table,
                values.len()
            )));
        }
        write!(self.text, "{app_id}")?;
        for ((value, kind), column) in values.iter().zip(&self.kinds).zip(&self.columns) {
            self.text.push(b'\t');
            match kind {
                Kind::Plain => push_value(&mut self.text, &self.table, column, value)?,
                Kind::MessageId => push_value(
                    &mut self.text,
                    &self.table,
                    column,
                    &dump::shift_id(value, offset),
                )?,
                Kind::FileBytes => push_base64_bytes(&mut self.text, value)?,
            }
        }
        self.text.push(b'\n');
        Ok(())
    }

    /// Sends the rows gathered so far into `into` (the table or a temporary copy of it) as
    /// one `COPY` statement.
    pub(super) async fn send(&mut self, conn: &mut PgConnection, into: &str) -> StoreResult<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let statement = format!(
            "COPY {into} (app_id, {}) FROM STDIN",
            self.columns.join(", ")
        );
        let mut sink = conn.copy_in_raw(&statement).await?;
        sink.send(self.text.as_slice()).await?;
        sink.finish().await?;
        self.text.clear();
        Ok(())
    }
}

/// Appends `text` escaped for the text format.
pub(super) fn push_text(out: &mut Vec<u8>, text: &str) {
    let special = |b: &u8| matches!(b, b'\\' | b'\t' | b'\n' | b'\r');
    if !text.as_bytes().iter().any(special) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for b in text.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

/// Appends one portable value (see `crate::dump`): null, an integer (booleans are 0 and 1, as
/// PostgreSQL's boolean input reads them), or a string. What is not a column value is refused,
/// naming `table.column`.
pub(super) fn push_value(
    out: &mut Vec<u8>,
    table: &str,
    column: &str,
    value: &Value,
) -> StoreResult<()> {
    match value {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Bool(b) => out.push(if *b { b'1' } else { b'0' }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => push_text(out, s),
        Value::Array(_) | Value::Object(_) => {
            return Err(bad(format!("{table}.{column}: not a column value")))
        }
    }
    Ok(())
}

/// Appends a file's bytes, base64 in the file, as `bytea`'s hex input (`\x…`, its backslash
/// escaped).
pub(super) fn push_base64_bytes(out: &mut Vec<u8>, value: &Value) -> StoreResult<()> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap_or_default())
        .map_err(|e| bad(format!("files.bytes: {e}")))?;
    out.extend_from_slice(b"\\\\x");
    out.extend_from_slice(hex::encode(bytes).as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(values: &[Value]) -> String {
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            push_value(&mut out, "t", "c", v).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_escaped_for_the_text_format() {
        assert_eq!(
            row(&[
                json!(null),
                json!(-7),
                json!(true),
                json!("a\tb\nc\rd\\e ☃")
            ]),
            "\\N\t-7\t1\ta\\tb\\nc\\rd\\\\e ☃"
        );
        // A string that looks like null or the end marker stays a string.
        assert_eq!(row(&[json!("\\N"), json!("\\.")]), "\\\\N\t\\\\.");
        assert!(push_value(&mut Vec::new(), "t", "c", &json!([1])).is_err());
    }

    #[test]
    fn file_bytes_become_escaped_hex() {
        let mut out = Vec::new();
        push_base64_bytes(&mut out, &json!("AAH/")).unwrap();
        assert_eq!(out, b"\\\\x0001ff");
        assert!(push_base64_bytes(&mut Vec::new(), &json!("not base64!")).is_err());
    }
}
