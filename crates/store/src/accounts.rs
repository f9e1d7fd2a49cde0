//! The store's accounts side: accounts, their plan history, access keys. Queries are in
//! `queries/accounts.rs`.

use jiff::Timestamp;
use tierdesk_core::records::Account;

use tierdesk_core::audit::AuditEntry;

use crate::{Page, Store, StoreError};

impl Store {
    pub async fn create_account(
        &self,
        account: Account,
        first_plan: tierdesk_core::records::PlanAssignment,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.create_account(account, first_plan, audit).await)
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        dispatch!(self, b => b.account(id).await)
    }

    /// Accounts by id, a page at a time after `after`: only those the agent `tam` manages
    /// when given, and those whose id starts with `text` or whose name contains it
    /// (case-insensitive) when given.
    pub async fn find_accounts(
        &self,
        text: Option<&str>,
        tam: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<Account>, StoreError> {
        dispatch!(self, b => b.find_accounts(text, tam, after, limit).await)
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        dispatch!(self, b => b.accounts().await)
    }

    /// Adds (or replaces, for the same day) an entry in the account's plan history.
    pub async fn assign_plan(
        &self,
        assignment: tierdesk_core::records::PlanAssignment,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.assign_plan(assignment, audit).await)
    }

    /// The account's plan history, oldest first.
    pub async fn plan_history(
        &self,
        account_id: &str,
    ) -> Result<Vec<tierdesk_core::records::PlanAssignment>, StoreError> {
        dispatch!(self, b => b.plan_history(account_id).await)
    }

    pub async fn insert_key(
        &self,
        key: tierdesk_core::records::AccessKey,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_key(key, audit).await)
    }

    pub async fn key(
        &self,
        access_key_id: &str,
    ) -> Result<Option<tierdesk_core::records::AccessKey>, StoreError> {
        dispatch!(self, b => b.key(access_key_id).await)
    }

    pub async fn keys(
        &self,
        account_id: &str,
    ) -> Result<Vec<tierdesk_core::records::AccessKey>, StoreError> {
        dispatch!(self, b => b.keys(account_id).await)
    }

    /// Marks a key revoked; `NotFound` if there is no such (unrevoked) key.
    pub async fn revoke_key(
        &self,
        access_key_id: &str,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.revoke_key(access_key_id.to_string(), at, audit).await)
    }
}
