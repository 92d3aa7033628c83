//! The store's operations, one trait per area of the domain. [`Store`](crate::Store) requires
//! them all, so `Arc<dyn Store>` answers every operation (a trait object's methods include its
//! supertraits' with no import); a concrete store or a generic `S: Store` needs the trait in
//! scope (`use natter_store::prelude::*`).
//!
//! A new operation goes into the trait of its area here, into that trait's `impl` in each backend
//! (in the backend's file of the area: `accounts.rs`, `ops.rs`, …, or `c2c_store.rs`,
//! `group_store.rs`, `relation_store.rs` where the area's SQL files are long) and into the
//! conformance suite.

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
