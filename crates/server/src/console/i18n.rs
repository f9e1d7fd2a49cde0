//! The console's interface languages: English, and Japanese from the table in `ja.rs`.
//!
//! Text is written in English where it is used (`l.t("Open a case")` in a template,
//! `l.fill("Case {0}", &[..])` in a handler) and looked up by that English text, gettext
//! style. A test reads every template and console source file and fails when a phrase
//! has no Japanese entry, so a new phrase cannot ship untranslated.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Marks an English phrase kept for later translation (a table's cell, a match arm), so
/// the check below finds it: `phrase("Resolved")`.
pub(crate) const fn phrase(en: &'static str) -> &'static str {
    en
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

static JA: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| super::ja::PHRASES.iter().copied().collect());

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The person's choice if they made one, else the browser's most preferred language
    /// we have (`Accept-Language`, by q-value), else English.
    pub fn choose(preference: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = preference.and_then(Lang::from_code) {
            return l;
        }
        let mut best: Option<(f32, Lang)> = None;
        for item in accept_language.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Lang::from_code(primary)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    /// The interface text for an English phrase.
    pub fn t(self, en: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Ja => JA.get(en).copied().unwrap_or(en),
        }
    }

    /// A phrase with numbered holes (`{0}`, `{1}`, ...) filled in; each language orders
    /// the holes as its grammar wants.
    pub fn fill(self, en: &'static str, args: &[&str]) -> String {
        let mut out = self.t(en).to_string();
        for (i, a) in args.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), a);
        }
        out
    }

    /// A length of time: `3 h 20 min` / `3時間20分`.
    pub fn minutes(self, minutes: u64) -> String {
        let (h, m) = (minutes / 60, minutes % 60);
        match self {
            Lang::En => tierdesk_core::time::minutes_text(minutes),
            Lang::Ja => match (h, m) {
                (0, m) => format!("{m}分"),
                (h, 0) => format!("{h}時間"),
                (h, m) => format!("{h}時間{m}分"),
            },
        }
    }

    /// Time left until `due`: `in 3 h 20 min` / `overdue by 5 min`.
    /// How long since `since`, as a span ("2 h 5 min").
    pub fn waited(self, since: Timestamp, now: Timestamp) -> String {
        self.minutes(now.duration_since(since).as_secs().max(0).unsigned_abs() / 60)
    }

    pub fn left(self, due: Timestamp, now: Timestamp) -> String {
        let secs = due.duration_since(now).as_secs();
        let span = self.minutes(secs.unsigned_abs() / 60);
        if secs >= 0 {
            self.fill("in {0}", &[&span])
        } else {
            self.fill("overdue by {0}", &[&span])
        }
    }
}

impl Lang {
    /// A file's size: `850 bytes`, `12 KB`, `4.8 MB`.
    pub fn bytes(self, n: i64) -> String {
        const KB: i64 = 1024;
        const MB: i64 = 1024 * 1024;
        let n = n.max(0);
        if n < KB {
            self.fill("{0} bytes", &[&n.to_string()])
        } else if n < MB {
            format!("{} KB", (n + KB - 1) / KB)
        } else {
            // One decimal, rounded up (a file over a limit never reads as the limit), in
            // integers.
            let tenths = (n * 10 + MB - 1) / MB;
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    }

    /// The hours a target counts in: "Monday to Friday 08:00–18:00 Tokyo time
    /// (Asia/Tokyo), except public holidays", or "around the clock".
    pub fn hours(self, hours: Option<&tierdesk_core::catalog::Hours>) -> String {
        let Some(h) = hours else {
            return self.t("around the clock, every day").into();
        };
        let day = |d: jiff::civil::Weekday| -> &'static str {
            use jiff::civil::Weekday::*;
            let (en, ja) = match d {
                Monday => ("Monday", "月曜"),
                Tuesday => ("Tuesday", "火曜"),
                Wednesday => ("Wednesday", "水曜"),
                Thursday => ("Thursday", "木曜"),
                Friday => ("Friday", "金曜"),
                Saturday => ("Saturday", "土曜"),
                Sunday => ("Sunday", "日曜"),
            };
            if self == Lang::Ja { ja } else { en }
        };
        // Consecutive days read as a range.
        let consecutive = h
            .days
            .windows(2)
            .all(|w| w[0].to_monday_one_offset() + 1 == w[1].to_monday_one_offset());
        let days = match h.days.as_slice() {
            [first, .., last] if consecutive && h.days.len() > 2 => {
                self.fill("{0} to {1}", &[day(*first), day(*last)])
            }
            many => many
                .iter()
                .map(|d| day(*d))
                .collect::<Vec<_>>()
                .join(if self == Lang::Ja { "・" } else { ", " }),
        };
        let close = h
            .close
            .map_or("24:00".to_string(), |c| c.strftime("%H:%M").to_string());
        let window = format!("{}–{close}", h.open.strftime("%H:%M"));
        let zone = match &h.zone {
            Some(z) => {
                let city = z.rsplit('/').next().unwrap_or(z).replace('_', " ");
                self.fill("{0} time ({1})", &[&city, z])
            }
            None => self.t("in the customer's time zone").to_string(),
        };
        let text = self.fill("{0} {1} {2}", &[&days, &window, &zone]);
        if h.closed_on_public_holidays {
            self.fill("{0}, except public holidays", &[&text])
        } else {
            text
        }
    }
}

