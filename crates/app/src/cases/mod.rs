//! The case use cases, for customers and agents alike: opening, reading, messages,
//! attachments, escalations, status and the options a plan offers. Each file is one
//! operation; the rules for who may reach a case are `crate::actor`'s.

mod attachments;
mod communicate;
mod create;
mod escalate;
mod options;
mod read;
mod status;

pub use communicate::{Attachments, Message};
pub use escalate::Escalated;
pub use options::ChannelHours;

use tierdesk_core::records::{Case, Communication};

pub const MAX_CASE_IDS: usize = 100;
/// AWS models no subject limit; its console stops at a few hundred characters.
pub const MAX_SUBJECT_CHARS: usize = 1024;
/// How many recent communications DescribeCases shows per case.
pub const RECENT_COMMUNICATIONS: i64 = 5;

#[derive(Debug, Clone, Default)]
pub struct CreateCase {
    pub subject: Option<String>,
    pub service_code: Option<String>,
    pub severity_code: Option<String>,
    pub category_code: Option<String>,
    pub communication_body: Option<String>,
    pub cc_email_addresses: Vec<String>,
    pub language: Option<String>,
    pub issue_type: Option<String>,
    pub attachment_set_id: Option<String>,
    /// Files posted with the case (the console's form), stored in the case's transaction.
    pub files: Vec<crate::files::NewFile>,
    /// The Message-ID of the mail that opens the case: a second delivery opens none.
    pub mail_message_id: Option<String>,
    /// The alert group the case is opened for: one open case per group.
    pub alert: Option<tierdesk_store::AlertClaim>,
    /// The Health event the case is about (one the caller sees).
    pub health_event: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DescribeCases {
    pub case_ids: Vec<String>,
    pub display_id: Option<String>,
    pub after_time: Option<String>,
    pub before_time: Option<String>,
    pub include_resolved_cases: Option<bool>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub language: Option<String>,
    pub include_communications: Option<bool>,
}

/// A case with, when asked for, its most recent communications.
#[derive(Debug, Clone)]
pub struct CaseDetails {
    pub case: Case,
    pub recent: Option<(Vec<Communication>, Option<String>)>,
}

/// What the console's case list asks for.
#[derive(Debug, Clone, Default)]
pub struct CaseSearch {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub text: Option<String>,
    pub cursor: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DescribeCommunications {
    pub case_id: Option<String>,
    pub after_time: Option<String>,
    pub before_time: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}
