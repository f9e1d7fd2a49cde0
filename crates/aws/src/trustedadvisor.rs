//! The newer Trusted Advisor API (`trustedadvisor` 2022-09-15, REST-JSON): which operation
//! a method and path name, its query parameters, its JSON shapes, and the ARNs it speaks
//! in. Routing is by method and path, not by `X-Amz-Target`; errors carry real HTTP
//! statuses and the `x-amzn-ErrorType` header.

use serde::{Deserialize, Serialize};

use crate::error::AwsError;

/// The content type of REST-JSON responses.
pub const CONTENT_TYPE: &str = "application/json";

/// An operation, with the labels its path carries (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    ListChecks,
    ListRecommendations,
    GetRecommendation(String),
    ListRecommendationResources(String),
    BatchUpdateRecommendationResourceExclusion,
}

impl Route {
    /// The operation's name as AWS spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Route::ListChecks => "ListChecks",
            Route::ListRecommendations => "ListRecommendations",
            Route::GetRecommendation(_) => "GetRecommendation",
            Route::ListRecommendationResources(_) => "ListRecommendationResources",
            Route::BatchUpdateRecommendationResourceExclusion => {
                "BatchUpdateRecommendationResourceExclusion"
            }
        }
    }

    /// The operation `method` and `path` (as received, percent-encoded) name.
    pub fn parse(method: &str, path: &str) -> Result<Route, AwsError> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let label = |s: &str| percent_decode(s);
        let route = match (method, segments.as_slice()) {
            ("GET", ["v1", "checks"]) => Some(Route::ListChecks),
            ("GET", ["v1", "recommendations"]) => Some(Route::ListRecommendations),
            ("GET", ["v1", "recommendations", id]) if !id.is_empty() => {
                Some(Route::GetRecommendation(label(id)))
            }
            ("GET", ["v1", "recommendations", id, "resources"]) if !id.is_empty() => {
                Some(Route::ListRecommendationResources(label(id)))
            }
            ("PUT", ["v1", "batch-update-recommendation-resource-exclusion"]) => {
                Some(Route::BatchUpdateRecommendationResourceExclusion)
            }
            _ => None,
        };
        route.ok_or_else(|| {
            AwsError::new(
                404,
                "UnknownOperationException",
                format!("{method} {path} is not an operation of the Trusted Advisor API"),
            )
        })
    }
}

/// Decodes `%XX` escapes (in a path, `+` is a plus).
fn percent_decode(s: &str) -> String {
    crate::sigv4::percent_decode(s, false)
}

/// A query string's parameters, decoded (`+` is a space there), in order.
pub fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                crate::sigv4::percent_decode(k, true),
                crate::sigv4::percent_decode(v, true),
            )
        })
        .collect()
}

/// A check's ARN: `arn:aws:trustedadvisor:::check/<id>`.
pub fn check_arn(check_id: &str) -> String {
    format!("arn:aws:trustedadvisor:::check/{check_id}")
}

/// The check id a check ARN names.
pub fn check_of_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:trustedadvisor:::check/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// A check's recommendation id for an account: stable, and shaped like AWS's (a UUID),
/// derived so that no table has to remember it.
pub fn recommendation_id(account: &str, check_id: &str) -> String {
    crate::derived_uuid(&["recommendation", account, check_id])
}

/// `arn:aws:trustedadvisor::<account>:recommendation/<id>`.
pub fn recommendation_arn(account: &str, recommendation: &str) -> String {
    format!("arn:aws:trustedadvisor::{account}:recommendation/{recommendation}")
}

/// `arn:aws:trustedadvisor::<account>:recommendation-resource/<recommendation>/<resource>`.
pub fn resource_arn(account: &str, recommendation: &str, resource: &str) -> String {
    format!("arn:aws:trustedadvisor::{account}:recommendation-resource/{recommendation}/{resource}")
}

