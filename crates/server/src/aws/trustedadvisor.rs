//! `/v1/...`: the newer Trusted Advisor API (`trustedadvisor`, REST-JSON), on the same
//! listener and keys as the Support API, served from the same results: a check is a
//! `CheckSummary`, a check's result for the caller's account a `Recommendation`, a row a
//! `RecommendationResource`, and a suppressed row an excluded resource (one set of data,
//! whichever API changes it).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use rust_decimal::Decimal;
use tierdesk_app::actor::customer_who;
use tierdesk_app::auth::Caller;
use tierdesk_app::cursor::page_of;
use tierdesk_app::error::Field;
use tierdesk_app::trusted_advisor::CheckView;
use tierdesk_app::{App, ServiceError};
use tierdesk_aws::error::AwsError;
use tierdesk_aws::sigv4;
use tierdesk_aws::trustedadvisor::{self as ta, Route};
use tierdesk_core::audit::Who;
use tierdesk_core::trusted_advisor::{Category, CheckDef, CheckStatus, ResultRow, Status};

use super::{Authenticated, Failure, WireRequest, aws_words, caller_and_body, header_pairs};
use crate::AppState;

pub(crate) async fn endpoint(
    State(state): State<std::sync::Arc<AppState>>,
    req: Request,
) -> Response {
    let started = Instant::now();
    let request_id = super::request_id(&state, &req);
    let (parts, body) = req.into_parts();
    let headers = header_pairs(&parts.headers);
    let mut operation = None;
    let mut account = None;
    let result = async {
        let (who, bytes) = caller_and_body(
            &state,
            &headers,
            body,
            tierdesk_aws::Service::TrustedAdvisor,
            false,
        )
        .await
        .map_err(rest_auth)?;
        let req = WireRequest::of(&parts, &headers, &bytes);
        let address = crate::client::address_of(&state.trusted_proxies, &parts);
        handle(&state.app, &req, who, address, &mut operation, &mut account).await
    }
    .await;
    let (status, body, error) = match result {
        Ok(body) => (200, body, None),
        Err(Failure::Aws(e)) => (e.status, e.body(), Some(e.code)),
        Err(Failure::Internal(detail)) => {
            tracing::error!(request_id, operation, account = ?account, %detail, "internal error");
            let e = AwsError::new(
                500,
                "InternalServerException",
                format!("An internal error occurred. Request id {request_id}."),
            );
            (e.status, e.body(), Some(e.code))
        }
    };
    tracing::debug!(
        request_id,
        operation = operation.unwrap_or("-"),
        account = account.as_deref().unwrap_or("-"),
        status,
        error = error.unwrap_or("-"),
        micros = started.elapsed().as_micros() as u64,
        "trustedadvisor request"
    );
    let mut resp = super::respond(status, body, ta::CONTENT_TYPE, &request_id);
    // REST-JSON clients read the error's code from this header first.
    if let Some(code) = error {
        resp.headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(code));
    }
    resp
}

/// A REST service refuses a bad signature or an unknown key with 403, not JSON 1.1's 400.
fn rest_auth(f: Failure) -> Failure {
    match f {
        Failure::Aws(mut e) if e.status == 400 => {
            e.status = 403;
            Failure::Aws(e)
        }
        other => other,
    }
}

/// A use case's failure in this API's terms: its real HTTP statuses and codes.
fn failure(e: ServiceError) -> Failure {
    match e {
        ServiceError::SubscriptionRequired(m) | ServiceError::Forbidden(m) => {
            ta::access_denied(m).into()
        }
        ServiceError::Invalid(i) => ta::validation(aws_words(&i)).into(),
        ServiceError::Throttled(m) => AwsError::new(429, "ThrottlingException", m).into(),
        ServiceError::NotFound(m) => ta::not_found(m).into(),
        other => other.into(),
    }
}

async fn handle(
    app: &App,
    req: &WireRequest<'_>,
    who: Authenticated,
    address: Option<String>,
    operation: &mut Option<&'static str>,
    account: &mut Option<String>,
) -> Result<Vec<u8>, Failure> {
    sigv4::verify(&req.signed(), &who.auth, &who.amz_date, &who.key.secret)
        .map_err(|e| rest_auth(AwsError::from(e).into()))?;
    let caller = &who.key.caller;
    *account = Some(caller.account.id.clone());
    let route = Route::parse(req.method, req.path)?;
    *operation = Some(route.name());
    app.throttle(caller).map_err(failure)?;
    app.require_advisor_api(caller).map_err(failure)?;
    let query = Query(ta::query_params(req.query));
    let acting = customer_who(caller, address);
    match route {
        Route::ListChecks => list_checks(app, caller, &query),
        Route::ListRecommendations => list_recommendations(app, caller, &query).await,
        Route::GetRecommendation(id) => get_recommendation(app, caller, &id).await,
        Route::ListRecommendationResources(id) => list_resources(app, caller, &id, &query).await,
        Route::BatchUpdateRecommendationResourceExclusion => {
            update_exclusions(app, caller, &acting, req.body).await
        }
    }
}

