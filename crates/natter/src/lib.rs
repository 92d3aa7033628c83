//! The `natter` binary's library: configuration, start-up and shutdown. Kept as a library so
//! integration tests start the very same server in-process on a random port.

pub mod accept;
pub mod config;
mod private;
mod server;
pub mod transfer;

pub use accept::ConnectionLimits;
pub use server::{open_store, start, Running};
