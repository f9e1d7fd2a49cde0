//! Public holidays as iCalendar (.ics) data: the files Tierdesk ships per country and the
//! ones an operator imports are read by the same parser.
//!
//! Supported: VEVENTs with all-day dates (`DTSTART;VALUE=DATE:20261225`, optional
//! `DTEND;VALUE=DATE`, exclusive) and with wall-clock times (`DTSTART:20261224T120000`,
//! with or without `TZID`), which close part of a day in the calendar's own zone. Events
//! in UTC (`...Z`) and recurrence rules are refused with the line that has them.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};

use crate::schedule::Minute;

/// One closed stretch of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub from: Minute,
    pub to: Minute,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct IcsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The countries whose holidays ship with Tierdesk (2026 and 2027).
pub const SHIPPED: [(&str, &str); 6] = [
    ("US", include_str!("../../../data/holidays/US.ics")),
    ("JP", include_str!("../../../data/holidays/JP.ics")),
    ("DE", include_str!("../../../data/holidays/DE.ics")),
    ("FR", include_str!("../../../data/holidays/FR.ics")),
    ("BR", include_str!("../../../data/holidays/BR.ics")),
    ("CN", include_str!("../../../data/holidays/CN.ics")),
];

/// The shipped holidays of `country` (ISO 3166 alpha-2), if Tierdesk has them.
pub fn shipped(country: &str) -> Option<Vec<Holiday>> {
    let (cc, text) = SHIPPED.iter().find(|(cc, _)| *cc == country)?;
    parse_ics(&format!("data/holidays/{cc}.ics"), text).ok()
}

/// Closures per date, for [`crate::schedule::Schedule::weekly`].
pub fn closures(holidays: &[Holiday]) -> BTreeMap<Date, Vec<(Minute, Minute)>> {
    let mut out: BTreeMap<Date, Vec<(Minute, Minute)>> = BTreeMap::new();
    for h in holidays {
        out.entry(h.date).or_default().push((h.from, h.to));
    }
    out
}

fn parse_date(s: &str) -> Option<Date> {
    Date::strptime("%Y%m%d", s).ok()
}

fn parse_datetime(s: &str) -> Option<DateTime> {
    DateTime::strptime("%Y%m%dT%H%M%S", s).ok()
}

fn minute_of(dt: DateTime) -> Minute {
    (i32::from(dt.hour()) * 60 + i32::from(dt.minute())) as Minute
}

enum When {
    Day(Date),
    At(DateTime),
}

/// Parses an iCalendar file into holidays, or says which line is wrong.
pub fn parse_ics(file: &str, text: &str) -> Result<Vec<Holiday>, IcsError> {
    let err = |line: usize, message: String| IcsError {
        file: file.to_string(),
        line,
        message,
    };
    // Unfold continuation lines, keeping each logical line's first physical line number.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match lines.last_mut() {
                Some((_, last)) => last.push_str(rest),
                None => return Err(err(i + 1, "a continuation line before any property".into())),
            }
        } else if !raw.is_empty() {
            lines.push((i + 1, raw.to_string()));
        }
    }
    if lines.first().is_none_or(|(_, l)| l != "BEGIN:VCALENDAR") {
        return Err(err(1, "not an iCalendar file (no BEGIN:VCALENDAR)".into()));
    }
    let mut out = Vec::new();
    let mut event: Option<(usize, Option<When>, Option<When>, String)> = None;
    for (n, line) in &lines {
        let (head, value) = line
            .split_once(':')
            .ok_or_else(|| err(*n, format!("'{line}' is not NAME:VALUE")))?;
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or_default().to_ascii_uppercase();
        let params: Vec<String> = parts.map(|p| p.to_ascii_uppercase()).collect();
        match (name.as_str(), event.as_mut()) {
            ("BEGIN", None) if value == "VEVENT" => event = Some((*n, None, None, String::new())),
            ("BEGIN", Some(_)) if value == "VEVENT" => {
                return Err(err(*n, "VEVENT inside VEVENT".into()));
            }
            ("END", Some(_)) if value == "VEVENT" => {
                let Some((start_line, start, end, summary)) = event.take() else {
                    continue;
                };
                out.extend(expand(start, end, summary).map_err(|m| err(start_line, m))?);
            }
            ("DTSTART" | "DTEND", Some(ev)) => {
                let when = if params.iter().any(|p| p == "VALUE=DATE") || value.len() == 8 {
                    When::Day(
                        parse_date(value)
                            .ok_or_else(|| err(*n, format!("'{value}' is not a date YYYYMMDD")))?,
                    )
                } else if value.ends_with('Z') {
                    return Err(err(
                        *n,
                        format!(
                            "'{value}' is in UTC; write holiday times as wall-clock times (no Z)"
                        ),
                    ));
                } else {
                    When::At(
                        parse_datetime(value)
                            .ok_or_else(|| err(*n, format!("'{value}' is not YYYYMMDDTHHMMSS")))?,
                    )
                };
                if name == "DTSTART" {
                    ev.1 = Some(when);
                } else {
                    ev.2 = Some(when);
                }
            }
            ("SUMMARY", Some(ev)) => ev.3 = value.replace("\\,", ",").replace("\\;", ";"),
            ("RRULE" | "RDATE", Some(_)) => {
                return Err(err(
                    *n,
                    "recurring events are not supported: list each date".into(),
                ));
            }
            _ => {}
        }
    }
    if let Some((line, ..)) = event {
        return Err(err(line, "VEVENT without END:VEVENT".into()));
    }
    Ok(out)
}

