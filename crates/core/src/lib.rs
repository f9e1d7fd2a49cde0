//! The Tierdesk domain: plan catalogs, the services list, account facts, time and ids.
//!
//! This crate does no IO: it never touches files, sockets, databases or the wall clock
//! (time comes in through [`clock::Clock`]). Data files are compiled in or handed over as
//! text by the caller.

pub mod account;
pub mod catalog;
pub mod clock;
pub mod holidays;
pub mod records;
pub mod schedule;
pub mod services;
pub mod sla;
pub mod time;
