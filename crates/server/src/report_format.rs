//! SLA reports as JSON and CSV: one shape for `tierdesk sla report` and
//! `GET /api/v1/reports/sla`.

use serde_json::{Value, json};
use tierdesk_app::reports::{Group, GroupBy, ReportFilter, ReportLine};

/// The figures' columns, after the group's.
const FIGURES: [&str; 13] = [
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
    "resolved",
    "median_resolution_seconds",
    "p90_resolution_seconds",
];

fn share(s: Option<f64>) -> Option<String> {
    s.map(|v| format!("{v:.4}"))
}

pub fn json(f: &ReportFilter, lines: &[ReportLine]) -> Value {
    json!({
        "from": f.from.to_string(),
        "to": f.to.to_string(),
        "account": f.cases.account,
        "plan": f.cases.plan,
        "lines": lines.iter().map(|l| json!({
            "plan": l.plan_severity().0,
            "severity": l.plan_severity().1,
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
            "resolved": l.resolved,
            "medianResolutionSeconds": l.median_resolution_seconds,
            "p90ResolutionSeconds": l.p90_resolution_seconds,
        })).collect::<Vec<_>>(),
    })
}

/// RFC 4180 CSV with a header row: the group's columns (`plan,severity`, `account` or
/// `agent`), then the figures; empty cells for figures that do not exist. `name` words a
/// group's value for people (an agent's name for their id); the CLI and API pass ids.
pub fn csv(by: GroupBy, lines: &[ReportLine], name: impl Fn(&Group) -> Vec<String>) -> String {
    let group_columns: &[&str] = match by {
        GroupBy::PlanSeverity => &["plan", "severity"],
        GroupBy::Account => &["account"],
        GroupBy::Assignee => &["agent"],
    };
    let mut out = group_columns
        .iter()
        .chain(FIGURES.iter())
        .copied()
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    for l in lines {
        let mut cells: Vec<String> = name(&l.group).iter().map(|c| quote(c)).collect();
        cells.extend([
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
            l.resolved.to_string(),
            opt(l.median_resolution_seconds),
            opt(l.p90_resolution_seconds),
        ]);
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A group as its ids: plan and severity codes, an account id, an agent id (empty for
/// unassigned).
pub fn group_ids(g: &Group) -> Vec<String> {
    match g {
        Group::PlanSeverity { plan, severity } => vec![plan.clone(), severity.clone()],
        Group::Account(a) => vec![a.clone()],
        Group::Assignee(a) => vec![a.clone().unwrap_or_default()],
    }
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
pub fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
