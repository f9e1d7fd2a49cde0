//! The AWS Health API (JSON 1.1, `X-Amz-Target: AWSHealth_20160804.<Op>` on `POST /`), on
//! the Support API's listener and keys, signed for `health`. The wire's members become
//! the use cases' queries here; who sees which event is decided in `tierdesk_app::health`.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Body;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tierdesk_app::auth::Caller;
use tierdesk_app::cursor::page_of;
use tierdesk_app::error::Field;
use tierdesk_app::{App, ServiceError};
use tierdesk_aws::error::AwsError;
use tierdesk_aws::health::{self as wire, HealthOperation as Op};
use tierdesk_aws::sigv4;
use tierdesk_core::health::{self as hl, TimeRange};
use tierdesk_store::{HealthEntityQuery, HealthEventQuery, HealthViewer};

use super::{Authenticated, Failure, WireRequest, aws_words, caller_and_body};
use crate::AppState;

/// The two protocols clients speak: JSON 1.1 (botocore, the AWS CLI) names the operation
/// in `X-Amz-Target`; Smithy RPC v2 CBOR (the AWS SDK for Rust) in the path. Bodies are
/// read into the same JSON shapes either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Json,
    Cbor,
}

/// `POST /` with an `AWSHealth_20160804.` target.
pub(crate) async fn endpoint(
    state: &AppState,
    parts: axum::http::request::Parts,
    headers: Vec<(String, String)>,
    body: Body,
    request_id: String,
) -> Response {
    answer(state, parts, headers, body, request_id, Protocol::Json).await
}

/// `POST /service/AWSHealth_20160804/operation/<Op>`.
pub(crate) async fn cbor_endpoint(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<AppState>>,
    req: axum::extract::Request,
) -> Response {
    let request_id = super::request_id(&state, &req);
    let (parts, body) = req.into_parts();
    let headers = super::header_pairs(&parts.headers);
    answer(&state, parts, headers, body, request_id, Protocol::Cbor).await
}

async fn answer(
    state: &AppState,
    parts: axum::http::request::Parts,
    headers: Vec<(String, String)>,
    body: Body,
    request_id: String,
    protocol: Protocol,
) -> Response {
    let started = Instant::now();
    let mut operation = None;
    let mut account = None;
    let result = async {
        let (who, bytes) = caller_and_body(
            state,
            &headers,
            body,
            tierdesk_aws::Service::Health,
            protocol == Protocol::Json,
        )
        .await?;
        let req = WireRequest::of(&parts, &headers, &bytes);
        let address = crate::client::address_of(&state.trusted_proxies, &parts);
        handle(
            &state.app,
            &req,
            protocol,
            who,
            address,
            &mut operation,
            &mut account,
        )
        .await
    }
    .await;
    let (status, body) = super::settle(
        result,
        &request_id,
        operation.map_or("-", Op::name),
        account.as_deref(),
        started,
    );
    match protocol {
        Protocol::Json => super::respond(status, body, tierdesk_aws::CONTENT_TYPE, &request_id),
        Protocol::Cbor => {
            // The JSON answer (or error) as CBOR, its times as tag 1.
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let cbor = tierdesk_aws::cbor::encode(&value, &wire::is_timestamp);
            let mut resp = super::respond(status, cbor, wire::CBOR_CONTENT_TYPE, &request_id);
            resp.headers_mut().insert(
                "smithy-protocol",
                axum::http::HeaderValue::from_static("rpc-v2-cbor"),
            );
            resp
        }
    }
}

/// A use case's failure in this API's terms: a page token it did not issue is
/// `InvalidPaginationToken`, any other bad member a `ValidationException`.
fn failure(e: ServiceError) -> Failure {
    match e {
        ServiceError::Invalid(i) if i.field == Field::NextToken => {
            wire::invalid_pagination_token().into()
        }
        ServiceError::Invalid(i) => validation(aws_words(&i)).into(),
        other => other.into(),
    }
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::client("ValidationException", message)
}

fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, AwsError> {
    super::parse(body)
}

fn ok<T: Serialize>(v: &T) -> Result<Vec<u8>, Failure> {
    Ok(super::ok(v)?)
}

