//! The operator REST API under `/api/v1`: JSON over HTTP with bearer tokens (agent tokens
//! from `tierdesk agent create`). Its contract is `api/openapi.json`, served at
//! `/api/v1/openapi.json`; a test keeps the two in step.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use serde_json::{Value, json};
use tierdesk_app::ServiceError;
use tierdesk_app::actor::{Actor, agent_who};
use tierdesk_app::audit::{AuditFilter, Reader};
use tierdesk_app::cases::Message;
use tierdesk_app::queue::{FindCases, QueueFilter};
use tierdesk_app::reports::ReportFilter;
use tierdesk_core::audit::{ActorKind, Who};
use tierdesk_core::records::Agent;

use crate::AppState;
use crate::report_format;

mod alertmanager;
pub mod contract;
mod dto;
pub mod health;

pub use dto::AuditBody;
use dto::*;

pub const OPENAPI: &str = include_str!("api/openapi.json");

/// Every route, as (method, path) in OpenAPI's spelling; the test checks the document
/// describes exactly these.
#[cfg(test)]
pub const ROUTES: [(&str, &str); 20] = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/queue"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{caseId}"),
    ("get", "/api/v1/cases/{caseId}/communications"),
    ("post", "/api/v1/cases/{caseId}/replies"),
    ("post", "/api/v1/cases/{caseId}/notes"),
    ("put", "/api/v1/cases/{caseId}/status"),
    ("put", "/api/v1/cases/{caseId}/assignee"),
    ("post", "/api/v1/cases/{caseId}/escalations"),
    ("get", "/api/v1/reports/sla"),
    ("get", "/api/v1/audit"),
    ("post", "/api/v1/accounts/{accountId}/inventory"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/integrations/alertmanager"),
    ("get", "/api/v1/health/events"),
    ("post", "/api/v1/health/events"),
    ("get", "/api/v1/health/events/{eventArn}"),
    ("patch", "/api/v1/health/events/{eventArn}"),
    ("post", "/api/v1/health/events/{eventArn}/entities"),
];

pub fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/queue", get(queue))
        .route("/api/v1/cases", get(find_cases))
        .route("/api/v1/cases/{caseId}", get(case))
        .route("/api/v1/cases/{caseId}/communications", get(communications))
        .route("/api/v1/cases/{caseId}/replies", post(reply))
        .route("/api/v1/cases/{caseId}/notes", post(note))
        .route("/api/v1/cases/{caseId}/status", put(status))
        .route("/api/v1/cases/{caseId}/assignee", put(assignee))
        .route("/api/v1/cases/{caseId}/escalations", post(escalate))
        .route("/api/v1/reports/sla", get(sla_report))
        .route("/api/v1/audit", get(audit))
        // A bundle is streamed to a scratch file under its own limit, not the API's.
        .route(
            "/api/v1/accounts/{accountId}/inventory",
            post(import_inventory).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/health/events",
            get(health::list).post(health::publish),
        )
        .route(
            "/api/v1/health/events/{eventArn}",
            get(health::show).patch(health::change),
        )
        .route(
            "/api/v1/health/events/{eventArn}/entities",
            post(health::entities),
        )
        // An account's integration token, not an agent's: its own extractor.
        .route(
            "/api/v1/integrations/alertmanager",
            post(alertmanager::receive),
        )
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

/// A path under `/api` that no route serves, in the API's error shape.
pub(crate) fn no_such_route() -> Response {
    ApiError(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such resource; see /api/v1/openapi.json".into(),
    )
    .into_response()
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

fn ok<T: serde::Serialize>(v: &T) -> ApiResult {
    let body = serde_json::to_string(v)
        .map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// The staff member an API request acts for (from its bearer token) and how the audit
/// log names them. Every route but the OpenAPI document takes one.
struct Staff(Agent, Who);

impl FromRequestParts<std::sync::Arc<AppState>> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &std::sync::Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token = crate::client::bearer(&parts.headers).ok_or_else(|| {
            ApiError(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send an agent token as 'Authorization: Bearer <token>'".into(),
            )
        })?;
        let agent = st.app.authenticate_agent(token).await?;
        let address = crate::client::address_of(&st.trusted_proxies, parts);
        let who = agent_who(&agent, ActorKind::AgentToken, address);
        Ok(Staff(agent, who))
    }
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

/// A JSON object body, as the request type `T`.
fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => serde_json::from_value(v)
            .map_err(|e| invalid(format!("the body does not match the request: {e}"))),
        Ok(_) => Err(invalid("the body must be a JSON object")),
        Err(e) => Err(invalid(format!("the body is not JSON: {e}"))),
    }
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(OPENAPI),
    )
        .into_response()
}

