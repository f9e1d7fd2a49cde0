//! `POST /api/v1/integrations/alertmanager`: Alertmanager's webhook (payload version 4),
//! with an account's integration token as the bearer. The JSON is read here into the
//! domain's `AlertGroup`; what it does to cases is the app's (`monitoring`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use tierdesk_app::monitoring::AlertOutcome;
use tierdesk_core::alerts::{Alert, AlertGroup, AlertStatus};

use super::{ApiError, ApiResult, body, invalid, ok};
use crate::AppState;

/// The largest notification read (Alertmanager sends every alert of a group unless
/// `max_alerts` caps them).
pub const MAX_BYTES: usize = 1024 * 1024;
/// The most alerts of one notification written into a case.
const MAX_ALERTS: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    version: String,
    group_key: String,
    #[serde(default)]
    truncated_alerts: u64,
    status: String,
    #[serde(default)]
    group_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_annotations: BTreeMap<String, String>,
    #[serde(rename = "externalURL", default)]
    external_url: String,
    alerts: Vec<PayloadAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: String,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(rename = "generatorURL", default)]
    generator_url: String,
    #[serde(default)]
    fingerprint: String,
}

fn status(s: &str) -> Result<AlertStatus, ApiError> {
    match s {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(invalid(format!(
            "status must be firing or resolved, not '{other}'"
        ))),
    }
}

/// An alert's time; Alertmanager's zero time (`0001-01-01T00:00:00Z`) is none.
fn instant(s: &str) -> Result<Option<Timestamp>, ApiError> {
    if s.is_empty() || s.starts_with("0001-01-01") {
        return Ok(None);
    }
    s.parse::<Timestamp>()
        .map(Some)
        .map_err(|_| invalid(format!("'{s}' is not an RFC 3339 time")))
}

fn group(p: Payload) -> Result<AlertGroup, ApiError> {
    if p.version != "4" {
        return Err(invalid(format!("payload version {} is not 4", p.version)));
    }
    if p.group_key.is_empty() || p.group_key.len() > 8 * 1024 {
        return Err(invalid("groupKey must be 1 to 8192 bytes"));
    }
    if p.alerts.is_empty() {
        return Err(invalid("alerts must not be empty"));
    }
    let left_out = p.alerts.len().saturating_sub(MAX_ALERTS) as u64;
    let mut alerts = Vec::with_capacity(p.alerts.len().min(MAX_ALERTS));
    for a in p.alerts.into_iter().take(MAX_ALERTS) {
        alerts.push(Alert {
            status: status(&a.status)?,
            starts_at: instant(&a.starts_at)?.ok_or_else(|| invalid("an alert has no startsAt"))?,
            ends_at: match a.ends_at.as_deref() {
                Some(e) => instant(e)?,
                None => None,
            },
            labels: a.labels,
            annotations: a.annotations,
            generator_url: a.generator_url,
            fingerprint: a.fingerprint,
        });
    }
    Ok(AlertGroup {
        group_key: p.group_key,
        status: status(&p.status)?,
        group_labels: p.group_labels,
        common_labels: p.common_labels,
        common_annotations: p.common_annotations,
        external_url: p.external_url,
        alerts,
        truncated: p.truncated_alerts + left_out,
    })
}

pub(super) async fn receive(
    State(st): State<std::sync::Arc<AppState>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let token = crate::client::bearer(&headers).ok_or_else(|| {
        ApiError(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send the account's integration token as 'Authorization: Bearer <token>'".into(),
        )
    })?;
    let integration = st.app.integration_by_token(token).await?;
    if bytes.len() > MAX_BYTES {
        return Err(ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a notification is at most {MAX_BYTES} bytes; lower max_alerts"),
        ));
    }
    let g = group(body::<Payload>(&bytes)?)?;
    let (action, case_id) = match st.app.receive_alerts(&integration, g).await? {
        AlertOutcome::Opened { case_id } => ("opened", Some(case_id)),
        AlertOutcome::Added { case_id } => ("added", Some(case_id)),
        AlertOutcome::Resolved { case_id } => ("resolved", Some(case_id)),
        AlertOutcome::Ignored => ("ignored", None),
    };
    ok(&json!({"action": action, "caseId": case_id}))
}
