//! The store's cases side: cases, their conversations, attachment sets and the rate
//! windows that limit them, public holidays. Queries are in `queries/cases.rs`,
//! `queries/communications.rs`, `queries/attachments.rs` and `queries/holidays.rs`.

use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::records::{Case, CaseStatus};

use tierdesk_core::audit::AuditEntry;

use crate::{Page, Store, StoreError};

/// A new case and its first communication.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// `display_id` is ignored: the database assigns it.
    pub case: Case,
    pub body: String,
    pub attachment_set: Option<String>,
    /// Files posted with the case, stored as a new set in the case's transaction (instead
    /// of `attachment_set`).
    pub files: Option<crate::NewAttachments>,
    pub monthly_cap: Option<MonthlyCap>,
    /// The targets the case starts with (its first response, if the plan promises one).
    pub targets: Vec<tierdesk_core::records::CaseTarget>,
    /// The mail notice of the opening, written with it.
    pub notice: Option<crate::NewNotice>,
    /// The Message-ID of the mail the case was opened by: stored once.
    pub mail_message_id: Option<String>,
    /// The alert group the case is opened for (a monitoring integration's).
    pub alert: Option<crate::AlertClaim>,
    /// The Health event the case is about.
    pub health_event: Option<String>,
}

/// A cap on cases opened per calendar month (in the account's zone).
#[derive(Debug, Clone)]
pub struct MonthlyCap {
    /// `YYYY-MM`.
    pub month: String,
    pub limit: i64,
}

/// Whose cases a query reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// One account's (a customer's, or staff looking at one account).
    Account(String),
    /// These accounts' (a TAM's).
    Accounts(Vec<String>),
    /// Every account's (engineers and admins).
    Everyone,
}

impl Default for CaseScope {
    /// Nobody's: a query that forgets its scope finds nothing rather than everything.
    fn default() -> Self {
        Self::Accounts(Vec::new())
    }
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub scope: CaseScope,
    pub case_ids: Vec<String>,
    pub display_id: Option<i64>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    pub include_resolved: bool,
    pub language: Option<String>,
    pub severity: Option<String>,
    pub status: Option<CaseStatus>,
    /// Words (`tierdesk_core::search`) one message of the case holds with its subject (the
    /// opening message also the account, case id and people), or a case's display id.
    pub search: Option<String>,
    /// Whether the words may be found in internal notes (staff's searches).
    pub with_internal: bool,
    /// Continue after this (created, display_id), newest first.
    pub cursor: Option<(i64, i64)>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CommunicationQuery {
    pub account_id: String,
    pub case_id: String,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    /// Continue after this (created, id), newest first.
    pub cursor: Option<(i64, i64)>,
    pub limit: i64,
    /// Agents see internal notes; customers never do.
    pub include_internal: bool,
}

#[derive(Debug, Clone)]
pub struct NewCommunication {
    pub account_id: String,
    pub case_id: String,
    pub body: String,
    pub submitted_by: String,
    pub from_support: bool,
    /// An internal note: no status or target changes, never shown to the customer.
    pub internal: bool,
    /// An AWS attachment set the message takes (AddCommunicationToCase).
    pub attachment_set: Option<String>,
    /// Files posted with the message (the console's, an agent's), stored in a new set in
    /// the message's own transaction; takes precedence over `attachment_set`.
    pub files: Option<NewAttachments>,
    pub at: Timestamp,
    /// The target the plan would start for this message (a next reply owed to a customer,
    /// a periodic update after support's reply); whether it starts is
    /// `tierdesk_core::sla::targets::on_message`'s to say.
    pub follow_up: Option<tierdesk_core::records::CaseTarget>,
    /// The most messages one case holds, this one included (`None`: no limit).
    pub max_per_case: Option<i64>,
    /// Addresses to copy on the case from now on (added to those it has).
    pub cc_emails: Vec<String>,
    /// The mail notice of the message, written with it.
    pub notice: Option<crate::NewNotice>,
    /// The Message-ID of the mail the message came in: stored once.
    pub mail_message_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAttachments {
    pub account_id: String,
    /// Append to this set; `None` creates `new_set_id`.
    pub existing_set: Option<String>,
    pub new_set_id: String,
    /// `(attachment_id, file_name, data)`.
    pub files: Vec<(String, String, Vec<u8>)>,
    pub max_per_set: i64,
    /// The most bytes of files the account may hold, these included (`None`: no quota).
    pub account_quota: Option<i64>,
    pub lifetime: Duration,
    pub at: Timestamp,
}

impl Store {
    /// Inserts the case and its first communication; returns the case with its display id.
    pub async fn create_case(&self, new: NewCase, audit: AuditEntry) -> Result<Case, StoreError> {
        dispatch!(self, b => b.create_case(new, audit).await)
    }

