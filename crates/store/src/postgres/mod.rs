//! The PostgreSQL backend, for one or many stateless Natter nodes sharing one database.
//! Each write is one transaction; PostgreSQL itself groups concurrent commits into one WAL flush.

mod accounts;
mod applications;
mod c2c;
mod c2c_own;
mod c2c_store;
mod contacts;
mod conversations;
mod copy;
mod dump;
mod extensions;
mod files;
mod follows;
mod group_own;
mod group_sends;
mod group_store;
mod groups;
mod migrations;
mod moderation;
mod ops;
mod outbox;
mod pins;
mod push;
mod reactions;
mod relation_store;
mod relations;
mod search;
mod sends;
mod topics;
mod unread;

use std::future::Future;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::{Store, StoreResult};

/// A handle on the pool; clones share it.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

/// Connections a node keeps to PostgreSQL unless told otherwise (`--database-pool`).
pub const DEFAULT_POOL: u32 = 32;

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) with a pool of `DEFAULT_POOL` connections and brings
    /// the schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_pooled(url, DEFAULT_POOL).await
    }

    /// [`Self::connect`] with at most `pool` connections.
    pub async fn connect_pooled(url: &str, pool: u32) -> StoreResult<Self> {
        Self::open(url, pool, None).await
    }

    #[doc(hidden)]
    pub async fn connect_with_schema_limit(url: &str, limit: Option<i64>) -> StoreResult<Self> {
        Self::open(url, DEFAULT_POOL, limit).await
    }

    async fn open(url: &str, pool: u32, limit: Option<i64>) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse()?;
        // sqlx pings a connection when it goes back to the pool (a broken one is dropped there)
        // and, by default, again before handing it out: a round trip of its own on every call.
        // The second ping is left out; a connection the server closed while it sat idle fails
        // its next call once (an internal error) and is dropped.
        let pool = PgPoolOptions::new()
            .max_connections(pool)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        migrations::migrate(&pool, limit).await?;
        Ok(Self { pool })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Runs one call's `work` on its own task and waits for it; every operation of [`Store`]
    /// and of the area traits it is made of goes through here.
    ///
    /// An HTTP handler's future is dropped when its client hangs up. Dropped in the middle of a
    /// storage call, it would cancel the call too, and sqlx 0.8 then leaks an open transaction on
    /// a pooled connection when the cancelled call was inside `begin()` (sqlx issues #2805,
    /// #4393): the next borrower's statements would run inside that stale transaction. The
    /// PostgreSQL benchmark showed PostgreSQL's "there is already a transaction in progress"
    /// warnings when `wrk` closed its connections at the end of a run. On its own task the call
    /// always runs to its end, whoever stops waiting for it. (A test that cancels thousands of
    /// calls at random points did not reproduce the leak deterministically, so none is kept.)
    /// SQLite needs none of this: its writes run on the writer thread, its reads inline.
    async fn detached<T, F>(&self, work: impl FnOnce(Self) -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        match tokio::spawn(work(self.clone())).await {
            Ok(value) => value,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("storage task stopped: {e}"),
        }
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.detached(|store| async move {
            sqlx::query("SELECT 1").execute(&store.pool).await?;
            Ok(())
        })
        .await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
