//! What can go wrong in a use case, named by meaning. The protocol layers map these to
//! their own codes (AWS error types, HTTP statuses, CLI exit codes).

use tierdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A field of what a person wrote is wrong, said as data: each surface words it in
    /// its own terms (AWS member names, the console's labels in the person's language).
    #[error("{0}")]
    Invalid(Invalid),
    /// The input breaks a rule; the message says which.
    #[error("{0}")]
    Validation(String),
    /// The caller's plan does not include the Support API.
    #[error("{0}")]
    SubscriptionRequired(String),
    #[error("{0}")]
    CaseNotFound(String),
    #[error("{0}")]
    CaseCreationLimit(String),
    #[error("{0}")]
    AttachmentSetNotFound(String),
    #[error("{0}")]
    AttachmentSetExpired(String),
    /// Too many files in a set, or a file too large.
    #[error("{0}")]
    AttachmentSetSizeLimit(String),
    /// Too many sets created in a short time.
    #[error("{0}")]
    AttachmentLimit(String),
    #[error("{0}")]
    AttachmentNotFound(String),
    #[error("{0}")]
    DescribeAttachmentLimit(String),
    #[error("{0}")]
    Throttled(String),
    /// An operator-side lookup (account, plan, key) found nothing.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials (operator API token).
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A bug or an outage; the message is for logs, not for callers.
    #[error("{0}")]
    Internal(String),
}

/// A field of a person's input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub problem: Problem,
}

/// The fields of what customers send about cases (the AWS API's inputs and the console's
/// forms alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Subject,
    /// A message's text.
    Body,
    /// The addresses a case's messages are copied to.
    CcList,
    /// An attached file's name.
    FileName,
    /// The files of an attachment set.
    Attachments,
    AttachmentId,
    Severity,
    Service,
    Category,
    /// The services asked about (DescribeServices).
    ServiceList,
    /// Technical, or account and billing.
    IssueType,
    Language,
    CaseId,
    /// The cases asked for (DescribeCases).
    CaseIdList,
    /// A case's number.
    DisplayId,
    Status,
    /// Words searched for in the console's case list.
    Search,
    /// A page's size.
    MaxResults,
    /// The start of a time window.
    AfterTime,
    /// The end of a time window.
    BeforeTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing,
    /// Not 1 to `max` characters long (`got` characters, 0 for blank).
    Length {
        max: usize,
        got: usize,
    },
    /// Holds a control character or a Unicode non-character.
    Forbidden(char),
    /// More than `max` entries.
    TooMany {
        max: usize,
        got: usize,
    },
    /// An entry that is not an email address.
    NotEmail(String),
    /// Not one of the values the field takes.
    NotOneOf {
        value: String,
        allowed: Vec<String>,
    },
    NotANumber(String),
    NotATime(String),
    /// Outside `min..=max`.
    OutOfRange {
        min: i64,
        max: i64,
        got: i64,
    },
    /// Given only together with this other field.
    RequiredWith(Field),
    /// No such code.
    Unknown(String),
    /// A category that is not one of the service's.
    NotInService {
        value: String,
        service: String,
    },
    /// A value the customer's plan does not offer.
    NotOffered {
        value: String,
        plan_name: String,
        plan_id: String,
        offered: Vec<String>,
    },
}

impl Field {
    /// The field in plain English (logs, the CLI, the operator API).
    pub fn words(self) -> &'static str {
        match self {
            Field::Subject => "subject",
            Field::Body => "body",
            Field::CcList => "cc addresses",
            Field::FileName => "file name",
            Field::Attachments => "attachments",
            Field::AttachmentId => "attachment id",
            Field::Severity => "severity",
            Field::Service => "service",
            Field::Category => "category",
            Field::ServiceList => "service list",
            Field::IssueType => "issue type",
            Field::Language => "language",
            Field::CaseId => "case id",
            Field::CaseIdList => "case id list",
            Field::DisplayId => "case number",
            Field::Status => "status",
            Field::Search => "search",
            Field::MaxResults => "page size",
            Field::AfterTime => "start time",
            Field::BeforeTime => "end time",
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field.words();
        match &self.problem {
            Problem::Missing => write!(f, "{field} is required"),
            Problem::Length { max, got } => {
                write!(f, "{field} must be 1 to {max} characters long, not {got}")
            }
            Problem::Forbidden(c) => write!(
                f,
                "{field} contains the control or non-character U+{:04X}",
                *c as u32
            ),
            Problem::TooMany { max, got } => {
                write!(f, "{field} may list at most {max} entries, not {got}")
            }
            Problem::NotEmail(a) => write!(f, "'{a}' in {field} is not an email address"),
            Problem::NotOneOf { value, allowed } => {
                write!(f, "{field} '{value}' is not one of {}", allowed.join(", "))
            }
            Problem::NotANumber(v) => write!(f, "{field} '{v}' is not a number"),
            Problem::NotATime(v) => write!(
                f,
                "{field} '{v}' is not an ISO 8601 time such as 2026-11-22T05:53:18Z"
            ),
            Problem::OutOfRange { min, max, got } => {
                write!(f, "{field} must be between {min} and {max}, not {got}")
            }
            Problem::RequiredWith(other) => {
                write!(f, "{field} is required with {}", other.words())
            }
            Problem::Unknown(v) => write!(f, "{field} '{v}' is not known"),
            Problem::NotInService { value, service } => {
                write!(
                    f,
                    "{field} '{value}' is not a category of service '{service}'"
                )
            }
            Problem::NotOffered {
                value,
                plan_name,
                plan_id,
                offered,
            } => write!(
                f,
                "{field} '{value}' is not available on the {plan_name} plan ({plan_id}); it offers: {}",
                offered.join(", ")
            ),
        }
    }
}

impl ServiceError {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        ServiceError::Invalid(Invalid { field, problem })
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}