async fn me(Staff(a, _): Staff) -> ApiResult {
    ok(&AgentBody::from(&a))
}

async fn queue(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    RawQuery(q): RawQuery,
) -> ApiResult {
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
            "awaiting",
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
    let awaiting = match param(&p, "awaiting").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(invalid(format!(
                "awaiting must be true or false, not '{other}'"
            )));
        }
    };
    let limit = limit_param(&p)?;
    let filter = QueueFilter {
        plan: param(&p, "plan"),
        severity: param(&p, "severity"),
        language: param(&p, "language"),
        status: param(&p, "status"),
        assignee: param(&p, "assignee"),
        breaching,
        awaiting,
        accounts: param(&p, "account").map(|a| vec![a]),
        limit,
        cursor: param(&p, "cursor"),
    };
    let now = st.app.clock.now();
    let (cases, next) = st.app.queue(&a, filter).await?;
    ok(&QueuePage {
        cases: cases.iter().map(|c| CaseSummary::of(c, now)).collect(),
        next_cursor: next,
    })
}

/// `limit`, when given, as a number.
fn limit_param(p: &[(String, String)]) -> Result<Option<i64>, ApiError> {
    param(p, "limit")
        .map(|l| {
            l.parse::<i64>()
                .map_err(|_| invalid(format!("limit '{l}' is not a number")))
        })
        .transpose()
}

async fn find_cases(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = query(
        q,
        &["q", "account", "status", "severity", "limit", "cursor"],
    )?;
    let find = FindCases {
        text: param(&p, "q"),
        account: param(&p, "account"),
        status: param(&p, "status"),
        severity: param(&p, "severity"),
        limit: limit_param(&p)?,
        cursor: param(&p, "cursor"),
    };
    let now = st.app.clock.now();
    let (cases, next) = st.app.find_cases(&a, find).await?;
    ok(&QueuePage {
        cases: cases.iter().map(|c| CaseSummary::of(c, now)).collect(),
        next_cursor: next,
    })
}

async fn case(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    Path(id): Path<String>,
) -> ApiResult {
    ok(&CaseDetail::from(&st.app.case_sla(&a, &id).await?))
}

async fn communications(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
) -> ApiResult {
    let all = st.app.case_conversation(&a, &who, &id).await?;
    ok(&Conversation {
        communications: all.iter().map(CommunicationBody::from).collect(),
    })
}

async fn reply(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    support_message(&st, (&a, &who), &id, &bytes, false).await
}

async fn note(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    support_message(&st, (&a, &who), &id, &bytes, true).await
}

/// A reply (customer-visible) or an internal note; answers with the case as it now stands.
async fn support_message(
    st: &AppState,
    (a, who): (&Agent, &Who),
    id: &str,
    bytes: &Bytes,
    internal: bool,
) -> ApiResult {
    let b: NewMessage = body(bytes)?;
    let message = Message {
        case_id: Some(id.to_string()),
        body: b.body,
        internal,
        ..Message::default()
    };
    st.app.post_message(Actor::Agent(a), who, message).await?;
    ok(&CaseDetail::from(&st.app.case_sla(a, id).await?))
}

async fn status(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let b: NewStatus = body(&bytes)?;
    let before = st
        .app
        .set_case_status(&a, &who, &id, b.status.as_deref())
        .await?;
    ok(&StatusChanged {
        case: CaseDetail::from(&st.app.case_sla(&a, &id).await?),
        previous_status: before.as_str().to_string(),
    })
}

async fn assignee(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let b: NewAssignee = body(&bytes)?;
    let assignee = match b.assignee {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        _ => return Err(invalid("assignee must be an agent id, \"me\" or null")),
    };
    st.app
        .assign_case(&a, &who, &id, assignee.as_deref())
        .await?;
    ok(&CaseDetail::from(&st.app.case_sla(&a, &id).await?))
}

