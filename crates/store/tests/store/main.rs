//! The store's tests: every conformance check on each engine, one named trial each
//! (`sqlite::groups::…`, `postgres::groups::…`), and each engine's own tests (reopening,
//! upgrades). A harness of its own (libtest-mimic) so a failing check fails alone under its
//! name, and PostgreSQL trials are reported as ignored, not passed, when no server is configured.

mod postgres;
mod sqlite;

use std::future::Future;

use libtest_mimic::{Arguments, Trial};

fn main() {
    let args = Arguments::from_args();
    let mut trials = sqlite::trials();
    trials.extend(postgres::trials());
    libtest_mimic::run(&args, trials).exit();
}

/// A trial that runs `work` on a runtime of its own (what `#[tokio::test(flavor =
/// "multi_thread", worker_threads = 2)]` gave each test); a panic fails it.
fn trial<F: Future<Output = ()>>(name: String, work: impl FnOnce() -> F + Send + 'static) -> Trial {
    Trial::test(name, move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a test runtime")
            .block_on(work());
        Ok(())
    })
}
