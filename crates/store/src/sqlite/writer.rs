//! The single SQLite writer, with group commit.
//!
//! SQLite allows one writer at a time, and a durable commit costs an fsync. So all writes go to
//! one thread, which takes every job waiting in its queue, runs each inside its own savepoint
//! (a failing job rolls back alone), and commits them together: under load, many replies share
//! one fsync. A job's result is sent only after the commit that holds it is durable, so a reply
//! built on it can never be lost by a crash.

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, StoreResult};

/// Most jobs grouped into one transaction; bounds the latency one group adds.
const MAX_GROUP: usize = 512;

trait Job: Send {
    /// Runs the job inside the open transaction; false means it failed and must be rolled back.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the group's commit has succeeded or failed.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<F, R> {
    work: Option<F>,
    result: Option<StoreResult<R>>,
    reply: oneshot::Sender<StoreResult<R>>,
}

impl<F, R> Job for TypedJob<F, R>
where
    F: FnOnce(&Connection) -> StoreResult<R> + Send,
    R: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let work = self.work.take().expect("a job runs once");
        let result = work(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let outcome = match (commit, self.result) {
            (_, None) => Err(StoreError::Closed),
            (_, Some(Err(job_error))) => Err(job_error),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Err(e), Some(Ok(_))) => Err(StoreError::CommitFailed(e)),
        };
        let _ = self.reply.send(outcome);
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer thread on `conn`; it stops when every `Writer` handle is dropped.
    pub(crate) fn start(conn: Connection) -> (Self, std::thread::JoinHandle<()>) {
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>(4096);
        let thread = std::thread::Builder::new()
            .name("natter-sqlite-writer".into())
            .spawn(move || run(conn, jobs))
            .expect("spawning the writer thread");
        (Self { queue }, thread)
    }

    /// Runs `work` in a write transaction; resolves after the transaction is durable.
    pub(crate) async fn write<F, R>(&self, work: F) -> StoreResult<R>
    where
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, outcome) = oneshot::channel();
        let job = Box::new(TypedJob {
            work: Some(work),
            result: None,
            reply,
        });
        self.queue.send(job).await.map_err(|_| StoreError::Closed)?;
        outcome.await.map_err(|_| StoreError::Closed)?
    }
}

fn run(conn: Connection, mut jobs: mpsc::Receiver<Box<dyn Job>>) {
    let mut group: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = jobs.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let commit = commit_group(&conn, &mut group);
        if let Err(e) = &commit {
            tracing::error!(error = %e, jobs = group.len(), "sqlite group commit failed");
        }
        for job in group.drain(..) {
            job.finish(commit.clone());
        }
    }
    // Every handle is gone: fold the WAL back into the database so the next start is quick.
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "sqlite checkpoint at close failed");
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(error = %e, "sqlite close failed");
    }
}

/// Runs one prepared statement without parameters; statements are cached, since a job's savepoint
/// statements run for every job and parsing them each time was a fifth of the writer's time.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn commit_group(conn: &Connection, group: &mut [Box<dyn Job>]) -> Result<(), String> {
    run_cached(conn, "BEGIN IMMEDIATE").map_err(|e| e.to_string())?;
    for job in group.iter_mut() {
        let step = run_cached(conn, "SAVEPOINT job").and_then(|()| {
            if job.run(conn) {
                run_cached(conn, "RELEASE job")
            } else {
                run_cached(conn, "ROLLBACK TO job").and_then(|()| run_cached(conn, "RELEASE job"))
            }
        });
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.to_string());
        }
    }
    run_cached(conn, "COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        e.to_string()
    })
}
