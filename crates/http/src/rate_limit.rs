//! Per-app, per-API frequency limits, counted in one-second windows of the injectable clock
//! (Tencent states its limits as calls per second). On one node lock-free: one atomic per
//! (app, API); in a cluster the cluster's budgets (`natter_events::Budgets`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::Arc;

use natter_core::AppId;
use natter_events::Budgets;

use crate::routes::ROUTES;

pub struct RateLimiter {
    /// Per app, per route index: `second << 32 | calls in that second`.
    windows: HashMap<AppId, Box<[AtomicU64]>>,
    /// The cluster's budgets, when this node is one of several.
    shared: Option<Arc<Budgets>>,
}

impl RateLimiter {
    pub fn new(apps: impl IntoIterator<Item = AppId>) -> Self {
        let windows = apps
            .into_iter()
            .map(|app| (app, ROUTES.iter().map(|_| AtomicU64::new(0)).collect()))
            .collect();
        Self {
            windows,
            shared: None,
        }
    }

    /// Limits counted for the whole cluster in `budgets`.
    pub fn shared(mut self, budgets: Arc<Budgets>) -> Self {
        self.shared = Some(budgets);
        self
    }

    /// Counts one call of API `name` (route `route`) limited to `limit` calls a second (0: no
    /// limit): its place in the current second, in the cluster when there is one; past the
    /// limit, more than `limit`.
    pub async fn count(
        &self,
        app: AppId,
        route: usize,
        name: &str,
        now_secs: i64,
        limit: u32,
    ) -> u32 {
        match &self.shared {
            Some(budgets) if limit > 0 => {
                let key = format!("api.{app}.{name}");
                let place = budgets.take(&key, now_secs, limit).await;
                place.unwrap_or(limit.saturating_add(1))
            }
            _ => self.hit(app, route, now_secs),
        }
    }

    /// Counts one call and returns how many calls this API has had in the current second.
    pub fn hit(&self, app: AppId, route: usize, now_secs: i64) -> u32 {
        let Some(slot) = self.windows.get(&app).and_then(|w| w.get(route)) else {
            return 0;
        };
        let second = (now_secs as u64) & 0xffff_ffff;
        let mut current = slot.load(Ordering::Relaxed);
        loop {
            let (window, count) = (current >> 32, current & 0xffff_ffff);
            let next_count = if window == second {
                count.saturating_add(1).min(0xffff_ffff)
            } else {
                1
            };
            let next = (second << 32) | next_count;
            match slot.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next_count as u32,
                Err(seen) => current = seen,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_second_per_app_and_api() {
        let limiter = RateLimiter::new([1, 2]);
        assert_eq!(limiter.hit(1, 0, 100), 1);
        assert_eq!(limiter.hit(1, 0, 100), 2);
        assert_eq!(limiter.hit(1, 1, 100), 1);
        assert_eq!(limiter.hit(2, 0, 100), 1);
        assert_eq!(limiter.hit(1, 0, 101), 1);
        assert_eq!(limiter.hit(3, 0, 100), 0, "unknown app");
    }
}
