//! Business-time arithmetic: when is "12 business hours after Friday 16:00 in Tokyo"?
//!
//! A [`Schedule`] is a calendar made concrete for one account: a zone, weekly opening
//! windows in civil time, and closed intervals on given dates (holidays, whole or part
//! days). Business time is *elapsed* time inside open windows, so a window that a DST
//! change shortens is really shorter.
//!
//! A window `[open, close)` on date `d` is open from the first instant the wall clock in
//! the zone reads `d open` or later, until the first instant it reads `d close` or later
//! (24:00 is the next day's 00:00). In a DST gap that is the transition itself; in a fold,
//! the earlier pass.
//!
//! [`Schedule::due`] costs O(log) in the target's length and in the number of holidays and
//! DST transitions crossed: cumulative open time at the start of each day is a weekly
//! formula plus prefix sums over the few "special" days (holidays and DST days) where the
//! real open time differs from the weekly figure.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

/// Minutes after midnight; a window's end may be 1440 (24:00).
pub type Minute = u16;

/// Years for which DST transitions are folded into the prefix sums. Outside them windows
/// count at their nominal length.
const DST_YEARS: (i16, i16) = (1990, 2200);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a window must open before it closes, within 00:00-24:00 (got {0}-{1})")]
    BadWindow(Minute, Minute),
    #[error("the schedule is never open")]
    NeverOpen,
    #[error("the deadline is too far away to compute")]
    OutOfRange,
}

/// A calendar made concrete: zone, weekly windows and closures.
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: TimeZone,
    /// Monday first; sorted, non-overlapping `[open, close)` windows per weekday.
    week: [Vec<(Minute, Minute)>; 7],
    /// Closed civil intervals on particular dates.
    closures: BTreeMap<Date, Vec<(Minute, Minute)>>,
    /// Nominal open seconds per weekday, Monday first, and their weekly sum.
    nominal: [i64; 7],
    weekly: i64,
    /// Days whose real open time differs from nominal: (day number, real - nominal),
    /// sorted, with running sums (`prefix[i]` = sum of deltas before entry i).
    special: Vec<(i64, i64)>,
    prefix: Vec<i64>,
    continuous: bool,
}

fn day_number(d: Date) -> i64 {
    d.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp().as_second().div_euclid(86_400))
        .unwrap_or(0)
}

fn date_of(n: i64) -> Date {
    Timestamp::from_second(n * 86_400)
        .map(|t| t.to_zoned(TimeZone::UTC).date())
        .unwrap_or(Date::MIN)
}

fn weekday_index(d: Date) -> usize {
    d.weekday().to_monday_zero_offset() as usize
}

/// `windows` minus `closed`, both sorted lists of `[a, b)` minute intervals.
fn subtract(windows: &[(Minute, Minute)], closed: &[(Minute, Minute)]) -> Vec<(Minute, Minute)> {
    let mut out = Vec::new();
    for &(a, b) in windows {
        let mut start = a;
        for &(c, d) in closed {
            if d <= start || c >= b {
                continue;
            }
            if c > start {
                out.push((start, c.min(b)));
            }
            start = start.max(d);
            if start >= b {
                break;
            }
        }
        if start < b {
            out.push((start, b));
        }
    }
    out
}

impl Schedule {
    /// Every minute counts.
    pub fn continuous() -> Self {
        Self {
            zone: TimeZone::UTC,
            week: Default::default(),
            closures: BTreeMap::new(),
            nominal: [0; 7],
            weekly: 0,
            special: Vec::new(),
            prefix: vec![0],
            continuous: true,
        }
    }

