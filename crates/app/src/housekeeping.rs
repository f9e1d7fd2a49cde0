//! Housekeeping: what would otherwise grow without bound. Attachment sets that expire
//! unused (a customer uploads and never opens the case) are deleted with their files.
//! Each pass is idempotent, so every replica runs it.

use std::time::Duration;

use crate::{App, ServiceError};

/// Sets deleted per pass; a full pass runs again at once.
const BATCH: i64 = 200;
/// How long an expired set is kept, so that using it still says "expired" (as AWS does)
/// rather than "no such set".
const EXPIRED_KEPT: Duration = Duration::from_secs(3600);

impl App {
    /// One pass; returns the sets deleted.
    pub async fn sweep(&self) -> Result<usize, ServiceError> {
        let before = self
            .clock
            .now()
            .checked_sub(EXPIRED_KEPT)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let gone = self.store.delete_expired_sets(before, BATCH).await?;
        if gone > 0 {
            tracing::info!(sets = gone, "expired attachment sets deleted");
        }
        Ok(gone)
    }

    /// Sweeps every `interval` for ever; errors are logged and the next pass retries.
    pub async fn run_housekeeping(self, interval: Duration) {
        loop {
            match self.sweep().await {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping pass failed"),
            }
            tokio::time::sleep(interval).await;
        }
    }
}
