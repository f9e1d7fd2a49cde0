//! The records Tierdesk keeps, as plain data shared by the store, the use cases and the
//! protocol layers. Instants are `jiff::Timestamp` (UTC).

use jiff::Timestamp;
use jiff::civil::Date;

use crate::catalog::TargetKind;

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

/// Case statuses' names, as the AWS Support API spells them (and the store keeps them).
pub mod status {
    pub const OPENED: &str = "opened";
    pub const UNASSIGNED: &str = "unassigned";
    pub const WORK_IN_PROGRESS: &str = "work-in-progress";
    pub const PENDING_CUSTOMER_ACTION: &str = "pending-customer-action";
    pub const CUSTOMER_ACTION_COMPLETED: &str = "customer-action-completed";
    pub const REOPENED: &str = "reopened";
    pub const RESOLVED: &str = "resolved";
}

/// Where a case stands. Text becomes a status only through [`CaseStatus::parse`], at the
/// edges (a request, a database row), so the rules never meet a status they do not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    Opened,
    Unassigned,
    WorkInProgress,
    PendingCustomerAction,
    CustomerActionCompleted,
    Reopened,
    Resolved,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Opened,
        CaseStatus::Unassigned,
        CaseStatus::WorkInProgress,
        CaseStatus::PendingCustomerAction,
        CaseStatus::CustomerActionCompleted,
        CaseStatus::Reopened,
        CaseStatus::Resolved,
    ];

    /// The statuses an agent sets by hand (the others follow from what happens to a case).
    pub const SET_BY_AGENT: [CaseStatus; 3] = [
        CaseStatus::WorkInProgress,
        CaseStatus::PendingCustomerAction,
        CaseStatus::Resolved,
    ];

    /// The Support API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Opened => status::OPENED,
            CaseStatus::Unassigned => status::UNASSIGNED,
            CaseStatus::WorkInProgress => status::WORK_IN_PROGRESS,
            CaseStatus::PendingCustomerAction => status::PENDING_CUSTOMER_ACTION,
            CaseStatus::CustomerActionCompleted => status::CUSTOMER_ACTION_COMPLETED,
            CaseStatus::Reopened => status::REOPENED,
            CaseStatus::Resolved => status::RESOLVED,
        }
    }

    pub fn parse(name: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status equals its Support API name.
impl PartialEq<&str> for CaseStatus {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub display_id: i64,
    pub case_id: String,
    pub account_id: String,
    pub subject: String,
    pub status: CaseStatus,
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
    /// The agent working the case.
    pub assignee: Option<String>,
    /// The earliest deadline among the targets still running (breaches go by it) ...
    pub sla_due: Option<Timestamp>,
    /// ... and the kind of that target. Read both through [`Case::clock`].
    pub sla_target: Option<TargetKind>,
    /// When support first answered the customer (a visible reply), whatever targets ran.
    pub responded: Option<Timestamp>,
    /// Since when the customer awaits support's answer (their earliest message support has
    /// not answered), whatever the plan promises; `None` when support spoke last.
    pub awaiting_since: Option<Timestamp>,
}

/// One response target a case runs: recorded when it starts, with the clock and length it
/// started under, so later plan or calendar changes do not rewrite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTarget {
    pub kind: TargetKind,
    /// Counts the targets of one kind on a case: 0, 1, ...
    pub seq: i64,
    pub clock: String,
    pub minutes: u32,
    pub started: Timestamp,
    pub due: Timestamp,
    /// When the breach worker warns (a fraction of the target, on the same clock).
    pub warn_at: Option<Timestamp>,
    /// When support answered, customer-visibly.
    pub met: Option<Timestamp>,
    /// When the clock stopped (answered, resolved, or waiting on the customer).
    pub stopped: Option<Timestamp>,
    pub warned: Option<Timestamp>,
    pub breached: Option<Timestamp>,
    /// Who asked for it, for an urgent escalation: the customer, or an agent on their
    /// behalf (`Actor::submitted_by`'s words).
    pub requested_by: Option<String>,
}

impl CaseTarget {
    /// A target starting now: nothing met, stopped or recorded yet.
    pub fn start(
        kind: TargetKind,
        clock: &str,
        minutes: u32,
        started: Timestamp,
        due: Timestamp,
        warn_at: Option<Timestamp>,
    ) -> Self {
        Self {
            kind,
            seq: 0,
            clock: clock.to_string(),
            minutes,
            started,
            due,
            warn_at,
            met: None,
            stopped: None,
            warned: None,
            breached: None,
            requested_by: None,
        }
    }

    /// Missed: breached, or answered after the deadline.
    pub fn missed(&self, now: Timestamp) -> bool {
        match self.met {
            Some(m) => m > self.due,
            None => self.stopped.is_none() && now > self.due,
        }
    }
}