fn expand(start: Option<When>, end: Option<When>, name: String) -> Result<Vec<Holiday>, String> {
    let whole = |date: Date| Holiday {
        date,
        from: 0,
        to: 1440,
        name: name.clone(),
    };
    match (start, end) {
        (None, _) => Err("VEVENT without DTSTART".into()),
        (Some(When::Day(d)), None) => Ok(vec![whole(d)]),
        (Some(When::Day(d)), Some(When::Day(e))) => {
            if e <= d {
                return Err(format!("DTEND {e} is not after DTSTART {d}"));
            }
            let mut out = Vec::new();
            let mut day = d;
            while day < e {
                out.push(whole(day));
                day = day.tomorrow().map_err(|x| x.to_string())?;
                if out.len() > 366 {
                    return Err("an event longer than a year".into());
                }
            }
            Ok(out)
        }
        (Some(When::At(s)), Some(When::At(e))) => {
            if e <= s {
                return Err(format!("DTEND {e} is not after DTSTART {s}"));
            }
            let mut out = Vec::new();
            let mut day = s.date();
            loop {
                let from = if day == s.date() { minute_of(s) } else { 0 };
                let to = if day == e.date() { minute_of(e) } else { 1440 };
                if to > from {
                    out.push(Holiday {
                        date: day,
                        from,
                        to,
                        name: name.clone(),
                    });
                }
                if day >= e.date() || out.len() > 366 {
                    break;
                }
                day = day.tomorrow().map_err(|x| x.to_string())?;
            }
            Ok(out)
        }
        (Some(When::At(_)), None) => Err("a timed VEVENT needs a DTEND".into()),
        _ => Err("DTSTART and DTEND must both be dates or both be times".into()),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn shipped_files_parse_and_hold_known_days() {
        for (cc, _) in SHIPPED {
            let h = shipped(cc).unwrap_or_default();
            assert!(h.len() >= 18, "{cc}: {}", h.len());
            assert!(
                h.iter().all(|x| (2026..=2027).contains(&x.date.year())),
                "{cc}"
            );
        }
        let has = |cc: &str, d: Date| shipped(cc).unwrap_or_default().iter().any(|h| h.date == d);
        assert!(has("US", date(2026, 11, 26)), "Thanksgiving");
        assert!(has("JP", date(2026, 9, 22)), "sandwiched citizens' holiday");
        assert!(has("DE", date(2027, 3, 26)), "Good Friday 2027");
        assert!(has("FR", date(2026, 7, 14)));
        assert!(has("BR", date(2026, 11, 20)));
        assert!(has("CN", date(2026, 10, 1)));
        assert!(shipped("XX").is_none());
    }

    #[test]
    fn all_day_part_day_and_errors() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Winter\r\n  break\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20261231T120000\r\nDTEND;TZID=Europe/Paris:20270101T020000\r\nSUMMARY:Eve\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let h = parse_ics("x.ics", ics).unwrap_or_default();
        assert_eq!(h.len(), 5);
        assert_eq!(h[0].name, "Winter break");
        assert_eq!(
            (h[3].date, h[3].from, h[3].to),
            (date(2026, 12, 31), 720, 1440)
        );
        assert_eq!((h[4].date, h[4].from, h[4].to), (date(2027, 1, 1), 0, 120));
        let bad = [
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224T120000Z\nEND:VEVENT\nEND:VCALENDAR",
                3,
                "UTC",
            ),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-12-24\nEND:VEVENT\nEND:VCALENDAR",
                3,
                "not a date",
            ),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR",
                4,
                "recurring",
            ),
            (
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR",
                2,
                "without DTSTART",
            ),
            ("hello", 1, "not an iCalendar"),
        ];
        for (text, line, needle) in bad {
            match parse_ics("bad.ics", text) {
                Ok(_) => panic!("accepted {text}"),
                Err(e) => {
                    assert_eq!(e.line, line, "{e}");
                    assert!(e.message.contains(needle), "{e}");
                }
            }
        }
    }
}
