//! The case-writing assistant: AWS's technical-support guidelines (reference §5.1) applied
//! to a case as it is being written. It says what would get the case answered faster;
//! it never blocks a case.

/// One piece of advice, with a stable code for tests and translations, and the field it
/// is about (the console shows it there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub code: &'static str,
    pub field: Field,
    pub message: &'static str,
}

/// The part of the case a hint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Severity,
    Subject,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Severity => "severity",
            Field::Subject => "subject",
            Field::Body => "body",
        }
    }
}

/// The severity chosen so far, against the plan's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    /// 1 is the least severe.
    pub rank: u8,
    /// The plan's most severe rank.
    pub top: u8,
}

/// Words of a production outage: English whole words, and Japanese and Chinese phrases.
const OUTAGE_WORDS: [&str; 9] = [
    "down",
    "outage",
    "unavailable",
    "unreachable",
    "inaccessible",
    "offline",
    "crashed",
    "crashing",
    "unresponsive",
];
const OUTAGE_PHRASES: [&str; 12] = [
    "not available",
    "not reachable",
    "not responding",
    "本番停止",
    "停止",
    "障害",
    "ダウン",
    "落ちて",
    "つながらない",
    "宕机",
    "故障",
    "不可用",
];

/// Whether the text speaks of an outage.
fn says_outage(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| OUTAGE_WORDS.contains(&w))
        || OUTAGE_PHRASES.iter().any(|p| lower.contains(p))
}

const URGENT_WORDS: [&str; 6] = ["urgent", "asap", "emergency", "緊急", "至急", "紧急"];

fn has_word(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// Tokens such as `i-0abc123…`, `vol-…`, `sg-…` or an ARN.
fn has_resource_id(text: &str) -> bool {
    const PREFIXES: [&str; 16] = [
        "i-",
        "vol-",
        "sg-",
        "subnet-",
        "vpc-",
        "eni-",
        "ami-",
        "snap-",
        "db-",
        "nat-",
        "igw-",
        "rtb-",
        "lt-",
        "eipalloc-",
        "fs-",
        "cluster-",
    ];
    text.contains("arn:")
        || text
            .split(|c: char| c.is_whitespace() || ",;()[]'\"`".contains(c))
            .any(|t| {
                PREFIXES.iter().any(|p| {
                    t.strip_prefix(p).is_some_and(|rest| {
                        rest.len() >= 4
                            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                })
            })
}

/// A region code such as `ap-northeast-1`.
fn has_region(text: &str) -> bool {
    const AREAS: [&str; 9] = ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "cn"];
    const WAYS: [&str; 9] = [
        "north",
        "south",
        "east",
        "west",
        "central",
        "northeast",
        "southeast",
        "northwest",
        "southwest",
    ];
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|t| {
            let parts: Vec<&str> = t.split('-').collect();
            parts.len() == 3
                && AREAS.contains(&parts[0])
                && WAYS.contains(&parts[1])
                && parts[2].chars().all(|c| c.is_ascii_digit())
                && !parts[2].is_empty()
        })
}

/// A clock time (`09:12`) with a zone (`UTC`, `JST`, `+09:00`, `Z`, ...) near it.
fn has_time_with_zone(text: &str) -> bool {
    const ZONES: [&str; 14] = [
        "utc", "gmt", "jst", "kst", "cst", "est", "edt", "pst", "pdt", "cet", "cest", "bst", "ist",
        "z ",
    ];
    let lower = format!("{} ", text.to_lowercase());
    let has_clock = lower.as_bytes().windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    });
    let has_zone = ZONES.iter().any(|z| lower.contains(z))
        || lower.contains("+0")
        || lower.contains("+1")
        || lower.contains("-0")
        || lower.contains("時間")
        || lower.contains("time zone");
    has_clock && has_zone
}

