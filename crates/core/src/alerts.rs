//! Cases opened by monitoring: an Alertmanager alert group read as a case. Which severity
//! its labels ask for on the account's plan, and what the case says, written the way the
//! case-writing assistant asks (the resource, the region, the start time with its zone,
//! the alerts' own words), so that support can start without asking back.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::time::local_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Firing,
    Resolved,
}

/// One alert of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub status: AlertStatus,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: Timestamp,
    /// When it ended (a resolved alert); `None` while it fires.
    pub ends_at: Option<Timestamp>,
    pub generator_url: String,
    pub fingerprint: String,
}

/// A notification about one alert group (Alertmanager's webhook, version 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertGroup {
    /// Alertmanager's identity of the group: the same on every notification about it.
    pub group_key: String,
    pub status: AlertStatus,
    pub group_labels: BTreeMap<String, String>,
    pub common_labels: BTreeMap<String, String>,
    pub common_annotations: BTreeMap<String, String>,
    pub external_url: String,
    pub alerts: Vec<Alert>,
    /// Alerts Alertmanager left out of the notification (`max_alerts`).
    pub truncated: u64,
}

/// Labels that name what an alert is about, most specific first.
const RESOURCE_LABELS: [&str; 12] = [
    "resource",
    "instance_id",
    "instance",
    "pod",
    "container",
    "node",
    "db_instance_identifier",
    "service",
    "deployment",
    "job",
    "cluster",
    "host",
];
const REGION_LABELS: [&str; 4] = ["region", "aws_region", "availability_zone", "zone"];

impl AlertGroup {
    fn label(&self, name: &str) -> Option<&str> {
        self.common_labels
            .get(name)
            .or_else(|| self.alerts.iter().find_map(|a| a.labels.get(name)))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn annotation(&self, name: &str) -> Option<&str> {
        self.common_annotations
            .get(name)
            .or_else(|| self.alerts.iter().find_map(|a| a.annotations.get(name)))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing)
    }

    /// When the earliest of its alerts started.
    pub fn started(&self) -> Option<Timestamp> {
        self.alerts.iter().map(|a| a.starts_at).min()
    }

    /// The plan severity its `label` asks for, from the plan's levels (least severe
    /// first): a level's own code, or Prometheus's usual words (critical, error, warning,
    /// info) placed on the plan's scale. `None` when the label says nothing the scale
    /// knows.
    pub fn severity(&self, label: &str, levels: &[&str]) -> Option<String> {
        let value = self.label(label)?.to_ascii_lowercase();
        if let Some(l) = levels.iter().find(|l| l.eq_ignore_ascii_case(&value)) {
            return Some(l.to_string());
        }
        let top = levels.len().checked_sub(1)?;
        let rank = match value.as_str() {
            "critical" | "page" | "disaster" | "emergency" | "p1" | "sev1" => top,
            "error" | "major" | "p2" | "sev2" => top.saturating_sub(1),
            "warning" | "warn" | "minor" | "medium" | "p3" | "sev3" => top / 2,
            "info" | "informational" | "none" | "notice" | "p4" | "p5" | "sev4" => 0,
            _ => return None,
        };
        levels.get(rank).map(|l| l.to_string())
    }

    /// The case's subject: the alert's name, its summary, what it is about.
    pub fn subject(&self) -> String {
        let name = self.label("alertname").unwrap_or("Alert");
        let mut s = format!("[Alert] {name}");
        if let Some(summary) = self.annotation("summary") {
            s += ": ";
            s += summary;
        }
        let mut about: Vec<&str> = Vec::new();
        if let Some(r) = RESOURCE_LABELS.iter().find_map(|l| self.label(l)) {
            about.push(r);
        }
        if let Some(r) = REGION_LABELS.iter().find_map(|l| self.label(l)) {
            about.push(r);
        }
        if !about.is_empty() {
            s += &format!(" ({})", about.join(", "));
        }
        s.chars().filter(|c| !c.is_control()).take(250).collect()
    }

    /// The case's first message, for a reader in zone `tz`.
    pub fn body(&self, tz: &str) -> String {
        let firing: Vec<&Alert> = self.firing().collect();
        let mut out = format!(
            "Alertmanager reports {} firing alert{} in group {}.\n\n",
            firing.len(),
            if firing.len() == 1 { "" } else { "s" },
            labels_text(&self.group_labels)
        );
        out += &self.facts(tz);
        for (name, title) in [
            ("summary", "Summary"),
            ("description", "Description"),
            ("runbook_url", "Runbook"),
        ] {
            if let Some(v) = self.annotation(name) {
                out += &format!("{title}: {v}\n");
            }
        }
        out += "\nAlerts:\n";
        for a in &firing {
            out += &alert_text(a, tz);
        }
        if self.truncated > 0 {
            out += &format!(
                "(and {} more alerts Alertmanager left out)\n",
                self.truncated
            );
        }
        if !self.external_url.is_empty() {
            out += &format!("\nAlertmanager: {}\n", self.external_url);
        }
        out.trim_end().to_string()
    }

    /// The message when the group fires again on its open case.
    pub fn refired(&self, tz: &str) -> String {
        let mut out = "The alert group fires again.\n\n".to_string();
        out += &self.facts(tz);
        out += "\nAlerts:\n";
        for a in self.firing() {
            out += &alert_text(a, tz);
        }
        out.trim_end().to_string()
    }

