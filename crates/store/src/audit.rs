//! The store's audit side: reading the log and the retention sweep. Entries are written
//! by the audited writes themselves (`queries/audit.rs`), never on their own except for
//! actions that change nothing else. Nothing here edits an entry, and the schema refuses
//! an UPDATE.

use jiff::Timestamp;
use tierdesk_core::audit::AuditEntry;

use crate::{Page, Store, StoreError};

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub account_id: Option<String>,
    /// The record acted on (`case:<id>`).
    pub target: Option<String>,
    pub actor_id: Option<String>,
    pub since: Option<Timestamp>,
    /// Paging: entries older than this one.
    pub before_id: Option<i64>,
    /// Leave out what concerns internal notes (a customer's view of their account).
    pub hide_staff_only: bool,
    pub limit: i64,
}

impl Store {
    pub async fn audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>, StoreError> {
        dispatch!(self, b => b.audit(q).await)
    }

    /// Records an action that changes nothing else (staff reading internal notes).
    pub async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        dispatch!(self, b => b.record_audit(entry).await)
    }

    /// Deletes up to `n` entries older than `before`, oldest first; returns how many went.
    pub async fn sweep_audit(&self, before: Timestamp, n: i64) -> Result<u64, StoreError> {
        dispatch!(self, b => b.sweep_audit(before, n).await)
    }
}
