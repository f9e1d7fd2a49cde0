//! Accounts in the console. A TAM sees the accounts they manage, an admin every account;
//! each with its plan, TAM and open cases' SLA state. Admins also create accounts and,
//! on an account's page, change its plan and TAM, add customer users and issue or
//! revoke access keys (a new password or secret is shown once, on the page that made it).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde::Deserialize;
use tierdesk_app::ServiceError;
use tierdesk_app::accounts::{AccountView, NewAccount};
use tierdesk_app::queue::QueueFilter;
use tierdesk_core::records::{Agent, Case, Role};

use super::extract::{AdminVisit, AgentVisit};
use super::forms::{Form, Query};
use super::{Lang, Nav, ShownQuery, Visit, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/accounts", get(list).post(create))
        .route("/console/accounts/{id}", get(show))
        .route("/console/accounts/{id}/{action}", post(act))
}

/// The most open cases these pages read at once.
const OPEN_CASES: i64 = 500;

struct AccountRow {
    id: String,
    name: String,
    plan: String,
    tam: String,
    open: i64,
    breaching: i64,
    /// Open cases whose customer awaits support's answer.
    awaiting: i64,
    /// The earliest running deadline, for a countdown.
    next_due: Option<String>,
    next_left: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    heading: String,
    admin: bool,
    rows: Vec<AccountRow>,
    /// The search, and the query string of the next page if there is one.
    q: String,
    more: Option<String>,
    /// (id, name) of the plans on sale, for the new-account form.
    plans: Vec<(String, String)>,
    error: Option<String>,
    /// The new-account form's fields: empty, or as typed before a refusal.
    draft: NewAccountForm,
}

impl NewAccountForm {
    fn lang(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }
}

struct OpenCase {
    case_id: String,
    subject: String,
    severity: String,
    status: &'static str,
    clock: super::clock::ClockView,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    admin: bool,
    id: String,
    name: String,
    zone: String,
    country: String,
    plan: String,
    plan_id: String,
    /// (from, plan id)
    history: Vec<(String, String)>,
    tam: String,
    tam_email: String,
    /// (email, name) of the agents with the TAM role.
    tams: Vec<(String, String)>,
    plans: Vec<(String, String)>,
    /// (name, email, language)
    /// (name, email, language, state: active, disabled or demo).
    users: Vec<(String, String, String, String)>,
    /// (access key id, principal, created, revoked)
    keys: Vec<(String, String, String, Option<String>)>,
    cases: Vec<OpenCase>,
    /// Open cases in all (the page lists the first `OPEN_CASES` by deadline).
    open_total: i64,
    /// A password or secret just made, shown this once: (what, value).
    shown_once: Option<(String, String)>,
    /// A refused form: shown beside that form, with what was typed in it.
    failed: Option<Failed>,
}

/// A refused admin form of the account page.
struct Failed {
    /// The form's action (`plan`, `user`, `key`, ...).
    form: String,
    message: String,
    /// What was posted, to fill the form again.
    draft: AccountAction,
}

impl AccountPage {
    /// The refusal if `form` is the form that failed.
    fn failed_in(&self, form: &str) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|f| f.form == form)
            .map(|f| f.message.as_str())
    }

    /// A field of the form that failed, as it was posted (empty for the other forms).
    fn typed(&self, form: &str, field: &str) -> &str {
        let Some(f) = self.failed.as_ref().filter(|f| f.form == form) else {
            return "";
        };
        let d = &f.draft;
        match field {
            "from" => d.from.as_deref().unwrap_or_default(),
            "email" => &d.email,
            "name" => &d.name,
            "language" => d.language.as_deref().unwrap_or_default(),
            "principal" => &d.principal,
            "plan" => &d.plan,
            _ => "",
        }
    }

    /// The plan the change-plan form offers first: the one just refused, else the
    /// account's.
    fn chosen_plan(&self) -> &str {
        match self.typed("plan", "plan") {
            "" => &self.plan_id,
            typed => typed,
        }
    }

    /// The refusal of a form that has no place of its own on the page.
    fn page_error(&self) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|f| !["plan", "tam", "user", "key"].contains(&f.form.as_str()))
            .map(|f| f.message.as_str())
    }
}

/// Accounts listed a page at a time.
const ACCOUNTS_PAGE: i64 = 100;

