//! Staff's case search (`/console/search`): every case the agent reaches, resolved ones
//! included, by words of the subject and messages (internal notes too), the people on a
//! case, its id or number, narrowed by account, status and severity; newest first, a page
//! at a time with a link to the next (never a silent cut-off). The same use case as the
//! operator API's `GET /api/v1/cases` (`tierdesk_app::queue::find_cases`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tierdesk_app::queue::FindCases;
use tierdesk_core::records::CaseStatus;

use super::extract::AgentVisit;
use super::forms::Query;
use super::{Lang, Nav, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new().route("/console/search", get(find))
}

/// One page of results.
const PAGE: i64 = 50;

/// The search form, as it puts itself in the URL.
#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    account: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    /// The next page's cursor.
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Option<Nav>,
    l: Lang,
    q: String,
    account: String,
    status: String,
    severity: String,
    statuses: Vec<&'static str>,
    severities: Vec<(String, String)>,
    /// Whether anything was asked (an empty form shows no results yet).
    asked: bool,
    found: Vec<super::cases::CaseRow>,
    /// The query string of the next page, if there is one.
    more: Option<String>,
    error: Option<String>,
}

async fn find(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<SearchQuery>,
) -> Response {
    let shown = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut page = SearchPage {
        nav: Some(v.nav()),
        l: v.l,
        q: shown(&q.q),
        account: shown(&q.account),
        status: shown(&q.status),
        severity: shown(&q.severity),
        statuses: CaseStatus::ALL.map(CaseStatus::as_str).to_vec(),
        severities: super::queue::severity_choices(&st, v.l),
        asked: [&q.q, &q.account, &q.status, &q.severity]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty())),
        found: Vec::new(),
        more: None,
        error: None,
    };
    if !page.asked {
        return render(StatusCode::OK, &page);
    }
    let find = FindCases {
        text: q.q.clone(),
        account: q.account.clone(),
        status: q.status.clone().filter(|s| !s.is_empty()),
        severity: q.severity.clone().filter(|s| !s.is_empty()),
        limit: Some(PAGE),
        cursor: q.after.clone(),
    };
    let now = st.app.clock.now();
    match st.app.find_cases(&agent, find).await {
        Ok((cases, next)) => {
            page.more = next.map(|token| {
                super::next_page(
                    &[
                        ("q", Some(&page.q)),
                        ("account", Some(&page.account)),
                        ("status", Some(&page.status)),
                        ("severity", Some(&page.severity)),
                    ],
                    &token,
                )
            });
            page.found = cases
                .iter()
                .map(|c| super::cases::CaseRow::of(&v, &st.app.catalog, c, now))
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