/// What the breach worker records about a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlaEventKind {
    Warning,
    Breach,
}

impl SlaEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Breach => "breach",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Warning, Self::Breach]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A warning or breach, as stored on the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaEvent {
    pub case_id: String,
    pub target: TargetKind,
    pub seq: i64,
    pub kind: SlaEventKind,
    pub due: Timestamp,
    /// The instant the event is about (the warning point or the deadline).
    pub at: Timestamp,
    /// When the worker recorded it.
    pub recorded: Timestamp,
}

impl SlaEvent {
    /// The event's identity, the same however often it is delivered.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.case_id,
            self.target.as_str(),
            self.seq,
            self.kind.as_str()
        )
    }

    /// The target and its sequence number an event's `key` names (the case id, which may
    /// hold no `/`, comes first).
    pub fn target_of_key(key: &str) -> Option<(TargetKind, i64)> {
        let mut parts = key.rsplit('/').skip(1);
        let seq = parts.next()?.parse().ok()?;
        let target = TargetKind::parse(parts.next()?)?;
        Some((target, seq))
    }
}

/// What an agent may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    Tam,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Agent, Role::Tam, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Tam => "tam",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Agent, Self::Tam, Self::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A support engineer, TAM or admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub email: String,
    pub name: String,
    pub languages: Vec<String>,
    pub role: Role,
    pub created: Timestamp,
    /// Since when the agent may not sign in or use their token.
    pub disabled: Option<Timestamp>,
    /// When the API token stops working (a revoked token expired when it was revoked).
    pub token_expires: Option<Timestamp>,
    /// Made by `serve --demo`.
    pub demo: bool,
}

/// A webhook endpoint. The signing secret is sealed under the master key.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// Event types it receives (`sla.warning`, `sla.breach`).
    pub events: Vec<String>,
    pub secret_ciphertext: Vec<u8>,
    pub created: Timestamp,
    pub disabled: Option<Timestamp>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// The first-response promise made when a case was opened (its first target). Whether
/// and when support answered is the case's `responded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstResponse {
    /// The calendar the target counts on.
    pub clock: String,
    pub minutes: u32,
    pub due: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Communication {
    pub id: i64,
    pub case_id: String,
    pub body: String,
    pub submitted_by: String,
    pub from_support: bool,
    /// An internal note: agents see it, the customer never does.
    pub internal: bool,
    pub created: Timestamp,
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRef {
    pub attachment_id: String,
    pub file_name: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub data: Vec<u8>,
    /// Attached to an internal note: for support's eyes only.
    pub internal: bool,
}

/// A month's support-fee invoice for one account, with its arithmetic line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub account_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
    pub total: rust_decimal::Decimal,
    pub lines: Vec<InvoiceLine>,
    pub computed: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// The plan the line is about, if any.
    pub plan_id: Option<String>,
    /// The line in English, as the CLI and the API show it (a step of a plan's fee is
    /// indented under its period).
    pub description: String,
    pub amount: rust_decimal::Decimal,
    /// What the line says, as data, for other languages (`None` on invoices computed
    /// before their words were kept).
    pub words: Option<crate::invoice_words::LineWords>,
}

/// A customer's console user; belongs to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub name: String,
    pub language: String,
    pub created: Timestamp,
    /// Since when the user may not sign in.
    pub disabled: Option<Timestamp>,
    /// Made by `serve --demo`.
    pub demo: bool,
}

/// What a person chose for the console. `None`: not chosen (the browser's language; the
/// account's zone for customers, UTC for agents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    /// `en` or `ja`.
    pub ui_language: Option<String>,
    /// An IANA zone.
    pub timezone: Option<String>,
}

/// A console session: who, its CSRF token, and until when it is valid.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub email: String,
    pub csrf: String,
    pub created: Timestamp,
    pub expires: Timestamp,
}

impl std::fmt::Debug for Session {
    // The CSRF token is a secret of the session's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("email", &self.email)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_key_names_its_target() {
        let e = SlaEvent {
            case_id: "case-111122223333-muen-2026-0123456789abcdef".into(),
            target: TargetKind::NextReply,
            seq: 3,
            kind: SlaEventKind::Breach,
            due: Timestamp::UNIX_EPOCH,
            at: Timestamp::UNIX_EPOCH,
            recorded: Timestamp::UNIX_EPOCH,
        };
        assert_eq!(
            SlaEvent::target_of_key(&e.key()),
            Some((TargetKind::NextReply, 3))
        );
        for bad in ["", "case/first_response/x/breach", "case/nothing/1/warning"] {
            assert_eq!(SlaEvent::target_of_key(bad), None, "{bad}");
        }
    }
}
