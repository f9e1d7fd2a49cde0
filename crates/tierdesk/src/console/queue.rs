//! The agents' side of the console: the queue ordered by SLA deadline with filters and live
//! countdowns, and a case page to reply, add internal notes, set the status and assign.
//! The same use cases as the operator API (`tierdesk_app::operator`).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tierdesk_app::ServiceError;
use tierdesk_app::operator::QueueFilter;
use tierdesk_app::sessions::Person;
use tierdesk_core::records::{Agent, Session};
use tierdesk_core::time::time_left;

use super::{Nav, checked, failure, field, message, nav, refused, render, signed_in};
use crate::http::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/queue", get(queue))
        .route("/console/queue/{id}", get(show))
        .route("/console/queue/{id}/{action}", post(act))
        .route("/console/sla", get(dashboard))
}

struct Row {
    case_id: String,
    subject: String,
    account: String,
    plan: String,
    severity: String,
    status: String,
    assignee: String,
    due: Option<String>,
    left: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    nav: Option<Nav>,
    plan: String,
    severity: String,
    language: String,
    assignee: String,
    breaching: bool,
    error: Option<String>,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "agent_case.html")]
struct CasePage {
    nav: Option<Nav>,
    csrf: String,
    case_id: String,
    display_id: i64,
    subject: String,
    account: String,
    plan: String,
    severity: String,
    status: String,
    assignee: String,
    running: String,
    due: Option<String>,
    left: String,
    breached: bool,
    /// (who, when, text, internal), oldest first.
    messages: Vec<(String, String, String, bool)>,
}

struct SeriesView {
    plan: String,
    severity: String,
    /// Built here from numbers only, so it is safe to insert unescaped.
    svg: String,
    cases: usize,
    breaches: usize,
}

#[derive(Template)]
#[template(path = "sla.html")]
struct DashboardPage {
    nav: Option<Nav>,
    first_week: String,
    series: Vec<SeriesView>,
    /// (when, case id, subject, account, plan, severity, target)
    breaches: Vec<(String, String, String, String, String, String, String)>,
}

