//! Instants: stored as UTC epoch microseconds, shown as RFC 3339 with milliseconds.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The zone named `tz`, or UTC for a name the bundled database does not know. Zones are
/// checked when they are stored, so the fallback only meets a hand-edited record.
pub fn zone(tz: &str) -> TimeZone {
    TimeZone::get(tz).unwrap_or(TimeZone::UTC)
}

/// The civil date at `now` in zone `tz`.
pub fn today_in(now: Timestamp, tz: &str) -> Date {
    now.to_zoned(zone(tz)).date()
}

/// The month (`YYYY-MM`) at `now` in zone `tz`: monthly quotas count in the account's zone.
pub fn month_in(now: Timestamp, tz: &str) -> String {
    today_in(now, tz).strftime("%Y-%m").to_string()
}

/// An instant as a person in zone `tz` reads it, to the minute, with the zone's
/// abbreviation and name: `2026-11-23 18:30 JST (Asia/Tokyo)` (`... UTC` for UTC).
pub fn local_text(t: Timestamp, tz: &str) -> String {
    let z = t.to_zoned(zone(tz));
    let abbrev = z.strftime("%Z").to_string();
    let shown = z.strftime("%Y-%m-%d %H:%M").to_string();
    if abbrev == tz {
        format!("{shown} {abbrev}")
    } else {
        format!("{shown} {abbrev} ({tz})")
    }
}

/// An instant as stored: microseconds since the Unix epoch, UTC.
pub fn to_micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Microseconds in a UTC day. Reports count cases by the UTC day they were opened on, as
/// days since 1970 (`day_of`).
pub const DAY_US: i64 = 86_400_000_000;

/// The UTC day (since 1970) of an instant.
pub fn day_of(t: Timestamp) -> i64 {
    to_micros(t).div_euclid(DAY_US)
}

/// Midnight UTC at the start of `day` (since 1970).
pub fn day_start(day: i64) -> Timestamp {
    from_micros(day.saturating_mul(DAY_US))
}

/// `format_millis`'s form, as `strftime` writes it: its fallback, and its tests' oracle.
const MILLIS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S.%3fZ";

/// `2026-11-22T05:53:18.123Z`, the form AWS uses for `timeCreated`.
///
/// Written digit by digit: every case and message on a page of DescribeCases carries one,
/// and `strftime` (which reads its format string each time) was 1-2% of such a page's
/// CPU. Years before 0 (jiff's instants end in 9999), which no stored instant has, take
/// `strftime`'s form.
pub fn format_millis(t: Timestamp) -> String {
    let d = jiff::tz::Offset::UTC.to_datetime(t);
    let Ok(year @ 0..=9999) = u16::try_from(d.year()) else {
        return t.strftime(MILLIS_FORMAT).to_string();
    };
    let millis = d.subsec_nanosecond() / 1_000_000;
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, u32::from(year));
    put(5, 2, d.month().unsigned_abs().into());
    put(8, 2, d.day().unsigned_abs().into());
    put(11, 2, d.hour().unsigned_abs().into());
    put(14, 2, d.minute().unsigned_abs().into());
    put(17, 2, d.second().unsigned_abs().into());
    put(20, 3, millis.unsigned_abs());
    out.iter().map(|&b| char::from(b)).collect()
}

/// Accepts RFC 3339 / ISO 8601 instants with `Z`, `+HH:MM` or `+HHMM`, with or without
/// fractional seconds, and plain dates (midnight UTC).
pub fn parse_instant(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    // `+0000` offsets without a colon, as in AWS's own expiryTime examples.
    if s.len() > 5 {
        let (head, tail) = s.split_at(s.len() - 5);
        let b = tail.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && tail[1..].chars().all(|c| c.is_ascii_digit()) {
            let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
            if let Ok(t) = fixed.parse::<Timestamp>() {
                return Some(t);
            }
        }
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    None
}

/// A length of time for people: `45 min`, `4 h`, `4 h 20 min`.
pub fn minutes_text(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn format_millis_writes_what_strftime_writes(us in -62_135_596_800_000_000i64..253_402_207_199_999_999i64) {
            let t = from_micros(us);
            proptest::prop_assert_eq!(format_millis(t), t.strftime(MILLIS_FORMAT).to_string());
        }
    }

    #[test]
    fn format_millis_at_the_edges_of_four_digit_years() {
        for (us, s) in [
            (-62_167_219_200_000_000, "0000-01-01T00:00:00.000Z"),
            (253_402_207_199_999_999, "9999-12-30T21:59:59.999Z"),
            (0, "1970-01-01T00:00:00.000Z"),
        ] {
            let t = Timestamp::from_microsecond(us).ok();
            assert_eq!(t.map(format_millis).as_deref(), Some(s));
        }
        // Outside them, strftime's form; at jiff's last instant, the same digits.
        for t in [Timestamp::MIN, Timestamp::MAX] {
            assert_eq!(format_millis(t), t.strftime(MILLIS_FORMAT).to_string());
        }
    }

    #[test]
    fn formats_and_parses() {
        let t = parse_instant("2020-03-23T21:31:47.774Z");
        assert_eq!(
            t.map(format_millis).as_deref(),
            Some("2020-03-23T21:31:47.774Z")
        );
        let t = parse_instant("2020-05-14T17:04:40.790+0000");
        assert_eq!(
            t.map(format_millis).as_deref(),
            Some("2020-05-14T17:04:40.790Z")
        );
        let t = parse_instant("2020-05-14T19:04:40+02:00");
        assert_eq!(
            t.map(format_millis).as_deref(),
            Some("2020-05-14T17:04:40.000Z")
        );
        let t = parse_instant("2020-05-14");
        assert_eq!(
            t.map(format_millis).as_deref(),
            Some("2020-05-14T00:00:00.000Z")
        );
        assert!(parse_instant("yesterday").is_none());
        assert!(parse_instant("").is_none());
    }

    #[test]
    fn micros_round_trip() {
        let t = Timestamp::from_microsecond(1_700_000_000_123_456).unwrap_or_default();
        assert_eq!(from_micros(to_micros(t)), t);
    }

    #[test]
    fn lengths() {
        assert_eq!(minutes_text(45), "45 min");
        assert_eq!(minutes_text(240), "4 h");
        assert_eq!(minutes_text(260), "4 h 20 min");
    }
}