async fn handle(
    app: &App,
    req: &WireRequest<'_>,
    protocol: Protocol,
    who: Authenticated,
    address: Option<String>,
    operation: &mut Option<Op>,
    account: &mut Option<String>,
) -> Result<Vec<u8>, Failure> {
    sigv4::verify(&req.signed(), &who.auth, &who.amz_date, &who.key.secret)
        .map_err(AwsError::from)?;
    let caller = &who.key.caller;
    *account = Some(caller.account.id.clone());
    let (op, json) = match protocol {
        Protocol::Json => {
            let target = sigv4::header(req.headers, "x-amz-target").unwrap_or_default();
            let name = target.strip_prefix(wire::TARGET_PREFIX).unwrap_or(target);
            (Op::parse(name)?, None)
        }
        Protocol::Cbor => {
            let name = wire::cbor_operation(req.path)?;
            let value = if req.body.is_empty() {
                serde_json::Value::Object(Default::default())
            } else {
                tierdesk_aws::cbor::decode(req.body).map_err(|e| {
                    AwsError::client(
                        "SerializationException",
                        format!("The request body is not valid CBOR: {e}"),
                    )
                })?
            };
            (
                Op::parse(name)?,
                Some(serde_json::to_vec(&value).map_err(|e| Failure::Internal(e.to_string()))?),
            )
        }
    };
    *operation = Some(op);
    app.throttle(caller)?;
    // The Health API is a plan feature, as the Support API is (AWS: Business and up).
    app.require_api(caller)?;
    let who = tierdesk_app::actor::customer_who(caller, address);
    dispatch(app, caller, &who, op, json.as_deref().unwrap_or(req.body)).await
}

