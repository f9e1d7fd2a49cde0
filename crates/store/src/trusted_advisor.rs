//! Trusted Advisor's records: an account's last inventory, each check's latest result
//! (with the history of the resources it flagged), suppressions, and refresh jobs.
//! Queries are in `queries/trusted_advisor.rs`.

use jiff::Timestamp;
use tierdesk_core::audit::AuditEntry;
use tierdesk_core::trusted_advisor::{CheckResult, Status};

use crate::{Store, StoreError};

/// An account's last imported inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInventory {
    pub imported: Timestamp,
    pub regions: Vec<String>,
    pub files: i64,
    /// `Inventory::to_json`.
    pub facts: String,
}

/// Where a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultSource {
    /// Evaluated from the account's inventory.
    Inventory,
    /// Fed by the operator (`advisor set-result`).
    Operator,
}

impl ResultSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultSource::Inventory => "inventory",
            ResultSource::Operator => "operator",
        }
    }
}

/// A result with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    pub result: CheckResult,
    pub source: ResultSource,
}

/// A resource's time flagged by a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check_id: String,
    pub resource_id: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Its status when last seen.
    pub status: Status,
    pub region: Option<String>,
    pub metadata: Vec<Option<String>>,
    /// When a result stopped flagging it.
    pub resolved: Option<Timestamp>,
}

/// Results made while they are written, one at a time, each with the webhook events of
/// what it changes: a large account's results need not all be held at once.
pub type ResultStream = Box<dyn Iterator<Item = (StoredResult, Vec<crate::WebhookEvent>)> + Send>;

/// An account's advisor state at a glance: its open findings by status (suppressed ones
/// left out), the findings that opened and closed since an instant, and its inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisorOverview {
    pub account_id: String,
    pub account_name: String,
    /// When its inventory was last imported (`None`: only operator-fed results).
    pub imported: Option<Timestamp>,
    pub red: i64,
    pub yellow: i64,
    pub opened: i64,
    pub fixed: i64,
}

/// A check's refresh job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh {
    pub account_id: String,
    pub check_id: String,
    pub requested: Timestamp,
    pub started: Option<Timestamp>,
    pub finished: Option<Timestamp>,
    pub succeeded: Option<bool>,
}

impl Store {
    /// Replaces an account's inventory and the results evaluated from it (results of
    /// checks not evaluated stay), with their findings and the webhook events of what
    /// changed, in one transaction.
    pub async fn replace_inventory(
        &self,
        account_id: &str,
        inventory: StoredInventory,
        results: ResultStream,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_inventory(account_id.to_string(), inventory, results, audit).await)
    }

    /// Saves results (a refresh's, the weekly pass's, or the operator's), with their
    /// findings, the webhook events of what changed, and a notice about the account
    /// (`(subject_ref, notice)`; one about the same subject is written once).
    pub async fn save_results(
        &self,
        account_id: &str,
        results: Vec<StoredResult>,
        events: Vec<crate::WebhookEvent>,
        notice: Option<(String, crate::NewNotice)>,
        audit: Option<AuditEntry>,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.save_results(account_id.to_string(), results, events, notice, audit).await)
    }

    pub async fn inventory(&self, account_id: &str) -> Result<Option<StoredInventory>, StoreError> {
        dispatch!(self, b => b.inventory(account_id).await)
    }

    /// A check's findings on an account whose latest change (fixed, or else flagged) is
    /// newest, at most `max`.
    pub async fn recent_findings(
        &self,
        account_id: &str,
        check_id: &str,
        max: i64,
    ) -> Result<Vec<Finding>, StoreError> {
        dispatch!(self, b => b.recent_findings(account_id, check_id, max).await)
    }

    /// Every account with advisor results, at a glance; `opened` and `fixed` count from
    /// `since`.
    pub async fn advisor_overview(
        &self,
        since: Timestamp,
    ) -> Result<Vec<AdvisorOverview>, StoreError> {
        dispatch!(self, b => b.advisor_overview(since).await)
    }

    /// Findings that opened or closed since `since`, of `accounts` (`None`: every
    /// account), newest change first, at most `max`: `(account id, finding)`.
    pub async fn advisor_changes(
        &self,
        since: Timestamp,
        accounts: Option<&[String]>,
        max: i64,
    ) -> Result<Vec<(String, Finding)>, StoreError> {
        dispatch!(self, b => b.advisor_changes(since, accounts, max).await)
    }

    /// When the account's inventory was imported, and its regions (without its facts).
    pub async fn inventory_summary(
        &self,
        account_id: &str,
    ) -> Result<Option<(Timestamp, Vec<String>, i64)>, StoreError> {
        dispatch!(self, b => b.inventory_summary(account_id).await)
    }

    /// The account's results, by check id.
    pub async fn results(&self, account_id: &str) -> Result<Vec<StoredResult>, StoreError> {
        dispatch!(self, b => b.results(account_id, None).await)
    }

    pub async fn result(
        &self,
        account_id: &str,
        check_id: &str,
    ) -> Result<Option<StoredResult>, StoreError> {
        Ok(
            dispatch!(self, b => b.results(account_id, Some(check_id)).await)?
                .into_iter()
                .next(),
        )
    }

    /// The account's suppressed resources: (check id, resource id).
    pub async fn suppressions(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, b => b.suppressions(account_id).await)
    }

    /// Suppresses (or brings back) resources of a check.
    pub async fn set_suppressed(
        &self,
        account_id: &str,
        check_id: &str,
        resource_ids: Vec<String>,
        suppressed: bool,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.set_suppressed(account_id.to_string(), check_id.to_string(), resource_ids, suppressed, at, audit).await)
    }

    /// A check's findings on an account, newest first.
    pub async fn findings(
        &self,
        account_id: &str,
        check_id: &str,
    ) -> Result<Vec<Finding>, StoreError> {
        dispatch!(self, b => b.findings(account_id, check_id).await)
    }

    /// Asks for a refresh unless one was asked for within `cooldown`; returns the job.
    pub async fn request_refresh(
        &self,
        account_id: &str,
        check_id: &str,
        at: Timestamp,
        cooldown: std::time::Duration,
    ) -> Result<Refresh, StoreError> {
        dispatch!(self, b => b.request_refresh(account_id.to_string(), check_id.to_string(), at, cooldown).await)
    }

    /// The account's refresh jobs.
    pub async fn refreshes(&self, account_id: &str) -> Result<Vec<Refresh>, StoreError> {
        dispatch!(self, b => b.refreshes(account_id).await)
    }

    /// Takes up to `limit` waiting jobs (and jobs taken before `stale` and never
    /// finished): each goes to one caller.
    pub async fn claim_refreshes(
        &self,
        now: Timestamp,
        stale: Timestamp,
        limit: i64,
    ) -> Result<Vec<Refresh>, StoreError> {
        dispatch!(self, b => b.claim_refreshes(now, stale, limit).await)
    }

    pub async fn finish_refresh(
        &self,
        job: &Refresh,
        succeeded: bool,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.finish_refresh(job.clone(), succeeded, at).await)
    }

    /// Accounts with an inventory whose results are older than `before`: (account, when
    /// imported or last evaluated).
    pub async fn stale_advisor_accounts(
        &self,
        before: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.stale_advisor_accounts(before).await)
    }
}
