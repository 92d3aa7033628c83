pub mod commands;
pub mod config;
pub mod egress;
pub mod engine;
pub mod log;
pub mod payloads;
mod sign;

pub use config::{FailurePolicy, WebhookConfig};
pub use engine::{Asked, BeforeOutcome, FaultKind, Origin, Webhooks, REST_PLATFORM};