/// The recommendation id a path names: the bare id, or its ARN for `account` (another
/// account's ARN names nothing).
pub fn recommendation_of<'a>(identifier: &'a str, account: &str) -> Option<&'a str> {
    match identifier.strip_prefix("arn:aws:trustedadvisor::") {
        None => Some(identifier).filter(|i| !i.contains(['/', ':'])),
        Some(rest) => {
            let (acct, id) = rest.split_once(":recommendation/")?;
            (acct == account && !id.is_empty() && !id.contains('/')).then_some(id)
        }
    }
}

/// The recommendation and resource a resource ARN names, if it is `account`'s.
pub fn resource_of<'a>(arn: &'a str, account: &str) -> Option<(&'a str, &'a str)> {
    let rest = arn.strip_prefix("arn:aws:trustedadvisor::")?;
    let (acct, ids) = rest.split_once(":recommendation-resource/")?;
    let (rec, res) = ids.split_once('/')?;
    (acct == account && !rec.is_empty() && !res.is_empty() && !res.contains('/'))
        .then_some((rec, res))
}

/// The new API's service code for a service the catalog names (`Route 53` → `route53`).
pub fn service_code(name: &str) -> String {
    match name {
        "ELB" => "elasticloadbalancing".into(),
        "Auto Scaling" => "autoscaling".into(),
        other => other
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase(),
    }
}

/// ISO 8601 with milliseconds, as the API's `timestampFormat` gives times.
pub fn timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Values an enum-typed parameter takes.
pub const PILLARS: &[&str] = &[
    "cost_optimizing",
    "performance",
    "security",
    "service_limits",
    "fault_tolerance",
    "operational_excellence",
];
pub const SOURCES: &[&str] = &[
    "aws_config",
    "compute_optimizer",
    "cost_explorer",
    "lse",
    "manual",
    "pse",
    "rds",
    "resilience",
    "resilience_hub",
    "security_hub",
    "stir",
    "ta_check",
    "well_architected",
    "cost_optimization_hub",
];
pub const STATUSES: &[&str] = &["ok", "warning", "error"];
pub const TYPES: &[&str] = &["standard", "priority"];
pub const EXCLUSION_STATUSES: &[&str] = &["excluded", "included"];
pub const LANGUAGES: &[&str] = &[
    "en", "ja", "zh", "fr", "de", "ko", "zh_TW", "it", "es", "pt_BR", "id",
];

/// A `ValidationException` (400).
pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(400, "ValidationException", message)
}

/// `AccessDeniedException` (403), as AWS answers a plan without the API.
pub fn access_denied(message: impl Into<String>) -> AwsError {
    AwsError::new(403, "AccessDeniedException", message)
}

/// `ResourceNotFoundException` (404).
pub fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(404, "ResourceNotFoundException", message)
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct CheckSummary {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub description: String,
    pub pillars: Vec<String>,
    pub aws_services: Vec<String>,
    pub source: &'static str,
    /// Column headings keyed `"0"`, `"1"`, … in the check's column order.
    pub metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ListChecksResponse {
    pub check_summaries: Vec<CheckSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize, Debug, Clone, Copy, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesAggregates {
    pub ok_count: u64,
    pub warning_count: u64,
    pub error_count: u64,
    pub excluded_count: u64,
}

#[derive(Serialize, Debug, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct CostOptimizingAggregates {
    pub estimated_monthly_savings: f64,
    pub estimated_percent_monthly_savings: f64,
}

#[derive(Serialize, Debug, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct PillarSpecificAggregates {
    pub cost_optimizing: CostOptimizingAggregates,
}