/// The advice for a case with this subject and description, and the severity chosen so
/// far (`None`: none yet).
pub fn hints(subject: &str, body: &str, severity: Option<Chosen>) -> Vec<Hint> {
    let mut out = Vec::new();
    let text = format!("{subject}\n{body}");
    if says_outage(&text) {
        match severity {
            // The two lowest ranks are questions and impairments, not outages.
            Some(c) if c.rank <= 2 && c.top > 2 => out.push(Hint {
                code: "severity-low",
                field: Field::Severity,
                message: "You describe an outage but chose a low severity. If production is down or impaired, choose the severity that says so: it decides how fast support answers.",
            }),
            None => out.push(Hint {
                code: "severity-suggest",
                field: Field::Severity,
                message: "This sounds like production is down or impaired: choose one of the higher severities above.",
            }),
            Some(_) => {}
        }
    }
    if has_word(subject, &URGENT_WORDS) {
        out.push(Hint {
            code: "urgent-subject",
            field: Field::Subject,
            message: "Words such as URGENT, 緊急 or 至急 in the subject do not change the response time: the severity does. Choose the severity that matches the business impact.",
        });
    }
    if body.trim().chars().count() < 20 {
        out.push(Hint {
            code: "too-short",
            field: Field::Body,
            message: "Describe what happened, what you expected, and what you already tried.",
        });
    }
    if !has_resource_id(&text) {
        out.push(Hint {
            code: "resource-ids",
            field: Field::Body,
            message: "Add the ids of the resources involved (instance ids, ARNs, volume or database ids).",
        });
    }
    if !has_region(&text) {
        out.push(Hint {
            code: "region",
            field: Field::Body,
            message: "Say which region the resources are in (for example ap-northeast-1).",
        });
    }
    if !has_time_with_zone(&text) {
        out.push(Hint {
            code: "timestamps",
            field: Field::Body,
            message: "Give the times it happened, with their time zone (for example 09:12 JST or 00:12 UTC).",
        });
    }
    if !has_word(
        &text,
        &[
            "error",
            "exception",
            "failed",
            "status",
            "denied",
            "timeout",
            "エラー",
            "错误",
            "失敗",
        ],
    ) {
        out.push(Hint {
            code: "error-messages",
            field: Field::Body,
            message: "Paste the exact error messages and status codes you see.",
        });
    }
    if !has_word(&text, &["step", "reproduce", "repro", "再現", "复现", "1."]) {
        out.push(Hint {
            code: "reproduction",
            field: Field::Body,
            message: "List the steps that reproduce the problem.",
        });
    }
    let questions = text.matches(['?', '？']).count();
    if questions >= 3 {
        out.push(Hint {
            code: "split",
            field: Field::Body,
            message: "Several questions? Unrelated ones are answered faster as separate cases.",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(subject: &str, body: &str) -> Vec<&'static str> {
        hints(subject, body, None).iter().map(|h| h.code).collect()
    }

    #[test]
    fn a_bare_urgent_case_gets_every_hint() {
        assert_eq!(
            codes("URGENT: site down", "help"),
            [
                "severity-suggest",
                "urgent-subject",
                "too-short",
                "resource-ids",
                "region",
                "timestamps",
                "error-messages",
                "reproduction"
            ]
        );
        assert_eq!(codes("【至急】本番障害", "")[1], "urgent-subject");
        assert_eq!(codes("緊急対応お願いします", "")[0], "urgent-subject");
    }

    #[test]
    fn a_well_written_case_gets_none() {
        let body = "Since 09:12 JST, i-0abc1234def in ap-northeast-1 returns 502 (status 502, \
                    error 'upstream timeout'). Steps: 1. curl /checkout 2. see 502.";
        assert_eq!(codes("Checkout returns 502", body), Vec::<&str>::new());
    }

    #[test]
    fn many_questions_suggest_splitting() {
        let body = "i-0abc1234 in us-east-1 at 10:00 UTC, error 500, steps: 1. run. \
                    Why is it slow? How do I raise a limit? Can you review my bill?";
        assert_eq!(codes("Questions", body), ["split"]);
    }

    #[test]
    fn an_outage_filed_low_is_flagged_beside_the_severity() {
        let low = Some(Chosen { rank: 1, top: 4 });
        let urgent = Some(Chosen { rank: 4, top: 4 });
        for text in [
            "Production down since 03:00",
            "本番停止しています",
            "payments unavailable",
        ] {
            let h = hints(text, "", low);
            assert_eq!(
                (h[0].code, h[0].field),
                ("severity-low", Field::Severity),
                "{text}"
            );
            assert!(
                hints(text, "", urgent)
                    .iter()
                    .all(|h| h.field != Field::Severity)
            );
        }
        // Words that merely contain "down" are no outage.
        assert!(
            hints("Download link broken", "", low)
                .iter()
                .all(|h| h.field != Field::Severity)
        );
        // A plan with two severities only has nothing higher to suggest.
        assert!(
            hints("site down", "", Some(Chosen { rank: 1, top: 2 }))
                .iter()
                .all(|h| h.field != Field::Severity)
        );
    }

    #[test]
    fn detectors() {
        assert!(has_resource_id("see arn:aws:s3:::bucket"));
        assert!(has_resource_id("(vol-0123abcd)"));
        assert!(!has_resource_id("my instance i- is down"));
        assert!(has_region("in eu-central-1."));
        assert!(!has_region("in eu-central"));
        assert!(has_time_with_zone("at 2026-11-22T09:12+09:00"));
        assert!(!has_time_with_zone("at 09:12 this morning"));
    }
}
