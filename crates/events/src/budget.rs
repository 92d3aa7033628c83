//! Per-second budgets (frequency limits) that hold for a whole cluster.
//!
//! On one node a budget is a counter. In a cluster the count of each budget and second is kept
//! in NATS's key-value store (bucket `<cluster>_budgets`, entries kept 10 s), and a node
//! reserves a run of positions at a time by compare-and-set (a tenth of the limit, 1 to 50),
//! then hands them out locally. Positions are the cluster's: the n-th call admitted in a second
//! anywhere has position n, so the cluster never admits more than the limit, and admits at least
//! the limit less what the nodes reserved and did not use (under one run per node) when load
//! moves between nodes within a second. A request waits for NATS only when its node's run is
//! used up. If NATS cannot be reached the node falls back to counting alone (logged).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_nats::jetstream::{self, kv};

/// One second of one budget, as this node knows it.
#[derive(Default)]
struct Window {
    second: i64,
    /// The next position (0-based) of this node's reserved run, and its end (exclusive).
    next: u32,
    end: u32,
    /// The most the cluster had reserved when this node last looked.
    known_total: u32,
}

/// How many compare-and-set attempts a reservation makes before it falls back to this node.
const CAS_ATTEMPTS: usize = 16;

pub struct Budgets {
    shared: Option<kv::Store>,
    windows: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Window>>>>,
}

impl Budgets {
    /// Budgets counted by this process alone.
    pub fn local() -> Self {
        Self {
            shared: None,
            windows: Mutex::default(),
        }
    }

    /// Budgets shared by the nodes of `cluster` through NATS.
    pub async fn clustered(client: async_nats::Client, cluster: &str) -> Result<Self, String> {
        let js = jetstream::new(client);
        let name = crate::presence::bucket_name(cluster, "budgets");
        let config = jetstream::stream::Config {
            name: format!("KV_{name}"),
            description: Some("Natter: per-second frequency limits of the cluster".into()),
            subjects: vec![format!("$KV.{name}.>")],
            max_messages_per_subject: 1,
            max_age: std::time::Duration::from_secs(10),
            storage: jetstream::stream::StorageType::Memory,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: jetstream::stream::DiscardPolicy::New,
            ..Default::default()
        };
        let created = js.create_stream(config).await.err();
        let store = js.get_key_value(name.as_str()).await.map_err(|e| {
            let created = created.map(|c| format!("{c}; ")).unwrap_or_default();
            format!("budget bucket {name} in NATS: {created}{e}")
        })?;
        Ok(Self {
            shared: Some(store),
            windows: Mutex::default(),
        })
    }

    /// Takes one call of `key`'s budget of `limit` calls in `second`: its position in that
    /// second (1 for the first), or `None` when the budget is used up.
    pub async fn take(&self, key: &str, second: i64, limit: u32) -> Option<u32> {
        self.spend(key, second, Some(limit)).await
    }

    /// Counts one call of `key` in `second` whatever the budget (it still uses one position,
    /// crowding the others out): its position.
    pub async fn force(&self, key: &str, second: i64) -> u32 {
        self.spend(key, second, None).await.unwrap_or(u32::MAX)
    }

    async fn spend(&self, key: &str, second: i64, limit: Option<u32>) -> Option<u32> {
        let window = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            if windows.len() > 100_000 {
                windows.retain(|_, w| w.try_lock().map_or(true, |w| w.second >= second));
            }
            windows.entry(key.to_owned()).or_default().clone()
        };
        let mut window = window.lock().await;
        if window.second != second {
            *window = Window {
                second,
                ..Window::default()
            };
        }
        let cap = limit.unwrap_or(u32::MAX);
        loop {
            if window.next < window.end && window.next < cap {
                window.next += 1;
                return Some(window.next);
            }
            if window.known_total >= cap {
                return None;
            }
            let Some(shared) = &self.shared else {
                // One node: the run is simply the next position.
                window.known_total += 1;
                window.end = window.known_total;
                continue;
            };
            let run = limit.map_or(1, |l| (l / 10).clamp(1, 50));
            match reserve(shared, key, second, cap, run).await {
                Ok((start, granted)) => {
                    window.known_total = window.known_total.max(start + granted);
                    if granted == 0 {
                        return None;
                    }
                    window.next = start;
                    window.end = start + granted;
                }
                Err(e) => {
                    tracing::warn!(key, error = %e, "budget: NATS unreachable; counting alone");
                    window.known_total += 1;
                    window.next = window.known_total - 1;
                    window.end = window.known_total;
                }
            }
        }
    }
}

/// Reserves up to `run` positions of `key` in `second` below `cap`: the first position and how
/// many were granted (0 when the cluster has used the budget).
async fn reserve(
    shared: &kv::Store,
    key: &str,
    second: i64,
    cap: u32,
    run: u32,
) -> Result<(u32, u32), String> {
    let key = format!("{}.{second}", encode(key));
    for _ in 0..CAS_ATTEMPTS {
        let entry = shared
            .entry(key.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let (total, revision) = match &entry {
            Some(entry) if entry.operation == kv::Operation::Put => (
                std::str::from_utf8(&entry.value)
                    .ok()
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0),
                Some(entry.revision),
            ),
            Some(entry) => (0, Some(entry.revision)),
            None => (0, None),
        };
        if total >= cap {
            return Ok((total, 0));
        }
        let granted = run.min(cap - total);
        let value = (total + granted).to_string().into();
        let written = match revision {
            Some(revision) => match shared.update(key.as_str(), value, revision).await {
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => continue,
                other => other.map(|_| ()).map_err(|e| e.to_string()),
            },
            None => match shared.create(key.as_str(), value).await {
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => continue,
                other => other.map(|_| ()).map_err(|e| e.to_string()),
            },
        };
        written?;
        return Ok((total, granted));
    }
    Err("too many concurrent reservations".into())
}

/// Budget names hold any character; keys take few, so the name is written in hex.
fn encode(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_node_counts_positions_per_second_and_key() {
        let budgets = Budgets::local();
        assert_eq!(budgets.take("a", 100, 2).await, Some(1));
        assert_eq!(budgets.take("a", 100, 2).await, Some(2));
        assert_eq!(budgets.take("a", 100, 2).await, None);
        assert_eq!(budgets.take("b", 100, 2).await, Some(1));
        // A forced call counts past the limit; a smaller share is used up sooner.
        assert_eq!(budgets.force("b", 100).await, 2);
        assert_eq!(budgets.take("b", 100, 2).await, None);
        assert_eq!(budgets.take("a", 101, 2).await, Some(1));
        assert_eq!(budgets.take("c", 100, 4).await, Some(1));
        assert_eq!(budgets.take("c", 100, 1).await, None, "share of 1 used");
        assert_eq!(budgets.take("c", 100, 4).await, Some(2));
    }
}
