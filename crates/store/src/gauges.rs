//! What the metrics page reads from the store: the group-commit writer's counters (this
//! process's) and the service's state as the database holds it (every replica's alike).
//! Queries are in `queries/gauges.rs`.

use jiff::Timestamp;

pub use crate::writer::WriterStats;
use crate::{Store, StoreError};

/// Open cases of one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanQueue {
    pub plan_id: String,
    pub open: i64,
    /// When the oldest of them was opened.
    pub oldest: Option<Timestamp>,
}

/// The service's state at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceGauges {
    pub queues: Vec<PlanQueue>,
    /// Webhook deliveries waiting for their next attempt.
    pub webhook_backlog: i64,
    /// Mail notices not yet sent (reminders not yet due included).
    pub mail_backlog: i64,
    /// When the oldest notice that is due and unsent was written.
    pub mail_oldest_due: Option<Timestamp>,
}

impl Store {
    pub fn writer_stats(&self) -> WriterStats {
        dispatch!(self, b => b.writer_stats())
    }

    pub async fn service_gauges(&self, now: Timestamp) -> Result<ServiceGauges, StoreError> {
        dispatch!(self, b => b.service_gauges(now).await)
    }
}
