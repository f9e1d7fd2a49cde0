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

/// Attempts before an outbox item (a webhook delivery, a mail notice) is given up: the
/// back-off doubles from a second to an hour, about ten hours in all.
pub const MAX_ATTEMPTS: i64 = 16;

/// When to try an outbox item again after `attempts` failed attempts; `None` once they
/// are used up.
pub fn retry_delay(attempts: i64) -> Option<Duration> {
    (attempts < MAX_ATTEMPTS).then(|| {
        let exp = attempts.clamp(1, 13) as u32 - 1;
        Duration::from_secs((1u64 << exp).min(3600))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_to_an_hour_then_gives_up() {
        let secs: Vec<u64> = (1..=MAX_ATTEMPTS)
            .map(|a| retry_delay(a).map_or(0, |d| d.as_secs()))
            .collect();
        assert_eq!(&secs[..4], &[1, 2, 4, 8]);
        assert_eq!(secs[12], 3600);
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
    }
}
