//! The agents' side of the console: the queue ordered by SLA deadline with filters and live
//! countdowns, a case page (the customer's plan and TAM, the conversation with its
//! attachments) to reply, add internal notes, set the status and assign, and the SLA
//! dashboard. The same use cases as the operator API (`tierdesk_app::queue` and `tierdesk_app::cases`).

use askama::Template;
use axum::Router;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tierdesk_app::actor::Actor;
use tierdesk_app::cases::{Attachments, Message};
use tierdesk_app::queue::CaseSla;
use tierdesk_app::queue::QueueFilter;
use tierdesk_core::audit::Action;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::{Agent, CaseStatus, Role, SlaEventKind};

use super::cases::{MessageView, attachment_response};
use super::extract::AgentVisit;
use super::forms::{Form, Query};
use super::i18n::phrase;
use super::words::agent_name;
use super::{Lang, Nav, Visit, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/queue", get(queue))
        .route("/console/queue/{id}", get(show))
        .route("/console/queue/{id}/{action}", post(act))
        .layer(axum::extract::DefaultBodyLimit::max(
            super::cases::UPLOAD_LIMIT,
        ))
        .route(
            "/console/queue/{id}/attachments/{attachment}",
            get(download),
        )
}

struct Row {
    case_id: String,
    subject: String,
    account: String,
    plan: String,
    severity: String,
    status: &'static str,
    assignee: String,
    clock: super::clock::ClockView,
    /// How long the customer has awaited support's answer, if they do.
    waiting: Option<String>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    nav: Option<Nav>,
    l: Lang,
    plan: String,
    severity: String,
    language: String,
    status: String,
    statuses: Vec<&'static str>,
    /// The choices of the plan, severity and language filters: (value, label).
    plans: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    languages: Vec<(String, String)>,
    assignee: String,
    breaching: bool,
    awaiting: bool,
    error: Option<String>,
    rows: Vec<Row>,
    /// The query string of the queue's next page, if there is one.
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "agent_case.html")]
struct CasePage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    case_id: String,
    display_id: i64,
    subject: String,
    account: String,
    account_id: String,
    plan: String,
    tam: String,
    severity: String,
    status: &'static str,
    assignee: String,
    /// Service and category, type, case language, cc and who opened it.
    service: String,
    issue_type: String,
    language: String,
    cc: String,
    opened_by: String,
    clock: super::clock::ClockView,
    breached: bool,
    /// "The customer has waited ... for an answer" when they have.
    awaiting: Option<String>,
    messages: Vec<MessageView>,
    /// Where the conversation's attachments download from.
    attachment_base: String,
    /// TAMs and admins may open the account's page.
    link_account: bool,
    max_files: usize,
    max_mb: usize,
    /// (id, name) of every agent, to assign the case to.
    agents: Vec<(String, String)>,
    /// The assignee's id, to preselect them.
    assignee_id: String,
    /// Why the last message was refused, and the text that was typed, kept.
    error: Option<String>,
    draft: String,
    /// The Health event the case is about: (arn, title, status).
    health_event: Option<(String, String, &'static str)>,
}

/// Every severity code the loaded plans use, each with its name (the first plan's that
/// has it), in the order plans list them.
pub(super) fn severity_choices(st: &AppState, l: Lang) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for p in &st.app.catalog.plans {
        for s in p.case_severities() {
            if !out.iter().any(|(code, _)| *code == s.code) {
                out.push((s.code.clone(), s.name_in(l.code()).to_string()));
            }
        }
    }
    out
}

/// The queue's filters, as its form puts them in the URL.
#[derive(Deserialize)]
struct QueueQuery {
    plan: Option<String>,
    severity: Option<String>,
    language: Option<String>,
    status: Option<String>,
    /// An agent id, `me` or `none`.
    assignee: Option<String>,
    /// `true` for breaching cases only.
    breaching: Option<String>,
    /// `true` for cases whose customer awaits support's answer only.
    awaiting: Option<String>,
    /// The next page's cursor.
    after: Option<String>,
}

/// Cases on one page of the queue; the page links to the next.
const QUEUE_PAGE: i64 = 100;