/// A bar per week: height is the share within target; red below 90 %.
fn bars(shares: &[Option<f64>]) -> String {
    const W: usize = 14;
    const H: f64 = 32.0;
    let width = shares.len() * W;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{H}\" role=\"img\" aria-label=\"weekly share within target\">"
    );
    svg.push_str(&format!(
        "<rect width=\"{width}\" height=\"{H}\" fill=\"#eef1f4\"/>"
    ));
    for (i, s) in shares.iter().enumerate() {
        let Some(s) = s else { continue };
        let s = s.clamp(0.0, 1.0);
        let h = (s * H).max(1.0);
        let color = if s >= 0.9 { "#2a9d8f" } else { "#d62828" };
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"{color}\"><title>{:.0}%</title></rect>",
            i * W + 2,
            H - h,
            W - 4,
            s * 100.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn dashboard(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person, _) = match agent(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    let d = match st.app.sla_dashboard(8).await {
        Ok(d) => d,
        Err(e) => return failure(Some(n), &e),
    };
    render(
        StatusCode::OK,
        &DashboardPage {
            nav: Some(n),
            first_week: d.weeks.first().map(|w| w.to_string()).unwrap_or_default(),
            series: d
                .series
                .into_iter()
                .map(|s| SeriesView {
                    svg: bars(&s.shares),
                    plan: s.plan,
                    severity: s.severity,
                    cases: s.cases,
                    breaches: s.breaches,
                })
                .collect(),
            breaches: d
                .breaches
                .into_iter()
                .map(|(c, e)| {
                    (
                        e.at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        c.case_id,
                        c.subject,
                        c.account_id,
                        c.plan_id,
                        c.severity_code,
                        e.target.as_str().replace('_', " "),
                    )
                })
                .collect(),
        },
    )
}

/// The signed-in agent; customers are refused.
async fn agent(st: &AppState, headers: &HeaderMap) -> Result<(Session, Person, Agent), Response> {
    let (session, person) = signed_in(st, headers).await?;
    match &person {
        Person::Agent(a) => {
            let a = a.clone();
            Ok((session, person, a))
        }
        Person::Customer { .. } => Err(message(
            StatusCode::FORBIDDEN,
            Some(nav(&session, &person)),
            "For support staff",
            "The queue is for support engineers, TAMs and admins.",
        )),
    }
}

async fn queue(State(st): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let (session, person, agent) = match agent(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let opt = |name: &str| Some(field(&pairs, name)).filter(|v| !v.is_empty());
    let filter = QueueFilter {
        plan: opt("plan"),
        severity: opt("severity"),
        language: opt("language"),
        status: opt("status"),
        assignee: opt("assignee"),
        breaching: field(&pairs, "breaching") == "true",
        accounts: None,
        limit: Some(200),
        cursor: None,
    };
    let mut page = QueuePage {
        nav: Some(nav(&session, &person)),
        plan: field(&pairs, "plan"),
        severity: field(&pairs, "severity"),
        language: field(&pairs, "language"),
        assignee: field(&pairs, "assignee"),
        breaching: filter.breaching,
        error: None,
        rows: Vec::new(),
    };
    let now = st.app.clock.now();
    match st.app.queue(&agent, filter).await {
        Ok((cases, _)) => {
            page.rows = cases
                .into_iter()
                .map(|c| Row {
                    due: c.sla_due.map(|d| d.to_string()),
                    left: c.sla_due.map(|d| time_left(d, now)).unwrap_or_default(),
                    case_id: c.case_id,
                    subject: c.subject,
                    account: c.account_id,
                    plan: c.plan_id,
                    severity: c.severity_code,
                    status: c.status,
                    assignee: c.assignee.unwrap_or_default(),
                })
                .collect();
            render(StatusCode::OK, &page)
        }
        Err(ServiceError::Validation(m)) => {
            page.error = Some(m);
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => failure(Some(nav(&session, &person)), &e),
    }
}

async fn show(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (session, person, _) = match agent(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    let sla = match st.app.case_sla(&id).await {
        Ok(s) => s,
        Err(e) => return failure(Some(n), &e),
    };
    let conversation = match st.app.case_conversation(&id).await {
        Ok(c) => c,
        Err(e) => return failure(Some(n), &e),
    };
    let running = sla.running();
    let c = &sla.case;
    render(
        StatusCode::OK,
        &CasePage {
            nav: Some(n),
            csrf: session.csrf.clone(),
            case_id: c.case_id.clone(),
            display_id: c.display_id,
            subject: c.subject.clone(),
            account: format!("{} {}", sla.account.id, sla.account.name),
            plan: sla.plan_name.clone().unwrap_or_else(|| c.plan_id.clone()),
            severity: c.severity_code.clone(),
            status: c.status.clone(),
            assignee: c.assignee.clone().unwrap_or_else(|| "nobody".into()),
            running: running
                .map(|t| t.kind.as_str().replace('_', " "))
                .unwrap_or_default(),
            due: running.map(|t| t.due.to_string()),
            left: running
                .map(|t| time_left(t.due, sla.now))
                .unwrap_or_default(),
            breached: sla.breached(),
            messages: conversation
                .into_iter()
                .map(|m| {
                    (
                        m.submitted_by,
                        m.created.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        m.body,
                        m.internal,
                    )
                })
                .collect(),
        },
    )
}

/// The case page's forms: `message` (a reply, or an internal note), `status`, `assign`.
async fn act(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (session, person, agent) = match agent(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(f) = checked(&session, &headers, &body) else {
        return refused(&session, &person);
    };
    let app = &st.app;
    let done = match action.as_str() {
        "message" if field(&f, "kind") == "note" => {
            app.note(&agent, &id, Some(&field(&f, "body"))).await
        }
        "message" => app.reply(&agent, &id, Some(&field(&f, "body"))).await,
        "status" => app
            .set_case_status(&id, Some(&field(&f, "status")))
            .await
            .map(|_| ()),
        "assign" => {
            let who = match field(&f, "assignee").as_str() {
                "" => None,
                "me" => Some(agent.id.clone()),
                other => Some(other.to_string()),
            };
            app.assign_case(&id, who.as_deref()).await
        }
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
        Ok(()) => Redirect::to(&format!("/console/queue/{id}")).into_response(),
        Err(e) => failure(Some(nav(&session, &person)), &e),
    }
}