/// A page of the accounts this agent may see (all for an admin, their own for a TAM),
/// matching `text` (an id prefix or words of the name), and the id to continue after.
async fn visible(
    st: &AppState,
    v: &Visit,
    a: &Agent,
    text: Option<&str>,
    after: Option<&str>,
) -> Result<(Vec<AccountView>, Option<String>), Response> {
    let tam = match a.role {
        Role::Admin => None,
        Role::Tam => Some(a),
        Role::Agent => {
            return Err(v.message(
                StatusCode::FORBIDDEN,
                v.l.t("Not for your role"),
                v.l.t("Accounts are for technical account managers and admins."),
            ));
        }
    };
    st.app
        .find_account_views(text, tam, after, ACCOUNTS_PAGE)
        .await
        .map_err(|e| v.failure(&e))
}

/// Open cases of these accounts (all accounts: `None`), earliest deadline first.
async fn open_cases(
    st: &AppState,
    a: &Agent,
    accounts: Option<Vec<String>>,
) -> Result<Vec<Case>, ServiceError> {
    let filter = QueueFilter {
        accounts,
        limit: Some(OPEN_CASES),
        ..Default::default()
    };
    Ok(st.app.queue(a, filter).await?.0)
}

fn plans_on_sale(st: &AppState, l: Lang) -> Vec<(String, String)> {
    let today = tierdesk_core::time::today_in(st.app.clock.now(), "UTC");
    st.app
        .catalog
        .plans
        .iter()
        .filter(|p| p.lifecycle(today) == tierdesk_core::catalog::Lifecycle::OnSale)
        .map(|p| (p.id.clone(), l.plan(p).to_string()))
        .collect()
}

/// The accounts list's search, as its form puts it in the URL.
#[derive(Deserialize, Default)]
struct AccountsQuery {
    /// An id's first digits or words of the name.
    q: Option<String>,
    /// The page's cursor.
    after: Option<String>,
}

async fn list(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, a): AgentVisit,
    Query(q): Query<AccountsQuery>,
) -> Response {
    list_page(&st, &v, &a, &q, None, StatusCode::OK).await
}

async fn list_page(
    st: &AppState,
    v: &Visit,
    a: &Agent,
    q: &AccountsQuery,
    refused: Option<(String, NewAccountForm)>,
    status: StatusCode,
) -> Response {
    let (error, draft) = match refused {
        Some((e, d)) => (Some(e), d),
        None => (None, NewAccountForm::default()),
    };
    let l = v.l;
    let text = q.q.clone().unwrap_or_default();
    let (views, next) = match visible(st, v, a, Some(text.as_str()), q.after.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Two queries for the whole page, however many cases its accounts have.
    let ids: Vec<String> = views.iter().map(|x| x.account.id.clone()).collect();
    let (stats, tams) = match (
        st.app.open_case_stats(Some(&ids)).await,
        st.app.tams().await,
    ) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(e), _) | (_, Err(e)) => return v.failure(&e),
    };
    let now = st.app.clock.now();
    let rows = views
        .iter()
        .map(|view| {
            let id = &view.account.id;
            let glance = stats.iter().find(|x| &x.account_id == id);
            let next = glance.and_then(|x| x.next_due);
            AccountRow {
                id: id.clone(),
                name: view.account.name.clone(),
                plan: view
                    .plan
                    .as_ref()
                    .map_or(view.plan_id.clone(), |p| l.plan(p).to_string()),
                tam: tams
                    .iter()
                    .find(|(account, _)| account == id)
                    .map_or_else(|| l.t("none").to_string(), |(_, t)| t.name.clone()),
                open: glance.map_or(0, |x| x.open),
                breaching: glance.map_or(0, |x| x.breaching),
                awaiting: glance.map_or(0, |x| x.awaiting),
                next_due: next.map(|d| d.to_string()),
                next_left: next.map(|d| l.left(d, now)).unwrap_or_default(),
            }
        })
        .collect();
    render(
        status,
        &ListPage {
            nav: Some(v.nav()),
            l,
            csrf: v.csrf(),
            heading: if a.role == Role::Admin {
                l.t("All accounts").to_string()
            } else {
                l.t("My accounts").to_string()
            },
            admin: a.role == Role::Admin,
            rows,
            q: text.clone(),
            more: next.map(|after| {
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &text)
                    .append_pair("after", &after)
                    .finish()
            }),
            plans: plans_on_sale(st, l),
            error,
            draft,
        },
    )
}

/// What the new-account form posts (and shows again, as typed, when it is refused).
#[derive(Deserialize, Default, Clone)]
struct NewAccountForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    country: String,
    language: Option<String>,
}

