//! The store's console side: customer users, passwords and sessions. Queries are in
//! `queries/console.rs`.

use jiff::Timestamp;
use tierdesk_core::records::{Agent, Preferences, Session, User};

use crate::{Store, StoreError};

impl Store {
    /// `AlreadyExists` when the email belongs to a user or an agent already.
    pub async fn insert_user(&self, user: User) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_user(user).await)
    }

    /// Users of one account, or (`None`) of every account, by email.
    pub async fn users(&self, account_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        dispatch!(self, b => b.users(account_id).await)
    }

    /// A person's console preferences (all `None` when never set).
    pub async fn preferences(&self, email: &str) -> Result<Preferences, StoreError> {
        dispatch!(self, b => b.preferences(email).await)
    }

    pub async fn set_preferences(&self, email: &str, p: Preferences) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_preferences(email.to_string(), p).await)
    }

    /// Makes an agent the account's TAM (`None`: no TAM). `NotFound` names neither.
    pub async fn set_tam(
        &self,
        account_id: &str,
        agent_id: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_tam(account_id.to_string(), agent_id.map(str::to_string), at).await)
    }

    pub async fn tam_of(&self, account_id: &str) -> Result<Option<Agent>, StoreError> {
        dispatch!(self, b => b.tam_of(account_id).await)
    }

    /// Every account's TAM: (account id, agent), by account id.
    pub async fn tams(&self) -> Result<Vec<(String, Agent)>, StoreError> {
        dispatch!(self, b => b.tams().await)
    }

    /// Ids of the accounts an agent is the TAM of.
    pub async fn tam_accounts(&self, agent_id: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.tam_accounts(agent_id).await)
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
