//! The background workers' loop: a pass, then a pause, for ever. A pass that did a full
//! batch runs again at once (there is more); a failed pass is logged, and the next one
//! picks up what it missed (every worker's pass is idempotent).

use std::future::Future;
use std::time::Duration;

use crate::ServiceError;

/// Runs `pass` every `interval`, at once again when it reports `full` items or more.
pub(crate) async fn every<F, Fut>(interval: Duration, full: usize, worker: &str, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, ServiceError>>,
{
    loop {
        match pass().await {
            Ok(n) if n >= full => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, worker, "a worker's pass failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
