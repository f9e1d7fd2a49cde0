//! The operator REST API under `/api/v1`: JSON over HTTP with bearer tokens (agent tokens
//! from `tierdesk agent create`). Its contract is `api/openapi.json`, served at
//! `/api/v1/openapi.json`; a test keeps the two in step.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use jiff::Timestamp;
use serde_json::{Value, json};
use tierdesk_app::actor::Actor;
use tierdesk_app::cases::Message;
use tierdesk_app::queue::{CaseSla, QueueFilter};
use tierdesk_app::reports::ReportFilter;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::records::{Agent, Case, CaseTarget, Communication};

use crate::AppState;
use crate::report_format;

pub const OPENAPI: &str = include_str!("api/openapi.json");

/// Every route, as (method, path) in OpenAPI's spelling; the test checks the document
/// describes exactly these.
#[cfg(test)]
pub const ROUTES: [(&str, &str); 11] = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/queue"),
    ("get", "/api/v1/cases/{caseId}"),
    ("get", "/api/v1/cases/{caseId}/communications"),
    ("post", "/api/v1/cases/{caseId}/replies"),
    ("post", "/api/v1/cases/{caseId}/notes"),
    ("put", "/api/v1/cases/{caseId}/status"),
    ("put", "/api/v1/cases/{caseId}/assignee"),
    ("post", "/api/v1/cases/{caseId}/escalations"),
    ("get", "/api/v1/reports/sla"),
    ("get", "/api/v1/openapi.json"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/queue", get(queue))
        .route("/api/v1/cases/{caseId}", get(case))
        .route("/api/v1/cases/{caseId}/communications", get(communications))
        .route("/api/v1/cases/{caseId}/replies", post(reply))
        .route("/api/v1/cases/{caseId}/notes", post(note))
        .route("/api/v1/cases/{caseId}/status", put(status))
        .route("/api/v1/cases/{caseId}/assignee", put(assignee))
        .route("/api/v1/cases/{caseId}/escalations", post(escalate))
        .route("/api/v1/reports/sla", get(sla_report))
}

/// An API error: an HTTP status and `{"error": {"code", "message"}}`.
struct ApiError(StatusCode, &'static str, String);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let (status, code) = crate::errors::row(&e).api;
        if crate::errors::is_internal(&e) {
            tracing::error!(error = %e, "operator API internal error");
            return ApiError(
                status,
                code,
                "internal error; the server log has the details".into(),
            );
        }
        ApiError(status, code, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.0,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"error": {"code": self.1, "message": self.2}}).to_string(),
        )
            .into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"tierdesk\""),
            );
        }
        r
    }
}

type ApiResult = Result<Response, ApiError>;

fn invalid(m: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "invalid", m.into())
}

fn ok(v: Value) -> ApiResult {
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response())
}

async fn agent(app: &App, headers: &HeaderMap) -> Result<Agent, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send an agent token as 'Authorization: Bearer <token>'".into(),
            )
        })?;
    Ok(app.authenticate_agent(token.trim()).await?)
}

/// The query string as pairs; unknown parameters are refused so typos do not pass as
/// "no filter".
fn query(raw: Option<String>, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(invalid(format!(
            "unknown query parameter '{k}' (known: {})",
            known.join(", ")
        )));
    }
    Ok(pairs)
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// A JSON object body.
fn body(bytes: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(invalid("the body must be a JSON object")),
        Err(e) => Err(invalid(format!("the body is not JSON: {e}"))),
    }
}

fn time(t: Timestamp) -> Value {
    Value::String(t.to_string())
}

fn opt_time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, time)
}

fn agent_json(a: &Agent) -> Value {
    json!({
        "id": a.id, "email": a.email, "name": a.name, "languages": a.languages,
        "role": a.role.as_str(), "createdAt": time(a.created),
    })
}

