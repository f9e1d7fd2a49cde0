//! The Support API's JSON 1.1 shapes (botocore 1.43.11's model), as serde types.
//!
//! Inputs refuse unknown members, so a typo in a member name is an error instead of a
//! silently ignored filter. Outputs leave absent members out. The shapes Tierdesk also
//! sends as a client (`tierdesk watch`) serialize too, leaving absent members out.

use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCaseRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_email_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_set_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCaseResponse {
    pub case_id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeCasesRequest {
    pub case_id_list: Option<Vec<String>>,
    pub display_id: Option<String>,
    pub after_time: Option<String>,
    pub before_time: Option<String>,
    pub include_resolved_cases: Option<bool>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub language: Option<String>,
    pub include_communications: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeCasesResponse {
    pub cases: Vec<CaseDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetails {
    pub case_id: String,
    pub display_id: String,
    pub subject: String,
    pub status: String,
    pub service_code: String,
    pub category_code: String,
    pub severity_code: String,
    pub submitted_by: String,
    pub time_created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_communications: Option<RecentCaseCommunications>,
    pub cc_email_addresses: Vec<String>,
    pub language: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentCaseCommunications {
    pub communications: Vec<Communication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Communication {
    pub case_id: String,
    pub body: String,
    pub submitted_by: String,
    pub time_created: String,
    pub attachment_set: Vec<AttachmentDetails>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDetails {
    pub attachment_id: String,
    pub file_name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeCommunicationsRequest {
    pub case_id: Option<String>,
    pub before_time: Option<String>,
    pub after_time: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeCommunicationsResponse {
    pub communications: Vec<Communication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddCommunicationToCaseRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_email_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_set_id: Option<String>,
}

#[derive(Serialize)]
pub struct AddCommunicationToCaseResponse {
    pub result: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveCaseRequest {
    pub case_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveCaseResponse {
    pub initial_case_status: String,
    pub final_case_status: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddAttachmentsToSetRequest {
    pub attachment_set_id: Option<String>,
    pub attachments: Option<Vec<Attachment>>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attachment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Base64, as JSON 1.1 carries blobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddAttachmentsToSetResponse {
    pub attachment_set_id: String,
    pub expiry_time: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeAttachmentRequest {
    pub attachment_id: Option<String>,
}

#[derive(Serialize)]
pub struct DescribeAttachmentResponse {
    pub attachment: Attachment,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeSeverityLevelsRequest {
    pub language: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeSeverityLevelsResponse {
    pub severity_levels: Vec<CodeName>,
}

#[derive(Serialize)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeServicesRequest {
    pub service_code_list: Option<Vec<String>>,
    pub language: Option<String>,
}

#[derive(Serialize)]
pub struct DescribeServicesResponse {
    pub services: Vec<Service>,
}

#[derive(Serialize)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub categories: Vec<CodeName>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeSupportedLanguagesRequest {
    pub issue_type: Option<String>,
    pub service_code: Option<String>,
    pub category_code: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeSupportedLanguagesResponse {
    pub supported_languages: Vec<SupportedLanguage>,
}

#[derive(Serialize)]
pub struct SupportedLanguage {
    pub code: String,
    pub language: String,
    pub display: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeCreateCaseOptionsRequest {
    pub issue_type: Option<String>,
    pub service_code: Option<String>,
    pub language: Option<String>,
    pub category_code: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeCreateCaseOptionsResponse {
    pub language_availability: String,
    pub communication_types: Vec<CommunicationTypeOptions>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationTypeOptions {
    #[serde(rename = "type")]
    pub kind: String,
    pub supported_hours: Vec<SupportedHour>,
    pub dates_without_support: Vec<DateInterval>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportedHour {
    pub start_time: String,
    pub end_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DateInterval {
    pub start_date_time: String,
    pub end_date_time: String,
}

// Trusted Advisor's five operations (the Support API's; no pagination).

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeTrustedAdvisorChecksRequest {
    pub language: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTrustedAdvisorChecksResponse {
    pub checks: Vec<TrustedAdvisorCheckDescription>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCheckDescription {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub metadata: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescribeTrustedAdvisorCheckResultRequest {
    pub check_id: Option<String>,
    pub language: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTrustedAdvisorCheckResultResponse {
    pub result: TrustedAdvisorCheckResult,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCheckResult {
    pub check_id: String,
    pub timestamp: String,
    pub status: String,
    pub resources_summary: TrustedAdvisorResourcesSummary,
    pub category_specific_summary: TrustedAdvisorCategorySpecificSummary,
    pub flagged_resources: Vec<TrustedAdvisorResourceDetail>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorResourcesSummary {
    pub resources_processed: u64,
    pub resources_flagged: u64,
    pub resources_ignored: u64,
    pub resources_suppressed: u64,
}

/// Present on every check, zeros where the check saves nothing (as AWS sends it).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCategorySpecificSummary {
    pub cost_optimizing: TrustedAdvisorCostOptimizingSummary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCostOptimizingSummary {
    pub estimated_monthly_savings: f64,
    pub estimated_percent_monthly_savings: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorResourceDetail {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub resource_id: String,
    pub is_suppressed: bool,
    /// Left out for checks without columns (IAM Use), as AWS does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<Option<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckIdsRequest {
    pub check_ids: Option<Vec<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTrustedAdvisorCheckSummariesResponse {
    pub summaries: Vec<TrustedAdvisorCheckSummary>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCheckSummary {
    pub check_id: String,
    pub timestamp: String,
    pub status: String,
    pub has_flagged_resources: bool,
    pub resources_summary: TrustedAdvisorResourcesSummary,
    pub category_specific_summary: TrustedAdvisorCategorySpecificSummary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTrustedAdvisorCheckRefreshStatusesResponse {
    pub statuses: Vec<TrustedAdvisorCheckRefreshStatus>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedAdvisorCheckRefreshStatus {
    pub check_id: String,
    pub status: String,
    pub millis_until_next_refreshable: i64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshTrustedAdvisorCheckRequest {
    pub check_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTrustedAdvisorCheckResponse {
    pub status: TrustedAdvisorCheckRefreshStatus,
}
