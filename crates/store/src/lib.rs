//! Tierdesk's storage layer: the only crate that knows SQL.
//!
//! One API, two engines. SQLite is the embedded default; PostgreSQL is the scale-out engine
//! that several `tierdesk serve` replicas share. Every query is written once, in
//! `queries/*.rs` (one file per aggregate), and compiled twice by `engine.rs`: once
//! against SQLite's types and once against PostgreSQL's. The few dialect differences are
//! named in [`Dialect`]. The conformance suite (`tests/conformance.rs`) runs on both.
//!
//! The `Store` methods and their input types sit beside the queries' aggregate: this file
//! (opening, meta), `accounts.rs`, `cases.rs`, `sla.rs`, `rollup.rs`, `billing.rs`,
//! `console.rs`, `audit.rs`, `live.rs`, `gauges.rs`.
//!
//! Writes go through a group-commit writer: each write runs in its own savepoint inside a
//! shared transaction, and is acknowledged only once that transaction is on disk (on
//! SQLite, after the syncer flushed it: `durable.rs`), so a request is answered only once
//! its data is durable, and a failed write leaves nothing behind.

use jiff::Timestamp;
use tierdesk_core::records::{Account, Case};

mod bind;
mod durable;
mod readers;
mod writer;

/// The SQL dialect differences, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

mod engine;
use engine::{postgres, sqlite};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    #[error("attachment set not found")]
    AttachmentSetNotFound,
    #[error("attachment set expired")]
    AttachmentSetExpired,
    #[error("attachment set is full")]
    AttachmentSetFull,
    #[error("monthly case cap reached")]
    MonthlyCaseCapReached,
    #[error("monthly quota used up")]
    QuotaExhausted,
    #[error("the account's storage quota is used")]
    StorageQuotaReached,
    #[error("the case holds as many messages as it may")]
    CaseFull,
    #[error("the case copies as many addresses as it may")]
    CcListFull,
    #[error("a message with this mail's Message-ID is already stored")]
    AlreadyReceived,
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("the database writer has stopped")]
    WriterStopped,
    #[error("bad database url: {0}")]
    BadUrl(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// `Options::reader_cache_mib` unless told otherwise (BENCHMARKS.md, eighth session).
pub const DEFAULT_READER_CACHE_MIB: u32 = 16;
/// `Options::writer_cache_mib` unless told otherwise. Small on purpose: when a B-tree
/// balance swaps two pages, SQLite parks one under the page number of the lock byte (1 GiB
/// into the file), and while the database is smaller than that, the next commit walks the
/// writer's whole cache to drop pages past the file's end (`pcache1Truncate`): 5% of the
/// server's CPU under CreateCase with 64 MiB. The operating system's file cache serves the
/// pages it does not hold (BENCHMARKS.md, tenth session).
pub const DEFAULT_WRITER_CACHE_MIB: u32 = 8;

/// How to open a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    /// Connections for reads.
    pub read_connections: u32,
    /// Group-commit writers (always 1 on SQLite, which has a single writer).
    pub writers: u32,
    /// SQLite: each read connection's page cache, in MiB. With the writer's it bounds the
    /// server's memory for the database however many cases it holds.
    pub reader_cache_mib: u32,
    /// SQLite: the writer's page cache, in MiB. It keeps the index pages that writes touch
    /// across the writer's own commits, which readers' caches do not survive.
    pub writer_cache_mib: u32,
}

impl Options {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            read_connections: 8,
            writers: 4,
            reader_cache_mib: DEFAULT_READER_CACHE_MIB,
            writer_cache_mib: DEFAULT_WRITER_CACHE_MIB,
        }
    }
}

/// A page of records and whether more follow.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// The handle every other crate uses.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::Backend),
    Postgres(postgres::Backend),
}

macro_rules! dispatch {
    ($self:expr, $b:ident => $body:expr) => {
        match $self {
            Store::Sqlite($b) => $body,
            Store::Postgres($b) => $body,
        }
    };
}

mod accounts;
mod audit;
mod billing;
mod cases;
mod console;
mod gauges;
mod health;
mod integrations;
pub mod live;
mod mail;
mod person_hooks;
mod rollup;
/// Throw-away PostgreSQL databases, for `tierdesk-testkit` only. Always compiled: a
/// feature for it would build the store and everything above it twice in every test run
/// (once for the binaries, once for the tests).
#[doc(hidden)]
pub mod scratch;
mod sla;
mod trusted_advisor;
pub use audit::AuditQuery;
pub use cases::*;
pub use console::{AgentChange, UserChange};
pub use gauges::*;
pub use health::*;
pub use integrations::*;
pub use mail::*;
pub use person_hooks::*;
pub use rollup::*;
pub use sla::*;
pub use trusted_advisor::*;

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates.
    pub async fn open(opts: &Options) -> Result<Self, StoreError> {
        let store = if opts.url.starts_with("sqlite:") {
            Store::Sqlite(sqlite::Backend::open(opts).await?)
        } else if opts.url.starts_with("postgres:") || opts.url.starts_with("postgresql:") {
            Store::Postgres(postgres::Backend::open(opts).await?)
        } else {
            return Err(StoreError::BadUrl(format!(
                "'{}' is neither sqlite://PATH nor postgres://...",
                opts.url
            )));
        };
        Ok(store)
    }

    pub fn dialect(&self) -> Dialect {
        dispatch!(self, b => b.dialect())
    }

    /// Refreshes the planner's statistics (after a bulk load, before autovacuum would).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        dispatch!(self, b => b.analyze().await)
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        dispatch!(self, b => b.meta_get(key).await)
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn meta_put(&self, key: &str, value: Vec<u8>) -> Result<(), StoreError> {
        dispatch!(self, b => b.meta_put(key.to_string(), value).await)
    }

    /// Stores `value` under `key` unless the key exists; returns what is stored afterwards.
    pub async fn meta_init(&self, key: &str, value: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        dispatch!(self, b => b.meta_init(key.to_string(), value).await)
    }
}
