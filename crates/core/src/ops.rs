//! Operations data (`openconfigsvr/getappinfo`): the daily counters, kept per app and per day in
//! Beijing time (UTC+8, Tencent's day), and the calendar arithmetic of Beijing days and hours
//! that `open_msg_svc/get_history` shares.
//!
//! Counting happens where the events happen (services, the webhook engine) into a [`Recorder`]:
//! an in-memory batch, one mutex and a hash-map update per event, so the send path pays no
//! extra write. The services flush the batch to the store every second (and before every
//! `getappinfo`, and at shutdown), so at most one second of counts is lost if the process
//! dies; nothing is lost on a clean stop.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::{AppId, Clock};

/// Beijing time is UTC+8 all year (no daylight saving).
pub const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// The names of the stored counters: Tencent's field names, plus `AccountDeleteNum` (kept to
/// work out `RegistUserNumTotal` of past days; never shown).
pub mod field {
    /// Sums per day.
    pub const REGIST_USER_NUM_ONE_DAY: &str = "RegistUserNumOneDay";
    pub const ACCOUNT_DELETE_NUM: &str = "AccountDeleteNum";
    pub const LOGIN_TIMES: &str = "LoginTimes";
    pub const C2C_UP_MSG_NUM: &str = "C2CUpMsgNum";
    pub const C2C_DOWN_MSG_NUM: &str = "C2CDownMsgNum";
    pub const GROUP_UP_MSG_NUM: &str = "GroupUpMsgNum";
    pub const GROUP_DOWN_MSG_NUM: &str = "GroupDownMsgNum";
    pub const CHAIN_INCREASE: &str = "ChainIncrease";
    pub const CHAIN_DECREASE: &str = "ChainDecrease";
    pub const GROUP_NEW_GROUP_NUM: &str = "GroupNewGroupNum";
    pub const GROUP_DESTROY_GROUP_NUM: &str = "GroupDestroyGroupNum";
    pub const GROUP_JOIN_GROUP_TIMES: &str = "GroupJoinGroupTimes";
    pub const GROUP_QUIT_GROUP_TIMES: &str = "GroupQuitGroupTimes";
    pub const CALLBACK_REQ: &str = "CallBackReq";
    pub const CALLBACK_RSP: &str = "CallBackRsp";
    /// Distinct members per day (users, or groups for `GroupSendMsgGroupNum`).
    pub const ACTIVE_USER_NUM: &str = "ActiveUserNum";
    pub const LOGIN_USER_NUM: &str = "LoginUserNum";
    pub const SEND_MSG_USER_NUM: &str = "SendMsgUserNum";
    pub const C2C_SEND_MSG_USER_NUM: &str = "C2CSendMsgUserNum";
    pub const GROUP_SEND_MSG_USER_NUM: &str = "GroupSendMsgUserNum";
    pub const GROUP_SEND_MSG_GROUP_NUM: &str = "GroupSendMsgGroupNum";
    /// The highest value seen in the day.
    pub const MAX_ONLINE_NUM: &str = "MaxOnlineNum";
}

