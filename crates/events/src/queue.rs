//! The queue of one connection, and what a full queue does to each priority.
//!
//! Tencent says that when a group is busy, low-priority messages are the first to be dropped.
//! Natter applies that per connection: a client that reads slower than its groups talk gets
//! `Lowest` messages dropped once a quarter of its queue is waiting, `Low` at half, `Normal`
//! when the queue is full. A `High` frame is never dropped: a connection whose queue is full
//! for one is closed instead, and the client pulls what it missed from history.

use std::sync::Arc;

use tokio::sync::mpsc;

/// Frames waiting per connection.
pub const QUEUE_CAPACITY: usize = 1024;

/// `MsgPriority` of a group message; every other frame is `High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    High,
    Normal,
    Low,
    Lowest,
}

impl Priority {
    /// From the number history reports (1 High … 4 Lowest); anything else is `Normal`.
    pub fn from_number(n: u32) -> Self {
        match n {
            1 => Self::High,
            3 => Self::Low,
            4 => Self::Lowest,
            _ => Self::Normal,
        }
    }

    /// From `MsgPriority` as Tencent spells it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "High" => Some(Self::High),
            "Normal" => Some(Self::Normal),
            "Low" => Some(Self::Low),
            "Lowest" => Some(Self::Lowest),
            _ => None,
        }
    }

    /// `MsgPriority` as Tencent spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::High => "High",
            Self::Normal => "Normal",
            Self::Low => "Low",
            Self::Lowest => "Lowest",
        }
    }

    /// The number history reports (1 High … 4 Lowest).
    pub fn number(self) -> u8 {
        match self {
            Self::High => 1,
            Self::Normal => 2,
            Self::Low => 3,
            Self::Lowest => 4,
        }
    }

    /// Frames already waiting at which this priority is dropped.
    fn drop_at(self) -> usize {
        match self {
            Self::High | Self::Normal => QUEUE_CAPACITY,
            Self::Low => QUEUE_CAPACITY / 2,
            Self::Lowest => QUEUE_CAPACITY / 4,
        }
    }
}

/// One frame for clients: JSON text, serialized once however many connections it goes to.
#[derive(Debug, Clone)]
pub struct Push {
    pub priority: Priority,
    pub frame: Arc<str>,
}

pub(crate) enum Offer {
    Queued,
    /// Dropped for this connection by its priority.
    Skipped,
    /// A `High` frame found the queue full; the connection must go.
    Overflowed,
}

impl Push {
    pub fn new(priority: Priority, frame: &serde_json::Value) -> Self {
        Self {
            priority,
            frame: frame.to_string().into(),
        }
    }

    pub(crate) fn offer(&self, queue: &mpsc::Sender<Push>) -> Offer {
        if queue.is_closed() {
            return Offer::Overflowed;
        }
        let waiting = QUEUE_CAPACITY - queue.capacity();
        if waiting >= self.priority.drop_at() {
            return if self.priority == Priority::High {
                Offer::Overflowed
            } else {
                Offer::Skipped
            };
        }
        match queue.try_send(self.clone()) {
            Ok(()) => Offer::Queued,
            Err(mpsc::error::TrySendError::Full(_)) if self.priority != Priority::High => {
                Offer::Skipped
            }
            Err(_) => Offer::Overflowed,
        }
    }
}
