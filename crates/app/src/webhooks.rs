//! Webhooks: endpoints that hear about SLA events. Deliveries wait in a durable outbox
//! (written with their event) and are retried with exponential back-off until the endpoint
//! answers 2xx. Delivery is at least once: receivers deduplicate on the event id, which is
//! the same on every attempt.
//!
//! Each request is signed like Stripe's: `Tierdesk-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>" under the webhook's secret>`. The secret is shown once at
//! creation and stored sealed under the master key.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tierdesk_core::records::Webhook;
use tierdesk_store::{DeliveryOutcome, DeliveryStats, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::error::{Field, Problem};
use crate::repeat::retry_delay;
use crate::validate::one_of;
use crate::{App, ServiceError, ids};

/// The events an operator's webhook may take: SLA warnings and breaches, Trusted Advisor
/// resources whose status changed and AWS Health events (both EventBridge-shaped).
pub const EVENT_TYPES: [&str; 4] = [
    "sla.warning",
    "sla.breach",
    crate::payloads::ADVISOR_CHECK_ITEM,
    crate::payloads::HEALTH_EVENT,
];
/// How long a replica may take to send a claimed delivery before another may retry it.
pub const LEASE: Duration = Duration::from_secs(60);

/// A new webhook and its signing secret, shown once.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// A delivery ready to send: where, what, and its headers.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub url: String,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    pub attempts: i64,
    /// A person's own webhook: its address was chosen outside the operator's trust, so
    /// it may not reach private networks (unless the operator allows it).
    pub guarded: bool,
}

/// `t=<ts>,v1=<hex hmac>` over `"<ts>.<body>"`.
pub fn signature(secret: &[u8], unix_seconds: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Longest webhook address.
const MAX_URL_CHARS: usize = 2048;

fn check_url(url: &str) -> Result<(), ServiceError> {
    let n = url.chars().count();
    if n > MAX_URL_CHARS {
        return Err(ServiceError::invalid(
            Field::Url,
            Problem::Length {
                min: 1,
                max: MAX_URL_CHARS,
                got: n,
            },
        ));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(())
        }
        _ => Err(ServiceError::invalid(
            Field::Url,
            Problem::Malformed(url.to_string()),
        )),
    }
}

/// Whether a person's own webhook may not reach `ip`: the server's own machine and
/// networks (loopback, RFC 1918, shared, unique-local, link-local, where cloud metadata
/// services listen) and addresses that are no one's (unspecified, multicast, broadcast,
/// documentation, reserved).
pub fn off_limits(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => off_limits(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
                    || first == 0x2001 && v6.segments()[1] == 0x0db8
                    || first == 0x0064 && v6.segments()[1] == 0xff9b
            }
        },
    }
}

/// The host of an `http(s)://` URL (without brackets or port), as written.
pub fn url_host(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    }
}

/// What a log may show of a webhook's address: its scheme and host (paths and queries
/// often carry the receiver's token).
pub fn shown_url(url: &str) -> String {
    let scheme = if url.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}/…", url_host(url))
}

