//! Trusted Advisor: checks evaluated on a customer's cloud inventory. The inventory is what
//! the AWS CLI printed for the account (`inventory`); each check reads the facts it needs
//! and says, per resource, whether all is well (`checks`); the catalog says what each
//! check is called, which category it belongs to, and the order of its columns as AWS's
//! API gives them (`catalog`). Pure: no IO, no clock (an evaluation is given its instant).

pub mod catalog;
mod catalog_ja;
pub mod checks;
pub mod inventory;
pub mod prices;

use base64::Engine;
use rust_decimal::Decimal;
use sha2::Digest;

pub use catalog::{CHECKS, Category, CheckDef, check};
pub use inventory::Inventory;
pub use prices::Prices;

/// A resource's state in a check: AWS's `ok`, `warning`, `error` (Green, Yellow, Red in
/// the Status column). Ordered from best to worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Ok, Status::Warning, Status::Error]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The Status column's word.
    pub fn colour(self) -> &'static str {
        match self {
            Status::Ok => "Green",
            Status::Warning => "Yellow",
            Status::Error => "Red",
        }
    }
}

/// A check's state: the worst of its resources that are not suppressed, or
/// `not_available` when the inventory lacks what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckStatus {
    Ok,
    Warning,
    Error,
    NotAvailable,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Warning => "warning",
            CheckStatus::Error => "error",
            CheckStatus::NotAvailable => "not_available",
        }
    }

    pub fn parse(s: &str) -> Option<CheckStatus> {
        [
            CheckStatus::Ok,
            CheckStatus::Warning,
            CheckStatus::Error,
            CheckStatus::NotAvailable,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The status of rows whose worst is `worst` (`None`: no row).
    pub fn of_worst(worst: Option<Status>) -> CheckStatus {
        match worst {
            None | Some(Status::Ok) => CheckStatus::Ok,
            Some(Status::Warning) => CheckStatus::Warning,
            Some(Status::Error) => CheckStatus::Error,
        }
    }
}

/// One resource a check reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub status: Status,
    /// The region it lives in (`None` for global resources and account-wide rows).
    pub region: Option<String>,
    /// What names the resource within the check; its `resourceId` is derived from it, so a
    /// resource keeps its id across imports.
    pub key: String,
    /// Its cells in the check's column order (`None`: a cell AWS leaves null). Empty for
    /// checks without columns.
    pub metadata: Vec<Option<String>>,
    /// What fixing it would save a month (cost checks).
    pub savings: Decimal,
}

/// What a check found in an inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// `false` when the inventory lacks what the check needs (`not_available`).
    pub available: bool,
    pub rows: Vec<Row>,
    /// Resources looked at (reported or not).
    pub processed: u64,
    /// Resources whose facts were missing (a per-resource call not collected or refused).
    pub ignored: u64,
}

impl Evaluation {
    pub fn not_available() -> Evaluation {
        Evaluation {
            available: false,
            rows: Vec::new(),
            processed: 0,
            ignored: 0,
        }
    }
}

/// A resource as a result keeps it and the APIs serve it: its id instead of its key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRow {
    pub resource_id: String,
    /// What names the resource within the check (empty for rows the operator fed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    #[serde(default)]
    pub metadata: Vec<Option<String>>,
    #[serde(with = "rust_decimal::serde::str", default)]
    pub savings: Decimal,
}

/// A check's result for an account: from an inventory, or fed by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub check_id: String,
    /// When it was evaluated (or fed).
    pub at: jiff::Timestamp,
    pub available: bool,
    pub processed: u64,
    pub ignored: u64,
    pub rows: Vec<ResultRow>,
}

impl CheckResult {
    /// The result of `check_id`'s evaluation at `at`.
    pub fn of(check_id: &str, at: jiff::Timestamp, e: Evaluation) -> CheckResult {
        CheckResult {
            check_id: check_id.to_string(),
            at,
            available: e.available,
            processed: e.processed,
            ignored: e.ignored,
            rows: e
                .rows
                .into_iter()
                .map(|r| ResultRow {
                    resource_id: resource_id(check_id, &r.key),
                    key: r.key,
                    status: r.status,
                    region: r.region,
                    metadata: r.metadata,
                    savings: r.savings,
                })
                .collect(),
        }
    }

