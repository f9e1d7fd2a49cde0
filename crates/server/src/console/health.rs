//! The console's Health pages. Customers: the open issues and scheduled changes that
//! affect their account first (with the resources affected and the description's
//! history, and a way to open a case about one), then the public events of their regions,
//! then past events. Staff: the events of the accounts they reach; admins publish, revise,
//! close and set affected resources.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tierdesk_app::health::{EntityInput, EventDetails, Publish, Update};
use tierdesk_core::health::{EventStatus, Scope};
use tierdesk_core::records::Role;
use tierdesk_store::{HealthEntityQuery, HealthEventQuery};

use super::extract::{AgentVisit, CustomerVisit};
use super::forms::{Form, Query};
use super::i18n::Lang;
use super::status::{Shown, shown};
use super::{Nav, Visit, render};
use crate::AppState;

/// The affected resources a page lists per event.
const ENTITIES_SHOWN: i64 = 50;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/health", get(dashboard))
        .route("/console/health/events", get(events).post(publish))
        .route("/console/health/event", get(event_page))
        .route("/console/health/event/update", post(update))
        .route("/console/health/event/entities", post(entities))
}

/// An event on the customer's dashboard: as the status page shows it, with the account's
/// affected resources.
struct Mine {
    shown: Shown,
    arn: String,
    /// (value, status, tags as `key=value, ...`), at most [`ENTITIES_SHOWN`].
    entities: Vec<(String, &'static str, String)>,
    more_entities: bool,
}

#[derive(Template)]
#[template(path = "health.html")]
struct Dashboard {
    nav: Option<Nav>,
    l: Lang,
    affecting: Vec<Mine>,
    service: Vec<Mine>,
    past: Vec<Mine>,
    days: u64,
    regions: String,
}

async fn dashboard(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
) -> Response {
    let account = &caller.account.id;
    let viewer = match st.app.health_viewer(account).await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let events = match st.app.current_health(Some(viewer.clone()), 200).await {
        Ok(e) => e,
        Err(e) => return v.failure(&e),
    };
    let types = st.app.health_types();
    let mut affecting = Vec::new();
    let mut service = Vec::new();
    let mut past = Vec::new();
    for d in &events {
        let q = HealthEntityQuery {
            event_arns: vec![d.event.arn.clone()],
            ..Default::default()
        };
        let (entities, more) = match st
            .app
            .health_entities_page(Some(&viewer), q, None, ENTITIES_SHOWN)
            .await
        {
            Ok(x) => x,
            Err(e) => return v.failure(&e),
        };
        let mine = Mine {
            shown: shown(types, d, &|t| v.when(t)),
            arn: d.event.arn.clone(),
            more_entities: more.is_some(),
            entities: entities
                .into_iter()
                .map(|e| {
                    let tags: Vec<String> =
                        e.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    (e.value, e.status.as_str(), tags.join(", "))
                })
                .collect(),
        };
        let concerns_me = d.event.scope == Scope::AccountSpecific || !mine.entities.is_empty();
        match (d.event.status, concerns_me) {
            (EventStatus::Closed, _) => past.push(mine),
            (_, true) => affecting.push(mine),
            (_, false) => service.push(mine),
        }
    }
    let regions = match &viewer.regions {
        Some(r) => r.join(", "),
        None => v.l.t("every region").to_string(),
    };
    render(
        StatusCode::OK,
        &Dashboard {
            nav: Some(v.nav()),
            l: v.l,
            affecting,
            service,
            past,
            days: st.app.health_history().as_secs() / 86_400,
            regions,
        },
    )
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    next: Option<String>,
}

struct Line {
    arn: String,
    title: String,
    service: String,
    region: String,
    status: &'static str,
    scope: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "health_events.html")]
struct EventsPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    admin: bool,
    status: String,
    lines: Vec<Line>,
    next: Option<String>,
    /// (code, "service · category · name") of every event type, for the publish form.
    types: Vec<(String, String)>,
    error: Option<String>,
}

async fn events_page(
    st: &AppState,
    v: &Visit,
    agent: &tierdesk_core::records::Agent,
    q: ListQuery,
    error: Option<String>,
) -> Response {
    let viewer = match st.app.staff_health_viewer(agent).await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let statuses = q
        .status
        .as_deref()
        .and_then(EventStatus::parse)
        .into_iter()
        .collect();
    let query = HealthEventQuery {
        statuses,
        ..Default::default()
    };
    let (list, next) = match st
        .app
        .health_events_page(viewer, query, q.next.as_deref(), 50)
        .await
    {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let types = st.app.health_types();
    render(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        &EventsPage {
            nav: Some(v.nav()),
            l: v.l,
            csrf: v.csrf(),
            admin: agent.role == Role::Admin,
            status: q.status.unwrap_or_default(),
            lines: list
                .iter()
                .map(|e| Line {
                    arn: e.arn.clone(),
                    title: e.title.clone(),
                    service: e.service.clone(),
                    region: e.region.clone(),
                    status: e.status.as_str(),
                    scope: e.scope.as_str(),
                    updated: v.when(e.last_updated),
                })
                .collect(),
            next,
            types: types
                .all()
                .map(|t| {
                    (
                        t.code.clone(),
                        format!("{} · {} · {}", t.service, t.category.as_str(), t.name),
                    )
                })
                .collect(),
            error,
        },
    )
}

async fn events(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<ListQuery>,
) -> Response {
    events_page(&st, &v, &agent, q, None).await
}

#[derive(Deserialize)]
struct PublishForm {
    event_type: String,
    region: String,
    availability_zone: Option<String>,
    #[serde(default)]
    accounts: String,
    /// Lines of `account:value`.
    #[serde(default)]
    entities: String,
    title: Option<String>,
    #[serde(default)]
    description: String,
    start: Option<String>,
    end: Option<String>,
}

/// A time typed in a form: RFC 3339, or a `datetime-local` value read as UTC.
fn typed_time(s: Option<&str>) -> Result<Option<jiff::Timestamp>, String> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    s.parse::<jiff::Timestamp>()
        .or_else(|_| {
            s.parse::<jiff::civil::DateTime>()
                .map_err(|e| e.to_string())
                .and_then(|d| {
                    d.to_zoned(jiff::tz::TimeZone::UTC)
                        .map(|z| z.timestamp())
                        .map_err(|e| e.to_string())
                })
        })
        .map(Some)
        .map_err(|_| format!("'{s}' is not a time such as 2026-12-01T09:00:00Z"))
}

