//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, so every
//! acknowledged write survives a crash or power loss; a group-committing writer thread
//! ([`writer`]) and a pool of readers ([`readers`]).

mod accounts;
mod applications;
mod c2c;
mod c2c_own;
mod c2c_store;
mod contacts;
mod conversations;
mod dump;
mod extensions;
mod files;
mod follows;
mod group_own;
mod group_store;
mod groups;
mod migrations;
mod moderation;
mod ops;
mod outbox;
mod pins;
mod push;
mod reactions;
mod readers;
mod relation_store;
mod relations;
mod search;
mod topics;
mod unread;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use natter_core::AppId;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::{ProfileValue, Store, StoreError, StoreResult};
use readers::Readers;
use writer::Writer;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<Writer>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Readers,
}

const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        Self::open_with_schema_limit(path, None)
    }

    /// Like [`open`](Self::open) but stops migrating at `limit`: lets tests build an "old" data dir.
    #[doc(hidden)]
    pub fn open_with_schema_limit(path: impl AsRef<Path>, limit: Option<i64>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 268435456;",
        )?;
        migrations::migrate(&mut conn, limit)?;
        // rusqlite caches 16 statements by default; the write paths use more than that, and a
        // statement evicted from the cache is parsed again on its next use.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let (writer, thread) = Writer::start(conn);
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            // A 64 MiB page cache and memory-mapped reads: with the default 2 MiB cache a long
            // history's indexes did not fit, and every miss was a read system call.
            reader.execute_batch(
                "PRAGMA busy_timeout = 5000;
                 PRAGMA cache_size = -65536;
                 PRAGMA mmap_size = 268435456;",
            )?;
            reader.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            readers.push(reader);
        }
        Ok(Self {
            path,
            writer: Mutex::new(Some(writer)),
            writer_thread: Mutex::new(Some(thread)),
            readers: Readers::new(readers),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write<F, R>(&self, work: F) -> StoreResult<R>
    where
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let writer = self
            .writer
            .lock()
            .expect("writer handle lock")
            .clone()
            .ok_or(StoreError::Closed)?;
        writer.write(work).await
    }
}

fn account_exists(conn: &Connection, app: AppId, user_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM accounts WHERE app_id = ?1 AND user_id = ?2")?
        .query_row(params![app as i64, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn put_profile_items(
    conn: &Connection,
    app: AppId,
    user_id: &str,
    items: &[ProfileValue],
    now_ms: i64,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO profile_items (app_id, user_id, tag, value, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (app_id, user_id, tag) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
    )?;
    for item in items {
        upsert.execute(params![
            app as i64,
            user_id,
            item.tag,
            item.value.to_string(),
            now_ms
        ])?;
    }
    Ok(())
}

fn parse_value(tag: String, text: String) -> StoreResult<ProfileValue> {
    let value = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("profile item {tag}: {e}")))?;
    Ok(ProfileValue { tag, value })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.readers
            .read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn close(&self) {
        // Dropping the last writer handle lets the thread drain its queue, checkpoint and close.
        self.writer.lock().expect("writer handle lock").take();
        self.readers.close();
        let thread = self
            .writer_thread
            .lock()
            .expect("writer thread lock")
            .take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