    /// The message when the group is resolved.
    pub fn resolved(&self, tz: &str) -> String {
        let ended = self.alerts.iter().filter_map(|a| a.ends_at).max();
        let mut out = match ended {
            Some(t) => format!(
                "Alertmanager reports the alert group resolved at {}.\n\n",
                local_text(t, tz)
            ),
            None => "Alertmanager reports the alert group resolved.\n\n".to_string(),
        };
        for a in &self.alerts {
            out += &alert_text(a, tz);
        }
        out.trim_end().to_string()
    }

    fn facts(&self, tz: &str) -> String {
        let mut out = String::new();
        let resource = RESOURCE_LABELS
            .iter()
            .find_map(|l| self.label(l).map(|v| format!("{v} ({l})")));
        out += &format!("Resource: {}\n", resource.as_deref().unwrap_or("not given"));
        let region = REGION_LABELS.iter().find_map(|l| self.label(l));
        out += &format!("Region: {}\n", region.unwrap_or("not given"));
        if let Some(t) = self.started() {
            out += &format!(
                "Started: {} ({})\n",
                local_text(t, tz),
                local_text(t, "UTC")
            );
        }
        out
    }
}

fn labels_text(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(", "))
}

fn alert_text(a: &Alert, tz: &str) -> String {
    let mut out = format!(
        "- {} since {}",
        labels_text(&a.labels),
        local_text(a.starts_at, tz)
    );
    if let Some(end) = a.ends_at {
        out += &format!(", ended {}", local_text(end, tz));
    }
    out.push('\n');
    for (k, v) in &a.annotations {
        out += &format!("  {k}: {v}\n");
    }
    if !a.generator_url.is_empty() {
        out += &format!("  source: {}\n", a.generator_url);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::hints;

    fn group(status: AlertStatus, severity: &str) -> AlertGroup {
        let labels: BTreeMap<String, String> = [
            ("alertname", "HighErrorRate"),
            ("instance", "i-0abc1234def567890"),
            ("region", "ap-northeast-1"),
            ("severity", severity),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let annotations: BTreeMap<String, String> = [
            ("summary", "5xx above 5%"),
            ("description", "The API answers 503 to 7% of requests."),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let starts_at: Timestamp = "2026-11-23T09:12:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        AlertGroup {
            group_key: "{}:{alertname=\"HighErrorRate\"}".into(),
            status,
            group_labels: [("alertname".to_string(), "HighErrorRate".to_string())].into(),
            common_labels: labels.clone(),
            common_annotations: annotations.clone(),
            external_url: "http://alertmanager:9093".into(),
            alerts: vec![Alert {
                status,
                labels,
                annotations,
                starts_at,
                ends_at: None,
                generator_url: "http://prometheus:9090/graph?g0.expr=x".into(),
                fingerprint: "c4f7".into(),
            }],
            truncated: 0,
        }
    }

    #[test]
    fn severity_labels_map_onto_the_plan_scale() {
        let aws = ["low", "normal", "high", "urgent", "critical"];
        let g = |s: &str| group(AlertStatus::Firing, s);
        assert_eq!(
            g("critical").severity("severity", &aws).as_deref(),
            Some("critical")
        );
        assert_eq!(
            g("error").severity("severity", &aws).as_deref(),
            Some("urgent")
        );
        assert_eq!(
            g("warning").severity("severity", &aws).as_deref(),
            Some("high")
        );
        assert_eq!(g("info").severity("severity", &aws).as_deref(), Some("low"));
        assert_eq!(
            g("NORMAL").severity("severity", &aws).as_deref(),
            Some("normal")
        );
        // A plan without critical: critical is its top.
        let business = ["low", "normal", "high", "urgent"];
        assert_eq!(
            g("critical").severity("severity", &business).as_deref(),
            Some("urgent")
        );
        assert_eq!(g("bogus").severity("severity", &aws), None);
        assert_eq!(g("critical").severity("priority", &aws), None);
        assert_eq!(g("critical").severity("severity", &[]), None);
    }

    #[test]
    fn the_case_says_what_the_assistant_asks_for() {
        let g = group(AlertStatus::Firing, "critical");
        let body = g.body("Asia/Tokyo");
        assert!(
            body.contains("Started: 2026-11-23 18:12 JST (Asia/Tokyo) (2026-11-23 09:12 UTC)"),
            "{body}"
        );
        assert!(body.contains("Resource: i-0abc1234def567890 (instance)"));
        assert!(body.contains("Region: ap-northeast-1"));
        let subject = g.subject();
        assert_eq!(
            subject,
            "[Alert] HighErrorRate: 5xx above 5% (i-0abc1234def567890, ap-northeast-1)"
        );
        let advice: Vec<&str> = hints(&subject, &body, None)
            .iter()
            .map(|h| h.code)
            .collect();
        for asked in ["resource-ids", "region", "timestamps", "too-short"] {
            assert!(
                !advice.contains(&asked),
                "the assistant still asks for {asked}: {advice:?}"
            );
        }
    }

    #[test]
    fn resolution_and_refiring_say_when() {
        let mut g = group(AlertStatus::Resolved, "critical");
        g.alerts[0].ends_at = "2026-11-23T09:40:00Z".parse().ok();
        assert!(
            g.resolved("UTC").starts_with(
                "Alertmanager reports the alert group resolved at 2026-11-23 09:40 UTC."
            )
        );
        let again = group(AlertStatus::Firing, "critical").refired("UTC");
        assert!(again.starts_with("The alert group fires again."));
        assert!(again.contains("since 2026-11-23 09:12 UTC"));
    }
}