async fn create(
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, a): AdminVisit,
    Form { fields: f, .. }: Form<NewAccountForm>,
) -> Response {
    let id = f.id.trim().to_string();
    let created = st
        .app
        .create_account(
            &v.who,
            NewAccount {
                id: id.clone(),
                name: f.name.clone(),
                plan: f.plan.clone(),
                timezone: f.timezone.trim().to_string(),
                country: f.country.trim().to_uppercase(),
                language: f.lang().to_string(),
                force: false,
            },
        )
        .await;
    match created {
        Ok(_) => Redirect::to(&format!("/console/accounts/{id}")).into_response(),
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => {
            list_page(
                &st,
                &v,
                &a,
                &AccountsQuery::default(),
                Some((v.explain(&e), f)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

async fn show(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, a): AgentVisit,
    Path(id): Path<String>,
    Query(q): Query<ShownQuery>,
) -> Response {
    let shown = match v.take_shown(&st, q).await {
        Ok(items) => items.into_iter().next(),
        Err(r) => return r,
    };
    account_page(&st, &v, &a, &id, shown, None, StatusCode::OK).await
}

/// Whether this agent may see this account: admins any, a TAM their own.
async fn may_see(st: &AppState, a: &Agent, id: &str) -> Result<bool, ServiceError> {
    Ok(match a.role {
        Role::Admin => true,
        Role::Tam => st.app.tam_accounts(a).await?.iter().any(|x| x == id),
        Role::Agent => false,
    })
}

async fn account_page(
    st: &AppState,
    v: &Visit,
    a: &Agent,
    id: &str,
    shown_once: Option<(String, String)>,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let l = v.l;
    match may_see(st, a, id).await {
        Ok(true) => {}
        Ok(false) => {
            // The same answer as for an account that does not exist.
            return v.failure(&ServiceError::NotFound(l.fill("no account {0}", &[id])));
        }
        Err(e) => return v.failure(&e),
    }
    let loaded = async {
        let view = st.app.account_view(id).await?;
        let tam = st.app.tam_of(id).await?;
        let users = st.app.users(Some(id)).await?;
        let cases = open_cases(st, a, Some(vec![id.to_string()])).await?;
        let open_total = st
            .app
            .open_case_stats(Some(&[id.to_string()]))
            .await?
            .first()
            .map_or(0, |x| x.open);
        let tams: Vec<Agent> = if a.role == Role::Admin {
            st.app
                .agents()
                .await?
                .into_iter()
                .filter(|x| x.role == Role::Tam)
                .collect()
        } else {
            Vec::new()
        };
        Ok::<_, ServiceError>((view, tam, users, cases, open_total, tams))
    };
    let (view, tam, users, cases, open_total, tams) = match loaded.await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let now: Timestamp = st.app.clock.now();
    let admin = a.role == Role::Admin;
    render(
        status,
        &AccountPage {
            nav: Some(v.nav()),
            l,
            csrf: v.csrf(),
            admin,
            id: view.account.id.clone(),
            name: view.account.name.clone(),
            zone: view.account.timezone.clone(),
            country: view.account.country.clone(),
            plan: view
                .plan
                .as_ref()
                .map_or(view.plan_id.clone(), |p| l.plan(p).to_string()),
            plan_id: view.plan_id.clone(),
            history: view
                .history
                .iter()
                .map(|h| (h.effective_from.to_string(), h.plan_id.clone()))
                .collect(),
            tam: tam.as_ref().map_or_else(
                || l.t("none").to_string(),
                |t| format!("{} <{}>", t.name, t.email),
            ),
            tam_email: tam.map(|t| t.email).unwrap_or_default(),
            tams: tams.into_iter().map(|t| (t.email, t.name)).collect(),
            plans: plans_on_sale(st, l),
            users: users
                .into_iter()
                .map(|u| {
                    let state = if u.disabled.is_some() {
                        l.t("disabled")
                    } else if u.demo {
                        l.t("demo")
                    } else {
                        l.t("active")
                    };
                    (u.name, u.email, u.language, state.to_string())
                })
                .collect(),
            // Keys are credentials: only admins see even their ids.
            keys: if admin {
                view.keys
                    .iter()
                    .map(|k| {
                        (
                            k.access_key_id.clone(),
                            k.principal.clone(),
                            v.when(k.created),
                            k.revoked.map(|t| v.when(t)),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            },
            cases: cases
                .into_iter()
                .map(|c| OpenCase {
                    clock: super::clock::view(v, &c, now),
                    case_id: c.case_id,
                    subject: c.subject,
                    severity: l.severity(&st.app.catalog, &c.plan_id, &c.severity_code),
                    status: c.status.as_str(),
                })
                .collect(),
            open_total,
            shown_once,
            failed,
        },
    )
}

/// The account page again, with a refused form beside its reason and what was typed.
async fn refused(st: &AppState, v: &Visit, a: &Agent, id: &str, failed: Failed) -> Response {
    account_page(st, v, a, id, None, Some(failed), StatusCode::BAD_REQUEST).await
}

/// What the account page's admin forms post; each form fills its own fields.
#[derive(Default, Deserialize)]
struct AccountAction {
    /// `plan`: the new plan and the day it starts (`YYYY-MM-DD`, today if absent).
    #[serde(default)]
    plan: String,
    from: Option<String>,
    /// `tam`: the TAM's email, or none to clear.
    tam: Option<String>,
    /// `user`: a new user.
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    language: Option<String>,
    /// `key`: a new key's principal; `revoke`: the key to revoke.
    #[serde(default)]
    principal: String,
    #[serde(default)]
    key: String,
}

/// The admins' forms on an account page: `plan`, `tam`, `user`, `user-disable`,
/// `user-enable`, `user-delete`, `key`, `revoke`.
async fn act(
    State(st): State<std::sync::Arc<AppState>>,
    AdminVisit(v, a): AdminVisit,
    Path((id, action)): Path<(String, String)>,
    Form { fields: f, .. }: Form<AccountAction>,
) -> Response {
    let l = v.l;
    let app = &st.app;
    let done: Result<Option<(String, String)>, ServiceError> = match action.as_str() {
        "plan" => {
            let from = match f.from.as_deref().map(|d| d.parse::<jiff::civil::Date>()) {
                None => None,
                Some(Ok(d)) => Some(d),
                Some(Err(_)) => {
                    let e = l.fill(
                        "'{0}' is not a date (YYYY-MM-DD)",
                        &[f.from.as_deref().unwrap_or_default()],
                    );
                    return refused(
                        &st,
                        &v,
                        &a,
                        &id,
                        Failed {
                            form: action,
                            message: e,
                            draft: f,
                        },
                    )
                    .await;
                }
            };
            app.set_plan(&v.who, &id, &f.plan, from, false)
                .await
                .map(|_| None)
        }
        "tam" => app
            .set_tam(&v.who, &id, f.tam.as_deref())
            .await
            .map(|_| None),
        "user" => match tierdesk_app::secrets::random_password() {
            Ok(password) => app
                .create_user(
                    &v.who,
                    &id,
                    &f.email,
                    &f.name,
                    f.language.as_deref(),
                    Some(&password),
                )
                .await
                .map(|u| {
                    Some((
                        l.fill("Password of {0} (shown once)", &[&u.email]),
                        password,
                    ))
                }),
            Err(e) => Err(ServiceError::Internal(e.to_string())),
        },
        "key" => app
            .create_key(&v.who, &id, f.principal.trim())
            .await
            .map(|k| {
                Some((
                    l.fill("Secret access key of {0} (shown once)", &[&k.access_key_id]),
                    k.secret_access_key,
                ))
            }),
        "user-disable" | "user-enable" | "user-delete" => {
            // Only this account's users can be changed from its page.
            match app.users(Some(&id)).await {
                Ok(users) if users.iter().any(|u| u.email == f.email) => match action.as_str() {
                    "user-delete" => app.delete_user(&v.who, &f.email).await.map(|_| None),
                    a => app
                        .set_user_disabled(&v.who, &f.email, a == "user-disable")
                        .await
                        .map(|_| None),
                },
                Ok(_) => Err(ServiceError::NotFound(format!("no user {}", f.email))),
                Err(e) => Err(e),
            }
        }
        "revoke" => {
            // Only this account's keys can be revoked from its page.
            let key = f.key.clone();
            match app.account_view(&id).await {
                Ok(view) if view.keys.iter().any(|k| k.access_key_id == key) => {
                    app.revoke_key(&v.who, &key).await.map(|_| None)
                }
                Ok(_) => Err(ServiceError::NotFound(l.fill("no key {0}", &[&key]))),
                Err(e) => Err(e),
            }
        }
        _ => {
            return v.no_such_action();
        }
    };
    match done {
        Ok(shown) => {
            v.redirect_showing(&st, &format!("/console/accounts/{id}"), shown.as_slice())
                .await
        }
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => {
            let message = v.explain(&e);
            refused(
                &st,
                &v,
                &a,
                &id,
                Failed {
                    form: action,
                    message,
                    draft: f,
                },
            )
            .await
        }
    }
}
