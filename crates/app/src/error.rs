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

/// The fields people write in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Subject,
    /// A message's text.
    Body,
    /// The addresses a case's messages are copied to.
    CcList,
    /// An attached file's name.
    FileName,
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
}

impl Field {
    /// The field in plain English (logs, the CLI, the operator API).
    pub fn words(self) -> &'static str {
        match self {
            Field::Subject => "subject",
            Field::Body => "body",
            Field::CcList => "cc addresses",
            Field::FileName => "file name",
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
