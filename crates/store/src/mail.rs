//! The notice outbox: notices written with their events, claimed by one replica at a
//! time, settled with the Message-IDs their SMTP server accepted; and the mail received.
//! Queries are in `queries/mail.rs`.

use jiff::Timestamp;
use tierdesk_core::notice::NoticeKind;

use crate::{Store, StoreError};

/// A notice to write with its event. The store adds the case (or account) and what in it
/// the notice is about (the message, the SLA event, the status change's instant, the
/// invoice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewNotice {
    pub kind: NoticeKind,
    /// When it may be sent (a reminder waits; everything else is due at once).
    pub due: Timestamp,
}

/// A notice claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNotice {
    pub id: i64,
    pub kind: NoticeKind,
    pub about: NoticeSubject,
    /// A communication's id, an SLA event's key, a status change's instant in
    /// microseconds, an invoice's `month total currency`, or empty.
    pub subject_ref: String,
    pub created: Timestamp,
    /// Attempts made before this one.
    pub attempts: i64,
    /// Message-IDs already accepted by the SMTP server on earlier attempts.
    pub sent_ids: Vec<String>,
    /// The claim: settling succeeds only while it holds.
    pub lease: Timestamp,
}

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeSubject {
    /// A case, by its display id.
    Case(i64),
    /// An account, by its id.
    Account(String),
}

/// How an attempt at a notice went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// Every mail accepted (or none was owed).
    Sent,
    /// Some mails failed: try again at `retry_at`, or never.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

/// A mail received, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub id: i64,
    pub received: Timestamp,
    /// `stored`, `refused`, `malformed` or `ignored`.
    pub outcome: String,
    pub reason: String,
    pub sender: String,
    pub subject: String,
    pub message_id: String,
    /// The case it was stored on (or refused for).
    pub case_id: Option<String>,
    /// The raw message, kept when it was not stored.
    pub raw: Option<Vec<u8>>,
}

impl Store {
    /// Records a mail received (`id` is ignored); returns its id.
    pub async fn record_inbound(&self, r: InboundRecord) -> Result<i64, StoreError> {
        dispatch!(self, b => b.record_inbound(r).await)
    }

    /// The newest mails received first, without their raw messages; `outcome` filters.
    pub async fn inbound_mail(
        &self,
        outcome: Option<&str>,
        limit: i64,
    ) -> Result<Vec<InboundRecord>, StoreError> {
        dispatch!(self, b => b.inbound_mail(outcome, limit).await)
    }

    /// The topics a person chose (topic, enabled) for a channel; the rest are defaults.
    pub async fn subscriptions(
        &self,
        email: &str,
        channel: &str,
    ) -> Result<Vec<(String, bool)>, StoreError> {
        dispatch!(self, b => b.subscriptions(email, channel).await)
    }

    /// Records what a person chose for some topics of a channel.
    pub async fn set_subscriptions(
        &self,
        email: &str,
        channel: &str,
        choices: Vec<(String, bool)>,
        at: Timestamp,
        audit: tierdesk_core::audit::AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_subscriptions(email.to_string(), channel.to_string(), choices, at, audit).await)
    }

    /// Whether a message from the mail with this Message-ID is stored.
    pub async fn mail_received(&self, message_id: &str) -> Result<bool, StoreError> {
        dispatch!(self, b => b.mail_received(message_id).await)
    }

    /// One mail received, with its raw message if kept.
    pub async fn inbound(&self, id: i64) -> Result<Option<InboundRecord>, StoreError> {
        dispatch!(self, b => b.inbound(id).await)
    }

    /// Claims up to `limit` notices due by `now` until `lease_until`: a replica that dies
    /// mid-send leaves them to another after the lease.
    pub async fn claim_notices(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<ClaimedNotice>, StoreError> {
        dispatch!(self, b => b.claim_notices(now, lease_until, limit).await)
    }

    /// Records an attempt: the Message-IDs accepted (kept whatever the outcome) and the
    /// outcome. `NotFound` when the claim lapsed and another replica holds the notice.
    pub async fn settle_notice(
        &self,
        notice: &ClaimedNotice,
        accepted: Vec<String>,
        outcome: NoticeOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.settle_notice(notice.id, notice.lease, accepted, outcome, at).await)
    }

    /// When a case last changed status (or was last answered by either side).
    pub async fn case_updated(&self, display_id: i64) -> Result<Option<Timestamp>, StoreError> {
        dispatch!(self, b => b.case_updated(display_id).await)
    }

    pub async fn case_by_display_id(
        &self,
        display_id: i64,
    ) -> Result<Option<tierdesk_core::records::Case>, StoreError> {
        dispatch!(self, b => b.case_by_display_id(display_id).await)
    }

    /// One communication with its files' names.
    pub async fn communication(
        &self,
        id: i64,
    ) -> Result<Option<tierdesk_core::records::Communication>, StoreError> {
        dispatch!(self, b => b.communication(id).await)
    }
}
