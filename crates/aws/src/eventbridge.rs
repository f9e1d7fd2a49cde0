//! Events shaped as AWS puts them on EventBridge, for webhooks whose receivers were
//! written for AWS's (a rule's target, a Lambda function, quota-monitor-for-aws): the
//! envelope (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`,
//! `resources`, `detail`) and each source's detail.

use serde_json::{Map, Value, json};

/// Trusted Advisor's detail type for a resource whose status a refresh changed.
pub const CHECK_ITEM_REFRESH: &str = "Trusted Advisor Check Item Refresh Notification";

/// The event id of `parts`: the same event has the same id on every replica and attempt.
pub fn event_id(parts: &[&str]) -> String {
    crate::derived_uuid(parts)
}

/// A Trusted Advisor check item whose status changed.
pub struct CheckItem<'a> {
    pub account: &'a str,
    pub time: jiff::Timestamp,
    pub check_name: &'a str,
    /// The row's status: `ok`, `warning` or `error`.
    pub status: &'a str,
    pub resource_id: &'a str,
    /// The check's column headings and the row's cells, in order.
    pub columns: &'a [&'a str],
    pub cells: &'a [Option<String>],
    /// Names the change (it becomes the event's `id`, and the detail's `uuid`).
    pub change: &'a str,
}

/// The event for a check item, as EventBridge delivers it (us-east-1, where Trusted
/// Advisor publishes).
pub fn check_item_refresh(item: &CheckItem<'_>) -> Value {
    let status = match item.status {
        "error" => "ERROR",
        "warning" => "WARN",
        "ok" => "OK",
        _ => "INFO",
    };
    let detail: Map<String, Value> = item
        .columns
        .iter()
        .zip(item.cells)
        .map(|(k, v)| {
            (
                (*k).to_string(),
                v.as_ref().map_or(Value::Null, |s| Value::String(s.clone())),
            )
        })
        .collect();
    let id = event_id(&["trustedadvisor", item.account, item.change]);
    json!({
        "version": "0",
        "id": id,
        "detail-type": CHECK_ITEM_REFRESH,
        "source": "aws.trustedadvisor",
        "account": item.account,
        "time": item.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "check-name": item.check_name,
            "check-item-detail": detail,
            "status": status,
            "resource_id": item.resource_id,
            "uuid": id,
        },
    })
}

/// AWS Health's detail type.
pub const HEALTH_EVENT: &str = "AWS Health Event";

/// A Health event as one account sees it: the event, its latest description and the
/// account's affected entities.
pub struct HealthItem<'a> {
    pub account: &'a str,
    pub time: jiff::Timestamp,
    pub event_arn: &'a str,
    pub service: &'a str,
    pub type_code: &'a str,
    pub category: &'a str,
    pub scope: &'a str,
    pub region: &'a str,
    pub start: jiff::Timestamp,
    pub end: Option<jiff::Timestamp>,
    pub last_updated: jiff::Timestamp,
    pub status: &'a str,
    pub description: &'a str,
    /// Entity values with their tags.
    pub entities: &'a [(&'a str, &'a std::collections::BTreeMap<String, String>)],
    /// Names the change (it becomes the event's `id` and the `communicationId`).
    pub change: &'a str,
}

/// AWS Health's times on EventBridge: RFC 1123 in GMT.
fn rfc1123(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A Health event, as EventBridge delivers it (`source` `aws.health`).
pub fn health_event(item: &HealthItem<'_>) -> Value {
    let id = event_id(&["health", item.account, item.change]);
    let mut detail = json!({
        "eventArn": item.event_arn,
        "service": item.service,
        "eventScopeCode": item.scope,
        "communicationId": id,
        "lastUpdatedTime": rfc1123(item.last_updated),
        "eventRegion": item.region,
        "eventTypeCode": item.type_code,
        "eventTypeCategory": item.category,
        "startTime": rfc1123(item.start),
        "statusCode": item.status,
        "eventDescription": [{"language": "en_US", "latestDescription": item.description}],
        "affectedEntities": item.entities.iter().map(|(v, tags)| json!({"entityValue": v, "tags": tags})).collect::<Vec<_>>(),
    });
    if let (Some(end), Some(d)) = (item.end, detail.as_object_mut()) {
        d.insert("endTime".into(), Value::String(rfc1123(end)));
    }
    json!({
        "version": "0",
        "id": id,
        "detail-type": HEALTH_EVENT,
        "source": "aws.health",
        "account": item.account,
        "time": item.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": if item.region == "global" { "us-east-1" } else { item.region },
        "resources": item.entities.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        "detail": detail,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_check_item_is_shaped_as_eventbridge_delivers_it() {
        let cells = [Some("us-east-1".to_string()), None];
        let e = check_item_refresh(&CheckItem {
            account: "111122223333",
            time: "2026-11-29T10:00:00.5Z".parse().unwrap(),
            check_name: "Unassociated Elastic IP Addresses",
            status: "warning",
            resource_id: "abc",
            columns: &["Region", "IP Address"],
            cells: &cells,
            change: "k1",
        });
        assert_eq!(e["source"], "aws.trustedadvisor");
        assert_eq!(e["detail-type"], CHECK_ITEM_REFRESH);
        assert_eq!(e["time"], "2026-11-29T10:00:00Z");
        assert_eq!(e["detail"]["status"], "WARN");
        assert_eq!(
            e["detail"]["check-item-detail"],
            json!({"Region": "us-east-1", "IP Address": null})
        );
        assert_eq!(e["id"], e["detail"]["uuid"]);
        assert_eq!(e["id"].as_str().unwrap().len(), 36);
        assert_eq!(event_id(&["a", "b"]), event_id(&["a", "b"]));
        assert_ne!(event_id(&["ab", ""]), event_id(&["a", "b"]));
    }

    #[test]
    fn a_health_event_is_shaped_as_eventbridge_delivers_it() {
        let tags = std::collections::BTreeMap::from([("team".to_string(), "web".to_string())]);
        let e = health_event(&HealthItem {
            account: "111122223333",
            time: "2016-06-05T06:27:57Z".parse().unwrap(),
            event_arn: "arn:aws:health:us-west-2::event/EC2/X/X_1",
            service: "EC2",
            type_code: "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED",
            category: "issue",
            scope: "ACCOUNT_SPECIFIC",
            region: "us-west-2",
            start: "2016-06-05T15:10:09Z".parse().unwrap(),
            end: None,
            last_updated: "2016-06-05T15:10:09Z".parse().unwrap(),
            status: "open",
            description: "A description",
            entities: &[("i-abcd1111", &tags)],
            change: "c1",
        });
        assert_eq!(e["source"], "aws.health");
        assert_eq!(e["detail-type"], HEALTH_EVENT);
        assert_eq!(e["resources"], json!(["i-abcd1111"]));
        assert_eq!(e["detail"]["startTime"], "Sun, 05 Jun 2016 15:10:09 GMT");
        assert_eq!(
            e["detail"]["eventDescription"][0]["latestDescription"],
            "A description"
        );
        assert_eq!(
            e["detail"]["affectedEntities"][0],
            json!({"entityValue": "i-abcd1111", "tags": {"team": "web"}})
        );
        assert!(e["detail"].get("endTime").is_none());
    }
}
