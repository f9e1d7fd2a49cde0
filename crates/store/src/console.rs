//! The store's console side: customer users, passwords and sessions. Queries are in
//! `backend_console.rs`.

use jiff::Timestamp;
use tierdesk_core::records::{Session, User};

use crate::{Store, StoreError};

impl Store {
    /// `AlreadyExists` when the email belongs to a user or an agent already.
    pub async fn insert_user(&self, user: User) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_user(user).await)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        dispatch!(self, b => b.user_by_email(email).await)
    }

    /// Sets (or replaces) the password hash of an email.
    pub async fn set_password(
        &self,
        email: &str,
        hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_password(email.to_string(), hash.to_string(), at).await)
    }

    pub async fn password(&self, email: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, b => b.password(email).await)
    }

    /// Stores a session under its token's hash; expired sessions are swept on the way.
    pub async fn insert_session(
        &self,
        token_hash: Vec<u8>,
        session: Session,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_session(token_hash, session).await)
    }

    /// The session for a token hash, if it exists and has not expired at `now`.
    pub async fn session(
        &self,
        token_hash: &[u8],
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        dispatch!(self, b => b.session(token_hash, now).await)
    }

    pub async fn delete_session(&self, token_hash: Vec<u8>) -> Result<(), StoreError> {
        dispatch!(self, b => b.delete_session(token_hash).await)
    }
}
