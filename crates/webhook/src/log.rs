//! The delivery log: the last deliveries per app, for the emulator's inspector
//! (`GET /_natter/webhooks`). Kept in memory on the node that delivered them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use natter_core::AppId;
use serde::Serialize;

/// Deliveries kept per app.
pub const KEPT_PER_APP: usize = 200;

#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Increases with every entry of the node's log (all apps), from 1: the cursor of
    /// `GET /_natter/webhooks?after=` and the handle of a replay. Set by [`DeliveryLog::record`].
    pub id: u64,
    /// Unix milliseconds when the attempt started.
    pub at_ms: i64,
    pub command: String,
    /// The full URL, query included.
    pub url: String,
    pub body: serde_json::Value,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The response body (or the start of it), when there was one.
    pub response: Option<String>,
    pub latency_ms: u64,
    /// `ok`, `failed`, `timeout`, `retrying`, `dead`, `injected-failure`, `injected-timeout`.
    pub outcome: String,
    /// Attempts including this one.
    pub attempts: u32,
    pub error: Option<String>,
}

#[derive(Default)]
pub struct DeliveryLog {
    by_app: Mutex<HashMap<AppId, VecDeque<Delivery>>>,
    /// The last id given.
    last_id: Mutex<u64>,
}

impl DeliveryLog {
    pub fn record(&self, app: AppId, mut delivery: Delivery) {
        let mut by_app = self.by_app.lock().expect("delivery log lock");
        // Taken under the log's lock, so ids rise in the order entries are kept.
        let mut last_id = self.last_id.lock().expect("delivery id lock");
        *last_id += 1;
        delivery.id = *last_id;
        let entries = by_app.entry(app).or_default();
        if entries.len() == KEPT_PER_APP {
            entries.pop_front();
        }
        entries.push_back(delivery);
    }

    /// Newest first.
    pub fn recent(&self, app: AppId) -> Vec<Delivery> {
        let by_app = self.by_app.lock().expect("delivery log lock");
        by_app
            .get(&app)
            .map(|e| e.iter().rev().cloned().collect())
            .unwrap_or_default()
    }

    /// Newest first, only the entries after `after` (an id from an earlier answer), so a page
    /// that polls gets each entry once.
    pub fn since(&self, app: AppId, after: u64) -> Vec<Delivery> {
        let by_app = self.by_app.lock().expect("delivery log lock");
        by_app
            .get(&app)
            .map(|e| {
                e.iter()
                    .rev()
                    .take_while(|d| d.id > after)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The entry with this id, while the log still holds it.
    pub fn find(&self, app: AppId, id: u64) -> Option<Delivery> {
        let by_app = self.by_app.lock().expect("delivery log lock");
        by_app.get(&app)?.iter().find(|d| d.id == id).cloned()
    }

    /// The last id given (0 before any delivery).
    pub fn last_id(&self) -> u64 {
        *self.last_id.lock().expect("delivery id lock")
    }

    pub fn clear(&self, app: AppId) {
        self.by_app.lock().expect("delivery log lock").remove(&app);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(command: &str) -> Delivery {
        Delivery {
            id: 0,
            at_ms: 0,
            command: command.into(),
            url: String::new(),
            body: serde_json::Value::Null,
            status: None,
            response: None,
            latency_ms: 0,
            outcome: "ok".into(),
            attempts: 1,
            error: None,
        }
    }

    #[test]
    fn ids_rise_across_apps_and_since_returns_only_newer_ones() {
        let log = DeliveryLog::default();
        assert_eq!(log.last_id(), 0);
        log.record(1, delivery("a"));
        log.record(2, delivery("other app"));
        log.record(1, delivery("b"));
        assert_eq!(log.last_id(), 3);
        let ids = |v: Vec<Delivery>| {
            v.iter()
                .map(|d| (d.id, d.command.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(log.since(1, 0)), [(3, "b".into()), (1, "a".into())]);
        assert_eq!(ids(log.since(1, 1)), [(3, "b".into())]);
        assert!(log.since(1, 3).is_empty());
        assert_eq!(log.find(1, 1).unwrap().command, "a");
        assert!(log.find(1, 2).is_none(), "another app's delivery");
    }

    #[test]
    fn the_oldest_entries_go_first() {
        let log = DeliveryLog::default();
        for _ in 0..KEPT_PER_APP + 5 {
            log.record(1, delivery("x"));
        }
        let kept = log.recent(1);
        assert_eq!(kept.len(), KEPT_PER_APP);
        assert_eq!(kept.last().unwrap().id, 6, "ids 1–5 fell out");
        assert!(log.find(1, 5).is_none());
    }
}
