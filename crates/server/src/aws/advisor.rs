//! Trusted Advisor's five Support API operations, served from the check engine's results
//! for the caller's account (`tierdesk_app::trusted_advisor`): the catalog a plan
//! includes, a check's result with the customer's suppressions, summaries, and refreshes.

use tierdesk_app::auth::Caller;
use tierdesk_app::error::{Field, Problem};
use tierdesk_app::trusted_advisor::{CheckView, RefreshState};
use tierdesk_app::{App, ServiceError};
use tierdesk_aws::Operation;
use tierdesk_aws::shapes::*;

use super::{Failure, aws_words, ok, parse};
use tierdesk_aws::error::AwsError;

/// A use case's failure: a check id the caller may not name is AWS's
/// InvalidParameterValueException (tools match on it), the rest as everywhere.
fn failure(e: ServiceError) -> Failure {
    match &e {
        ServiceError::Invalid(i) if i.field == Field::CheckId => {
            AwsError::client("InvalidParameterValueException", aws_words(i)).into()
        }
        _ => e.into(),
    }
}

/// The languages the model documents for these operations. Checks' names and descriptions
/// come in Japanese for `ja`, and in AWS's English for the others.
const LANGUAGES: [&str; 11] = [
    "zh", "zh_TW", "en", "fr", "de", "id", "it", "ja", "ko", "pt_BR", "es",
];

fn check_language(language: Option<&str>) -> Result<(), ServiceError> {
    match language {
        Some(l) if !LANGUAGES.contains(&l) => Err(ServiceError::invalid(
            Field::Language,
            Problem::NotOneOf {
                value: l.to_string(),
                allowed: LANGUAGES.iter().map(|s| s.to_string()).collect(),
            },
        )),
        _ => Ok(()),
    }
}

fn required(v: Option<String>, field: Field) -> Result<String, ServiceError> {
    v.filter(|s| !s.is_empty())
        .ok_or_else(|| ServiceError::invalid(field, Problem::Missing))
}

fn ids(v: Option<Vec<String>>) -> Result<Vec<String>, ServiceError> {
    v.ok_or_else(|| ServiceError::invalid(Field::CheckId, Problem::Missing))
}

/// AWS's timestamp for a result: `2020-05-13T21:38:05Z`.
fn timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A check's summaries; `spend` is the month's spend its savings are a share of.
fn summaries(
    v: &CheckView,
    now: jiff::Timestamp,
    spend: Option<rust_decimal::Decimal>,
) -> (
    TrustedAdvisorResourcesSummary,
    TrustedAdvisorCategorySpecificSummary,
    String,
) {
    let c = v.counts();
    (
        TrustedAdvisorResourcesSummary {
            resources_processed: c.processed,
            resources_flagged: c.flagged,
            resources_ignored: c.ignored,
            resources_suppressed: c.suppressed,
        },
        TrustedAdvisorCategorySpecificSummary {
            cost_optimizing: TrustedAdvisorCostOptimizingSummary {
                estimated_monthly_savings: c.savings.try_into().unwrap_or(0.0),
                estimated_percent_monthly_savings: v.percent_of(spend).try_into().unwrap_or(0.0),
            },
        },
        timestamp(v.at().unwrap_or(now)),
    )
}

fn refresh_status(s: RefreshState) -> TrustedAdvisorCheckRefreshStatus {
    TrustedAdvisorCheckRefreshStatus {
        check_id: s.check_id,
        status: s.status.to_string(),
        millis_until_next_refreshable: s.millis_until_next,
    }
}

