//! Admission: how many connections are open, in all and per client address, and which of them
//! may be closed to make room for a newcomer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::time::Instant;

/// One open connection, as the gate and its serving task see it.
pub(crate) struct Conn {
    id: u64,
    ip: IpAddr,
    /// Requests handed to the router and not answered yet.
    in_flight: AtomicUsize,
    /// Last byte read or written, in milliseconds since the gate's `base`.
    last_active: AtomicU64,
    /// Set when the gate chose this connection to make room; its task closes it.
    pub(crate) evict: Notify,
    evicted: AtomicBool,
    base: Instant,
}

impl Conn {
    pub(crate) fn touch(&self) {
        let ms = self.base.elapsed().as_millis() as u64;
        self.last_active.store(ms, Ordering::Relaxed);
    }

    pub(crate) fn last_active(&self) -> Instant {
        self.base + std::time::Duration::from_millis(self.last_active.load(Ordering::Relaxed))
    }

    pub(crate) fn busy(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) > 0
    }
}

/// A request in flight on a connection: the connection is not idle, so it is neither timed out
/// nor evicted while the request is served.
pub(crate) struct Busy(Arc<Conn>);

impl Busy {
    pub(crate) fn start(conn: &Arc<Conn>) -> Self {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        conn.touch();
        Self(conn.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `max_connections` are open and none is idle.
    Full,
    /// `max_connections_per_ip` are open from this address and none is idle.
    PerAddress,
}

impl Refusal {
    /// The `reason` label of the refusal counter.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::PerAddress => "per_address",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
    /// Connections still speaking HTTP (an upgraded WebSocket leaves this map but keeps its
    /// slot): the candidates for eviction.
    http: HashMap<u64, Arc<Conn>>,
}

pub(crate) struct Gate {
    max_total: usize,
    max_per_ip: usize,
    counts: Mutex<Counts>,
    next_id: AtomicU64,
    base: Instant,
}

/// An admitted connection's place in the counts; given back when dropped, which happens when the
/// socket is closed (it lives in the socket's wrapper, so an upgraded WebSocket keeps it).
pub(crate) struct Slot {
    gate: Arc<Gate>,
    pub(crate) conn: Arc<Conn>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.gate.counts.lock().expect("gate lock");
        counts.total -= 1;
        if let Some(n) = counts.per_ip.get_mut(&self.conn.ip) {
            *n -= 1;
            if *n == 0 {
                counts.per_ip.remove(&self.conn.ip);
            }
        }
        counts.http.remove(&self.conn.id);
    }
}

impl Gate {
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_ip,
            counts: Mutex::default(),
            next_id: AtomicU64::new(0),
            base: Instant::now(),
        })
    }

    /// Admits a connection from `ip`. At a limit, the idle connection (nothing in flight) that
    /// has been quiet longest makes room: of the same address at the per-address limit, of any
    /// otherwise. Its slot is given back once its task has closed it, so the counts can exceed
    /// a limit by the evictions under way, briefly.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
        let mut counts = self.counts.lock().expect("gate lock");
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        if from_ip >= self.max_per_ip {
            if !evict_idlest(&mut counts, Some(ip)) {
                return Err(Refusal::PerAddress);
            }
        } else if counts.total >= self.max_total && !evict_idlest(&mut counts, None) {
            return Err(Refusal::Full);
        }
        let conn = Arc::new(Conn {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            ip,
            in_flight: AtomicUsize::new(0),
            last_active: AtomicU64::new(0),
            evict: Notify::new(),
            evicted: AtomicBool::new(false),
            base: self.base,
        });
        conn.touch();
        counts.total += 1;
        *counts.per_ip.entry(ip).or_default() += 1;
        counts.http.insert(conn.id, conn.clone());
        Ok(Slot {
            gate: self.clone(),
            conn,
        })
    }

    /// The connection stopped speaking HTTP (closed, or upgraded to a WebSocket, which is never
    /// evicted: it is a logged-in user or about to be, and bounded by its login wait).
    pub(crate) fn retire(&self, conn: &Conn) {
        self.counts.lock().expect("gate lock").http.remove(&conn.id);
    }

    #[cfg(test)]
    fn open(&self) -> usize {
        self.counts.lock().unwrap().total
    }
}

fn evict_idlest(counts: &mut Counts, ip: Option<IpAddr>) -> bool {
    let idlest = counts
        .http
        .values()
        .filter(|c| ip.is_none_or(|ip| c.ip == ip))
        .filter(|c| !c.busy() && !c.evicted.load(Ordering::Relaxed))
        // Among equally quiet ones (the clock counts milliseconds), the oldest.
        .min_by_key(|c| (c.last_active.load(Ordering::Relaxed), c.id))
        .cloned();
    let Some(conn) = idlest else {
        return false;
    };
    counts.http.remove(&conn.id);
    conn.evicted.store(true, Ordering::Relaxed);
    metrics::counter!(super::EVICTED).increment(1);
    // A stored permit: the task sees it even if it is not waiting at this instant.
    conn.evict.notify_one();
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[tokio::test]
    async fn busy_connections_are_never_evicted_and_slots_come_back() {
        let gate = Gate::new(2, 2);
        let first = gate.admit(A).unwrap();
        let second = gate.admit(B).unwrap();
        let _busy = (Busy::start(&first.conn), Busy::start(&second.conn));
        assert_eq!(gate.admit(B).err(), Some(Refusal::Full));
        drop(first);
        assert_eq!(gate.open(), 1);
        assert!(gate.admit(A).is_ok());
    }

    #[tokio::test]
    async fn the_idlest_connection_makes_room() {
        let gate = Gate::new(2, 2);
        let old = gate.admit(A).unwrap();
        let new = gate.admit(B).unwrap();
        // Bytes moved on the newer one a second after the older one's last.
        let old_last = old.conn.last_active.load(Ordering::Relaxed);
        new.conn
            .last_active
            .store(old_last + 1000, Ordering::Relaxed);
        let _third = gate.admit(B).unwrap();
        assert!(
            old.conn.evicted.load(Ordering::Relaxed),
            "the quieter one goes"
        );
        assert!(!new.conn.evicted.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn the_address_limit_evicts_only_that_address() {
        let gate = Gate::new(10, 1);
        let other = gate.admit(B).unwrap();
        let mine = gate.admit(A).unwrap();
        let _busy = Busy::start(&mine.conn);
        assert_eq!(gate.admit(A).err(), Some(Refusal::PerAddress));
        assert!(!other.conn.evicted.load(Ordering::Relaxed));
        drop(_busy);
        assert!(gate.admit(A).is_ok());
        assert!(mine.conn.evicted.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn an_upgraded_connection_keeps_its_slot_and_is_not_evicted() {
        let gate = Gate::new(1, 1);
        let ws = gate.admit(A).unwrap();
        gate.retire(&ws.conn);
        assert_eq!(gate.admit(A).err(), Some(Refusal::PerAddress));
        assert_eq!(gate.admit(B).err(), Some(Refusal::Full));
    }
}
