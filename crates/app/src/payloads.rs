//! The JSON that app signs and sends to operators' endpoints (webhook payloads). App owns
//! this contract because it signs it; the operator API's own types
//! (`tierdesk-server`'s `api/dto.rs`) use the same member names on purpose, so a receiver
//! and an API client read the same fields.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tierdesk_core::health::{Entity, Event};
use tierdesk_core::records::Case;

/// The webhook event type of a Trusted Advisor resource whose status changed; its payload
/// is EventBridge's "Trusted Advisor Check Item Refresh Notification"
/// (`tierdesk_aws::eventbridge`), so receivers written for AWS's read it unchanged.
pub const ADVISOR_CHECK_ITEM: &str = "advisor.check-item";

/// The webhook event type of a Health event published, revised or moved to a new status;
/// its payload is EventBridge's "AWS Health Event" (`tierdesk_aws::eventbridge`).
pub const HEALTH_EVENT: &str = "health.event";

/// The most entities a Health event's webhook payload lists.
pub const HOOK_ENTITIES: i64 = 1_000;

/// `event` as EventBridge's "AWS Health Event" for `account` (`*`: everyone), naming
/// that account's entities among `entities`; `change` names the change, for its id.
pub fn health_event(
    event: &Event,
    description: &str,
    account: &str,
    entities: &[Entity],
    change: &str,
) -> serde_json::Value {
    let mine: Vec<(&str, &BTreeMap<String, String>)> = entities
        .iter()
        .filter(|e| e.account_id == account)
        .map(|e| (e.value.as_str(), &e.tags))
        .collect();
    tierdesk_aws::eventbridge::health_event(&tierdesk_aws::eventbridge::HealthItem {
        account,
        time: event.last_updated,
        event_arn: &event.arn,
        service: &event.service,
        type_code: &event.type_code,
        category: event.category.as_str(),
        scope: event.scope.as_str(),
        region: &event.region,
        start: event.start,
        end: event.end,
        last_updated: event.last_updated,
        status: event.status.as_str(),
        description,
        entities: &mine,
        change,
    })
}

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
