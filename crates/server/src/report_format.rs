//! SLA reports as JSON and CSV: one shape for `tierdesk sla report` and
//! `GET /api/v1/reports/sla`.

use serde_json::{Value, json};
use tierdesk_app::reports::{ReportFilter, ReportLine};

const COLUMNS: [&str; 12] = [
    "plan",
    "severity",
    "cases",
    "answered",
    "within_target",
    "breaches",
    "undecided",
    "within_target_share",
    "median_clock_seconds",
    "p90_clock_seconds",
    "median_business_seconds",
    "p90_business_seconds",
];

fn share(s: Option<f64>) -> Option<String> {
    s.map(|v| format!("{v:.4}"))
}

pub fn json(f: &ReportFilter, lines: &[ReportLine]) -> Value {
    json!({
        "from": f.from.to_string(),
        "to": f.to.to_string(),
        "account": f.account,
        "plan": f.plan,
        "lines": lines.iter().map(|l| json!({
            "plan": l.plan,
            "severity": l.severity,
            "cases": l.cases,
            "answered": l.answered,
            "withinTarget": l.within_target,
            "breaches": l.breaches,
            "undecided": l.undecided,
            // A ratio, written with four decimals.
            "withinTargetShare": share(l.within_target_share),
            "medianClockSeconds": l.median_clock_seconds,
            "p90ClockSeconds": l.p90_clock_seconds,
            "medianBusinessSeconds": l.median_business_seconds,
            "p90BusinessSeconds": l.p90_business_seconds,
        })).collect::<Vec<_>>(),
    })
}

/// RFC 4180 CSV with a header row; empty cells for figures that do not exist.
pub fn csv(lines: &[ReportLine]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    for l in lines {
        let cells = [
            quote(&l.plan),
            quote(&l.severity),
            l.cases.to_string(),
            l.answered.to_string(),
            l.within_target.to_string(),
            l.breaches.to_string(),
            l.undecided.to_string(),
            share(l.within_target_share).unwrap_or_default(),
            opt(l.median_clock_seconds),
            opt(l.p90_clock_seconds),
            opt(l.median_business_seconds),
            opt(l.p90_business_seconds),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
pub fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
