//! Passwords: their length rule, and argon2id hashing off the request threads. A hash
//! takes tens of milliseconds of CPU and 19 MiB; run on the async workers, a flood of
//! sign-ins would stall every other request (the AWS endpoint included). So hashes run on
//! the blocking pool, at most half the cores at once, with a bounded queue; past it a
//! sign-in is refused at once as throttled rather than waiting.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::ServiceError;
use crate::error::{Field, Problem};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

pub(crate) fn check_password(password: &str) -> Result<(), ServiceError> {
    // The upper bound keeps hashing cheap; argon2 reads the whole password.
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(ServiceError::invalid(
            Field::Password,
            Problem::Length {
                min: MIN_PASSWORD_CHARS,
                max: MAX_PASSWORD_CHARS,
                got: n,
            },
        ));
    }
    Ok(())
}

/// The gate every hash passes.
#[derive(Clone)]
pub(crate) struct Hashing {
    /// Hashes running at once.
    running: Arc<Semaphore>,
    /// Hashes running or waiting; past it, refused.
    admitted: Arc<Semaphore>,
}

impl Hashing {
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            running: Arc::new(Semaphore::new(cores.div_ceil(2))),
            admitted: Arc::new(Semaphore::new(cores * 4)),
        }
    }

    /// Runs `work` (a hash or a verification) on the blocking pool, through the gate.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let Ok(_admitted) = self.admitted.try_acquire() else {
            return Err(ServiceError::Throttled(
                "too many sign-ins at once; try again in a moment".into(),
            ));
        };
        let _running = self
            .running
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("the hashing gate closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ServiceError::Internal(format!("a password hash failed: {e}")))
    }

    /// A new salted argon2id hash of `password`.
    pub(crate) async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        let password = password.to_string();
        self.run(move || hash_password(&password)).await?
    }

    /// Whether `password` matches `hash`; with no hash (no such person), a hash is made
    /// anyway so that both answers take as long.
    pub(crate) async fn verify(
        &self,
        password: &str,
        hash: Option<String>,
    ) -> Result<bool, ServiceError> {
        let password = password.to_string();
        self.run(move || match hash {
            Some(h) => password_matches(&password, &h),
            None => {
                let _ = hash_password(&password);
                false
            }
        })
        .await
    }
}

fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| ServiceError::Internal(format!("the OS random number source failed: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let gate = Hashing::new();
        let (Ok(a), Ok(b)) = (
            gate.hash("correct horse battery").await,
            gate.hash("correct horse battery").await,
        ) else {
            panic!("hashing failed")
        };
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(matches!(
            gate.verify("correct horse battery", Some(a.clone())).await,
            Ok(true)
        ));
        assert!(matches!(
            gate.verify("correct horse battery!", Some(a)).await,
            Ok(false)
        ));
        assert!(matches!(
            gate.verify("x", Some("not a hash".into())).await,
            Ok(false)
        ));
        assert!(matches!(gate.verify("x", None).await, Ok(false)));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let gate = Hashing {
            running: Arc::new(Semaphore::new(1)),
            admitted: Arc::new(Semaphore::new(1)),
        };
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let busy = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(move || rx.recv().is_ok()).await })
        };
        // Wait until the first job holds the only place.
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let refused = gate.hash("correct horse battery").await;
        assert!(
            matches!(refused, Err(ServiceError::Throttled(_))),
            "{refused:?}"
        );
        let _ = tx.send(());
        assert!(matches!(busy.await, Ok(Ok(true))));
    }
}
