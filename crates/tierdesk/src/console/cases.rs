//! A customer's cases in the console: the list, opening a case, a case's conversation and
//! first-response deadline, replying (which reopens a resolved case) and resolving. Every
//! page works through the same case operations as the AWS API, with the signed-in user's
//! own account as the caller, so another account's case is simply not found.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use tierdesk_app::ServiceError;
use tierdesk_app::auth::Caller;
use tierdesk_app::sessions::Person;
use tierdesk_app::support::{AddCommunication, CreateCase, DescribeCases, DescribeCommunications};
use tierdesk_core::records::{Case, Session, status};
use tierdesk_core::time::{minutes_text, time_left};

use super::{Nav, checked, failure, field, message, nav, refused, render, signed_in};
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/cases", get(list))
        .route("/console/cases/new", get(new_page).post(create))
        .route("/console/cases/{id}", get(show))
        .route("/console/cases/{id}/{action}", post(act))
        .route("/console/assistant", post(assistant))
        .route("/console/plan", get(plan))
}

struct CaseRow {
    case_id: String,
    display_id: i64,
    subject: String,
    severity: String,
    status: String,
    sla: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    nav: Option<Nav>,
    cases: Vec<CaseRow>,
}

#[derive(Template)]
#[template(path = "new_case.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    subject: String,
    body: String,
    severity: String,
    /// (code, "Name: answered within ...")
    severities: Vec<(String, String)>,
    technical: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Option<Nav>,
    name: String,
    summary: String,
    /// (severity, answered within, the hours it counts in)
    targets: Vec<(String, String, String)>,
    channels: String,
    tam: String,
    api: bool,
    month: String,
    quotas: Vec<String>,
    /// (name, summary)
    upgrades: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Option<Nav>,
    csrf: String,
    case_id: String,
    display_id: i64,
    subject: String,
    severity: String,
    status: String,
    resolved: bool,
    sla: String,
    /// The first-response deadline while it runs, for the live countdown.
    due: Option<String>,
    /// (who, when, text), oldest first.
    messages: Vec<(String, String, String)>,
}

