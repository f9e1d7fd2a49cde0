//! `Schedule::due` against a brute-force oracle that walks minute by minute and finds each
//! window's edges by scanning the wall clock, sharing nothing with the engine but the
//! civil windows of a date.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

use super::*;

const ZONES: [&str; 9] = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Asia/Tokyo",
    "America/Santiago",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
];

fn weekdays(open: Minute, close: Minute) -> [Vec<(Minute, Minute)>; 7] {
    std::array::from_fn(|i| if i < 5 { vec![(open, close)] } else { vec![] })
}

/// Shapes that stress different things: office hours, whole days (every DST change
/// counts), split days with windows across the usual transition hours, and short windows
/// whose edges fall inside DST gaps and folds (01:00-03:45 local, midnight in Santiago).
fn shapes() -> Vec<[Vec<(Minute, Minute)>; 7]> {
    vec![
        weekdays(8 * 60, 18 * 60),
        std::array::from_fn(|_| vec![(0, 1440)]),
        std::array::from_fn(|i| {
            if i < 6 {
                vec![
                    (30, 4 * 60 + 15),
                    (9 * 60, 12 * 60),
                    (13 * 60, 17 * 60 + 30),
                    (23 * 60, 1440),
                ]
            } else {
                vec![]
            }
        }),
        std::array::from_fn(|_| {
            vec![
                (0, 45),
                (90, 150),
                (165, 195),
                (200, 230),
                (23 * 60 + 30, 1440),
            ]
        }),
    ]
}

/// The oracle's window edge: scan the wall clock for the first instant reading `d` at
/// `minute` or later (coarse 15-minute steps, then minute steps).
fn first_instant(zone: &TimeZone, d: Date, minute: Minute) -> Timestamp {
    let want = DateTime::from_parts(d, jiff::civil::Time::MIN) + (i64::from(minute)).minutes();
    let wall = |t: Timestamp| t.to_zoned(zone.clone()).datetime();
    let guess = want
        .to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or_default();
    let mut t = guess - 16.hours();
    while wall(t) < want {
        t += 15.minutes();
    }
    t -= 15.minutes();
    while wall(t) < want {
        t += 1.minutes();
    }
    t
}

struct Oracle<'a> {
    s: &'a Schedule,
    zone: TimeZone,
    cache: HashMap<Date, Vec<(Timestamp, Timestamp)>>,
}

impl Oracle<'_> {
    fn intervals(&mut self, d: Date) -> Vec<(Timestamp, Timestamp)> {
        let (s, zone) = (self.s, self.zone.clone());
        self.cache
            .entry(d)
            .or_insert_with(|| {
                s.windows_on(d)
                    .into_iter()
                    .map(|(a, b)| (first_instant(&zone, d, a), first_instant(&zone, d, b)))
                    .collect()
            })
            .clone()
    }

    fn is_open(&mut self, t: Timestamp) -> bool {
        let d = t.to_zoned(self.zone.clone()).date();
        [d.yesterday().unwrap_or(d), d]
            .into_iter()
            .any(|day| self.intervals(day).iter().any(|(s, e)| *s <= t && t < *e))
    }

    /// Count open minutes one by one.
    fn due(&mut self, start: Timestamp, minutes: i64) -> Timestamp {
        let mut t = start;
        let mut left = minutes;
        let mut steps = 0;
        while left > 0 {
            if self.is_open(t) {
                left -= 1;
            }
            t += 1.minutes();
            steps += 1;
            assert!(steps < 2_000_000, "oracle ran away");
        }
        t
    }
}

fn schedule(zone: &str, shape: usize, closures: BTreeMap<Date, Vec<(Minute, Minute)>>) -> Schedule {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    match Schedule::weekly(tz, shapes()[shape].clone(), closures) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_default()
}

#[test]
fn office_hours_examples() {
    let tokyo = schedule("Asia/Tokyo", 0, BTreeMap::new());
    // Friday 16:00 JST + 12 business hours: 2 on Friday, 10 on Monday, so Monday 18:00
    // JST (no holidays in this schedule).
    let due = tokyo.due(ts("2026-11-20T07:00:00Z"), 12 * 3600);
    assert_eq!(due, Ok(ts("2026-11-23T09:00:00Z")));
    // Opened on Saturday: the clock starts Monday 08:00.
    let due = tokyo.due(ts("2026-11-21T03:00:00Z"), 3600);
    assert_eq!(due, Ok(ts("2026-11-23T00:00:00Z")));
    // Landing exactly on Friday 18:00 stays on Friday.
    let due = tokyo.due(ts("2026-11-20T08:00:00Z"), 3600);
    assert_eq!(due, Ok(ts("2026-11-20T09:00:00Z")));
    assert_eq!(
        Schedule::continuous().due(ts("2026-11-20T08:00:00Z"), 900),
        Ok(ts("2026-11-20T08:15:00Z"))
    );
}