/// Answers one of the five operations.
pub(super) async fn dispatch(
    app: &App,
    caller: &Caller,
    op: Operation,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    app.require_api(caller)?;
    let now = app.clock.now();
    Ok(match op {
        Operation::DescribeTrustedAdvisorChecks => {
            let r: DescribeTrustedAdvisorChecksRequest = parse(body)?;
            let language = required(r.language, Field::Language)?;
            check_language(Some(language.as_str()))?;
            ok(&DescribeTrustedAdvisorChecksResponse {
                checks: app
                    .advisor_checks(caller)
                    .into_iter()
                    .map(|c| TrustedAdvisorCheckDescription {
                        id: c.id.to_string(),
                        name: c.name_in(&language).to_string(),
                        description: c.description_in(&language),
                        category: c.category.as_str().to_string(),
                        metadata: c.columns_in(&language),
                    })
                    .collect(),
            })?
        }
        Operation::DescribeTrustedAdvisorCheckResult => {
            let r: DescribeTrustedAdvisorCheckResultRequest = parse(body)?;
            check_language(r.language.as_deref())?;
            let id = required(r.check_id, Field::CheckId)?;
            let view = app.advisor_view(caller, &id).await.map_err(failure)?;
            let spend = app.advisor_spend(&caller.account.id).await?;
            let (resources_summary, category_specific_summary, timestamp) =
                summaries(&view, now, spend);
            let rows = view
                .result
                .as_ref()
                .map(|r| r.rows.as_slice())
                .unwrap_or_default();
            ok(&DescribeTrustedAdvisorCheckResultResponse {
                result: TrustedAdvisorCheckResult {
                    check_id: view.check.id.to_string(),
                    timestamp,
                    status: view.status().as_str().to_string(),
                    resources_summary,
                    category_specific_summary,
                    flagged_resources: rows
                        .iter()
                        .map(|row| TrustedAdvisorResourceDetail {
                            status: row.status.as_str().to_string(),
                            region: row.region.clone(),
                            resource_id: row.resource_id.clone(),
                            is_suppressed: view.suppressed.contains(&row.resource_id),
                            metadata: row.metadata.clone(),
                        })
                        .collect(),
                },
            })?
        }
        Operation::DescribeTrustedAdvisorCheckSummaries => {
            let r: CheckIdsRequest = parse(body)?;
            let ids = ids(r.check_ids)?;
            let views = app
                .advisor_views(caller, Some(&ids))
                .await
                .map_err(failure)?;
            let spend = app.advisor_spend(&caller.account.id).await?;
            ok(&DescribeTrustedAdvisorCheckSummariesResponse {
                summaries: views
                    .iter()
                    .map(|v| {
                        let (resources_summary, category_specific_summary, timestamp) =
                            summaries(v, now, spend);
                        TrustedAdvisorCheckSummary {
                            check_id: v.check.id.to_string(),
                            timestamp,
                            status: v.status().as_str().to_string(),
                            // AWS: whether the check has resource rows, not whether any is bad.
                            has_flagged_resources: v
                                .result
                                .as_ref()
                                .is_some_and(|r| !r.rows.is_empty()),
                            resources_summary,
                            category_specific_summary,
                        }
                    })
                    .collect(),
            })?
        }
        Operation::DescribeTrustedAdvisorCheckRefreshStatuses => {
            let r: CheckIdsRequest = parse(body)?;
            let ids = ids(r.check_ids)?;
            ok(&DescribeTrustedAdvisorCheckRefreshStatusesResponse {
                statuses: app
                    .refresh_states(caller, &ids)
                    .await
                    .map_err(failure)?
                    .into_iter()
                    .map(refresh_status)
                    .collect(),
            })?
        }
        Operation::RefreshTrustedAdvisorCheck => {
            let r: RefreshTrustedAdvisorCheckRequest = parse(body)?;
            let id = required(r.check_id, Field::CheckId)?;
            ok(&RefreshTrustedAdvisorCheckResponse {
                status: refresh_status(app.refresh_check(caller, &id).await.map_err(failure)?),
            })?
        }
        other => {
            return Err(ServiceError::Internal(format!(
                "{} is not a Trusted Advisor operation",
                other.name()
            ))
            .into());
        }
    })
}
