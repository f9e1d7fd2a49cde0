//! The store's SLA side: response targets on cases, the queue, warnings and breaches with
//! their webhook outbox, agents, quotas and report rows. Queries are in `queries/sla.rs`.

use jiff::Timestamp;
use tierdesk_core::records::{Account, Agent, Case, CaseStatus, CaseTarget, SlaEvent, Webhook};

use tierdesk_core::audit::{Action, AuditEntry};
use tierdesk_core::sla::clock::ClockFacts;

use crate::{Page, Store, StoreError};

/// Which cases the queue shows. Everything but the limit is optional.
/// A case and what a view of it shows (`Store::case_page`).
#[derive(Debug, Clone)]
pub struct CasePage {
    pub case: Case,
    /// `None` only for a row the schema should have refused (cases reference accounts).
    pub account: Option<Account>,
    /// Oldest first.
    pub targets: Vec<CaseTarget>,
    /// Oldest first.
    pub events: Vec<SlaEvent>,
    /// The trail's entries, newest first.
    pub trail: Vec<AuditEntry>,
    pub tam: Option<Agent>,
}

/// Which audit entries a `CasePage` carries: the newest `limit` of these actions on the
/// case (the entries whose target is `tierdesk_core::audit::case_target` of its id).
#[derive(Debug, Clone, Copy)]
pub struct TrailQuery<'a> {
    pub actions: &'a [Action],
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub plan: Option<String>,
    pub severity: Option<String>,
    pub language: Option<String>,
    pub status: Option<CaseStatus>,
    pub assignee: Option<Assignee>,
    /// Only cases with a running target past its deadline at this instant.
    pub breaching_at: Option<Timestamp>,
    /// Only these accounts (a TAM's).
    pub accounts: Option<Vec<String>>,
    /// Only cases whose customer awaits support's answer.
    pub awaiting: bool,
    /// Continue after this (queue key, display_id): `Case::queue_key` in microseconds.
    pub cursor: Option<(i64, i64)>,
    pub limit: i64,
}

/// An account's open cases at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCaseStats {
    pub account_id: String,
    pub open: i64,
    /// Open cases whose running target is past its deadline.
    pub breaching: i64,
    /// Open cases whose customer awaits support's answer.
    pub awaiting: i64,
    /// The earliest running deadline.
    pub next_due: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Unassigned,
    Agent(String),
}

/// A target whose next event (warning or breach) has come, with what a notification
/// needs to say about its case.
#[derive(Debug, Clone)]
pub struct DueTarget {
    pub display_id: i64,
    pub case: Case,
    pub target: CaseTarget,
    /// The instant the worker is due to act (`next_event_us`), the compare-and-set key.
    pub next_event: Timestamp,
}

/// An event the worker records, if the target still stands where the worker saw it.
#[derive(Debug, Clone)]
pub struct NewSlaEvent {
    pub display_id: i64,
    pub event: SlaEvent,
    /// The target's `next_event` the worker read; if it moved, someone else acted.
    pub expected_next: Timestamp,
    /// What `next_event` becomes (the breach after a warning; nothing after a breach).
    pub then_next: Option<Timestamp>,
    /// The webhook event type (`sla.warning`) and the JSON delivered to subscribers.
    pub event_type: String,
    pub payload: String,
    /// The mail notice of the event, written with it.
    pub notice: Option<crate::NewNotice>,
}

/// An event for the operators' webhooks that take its type, queued in the transaction of
/// the change it tells of. `key` is its deliveries' dedup key: an event written twice (two
/// replicas seeing the same change) is queued once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub key: String,
    pub event_type: String,
    pub payload: String,
}

/// A webhook delivery claimed for sending.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: String,
    pub url: String,
    /// The person whose own webhook it is (`None`: an operator's): their address was
    /// chosen by someone outside the operator's trust.
    pub owner: Option<String>,
    pub secret_ciphertext: Vec<u8>,
    pub event_key: String,
    pub event_type: String,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone)]
pub enum DeliveryOutcome {
    Delivered,
    /// Try again at `retry_at`, or give up when `None`.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

/// A webhook's delivery counts, for `webhook list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub last_error: Option<String>,
}

/// First-response targets of cases opened in `[from, to)`, for SLA reports.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub cases: CaseSlice,
}

/// Which cases a report counts (every field `None`: all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSlice {
    pub account: Option<String>,
    pub plan: Option<String>,
    pub severity: Option<String>,
    /// The assignee's agent id; `Some(None)`: unassigned cases only.
    pub assignee: Option<Option<String>>,
}

/// A case a report counts (its promise's figures, if it has one; the backlog counts all).
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub plan_id: String,
    pub severity: String,
    pub account_id: String,
    pub assignee: Option<String>,
    pub timezone: String,
    pub country: String,
    pub language: String,
    pub created: Timestamp,
    /// When the case was last resolved; `None` while it is open.
    pub resolved: Option<Timestamp>,
    /// What the case's clock reads (as `Case::clock_facts` gives it).
    pub clock: ClockFacts,
    /// The clock the promise counts on (for business time); `None`: no promise.
    pub promise_clock: Option<String>,
    /// When the last first-response target stopped running.
    pub last_stop: Option<Timestamp>,
}

/// A status an agent sets, and what it does to the running targets.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub display_id: i64,
    /// A status an agent may set; what it does to the targets is
    /// `tierdesk_core::sla::targets::on_status`'s to say.
    pub status: CaseStatus,
    pub at: Timestamp,
    /// The mail notice of the change, written with it.
    pub notice: Option<crate::NewNotice>,
}

/// An urgent escalation: counts against the month's quota and starts a target.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub display_id: i64,
    pub account_id: String,
    /// `YYYY-MM` in the account's zone.
    pub month: String,
    pub per_month: i64,
    pub target: CaseTarget,
}

