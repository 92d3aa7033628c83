//! Uploaded files on PostgreSQL: the bytes in the row, so every node serves them.

use natter_core::AppId;

use super::PostgresStore;
use crate::{StoreResult, StoredFile};

/// Keeps a file once per id and app; `false` when the id was taken already.
pub(super) async fn put(
    db: &PostgresStore,
    app: AppId,
    id: String,
    file: StoredFile,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO files (app_id, file_id, owner, content_type, created_ms, bytes)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(app as i64)
    .bind(&id)
    .bind(&file.owner)
    .bind(&file.content_type)
    .bind(file.created_ms)
    .bind(&file.bytes)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn get(
    db: &PostgresStore,
    app: AppId,
    id: String,
) -> StoreResult<Option<StoredFile>> {
    let row: Option<(String, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT owner, content_type, created_ms, bytes FROM files
         WHERE app_id = $1 AND file_id = $2",
    )
    .bind(app as i64)
    .bind(&id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(
        row.map(|(owner, content_type, created_ms, bytes)| StoredFile {
            content_type,
            owner,
            created_ms,
            bytes,
        }),
    )
}
