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
}

impl DeliveryLog {
    pub fn record(&self, app: AppId, delivery: Delivery) {
        let mut by_app = self.by_app.lock().expect("delivery log lock");
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

    pub fn clear(&self, app: AppId) {
        self.by_app.lock().expect("delivery log lock").remove(&app);
    }
}