    /// Its status with the suppressed resources left out.
    pub fn status(&self, suppressed: impl Fn(&str) -> bool) -> CheckStatus {
        if !self.available {
            return CheckStatus::NotAvailable;
        }
        CheckStatus::of_worst(
            self.rows
                .iter()
                .filter(|r| !suppressed(&r.resource_id))
                .map(|r| r.status)
                .max(),
        )
    }
}

impl ResultRow {
    /// The AWS resource the row is about (the new API's `awsResourceId`): its key's part
    /// after the region (`sg-0abc` of `us-east-1|sg-0abc|tcp|22`), the region for a row
    /// about a region, and the opaque id for rows the operator fed.
    pub fn aws_resource(&self) -> &str {
        if self.key.is_empty() {
            return &self.resource_id;
        }
        let rest = match &self.region {
            Some(r) => self
                .key
                .strip_prefix(r.as_str())
                .and_then(|k| k.strip_prefix('|'))
                .unwrap_or(&self.key),
            None => &self.key,
        };
        match rest.split('|').next() {
            Some(first) if !first.is_empty() => first,
            _ => self.region.as_deref().unwrap_or(&self.key),
        }
    }
}

/// A resource's opaque, stable id in a check: base64url of SHA-256 over the check id and
/// the resource's key, 43 characters like AWS's.
pub fn resource_id(check_id: &str, key: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(check_id.as_bytes());
    h.update([0u8]);
    h.update(key.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

/// What an evaluation is given besides the inventory.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub prices: &'a Prices,
    /// The instant it is made at (ages are counted to it).
    pub now: jiff::Timestamp,
}

/// Evaluates one check on an inventory, or `None` for a check no inventory can compute
/// (its results are fed by the operator).
pub fn evaluate(check_id: &str, inv: &Inventory, cx: &Context<'_>) -> Option<Evaluation> {
    checks::evaluator(check_id).map(|f| f(inv, cx))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_aws_resource_is_its_keys_resource_part() {
        let row = |region: Option<&str>, key: &str| ResultRow {
            resource_id: "opaque".into(),
            key: key.into(),
            status: Status::Ok,
            region: region.map(str::to_string),
            metadata: Vec::new(),
            savings: Decimal::ZERO,
        };
        let r = row(Some("us-east-1"), "us-east-1|sg-0abc|tcp|22");
        assert_eq!(r.aws_resource(), "sg-0abc");
        assert_eq!(row(None, "my-bucket").aws_resource(), "my-bucket");
        assert_eq!(
            row(Some("eu-west-1"), "eu-west-1|").aws_resource(),
            "eu-west-1"
        );
        assert_eq!(row(None, "").aws_resource(), "opaque");
    }

    #[test]
    fn resource_ids_are_stable_opaque_and_43_characters() {
        let a = resource_id("HCP4007jGY", "sg-1|tcp|22");
        assert_eq!(a.len(), 43);
        assert_eq!(a, resource_id("HCP4007jGY", "sg-1|tcp|22"));
        assert_ne!(a, resource_id("1iG5NDGVre", "sg-1|tcp|22"));
        assert!(!a.contains("sg-1"));
    }

    #[test]
    fn a_check_is_as_bad_as_its_worst_unsuppressed_row() {
        let row = |status, key: &str| Row {
            status,
            region: None,
            key: key.into(),
            metadata: Vec::new(),
            savings: Decimal::ZERO,
        };
        let e = Evaluation {
            available: true,
            rows: vec![row(Status::Ok, "a"), row(Status::Error, "b")],
            processed: 2,
            ignored: 0,
        };
        let r = CheckResult::of("x", jiff::Timestamp::UNIX_EPOCH, e);
        assert_eq!(r.status(|_| false), CheckStatus::Error);
        let b = resource_id("x", "b");
        assert_eq!(r.status(|id| id == b), CheckStatus::Ok);
        let none = CheckResult::of(
            "x",
            jiff::Timestamp::UNIX_EPOCH,
            Evaluation::not_available(),
        );
        assert_eq!(none.status(|_| false), CheckStatus::NotAvailable);
        let json = serde_json::to_string(&r.rows[1]).unwrap_or_default();
        assert!(json.contains("\"status\":\"error\""), "{json}");
        assert!(!json.contains("region"), "{json}");
    }
}