fn ok<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(v).map_err(|e| Failure::Internal(e.to_string()))
}

/// A request's query parameters.
struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An enum-typed parameter: one of `allowed`, or a ValidationException.
    fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, Failure> {
        match self.get(name) {
            Some(v) if !allowed.contains(&v) => Err(ta::validation(format!(
                "{name} '{v}' is not one of {}",
                allowed.join(", ")
            ))
            .into()),
            v => Ok(v),
        }
    }

    /// `maxResults` within `1..=max` (`max` when absent).
    fn max_results(&self, max: usize) -> Result<usize, Failure> {
        let Some(v) = self.get("maxResults") else {
            return Ok(max);
        };
        match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(
                ta::validation(format!("maxResults must be between 1 and {max}, not '{v}'")).into(),
            ),
        }
    }

    /// An ISO 8601 time parameter.
    fn time(&self, name: &str) -> Result<Option<jiff::Timestamp>, Failure> {
        self.get(name)
            .map(|v| {
                v.parse::<jiff::Timestamp>().map_err(|_| {
                    ta::validation(format!(
                        "{name} '{v}' is not an ISO 8601 time such as 2026-11-22T05:53:18Z"
                    ))
                    .into()
                })
            })
            .transpose()
    }

    fn token(&self) -> Option<&str> {
        self.get("nextToken")
    }

    /// The filters a page token is bound to: every parameter but the paging ones.
    fn filters(&self) -> Vec<&str> {
        let mut f: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k != "nextToken" && k != "maxResults")
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        f.sort_unstable();
        f
    }
}

fn pillar(c: &CheckDef) -> Vec<String> {
    vec![c.category.as_str().to_string()]
}

fn services(c: &CheckDef) -> Vec<String> {
    c.services.iter().map(|s| ta::service_code(s)).collect()
}

fn row_status(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Warning => "warning",
        Status::Error => "error",
    }
}

fn list_checks(app: &App, caller: &Caller, q: &Query) -> Result<Vec<u8>, Failure> {
    let language = q.one_of("language", ta::LANGUAGES)?.unwrap_or("en");
    let pillar_filter = q.one_of("pillar", ta::PILLARS)?;
    let source = q.one_of("source", ta::SOURCES)?;
    let service = q.get("awsService");
    let max = q.max_results(200)?;
    let checks: Vec<&CheckDef> = app
        .advisor_checks(caller)
        .into_iter()
        .filter(|c| pillar_filter.is_none_or(|p| c.category.as_str() == p))
        // Every check Tierdesk serves is a Trusted Advisor check (`ta_check`).
        .filter(|_| source.is_none_or(|s| s == "ta_check"))
        .filter(|c| service.is_none_or(|s| services(c).iter().any(|x| x == s)))
        .collect();
    let (page, next_token) =
        page_of(checks, q.token(), "ta-checks", &q.filters(), max).map_err(failure)?;
    ok(&ta::ListChecksResponse {
        check_summaries: page
            .into_iter()
            .map(|c| ta::CheckSummary {
                id: c.id.to_string(),
                arn: ta::check_arn(c.id),
                name: c.name_in(language).to_string(),
                description: c.description_in(language),
                pillars: pillar(c),
                aws_services: services(c),
                source: "ta_check",
                metadata: numbered(c.columns_in(language).into_iter().map(Some)),
            })
            .collect(),
        next_token,
    })
}

/// A list as the API's metadata map: `"0"`, `"1"`, … in order; null cells are left out.
fn numbered(cells: impl Iterator<Item = Option<String>>) -> BTreeMap<String, String> {
    cells
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i.to_string(), c)))
        .collect()
}

