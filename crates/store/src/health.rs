//! AWS Health's records: events with every revision of their description, the accounts an
//! account-specific event names, affected entities, the regions accounts use, and payers'
//! organization view. Queries are in `queries/health.rs`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use tierdesk_core::audit::AuditEntry;
use tierdesk_core::health::{
    Actionability, Category, Entity, EntityStatus, Event, EventStatus, Persona, Revision, TimeRange,
};

use crate::mail::NewNotice;
use crate::{Page, Store, StoreError, WebhookEvent};

/// Makes the webhook events of a change from the event as the change left it (known only
/// inside the write).
pub type HealthWebhooks = Box<dyn FnOnce(&Event) -> Vec<WebhookEvent> + Send>;

/// An event to publish: the event, its first description, the accounts it names (empty:
/// public) and the entities it affects.
#[derive(Debug, Clone)]
pub struct NewHealthEvent {
    pub event: Event,
    pub description: String,
    pub accounts: Vec<String>,
    pub entities: Vec<Entity>,
    /// The notice its accounts are told by (none for a public event, or when nobody
    /// would be told).
    pub notice: Option<NewNotice>,
}

/// What changes on an event: its status, end and a new description. `at` becomes its
/// last-updated time.
#[derive(Debug, Clone, Default)]
pub struct HealthChange {
    pub status: Option<EventStatus>,
    /// `Some(None)` clears the end.
    pub end: Option<Option<Timestamp>>,
    pub description: Option<String>,
    /// The notice the event's accounts are told of the change by.
    pub notice: Option<NewNotice>,
}

/// Who looks: events they may see are the public ones of their regions (`None`: every
/// region) and those naming one of their accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthViewer {
    pub accounts: Vec<String>,
    pub regions: Option<Vec<String>>,
}

/// An entity's tags, or a set of them a filter asks for.
pub type Tags = BTreeMap<String, String>;

/// A list of events, newest `last_updated` first. Every filter list is "any of"; an empty
/// list does not filter.
#[derive(Debug, Clone, Default)]
pub struct HealthEventQuery {
    /// `None`: every event (staff).
    pub viewer: Option<HealthViewer>,
    pub public_only: bool,
    pub arns: Vec<String>,
    pub services: Vec<String>,
    pub type_codes: Vec<String>,
    pub regions: Vec<String>,
    pub zones: Vec<String>,
    pub categories: Vec<Category>,
    pub statuses: Vec<EventStatus>,
    pub actionabilities: Vec<Actionability>,
    pub personas: Vec<Persona>,
    pub start_times: Vec<TimeRange>,
    pub end_times: Vec<TimeRange>,
    pub last_updated_times: Vec<TimeRange>,
    /// Events affecting one of these entities (of the viewer's accounts).
    pub entity_values: Vec<String>,
    pub entity_arns: Vec<String>,
    /// Events affecting an entity (of the viewer's accounts) that carries every tag of
    /// one of these sets.
    pub tags: Vec<Tags>,
    /// The last event of the previous page: (last updated µs, arn).
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// A list of entities, by event, account and value.
#[derive(Debug, Clone, Default)]
pub struct HealthEntityQuery {
    pub event_arns: Vec<String>,
    /// `None`: every account's.
    pub accounts: Option<Vec<String>>,
    pub values: Vec<String>,
    pub arns: Vec<String>,
    pub statuses: Vec<EntityStatus>,
    pub last_updated_times: Vec<TimeRange>,
    /// Entities that carry every tag of one of these sets.
    pub tags: Vec<Tags>,
    /// The last entity of the previous page: (event arn, account, value).
    pub after: Option<(String, String, String)>,
    pub limit: i64,
}

/// How many of an event's entities of one account are in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityCount {
    pub event_arn: String,
    pub account_id: String,
    pub status: EntityStatus,
    pub count: i64,
}

