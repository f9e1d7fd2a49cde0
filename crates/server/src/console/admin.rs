//! The admins' pages: agents (support engineers, TAMs, admins; a new agent's API token
//! and first password are shown once) and the plan catalogs in force. Accounts, their
//! users and keys are in `accounts.rs`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tierdesk_app::ServiceError;
use tierdesk_app::agents::NewAgent;
use tierdesk_core::catalog::Lifecycle;
use tierdesk_core::records::Role;
use tierdesk_core::time::today_in;

use super::extract::AdminVisit;
use super::forms::{Form, Query};
use super::{Lang, Nav, ShownQuery, Visit, render, role_name};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/admin/agents", get(agents).post(create_agent))
        .route("/console/admin/agents/access", post(change_access))
        .route("/console/admin/plans", get(plans))
}

#[derive(Template)]
#[template(path = "agents.html")]
struct AgentsPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    agents: Vec<AgentRow>,
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
        let managed = if a.role == Role::Agent {
            match st.app.agent_accounts(&a).await {
                Ok(ids) if ids.is_empty() => l.t("every account").to_string(),
                Ok(ids) => ids.join(", "),
                Err(e) => return v.failure(&e),
            }
        } else {
            managed
        };
        let mut state = Vec::new();
        if a.disabled.is_some() {
            state.push(l.t("disabled").to_string());
        }
        match a.token_expires {
            Some(t) if t <= st.app.clock.now() => {
                state.push(l.t("token revoked or expired").to_string())
            }
            Some(t) => state.push(l.fill("token until {0}", &[&v.when(t)])),
            None => {}
        }
        if a.demo {
            state.push(l.t("demo").to_string());
        }
        agents.push(AgentRow {
            name: a.name,
            email: a.email,
            role: a.role.as_str(),
            role_name: role_name(l, a.role).to_string(),
            languages: a.languages.join(", "),
            managed,
            disabled: a.disabled.is_some(),
            state: if state.is_empty() {
                l.t("active").to_string()
            } else {
                state.join("; ")
            },
        });
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

/// One agent on the agents page.
struct AgentRow {
    name: String,
    email: String,
    role: &'static str,
    role_name: String,
    languages: String,
    /// The accounts a TAM manages, or an engineer is limited to.
    managed: String,
    disabled: bool,
    state: String,
}

/// What an agent's row posts: `disable`, `enable`, `role` (with `role`), `rotate-token`,
/// `revoke-token`.
#[derive(Deserialize, Default)]
struct AccessForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
}

async fn change_access(
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, _): AdminVisit,
    Form { fields: f, .. }: Form<AccessForm>,
) -> Response {
    let l = v.l;
    let app = &st.app;
    // An admin may not take their own access away: the app refuses it by `who`.
    let by = &v.who;
    let done: Result<Vec<(String, String)>, ServiceError> = match f.action.as_str() {
        "disable" => app
            .set_agent_disabled(by, &f.email, true)
            .await
            .map(|_| Vec::new()),
        "enable" => app
            .set_agent_disabled(by, &f.email, false)
            .await
            .map(|_| Vec::new()),
        "role" => app
            .set_agent_role(by, &f.email, &f.role)
            .await
            .map(|_| Vec::new()),
        "rotate-token" => app.rotate_agent_token(by, &f.email, None).await.map(|c| {
            vec![(
                l.fill("API token of {0} (shown once)", &[&c.agent.email]),
                c.token,
            )]
        }),
        "revoke-token" => app
            .revoke_agent_token(by, &f.email)
            .await
            .map(|_| Vec::new()),
        _ => return v.no_such_action(),
    };
    match done {
        Ok(shown) => {
            v.redirect_showing(&st, "/console/admin/agents", &shown)
                .await
        }
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => {
            agents_page(
                &st,
                &v,
                Vec::new(),
                Some((v.explain(&e), NewAgentForm::default())),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

async fn agents(
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, _): AdminVisit,
    Query(q): Query<ShownQuery>,
) -> Response {
    match v.take_shown(&st, q).await {
        Ok(shown) => agents_page(&st, &v, shown, None, StatusCode::OK).await,
        Err(r) => r,
    }
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
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, _): AdminVisit,
    Form { fields: f, .. }: Form<NewAgentForm>,
) -> Response {
    let l = v.l;
    let made = async {
        let password = tierdesk_app::secrets::random_password()?;
        let created = st
            .app
            .create_agent(
                &v.who,
                NewAgent {
                    email: f.email.clone(),
                    name: f.name.clone(),
                    languages: f
                        .languages
                        .split([',', ' '])
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect(),
                    role: f.role.clone(),
                    ..Default::default()
                },
            )
            .await?;
        st.app
            .set_password(&v.who, &created.agent.email, &password)
            .await?;
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
        Ok(shown) => {
            v.redirect_showing(&st, "/console/admin/agents", &shown)
                .await
        }
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

async fn plans(
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, _): AdminVisit,
) -> Response {
    let l = v.l;
    let today = today_in(st.app.clock.now(), "UTC");
    let plans = st
        .app
        .catalog
        .plans
        .iter()
        .map(|p| PlanRow {
            id: p.id.clone(),
            name: l.plan(p).to_string(),
            provider: l.provider(&p.provider),
            state: match p.lifecycle(today) {
                Lifecycle::OnSale => l.t("on sale"),
                Lifecycle::NoLongerSold => l.t("no longer sold"),
                Lifecycle::Discontinued => l.t("discontinued"),
            }
            .to_string(),
            channels: l.channels(&p.channels),
            tam: l.tam(&p.tam),
            api: p.support_api,
            targets: p
                .case_severities()
                .into_iter()
                .filter_map(|s| {
                    let t = p.case_target(&s.code)?;
                    let hours = st
                        .app
                        .catalog
                        .calendar(&t.clock)
                        .and_then(|c| c.hours("en", None));
                    Some((
                        s.name_in(l.code()).to_string(),
                        l.minutes(u64::from(t.minutes)),
                        l.hours(hours.as_ref()),
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