/// A recommendation: `RecommendationSummary` in lists, `Recommendation` (with its
/// description) from GetRecommendation.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub check_arn: String,
    pub status: &'static str,
    pub pillars: Vec<String>,
    pub source: &'static str,
    pub aws_services: Vec<String>,
    pub name: String,
    pub resources_aggregates: ResourcesAggregates,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pillar_specific_aggregates: Option<PillarSpecificAggregates>,
    pub created_at: String,
    pub last_updated_at: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ListRecommendationsResponse {
    pub recommendation_summaries: Vec<Recommendation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct GetRecommendationResponse {
    pub recommendation: Recommendation,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationResourceSummary {
    pub id: String,
    pub arn: String,
    pub aws_resource_id: String,
    pub region_code: String,
    pub status: &'static str,
    pub metadata: std::collections::BTreeMap<String, String>,
    pub last_updated_at: String,
    pub exclusion_status: &'static str,
    pub recommendation_arn: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ListRecommendationResourcesResponse {
    pub recommendation_resource_summaries: Vec<RecommendationResourceSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchUpdateRecommendationResourceExclusionRequest {
    pub recommendation_resource_exclusions: Option<Vec<ResourceExclusion>>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceExclusion {
    pub arn: Option<String>,
    pub is_excluded: Option<bool>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRecommendationResourceExclusionError {
    pub arn: String,
    pub error_code: String,
    pub error_message: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct BatchUpdateRecommendationResourceExclusionResponse {
    pub batch_update_recommendation_resource_exclusion_errors:
        Vec<UpdateRecommendationResourceExclusionError>,
}

/// The most exclusions one BatchUpdateRecommendationResourceExclusion takes.
pub const MAX_EXCLUSIONS: usize = 25;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path_with_decoded_labels() {
        assert_eq!(
            Route::parse("GET", "/v1/checks").unwrap(),
            Route::ListChecks
        );
        let arn = "arn%3Aaws%3Atrustedadvisor%3A%3A111122223333%3Arecommendation%2Fab-cd";
        assert_eq!(
            Route::parse("GET", &format!("/v1/recommendations/{arn}")).unwrap(),
            Route::GetRecommendation(
                "arn:aws:trustedadvisor::111122223333:recommendation/ab-cd".into()
            )
        );
        assert_eq!(
            Route::parse("GET", "/v1/recommendations/x/resources").unwrap(),
            Route::ListRecommendationResources("x".into())
        );
        let e = Route::parse("POST", "/v1/checks").unwrap_err();
        assert_eq!((e.status, e.code), (404, "UnknownOperationException"));
        assert!(Route::parse("GET", "/v1/recommendations/").is_err());
        assert!(Route::parse("GET", "/v2/checks").is_err());
    }

    #[test]
    fn arns_round_trip_for_their_account_only() {
        let rec = recommendation_id("111122223333", "HCP4007jGY");
        assert_eq!(rec.len(), 36);
        assert_eq!(rec, recommendation_id("111122223333", "HCP4007jGY"));
        assert_ne!(rec, recommendation_id("444455556666", "HCP4007jGY"));
        let arn = recommendation_arn("111122223333", &rec);
        assert_eq!(recommendation_of(&arn, "111122223333"), Some(rec.as_str()));
        assert_eq!(recommendation_of(&arn, "444455556666"), None);
        assert_eq!(recommendation_of(&rec, "444455556666"), Some(rec.as_str()));
        let r = resource_arn("111122223333", &rec, "abc_-1");
        assert_eq!(
            resource_of(&r, "111122223333"),
            Some((rec.as_str(), "abc_-1"))
        );
        assert_eq!(resource_of(&r, "444455556666"), None);
        assert_eq!(resource_of(&arn, "111122223333"), None);
        assert_eq!(check_of_arn(&check_arn("HCP4007jGY")), Some("HCP4007jGY"));
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_params("afterLastUpdatedAt=2023-11-14T22%3A13%3A20Z&pillar=security&x"),
            vec![
                ("afterLastUpdatedAt".into(), "2023-11-14T22:13:20Z".into()),
                ("pillar".into(), "security".into()),
                ("x".into(), String::new()),
            ]
        );
    }

    #[test]
    fn service_codes() {
        assert_eq!(service_code("Route 53"), "route53");
        assert_eq!(service_code("ELB"), "elasticloadbalancing");
        assert_eq!(service_code("EC2"), "ec2");
    }
}
