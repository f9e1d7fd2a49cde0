//! Integration tokens (a monitoring system's key to one account's cases) and the case an
//! alert group opened. Queries are in `queries/integrations.rs`.

use jiff::Timestamp;
use tierdesk_core::audit::AuditEntry;

use crate::{Store, StoreError};

/// An account's integration token (its secret is kept only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationToken {
    pub id: String,
    pub account_id: String,
    /// `alertmanager`.
    pub kind: String,
    pub name: String,
    /// The alert label that names a severity.
    pub severity_label: String,
    /// Whether a group's resolution resolves its case.
    pub resolve_cases: bool,
    pub created: Timestamp,
    pub revoked: Option<Timestamp>,
}

/// The alert group a new case is opened for: written with the case, unless the group
/// already has a case other than `replaces` (another replica opened one first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertClaim {
    pub group_key: String,
    /// The group's earlier case (resolved), which the new one takes over from.
    pub replaces: Option<i64>,
}

impl Store {
    pub async fn insert_integration(
        &self,
        t: IntegrationToken,
        token_hash: Vec<u8>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_integration(t, token_hash, audit).await)
    }

    /// The token with this hash, revoked or not.
    pub async fn integration_by_token(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<IntegrationToken>, StoreError> {
        dispatch!(self, b => b.integration_by_token(token_hash).await)
    }

    /// Every token, or one account's, oldest first.
    pub async fn integrations(
        &self,
        account_id: Option<&str>,
    ) -> Result<Vec<IntegrationToken>, StoreError> {
        dispatch!(self, b => b.integrations(account_id).await)
    }

    /// Revokes a token (of `account_id`, when given); `NotFound` when there is no such
    /// live token.
    pub async fn revoke_integration(
        &self,
        id: &str,
        account_id: Option<&str>,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.revoke_integration(id.to_string(), account_id.map(str::to_string), at, audit).await)
    }

    /// The case an alert group of the account opened last.
    pub async fn alert_case(
        &self,
        account_id: &str,
        group_key: &str,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(self, b => b.alert_case(account_id, group_key).await)
    }
}
