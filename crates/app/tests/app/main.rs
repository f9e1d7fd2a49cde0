//! The use cases through `App`, on scratch databases: one test binary for every suite, so
//! the crate's tests link once.

mod access;
mod audit;
mod billing;
mod cases;
mod first_response;
mod mail;
mod rollup;
mod sign_in;
mod sla_engine;
mod tidy;
