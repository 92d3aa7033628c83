//! A small pool of read-only SQLite connections. WAL mode lets them read while the writer writes.
//!
//! Reads run inline on the async worker: they are indexed lookups of a few microseconds, and
//! handing each to tokio's blocking pool cost more in thread switches than the read itself. Inline
//! also makes a read cancellation-safe: there is no await between taking a connection and giving
//! it back, so a dropped request cannot lose a connection (with `spawn_blocking`, a client that
//! hung up mid-read took the connection with it, and the pool ran dry).

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

    /// Runs a short read on one of the pool's connections.
    pub(crate) async fn read<F, R>(&self, work: F) -> StoreResult<R>
    where
        F: FnOnce(&Connection) -> StoreResult<R>,
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
        let result = work(&conn);
        self.idle.lock().expect("reader pool lock").push(conn);
        result
    }

    /// Closes every idle connection and refuses further reads.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle.lock().expect("reader pool lock").clear();
    }
}
