//! A small pool of read-only SQLite connections. WAL mode lets them read while the writer writes;
//! each read runs on tokio's blocking pool so it never stalls the async workers.

use std::sync::Mutex;

use rusqlite::Connection;
use tokio::sync::Semaphore;

use crate::{StoreError, StoreResult};

pub(crate) struct Readers {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Readers {
    pub(crate) fn new(conns: Vec<Connection>) -> Self {
        let permits = Semaphore::new(conns.len());
        Self {
            idle: Mutex::new(conns),
            permits,
        }
    }

    pub(crate) async fn read<F, R>(&self, work: F) -> StoreResult<R>
    where
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Closed)?;
        let conn = self
            .idle
            .lock()
            .expect("reader pool lock")
            .pop()
            .ok_or(StoreError::Closed)?;
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = work(&conn);
            (conn, result)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("read task failed: {e}")))?;
        self.idle.lock().expect("reader pool lock").push(conn);
        result
    }

    /// Closes every idle connection and refuses further reads.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle.lock().expect("reader pool lock").clear();
    }
}
