//! Operator-tunable limits. Defaults are AWS's published values where AWS publishes one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;

#[derive(Debug, Clone)]
pub struct Limits {
    pub attachments_per_set: usize,
    pub attachment_bytes: usize,
    pub attachment_set_lifetime: Duration,
    /// Attachment sets an account may create per minute (AttachmentLimitExceeded).
    pub attachment_sets_per_minute: i64,
    /// DescribeAttachment calls per account per minute (DescribeAttachmentLimitExceeded).
    pub describe_attachment_per_minute: i64,
    /// API requests per account per second and replica (ThrottlingException); 0 = off.
    pub requests_per_second: u32,
    /// How long a replica may keep using a looked-up access key (and so how long a
    /// revocation takes to reach every replica).
    pub key_cache_ttl: Duration,
    /// The breach worker warns when this share of a target's time (counted on its own
    /// clock) has passed, in percent; 0 turns warnings off.
    pub sla_warn_percent: u32,
    /// The most messages one case holds (its opening included): a case page and its
    /// conversation stay readable, and nobody fills one case without end.
    pub messages_per_case: i64,
    /// The most bytes of attached files one account holds; `None`: no quota.
    pub account_storage_bytes: Option<i64>,
    /// How long audit entries are kept; `None`: for ever.
    pub audit_retention: Option<Duration>,
}

/// How long the audit log keeps an entry unless the operator says otherwise: 400 days, so
/// that a year's review always finds the whole year.
pub const DEFAULT_AUDIT_RETENTION_DAYS: u64 = 400;

impl Default for Limits {
    fn default() -> Self {
        Self {
            attachments_per_set: 3,
            attachment_bytes: 5 * 1024 * 1024,
            attachment_set_lifetime: Duration::from_secs(3600),
            attachment_sets_per_minute: 60,
            describe_attachment_per_minute: 120,
            requests_per_second: 0,
            key_cache_ttl: Duration::from_secs(2),
            sla_warn_percent: 75,
            messages_per_case: 1000,
            account_storage_bytes: None,
            audit_retention: Some(Duration::from_secs(DEFAULT_AUDIT_RETENTION_DAYS * 86_400)),
        }
    }
}

/// The start (epoch seconds) of the minute `now` falls in: the window every per-minute
/// limit counts in (`Store::rate_hit`).
pub(crate) fn minute_window(now: Timestamp) -> i64 {
    now.as_second().div_euclid(60) * 60
}

/// A token bucket per account: `rate` requests a second with bursts of `2 * rate`.
pub(crate) struct Throttle {
    rate: u32,
    buckets: Mutex<HashMap<String, (f64, Timestamp)>>,
}

impl Throttle {
    pub(crate) fn new(rate: u32) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn allow(&self, account: &str, now: Timestamp) -> bool {
        if self.rate == 0 {
            return true;
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let burst = f64::from(self.rate) * 2.0;
        let (tokens, last) = buckets.entry(account.to_string()).or_insert((burst, now));
        let elapsed = now.duration_since(*last).as_secs_f64().max(0.0);
        *tokens = (*tokens + elapsed * f64::from(self.rate)).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_with_time() {
        let t = Throttle::new(2);
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap_or_default();
        let granted = (0..10).filter(|_| t.allow("a", t0)).count();
        assert_eq!(granted, 4);
        assert!(t.allow("b", t0), "accounts have separate buckets");
        assert!(t.allow("a", t0 + Duration::from_millis(600)));
        assert!(Throttle::new(0).allow("a", t0));
    }
}
