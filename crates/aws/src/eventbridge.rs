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
}
