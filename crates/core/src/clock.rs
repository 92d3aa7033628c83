//! The one time source. Everything that reads "now" (UserSig expiry, message times, rate-limit
//! windows) goes through a [`Clock`], so tests and the emulator's control plane can move time.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    /// Added to the system time, in milliseconds (may be negative).
    offset_ms: AtomicI64,
    /// When set, time stands still at `frozen_at_ms`.
    frozen: AtomicBool,
    frozen_at_ms: AtomicI64,
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `unix_ms` until moved.
    pub fn frozen_at(unix_ms: i64) -> Self {
        let clock = Self::default();
        clock.freeze(unix_ms);
        clock
    }

    pub fn now_ms(&self) -> i64 {
        if self.frozen.load(Ordering::Acquire) {
            return self.frozen_at_ms.load(Ordering::Acquire);
        }
        system_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Stops time at `unix_ms`.
    pub fn freeze(&self, unix_ms: i64) {
        self.frozen_at_ms.store(unix_ms, Ordering::Release);
        self.frozen.store(true, Ordering::Release);
    }

    /// Whether time stands still.
    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::Acquire)
    }

    /// Lets time run again from where it stands now.
    pub fn unfreeze(&self) {
        if self.frozen.swap(false, Ordering::AcqRel) {
            let at = self.frozen_at_ms.load(Ordering::Acquire);
            self.offset_ms.store(at - system_ms(), Ordering::Relaxed);
        }
    }

    /// Moves time forward (or back, with a negative delta).
    pub fn advance_ms(&self, delta: i64) {
        if self.frozen.load(Ordering::Acquire) {
            self.frozen_at_ms.fetch_add(delta, Ordering::AcqRel);
        } else {
            self.offset_ms.fetch_add(delta, Ordering::Relaxed);
        }
    }
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let clock = Clock::frozen_at(1_700_000_000_000);
        assert_eq!(clock.now_secs(), 1_700_000_000);
        clock.advance_ms(1_500);
        assert_eq!(clock.now_ms(), 1_700_000_001_500);
    }

    #[test]
    fn unfreezing_keeps_the_moved_time() {
        let clock = Clock::frozen_at(1_000);
        clock.unfreeze();
        let now = clock.now_ms();
        assert!((1_000..61_000).contains(&now), "{now}");
    }
}
