//! People's own webhooks: at most one active per person, where the notices they take on
//! the webhook channel are delivered (through the same outbox as the operators' SLA
//! webhooks). Queries are in `queries/person_hooks.rs`.

use jiff::Timestamp;
use tierdesk_core::audit::AuditEntry;
use tierdesk_core::records::Webhook;

use crate::{DeliveryStats, Store, StoreError};

/// A delivery to queue: the same endpoint and event key twice is one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub webhook_id: String,
    pub event_key: String,
    pub event_type: String,
    pub payload: String,
}

impl Store {
    /// Replaces `email`'s own webhook with `hook` (`None`: removes it); the old one's
    /// undelivered messages are dropped with it.
    pub async fn set_person_webhook(
        &self,
        email: &str,
        hook: Option<Webhook>,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_person_webhook(email.to_string(), hook, at, audit).await)
    }

    /// `email`'s active webhook and its delivery counts.
    pub async fn person_webhook(
        &self,
        email: &str,
    ) -> Result<Option<(Webhook, DeliveryStats)>, StoreError> {
        dispatch!(self, b => b.person_webhook(email).await)
    }

    /// Every active personal webhook: (owner's address, webhook id).
    pub async fn person_webhooks(&self) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, b => b.person_webhooks().await)
    }

    /// Queues deliveries due at `at`; those already queued are left as they are.
    pub async fn queue_deliveries(
        &self,
        deliveries: Vec<NewDelivery>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.queue_deliveries(deliveries, at).await)
    }
}
