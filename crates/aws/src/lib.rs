//! The AWS wire protocols Tierdesk speaks, and nothing else: SigV4, the JSON shapes, the
//! error codes, and the operations a request can name. No use case, no database, no HTTP
//! library: the server crate calls the use cases, and clients (the load generator, tests)
//! use this crate alone to speak the protocol.

pub mod error;
pub mod operation;
pub mod shapes;
pub mod sigv4;
pub mod trustedadvisor;

pub use operation::{Operation, Service};

/// The AWS Support API's `X-Amz-Target` prefix (JSON 1.1).
pub const TARGET_PREFIX: &str = "AWSSupport_20130415.";
/// The content type of JSON 1.1 requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