impl Store {
    /// Publishes an event with its first description, accounts and entities, and queues
    /// `events` for the webhooks, in one transaction.
    pub async fn publish_health_event(
        &self,
        new: NewHealthEvent,
        events: Vec<WebhookEvent>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.publish_health_event(new, events, audit).await)
    }

    /// Changes an event (`NotFound` when there is none); returns it as it now is.
    /// `webhook` makes the webhook events from the changed event.
    pub async fn update_health_event(
        &self,
        arn: &str,
        change: HealthChange,
        at: Timestamp,
        webhook: HealthWebhooks,
        audit: AuditEntry,
    ) -> Result<Event, StoreError> {
        dispatch!(self, b => b.update_health_event(arn.to_string(), change, at, webhook, audit).await)
    }

    /// Adds entities to an event, or sets the status of those it has (`NotFound` when
    /// the event does not exist); their accounts join the event's and, with `notice`,
    /// are told of the change.
    pub async fn put_health_entities(
        &self,
        arn: &str,
        entities: Vec<Entity>,
        at: Timestamp,
        notice: Option<NewNotice>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.put_health_entities(arn.to_string(), entities, at, notice, audit).await)
    }

    /// Whether `account` has a Health notice about a later change to the event than
    /// the one `notice_ref` (`tierdesk_core::health::notice_ref`) names.
    pub async fn later_health_notice(
        &self,
        account: &str,
        notice_ref: &str,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.later_health_notice(account, notice_ref).await)
    }

    pub async fn health_events(&self, q: &HealthEventQuery) -> Result<Page<Event>, StoreError> {
        dispatch!(self, b => b.health_events(q).await)
    }

    /// The events among `arns`, whoever may see them.
    pub async fn health_events_by_arn(&self, arns: &[String]) -> Result<Vec<Event>, StoreError> {
        dispatch!(self, b => b.health_events_by_arn(arns).await)
    }

    /// Of the events `q` finds (its page bounds aside), how many are in each category.
    pub async fn health_event_counts(
        &self,
        q: &HealthEventQuery,
    ) -> Result<Vec<(Category, i64)>, StoreError> {
        dispatch!(self, b => b.health_event_counts(q).await)
    }

    /// Every revision of an event's description, oldest first.
    pub async fn health_descriptions(&self, arn: &str) -> Result<Vec<Revision>, StoreError> {
        dispatch!(self, b => b.health_descriptions(arn).await)
    }

    /// Every revision of the descriptions of `arns`: (arn, revision), oldest first.
    pub async fn health_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<(String, Revision)>, StoreError> {
        dispatch!(self, b => b.health_revisions(arns).await)
    }

    /// The accounts an event names (its account-specific audience and its entities').
    pub async fn health_event_accounts(&self, arn: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.health_event_accounts(arn).await)
    }

    pub async fn health_entities(&self, q: &HealthEntityQuery) -> Result<Page<Entity>, StoreError> {
        dispatch!(self, b => b.health_entities(q).await)
    }

    /// Entities of `arns` by event, account and status (`accounts`: `None` for all).
    pub async fn health_entity_counts(
        &self,
        arns: &[String],
        accounts: Option<&[String]>,
    ) -> Result<Vec<EntityCount>, StoreError> {
        dispatch!(self, b => b.health_entity_counts(arns, accounts).await)
    }

    /// The event a case was opened about.
    pub async fn case_health_event(&self, display_id: i64) -> Result<Option<Event>, StoreError> {
        dispatch!(self, b => b.case_health_event(display_id).await)
    }

    /// Sets the regions an account uses (empty: forget them).
    pub async fn set_account_regions(
        &self,
        account_id: &str,
        regions: Vec<String>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_account_regions(account_id.to_string(), regions, audit).await)
    }

    /// The regions the operator set for an account.
    pub async fn account_regions(
        &self,
        account_id: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        dispatch!(self, b => b.account_regions(account_id).await)
    }

    /// Turns a payer's organization view on (`Some(at)`) or off.
    pub async fn set_health_organization(
        &self,
        payer_id: &str,
        enabled: Option<Timestamp>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_health_organization(payer_id.to_string(), enabled, audit).await)
    }

    /// Since when a payer's organization view is on.
    pub async fn health_organization(
        &self,
        payer_id: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        dispatch!(self, b => b.health_organization(payer_id).await)
    }
}