/// What a [`Recorder`] gathered since its last flush. Keys are (app, day, field): the day is
/// `YYYYMMDD` in Beijing time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpsBatch {
    /// Added to the stored sums.
    pub counts: HashMap<(AppId, u32, &'static str), i64>,
    /// The stored value becomes the larger of the two.
    pub peaks: HashMap<(AppId, u32, &'static str), i64>,
    /// Added to the day's set of the field (a member already there is not counted again).
    pub members: HashSet<(AppId, u32, &'static str, String)>,
}

impl OpsBatch {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.peaks.is_empty() && self.members.is_empty()
    }
}

/// The counters of one node, gathered in memory until the next flush.
#[derive(Debug)]
pub struct Recorder {
    clock: Arc<Clock>,
    pending: Mutex<OpsBatch>,
}

impl Recorder {
    pub fn new(clock: Arc<Clock>) -> Self {
        Self {
            clock,
            pending: Mutex::new(OpsBatch::default()),
        }
    }

    fn today(&self) -> u32 {
        beijing_day(self.clock.now_secs())
    }

    fn with(&self, f: impl FnOnce(&mut OpsBatch, u32)) {
        let day = self.today();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut pending, day);
    }

    /// Adds `n` to today's `field`.
    pub fn add(&self, app: AppId, field: &'static str, n: i64) {
        if n == 0 {
            return;
        }
        self.with(|b, day| *b.counts.entry((app, day, field)).or_default() += n);
    }

    /// Puts `member` in today's set of `field`.
    pub fn member(&self, app: AppId, field: &'static str, member: &str) {
        self.with(|b, day| {
            b.members.insert((app, day, field, member.to_owned()));
        });
    }

    /// Raises today's `field` to `value` if it is lower.
    pub fn peak(&self, app: AppId, field: &'static str, value: i64) {
        self.with(|b, day| {
            let v = b.peaks.entry((app, day, field)).or_insert(value);
            *v = (*v).max(value);
        });
    }

    /// A one-to-one message from `sender` reached `recipients` recipients.
    pub fn c2c_message(&self, app: AppId, sender: &str, recipients: u64) {
        use field::*;
        self.with(|b, day| {
            *b.counts.entry((app, day, C2C_UP_MSG_NUM)).or_default() += recipients as i64;
            *b.counts.entry((app, day, C2C_DOWN_MSG_NUM)).or_default() += recipients as i64;
            for f in [ACTIVE_USER_NUM, SEND_MSG_USER_NUM, C2C_SEND_MSG_USER_NUM] {
                b.members.insert((app, day, f, sender.to_owned()));
            }
        });
    }

    /// A group message from `sender` in `group`, for `recipients` members besides the sender.
    pub fn group_message(&self, app: AppId, sender: &str, group: &str, recipients: u64) {
        use field::*;
        self.with(|b, day| {
            *b.counts.entry((app, day, GROUP_UP_MSG_NUM)).or_default() += 1;
            *b.counts.entry((app, day, GROUP_DOWN_MSG_NUM)).or_default() += recipients as i64;
            for f in [ACTIVE_USER_NUM, SEND_MSG_USER_NUM, GROUP_SEND_MSG_USER_NUM] {
                b.members.insert((app, day, f, sender.to_owned()));
            }
            b.members
                .insert((app, day, GROUP_SEND_MSG_GROUP_NUM, group.to_owned()));
        });
    }

    /// A client login of `user`; `online` users of the app are connected now.
    pub fn login(&self, app: AppId, user: &str, online: i64) {
        use field::*;
        self.with(|b, day| {
            *b.counts.entry((app, day, LOGIN_TIMES)).or_default() += 1;
            for f in [ACTIVE_USER_NUM, LOGIN_USER_NUM] {
                b.members.insert((app, day, f, user.to_owned()));
            }
            let v = b.peaks.entry((app, day, MAX_ONLINE_NUM)).or_insert(online);
            *v = (*v).max(online);
        });
    }

    /// Everything gathered so far; the recorder starts afresh.
    pub fn take(&self) -> OpsBatch {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *pending)
    }

    /// Puts back a batch that could not be stored, so the next flush tries it again.
    pub fn restore(&self, batch: OpsBatch) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (k, n) in batch.counts {
            *pending.counts.entry(k).or_default() += n;
        }
        for (k, v) in batch.peaks {
            let p = pending.peaks.entry(k).or_insert(v);
            *p = (*p).max(v);
        }
        pending.members.extend(batch.members);
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (the inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// The Beijing day (`YYYYMMDD`) of a Unix time.
pub fn beijing_day(unix_secs: i64) -> u32 {
    let (y, m, d) = civil_from_days((unix_secs + BEIJING_OFFSET_SECS).div_euclid(86_400));
    (y as u32) * 10_000 + m * 100 + d
}

/// The Beijing day `n` days before `day`.
pub fn day_before(day: u32, n: i64) -> u32 {
    beijing_day(day_start(day) - n * 86_400)
}

/// The Unix time of 00:00 Beijing time on `day` (`YYYYMMDD`).
pub fn day_start(day: u32) -> i64 {
    let (y, m, d) = (day / 10_000, (day / 100) % 100, day % 100);
    days_from_civil(y as i64, m, d) * 86_400 - BEIJING_OFFSET_SECS
}

/// The start (Unix seconds) of the Beijing hour `YYYYMMDDHH`, if it is one.
pub fn parse_beijing_hour(text: &str) -> Option<i64> {
    if text.len() != 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().ok();
    let (y, m, d, h) = (num(0..4)?, num(4..6)?, num(6..8)?, num(8..10)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || h > 23 {
        return None;
    }
    let days = days_from_civil(y as i64, m, d);
    // Reject 31 February and the like: the date must come back the same.
    if civil_from_days(days) != (y as i64, m, d) {
        return None;
    }
    Some(days * 86_400 + h as i64 * 3600 - BEIJING_OFFSET_SECS)
}

/// `YYYYMMDDHH` of the Beijing hour a Unix time falls in.
pub fn beijing_hour_name(unix_secs: i64) -> String {
    let local = unix_secs + BEIJING_OFFSET_SECS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    format!("{y:04}{m:02}{d:02}{:02}", local.rem_euclid(86_400) / 3600)
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time.
pub fn beijing_datetime(unix_secs: i64) -> String {
    let local = unix_secs + BEIJING_OFFSET_SECS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_days_turn_at_16_utc() {
        // 2024-02-29 15:59:59 UTC is 23:59:59 in Beijing; one second later is 1 March there.
        let t = days_from_civil(2024, 2, 29) * 86_400 + 15 * 3600 + 3599;
        assert_eq!(beijing_day(t), 20240229);
        assert_eq!(beijing_day(t + 1), 20240301);
        assert_eq!(day_start(20240301), t + 1);
        assert_eq!(day_before(20240301, 1), 20240229);
        assert_eq!(day_before(20240101, 1), 20231231);
    }

    #[test]
    fn hours_parse_and_print_in_beijing_time() {
        let start = parse_beijing_hour("2015120121").unwrap();
        assert_eq!(beijing_datetime(start), "2015-12-01 21:00:00");
        assert_eq!(beijing_hour_name(start + 3599), "2015120121");
        assert_eq!(beijing_hour_name(start + 3600), "2015120122");
        for bad in [
            "2015022912",
            "2015120124",
            "201512012",
            "20151201211",
            "2015-12-01",
            "2015130101",
            "x015120121",
        ] {
            assert_eq!(parse_beijing_hour(bad), None, "{bad}");
        }
        assert!(parse_beijing_hour("2016022900").is_some());
    }

    #[test]
    fn recorder_batches_and_restores() {
        let clock = Arc::new(Clock::frozen_at(1_700_000_000_000));
        let r = Recorder::new(clock);
        r.c2c_message(7, "a", 1);
        r.c2c_message(7, "a", 1);
        r.login(7, "b", 3);
        r.login(7, "b", 2);
        let day = beijing_day(1_700_000_000);
        let batch = r.take();
        assert_eq!(batch.counts[&(7, day, field::C2C_UP_MSG_NUM)], 2);
        assert_eq!(batch.peaks[&(7, day, field::MAX_ONLINE_NUM)], 3);
        assert!(batch
            .members
            .contains(&(7, day, field::ACTIVE_USER_NUM, "a".into())));
        assert!(r.take().is_empty());
        r.add(7, field::C2C_UP_MSG_NUM, 1);
        r.restore(batch);
        assert_eq!(r.take().counts[&(7, day, field::C2C_UP_MSG_NUM)], 3);
    }
}
