//! The AWS Health API (`health` 2016-08-04): its operations and JSON shapes as serde
//! types. botocore and the AWS CLI speak JSON 1.1 (`X-Amz-Target: AWSHealth_20160804.<Op>`);
//! times are epoch seconds as JSON numbers both ways.
//!
//! Inputs refuse unknown members, so a misspelled filter is an error instead of being
//! silently ignored. Outputs leave absent members out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::AwsError;

/// The `X-Amz-Target` prefix of the Health API (JSON 1.1).
pub const TARGET_PREFIX: &str = "AWSHealth_20160804.";
/// The service's name in RPC v2 CBOR paths (`/service/<name>/operation/<Op>`).
pub const SERVICE_NAME: &str = "AWSHealth_20160804";
/// The content type of RPC v2 CBOR bodies.
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// The operation an RPC v2 CBOR path names.
pub fn cbor_operation(path: &str) -> Result<&str, AwsError> {
    path.strip_prefix("/service/")
        .and_then(|p| p.strip_prefix(SERVICE_NAME))
        .and_then(|p| p.strip_prefix("/operation/"))
        .filter(|op| !op.is_empty() && !op.contains('/'))
        .ok_or_else(|| {
            AwsError::client(
                "UnknownOperationException",
                format!("'{path}' names no operation of {SERVICE_NAME}"),
            )
        })
}

/// The members that are timestamps in Health's shapes (tag 1 in CBOR).
pub fn is_timestamp(member: &str) -> bool {
    matches!(
        member,
        "startTime" | "endTime" | "lastUpdatedTime" | "from" | "to"
    )
}

macro_rules! operations {
    ($($op:ident),* $(,)?) => {
        /// An operation of the AWS Health API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum HealthOperation { $($op),* }

        impl HealthOperation {
            pub const ALL: &[HealthOperation] = &[$(HealthOperation::$op),*];

            pub const fn name(self) -> &'static str {
                match self { $(HealthOperation::$op => stringify!($op)),* }
            }
        }
    };
}

operations!(
    DescribeEvents,
    DescribeEventDetails,
    DescribeAffectedEntities,
    DescribeEntityAggregates,
    DescribeEventAggregates,
    DescribeEventTypes,
    EnableHealthServiceAccessForOrganization,
    DisableHealthServiceAccessForOrganization,
    DescribeHealthServiceStatusForOrganization,
    DescribeEventsForOrganization,
    DescribeAffectedAccountsForOrganization,
    DescribeAffectedEntitiesForOrganization,
    DescribeEventDetailsForOrganization,
    DescribeEntityAggregatesForOrganization,
);

impl HealthOperation {
    /// The operation a name (after the target prefix, or in a CBOR path) names.
    pub fn parse(name: &str) -> Result<HealthOperation, AwsError> {
        HealthOperation::ALL
            .iter()
            .copied()
            .find(|op| op.name() == name)
            .ok_or_else(|| {
                AwsError::client(
                    "UnknownOperationException",
                    format!("'{name}' is not an operation of the AWS Health API"),
                )
            })
    }
}

/// Epoch seconds, as Health's JSON writes times.
pub fn seconds(t: jiff::Timestamp) -> f64 {
    t.as_millisecond() as f64 / 1000.0
}

/// A time from epoch seconds; `None` when out of range or not finite.
pub fn from_seconds(s: f64) -> Option<jiff::Timestamp> {
    if !s.is_finite() {
        return None;
    }
    jiff::Timestamp::from_millisecond((s * 1000.0).round() as i64).ok()
}