async fn dispatch(
    app: &App,
    caller: &Caller,
    who: &tierdesk_core::audit::Who,
    op: Op,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    let me = || app.health_viewer(&caller.account.id);
    match op {
        Op::DescribeEvents => {
            let r: wire::DescribeEventsRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let max = bounded("maxResults", r.max_results, 1, 100, 100)?;
            let q = event_query(r.filter.unwrap_or_default())?;
            let (events, next_token) = app
                .health_events_page(Some(me().await?), q, r.next_token.as_deref(), max)
                .await
                .map_err(failure)?;
            ok(&wire::DescribeEventsResponse {
                events: events.iter().map(event).collect(),
                next_token,
            })
        }
        Op::DescribeEventDetails => {
            let r: wire::DescribeEventDetailsRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let arns = listed("eventArns", r.event_arns, 1, 10)?;
            let (found, failed) = app
                .health_event_details(Some(&me().await?), &arns)
                .await
                .map_err(failure)?;
            ok(&wire::DescribeEventDetailsResponse {
                successful_set: found.iter().map(details).collect(),
                failed_set: failed
                    .into_iter()
                    .map(|f| wire::EventDetailsErrorItem {
                        event_arn: f.arn,
                        error_name: f.error_name.to_string(),
                        error_message: f.message,
                    })
                    .collect(),
            })
        }
        Op::DescribeAffectedEntities => {
            let r: wire::DescribeAffectedEntitiesRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let max = bounded("maxResults", r.max_results, 1, 100, 100)?;
            let f = r.filter.ok_or_else(|| validation("filter is required"))?;
            let q = entity_query(f)?;
            let viewer = me().await?;
            let (entities, next_token) = app
                .health_entities_page(Some(&viewer), q, r.next_token.as_deref(), max)
                .await
                .map_err(failure)?;
            ok(&wire::DescribeAffectedEntitiesResponse {
                entities: entities.iter().map(entity).collect(),
                next_token,
            })
        }
        Op::DescribeEntityAggregates => {
            let r: wire::DescribeEntityAggregatesRequest = parse(body)?;
            let arns = listed("eventArns", r.event_arns, 1, 50)?;
            let counts = app
                .health_entity_counts(Some(&me().await?), &arns, None)
                .await
                .map_err(failure)?;
            let mut by_event: BTreeMap<String, wire::EntityAggregate> = BTreeMap::new();
            for c in counts {
                let a =
                    by_event
                        .entry(c.event_arn.clone())
                        .or_insert_with(|| wire::EntityAggregate {
                            event_arn: c.event_arn.clone(),
                            count: 0,
                            statuses: BTreeMap::new(),
                        });
                a.count += c.count;
                *a.statuses.entry(c.status.as_str().to_string()).or_default() += c.count;
            }
            // Every event asked for that the caller sees has an aggregate, even of none.
            let visible = app
                .health_event_details(Some(&me().await?), &arns)
                .await
                .map_err(failure)?
                .0;
            let entity_aggregates = visible
                .iter()
                .map(|d| {
                    by_event
                        .remove(&d.event.arn)
                        .unwrap_or_else(|| wire::EntityAggregate {
                            event_arn: d.event.arn.clone(),
                            count: 0,
                            statuses: BTreeMap::new(),
                        })
                })
                .collect();
            ok(&wire::DescribeEntityAggregatesResponse { entity_aggregates })
        }
        Op::DescribeEventAggregates => {
            let r: wire::DescribeEventAggregatesRequest = parse(body)?;
            match r.aggregate_field.as_deref() {
                Some("eventTypeCategory") => {}
                Some(other) => {
                    return Err(validation(format!(
                        "1 validation error detected: Value '{other}' at 'aggregateField' failed to satisfy constraint: Member must satisfy enum value set: [eventTypeCategory]"
                    ))
                    .into());
                }
                None => return Err(validation("aggregateField is required").into()),
            }
            bounded("maxResults", r.max_results, 10, 100, 100)?;
            // At most four categories: one page, so no token is ever issued.
            if r.next_token.is_some() {
                return Err(wire::invalid_pagination_token().into());
            }
            let q = event_query(r.filter.unwrap_or_default())?;
            let counts = app
                .health_event_counts(Some(me().await?), q)
                .await
                .map_err(failure)?;
            ok(&wire::DescribeEventAggregatesResponse {
                event_aggregates: counts
                    .into_iter()
                    .map(|(c, n)| wire::EventAggregate {
                        aggregate_value: c.as_str().to_string(),
                        count: n,
                    })
                    .collect(),
                next_token: None,
            })
        }
        Op::DescribeEventTypes => {
            let r: wire::DescribeEventTypesRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let max = bounded("maxResults", r.max_results, 10, 100, 30)?;
            let f = r.filter.unwrap_or_default();
            let codes = listed_opt("filter.eventTypeCodes", f.event_type_codes, 10)?;
            let services = listed_opt("filter.services", f.services, 10)?;
            let categories = words(
                "filter.eventTypeCategories",
                f.event_type_categories,
                hl::Category::parse,
                hl::Category::words,
            )?;
            let actionabilities = words(
                "filter.actionabilities",
                f.actionabilities,
                hl::Actionability::parse,
                hl::Actionability::words,
            )?;
            let personas = words(
                "filter.personas",
                f.personas,
                hl::Persona::parse,
                hl::Persona::words,
            )?;
            let types: Vec<wire::EventType> = app
                .health_types()
                .all()
                .filter(|t| codes.is_empty() || codes.contains(&t.code))
                .filter(|t| services.is_empty() || services.contains(&t.service))
                .filter(|t| categories.is_empty() || categories.contains(&t.category))
                .filter(|t| {
                    actionabilities.is_empty() || actionabilities.contains(&t.actionability)
                })
                .filter(|t| personas.is_empty() || t.personas.iter().any(|p| personas.contains(p)))
                .map(|t| wire::EventType {
                    service: t.service.clone(),
                    code: t.code.clone(),
                    category: t.category.as_str().to_string(),
                    actionability: t.actionability.as_str().to_string(),
                    personas: t.personas.iter().map(|p| p.as_str().to_string()).collect(),
                })
                .collect();
            let filters =
                format!("{codes:?}{services:?}{categories:?}{actionabilities:?}{personas:?}");
            let (event_types, next_token) = page_of(
                types,
                r.next_token.as_deref(),
                "health-types",
                &[&filters],
                max as usize,
            )
            .map_err(failure)?;
            ok(&wire::DescribeEventTypesResponse {
                event_types,
                next_token,
            })
        }
        Op::EnableHealthServiceAccessForOrganization
        | Op::DisableHealthServiceAccessForOrganization => {
            let _: wire::Empty = parse(body)?;
            app.set_health_organization(
                caller,
                who,
                op == Op::EnableHealthServiceAccessForOrganization,
            )
            .await?;
            Ok(b"{}".to_vec())
        }
        Op::DescribeHealthServiceStatusForOrganization => {
            let _: wire::Empty = parse(body)?;
            let on = app.health_organization(caller).await?.is_some();
            ok(&wire::DescribeHealthServiceStatusForOrganizationResponse {
                health_service_access_status_for_organization: if on {
                    "ENABLED"
                } else {
                    "DISABLED"
                }
                .to_string(),
            })
        }
        Op::DescribeEventsForOrganization => {
            let r: wire::DescribeEventsForOrganizationRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let max = bounded("maxResults", r.max_results, 1, 100, 100)?;
            let org = organization(app, caller).await?;
            let f = r.filter.unwrap_or_default();
            let asked = listed_opt("filter.awsAccountIds", f.aws_account_ids.clone(), 50)?;
            let viewer = HealthViewer {
                accounts: if asked.is_empty() {
                    org.clone()
                } else {
                    asked.into_iter().filter(|a| org.contains(a)).collect()
                },
                regions: None,
            };
            let q = event_query(wire::EventFilter {
                actionabilities: f.actionabilities,
                event_type_codes: f.event_type_codes,
                services: f.services,
                regions: f.regions,
                start_times: f.start_time.map(|r| vec![r]),
                end_times: f.end_time.map(|r| vec![r]),
                last_updated_times: f.last_updated_time.map(|r| vec![r]),
                entity_arns: f.entity_arns,
                entity_values: f.entity_values,
                event_type_categories: f.event_type_categories,
                event_status_codes: f.event_status_codes,
                personas: f.personas,
                ..Default::default()
            })?;
            let (events, next_token) = app
                .health_events_page(Some(viewer), q, r.next_token.as_deref(), max)
                .await
                .map_err(failure)?;
            ok(&wire::DescribeEventsForOrganizationResponse {
                events: events
                    .iter()
                    .map(|e| wire::OrganizationEvent {
                        arn: e.arn.clone(),
                        service: e.service.clone(),
                        event_type_code: e.type_code.clone(),
                        event_type_category: e.category.as_str().to_string(),
                        event_scope_code: e.scope.as_str().to_string(),
                        region: e.region.clone(),
                        start_time: wire::seconds(e.start),
                        end_time: e.end.map(wire::seconds),
                        last_updated_time: wire::seconds(e.last_updated),
                        status_code: e.status.as_str().to_string(),
                        actionability: e.actionability.as_str().to_string(),
                        personas: e.personas.iter().map(|p| p.as_str().to_string()).collect(),
                    })
                    .collect(),
                next_token,
            })
        }
        Op::DescribeAffectedAccountsForOrganization => {
            let r: wire::DescribeAffectedAccountsForOrganizationRequest = parse(body)?;
            let max = bounded("maxResults", r.max_results, 10, 100, 100)?;
            let arn = r
                .event_arn
                .ok_or_else(|| validation("eventArn is required"))?;
            let org = organization(app, caller).await?;
            let viewer = HealthViewer {
                accounts: org.clone(),
                regions: None,
            };
            let (found, _) = app
                .health_event_details(Some(&viewer), std::slice::from_ref(&arn))
                .await
                .map_err(failure)?;
            let (scope, accounts) = match found.first() {
                None => ("NONE", Vec::new()),
                Some(d) => (
                    d.event.scope.as_str(),
                    app.store
                        .health_event_accounts(&arn)
                        .await
                        .map_err(ServiceError::from)?
                        .into_iter()
                        .filter(|a| org.contains(a))
                        .collect(),
                ),
            };
            let (affected_accounts, next_token) = page_of(
                accounts,
                r.next_token.as_deref(),
                "health-org-accounts",
                &[&arn],
                max as usize,
            )
            .map_err(failure)?;
            ok(&wire::DescribeAffectedAccountsForOrganizationResponse {
                affected_accounts,
                event_scope_code: scope.to_string(),
                next_token,
            })
        }
        Op::DescribeAffectedEntitiesForOrganization => {
            let r: wire::DescribeAffectedEntitiesForOrganizationRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let max = bounded("maxResults", r.max_results, 1, 100, 100)?;
            let filters = listed(
                "organizationEntityAccountFilters",
                r.organization_entity_account_filters
                    .or(r.organization_entity_filters),
                1,
                10,
            )?;
            let org = organization(app, caller).await?;
            let mut entities = Vec::new();
            let mut failed_set = Vec::new();
            for f in &filters {
                let arn = f
                    .event_arn
                    .clone()
                    .ok_or_else(|| validation("eventArn is required in each filter"))?;
                let accounts: Vec<String> = match &f.aws_account_id {
                    Some(a) => org.iter().filter(|x| *x == a).cloned().collect(),
                    None => org.clone(),
                };
                let viewer = HealthViewer {
                    accounts: accounts.clone(),
                    regions: None,
                };
                let statuses = words(
                    "statusCodes",
                    f.status_codes.clone(),
                    hl::EntityStatus::parse,
                    hl::EntityStatus::words,
                )?;
                let (found, _) = app
                    .health_event_details(Some(&viewer), std::slice::from_ref(&arn))
                    .await
                    .map_err(failure)?;
                if found.is_empty() || accounts.is_empty() {
                    failed_set.push(wire::OrganizationAffectedEntitiesErrorItem {
                        aws_account_id: f.aws_account_id.clone().unwrap_or_default(),
                        event_arn: arn,
                        error_name: "UnsupportedOperation".into(),
                        error_message:
                            "We couldn't find an event that matches your request for this account."
                                .into(),
                    });
                    continue;
                }
                let q = HealthEntityQuery {
                    event_arns: vec![arn],
                    accounts: Some(accounts),
                    statuses,
                    tags: tag_sets("organizationEntityAccountFilters.tags", f.tags.clone())?,
                    ..Default::default()
                };
                let (page, _) = app
                    .health_entities_page(
                        Some(&viewer),
                        q,
                        None,
                        tierdesk_app::health::MAX_ENTITIES as i64,
                    )
                    .await
                    .map_err(failure)?;
                entities.extend(page);
            }
            let filters_fp = format!(
                "{:?}",
                filters
                    .iter()
                    .map(|f| (&f.event_arn, &f.aws_account_id, &f.status_codes, &f.tags))
                    .collect::<Vec<_>>()
            );
            let (page, next_token) = page_of(
                entities,
                r.next_token.as_deref(),
                "health-org-entities",
                &[&filters_fp],
                max as usize,
            )
            .map_err(failure)?;
            ok(&wire::DescribeAffectedEntitiesForOrganizationResponse {
                entities: page.iter().map(entity).collect(),
                failed_set,
                next_token,
            })
        }
        Op::DescribeEventDetailsForOrganization => {
            let r: wire::DescribeEventDetailsForOrganizationRequest = parse(body)?;
            locale(r.locale.as_deref())?;
            let filters = listed(
                "organizationEventDetailFilters",
                r.organization_event_detail_filters,
                1,
                10,
            )?;
            let org = organization(app, caller).await?;
            let mut successful_set = Vec::new();
            let mut failed_set = Vec::new();
            for f in filters {
                let arn = f
                    .event_arn
                    .ok_or_else(|| validation("eventArn is required in each filter"))?;
                let account = f.aws_account_id.unwrap_or_default();
                let viewer = HealthViewer {
                    accounts: org.iter().filter(|x| **x == account).cloned().collect(),
                    regions: None,
                };
                let (found, _) = app
                    .health_event_details(Some(&viewer), std::slice::from_ref(&arn))
                    .await
                    .map_err(failure)?;
                match found.first() {
                    Some(d) if !viewer.accounts.is_empty() || d.event.scope == hl::Scope::Public => {
                        let w = details(d);
                        successful_set.push(wire::OrganizationEventDetails {
                            aws_account_id: account,
                            event: w.event,
                            event_description: w.event_description,
                            event_metadata: w.event_metadata,
                        });
                    }
                    _ => failed_set.push(wire::OrganizationEventDetailsErrorItem {
                        aws_account_id: account.clone(),
                        event_arn: arn,
                        error_name: "UnsupportedOperation".into(),
                        error_message: if account.is_empty() {
                            "We couldn't find a public event that matches your request. To find an event that is account specific, you must enter an AWS account ID in the request.".into()
                        } else {
                            "We couldn't find an event that matches your request for this account.".into()
                        },
                    }),
                }
            }
            ok(&wire::DescribeEventDetailsForOrganizationResponse {
                successful_set,
                failed_set,
            })
        }
        Op::DescribeEntityAggregatesForOrganization => {
            let r: wire::DescribeEntityAggregatesForOrganizationRequest = parse(body)?;
            let arns = listed("eventArns", r.event_arns, 1, 25)?;
            let asked = listed_opt("awsAccountIds", r.aws_account_ids, 25)?;
            let org = organization(app, caller).await?;
            let accounts: Vec<String> = if asked.is_empty() {
                org.clone()
            } else {
                asked.into_iter().filter(|a| org.contains(a)).collect()
            };
            let viewer = HealthViewer {
                accounts: accounts.clone(),
                regions: None,
            };
            let counts = app
                .health_entity_counts(Some(&viewer), &arns, Some(accounts))
                .await
                .map_err(failure)?;
            let mut out: BTreeMap<String, wire::OrganizationEntityAggregate> = BTreeMap::new();
            for c in counts {
                let a = out.entry(c.event_arn.clone()).or_insert_with(|| {
                    wire::OrganizationEntityAggregate {
                        event_arn: c.event_arn.clone(),
                        count: 0,
                        statuses: BTreeMap::new(),
                        accounts: Vec::new(),
                    }
                });
                a.count += c.count;
                *a.statuses.entry(c.status.as_str().to_string()).or_default() += c.count;
                match a.accounts.iter_mut().find(|x| x.account_id == c.account_id) {
                    Some(x) => {
                        x.count += c.count;
                        *x.statuses.entry(c.status.as_str().to_string()).or_default() += c.count;
                    }
                    None => a.accounts.push(wire::AccountEntityAggregate {
                        account_id: c.account_id.clone(),
                        count: c.count,
                        statuses: BTreeMap::from([(c.status.as_str().to_string(), c.count)]),
                    }),
                }
            }
            ok(&wire::DescribeEntityAggregatesForOrganizationResponse {
                organization_entity_aggregates: out.into_values().collect(),
            })
        }
    }
}

