//! AWS errors on the wire: `{"__type": Code, "message": text}`, HTTP 400 for every client
//! fault (botocore retries 5xx, so client mistakes must never be 5xx) and 500 only for
//! InternalServerError.

use serde::Serialize;

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
