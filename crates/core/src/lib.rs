//! The Tierdesk domain: plan catalogs, fees, calendars and SLA arithmetic, the services
//! list, account facts, time.
//!
//! This crate does no IO: it never touches files, sockets, databases or the wall clock
//! (time comes in through [`clock::Clock`]). Data files are compiled in or handed over as
//! text by the caller.

pub mod account;
pub mod advisor;
pub mod alerts;
pub mod assistant;
pub mod audit;
pub mod catalog;
pub mod clock;
pub mod counters;
pub mod fees;
pub mod health;
pub mod holidays;
pub mod invoice_words;
pub mod mail_text;
pub mod notice;
pub mod outage;
pub mod records;
pub mod schedule;
pub mod search;
pub mod services;
pub mod sla;
pub mod text;
pub mod time;
pub mod trusted_advisor;
pub mod usage;