impl Store {
    pub async fn insert_agent(
        &self,
        agent: Agent,
        token_hash: Vec<u8>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_agent(agent, token_hash, audit).await)
    }

    pub async fn agent_by_token(&self, token_hash: &[u8]) -> Result<Option<Agent>, StoreError> {
        dispatch!(self, b => b.agent_by_token(token_hash).await)
    }

    pub async fn agent(&self, id: &str) -> Result<Option<Agent>, StoreError> {
        dispatch!(self, b => b.agent(id).await)
    }

    /// The agent who signs in with this (lower-case) email.
    pub async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>, StoreError> {
        dispatch!(self, b => b.agent_by_email(email).await)
    }

    pub async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        dispatch!(self, b => b.agents().await)
    }

    /// A case by id in any account (agents work across accounts).
    pub async fn case_by_id(&self, case_id: &str) -> Result<Option<Case>, StoreError> {
        dispatch!(self, b => b.case_by_id(case_id).await)
    }

    /// Open cases, earliest deadline first (cases with no running target last).
    pub async fn queue(&self, q: &QueueQuery) -> Result<Page<Case>, StoreError> {
        dispatch!(self, b => b.queue(q).await)
    }

    /// Per account with open cases (of these accounts, or of all: `None`), how many are
    /// open and breaching at `now`, and the next deadline; by account id.
    pub async fn open_case_stats(
        &self,
        accounts: Option<&[String]>,
        now: Timestamp,
    ) -> Result<Vec<OpenCaseStats>, StoreError> {
        dispatch!(self, b => b.open_case_stats(accounts, now).await)
    }

    /// The targets a case has run, oldest first.
    pub async fn case_targets(&self, display_id: i64) -> Result<Vec<CaseTarget>, StoreError> {
        dispatch!(self, b => b.case_targets(display_id).await)
    }

    pub async fn sla_events(&self, case: &Case) -> Result<Vec<SlaEvent>, StoreError> {
        dispatch!(self, b => b.sla_events(case.display_id, case.case_id.clone()).await)
    }

    /// The case with this id (any account's) and what a view of it shows, read at once:
    /// on SQLite in one call to one read connection, not one call per part.
    pub async fn case_page(
        &self,
        case_id: &str,
        trail: &TrailQuery<'_>,
    ) -> Result<Option<CasePage>, StoreError> {
        dispatch!(self, b => b.case_page(case_id, trail).await)
    }

    /// The newest `limit` events of one kind on the cases of `cases`, with their cases.
    pub async fn recent_events(
        &self,
        kind: tierdesk_core::records::SlaEventKind,
        cases: &CaseSlice,
        limit: i64,
    ) -> Result<Vec<(Case, SlaEvent)>, StoreError> {
        dispatch!(self, b => b.recent_events(kind, cases, limit).await)
    }

    pub async fn set_status(
        &self,
        change: StatusChange,
        audit: AuditEntry,
    ) -> Result<CaseStatus, StoreError> {
        dispatch!(self, b => b.set_status(change, audit).await)
    }

    /// Assigns the case to an agent (`NotFound` for unknown agents) or unassigns it.
    pub async fn assign(
        &self,
        display_id: i64,
        agent: Option<String>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.assign(display_id, agent, audit).await)
    }

    /// Escalates; `QuotaExhausted` once the month's escalations are used. Returns how
    /// many of the month's escalations are used, this one included.
    pub async fn escalate(&self, e: NewEscalation, audit: AuditEntry) -> Result<i64, StoreError> {
        dispatch!(self, b => b.escalate(e, audit).await)
    }

    /// How much of a monthly quota (`cases` under a monthly case cap, `urgent_escalation`)
    /// an account used in `month`.
    pub async fn quota_used(
        &self,
        account_id: &str,
        kind: &str,
        month: &str,
    ) -> Result<i64, StoreError> {
        dispatch!(self, b => b.quota_used(account_id, kind, month).await)
    }

    /// Up to `limit` targets whose next event has come by `now`, earliest first. Reads
    /// only those rows (an index range), however many cases are open.
    pub async fn due_targets(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<DueTarget>, StoreError> {
        dispatch!(self, b => b.due_targets(now, limit).await)
    }

    /// Records events whose targets have not moved since they were read, each with its
    /// outbox deliveries, in one transaction; returns the keys (`SlaEvent::key`) of those
    /// recorded (the others another worker recorded first).
    pub async fn record_sla_events(
        &self,
        events: Vec<NewSlaEvent>,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.record_sla_events(events).await)
    }

    pub async fn insert_webhook(&self, w: Webhook, audit: AuditEntry) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_webhook(w, audit).await)
    }

    /// Whether an enabled operator's webhook takes events of `event_type`: when none
    /// does, a writer need not make them.
    pub async fn webhook_takes(&self, event_type: &str) -> Result<bool, StoreError> {
        dispatch!(self, b => b.webhook_takes(event_type).await)
    }

    pub async fn webhooks(&self) -> Result<Vec<(Webhook, DeliveryStats)>, StoreError> {
        dispatch!(self, b => b.webhooks().await)
    }

    pub async fn disable_webhook(
        &self,
        id: &str,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.disable_webhook(id.to_string(), at, audit).await)
    }

    /// Claims up to `limit` deliveries due by `now` until `lease_until`: a replica that
    /// dies mid-send leaves them to be retried after the lease.
    pub async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        dispatch!(self, b => b.claim_deliveries(now, lease_until, limit).await)
    }

    pub async fn settle_delivery(
        &self,
        id: i64,
        outcome: DeliveryOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.settle_delivery(id, outcome, at).await)
    }

    pub async fn report_rows(&self, q: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
        dispatch!(self, b => b.report_rows(q).await)
    }
}
