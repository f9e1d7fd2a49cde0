//! What changed on cases lately, for the console's live updates: the audit log's case
//! actions and the breach worker's SLA events, each after the last id a reader saw. Both
//! are written by the changes themselves, so the feed adds nothing to a write.

use crate::{Store, StoreError};

/// One change on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    /// The row's id in its own log (the audit log or the SLA events), for the next read.
    pub id: i64,
    /// An audit action's name (`case.create`, `case.message`, ...) or `sla.warning` /
    /// `sla.breach`.
    pub kind: String,
    pub case_id: String,
    pub account_id: String,
    pub plan_id: String,
    pub severity_code: String,
}

impl Store {
    /// Case actions from the audit log with an id above `after`, oldest first.
    pub async fn case_actions_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CaseChange>, StoreError> {
        dispatch!(self, b => b.case_actions_after(after, limit).await)
    }

    /// SLA events with an id above `after`, oldest first.
    pub async fn sla_events_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CaseChange>, StoreError> {
        dispatch!(self, b => b.sla_events_after(after, limit).await)
    }

    /// The newest ids of the two logs: where a new reader starts.
    pub async fn live_heads(&self) -> Result<(i64, i64), StoreError> {
        dispatch!(self, b => b.live_heads().await)
    }
}