/// The caller's organization, or the error AWS gives before the view is enabled.
async fn organization(app: &App, caller: &Caller) -> Result<Vec<String>, Failure> {
    app.health_organization(caller).await?.ok_or_else(|| {
        AwsError::client(
            "AccessDeniedException",
            "Health's organization view is not enabled for this account: call EnableHealthServiceAccessForOrganization first.",
        )
        .into()
    })
}

/// Only English is served (AWS: "English (en) is the default and the only supported value").
fn locale(l: Option<&str>) -> Result<(), AwsError> {
    match l {
        None => Ok(()),
        Some(l) if l.chars().count() < 2 || l.chars().count() > 256 => Err(validation(format!(
            "1 validation error detected: Value '{l}' at 'locale' failed to satisfy constraint: Member must have length between 2 and 256"
        ))),
        Some(l) if l == "en" || l.starts_with("en_") || l.starts_with("en-") => Ok(()),
        Some(_) => Err(wire::unsupported_locale()),
    }
}

fn bounded(
    member: &str,
    v: Option<i64>,
    min: i64,
    max: i64,
    default: i64,
) -> Result<i64, AwsError> {
    match v {
        None => Ok(default),
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(validation(format!(
            "1 validation error detected: Value '{n}' at '{member}' failed to satisfy constraint: Member must have value between {min} and {max}"
        ))),
    }
}

