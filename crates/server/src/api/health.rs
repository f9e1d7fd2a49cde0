//! `/api/v1/health/...`: AWS Health events for staff. Admins publish, revise and close
//! events and set the resources they affect; everyone reads the events of the accounts
//! they reach. An event is named in the path by its ARN, percent-encoded.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use tierdesk_app::health::{EntityInput, Publish, Update};
use tierdesk_core::health::{self as hl, Event};
use tierdesk_store::HealthEventQuery;

use super::{ApiError, ApiResult, Staff, body, invalid, ok, param, query};
use crate::AppState;

/// The most events one page lists.
const MAX_PAGE: i64 = 100;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthEventBody {
    pub arn: String,
    pub service: String,
    pub event_type_code: String,
    pub event_type_category: &'static str,
    pub region: String,
    pub availability_zone: Option<String>,
    pub start_time: String,
    pub end_time: Option<String>,
    pub last_updated_time: String,
    pub status_code: &'static str,
    pub event_scope_code: &'static str,
    pub actionability: &'static str,
    pub personas: Vec<&'static str>,
    pub title: String,
}

impl From<&Event> for HealthEventBody {
    fn from(e: &Event) -> Self {
        Self {
            arn: e.arn.clone(),
            service: e.service.clone(),
            event_type_code: e.type_code.clone(),
            event_type_category: e.category.as_str(),
            region: e.region.clone(),
            availability_zone: e.availability_zone.clone(),
            start_time: e.start.to_string(),
            end_time: e.end.map(|t| t.to_string()),
            last_updated_time: e.last_updated.to_string(),
            status_code: e.status.as_str(),
            event_scope_code: e.scope.as_str(),
            actionability: e.actionability.as_str(),
            personas: e.personas.iter().map(|p| p.as_str()).collect(),
            title: e.title.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthEventPage {
    pub events: Vec<HealthEventBody>,
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionBody {
    pub at: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthEventDetailBody {
    pub event: HealthEventBody,
    /// Oldest first.
    pub descriptions: Vec<RevisionBody>,
    pub accounts: Vec<String>,
    pub entity_counts: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitiesWritten {
    pub written: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewEvent {
    service: String,
    event_type_code: String,
    event_type_category: String,
    region: String,
    availability_zone: Option<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    entities: Vec<NewEntity>,
    title: Option<String>,
    description: String,
    start_time: Option<jiff::Timestamp>,
    end_time: Option<jiff::Timestamp>,
    status_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewEntity {
    account_id: String,
    entity_value: String,
    status_code: Option<String>,
    /// Replaces the entity's tags; absent keeps them.
    #[serde(default)]
    tags: std::collections::BTreeMap<String, String>,
}

impl From<NewEntity> for EntityInput {
    fn from(e: NewEntity) -> Self {
        EntityInput {
            account_id: e.account_id,
            value: e.entity_value,
            status: e.status_code.unwrap_or_else(|| "IMPAIRED".into()),
            tags: e.tags,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EventChange {
    status_code: Option<String>,
    end_time: Option<jiff::Timestamp>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EntityList {
    entities: Vec<NewEntity>,
}

fn created<T: Serialize>(v: &T) -> ApiResult {
    let mut r = ok(v)?;
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

pub(super) async fn list(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = query(
        q,
        &[
            "status",
            "service",
            "region",
            "account",
            "limit",
            "nextToken",
        ],
    )?;
    let limit = match param(&p, "limit") {
        None => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| invalid(format!("limit '{l}' is not a number from 1 to {MAX_PAGE}")))?,
    };
    let statuses = match param(&p, "status") {
        None => Vec::new(),
        Some(s) => vec![hl::EventStatus::parse(&s).ok_or_else(|| {
            invalid(format!(
                "status '{s}' is not one of {}",
                hl::EventStatus::words().join(", ")
            ))
        })?],
    };
    let mut viewer = st.app.staff_health_viewer(&a).await?;
    if let Some(account) = param(&p, "account") {
        // An account's events: those naming it and the public ones of its regions.
        let mine = st.app.health_viewer(&account).await?;
        viewer = match viewer {
            Some(v) if !v.accounts.contains(&account) => {
                return Err(ApiError::from(tierdesk_app::ServiceError::Forbidden(
                    format!("{} does not reach account {account}", a.email),
                )));
            }
            _ => Some(mine),
        };
    }
    let q = HealthEventQuery {
        statuses,
        services: param(&p, "service").into_iter().collect(),
        regions: param(&p, "region").into_iter().collect(),
        ..Default::default()
    };
    let (events, next_token) = st
        .app
        .health_events_page(viewer, q, param(&p, "nextToken").as_deref(), limit)
        .await?;
    ok(&HealthEventPage {
        events: events.iter().map(HealthEventBody::from).collect(),
        next_token,
    })
}

pub(super) async fn publish(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    bytes: Bytes,
) -> ApiResult {
    let b: NewEvent = body(&bytes)?;
    let entities: Vec<EntityInput> = b.entities.into_iter().map(EntityInput::from).collect();
    let mut accounts = b.accounts;
    accounts.extend(entities.iter().map(|e| e.account_id.clone()));
    accounts.sort();
    accounts.dedup();
    let ev = st
        .app
        .publish_health_event_as(
            &a,
            &who,
            Publish {
                service: b.service,
                type_code: b.event_type_code,
                category: b.event_type_category,
                region: b.region,
                availability_zone: b.availability_zone,
                accounts,
                entities,
                title: b.title,
                description: b.description,
                start: b.start_time,
                end: b.end_time,
                status: b.status_code,
            },
        )
        .await?;
    created(&HealthEventBody::from(&ev))
}

pub(super) async fn show(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, _): Staff,
    Path(arn): Path<String>,
) -> ApiResult {
    let (d, accounts, counts) = st.app.health_event_for_staff(&a, &arn).await?;
    let mut entity_counts = std::collections::BTreeMap::new();
    for c in counts {
        *entity_counts
            .entry(c.status.as_str().to_string())
            .or_default() += c.count;
    }
    ok(&HealthEventDetailBody {
        event: HealthEventBody::from(&d.event),
        descriptions: d
            .revisions
            .iter()
            .map(|r| RevisionBody {
                at: r.at.to_string(),
                description: r.text.clone(),
            })
            .collect(),
        accounts,
        entity_counts,
    })
}

pub(super) async fn change(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(arn): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let b: EventChange = body(&bytes)?;
    let ev = st
        .app
        .update_health_event_as(
            &a,
            &who,
            &arn,
            Update {
                status: b.status_code,
                end: b.end_time,
                description: b.description,
            },
        )
        .await?;
    ok(&HealthEventBody::from(&ev))
}

/// Entities as JSON (`{"entities": [...]}`) or as CSV (`text/csv`, the lines
/// `tierdesk health entities` reads).
pub(super) async fn entities(
    State(st): State<std::sync::Arc<AppState>>,
    Staff(a, who): Staff,
    Path(arn): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let rows: Vec<EntityInput> = if csv {
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid("the CSV is not UTF-8"))?;
        hl::affected_csv(text)
            .map_err(invalid)?
            .into_iter()
            .map(EntityInput::from)
            .collect()
    } else {
        let b: EntityList = body(&bytes)?;
        b.entities.into_iter().map(EntityInput::from).collect()
    };
    let written = st.app.put_health_entities_as(&a, &who, &arn, rows).await?;
    ok(&EntitiesWritten { written }).map(|r| r.into_response())
}
