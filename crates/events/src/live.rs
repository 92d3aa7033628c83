//! The recent messages of AVChatRooms as this node saw them go by, for the viewers who long-poll
//! them (the Web SDK's `group_open_long_polling_http_*svc.get_msg`) instead of taking pushes,
//! and for the recent history the SDK asks for when polling starts (`get_huge_group_msg`).
//!
//! Each room followed here has a feed: the last [`FEED_KEEP`] message frames, numbered from 1 in
//! the order they reached this node since the feed began, and a `watch` of the number after the last one, on which a
//! held poll waits (no busy loop, no lost wake-up: a poll reads and subscribes under one lock).
//! In a cluster every node takes every room's messages from NATS (see `Fanout`), so each keeps
//! its own feed; a feed's number is this node's, so a cursor names its feed (a random id) and a
//! cursor of another feed (another node, or before a restart) starts at the feed's end.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

// Tokio's clock, which tests can pause and move on (`FEED_IDLE`).
use tokio::time::Instant;

use tokio::sync::watch;

/// Messages kept per room: a poller that falls further behind misses the older ones.
pub const FEED_KEEP: usize = 100;
/// Bytes of message frames kept per room, at most: large messages keep fewer than
/// [`FEED_KEEP`], so all the feeds of a node stay within [`MAX_FEEDS`] times this.
pub const FEED_BYTES: usize = 256 * 1024;
/// Rooms with a feed on one node; past this the least recently read feed is dropped.
pub const MAX_FEEDS: usize = 10_000;
/// A feed no one has joined, polled or read for this long stops keeping messages (it is dropped
/// at its room's next message).
pub const FEED_IDLE: Duration = Duration::from_secs(600);
/// Messages handed out per poll at most (the rest on the next poll, at once).
pub const MAX_PER_POLL: usize = 50;

/// Where a viewer stands in a room's feed: the feed's id and the number of the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub feed: u64,
    pub next: u64,
}

struct Feed {
    id: u64,
    /// Number of `entries[0]`.
    first: u64,
    entries: VecDeque<Arc<str>>,
    /// The length of `entries`, in bytes.
    bytes: usize,
    /// The number after the last entry; pollers wait on its changes.
    end: watch::Sender<u64>,
    /// When a viewer last joined, polled or read it: a feed no one reads for [`FEED_IDLE`] is
    /// dropped at its next message, and the least recently read goes first at [`MAX_FEEDS`].
    read_at: Instant,
    /// The room was disbanded: its last frame says so. Viewers already here still read it; one
    /// who joins later (a new room under the same ID) gets a fresh feed.
    ended: bool,
}

impl Feed {
    fn end(&self) -> u64 {
        self.first + self.entries.len() as u64
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            feed: self.id,
            next: self.end(),
        }
    }

    /// The messages from `from` on (at most `max`) and the cursor after them. A cursor of
    /// another feed, or past the end, starts at the end; one behind what is kept starts at the
    /// oldest kept.
    fn read(&self, from: Cursor, max: usize) -> (Cursor, Vec<Arc<str>>) {
        let end = self.end();
        let start = if from.feed != self.id || from.next > end {
            end
        } else {
            from.next.max(self.first)
        };
        let skip = (start - self.first) as usize;
        let taken: Vec<Arc<str>> = self.entries.iter().skip(skip).take(max).cloned().collect();
        let next = start + taken.len() as u64;
        (
            Cursor {
                feed: self.id,
                next,
            },
            taken,
        )
    }
}

#[derive(Default)]
struct Feeds {
    by_room: HashMap<(u64, String), Feed>,
    /// How many feeds each app has, so that "does this app have any" costs one look-up (the
    /// fanout asks before building every event).
    per_app: HashMap<u64, usize>,
}