/// A required list of `min..=max` entries.
fn listed<T>(member: &str, v: Option<Vec<T>>, min: usize, max: usize) -> Result<Vec<T>, AwsError> {
    let v = v.ok_or_else(|| validation(format!("{member} is required")))?;
    if v.len() < min || v.len() > max {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length between {min} and {max}"
        )));
    }
    Ok(v)
}

/// An optional list of at most `max` entries (empty when absent).
fn listed_opt<T>(member: &str, v: Option<Vec<T>>, max: usize) -> Result<Vec<T>, AwsError> {
    match v {
        None => Ok(Vec::new()),
        Some(v) => listed(member, Some(v), 1, max),
    }
}

fn words<W>(
    member: &str,
    v: Option<Vec<String>>,
    parse: fn(&str) -> Option<W>,
    all: fn() -> Vec<&'static str>,
) -> Result<Vec<W>, AwsError> {
    v.unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            parse(s).ok_or_else(|| {
                validation(format!(
                    "1 validation error detected: Value '{s}' at '{member}.{}.member' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    i + 1,
                    all().join(", ")
                ))
            })
        })
        .collect()
}

fn ranges(member: &str, v: Option<Vec<wire::DateTimeRange>>) -> Result<Vec<TimeRange>, AwsError> {
    let v = listed_opt(member, v, 10)?;
    v.iter()
        .map(|r| {
            let t = |s: Option<f64>| {
                s.map(|s| {
                    wire::from_seconds(s)
                        .ok_or_else(|| validation(format!("{member}: {s} is not a time")))
                })
                .transpose()
            };
            Ok(TimeRange {
                from: t(r.from)?,
                to: t(r.to)?,
            })
        })
        .collect()
}