    /// `week[0]` is Monday. `closures` close civil intervals on given dates (a whole-day
    /// holiday is `(0, 1440)`).
    pub fn weekly(
        zone: TimeZone,
        week: [Vec<(Minute, Minute)>; 7],
        closures: BTreeMap<Date, Vec<(Minute, Minute)>>,
    ) -> Result<Self, ScheduleError> {
        let mut week = week;
        for &(a, b) in week.iter().chain(closures.values()).flatten() {
            if a >= b || b > 1440 {
                return Err(ScheduleError::BadWindow(a, b));
            }
        }
        for day in week.iter_mut() {
            day.sort_unstable();
            day.dedup();
            // Merge overlaps so the windows are disjoint.
            let mut merged: Vec<(Minute, Minute)> = Vec::new();
            for &(a, b) in day.iter() {
                match merged.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            *day = merged;
        }
        let mut closures = closures;
        for c in closures.values_mut() {
            c.sort_unstable();
        }
        let nominal: [i64; 7] =
            std::array::from_fn(|i| week[i].iter().map(|&(a, b)| i64::from(b - a) * 60).sum());
        let weekly = nominal.iter().sum();
        let mut s = Self {
            zone,
            week,
            closures,
            nominal,
            weekly,
            special: Vec::new(),
            prefix: vec![0],
            continuous: false,
        };
        if weekly == 0 {
            return Err(ScheduleError::NeverOpen);
        }
        s.index_special_days();
        Ok(s)
    }

    /// Holidays and the days around DST transitions: where real open time may differ from
    /// the weekly figure.
    fn index_special_days(&mut self) {
        let mut days: Vec<i64> = self.closures.keys().map(|d| day_number(*d)).collect();
        let from = Date::new(DST_YEARS.0, 1, 1)
            .ok()
            .and_then(|d| d.to_zoned(self.zone.clone()).ok())
            .map(|z| z.timestamp());
        let until = Date::new(DST_YEARS.1, 1, 1)
            .ok()
            .and_then(|d| d.to_zoned(self.zone.clone()).ok())
            .map(|z| z.timestamp());
        if let (Some(from), Some(until)) = (from, until) {
            for tr in self.zone.following(from) {
                if tr.timestamp() >= until {
                    break;
                }
                let local = tr.timestamp().to_zoned(self.zone.clone()).date();
                let n = day_number(local);
                // A transition at local midnight also bends the day before.
                days.extend([n - 1, n]);
            }
        }
        days.sort_unstable();
        days.dedup();
        let mut sum = 0;
        for n in days {
            let d = date_of(n);
            let delta = self.real_open_seconds(d) - self.nominal[weekday_index(d)];
            if delta != 0 {
                self.special.push((n, delta));
                sum += delta;
                self.prefix.push(sum);
            }
        }
    }

    /// The open windows of date `d` in civil minutes, after closures.
    pub fn windows_on(&self, d: Date) -> Vec<(Minute, Minute)> {
        let base = &self.week[weekday_index(d)];
        match self.closures.get(&d) {
            Some(closed) => subtract(base, closed),
            None => base.clone(),
        }
    }

    /// The first instant whose wall-clock reading is `d` at `minute` or later.
    fn instant(&self, d: Date, minute: Minute) -> Timestamp {
        let (d, minute) = if minute >= 1440 {
            (d.tomorrow().unwrap_or(d), 0)
        } else {
            (d, minute)
        };
        let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or(Time::MIN);
        let dt = DateTime::from_parts(d, time);
        let amb = self.zone.to_ambiguous_timestamp(dt);
        let at = |o: jiff::tz::Offset| o.to_timestamp(dt).unwrap_or(Timestamp::UNIX_EPOCH);
        match amb.offset() {
            AmbiguousOffset::Unambiguous { offset } => at(offset),
            // The earlier pass through a repeated hour.
            AmbiguousOffset::Fold { before, .. } => at(before),
            // Skipped wall-clock time: the transition is the first instant past it.
            AmbiguousOffset::Gap { after, .. } => self
                .zone
                .following(at(after))
                .next()
                .map_or_else(|| at(after), |tr| tr.timestamp()),
        }
    }

    /// Real open windows of date `d` as instants.
    fn open_intervals(&self, d: Date) -> Vec<(Timestamp, Timestamp)> {
        self.windows_on(d)
            .into_iter()
            .map(|(a, b)| (self.instant(d, a), self.instant(d, b)))
            .filter(|(s, e)| e > s)
            .collect()
    }

    fn real_open_seconds(&self, d: Date) -> i64 {
        self.open_intervals(d)
            .iter()
            .map(|(s, e)| e.as_second() - s.as_second())
            .sum()
    }

    /// Open seconds from day number 0 (1970-01-01) to the start of day `n`.
    fn open_before_day(&self, n: i64) -> i64 {
        // 1970-01-01 was a Thursday (Monday-zero index 3).
        let weeks = n.div_euclid(7);
        let rest = n.rem_euclid(7);
        let mut nominal = weeks * self.weekly;
        for i in 0..rest {
            nominal += self.nominal[((3 + i) % 7) as usize];
        }
        let k = self.special.partition_point(|(day, _)| *day < n);
        nominal + self.prefix[k]
    }

    /// Open seconds from 1970-01-01 to `t`.
    fn open_before(&self, t: Timestamp) -> i64 {
        let d = t.to_zoned(self.zone.clone()).date();
        let within: i64 = self
            .open_intervals(d)
            .iter()
            .map(|(s, e)| (t.min(*e).as_second() - s.as_second()).max(0))
            .sum();
        self.open_before_day(day_number(d)) + within
    }

    /// The instant at which `seconds` of open time have passed since `start`.
    pub fn due(&self, start: Timestamp, seconds: i64) -> Result<Timestamp, ScheduleError> {
        if self.continuous {
            return start
                .checked_add(seconds.seconds())
                .map_err(|_| ScheduleError::OutOfRange);
        }
        // Whole seconds, as the arithmetic below counts them.
        let start =
            Timestamp::from_second(start.as_second()).map_err(|_| ScheduleError::OutOfRange)?;
        if seconds <= 0 {
            return Ok(start);
        }
        let target = self.open_before(start) + seconds;
        let first = day_number(start.to_zoned(self.zone.clone()).date());
        // Smallest day n >= first with open_before_day(n + 1) >= target: exponential
        // search for a bound, then binary search.
        let mut span = 8i64;
        while self.open_before_day(first + span) < target {
            span *= 2;
            if span > 1 << 22 {
                return Err(ScheduleError::OutOfRange);
            }
        }
        let (mut lo, mut hi) = (first, first + span - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.open_before_day(mid + 1) >= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let d = date_of(lo);
        let mut remaining = target - self.open_before_day(lo);
        for (s, e) in self.open_intervals(d) {
            let len = e.as_second() - s.as_second();
            if remaining <= len {
                return Timestamp::from_second(s.as_second() + remaining)
                    .map_err(|_| ScheduleError::OutOfRange);
            }
            remaining -= len;
        }
        Err(ScheduleError::OutOfRange)
    }

    /// Open seconds between two instants (for "business time to first response").
    pub fn open_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if self.continuous {
            // Whole seconds elapsed, as clock time is counted (a reply 0.6 s after the
            // case, across a second's boundary, took 0 s, not 1).
            return to.duration_since(from).as_secs().max(0);
        }
        (self.open_before(to) - self.open_before(from)).max(0)
    }
}

#[cfg(test)]
mod tests;