impl Feeds {
    fn remove(&mut self, key: &(u64, String)) {
        if self.by_room.remove(key).is_some() {
            if let Some(n) = self.per_app.get_mut(&key.0) {
                *n -= 1;
                if *n == 0 {
                    self.per_app.remove(&key.0);
                }
            }
        }
    }
}

/// The feeds of one node. A feed is made when a viewer joins or polls a room, or a member asks
/// for its recent messages, and from then on keeps the room's messages as they go by; rooms no
/// one follows here keep nothing.
#[derive(Default)]
pub struct LiveFeeds {
    feeds: Mutex<Feeds>,
    ids: AtomicU64,
}

impl LiveFeeds {
    fn lock(&self) -> MutexGuard<'_, Feeds> {
        self.feeds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A feed id unlikely to repeat across nodes and restarts.
    fn new_id(&self) -> u64 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default();
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        // Splitmix-style mixing, so consecutive ids do not look alike.
        let mut x = nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (x ^ (x >> 31)) & ((1 << 53) - 1)
    }

    /// The room's feed for a reader, made when it has none (dropping the least recently read at
    /// [`MAX_FEEDS`]).
    fn feed<'a>(&self, feeds: &'a mut Feeds, app: u64, group: &str) -> &'a mut Feed {
        let key = (app, group.to_owned());
        if !feeds.by_room.contains_key(&key) {
            if feeds.by_room.len() >= MAX_FEEDS {
                let idlest = feeds
                    .by_room
                    .iter()
                    .min_by_key(|(_, f)| f.read_at)
                    .map(|(k, _)| k.clone());
                if let Some(idlest) = idlest {
                    feeds.remove(&idlest);
                }
            }
            *feeds.per_app.entry(app).or_default() += 1;
        }
        let feed = feeds.by_room.entry(key).or_insert_with(|| Feed {
            id: self.new_id(),
            first: 1,
            entries: VecDeque::new(),
            bytes: 0,
            end: watch::channel(1).0,
            read_at: Instant::now(),
            ended: false,
        });
        feed.read_at = Instant::now();
        feed
    }

    /// Adds a message frame (the hub's `GroupMsg` JSON) to the room's feed, if it has one here,
    /// and wakes its polls. A feed no one has read for [`FEED_IDLE`] is dropped instead.
    pub fn record(&self, app: u64, group: &str, frame: Arc<str>) {
        let mut feeds = self.lock();
        let key = (app, group.to_owned());
        let Some(feed) = feeds.by_room.get_mut(&key) else {
            return;
        };
        if feed.read_at.elapsed() > FEED_IDLE {
            feeds.remove(&key);
            return;
        }
        feed.bytes += frame.len();
        feed.entries.push_back(frame);
        // The newest frame stays, whatever its size.
        while feed.entries.len() > 1 && (feed.entries.len() > FEED_KEEP || feed.bytes > FEED_BYTES)
        {
            if let Some(old) = feed.entries.pop_front() {
                feed.bytes -= old.len();
                feed.first += 1;
            }
        }
        let end = feed.end();
        feed.end.send_replace(end);
    }

    /// Records the last frame of a disbanded room (the notice that it is gone) for the viewers
    /// who follow it here, and ends its feed.
    pub fn end(&self, app: u64, group: &str, frame: Arc<str>) {
        self.record(app, group, frame);
        if let Some(feed) = self.lock().by_room.get_mut(&(app, group.to_owned())) {
            feed.ended = true;
        }
    }

    /// Drops the room's feed if it ended, so a new room under the same ID starts afresh.
    fn forget_ended(feeds: &mut Feeds, app: u64, group: &str) {
        let key = (app, group.to_owned());
        if feeds.by_room.get(&key).is_some_and(|f| f.ended) {
            feeds.remove(&key);
        }
    }

    /// Where a viewer joining now starts: after the messages the room has had.
    pub fn cursor(&self, app: u64, group: &str) -> Cursor {
        let mut feeds = self.lock();
        Self::forget_ended(&mut feeds, app, group);
        self.feed(&mut feeds, app, group).cursor()
    }

    /// The room's messages from `from` on, at most [`MAX_PER_POLL`]; when there are none yet,
    /// waits for the next ones up to `hold`. Returns the cursor after what it hands out (of the
    /// room's feed here, whatever feed `from` named).
    pub async fn poll(
        &self,
        app: u64,
        group: &str,
        from: Cursor,
        hold: Duration,
    ) -> (Cursor, Vec<Arc<str>>) {
        let deadline = tokio::time::Instant::now() + hold;
        let mut from = from;
        loop {
            let mut changes = {
                let mut feeds = self.lock();
                let feed = self.feed(&mut feeds, app, group);
                let (cursor, taken) = feed.read(from, MAX_PER_POLL);
                if !taken.is_empty() || hold.is_zero() {
                    return (cursor, taken);
                }
                from = cursor;
                // Subscribed under the lock: a message recorded after the read wakes it.
                feed.end.subscribe()
            };
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                // Timed out, or the feed was dropped (unread too long, or the idlest at the cap).
                Ok(Err(_)) | Err(_) => return (from, Vec::new()),
            }
        }
    }

    /// The room's last `count` messages, oldest first (its feed starts here if it had none).
    pub fn recent(&self, app: u64, group: &str, count: usize) -> Vec<Arc<str>> {
        let mut feeds = self.lock();
        Self::forget_ended(&mut feeds, app, group);
        let feed = self.feed(&mut feeds, app, group);
        let skip = feed.entries.len().saturating_sub(count);
        feed.entries.iter().skip(skip).cloned().collect()
    }

    /// Whether this room of `app` has a feed here (someone follows it on this node).
    pub fn has(&self, app: u64, group: &str) -> bool {
        self.lock().by_room.contains_key(&(app, group.to_owned()))
    }

    /// Whether any room of `app` has a feed here.
    pub fn any(&self, app: u64) -> bool {
        self.lock().per_app.contains_key(&app)
    }

    /// The rooms of `app` with a feed here.
    pub fn rooms(&self, app: u64) -> Vec<String> {
        self.lock()
            .by_room
            .keys()
            .filter(|(a, _)| *a == app)
            .map(|(_, g)| g.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_feed_no_one_reads_is_dropped_at_its_next_message() {
        let feeds = LiveFeeds::default();
        let viewer = feeds.cursor(1, "room");
        feeds.record(1, "room", frame(1));
        assert!(feeds.has(1, "room"));
        tokio::time::advance(FEED_IDLE + Duration::from_secs(1)).await;
        feeds.record(1, "room", frame(2));
        assert!(!feeds.has(1, "room"), "dropped, and the message not kept");
        assert!(!feeds.any(1));
        // A viewer polling again starts a new feed at its end: nothing of the old one.
        let (after, got) = feeds.poll(1, "room", viewer, Duration::ZERO).await;
        assert!(got.is_empty());
        assert_ne!(after.feed, viewer.feed);
    }

    #[tokio::test(start_paused = true)]
    async fn the_least_recently_read_feed_goes_first_at_the_cap() {
        let feeds = LiveFeeds::default();
        for n in 0..MAX_FEEDS {
            feeds.cursor(1, &format!("room{n}"));
        }
        // A second later every room but room1 is read again: room1 is the least recently read.
        tokio::time::advance(Duration::from_secs(1)).await;
        for n in (0..MAX_FEEDS).filter(|n| *n != 1) {
            feeds.recent(1, &format!("room{n}"), 1);
        }
        feeds.cursor(1, "one more");
        assert!(feeds.has(1, "room0") && feeds.has(1, "one more"));
        assert!(!feeds.has(1, "room1"));
    }

    #[tokio::test]
    async fn a_feed_keeps_at_most_its_bytes_newest_first() {
        let feeds = LiveFeeds::default();
        let viewer = feeds.cursor(1, "room");
        let big: Arc<str> = "x".repeat(100 * 1024).into();
        for _ in 0..4 {
            feeds.record(1, "room", big.clone());
        }
        // 400 KiB came, 256 KiB are kept: the two newest; the viewer, behind, starts there.
        let (after, got) = feeds.poll(1, "room", viewer, Duration::ZERO).await;
        assert_eq!(got.len(), 2);
        assert_eq!(after.next, viewer.next + 4);
        // One frame over the budget on its own is still kept.
        let huge: Arc<str> = "y".repeat(FEED_BYTES + 1).into();
        feeds.record(1, "room", huge.clone());
        assert_eq!(feeds.recent(1, "room", 10), vec![huge]);
    }

    #[tokio::test]
    async fn an_ended_feed_is_read_to_its_end_and_a_new_viewer_starts_afresh() {
        let feeds = LiveFeeds::default();
        let viewer = feeds.cursor(1, "room");
        feeds.record(1, "room", frame(1));
        feeds.end(1, "room", frame(2));
        let (_, got) = feeds.poll(1, "room", viewer, Duration::ZERO).await;
        assert_eq!(
            got,
            vec![frame(1), frame(2)],
            "the viewer there reads the notice"
        );
        // The room is made again under its ID: nothing of the old one.
        assert!(feeds.recent(1, "room", 20).is_empty());
        let fresh = feeds.cursor(1, "room");
        assert_ne!(fresh.feed, viewer.feed);
    }

    fn frame(n: u32) -> Arc<str> {
        format!("{{\"n\":{n}}}").into()
    }

    #[tokio::test]
    async fn a_poll_gets_what_came_after_its_cursor_and_waits_for_more() {
        let feeds = Arc::new(LiveFeeds::default());
        let start = feeds.cursor(1, "room");
        feeds.record(1, "room", frame(1));
        let (next, got) = feeds.poll(1, "room", start, Duration::from_secs(5)).await;
        assert_eq!(got, vec![frame(1)]);
        assert_eq!(next.next, start.next + 1);
        let mut waiting = Box::pin(feeds.poll(1, "room", next, Duration::from_secs(30)));
        // Polled once, it has read the feed and waits: nothing new yet.
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        feeds.record(1, "room", frame(2));
        let (_, got) = waiting.await;
        assert_eq!(got, vec![frame(2)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_with_nothing_new_ends_empty_after_its_hold() {
        let feeds = LiveFeeds::default();
        let start = feeds.cursor(1, "room");
        let (next, got) = feeds.poll(1, "room", start, Duration::from_secs(10)).await;
        assert!(got.is_empty());
        assert_eq!(next, start);
    }

    #[tokio::test]
    async fn a_cursor_of_another_feed_starts_at_the_end_and_old_ones_at_the_oldest_kept() {
        let feeds = LiveFeeds::default();
        // A room no one follows here keeps nothing.
        feeds.record(1, "room", frame(1000));
        assert!(!feeds.any(1));
        feeds.cursor(1, "room");
        assert!(feeds.any(1) && !feeds.any(2));
        for n in 0..(FEED_KEEP as u32 + 5) {
            feeds.record(1, "room", frame(n));
        }
        let here = feeds.cursor(1, "room");
        let stranger = Cursor {
            feed: here.feed ^ 1,
            next: 1,
        };
        let (cursor, got) = feeds.poll(1, "room", stranger, Duration::ZERO).await;
        assert!(got.is_empty());
        assert_eq!(cursor, here);
        let behind = Cursor {
            feed: here.feed,
            next: 1,
        };
        let (_, got) = feeds.poll(1, "room", behind, Duration::ZERO).await;
        assert_eq!(got.len(), MAX_PER_POLL);
        assert_eq!(got[0], frame(5));
        assert_eq!(feeds.recent(1, "room", 2), vec![frame(103), frame(104)]);
    }
}