impl App {
    /// Sets `email`'s own webhook, where the notices they take on the webhook channel go;
    /// it replaces the one they had. Its signing secret is shown once.
    pub async fn set_own_webhook(
        &self,
        who: &Who,
        email: &str,
        url: &str,
    ) -> Result<CreatedWebhook, ServiceError> {
        let url = url.trim();
        check_url(url)?;
        if !self.notice_settings().private_webhooks {
            let host = url_host(url);
            let named_local = host.eq_ignore_ascii_case("localhost")
                || host.to_ascii_lowercase().ends_with(".localhost");
            let literal_local = host.parse::<IpAddr>().is_ok_and(off_limits);
            if named_local || literal_local {
                return Err(ServiceError::invalid(
                    Field::Url,
                    Problem::Malformed(format!(
                        "{host} is a private or local address, which webhooks may not reach"
                    )),
                ));
            }
        }
        let id = ids::webhook_id()?;
        let secret = ids::token("whsec_")?;
        let webhook = Webhook {
            secret_ciphertext: self.master_key.seal(secret.as_bytes(), id.as_bytes())?,
            id,
            url: url.to_string(),
            events: vec!["notice".into()],
            created: self.clock.now(),
            disabled: None,
        };
        let audit = who.did(
            webhook.created,
            Action::OwnWebhookSet,
            None,
            format!("person:{email}"),
            shown_url(url),
        );
        self.store
            .set_person_webhook(email, Some(webhook.clone()), webhook.created, audit)
            .await?;
        self.saw_person_hooks(true);
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Removes `email`'s own webhook, and what it had not delivered yet.
    pub async fn remove_own_webhook(&self, who: &Who, email: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::OwnWebhookRemove,
            None,
            format!("person:{email}"),
            "",
        );
        match self.store.set_person_webhook(email, None, now, audit).await {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(format!(
                "{email} has no webhook of their own"
            ))),
            other => Ok(other?),
        }
    }

    /// `email`'s own webhook, with its delivery counts.
    pub async fn own_webhook(
        &self,
        email: &str,
    ) -> Result<Option<(Webhook, DeliveryStats)>, ServiceError> {
        Ok(self.store.person_webhook(email).await?)
    }

    pub async fn create_webhook(
        &self,
        who: &Who,
        url: &str,
        events: &[String],
    ) -> Result<CreatedWebhook, ServiceError> {
        check_url(url)?;
        let events: Vec<String> = if events.is_empty() {
            EVENT_TYPES.iter().map(|s| s.to_string()).collect()
        } else {
            events.to_vec()
        };
        for e in &events {
            one_of(Field::Events, e, &EVENT_TYPES)?;
        }
        let id = ids::webhook_id()?;
        let secret = ids::token("whsec_")?;
        let webhook = Webhook {
            secret_ciphertext: self.master_key.seal(secret.as_bytes(), id.as_bytes())?,
            id,
            url: url.to_string(),
            events,
            created: self.clock.now(),
            disabled: None,
        };
        // A URL's query string may hold a receiver's token: the log keeps what precedes it.
        let shown = url.split(['?', '#']).next().unwrap_or_default();
        let audit = who.did(
            webhook.created,
            Action::WebhookCreate,
            None,
            format!("webhook:{}", webhook.id),
            format!("{shown} for {}", webhook.events.join(", ")),
        );
        self.store.insert_webhook(webhook.clone(), audit).await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    pub async fn webhooks(&self) -> Result<Vec<(Webhook, DeliveryStats)>, ServiceError> {
        Ok(self.store.webhooks().await?)
    }

    pub async fn disable_webhook(&self, who: &Who, id: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::WebhookDisable,
            None,
            format!("webhook:{id}"),
            "",
        );
        match self.store.disable_webhook(id, now, audit).await {
            Err(StoreError::NotFound) => {
                Err(ServiceError::NotFound(format!("no active webhook {id}")))
            }
            other => Ok(other?),
        }
    }

    /// Claims deliveries that are due and signs them for sending.
    pub async fn claim_deliveries(&self, limit: i64) -> Result<Vec<Outgoing>, ServiceError> {
        let now = self.clock.now();
        let lease = now
            .checked_add(LEASE)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let claimed = self.store.claim_deliveries(now, lease, limit).await?;
        let mut out = Vec::with_capacity(claimed.len());
        for d in claimed {
            let secret = self
                .master_key
                .open(&d.secret_ciphertext, d.webhook_id.as_bytes())?;
            out.push(Outgoing {
                id: d.id,
                headers: vec![
                    ("content-type", "application/json".into()),
                    (
                        "tierdesk-signature",
                        signature(&secret, now.as_second(), &d.payload),
                    ),
                    ("tierdesk-event", d.event_type),
                    ("tierdesk-event-id", d.event_key),
                    ("tierdesk-delivery", d.id.to_string()),
                ],
                url: d.url,
                body: d.payload,
                attempts: d.attempts,
                guarded: d.owner.is_some() && !self.notice_settings().private_webhooks,
            });
        }
        Ok(out)
    }

    /// Records how an attempt went: done, or retried after a back-off, or given up.
    pub async fn settle_delivery(
        &self,
        d: &Outgoing,
        result: Result<(), String>,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let outcome = match result {
            Ok(()) => DeliveryOutcome::Delivered,
            Err(error) => {
                let retry_at = match retry_delay(d.attempts + 1) {
                    Some(delay) => Some(
                        now.checked_add(delay)
                            .map_err(|e| ServiceError::Internal(e.to_string()))?,
                    ),
                    None => None,
                };
                if retry_at.is_none() {
                    tracing::warn!(delivery = d.id, url = %shown_url(&d.url), %error, "webhook delivery given up");
                }
                DeliveryOutcome::Failed { error, retry_at }
            }
        };
        Ok(self.store.settle_delivery(d.id, outcome, now).await?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_an_independent_hmac() {
        // Computed with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature(b"whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn local_and_private_addresses_are_off_limits() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(off_limits(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert!(!off_limits(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn hosts_and_shown_urls() {
        assert_eq!(
            url_host("https://hooks.slack.com/services/T/B/x"),
            "hooks.slack.com"
        );
        assert_eq!(url_host("http://[::1]:8080/x"), "::1");
        assert_eq!(url_host("http://user:pw@10.0.0.1:80?q"), "10.0.0.1");
        assert_eq!(
            shown_url("https://hooks.slack.com/services/T/B/secret"),
            "https://hooks.slack.com/…"
        );
    }

    #[test]
    fn urls_must_be_http() {
        assert!(check_url("https://hooks.example.com/tierdesk").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "hooks.example.com",
            "http:///x",
            "http://a b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
