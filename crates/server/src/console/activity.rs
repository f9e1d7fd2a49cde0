//! The activity page (`/console/activity`): the audit log as its reader may see it. Admins
//! read every entry and filter by account, actor and date; a customer reads their own
//! account's entries (without what concerns internal notes); other staff are refused by
//! the app's rule (`tierdesk_app::audit`), not here.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tierdesk_app::audit::{AuditFilter, Reader};
use tierdesk_app::sessions::Person;

use super::forms::Query;
use super::{Lang, Nav, Visit, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new().route("/console/activity", get(activity))
}

/// The filters, as the page's form sends them.
#[derive(Deserialize, Default)]
struct ActivityQuery {
    #[serde(default)]
    account: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    page: String,
}

struct Row {
    at: String,
    /// The action in words, and its code (the CLI's and the API's name for it).
    action: &'static str,
    code: &'static str,
    actor: String,
    door: &'static str,
    address: String,
    account: String,
    target: String,
    /// The detail in the reader's words, where Tierdesk words it (a case's change).
    detail: Option<String>,
    /// The detail as the log recorded it: English, for operators; shown marked as English
    /// when it has no words of its own.
    recorded: String,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    nav: Option<Nav>,
    l: Lang,
    heading: String,
    /// Admins filter by account; a customer's page is their account's.
    by_account: bool,
    account: String,
    actor: String,
    since: String,
    rows: Vec<Row>,
    /// The link to older entries, with the same filters.
    older: Option<String>,
}

fn door(l: Lang, kind: tierdesk_core::audit::ActorKind) -> &'static str {
    use tierdesk_core::audit::ActorKind::*;
    l.t(match kind {
        AccessKey => "access key",
        ConsoleUser => "console",
        AgentToken => "API token",
        ConsoleAgent => "console (staff)",
        Cli => "command line",
        System => "Tierdesk",
        Mail => "mail",
        Integration => "integration",
    })
}

async fn activity(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Query(q): Query<ActivityQuery>,
) -> Response {
    let l = v.l;
    let (reader, heading, by_account) = match &v.person {
        Person::Customer { account, .. } => (
            Reader::Customer(&account.id),
            l.fill("Activity in account {0}", &[&account.id]),
            false,
        ),
        Person::Agent(a) => (Reader::Staff(a), l.t("Activity").to_string(), true),
    };
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        account: nonempty(&q.account).filter(|_| by_account),
        actor: nonempty(&q.actor),
        since: nonempty(&q.since),
        next_token: nonempty(&q.page),
        page_size: Some(50),
    };
    let page = match st.app.audit_log(reader, &filter).await {
        Ok(p) => p,
        Err(e) => return v.failure(&e),
    };
    // An assignment names the engineer, as the case's trail does.
    let agents = match st.app.agents().await {
        Ok(a) => a,
        Err(e) => return v.failure(&e),
    };
    let name = |id: &str| super::words::agent_name(&agents, id);
    let older = page.next_token.map(|t| {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (k, val) in [
            ("account", &q.account),
            ("actor", &q.actor),
            ("since", &q.since),
        ] {
            if !val.trim().is_empty() {
                url.append_pair(k, val.trim());
            }
        }
        url.append_pair("page", &t);
        format!("/console/activity?{}", url.finish())
    });
    let rows = page
        .entries
        .iter()
        .map(|e| Row {
            at: v.when(e.at),
            action: l.action(e.action),
            code: e.action.as_str(),
            actor: e.who.id.clone(),
            door: door(l, e.who.kind),
            address: e.who.address.clone().unwrap_or_default(),
            account: e.account_id.clone().unwrap_or_default(),
            target: l.record(&e.target),
            detail: l.case_change(e.action, &e.detail, &name, &|t| v.when(t)),
            recorded: e.detail.clone(),
        })
        .collect();
    render(
        StatusCode::OK,
        &ActivityPage {
            nav: Some(v.nav()),
            l,
            heading,
            by_account,
            account: q.account,
            actor: q.actor,
            since: q.since,
            rows,
            older,
        },
    )
}