fn case_summary(c: &Case, now: Timestamp) -> Value {
    let mut v = tierdesk_app::payloads::case_json(c);
    v["createdAt"] = time(c.created);
    v["sla"] = json!({
        "dueAt": opt_time(c.sla_due),
        "secondsLeft": c.sla_due.map(|d| d.duration_since(now).as_secs()),
        "breaching": c.breaching(now),
        "firstResponse": c.first_response.as_ref().map(|f| json!({
            "clock": f.clock, "minutes": f.minutes, "dueAt": time(f.due),
            "respondedAt": opt_time(f.responded),
        })),
    });
    v
}

fn target_json(t: &CaseTarget, now: Timestamp) -> Value {
    let state = if t.missed(now) {
        "breached"
    } else if t.met.is_some() {
        "met"
    } else if t.stopped.is_some() {
        "stopped"
    } else {
        "running"
    };
    json!({
        "kind": t.kind.as_str(), "seq": t.seq, "clock": t.clock, "minutes": t.minutes,
        "state": state, "startedAt": time(t.started), "dueAt": time(t.due),
        "warnAt": opt_time(t.warn_at), "metAt": opt_time(t.met), "stoppedAt": opt_time(t.stopped),
        "warnedAt": opt_time(t.warned), "breachedAt": opt_time(t.breached),
    })
}

fn case_detail(s: &CaseSla) -> Value {
    let now = s.now;
    let c = &s.case;
    let mut v = case_summary(c, now);
    v["serviceCode"] = json!(c.service_code);
    v["categoryCode"] = json!(c.category_code);
    v["issueType"] = json!(c.issue_type);
    v["submittedBy"] = json!(c.submitted_by);
    v["ccEmailAddresses"] = json!(c.cc_emails);
    v["planName"] = json!(s.plan_name);
    v["account"] = json!({
        "id": s.account.id, "name": s.account.name, "timezone": s.account.timezone,
        "country": s.account.country, "language": s.account.language,
    });
    v["tam"] = s.tam.as_ref().map_or(
        Value::Null,
        |t| json!({ "id": t.id, "name": t.name, "email": t.email }),
    );
    v["sla"]["breached"] = json!(s.breached());
    v["sla"]["running"] = s.running().map_or(Value::Null, |t| {
        json!({
            "kind": t.kind.as_str(), "dueAt": time(t.due),
            "secondsLeft": t.due.duration_since(now).as_secs(),
            "businessSecondsLeft": s.business_seconds_left,
        })
    });
    v["sla"]["targets"] = s.targets.iter().map(|t| target_json(t, now)).collect();
    v["sla"]["events"] = s
        .events
        .iter()
        .map(|e| {
            json!({
                "id": e.key(), "kind": e.kind.as_str(), "target": e.target.as_str(), "seq": e.seq,
                "at": time(e.at), "dueAt": time(e.due), "recordedAt": time(e.recorded),
            })
        })
        .collect();
    v
}

fn communication_json(m: &Communication) -> Value {
    json!({
        "id": m.id,
        "body": m.body,
        "submittedBy": m.submitted_by,
        "fromSupport": m.from_support,
        "internal": m.internal,
        "createdAt": time(m.created),
        "attachments": m.attachments.iter().map(|a| json!({
            "attachmentId": a.attachment_id, "fileName": a.file_name,
        })).collect::<Vec<_>>(),
    })
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(OPENAPI),
    )
        .into_response()
}

async fn me(State(st): State<AppState>, headers: HeaderMap) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    ok(agent_json(&a))
}

