//! After-callbacks a send hands to the store as templates ([`OutboxTemplate`]), so the store
//! writes the message and its callback in one round trip and fills in the one number only it
//! knows (the recipient's new unread total, a group message's `MsgSeq`).

use natter_core::AppId;
use natter_store::OutboxTemplate;
use natter_webhook::payloads::Payload;
use natter_webhook::{Origin, Webhooks};

/// What an after-callback becomes.
pub(crate) enum Prepared {
    /// The rows to write (none when the app does not want the callback).
    Rows(Vec<OutboxTemplate>),
    /// The body does not hold the number exactly once; the caller builds it once the number
    /// is known instead.
    Unsplittable,
}

/// The outbox rows of `payload`, with the number `set` writes into it left for the store: the
/// payload is rendered with 1 and with 2, and the renderings differ where the number goes.
pub(crate) fn prepare<P: Payload + Clone>(
    webhooks: &Webhooks,
    app: AppId,
    payload: &P,
    set: impl Fn(&mut P, u64),
    order_key: &str,
    origin: &Origin,
) -> Prepared {
    let render = |number: u64| {
        let mut rendered = payload.clone();
        set(&mut rendered, number);
        webhooks.after(app, &rendered, order_key, origin)
    };
    let Some(one) = render(1) else {
        return Prepared::Rows(Vec::new());
    };
    let Some(two) = render(2) else {
        return Prepared::Rows(Vec::new());
    };
    match OutboxTemplate::from_renderings(one, two) {
        Some(template) => Prepared::Rows(vec![template]),
        None => Prepared::Unsplittable,
    }
}