#[test]
fn holidays_and_dst() {
    // US Thanksgiving 2026 (Thu 26 Nov) and the day after as a half day.
    let mut closed = BTreeMap::new();
    closed.insert(date(2026, 11, 26), vec![(0, 1440)]);
    closed.insert(date(2026, 11, 27), vec![(13 * 60, 1440)]);
    let ny = schedule("America/New_York", 0, closed);
    // Wed 25 Nov 17:00 EST + 2h: 1h Wednesday, Thursday closed, Friday 08:00 + 1h.
    assert_eq!(
        ny.due(ts("2026-11-25T22:00:00Z"), 7200),
        Ok(ts("2026-11-27T14:00:00Z"))
    );
    // Whole days on the US spring-forward day (8 Mar 2026) are 23 hours long.
    let whole = schedule("America/New_York", 1, BTreeMap::new());
    let midnight = ts("2026-03-08T05:00:00Z");
    assert_eq!(
        whole.due(midnight, 23 * 3600),
        Ok(ts("2026-03-09T04:00:00Z"))
    );
    assert_eq!(
        whole.open_between(midnight, ts("2026-03-09T04:00:00Z")),
        23 * 3600
    );
}

#[test]
fn cost_does_not_grow_with_target_length() {
    // A year of business hours (from Monday 08:00 CET, 52 weeks of 50 hours) ends on a
    // Friday at 18:00: answered by the formula and a binary search, not by walking days.
    let s = schedule("Europe/Berlin", 0, BTreeMap::new());
    let year = s.due(ts("2026-01-05T07:00:00Z"), 52 * 50 * 3600);
    assert_eq!(year, Ok(ts("2027-01-01T17:00:00Z")));
}

fn arb_closures() -> impl Strategy<Value = BTreeMap<Date, Vec<(Minute, Minute)>>> {
    proptest::collection::vec(
        (
            0i64..120,
            prop_oneof![
                Just((0u16, 1440u16)),
                (0u16..1380).prop_map(|a| (a, a + 60))
            ],
        ),
        0..8,
    )
    .prop_map(|v| {
        let mut m: BTreeMap<Date, Vec<(Minute, Minute)>> = BTreeMap::new();
        for (day, w) in v {
            let d = date(2026, 1, 1)
                .checked_add(day.days())
                .unwrap_or(date(2026, 1, 1));
            m.entry(d).or_default().push(w);
        }
        m
    })
}

/// Starts near a DST transition of the zone half of the time, anywhere in the first
/// quarter of 2026 or around its transitions otherwise.
fn arb_start(zone: &'static str) -> impl Strategy<Value = Timestamp> {
    (any::<bool>(), 0i64..(120 * 1440), -3000i64..3000, 0usize..4).prop_map(
        move |(near, minute, offset, which)| {
            let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
            let base = ts("2026-01-01T00:00:00Z");
            let anchor = if near {
                tz.following(base)
                    .nth(which)
                    .map_or(base, |t| t.timestamp())
                    + offset.minutes()
            } else {
                base + minute.minutes()
            };
            Timestamp::from_second(anchor.as_second().div_euclid(60) * 60).unwrap_or(base)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn due_matches_the_minute_by_minute_oracle(
        (zone, start) in proptest::sample::select(ZONES.to_vec()).prop_flat_map(|z| (Just(z), arb_start(z))),
        shape in 0usize..4,
        minutes in prop_oneof![10i64..120, 120i64..1440, 1440i64..6000],
        closures in arb_closures(),
    ) {
        let s = schedule(zone, shape, closures);
        let got = s.due(start, minutes * 60).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut oracle = Oracle { s: &s, zone: TimeZone::get(zone).unwrap_or(TimeZone::UTC), cache: HashMap::new() };
        let want = oracle.due(start, minutes);
        prop_assert_eq!(got, want, "zone {} shape {} start {} minutes {}", zone, shape, start, minutes);
        prop_assert_eq!(s.open_between(start, got), minutes * 60);
    }

    #[test]
    fn due_composes(
        (zone, start) in proptest::sample::select(ZONES.to_vec()).prop_flat_map(|z| (Just(z), arb_start(z))),
        shape in 0usize..4,
        a in 1i64..3000,
        b in 1i64..3000,
        closures in arb_closures(),
    ) {
        let s = schedule(zone, shape, closures);
        let step = s.due(start, a * 60).and_then(|t| s.due(t, b * 60));
        prop_assert_eq!(step, s.due(start, (a + b) * 60));
    }
}

/// On a 24x7 clock, business time is clock time: whole seconds elapsed, so a sub-second
/// interval that crosses a second's boundary counts 0, as the clock-time reports count it.
#[test]
fn continuous_open_time_is_whole_seconds_elapsed() {
    let s = Schedule::continuous();
    let from = ts("2026-11-20T08:00:10.900Z");
    let to = ts("2026-11-20T08:00:11.500Z");
    assert_eq!(s.open_between(from, to), 0);
    assert_eq!(s.open_between(from, to), to.duration_since(from).as_secs());
    let later = ts("2026-11-20T08:02:11.000Z");
    assert_eq!(s.open_between(from, later), 120);
    assert_eq!(s.open_between(later, from), 0);
}
