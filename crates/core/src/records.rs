//! The records Tierdesk keeps, as plain data shared by the store, the use cases and the
//! protocol layers. Instants are `jiff::Timestamp` (UTC).

use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub country: String,
    pub language: String,
    pub created: Timestamp,
}

/// One entry of an account's plan history: from `effective_from` on, the account is on
/// `plan_id` (until a later entry takes over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAssignment {
    pub account_id: String,
    pub plan_id: String,
    pub effective_from: Date,
    pub assigned_at: Timestamp,
    /// Assigned past the plan's discontinued-on date with `--force`.
    pub forced: bool,
}

/// An API access key. The secret is stored encrypted (SigV4 needs the plaintext to verify
/// a signature, so it cannot be hashed).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub access_key_id: String,
    pub account_id: String,
    pub principal: String,
    pub secret_ciphertext: Vec<u8>,
    pub created: Timestamp,
    pub revoked: Option<Timestamp>,
}

impl std::fmt::Debug for AccessKey {
    // Never print key material, even encrypted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// Case statuses, as the AWS Support API names them.
pub mod status {
    pub const OPENED: &str = "opened";
    pub const UNASSIGNED: &str = "unassigned";
    pub const WORK_IN_PROGRESS: &str = "work-in-progress";
    pub const PENDING_CUSTOMER_ACTION: &str = "pending-customer-action";
    pub const CUSTOMER_ACTION_COMPLETED: &str = "customer-action-completed";
    pub const REOPENED: &str = "reopened";
    pub const RESOLVED: &str = "resolved";

    /// What a customer's reply does to a case: it reopens a resolved case and answers a
    /// request for action; otherwise the status stays.
    pub fn after_customer_reply(current: &str) -> &str {
        match current {
            RESOLVED => REOPENED,
            PENDING_CUSTOMER_ACTION => CUSTOMER_ACTION_COMPLETED,
            other => other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub display_id: i64,
    pub case_id: String,
    pub account_id: String,
    pub subject: String,
    pub status: String,
    pub service_code: String,
    pub category_code: String,
    pub severity_code: String,
    pub issue_type: String,
    pub language: String,
    pub submitted_by: String,
    pub cc_emails: Vec<String>,
    /// The plan the case was opened under (a later plan change does not rewrite it).
    pub plan_id: String,
    pub created: Timestamp,
    /// The first-response promise made when the case was opened, if the plan makes one.
    pub first_response: Option<FirstResponse>,
}

/// A first-response target as recorded on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstResponse {
    /// The calendar the target counts on.
    pub clock: String,
    pub minutes: u32,
    pub due: Timestamp,
    /// When support first answered (customer-visibly).
    pub responded: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Communication {
    pub id: i64,
    pub case_id: String,
    pub body: String,
    pub submitted_by: String,
    pub from_support: bool,
    pub created: Timestamp,
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRef {
    pub attachment_id: String,
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub data: Vec<u8>,
}