async fn escalate(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(id): Path<String>,
) -> ApiResult {
    let e = st.app.escalate(Actor::Agent(&a), &who, &id).await?;
    let now = st.app.clock.now();
    ok(&EscalationBody {
        target: TargetBody::of(&e.target, now),
        quota: Quota {
            per_month: e.per_month,
            used: e.used,
            left: i64::from(e.per_month) - e.used,
        },
    })
}

async fn sla_report(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = query(q, &["from", "to", "account", "plan", "format"])?;
    let date = |name: &str| -> Result<jiff::civil::Date, ApiError> {
        let v =
            param(&p, name).ok_or_else(|| invalid(format!("{name} (YYYY-MM-DD) is required")))?;
        v.parse()
            .map_err(|_| invalid(format!("{name} '{v}' is not a date such as 2026-11-01")))
    };
    let mut filter = ReportFilter::period(date("from")?, date("to")?);
    filter.cases.account = param(&p, "account");
    filter.cases.plan = param(&p, "plan");
    let lines = st.app.sla_report_for(&a, &filter).await?;
    match param(&p, "format").as_deref() {
        None | Some("json") => ok(&report_format::json(&filter, &lines)),
        Some("csv") => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report_format::csv(filter.by, &lines, report_format::group_ids),
        )
            .into_response()),
        Some(other) => Err(invalid(format!(
            "format must be json or csv, not '{other}'"
        ))),
    }
}

/// The largest inventory bundle the API takes.
const MAX_BUNDLE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// An account's inventory bundle (`.tar.gz`), imported and evaluated: admins, and TAMs
/// for their accounts. The upload is written to a scratch file as it arrives and read from
/// there as a stream, so memory does not follow the bundle's size.
async fn import_inventory(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(account): Path<String>,
    body: Body,
) -> ApiResult {
    use futures_util::StreamExt;
    use std::io::Write;
    let mut name = [0u8; 12];
    getrandom::fill(&mut name)
        .map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
    let path = std::env::temp_dir().join(format!("tierdesk-bundle-{}.tar.gz", hex_name(&name)));
    let scratch = Scratch(path.clone());
    let mut file = std::fs::File::create(&path)
        .map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
    let mut stream = body.into_data_stream();
    let mut total: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| invalid(format!("the upload broke off: {e}")))?;
        total += chunk.len() as u64;
        if total > MAX_BUNDLE_BYTES {
            return Err(ApiError(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a bundle may hold at most {MAX_BUNDLE_BYTES} bytes"),
            ));
        }
        file.write_all(&chunk)
            .map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
    }
    drop(file);
    let read = tokio::task::spawn_blocking(move || {
        tierdesk_app::trusted_advisor::bundle::read_path(&path)
    })
    .await
    .map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
    drop(scratch);
    let bundle = read.map_err(|e| invalid(format!("the bundle was refused: {e}")))?;
    let s = st
        .app
        .import_inventory_as(&a, &who, &account, bundle)
        .await?;
    ok(&import_summary_json(&s))
}

/// What an inventory import did, as the operator API and `tierdesk inventory import
/// --json` both say it: one spelling.
pub fn import_summary_json(s: &tierdesk_app::trusted_advisor::ImportSummary) -> serde_json::Value {
    json!({
        "accountId": s.account_id,
        "files": s.files,
        "ignoredFiles": s.ignored_files,
        "regions": s.regions,
        "checks": s.checks,
        "resourcesProcessed": s.processed,
        "resourcesFlagged": s.flagged,
        "checksByStatus": s.by_status,
    })
}