/// A filter's tag sets: at most 50, of at most 50 tags each.
fn tag_sets(
    member: &str,
    sets: Option<Vec<BTreeMap<String, String>>>,
) -> Result<Vec<BTreeMap<String, String>>, AwsError> {
    let sets = sets.unwrap_or_default();
    if sets.len() > 50 {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to 50"
        )));
    }
    if sets.iter().any(|s| s.len() > hl::MAX_TAGS) {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Map value must have length less than or equal to {}",
            hl::MAX_TAGS
        )));
    }
    Ok(sets)
}

fn event_query(f: wire::EventFilter) -> Result<HealthEventQuery, AwsError> {
    Ok(HealthEventQuery {
        arns: listed_opt("filter.eventArns", f.event_arns, 10)?,
        services: listed_opt("filter.services", f.services, 10)?,
        type_codes: listed_opt("filter.eventTypeCodes", f.event_type_codes, 10)?,
        regions: listed_opt("filter.regions", f.regions, 10)?,
        zones: f.availability_zones.unwrap_or_default(),
        categories: words(
            "filter.eventTypeCategories",
            f.event_type_categories,
            hl::Category::parse,
            hl::Category::words,
        )?,
        statuses: words(
            "filter.eventStatusCodes",
            f.event_status_codes,
            hl::EventStatus::parse,
            hl::EventStatus::words,
        )?,
        actionabilities: words(
            "filter.actionabilities",
            f.actionabilities,
            hl::Actionability::parse,
            hl::Actionability::words,
        )?,
        personas: words(
            "filter.personas",
            f.personas,
            hl::Persona::parse,
            hl::Persona::words,
        )?,
        start_times: ranges("filter.startTimes", f.start_times)?,
        end_times: ranges("filter.endTimes", f.end_times)?,
        last_updated_times: ranges("filter.lastUpdatedTimes", f.last_updated_times)?,
        entity_values: listed_opt("filter.entityValues", f.entity_values, 99)?,
        entity_arns: listed_opt("filter.entityArns", f.entity_arns, 99)?,
        tags: tag_sets("filter.tags", f.tags)?,
        ..Default::default()
    })
}

