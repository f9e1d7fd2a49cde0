//! The JSON that app signs and sends to operators' endpoints (webhook payloads). App owns
//! this contract because it signs it; the operator API's own types
//! (`tierdesk-server`'s `api/dto.rs`) use the same member names on purpose, so a receiver
//! and an API client read the same fields.

use serde_json::{Value, json};
use tierdesk_core::records::Case;

/// The webhook event type of a Trusted Advisor resource whose status changed; its payload
/// is EventBridge's "Trusted Advisor Check Item Refresh Notification"
/// (`tierdesk_aws::eventbridge`), so receivers written for AWS's read it unchanged.
pub const ADVISOR_CHECK_ITEM: &str = "advisor.check-item";

/// The webhook event type of a Health event published, revised or moved to a new status;
/// its payload is EventBridge's "AWS Health Event" (`tierdesk_aws::eventbridge`).
pub const HEALTH_EVENT: &str = "health.event";

/// A case as operators' JSON names it: in webhook payloads, and in the operator API, which
/// adds its SLA state. One spelling, so a receiver and an API client read the same fields.
pub fn case_json(c: &Case) -> Value {
    json!({
        "caseId": c.case_id,
        "displayId": c.display_id.to_string(),
        "accountId": c.account_id,
        "subject": c.subject,
        "status": c.status.as_str(),
        "severityCode": c.severity_code,
        "planId": c.plan_id,
        "language": c.language,
        "assignee": c.assignee,
    })
}