#[derive(Deserialize, Default, Debug, Clone, Copy)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DateTimeRange {
    pub from: Option<f64>,
    pub to: Option<f64>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventFilter {
    pub actionabilities: Option<Vec<String>>,
    pub event_arns: Option<Vec<String>>,
    pub event_type_codes: Option<Vec<String>>,
    pub services: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub availability_zones: Option<Vec<String>>,
    pub start_times: Option<Vec<DateTimeRange>>,
    pub end_times: Option<Vec<DateTimeRange>>,
    pub last_updated_times: Option<Vec<DateTimeRange>>,
    pub entity_arns: Option<Vec<String>>,
    pub entity_values: Option<Vec<String>>,
    pub event_type_categories: Option<Vec<String>>,
    pub tags: Option<Vec<BTreeMap<String, String>>>,
    pub event_status_codes: Option<Vec<String>>,
    pub personas: Option<Vec<String>>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventsRequest {
    pub filter: Option<EventFilter>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub locale: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub arn: String,
    pub service: String,
    pub event_type_code: String,
    pub event_type_category: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    pub last_updated_time: f64,
    pub status_code: String,
    pub event_scope_code: String,
    pub actionability: String,
    pub personas: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventsResponse {
    pub events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventDetailsRequest {
    pub event_arns: Option<Vec<String>>,
    pub locale: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDescription {
    pub latest_description: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDetails {
    pub event: Event,
    pub event_description: EventDescription,
    pub event_metadata: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDetailsErrorItem {
    pub event_arn: String,
    pub error_name: String,
    pub error_message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventDetailsResponse {
    pub successful_set: Vec<EventDetails>,
    pub failed_set: Vec<EventDetailsErrorItem>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityFilter {
    pub event_arns: Option<Vec<String>>,
    pub entity_arns: Option<Vec<String>>,
    pub entity_values: Option<Vec<String>>,
    pub last_updated_times: Option<Vec<DateTimeRange>>,
    pub tags: Option<Vec<BTreeMap<String, String>>>,
    pub status_codes: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeAffectedEntitiesRequest {
    pub filter: Option<EntityFilter>,
    pub locale: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedEntity {
    pub entity_arn: String,
    pub event_arn: String,
    pub entity_value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_url: Option<String>,
    pub aws_account_id: String,
    pub last_updated_time: f64,
    pub status_code: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeAffectedEntitiesResponse {
    pub entities: Vec<AffectedEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEntityAggregatesRequest {
    pub event_arns: Option<Vec<String>>,
    pub filter: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityAggregate {
    pub event_arn: String,
    pub count: i64,
    pub statuses: BTreeMap<String, i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEntityAggregatesResponse {
    pub entity_aggregates: Vec<EntityAggregate>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventAggregatesRequest {
    pub filter: Option<EventFilter>,
    pub aggregate_field: Option<String>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventAggregate {
    pub aggregate_value: String,
    pub count: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventAggregatesResponse {
    pub event_aggregates: Vec<EventAggregate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventTypeFilter {
    pub event_type_codes: Option<Vec<String>>,
    pub services: Option<Vec<String>>,
    pub event_type_categories: Option<Vec<String>>,
    pub actionabilities: Option<Vec<String>>,
    pub personas: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventTypesRequest {
    pub filter: Option<EventTypeFilter>,
    pub locale: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    pub service: String,
    pub code: String,
    pub category: String,
    pub actionability: String,
    pub personas: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventTypesResponse {
    pub event_types: Vec<EventType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeHealthServiceStatusForOrganizationResponse {
    pub health_service_access_status_for_organization: String,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationEventFilter {
    pub actionabilities: Option<Vec<String>>,
    pub event_type_codes: Option<Vec<String>>,
    pub aws_account_ids: Option<Vec<String>>,
    pub services: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub start_time: Option<DateTimeRange>,
    pub end_time: Option<DateTimeRange>,
    pub last_updated_time: Option<DateTimeRange>,
    pub entity_arns: Option<Vec<String>>,
    pub entity_values: Option<Vec<String>>,
    pub event_type_categories: Option<Vec<String>>,
    pub event_status_codes: Option<Vec<String>>,
    pub personas: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventsForOrganizationRequest {
    pub filter: Option<OrganizationEventFilter>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub locale: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationEvent {
    pub arn: String,
    pub service: String,
    pub event_type_code: String,
    pub event_type_category: String,
    pub event_scope_code: String,
    pub region: String,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    pub last_updated_time: f64,
    pub status_code: String,
    pub actionability: String,
    pub personas: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventsForOrganizationResponse {
    pub events: Vec<OrganizationEvent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeAffectedAccountsForOrganizationRequest {
    pub event_arn: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeAffectedAccountsForOrganizationResponse {
    pub affected_accounts: Vec<String>,
    pub event_scope_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventAccountFilter {
    pub event_arn: Option<String>,
    pub aws_account_id: Option<String>,
    pub status_codes: Option<Vec<String>>,
    pub tags: Option<Vec<BTreeMap<String, String>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeAffectedEntitiesForOrganizationRequest {
    pub organization_entity_filters: Option<Vec<EventAccountFilter>>,
    pub organization_entity_account_filters: Option<Vec<EventAccountFilter>>,
    pub locale: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationAffectedEntitiesErrorItem {
    pub aws_account_id: String,
    pub event_arn: String,
    pub error_name: String,
    pub error_message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeAffectedEntitiesForOrganizationResponse {
    pub entities: Vec<AffectedEntity>,
    pub failed_set: Vec<OrganizationAffectedEntitiesErrorItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEventDetailsForOrganizationRequest {
    pub organization_event_detail_filters: Option<Vec<EventAccountFilter>>,
    pub locale: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationEventDetails {
    pub aws_account_id: String,
    pub event: Event,
    pub event_description: EventDescription,
    pub event_metadata: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationEventDetailsErrorItem {
    pub aws_account_id: String,
    pub event_arn: String,
    pub error_name: String,
    pub error_message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventDetailsForOrganizationResponse {
    pub successful_set: Vec<OrganizationEventDetails>,
    pub failed_set: Vec<OrganizationEventDetailsErrorItem>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeEntityAggregatesForOrganizationRequest {
    pub event_arns: Option<Vec<String>>,
    pub aws_account_ids: Option<Vec<String>>,
    pub filter: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountEntityAggregate {
    pub account_id: String,
    pub count: i64,
    pub statuses: BTreeMap<String, i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationEntityAggregate {
    pub event_arn: String,
    pub count: i64,
    pub statuses: BTreeMap<String, i64>,
    pub accounts: Vec<AccountEntityAggregate>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEntityAggregatesForOrganizationResponse {
    pub organization_entity_aggregates: Vec<OrganizationEntityAggregate>,
}

/// AWS's modeled errors of this API.
pub fn invalid_pagination_token() -> AwsError {
    AwsError::client(
        "InvalidPaginationToken",
        "The specified pagination token (nextToken) is not valid.",
    )
}

pub fn unsupported_locale() -> AwsError {
    AwsError::client(
        "UnsupportedLocale",
        "The specified locale is not supported.",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn operations_parse_and_unknown_ones_are_refused() {
        for op in HealthOperation::ALL {
            assert_eq!(HealthOperation::parse(op.name()), Ok(*op));
        }
        assert_eq!(
            HealthOperation::parse("DeleteEvent").unwrap_err().code,
            "UnknownOperationException"
        );
    }

    #[test]
    fn times_are_epoch_seconds() {
        let t = from_seconds(1589077890.53).unwrap();
        assert_eq!(t.as_millisecond(), 1_589_077_890_530);
        assert_eq!(seconds(t), 1589077890.53);
        assert!(from_seconds(f64::NAN).is_none());
        assert!(from_seconds(1e300).is_none());
    }

    #[test]
    fn a_misspelled_filter_is_refused() {
        let r: Result<DescribeEventsRequest, _> =
            serde_json::from_str(r#"{"filter": {"service": ["EC2"]}}"#);
        assert!(r.is_err());
        let r: DescribeEventsRequest = serde_json::from_str(
            r#"{"filter": {"services": ["EC2"], "startTimes": [{"from": 1704110400.5}]}}"#,
        )
        .unwrap();
        assert_eq!(
            r.filter.unwrap().start_times.unwrap()[0].from,
            Some(1704110400.5)
        );
    }
}
