//! The AWS wire protocols Tierdesk speaks, and nothing else: SigV4, the JSON shapes, the
//! error codes, and the operations a request can name. No use case, no database, no HTTP
//! library: the server crate calls the use cases, and clients (the load generator, tests)
//! use this crate alone to speak the protocol.

pub mod cbor;
pub mod error;
pub mod eventbridge;
pub mod health;
pub mod operation;
pub mod shapes;
pub mod sigv4;
pub mod trustedadvisor;

pub use operation::{Operation, Service};

/// The AWS Support API's `X-Amz-Target` prefix (JSON 1.1).
pub const TARGET_PREFIX: &str = "AWSSupport_20130415.";
/// The content type of JSON 1.1 requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A UUID-shaped id derived from `parts` (SHA-256), for ids AWS gives as UUIDs that
/// Tierdesk derives instead of storing: the same parts give the same id everywhere.
pub fn derived_uuid(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let x = hex::encode(&h.finalize()[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}