async fn publish(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Form { fields: f, .. }: Form<PublishForm>,
) -> Response {
    let again = |error: String| events_page(&st, &v, &agent, ListQuery::default(), Some(error));
    let (start, end) = match (typed_time(f.start.as_deref()), typed_time(f.end.as_deref())) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return again(e).await,
    };
    let Some(ty) = st.app.health_types().get(&f.event_type).cloned() else {
        return again(format!("'{}' is not a known event type", f.event_type)).await;
    };
    let mut entities = Vec::new();
    for line in f.entities.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once(':') {
            Some((a, val)) => entities.push(EntityInput::impaired(a.trim(), val.trim())),
            None => return again(format!("'{line}' is not ACCOUNT:RESOURCE")).await,
        }
    }
    let published = st
        .app
        .publish_health_event_as(
            &agent,
            &v.who,
            Publish {
                service: ty.service.clone(),
                type_code: ty.code.clone(),
                category: ty.category.as_str().to_string(),
                region: f.region.trim().to_string(),
                availability_zone: f.availability_zone,
                accounts: f
                    .accounts
                    .split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
                entities,
                title: f.title,
                description: f.description,
                start,
                end,
                status: None,
            },
        )
        .await;
    match published {
        Ok(e) => Redirect::to(&event_url(&e.arn)).into_response(),
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => again(v.explain(&e)).await,
    }
}

fn event_url(arn: &str) -> String {
    format!(
        "/console/health/event?arn={}",
        form_urlencoded::byte_serialize(arn.as_bytes()).collect::<String>()
    )
}

#[derive(Deserialize)]
struct EventQuery {
    arn: String,
}

#[derive(Template)]
#[template(path = "health_event.html")]
struct EventPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    admin: bool,
    arn: String,
    shown: Shown,
    scope: &'static str,
    accounts: Vec<String>,
    counts: Vec<(String, i64)>,
    error: Option<String>,
}

async fn event_view(
    st: &AppState,
    v: &Visit,
    agent: &tierdesk_core::records::Agent,
    arn: &str,
    error: Option<String>,
) -> Response {
    let (d, accounts, counts): (EventDetails, _, _) =
        match st.app.health_event_for_staff(agent, arn).await {
            Ok(x) => x,
            Err(e) => return v.failure(&e),
        };
    let mut by_status: std::collections::BTreeMap<String, i64> = Default::default();
    for c in counts {
        *by_status.entry(c.status.as_str().to_string()).or_default() += c.count;
    }
    render(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        &EventPage {
            nav: Some(v.nav()),
            l: v.l,
            csrf: v.csrf(),
            admin: agent.role == Role::Admin,
            arn: arn.to_string(),
            shown: shown(st.app.health_types(), &d, &|t| v.when(t)),
            scope: d.event.scope.as_str(),
            accounts,
            counts: by_status.into_iter().collect(),
            error,
        },
    )
}

async fn event_page(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<EventQuery>,
) -> Response {
    event_view(&st, &v, &agent, &q.arn, None).await
}

#[derive(Deserialize)]
struct UpdateForm {
    arn: String,
    status: Option<String>,
    end: Option<String>,
    description: Option<String>,
}

async fn update(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Form { fields: f, .. }: Form<UpdateForm>,
) -> Response {
    let end = match typed_time(f.end.as_deref()) {
        Ok(e) => e,
        Err(e) => return event_view(&st, &v, &agent, &f.arn, Some(e)).await,
    };
    let done = st
        .app
        .update_health_event_as(
            &agent,
            &v.who,
            &f.arn,
            Update {
                status: f.status,
                end,
                description: f.description,
            },
        )
        .await;
    match done {
        Ok(_) => Redirect::to(&event_url(&f.arn)).into_response(),
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => event_view(&st, &v, &agent, &f.arn, Some(v.explain(&e))).await,
    }
}

#[derive(Deserialize)]
struct EntitiesForm {
    arn: String,
    /// `account_id,entity_value[,status]` lines.
    #[serde(default)]
    lines: String,
}

async fn entities(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Form { fields: f, .. }: Form<EntitiesForm>,
) -> Response {
    let rows = match tierdesk_core::health::affected_csv(&f.lines) {
        Ok(r) => r,
        Err(e) => return event_view(&st, &v, &agent, &f.arn, Some(e)).await,
    };
    let done = st
        .app
        .put_health_entities_as(
            &agent,
            &v.who,
            &f.arn,
            rows.into_iter().map(EntityInput::from).collect(),
        )
        .await;
    match done {
        Ok(_) => Redirect::to(&event_url(&f.arn)).into_response(),
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => event_view(&st, &v, &agent, &f.arn, Some(v.explain(&e))).await,
    }
}
