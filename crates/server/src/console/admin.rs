//! The admins' pages: agents (support engineers, TAMs, admins; a new agent's API token
//! and first password are shown once) and the plan catalogs in force. Accounts, their
//! users and keys are in `accounts.rs`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tierdesk_app::ServiceError;
use tierdesk_app::agents::NewAgent;
use tierdesk_core::catalog::Lifecycle;
use tierdesk_core::records::Role;
use tierdesk_core::time::today_in;

use super::extract::AdminVisit;
use super::forms::Form;
use super::{Lang, Nav, Visit, render, role_name};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/admin/agents", get(agents).post(create_agent))
        .route("/console/admin/plans", get(plans))
}

#[derive(Template)]
#[template(path = "agents.html")]
struct AgentsPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    /// (name, email, role, languages, accounts managed)
    agents: Vec<(String, String, String, String, String)>,
    /// (what, value) of a token or password just made, shown once.
    shown_once: Vec<(String, String)>,
    error: Option<String>,
    /// The new-agent form's fields: empty, or as typed before a refusal.
    draft: NewAgentForm,
}

struct PlanRow {
    id: String,
    name: String,
    provider: String,
    state: String,
    channels: String,
    tam: String,
    api: bool,
    /// (severity, first response within, clock)
    targets: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    nav: Option<Nav>,
    l: Lang,
    plans: Vec<PlanRow>,
}

async fn agents_page(
    st: &AppState,
    v: &Visit,
    shown_once: Vec<(String, String)>,
    refused: Option<(String, NewAgentForm)>,
    status: StatusCode,
) -> Response {
    let l = v.l;
    let (error, draft) = match refused {
        Some((e, d)) => (Some(e), d),
        None => (None, NewAgentForm::default()),
    };
    let all = match st.app.agents().await {
        Ok(a) => a,
        Err(e) => return v.failure(&e),
    };
    let mut agents = Vec::new();
    for a in all {
        let managed = if a.role == Role::Tam {
            match st.app.tam_accounts(&a).await {
                Ok(ids) => ids.join(", "),
                Err(e) => return v.failure(&e),
            }
        } else {
            String::new()
        };
        agents.push((
            a.name,
            a.email,
            role_name(l, a.role).to_string(),
            a.languages.join(", "),
            managed,
        ));
    }
    render(
        status,
        &AgentsPage {
            nav: Some(v.nav()),
            l,
            csrf: v.csrf(),
            agents,
            shown_once,
            error,
            draft,
        },
    )
}

async fn agents(State(st): State<AppState>, AdminVisit(v, _): AdminVisit) -> Response {
    agents_page(&st, &v, Vec::new(), None, StatusCode::OK).await
}

/// What the new-agent form posts (and shows again, as typed, when it is refused).
#[derive(Deserialize, Default, Clone)]
struct NewAgentForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    /// Comma- or space-separated language codes.
    #[serde(default)]
    languages: String,
    #[serde(default)]
    role: String,
}

async fn create_agent(
    State(st): State<AppState>,
    AdminVisit(v, _): AdminVisit,
    Form { fields: f, .. }: Form<NewAgentForm>,
) -> Response {
    let l = v.l;
    let made = async {
        let password = tierdesk_app::secrets::random_password()?;
        let created = st
            .app
            .create_agent(NewAgent {
                email: f.email.clone(),
                name: f.name.clone(),
                languages: f
                    .languages
                    .split([',', ' '])
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect(),
                role: f.role.clone(),
            })
            .await?;
        st.app.set_password(&created.agent.email, &password).await?;
        Ok::<_, ServiceError>(vec![
            (
                l.fill("Password of {0} (shown once)", &[&created.agent.email]),
                password,
            ),
            (
                l.fill("API token of {0} (shown once)", &[&created.agent.email]),
                created.token,
            ),
        ])
    };
    match made.await {
        Ok(shown) => agents_page(&st, &v, shown, None, StatusCode::OK).await,
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => {
            agents_page(
                &st,
                &v,
                Vec::new(),
                Some((v.explain(&e), f)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

async fn plans(State(st): State<AppState>, AdminVisit(v, _): AdminVisit) -> Response {
    let l = v.l;
    let today = today_in(st.app.clock.now(), "UTC");
    let plans = st
        .app
        .catalog
        .plans
        .iter()
        .map(|p| PlanRow {
            id: p.id.clone(),
            name: p.name.clone(),
            provider: p.provider.clone(),
            state: match p.lifecycle(today) {
                Lifecycle::OnSale => l.t("on sale"),
                Lifecycle::NoLongerSold => l.t("no longer sold"),
                Lifecycle::Discontinued => l.t("discontinued"),
            }
            .to_string(),
            channels: p.channels.join(", "),
            tam: p.tam.replace('_', " "),
            api: p.support_api,
            targets: p
                .case_severities()
                .into_iter()
                .filter_map(|s| {
                    let t = p.case_target(&s.code)?;
                    Some((
                        s.name.clone(),
                        l.minutes(u64::from(t.minutes)),
                        t.clock.clone(),
                    ))
                })
                .collect(),
        })
        .collect();
    render(
        StatusCode::OK,
        &PlansPage {
            nav: Some(v.nav()),
            l,
            plans,
        },
    )
}
