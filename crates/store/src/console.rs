//! The store's console side: customer users, passwords and sessions. Queries are in
//! `queries/console.rs`.

use jiff::Timestamp;
use tierdesk_core::records::{Agent, Preferences, Role, Session, User};

use tierdesk_core::audit::AuditEntry;

use crate::{Store, StoreError};

/// A change to an agent's access. Taking access away (disabling, a new role, a new or
/// revoked token) ends the agent's console sessions in the same write.
#[derive(Debug, Clone)]
pub enum AgentChange {
    Disable(Timestamp),
    Enable,
    Role(Role),
    /// A new token (its SHA-256), expiring or not.
    Token {
        hash: Vec<u8>,
        expires: Option<Timestamp>,
    },
    /// The token stops working now (it expires at this instant).
    RevokeToken(Timestamp),
}

/// A change to a customer user. Deleting removes the person (their sessions, password
/// and preferences with them); the account's cases stay the account's.
#[derive(Debug, Clone)]
pub enum UserChange {
    Disable(Timestamp),
    Enable,
    Delete,
}

impl Store {
    /// `NotFound` when no agent has this email.
    pub async fn change_agent(
        &self,
        email: &str,
        change: AgentChange,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.change_agent(email.to_string(), change, audit).await)
    }

    /// `NotFound` when no user has this email.
    pub async fn change_user(
        &self,
        email: &str,
        change: UserChange,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.change_user(email.to_string(), change, audit).await)
    }

    /// The accounts a support engineer is limited to (none: every account).
    pub async fn agent_accounts(&self, agent_id: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.agent_accounts(agent_id).await)
    }

    /// Limits a support engineer to these accounts (empty: every account). `NotFound`
    /// when an account does not exist.
    pub async fn set_agent_accounts(
        &self,
        agent_id: &str,
        accounts: Vec<String>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_agent_accounts(agent_id.to_string(), accounts, audit).await)
    }

    /// `AlreadyExists` when the email belongs to a user or an agent already.
    pub async fn insert_user(&self, user: User, audit: AuditEntry) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_user(user, audit).await)
    }

    /// Users of one account, or (`None`) of every account, by email.
    pub async fn users(&self, account_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        dispatch!(self, b => b.users(account_id).await)
    }

    /// A person's console preferences (all `None` when never set).
    pub async fn preferences(&self, email: &str) -> Result<Preferences, StoreError> {
        dispatch!(self, b => b.preferences(email).await)
    }

    pub async fn set_preferences(
        &self,
        email: &str,
        p: Preferences,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_preferences(email.to_string(), p, audit).await)
    }

    /// Makes an agent the account's TAM (`None`: no TAM). `NotFound` names neither.
    pub async fn set_tam(
        &self,
        account_id: &str,
        agent_id: Option<&str>,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_tam(account_id.to_string(), agent_id.map(str::to_string), at, audit).await)
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
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_password(email.to_string(), hash.to_string(), at, audit).await)
    }

    pub async fn password(&self, email: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, b => b.password(email).await)
    }

    /// Stores a session under its token's hash; expired sessions are swept on the way.
    pub async fn insert_session(
        &self,
        token_hash: Vec<u8>,
        session: Session,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_session(token_hash, session, audit).await)
    }

    /// The session for a token hash, if it exists and has not expired at `now`.
    pub async fn session(
        &self,
        token_hash: &[u8],
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        dispatch!(self, b => b.session(token_hash, now).await)
    }

    pub async fn delete_session(
        &self,
        token_hash: Vec<u8>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.delete_session(token_hash, audit).await)
    }

    /// Keeps a sealed secret for the page that shows it once, for `email` only.
    pub async fn keep_shown_once(
        &self,
        id: &str,
        email: &str,
        sealed: Vec<u8>,
        expires: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.keep_shown_once(id.to_string(), email.to_string(), sealed, expires).await)
    }

    /// Takes (and so deletes) what `keep_shown_once` kept, if `email` kept it and it has
    /// not expired: a second take finds nothing.
    pub async fn take_shown_once(
        &self,
        id: &str,
        email: &str,
        now: Timestamp,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        dispatch!(self, b => b.take_shown_once(id.to_string(), email.to_string(), now).await)
    }

    /// Deletes what expired untaken; returns how many.
    pub async fn sweep_shown_once(&self, now: Timestamp) -> Result<u64, StoreError> {
        dispatch!(self, b => b.sweep_shown_once(now).await)
    }
}