/// The recommendation a check's view makes for `account` (`None`: never evaluated nor
/// fed, so there is nothing to recommend).
fn recommendation(
    account: &str,
    v: &CheckView,
    spend: Option<Decimal>,
    with_description: bool,
    language: &str,
) -> Option<ta::Recommendation> {
    let result = v.result.as_ref()?;
    let mut aggregates = ta::ResourcesAggregates::default();
    for row in &result.rows {
        if v.suppressed.contains(&row.resource_id) {
            aggregates.excluded_count += 1;
            continue;
        }
        match row.status {
            Status::Ok => aggregates.ok_count += 1,
            Status::Warning => aggregates.warning_count += 1,
            Status::Error => aggregates.error_count += 1,
        }
    }
    let (status, status_reason) = match v.status() {
        CheckStatus::Ok => ("ok", None),
        CheckStatus::Warning => ("warning", None),
        CheckStatus::Error => ("error", None),
        // The inventory lacked what the check needs: nothing found, nothing wrong.
        CheckStatus::NotAvailable => ("ok", Some("no_data_ok")),
    };
    let cost =
        (v.check.category == Category::CostOptimizing).then(|| ta::PillarSpecificAggregates {
            cost_optimizing: ta::CostOptimizingAggregates {
                estimated_monthly_savings: v.counts().savings.try_into().unwrap_or(0.0),
                estimated_percent_monthly_savings: v.percent_of(spend).try_into().unwrap_or(0.0),
            },
        });
    let id = ta::recommendation_id(account, v.check.id);
    let at = ta::timestamp(result.at);
    Some(ta::Recommendation {
        arn: ta::recommendation_arn(account, &id),
        id,
        kind: "standard",
        check_arn: ta::check_arn(v.check.id),
        status,
        pillars: pillar(v.check),
        source: "ta_check",
        aws_services: services(v.check),
        name: v.check.name_in(language).to_string(),
        resources_aggregates: aggregates,
        pillar_specific_aggregates: cost,
        created_at: at.clone(),
        last_updated_at: at,
        status_reason,
        description: with_description.then(|| v.check.description_in(language)),
    })
}

async fn list_recommendations(app: &App, caller: &Caller, q: &Query) -> Result<Vec<u8>, Failure> {
    let language = q.one_of("language", ta::LANGUAGES)?.unwrap_or("en");
    let kind = q.one_of("type", ta::TYPES)?;
    let status = q.one_of("status", ta::STATUSES)?;
    let pillar_filter = q.one_of("pillar", ta::PILLARS)?;
    let source = q.one_of("source", ta::SOURCES)?;
    let service = q.get("awsService");
    let check = q.get("checkIdentifier");
    let after = q.time("afterLastUpdatedAt")?;
    let before = q.time("beforeLastUpdatedAt")?;
    let max = q.max_results(100)?;
    let account = &caller.account.id;
    let views = app.advisor_views(caller, None).await.map_err(failure)?;
    let spend = app.advisor_spend(account).await.map_err(failure)?;
    let recs: Vec<ta::Recommendation> = views
        .iter()
        .filter(|v| {
            check.is_none_or(|c| c == v.check.id || ta::check_of_arn(c) == Some(v.check.id))
        })
        .filter(|v| pillar_filter.is_none_or(|p| v.check.category.as_str() == p))
        .filter(|v| service.is_none_or(|s| services(v.check).iter().any(|x| x == s)))
        .filter(|v| {
            v.at()
                .is_some_and(|t| after.is_none_or(|a| t >= a) && before.is_none_or(|b| t <= b))
        })
        .filter_map(|v| recommendation(account, v, spend, false, language))
        .filter(|r| kind.is_none_or(|k| k == r.kind))
        .filter(|r| source.is_none_or(|s| s == r.source))
        .filter(|r| status.is_none_or(|s| s == r.status))
        .collect();
    let (page, next_token) =
        page_of(recs, q.token(), "ta-recommendations", &q.filters(), max).map_err(failure)?;
    ok(&ta::ListRecommendationsResponse {
        recommendation_summaries: page,
        next_token,
    })
}

/// The caller's check a recommendation identifier (its id or ARN) names; an unknown one,
/// or another account's, is not found.
async fn view_of(app: &App, caller: &Caller, identifier: &str) -> Result<CheckView, Failure> {
    let account = &caller.account.id;
    let missing = || {
        Failure::from(ta::not_found(format!(
            "Recommendation {identifier} was not found"
        )))
    };
    let id = ta::recommendation_of(identifier, account).ok_or_else(missing)?;
    let check = app
        .advisor_checks(caller)
        .into_iter()
        .find(|c| ta::recommendation_id(account, c.id) == id)
        .ok_or_else(missing)?;
    let view = app.advisor_view(caller, check.id).await.map_err(failure)?;
    if view.result.is_none() {
        return Err(missing());
    }
    Ok(view)
}

async fn get_recommendation(
    app: &App,
    caller: &Caller,
    identifier: &str,
) -> Result<Vec<u8>, Failure> {
    let view = view_of(app, caller, identifier).await?;
    let account = &caller.account.id;
    let spend = app.advisor_spend(account).await.map_err(failure)?;
    let recommendation = recommendation(account, &view, spend, true, "en").ok_or_else(|| {
        Failure::from(ta::not_found(format!(
            "Recommendation {identifier} was not found"
        )))
    })?;
    ok(&ta::GetRecommendationResponse { recommendation })
}

