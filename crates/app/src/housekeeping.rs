//! Housekeeping: what would otherwise grow without bound. Attachment sets that expire
//! unused (a customer uploads and never opens the case) are deleted with their files, and
//! audit entries older than the retention period (`serve --audit-retention-days`) go, and
//! so do secrets kept for a page that was never opened (`shown_once`).
//! Each pass is idempotent, so every replica runs it.

use std::time::Duration;

use crate::{App, ServiceError};

/// Sets deleted per pass; a full pass runs again at once.
const BATCH: i64 = 200;
/// How long an expired set is kept, so that using it still says "expired" (as AWS does)
/// rather than "no such set".
const EXPIRED_KEPT: Duration = Duration::from_secs(3600);

impl App {
    /// One pass; returns the larger of the two counts deleted (sets, audit entries): a
    /// full batch means there is more to do.
    pub async fn sweep(&self) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let ago = |d: Duration| {
            now.checked_sub(d)
                .map_err(|e| ServiceError::Internal(e.to_string()))
        };
        let sets = self
            .store
            .delete_expired_sets(ago(EXPIRED_KEPT)?, BATCH)
            .await?;
        if sets > 0 {
            tracing::info!(sets, "expired attachment sets deleted");
        }
        self.store.sweep_shown_once(now).await?;
        let mut entries = 0;
        if let Some(keep) = self.limits.audit_retention {
            entries = self.store.sweep_audit(ago(keep)?, BATCH).await?;
            if entries > 0 {
                tracing::info!(entries, "audit entries past their retention deleted");
            }
        }
        Ok(sets.max(usize::try_from(entries).unwrap_or(usize::MAX)))
    }

    /// Sweeps every `interval` for ever; errors are logged and the next pass retries.
    pub async fn run_housekeeping(self, interval: Duration) {
        let full = usize::try_from(BATCH).unwrap_or(usize::MAX);
        crate::repeat::every(interval, full, "housekeeping", || self.sweep()).await;
    }
}