async fn queue(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<QueueQuery>,
) -> Response {
    let shown = |v: &Option<String>| v.clone().unwrap_or_default();
    let filter = QueueFilter {
        plan: q.plan.clone(),
        severity: q.severity.clone(),
        language: q.language.clone(),
        status: q.status.clone(),
        assignee: q.assignee.clone(),
        breaching: q.breaching.as_deref() == Some("true"),
        awaiting: q.awaiting.as_deref() == Some("true"),
        accounts: None,
        limit: Some(QUEUE_PAGE),
        cursor: q.after.clone(),
    };
    let mut page = QueuePage {
        nav: Some(v.nav()),
        l: v.l,
        plan: shown(&q.plan),
        severity: shown(&q.severity),
        language: shown(&q.language),
        status: shown(&q.status),
        statuses: CaseStatus::ALL
            .into_iter()
            .filter(|s| *s != CaseStatus::Resolved)
            .map(CaseStatus::as_str)
            .collect(),
        plans: st
            .app
            .catalog
            .plans
            .iter()
            .map(|p| (p.id.clone(), v.l.plan(p).to_string()))
            .collect(),
        severities: severity_choices(&st, v.l),
        languages: tierdesk_core::account::CASE_LANGUAGES
            .iter()
            .map(|(code, _, native)| (code.to_string(), native.to_string()))
            .collect(),
        assignee: shown(&q.assignee),
        breaching: filter.breaching,
        awaiting: filter.awaiting,
        error: None,
        rows: Vec::new(),
        more: None,
    };
    let now = st.app.clock.now();
    // People and plans by name, not by id.
    let agents = match st.app.agents().await {
        Ok(a) => a,
        Err(e) => return v.failure(&e),
    };
    match st.app.queue(&agent, filter).await {
        Ok((cases, next)) => {
            page.more = next.map(|token| {
                super::next_page(
                    &[
                        ("plan", q.plan.as_deref()),
                        ("severity", q.severity.as_deref()),
                        ("language", q.language.as_deref()),
                        ("status", q.status.as_deref()),
                        ("assignee", q.assignee.as_deref()),
                        ("breaching", q.breaching.as_deref()),
                        ("awaiting", q.awaiting.as_deref()),
                    ],
                    &token,
                )
            });
            page.rows = cases
                .into_iter()
                .map(|c| Row {
                    clock: super::clock::view(&v, &c, now),
                    waiting: c.awaiting_since.map(|t| v.l.waited(t, now)),
                    case_id: c.case_id,
                    subject: c.subject,
                    account: c.account_id,
                    severity: v.l.severity(&st.app.catalog, &c.plan_id, &c.severity_code),
                    plan: v.l.plan_name(&st.app.catalog, &c.plan_id),
                    status: c.status.as_str(),
                    assignee: c
                        .assignee
                        .as_deref()
                        .map(|id| agent_name(&agents, id))
                        .unwrap_or_default(),
                })
                .collect();
            render(StatusCode::OK, &page)
        }
        Err(e) if crate::errors::is_refusal(&e) => {
            page.error = Some(v.explain(&e));
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => v.failure(&e),
    }
}

async fn show(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Path(id): Path<String>,
) -> Response {
    case_page(&st, &v, &agent, &id, None, String::new()).await
}

/// The case page; after a refused message, with the reason and the typed text.
async fn case_page(
    st: &AppState,
    v: &Visit,
    agent: &Agent,
    id: &str,
    error: Option<String>,
    draft: String,
) -> Response {
    let l = v.l;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let sla = match st.app.case_sla(agent, id).await {
        Ok(s) => s,
        Err(e) => return v.failure(&e),
    };
    let conversation = match st.app.case_conversation(agent, &v.who, id).await {
        Ok(c) => c,
        Err(e) => return v.failure(&e),
    };
    let agents = match st.app.agents().await {
        Ok(a) => a,
        Err(e) => return v.failure(&e),
    };
    let c = &sla.case;
    let health_event = match st.app.health_event_of_case(c.display_id).await {
        Ok(e) => e.map(|e| (e.arn, e.title, e.status.as_str())),
        Err(err) => return v.failure(&err),
    };
    render(
        status,
        &CasePage {
            health_event,
            nav: Some(v.nav()),
            l,
            csrf: v.csrf(),
            case_id: c.case_id.clone(),
            display_id: c.display_id,
            subject: c.subject.clone(),
            account: format!("{} {}", sla.account.id, sla.account.name),
            account_id: sla.account.id.clone(),
            plan: l.plan_name(&st.app.catalog, &c.plan_id),
            tam: sla.tam.as_ref().map_or_else(
                || l.t("none").to_string(),
                |t| format!("{} <{}>", t.name, t.email),
            ),
            severity: l.severity(&st.app.catalog, &c.plan_id, &c.severity_code),
            status: c.status.as_str(),
            assignee: match &c.assignee {
                None => l.t("nobody").into(),
                Some(id) => agent_name(&agents, id),
            },
            assignee_id: c.assignee.clone().unwrap_or_default(),
            agents: agents
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect(),
            clock: super::clock::view(v, c, sla.now),
            service: super::cases::service_name(st, l, c),
            issue_type: match c.issue_type.as_str() {
                "technical" => l.t("Technical").to_string(),
                "customer-service" => l.t("Account and billing").to_string(),
                other => other.to_string(),
            },
            language: l.language(&c.language),
            cc: c.cc_emails.join(", "),
            opened_by: c.submitted_by.clone(),
            breached: sla.breached(),
            awaiting: c.awaiting_since.map(|t| {
                l.fill(
                    "The customer has waited {0} for an answer (since {1}).",
                    &[&l.waited(t, sla.now), &v.when(t)],
                )
            }),
            attachment_base: format!("/console/queue/{id}/attachments"),
            link_account: matches!(agent.role, Role::Tam | Role::Admin),
            max_files: st.app.limits.attachments_per_set,
            max_mb: st.app.limits.attachment_bytes / (1024 * 1024),
            error,
            draft,
            messages: with_trail(
                v,
                &sla,
                &agents,
                conversation
                    .into_iter()
                    .map(|m| MessageView::message(v, m))
                    .collect(),
            ),
        },
    )
}

/// The conversation with the case's event trail in time order: who changed the status,
/// resolved, assigned or escalated it, and each target met, warned of or breached.
fn with_trail(
    v: &Visit,
    sla: &CaseSla,
    agents: &[Agent],
    mut messages: Vec<MessageView>,
) -> Vec<MessageView> {
    let l = v.l;
    let kind = |k: TargetKind| l.target(k);
    let name = |id: &str| agent_name(agents, id);
    let line = |at: jiff::Timestamp, text: String| MessageView::event(v, at, text);
    for e in &sla.trail {
        let who = e.who.id.as_str();
        let text = match e.action {
            Action::CaseResolve => l.fill("{0} resolved the case", &[who]),
            // The audit log's details are written for operators: worded here.
            Action::CaseStatus | Action::CaseAssign | Action::CaseEscalate => {
                let change = l
                    .case_change(e.action, &e.detail, &name, &|t| v.when(t))
                    .unwrap_or_else(|| e.detail.clone());
                let sentence = match e.action {
                    Action::CaseStatus => phrase("{0} changed the status ({1})"),
                    Action::CaseAssign => phrase("{0} assigned the case ({1})"),
                    _ => phrase("{0} asked for an urgent escalation ({1})"),
                };
                l.fill(sentence, &[who, &change])
            }
            _ => continue,
        };
        messages.push(line(e.at, text));
    }
    for t in &sla.targets {
        if let Some(met) = t.met {
            let text = l.fill("Target met: {0} (due {1})", &[kind(t.kind), &v.when(t.due)]);
            messages.push(line(met, text));
        }
    }
    for e in &sla.events {
        let text = match e.kind {
            SlaEventKind::Warning => l.fill(
                "Target nears its deadline: {0} (due {1})",
                &[kind(e.target), &v.when(e.due)],
            ),
            SlaEventKind::Breach => l.fill(
                "Target breached: {0} (due {1})",
                &[kind(e.target), &v.when(e.due)],
            ),
        };
        messages.push(line(e.at, text));
    }
    // Stable: a message and a line of the same instant keep their order.
    messages.sort_by_key(|m| m.at);
    messages
}

/// What the case page's forms post.
#[derive(Deserialize)]
struct CaseAction {
    #[serde(default)]
    body: String,
    /// `reply` or `note`.
    kind: Option<String>,
    status: Option<String>,
    assignee: Option<String>,
}

/// The case page's forms: `message` (a reply, or an internal note), `status`, `assign`.
async fn act(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Path((id, action)): Path<(String, String)>,
    Form { fields, files }: Form<CaseAction>,
) -> Response {
    let app = &st.app;
    let done = match action.as_str() {
        "message" => {
            let message = Message {
                case_id: Some(id.clone()),
                body: Some(fields.body.clone()),
                internal: fields.kind.as_deref() == Some("note"),
                attachments: Attachments::Files(files),
                ..Message::default()
            };
            match app
                .post_message(Actor::Agent(&agent), &v.who, message)
                .await
            {
                // A refused message keeps what was typed, with the reason beside it.
                Err(e) if crate::errors::is_refusal(&e) => {
                    let reason = v.explain(&e);
                    return case_page(&st, &v, &agent, &id, Some(reason), fields.body).await;
                }
                other => other,
            }
        }
        "status" => app
            .set_case_status(&agent, &v.who, &id, fields.status.as_deref())
            .await
            .map(|_| ()),
        "assign" => {
            app.assign_case(&agent, &v.who, &id, fields.assignee.as_deref())
                .await
        }
        _ => {
            return v.no_such_action();
        }
    };
    match done {
        Ok(()) => Redirect::to(&format!("/console/queue/{id}")).into_response(),
        Err(e) => v.failure(&e),
    }
}

async fn download(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Path((case_id, attachment)): Path<(String, String)>,
    Query(q): Query<super::cases::DownloadQuery>,
) -> Response {
    match st
        .app
        .case_attachment(&agent, &v.who, &case_id, &attachment)
        .await
    {
        Ok(a) => attachment_response(&a.file_name, a.data, q.preview()),
        Err(e) => v.failure(&e),
    }
}