fn region_code(row: &ResultRow) -> &str {
    row.region.as_deref().unwrap_or("global")
}

async fn list_resources(
    app: &App,
    caller: &Caller,
    identifier: &str,
    q: &Query,
) -> Result<Vec<u8>, Failure> {
    let status = q.one_of("status", ta::STATUSES)?;
    let exclusion = q.one_of("exclusionStatus", ta::EXCLUSION_STATUSES)?;
    let region = q.get("regionCode");
    let max = q.max_results(5000)?;
    let view = view_of(app, caller, identifier).await?;
    let account = &caller.account.id;
    let rec_id = ta::recommendation_id(account, view.check.id);
    let rec_arn = ta::recommendation_arn(account, &rec_id);
    let Some(result) = &view.result else {
        return Err(ta::not_found(format!("Recommendation {identifier} was not found")).into());
    };
    let at = ta::timestamp(result.at);
    let rows: Vec<&ResultRow> = result
        .rows
        .iter()
        .filter(|r| status.is_none_or(|s| s == row_status(r.status)))
        .filter(|r| {
            let excluded = view.suppressed.contains(&r.resource_id);
            exclusion.is_none_or(|e| (e == "excluded") == excluded)
        })
        .filter(|r| region.is_none_or(|g| g == region_code(r)))
        .collect();
    let (page, next_token) =
        page_of(rows, q.token(), "ta-resources", &q.filters(), max).map_err(failure)?;
    ok(&ta::ListRecommendationResourcesResponse {
        recommendation_resource_summaries: page
            .into_iter()
            .map(|r| ta::RecommendationResourceSummary {
                id: r.resource_id.clone(),
                arn: ta::resource_arn(account, &rec_id, &r.resource_id),
                aws_resource_id: r.aws_resource().to_string(),
                region_code: region_code(r).to_string(),
                status: row_status(r.status),
                metadata: numbered(r.metadata.iter().cloned()),
                last_updated_at: at.clone(),
                exclusion_status: if view.suppressed.contains(&r.resource_id) {
                    "excluded"
                } else {
                    "included"
                },
                recommendation_arn: rec_arn.clone(),
            })
            .collect(),
        next_token,
    })
}

/// Excludes or includes resources, each on its own: the ones that cannot be changed come
/// back as errors, and the rest are changed.
async fn update_exclusions(
    app: &App,
    caller: &Caller,
    who: &Who,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    let r: ta::BatchUpdateRecommendationResourceExclusionRequest = super::parse(body)?;
    let list = r
        .recommendation_resource_exclusions
        .ok_or_else(|| ta::validation("recommendationResourceExclusions is required"))?;
    if list.is_empty() || list.len() > ta::MAX_EXCLUSIONS {
        return Err(ta::validation(format!(
            "recommendationResourceExclusions must hold 1 to {} entries, not {}",
            ta::MAX_EXCLUSIONS,
            list.len()
        ))
        .into());
    }
    let account = &caller.account.id;
    let checks = app.advisor_checks(caller);
    let mut errors = Vec::new();
    for (i, e) in list.into_iter().enumerate() {
        let (Some(arn), Some(excluded)) = (e.arn, e.is_excluded) else {
            return Err(ta::validation(format!(
                "recommendationResourceExclusions[{i}] needs arn and isExcluded"
            ))
            .into());
        };
        let error = |code: &str, message: String| ta::UpdateRecommendationResourceExclusionError {
            arn: arn.clone(),
            error_code: code.to_string(),
            error_message: message,
        };
        let Some((rec, resource)) = ta::resource_of(&arn, account) else {
            errors.push(error(
                "ResourceNotFoundException",
                format!("{arn} is not a resource of a recommendation of this account"),
            ));
            continue;
        };
        let Some(check) = checks
            .iter()
            .find(|c| ta::recommendation_id(account, c.id) == rec)
        else {
            errors.push(error(
                "ResourceNotFoundException",
                format!("recommendation {rec} was not found"),
            ));
            continue;
        };
        match app
            .suppress_resources(caller, who, check.id, &[resource.to_string()], excluded)
            .await
        {
            Ok(()) => {}
            Err(ServiceError::Invalid(i)) if i.field == Field::ResourceId => {
                errors.push(error(
                    "ResourceNotFoundException",
                    format!("resource {resource} was not found in recommendation {rec}"),
                ));
            }
            Err(e) => return Err(failure(e)),
        }
    }
    ok(&ta::BatchUpdateRecommendationResourceExclusionResponse {
        batch_update_recommendation_resource_exclusion_errors: errors,
    })
}