/// An instant as a person reads it, with its weekday: `Tue 2026-12-01 11:00 JST`.
pub fn local_day_time(t: Timestamp, tz: &TimeZone, l: Lang) -> String {
    let z = t.to_zoned(tz.clone());
    match l {
        Lang::En => z.strftime("%a %Y-%m-%d %H:%M %Z").to_string(),
        Lang::Ja => {
            let days = ["月", "火", "水", "木", "金", "土", "日"];
            let d = days[usize::from(z.weekday().to_monday_zero_offset().unsigned_abs())];
            format!(
                "{}（{d}）{}",
                z.strftime("%Y-%m-%d"),
                z.strftime("%H:%M %Z")
            )
        }
    }
}

/// An instant as a person reads it: in their zone, with the zone's abbreviation.
pub fn local_time(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn file_sizes_read_as_people_write_them() {
        assert_eq!(Lang::En.bytes(850), "850 bytes");
        assert_eq!(Lang::En.bytes(1025), "2 KB");
        assert_eq!(Lang::En.bytes(5 * 1024 * 1024), "5.0 MB");
        assert_eq!(Lang::En.bytes(6_291_456), "6.0 MB");
        assert_eq!(Lang::En.bytes(1_300_000), "1.3 MB");
        assert_eq!(Lang::En.bytes(5 * 1024 * 1024 + 1), "5.1 MB");
        assert_eq!(Lang::Ja.bytes(10), "10 バイト");
    }

    #[test]
    fn the_choice_beats_the_browser_and_q_values_decide() {
        assert_eq!(Lang::choose(Some("en"), Some("ja")), Lang::En);
        assert_eq!(Lang::choose(None, Some("ja-JP,en;q=0.8")), Lang::Ja);
        assert_eq!(Lang::choose(None, Some("en-US,ja;q=0.9")), Lang::En);
        assert_eq!(Lang::choose(None, Some("fr, ja;q=0.5, en;q=0.4")), Lang::Ja);
        assert_eq!(Lang::choose(None, Some("de")), Lang::En);
        assert_eq!(Lang::choose(None, Some("ja;q=0")), Lang::En);
        assert_eq!(Lang::choose(Some("xx"), None), Lang::En);
    }

    #[test]
    fn holes_and_lengths() {
        assert_eq!(Lang::Ja.minutes(200), "3時間20分");
        assert_eq!(Lang::En.minutes(200), "3 h 20 min");
        let now: Timestamp = "2026-11-22T00:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-22T01:05:00Z".parse().unwrap();
        assert_eq!(Lang::En.left(later, now), "in 1 h 5 min");
        // Seconds short of a minute do not count.
        let nine: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        let past_noon: Timestamp = "2026-11-22T12:20:30Z".parse().unwrap();
        assert_eq!(Lang::En.left(past_noon, nine), "in 3 h 20 min");
        assert_eq!(Lang::En.left(nine, past_noon), "overdue by 3 h 20 min");
        assert_eq!(Lang::Ja.left(now, later), "1時間5分超過");
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(local_time(now, &tokyo), "2026-11-22 09:00 JST");
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(local_time(now, &ny), "2026-11-21 19:00 EST");
    }

    /// Every `.rs` file under `dir`, read (so a new module cannot escape the check).
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Every phrase the console shows through `t(...)` or `fill(...)`, and every phrase of
    /// the error table (`phrase(...)`), has Japanese.
    #[test]
    fn every_phrase_has_japanese() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        sources(&root.join("src"), &mut texts);
        let templates = std::fs::read_dir(root.join("templates"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<Vec<_>>();
        let mut missing = Vec::new();
        let mut seen = 0;
        // The case-writing assistant's advice is shown through `t` too.
        let assistant =
            include_str!("../../../core/src/assistant.rs").replace("message: \"", ".t(\"");
        let all = texts
            .iter()
            .map(String::as_str)
            .chain(templates.iter().map(String::as_str));
        for text in all.chain([assistant.as_str()]) {
            // rustfmt puts a long phrase on the line after its call: skip that space.
            // (Written without their parenthesis, so this line is not read as a call.)
            for call in [".t", ".fill", " phrase", "(phrase"] {
                let opener = format!("{call}(");
                for (i, _) in text.match_indices(&opener) {
                    let Some(rest) = text[i + opener.len()..].trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let Some(end) = rest.find('"') else { continue };
                    let phrase = &rest[..end];
                    seen += 1;
                    if !JA.contains_key(phrase) && !missing.contains(&phrase) {
                        missing.push(phrase);
                    }
                }
            }
        }
        assert!(seen > 100, "found only {seen} phrases: is the scan broken?");
        assert!(missing.is_empty(), "no Japanese for: {missing:#?}");
    }
}
