//! What can go wrong in a use case, named by meaning. The protocol layers map these to
//! their own codes (AWS error types, HTTP statuses, CLI exit codes).

use tierdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
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

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}
