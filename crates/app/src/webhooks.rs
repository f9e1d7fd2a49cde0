//! Webhooks: endpoints that hear about SLA events. Deliveries wait in a durable outbox
//! (written with their event) and are retried with exponential back-off until the endpoint
//! answers 2xx. Delivery is at least once: receivers deduplicate on the event id, which is
//! the same on every attempt.
//!
//! Each request is signed like Stripe's: `Tierdesk-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>" under the webhook's secret>`. The secret is shown once at
//! creation and stored sealed under the master key.

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

pub const EVENT_TYPES: [&str; 2] = ["sla.warning", "sla.breach"];
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

impl App {
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
                    tracing::warn!(delivery = d.id, url = %d.url, %error, "webhook delivery given up");
                }
                DeliveryOutcome::Failed { error, retry_at }
            }
        };
        Ok(self.store.settle_delivery(d.id, outcome, now).await?)
    }
}

#[cfg(test)]
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