/// A scratch file, removed when dropped (on every way out of the handler).
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn hex_name(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The audit log, newest first (admins only).
async fn audit(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = query(q, &["account", "actor", "since", "limit", "nextToken"])?;
    let page_size = param(&p, "limit")
        .map(|l| {
            l.parse::<i64>()
                .map_err(|_| invalid(format!("limit '{l}' is not a number")))
        })
        .transpose()?;
    let filter = AuditFilter {
        account: param(&p, "account"),
        actor: param(&p, "actor"),
        since: param(&p, "since"),
        next_token: param(&p, "nextToken"),
        page_size,
    };
    let page = st.app.audit_log(Reader::Staff(&a), &filter).await?;
    ok(&AuditPage {
        entries: page.entries.iter().map(AuditBody::from).collect(),
        next_token: page.next_token,
    })
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

    mod samples {
        //! Every response type, with every optional member filled and every list holding
        //! one item, so that a member the document describes and the type lacks shows up.

        use tierdesk_app::queue::CaseSla;
        use tierdesk_core::catalog::TargetKind;
        use tierdesk_core::records::{
            Account, Agent, AttachmentRef, Case, CaseTarget, Communication, FirstResponse, Role,
            SlaEvent, SlaEventKind,
        };

        fn at(s: &str) -> jiff::Timestamp {
            s.parse().unwrap()
        }

        pub fn agent() -> Agent {
            Agent {
                id: "ag-1".into(),
                email: "ada@example.com".into(),
                name: "Ada".into(),
                languages: vec!["en".into()],
                role: Role::Tam,
                created: at("2026-11-01T00:00:00Z"),
                disabled: None,
                token_expires: None,
                demo: false,
            }
        }

        pub fn case() -> Case {
            Case {
                display_id: 1,
                case_id: "case-111122223333-muen-2026-0123456789abcdef".into(),
                account_id: "111122223333".into(),
                subject: "Down".into(),
                status: tierdesk_core::records::CaseStatus::Opened,
                service_code: "general-info".into(),
                category_code: "using-aws".into(),
                severity_code: "urgent".into(),
                issue_type: "technical".into(),
                language: "en".into(),
                submitted_by: "root <111122223333>".into(),
                cc_emails: vec!["ops@example.com".into()],
                plan_id: "aws.business".into(),
                created: at("2026-11-23T09:00:00Z"),
                first_response: Some(FirstResponse {
                    clock: "24x7".into(),
                    minutes: 60,
                    due: at("2026-11-23T10:00:00Z"),
                }),
                assignee: Some("ag-1".into()),
                sla_due: Some(at("2026-11-23T10:00:00Z")),
                sla_target: Some(TargetKind::FirstResponse),
                responded: Some(at("2026-11-23T09:30:00Z")),
                awaiting_since: Some(at("2026-11-01T00:00:00Z")),
            }
        }

        pub fn target() -> CaseTarget {
            let mut t = CaseTarget::start(
                TargetKind::FirstResponse,
                "24x7",
                60,
                at("2026-11-23T09:00:00Z"),
                at("2026-11-23T10:00:00Z"),
                Some(at("2026-11-23T09:45:00Z")),
            );
            t.met = Some(at("2026-11-23T09:30:00Z"));
            t.stopped = Some(at("2026-11-23T09:30:00Z"));
            t.warned = Some(at("2026-11-23T09:45:00Z"));
            t.breached = Some(at("2026-11-23T10:00:00Z"));
            t
        }

        pub fn case_sla() -> CaseSla {
            let mut running = target();
            running.stopped = None;
            running.met = None;
            CaseSla {
                case: case(),
                account: Account {
                    id: "111122223333".into(),
                    name: "Acme".into(),
                    timezone: "UTC".into(),
                    country: "US".into(),
                    language: "en".into(),
                    created: at("2026-01-01T00:00:00Z"),
                },
                plan_name: Some("Business".into()),
                tam: Some(agent()),
                targets: vec![running],
                events: vec![SlaEvent {
                    case_id: case().case_id,
                    target: TargetKind::FirstResponse,
                    seq: 0,
                    kind: SlaEventKind::Breach,
                    due: at("2026-11-23T10:00:00Z"),
                    at: at("2026-11-23T10:00:00Z"),
                    recorded: at("2026-11-23T10:00:01Z"),
                }],
                trail: Vec::new(),
                now: at("2026-11-23T09:10:00Z"),
                business_seconds_left: Some(3000),
            }
        }

        pub fn communication() -> Communication {
            Communication {
                id: 7,
                case_id: case().case_id,
                body: "Looking".into(),
                submitted_by: "Ada (support)".into(),
                from_support: true,
                internal: false,
                created: at("2026-11-23T09:30:00Z"),
                attachments: vec![AttachmentRef {
                    attachment_id: "att-1".into(),
                    file_name: "log.txt".into(),
                    size_bytes: 120,
                }],
            }
        }
    }

    /// Each route's request and answer types, checked against the document both ways:
    /// nothing they carry is undocumented, and nothing documented is missing from them.
    #[test]
    fn response_types_match_the_document_both_ways() {
        use contract::{departures, missing};
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        let now = "2026-11-23T09:10:00Z".parse().unwrap();
        let detail = CaseDetail::from(&samples::case_sla());
        let bodies: Vec<(&str, &str, Value)> = vec![
            (
                "get",
                "/api/v1/me",
                serde_json::to_value(AgentBody::from(&samples::agent())).unwrap(),
            ),
            (
                "get",
                "/api/v1/queue",
                serde_json::to_value(QueuePage {
                    cases: vec![CaseSummary::of(&samples::case(), now)],
                    next_cursor: Some("c".into()),
                })
                .unwrap(),
            ),
            (
                "get",
                "/api/v1/cases/{caseId}",
                serde_json::to_value(&detail).unwrap(),
            ),
            (
                "post",
                "/api/v1/cases/{caseId}/replies",
                serde_json::to_value(&detail).unwrap(),
            ),
            (
                "post",
                "/api/v1/cases/{caseId}/notes",
                serde_json::to_value(&detail).unwrap(),
            ),
            (
                "put",
                "/api/v1/cases/{caseId}/assignee",
                serde_json::to_value(&detail).unwrap(),
            ),
            (
                "put",
                "/api/v1/cases/{caseId}/status",
                serde_json::to_value(StatusChanged {
                    case: CaseDetail::from(&samples::case_sla()),
                    previous_status: "opened".into(),
                })
                .unwrap(),
            ),
            (
                "get",
                "/api/v1/cases/{caseId}/communications",
                serde_json::to_value(Conversation {
                    communications: vec![CommunicationBody::from(&samples::communication())],
                })
                .unwrap(),
            ),
            (
                "post",
                "/api/v1/cases/{caseId}/escalations",
                serde_json::to_value(EscalationBody {
                    target: TargetBody::of(&samples::target(), now),
                    quota: Quota {
                        per_month: 10,
                        used: 1,
                        left: 9,
                    },
                })
                .unwrap(),
            ),
            (
                "get",
                "/api/v1/audit",
                serde_json::to_value(AuditPage {
                    entries: vec![AuditBody::from(&tierdesk_core::audit::AuditEntry {
                        id: 7,
                        at: now,
                        who: Who::new(
                            ActorKind::ConsoleAgent,
                            "ada@example.com",
                            Some("203.0.113.7".into()),
                        ),
                        account_id: Some("123456789012".into()),
                        action: tierdesk_core::audit::Action::CaseAssign,
                        target: "case:case-1".into(),
                        detail: "assigned to me".into(),
                    })],
                    next_token: Some("t".into()),
                })
                .unwrap(),
            ),
        ];
        let requests: Vec<(&str, &str, Value)> = vec![
            (
                "post",
                "/api/v1/cases/{caseId}/replies",
                serde_json::to_value(NewMessage {
                    body: Some("Hi".into()),
                })
                .unwrap(),
            ),
            (
                "post",
                "/api/v1/cases/{caseId}/notes",
                serde_json::to_value(NewMessage {
                    body: Some("Hi".into()),
                })
                .unwrap(),
            ),
            (
                "put",
                "/api/v1/cases/{caseId}/status",
                serde_json::to_value(NewStatus {
                    status: Some("resolved".into()),
                })
                .unwrap(),
            ),
            (
                "put",
                "/api/v1/cases/{caseId}/assignee",
                serde_json::to_value(NewAssignee {
                    assignee: Some(Value::String("me".into())),
                })
                .unwrap(),
            ),
        ];
        for (method, path, body) in requests {
            let schema =
                &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                !schema.is_null(),
                "{method} {path}: no documented request body"
            );
            let undocumented = departures(&doc, schema, &body, "$");
            assert!(
                undocumented.is_empty(),
                "{method} {path} request: {undocumented:#?}"
            );
            let unread = missing(&doc, schema, &body, "$");
            assert!(unread.is_empty(), "{method} {path} request: {unread:#?}");
        }
        for (method, path, body) in bodies {
            let schema = &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
                ["schema"];
            assert!(
                !schema.is_null(),
                "{method} {path}: no documented 200 answer"
            );
            let undocumented = departures(&doc, schema, &body, "$");
            assert!(
                undocumented.is_empty(),
                "{method} {path}: {undocumented:#?}"
            );
            let unbacked = missing(&doc, schema, &body, "$");
            assert!(unbacked.is_empty(), "{method} {path}: {unbacked:#?}");
        }
    }
}