    /// Cases newest first. A search that is a number finds the case of that number when
    /// the query reaches one (the number someone types is usually a case's), and otherwise
    /// the cases whose text holds it (an error code, a port).
    pub async fn cases(&self, q: &CaseQuery) -> Result<Page<Case>, StoreError> {
        if let Some(n) = q
            .search
            .as_deref()
            .and_then(|t| t.trim().parse::<i64>().ok())
        {
            let by_number = CaseQuery {
                display_id: Some(n),
                search: None,
                ..q.clone()
            };
            let found = dispatch!(self, b => b.cases(&by_number).await)?;
            if !found.items.is_empty() {
                return Ok(found);
            }
        }
        dispatch!(self, b => b.cases(q).await)
    }

    /// The case with this id in this account; `None` for unknown ids and other accounts'.
    pub async fn case(&self, account_id: &str, case_id: &str) -> Result<Option<Case>, StoreError> {
        dispatch!(self, b => b.case(account_id, case_id).await)
    }

    /// Up to `n` newest communications of each `(display_id, case_id)` (and whether each
    /// has older ones), in the order given.
    pub async fn recent_communications(
        &self,
        cases: &[(i64, String)],
        n: i64,
    ) -> Result<Vec<(i64, Page<tierdesk_core::records::Communication>)>, StoreError> {
        dispatch!(self, b => b.recent_communications(cases, n).await)
    }

    pub async fn communications(
        &self,
        q: &CommunicationQuery,
    ) -> Result<Option<Page<tierdesk_core::records::Communication>>, StoreError> {
        dispatch!(self, b => b.communications(q).await)
    }

    pub async fn add_communication(
        &self,
        new: NewCommunication,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.add_communication(new, audit).await)
    }

    /// Resolves a case; returns its status before and after.
    pub async fn resolve_case(
        &self,
        account_id: &str,
        case_id: &str,
        at: Timestamp,
        notice: Option<crate::NewNotice>,
        audit: AuditEntry,
    ) -> Result<(CaseStatus, CaseStatus), StoreError> {
        dispatch!(self, b => b.resolve_case(account_id.to_string(), case_id.to_string(), at, notice, audit).await)
    }

    /// Creates a set or appends to one; returns its id and expiry.
    pub async fn add_attachments(
        &self,
        new: NewAttachments,
        audit: AuditEntry,
    ) -> Result<(String, Timestamp), StoreError> {
        dispatch!(self, b => b.add_attachments(new, audit).await)
    }

    pub async fn attachment(
        &self,
        account_id: &str,
        attachment_id: &str,
    ) -> Result<Option<tierdesk_core::records::Attachment>, StoreError> {
        dispatch!(self, b => b.attachment(account_id, attachment_id).await)
    }

    /// Deletes up to `limit` attachment sets that expired unused by `now`, with their
    /// files; returns how many went. Idempotent, so every replica may run it.
    pub async fn delete_expired_sets(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<usize, StoreError> {
        dispatch!(self, b => b.delete_expired_sets(now, limit).await)
    }

    /// Counts one hit in the account's `kind` window starting at `window_start`; returns
    /// false (and counts nothing) once `limit` hits are in the window. Shared by replicas.
    pub async fn rate_hit(
        &self,
        account_id: &str,
        kind: &str,
        window_start: i64,
        limit: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.rate_hit(account_id.to_string(), kind.to_string(), window_start, limit).await)
    }

    /// Replaces the holidays that `source` imported for `country` with `holidays`.
    pub async fn replace_holidays(
        &self,
        country: &str,
        source: &str,
        holidays: Vec<tierdesk_core::holidays::Holiday>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_holidays(country.to_string(), source.to_string(), holidays, audit).await)
    }

    /// The holidays imported for `country`, by date.
    pub async fn holidays(
        &self,
        country: &str,
    ) -> Result<Vec<(String, tierdesk_core::holidays::Holiday)>, StoreError> {
        dispatch!(self, b => b.holidays(country).await)
    }
}
