//! AWS errors on the wire: `{"__type": Code, "message": text}`, HTTP 400 for every client
//! fault (botocore retries 5xx, so client mistakes must never be 5xx) and 500 only for
//! InternalServerError.

use serde::Serialize;
use tierdesk_app::ServiceError;

use crate::sigv4::SigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "__type")]
    code: &'a str,
    message: &'a str,
}

impl AwsError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn client(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&Body {
            code: self.code,
            message: &self.message,
        })
        .unwrap_or_default()
    }

    pub fn internal(request_id: &str) -> Self {
        Self::new(
            500,
            "InternalServerError",
            format!("An internal error occurred. Request id {request_id}."),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "SerializationException",
            format!("The request body is larger than {limit} bytes"),
        )
    }
}

impl From<SigError> for AwsError {
    fn from(e: SigError) -> Self {
        let msg = e.to_string();
        match e {
            SigError::Missing => AwsError::new(403, "MissingAuthenticationTokenException", msg),
            SigError::Incomplete(_) => AwsError::client("IncompleteSignatureException", msg),
            SigError::SessionToken => AwsError::client("UnrecognizedClientException", msg),
            SigError::Invalid(_) | SigError::Expired(_) => {
                AwsError::client("InvalidSignatureException", msg)
            }
        }
    }
}

/// The AWS code for each use-case error. Internal errors are turned into a generic
/// message by the caller (which logs the detail).
pub fn from_service(e: ServiceError) -> Result<AwsError, String> {
    let (code, msg) = match e {
        ServiceError::Validation(m) => ("ValidationException", m),
        ServiceError::SubscriptionRequired(m) => ("SubscriptionRequiredException", m),
        ServiceError::CaseNotFound(m) => ("CaseIdNotFound", m),
        ServiceError::CaseCreationLimit(m) => ("CaseCreationLimitExceeded", m),
        ServiceError::AttachmentSetNotFound(m) => ("AttachmentSetIdNotFound", m),
        ServiceError::AttachmentSetExpired(m) => ("AttachmentSetExpired", m),
        ServiceError::AttachmentSetSizeLimit(m) => ("AttachmentSetSizeLimitExceeded", m),
        ServiceError::AttachmentLimit(m) => ("AttachmentLimitExceeded", m),
        ServiceError::AttachmentNotFound(m) => ("AttachmentIdNotFound", m),
        ServiceError::DescribeAttachmentLimit(m) => ("DescribeAttachmentLimitExceeded", m),
        ServiceError::Throttled(m) => ("ThrottlingException", m),
        // Operator-side errors never arise from an AWS call; if one did, it is a bug.
        ServiceError::NotFound(m)
        | ServiceError::Conflict(m)
        | ServiceError::Unauthenticated(m)
        | ServiceError::Forbidden(m)
        | ServiceError::Internal(m) => {
            return Err(m);
        }
    };
    Ok(AwsError::client(code, msg))
}