async fn queue(State(st): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    let p = query(
        q,
        &[
            "plan",
            "severity",
            "language",
            "status",
            "assignee",
            "account",
            "breaching",
            "limit",
            "cursor",
        ],
    )?;
    let breaching = match param(&p, "breaching").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(invalid(format!(
                "breaching must be true or false, not '{other}'"
            )));
        }
    };
    let limit = param(&p, "limit")
        .map(|l| {
            l.parse::<i64>()
                .map_err(|_| invalid(format!("limit '{l}' is not a number")))
        })
        .transpose()?;
    let filter = QueueFilter {
        plan: param(&p, "plan"),
        severity: param(&p, "severity"),
        language: param(&p, "language"),
        status: param(&p, "status"),
        assignee: param(&p, "assignee"),
        breaching,
        accounts: param(&p, "account").map(|a| vec![a]),
        limit,
        cursor: param(&p, "cursor"),
    };
    let now = st.app.clock.now();
    let (cases, next) = st.app.queue(&a, filter).await?;
    ok(json!({
        "cases": cases.iter().map(|c| case_summary(c, now)).collect::<Vec<_>>(),
        "nextCursor": next,
    }))
}

async fn case(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    ok(case_detail(&st.app.case_sla(&a, &id).await?))
}

async fn communications(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    let all = st.app.case_conversation(&a, &id).await?;
    ok(json!({"communications": all.iter().map(communication_json).collect::<Vec<_>>()}))
}

async fn reply(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    support_message(&st, &headers, &id, &bytes, false).await
}

async fn note(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    support_message(&st, &headers, &id, &bytes, true).await
}

/// A reply (customer-visible) or an internal note; answers with the case as it now stands.
async fn support_message(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    bytes: &Bytes,
    internal: bool,
) -> ApiResult {
    let a = agent(&st.app, headers).await?;
    let b = body(bytes)?;
    let message = Message {
        case_id: Some(id.to_string()),
        body: b.get("body").and_then(Value::as_str).map(String::from),
        internal,
        ..Message::default()
    };
    st.app.post_message(Actor::Agent(&a), message).await?;
    ok(case_detail(&st.app.case_sla(&a, id).await?))
}

async fn status(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    let b = body(&bytes)?;
    let before = st
        .app
        .set_case_status(&a, &id, b.get("status").and_then(Value::as_str))
        .await?;
    let mut v = case_detail(&st.app.case_sla(&a, &id).await?);
    v["previousStatus"] = json!(before);
    ok(v)
}

async fn assignee(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    let b = body(&bytes)?;
    let who = match b.get("assignee") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        _ => return Err(invalid("assignee must be an agent id, \"me\" or null")),
    };
    st.app.assign_case(&a, &id, who.as_deref()).await?;
    ok(case_detail(&st.app.case_sla(&a, &id).await?))
}

async fn escalate(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let a = agent(&st.app, &headers).await?;
    let e = st.app.escalate(Actor::Agent(&a), &id).await?;
    let now = st.app.clock.now();
    ok(json!({
        "target": target_json(&e.target, now),
        "quota": {"perMonth": e.per_month, "used": e.used, "left": i64::from(e.per_month) - e.used},
    }))
}

async fn sla_report(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult {
    agent(&st.app, &headers).await?;
    let p = query(q, &["from", "to", "account", "plan", "format"])?;
    let date = |name: &str| -> Result<jiff::civil::Date, ApiError> {
        let v =
            param(&p, name).ok_or_else(|| invalid(format!("{name} (YYYY-MM-DD) is required")))?;
        v.parse()
            .map_err(|_| invalid(format!("{name} '{v}' is not a date such as 2026-11-01")))
    };
    let filter = ReportFilter {
        from: date("from")?,
        to: date("to")?,
        account: param(&p, "account"),
        plan: param(&p, "plan"),
    };
    let lines = st.app.sla_report(&filter).await?;
    match param(&p, "format").as_deref() {
        None | Some("json") => ok(report_format::json(&filter, &lines)),
        Some("csv") => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report_format::csv(&lines),
        )
            .into_response()),
        Some(other) => Err(invalid(format!(
            "format must be json or csv, not '{other}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn openapi_document_describes_exactly_the_routes() {
        let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                    documented.push((method.clone(), path.clone()));
                }
            }
        }
        let mut routes: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        documented.sort();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