/// The signed-in customer and their caller; agents are sent to their own pages.
async fn customer(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<(Session, Person, Caller), Response> {
    let (session, person) = signed_in(st, headers).await?;
    let Person::Customer { user, account } = &person else {
        return Err(message(
            StatusCode::FORBIDDEN,
            Some(nav(&session, &person)),
            "For customers",
            "These pages show a customer's own cases; agents work cases through the operator API.",
        ));
    };
    match st.app.console_caller(user, account).await {
        Ok(caller) => Ok((session, person, caller)),
        Err(e) => Err(failure(Some(nav(&session, &person)), &e)),
    }
}

fn within(minutes: u32) -> String {
    minutes_text(u64::from(minutes))
}

/// "due in 3 h 20 min", "answered at ...", "overdue by ..." for a case's first response.
fn sla_text(c: &Case, now: Timestamp) -> String {
    let Some(f) = &c.first_response else {
        return "No response target on this plan".into();
    };
    let due = f.due.strftime("%Y-%m-%d %H:%M UTC");
    match f.responded {
        Some(at) => format!(
            "First response at {} (due {due})",
            at.strftime("%Y-%m-%d %H:%M UTC")
        ),
        None if c.status == status::RESOLVED => {
            format!("Resolved before a first response (due {due})")
        }
        None => format!("First response due {due}: {}", time_left(f.due, now)),
    }
}

async fn list(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    let found = st
        .app
        .describe_cases(
            &caller,
            DescribeCases {
                include_resolved_cases: Some(true),
                include_communications: Some(false),
                ..Default::default()
            },
        )
        .await;
    let now = st.app.clock.now();
    match found {
        Ok((cases, _)) => {
            let cases = cases
                .iter()
                .map(|d| CaseRow {
                    case_id: d.case.case_id.clone(),
                    display_id: d.case.display_id,
                    subject: d.case.subject.clone(),
                    severity: d.case.severity_code.clone(),
                    status: d.case.status.clone(),
                    sla: sla_text(&d.case, now),
                })
                .collect();
            render(
                StatusCode::OK,
                &ListPage {
                    nav: Some(n),
                    cases,
                },
            )
        }
        Err(e) => failure(Some(n), &e),
    }
}

fn new_form(caller: &Caller, session: &Session, n: Nav) -> NewPage {
    let severities = caller
        .plan
        .case_severities()
        .into_iter()
        .map(|l| {
            let within = caller
                .plan
                .case_target(&l.code)
                .map(|t| {
                    format!(
                        " (first response within {}, {})",
                        within(t.minutes),
                        t.clock
                    )
                })
                .unwrap_or_default();
            (l.code.clone(), format!("{}{within}", l.name))
        })
        .collect();
    NewPage {
        nav: Some(n),
        csrf: session.csrf.clone(),
        error: None,
        subject: String::new(),
        body: String::new(),
        severity: String::new(),
        severities,
        technical: caller.plan.technical_cases,
    }
}

async fn new_page(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(
        StatusCode::OK,
        &new_form(&caller, &session, nav(&session, &person)),
    )
}

async fn create(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(f) = checked(&session, &headers, &body) else {
        return refused(&session, &person);
    };
    let input = CreateCase {
        subject: Some(field(&f, "subject")),
        communication_body: Some(field(&f, "body")),
        severity_code: Some(field(&f, "severity")).filter(|s| !s.is_empty()),
        issue_type: Some(field(&f, "issue_type")).filter(|s| !s.is_empty()),
        language: Some(caller.account.language.clone()),
        ..Default::default()
    };
    match st.app.create_case(&caller, input).await {
        Ok(c) => Redirect::to(&format!("/console/cases/{}", c.case_id)).into_response(),
        Err(ServiceError::Internal(m)) => {
            failure(Some(nav(&session, &person)), &ServiceError::Internal(m))
        }
        Err(e) => {
            let mut page = new_form(&caller, &session, nav(&session, &person));
            page.error = Some(e.to_string());
            page.subject = field(&f, "subject");
            page.body = field(&f, "body");
            page.severity = field(&f, "severity");
            render(StatusCode::BAD_REQUEST, &page)
        }
    }
}

async fn show(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    let found = st
        .app
        .describe_cases(
            &caller,
            DescribeCases {
                case_ids: vec![id.clone()],
                include_resolved_cases: Some(true),
                include_communications: Some(false),
                ..Default::default()
            },
        )
        .await;
    let case = match found {
        Ok((cases, _)) => match cases.into_iter().next() {
            Some(d) => d.case,
            None => return failure(Some(n), &ServiceError::CaseNotFound(id)),
        },
        Err(e) => return failure(Some(n), &e),
    };
    let mut messages = Vec::new();
    let mut token = None;
    loop {
        let page = st
            .app
            .describe_communications(
                &caller,
                DescribeCommunications {
                    case_id: Some(case.case_id.clone()),
                    next_token: token.clone(),
                    ..Default::default()
                },
            )
            .await;
        match page {
            Ok((items, next)) => {
                messages.extend(items.into_iter().map(|m| {
                    (
                        m.submitted_by,
                        m.created.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        m.body,
                    )
                }));
                match next {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            Err(e) => return failure(Some(n), &e),
        }
    }
    messages.reverse();
    let now = st.app.clock.now();
    render(
        StatusCode::OK,
        &CasePage {
            nav: Some(n),
            csrf: session.csrf.clone(),
            sla: sla_text(&case, now),
            due: case
                .first_response
                .as_ref()
                .filter(|f| f.responded.is_none() && case.status != status::RESOLVED)
                .map(|f| f.due.to_string()),
            resolved: case.status == status::RESOLVED,
            case_id: case.case_id,
            display_id: case.display_id,
            subject: case.subject,
            severity: case.severity_code,
            status: case.status,
            messages,
        },
    )
}

/// The case page's forms: `reply` (which reopens a resolved case) and `resolve`.
async fn act(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(f) = checked(&session, &headers, &body) else {
        return refused(&session, &person);
    };
    let done = match action.as_str() {
        "reply" => {
            let input = AddCommunication {
                case_id: Some(id.clone()),
                communication_body: Some(field(&f, "body")),
                ..Default::default()
            };
            st.app.add_communication(&caller, input).await
        }
        "resolve" => st
            .app
            .resolve_case(&caller, Some(id.clone()))
            .await
            .map(|_| ()),
        _ => {
            return message(
                StatusCode::NOT_FOUND,
                Some(nav(&session, &person)),
                "No such page",
                "There is no such action.",
            );
        }
    };
    match done {
        Ok(()) => Redirect::to(&format!("/console/cases/{id}")).into_response(),
        Err(e) => failure(Some(nav(&session, &person)), &e),
    }
}

/// Advice on a case being written (`tierdesk_core::assistant`), for the new-case page's
/// script: `{"hints": [{"code", "message"}]}`.
async fn assistant(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, person, _) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(f) = checked(&session, &headers, &body) else {
        return refused(&session, &person);
    };
    let hints: Vec<serde_json::Value> =
        tierdesk_core::assistant::hints(&field(&f, "subject"), &field(&f, "body"))
            .into_iter()
            .map(|h| serde_json::json!({"code": h.code, "message": h.message}))
            .collect();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "hints": hints }).to_string(),
    )
        .into_response()
}

/// The plan and what it includes, with this month's quotas used and left.
async fn plan(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person, caller) = match customer(&st, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    let o = match st.app.plan_overview(&caller.account).await {
        Ok(o) => o,
        Err(e) => return failure(Some(n), &e),
    };
    let mut quotas = Vec::new();
    if let Some((used, cap)) = o.cases {
        quotas.push(format!(
            "Cases: {used} of {cap} opened, {} left",
            i64::from(cap) - used
        ));
    }
    if let Some((used, per_month, minutes)) = o.escalations {
        quotas.push(format!(
            "Urgent escalations (answered within {}): {used} of {per_month} used, {} left",
            within(minutes),
            i64::from(per_month) - used
        ));
    }
    render(
        StatusCode::OK,
        &PlanPage {
            nav: Some(n),
            name: format!("{} ({})", o.plan.name, o.plan.id),
            summary: o.plan.summary.clone(),
            targets: o
                .targets
                .into_iter()
                .map(|(name, _, m, hours)| (name, within(m), hours))
                .collect(),
            channels: o.plan.channels.join(", "),
            tam: o.plan.tam.replace('_', " "),
            api: o.plan.support_api,
            month: o.month,
            quotas,
            upgrades: o
                .upgrades
                .into_iter()
                .map(|p| (format!("{} ({})", p.name, p.id), p.summary))
                .collect(),
        },
    )
}
