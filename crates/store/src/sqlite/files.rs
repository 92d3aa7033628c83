//! Uploaded files in SQLite mode: the bytes in the data directory (`files/<app>/<id>`, next to
//! the database file), the rest in the `files` table. The bytes are written and synced to a
//! temporary file first; the writer job that inserts the row renames it into place, so a row
//! never names a file that is not complete.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use natter_core::AppId;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::{is_file_id, StoreError, StoreResult, StoredFile};

/// The directory of one app's files.
pub(super) fn app_dir(db: &Path, app: AppId) -> PathBuf {
    let base = db.parent().unwrap_or_else(|| Path::new("."));
    base.join("files").join(app.to_string())
}

fn checked(id: &str) -> StoreResult<()> {
    if is_file_id(id) {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("not a file id: {id:?}")))
    }
}

impl SqliteStore {
    pub(super) async fn put_file_impl(
        &self,
        app: AppId,
        id: String,
        file: StoredFile,
    ) -> StoreResult<bool> {
        checked(&id)?;
        let dir = app_dir(self.path(), app);
        static UPLOADS: AtomicU64 = AtomicU64::new(0);
        let n = UPLOADS.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{id}.{}-{n}.part", std::process::id()));
        let bytes = file.bytes;
        let size = bytes.len() as i64;
        {
            let (dir, temp) = (dir.clone(), temp.clone());
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                let mut out = std::fs::File::create(&temp)?;
                out.write_all(&bytes)?;
                out.sync_all()
            })
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        }
        let (final_path, temp_path) = (dir.join(&id), temp.clone());
        let inserted = self
            .write(move |conn| {
                let inserted = conn.execute(
                    "INSERT INTO files (app_id, file_id, owner, content_type, size, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                    params![
                        app as i64,
                        id,
                        file.owner,
                        file.content_type,
                        size,
                        file.created_ms
                    ],
                )? == 1;
                if inserted {
                    std::fs::rename(&temp_path, &final_path)?;
                    if let Ok(dir) = std::fs::File::open(final_path.parent().expect("in a dir")) {
                        let _ = dir.sync_all();
                    }
                }
                Ok(inserted)
            })
            .await;
        if !matches!(inserted, Ok(true)) {
            let _ = std::fs::remove_file(&temp);
        }
        inserted
    }

    pub(super) async fn get_file_impl(
        &self,
        app: AppId,
        id: String,
    ) -> StoreResult<Option<StoredFile>> {
        if !is_file_id(&id) {
            return Ok(None);
        }
        let key = id.clone();
        let row = self
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT owner, content_type, created_ms FROM files
                         WHERE app_id = ?1 AND file_id = ?2",
                    )?
                    .query_row(params![app as i64, key], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
                    })
                    .optional()?)
            })
            .await?;
        let Some((owner, content_type, created_ms)) = row else {
            return Ok(None);
        };
        let bytes = tokio::fs::read(app_dir(self.path(), app).join(&id)).await?;
        Ok(Some(StoredFile {
            content_type,
            owner,
            created_ms,
            bytes,
        }))
    }

    /// Removes one app's files from the data directory (its rows go with the app's reset).
    pub(super) fn remove_app_files(&self, app: AppId) -> StoreResult<()> {
        match std::fs::remove_dir_all(app_dir(self.path(), app)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}