fn entity_query(f: wire::EntityFilter) -> Result<HealthEntityQuery, AwsError> {
    Ok(HealthEntityQuery {
        event_arns: listed("filter.eventArns", f.event_arns, 1, 10)?,
        accounts: None,
        values: listed_opt("filter.entityValues", f.entity_values, 99)?,
        arns: listed_opt("filter.entityArns", f.entity_arns, 99)?,
        statuses: words(
            "filter.statusCodes",
            f.status_codes,
            hl::EntityStatus::parse,
            hl::EntityStatus::words,
        )?,
        last_updated_times: ranges("filter.lastUpdatedTimes", f.last_updated_times)?,
        tags: tag_sets("filter.tags", f.tags)?,
        after: None,
        limit: 0,
    })
}

fn event(e: &hl::Event) -> wire::Event {
    wire::Event {
        arn: e.arn.clone(),
        service: e.service.clone(),
        event_type_code: e.type_code.clone(),
        event_type_category: e.category.as_str().to_string(),
        region: e.region.clone(),
        availability_zone: e.availability_zone.clone(),
        start_time: wire::seconds(e.start),
        end_time: e.end.map(wire::seconds),
        last_updated_time: wire::seconds(e.last_updated),
        status_code: e.status.as_str().to_string(),
        event_scope_code: e.scope.as_str().to_string(),
        actionability: e.actionability.as_str().to_string(),
        personas: e.personas.iter().map(|p| p.as_str().to_string()).collect(),
    }
}

fn details(d: &tierdesk_app::health::EventDetails) -> wire::EventDetails {
    wire::EventDetails {
        event: event(&d.event),
        event_description: wire::EventDescription {
            latest_description: d.latest().to_string(),
        },
        event_metadata: d.event.metadata.clone(),
    }
}

fn entity(e: &hl::Entity) -> wire::AffectedEntity {
    wire::AffectedEntity {
        entity_arn: e.arn.clone(),
        event_arn: e.event_arn.clone(),
        entity_value: e.value.clone(),
        entity_url: e.url.clone(),
        aws_account_id: e.account_id.clone(),
        last_updated_time: wire::seconds(e.last_updated),
        status_code: e.status.as_str().to_string(),
        tags: e.tags.clone(),
    }
}
