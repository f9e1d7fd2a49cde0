//! The AWS Support API wire protocol (JSON 1.1 over `POST /`, SigV4): the only crate that
//! knows the wire format. It turns signed bytes into calls on `tierdesk_app::App` and the
//! results back into AWS-shaped JSON and error codes.

pub mod error;
pub mod handler;
pub mod shapes;
pub mod sigv4;

pub use handler::{CONTENT_TYPE, TARGET_PREFIX, WireRequest, WireResponse, handle};
