//! Secrets a console form made (a new password, an access key's secret, an API token),
//! kept for the page the form redirects to, so that reloading that page repeats nothing
//! (post/redirect/get). They are sealed under the master key, readable only by the person
//! who made them, taken once, and gone after a few minutes either way.

use std::time::Duration;

use crate::{App, ServiceError, ids};

/// How long a kept secret waits for its page.
pub const SHOWN_ONCE_TTL: Duration = Duration::from_secs(300);

impl App {
    /// Keeps `items` ((what, value) pairs) for `email`; returns the id the page asks with.
    pub async fn keep_shown_once(
        &self,
        email: &str,
        items: &[(String, String)],
    ) -> Result<String, ServiceError> {
        let id = ids::token("so_")?;
        let json = serde_json::to_vec(items).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sealed = self.master_key.seal(&json, id.as_bytes())?;
        let expires = self
            .clock
            .now()
            .checked_add(SHOWN_ONCE_TTL)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store
            .keep_shown_once(&id, email, sealed, expires)
            .await?;
        Ok(id)
    }

    /// What `keep_shown_once` kept under `id` for `email`, once; nothing for an unknown,
    /// expired, taken or someone else's id.
    pub async fn take_shown_once(
        &self,
        email: &str,
        id: &str,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        if id.len() > 128 {
            return Ok(Vec::new());
        }
        let Some(sealed) = self
            .store
            .take_shown_once(id, email, self.clock.now())
            .await?
        else {
            return Ok(Vec::new());
        };
        let json = self.master_key.open(&sealed, id.as_bytes())?;
        serde_json::from_slice(&json).map_err(|e| ServiceError::Internal(e.to_string()))
    }
}
