//! The store's billing side: imported monthly usage, payers, and invoices. Queries are in
//! `queries/billing.rs`.

use jiff::Timestamp;
use tierdesk_core::records::Invoice;
use tierdesk_core::usage::MonthlyUsage;

use tierdesk_core::audit::AuditEntry;

use crate::{Store, StoreError};

impl Store {
    /// Stores monthly totals, each replacing what an earlier import held for its account,
    /// month and currency, all in one transaction.
    pub async fn replace_usage(
        &self,
        totals: Vec<MonthlyUsage>,
        source: &str,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_usage(totals, source.to_string(), at, audit).await)
    }

    /// Every account's usage in `month` (`YYYY-MM`).
    pub async fn usage_in(&self, month: &str) -> Result<Vec<MonthlyUsage>, StoreError> {
        dispatch!(self, b => b.usage_in(month).await)
    }

    /// One account's usage, newest month first.
    pub async fn usage_of(&self, account_id: &str) -> Result<Vec<MonthlyUsage>, StoreError> {
        dispatch!(self, b => b.usage_of(account_id).await)
    }

    /// Makes `payer` the account whose invoice carries `account_id`'s fee on aggregate
    /// plans (`None`: itself). `NotFound` if either account is unknown.
    pub async fn set_payer(
        &self,
        account_id: &str,
        payer: Option<&str>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_payer(account_id.to_string(), payer.map(String::from), audit).await)
    }

    /// (account, payer) for every account with a payer other than itself.
    pub async fn payers(&self) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, b => b.payers().await)
    }

    /// Replaces every invoice of `month` with `invoices`, with the notices telling their
    /// accounts (`(account id, what it is about, notice)`; one about the same thing is
    /// written once), in one transaction.
    pub async fn replace_invoices(
        &self,
        month: &str,
        invoices: Vec<Invoice>,
        notices: Vec<(String, String, crate::NewNotice)>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_invoices(month.to_string(), invoices, notices, audit).await)
    }

    /// Invoices, with their lines: of one account, of one month, or both.
    pub async fn invoices(
        &self,
        account_id: Option<&str>,
        month: Option<&str>,
    ) -> Result<Vec<Invoice>, StoreError> {
        dispatch!(self, b => b.invoices(account_id, month).await)
    }
}

/// An invoice line's words as the `invoice_lines.words` column keeps them.
pub(crate) fn words_json(words: &tierdesk_core::invoice_words::LineWords) -> String {
    // A derived Serialize of plain data cannot fail.
    serde_json::to_string(words).unwrap_or_default()
}

pub(crate) fn words_from_json(
    text: &str,
) -> Result<tierdesk_core::invoice_words::LineWords, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("bad invoice line words: {e}")))
}
