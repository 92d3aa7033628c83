//! The store's operations, one trait per area of the domain. [`Store`](crate::Store) requires
//! them all, so `Arc<dyn Store>` reaches every operation; a caller brings the traits it calls
//! into scope with `use natter_store::prelude::*`.
//!
//! A new operation goes into the trait of its area here, into that trait's `impl` in each backend
//! (`postgres/<area>.rs`, `sqlite/<area>.rs`) and into the conformance suite.

mod accounts;
mod c2c;
mod conversations;
mod groups;
mod ops;
mod outbox;
mod pins_reactions;
mod push;
mod relations;

pub use accounts::AccountStore;
pub use c2c::C2cStore;
pub use conversations::ConversationStore;
pub use groups::GroupStore;
pub use ops::OpsStore;
pub use outbox::OutboxStore;
pub use pins_reactions::PinReactionStore;
pub use push::PushStore;
pub use relations::RelationStore;
