//! Tierdesk's storage layer: the only crate that knows SQL.
//!
//! One API, two engines. SQLite is the embedded default; PostgreSQL is the scale-out engine
//! that several `tierdesk serve` replicas share. Every query is written once, in
//! `backend.rs`, and compiled twice: once against SQLite's types and once against
//! PostgreSQL's (see `mod sqlite` / `mod postgres` below). The few dialect differences are
//! named in [`Dialect`]. The conformance suite (`tests/conformance.rs`) runs on both.
//!
//! Writes go through a group-commit writer: each write runs in its own savepoint inside a
//! shared transaction, and is acknowledged only after that transaction's COMMIT returned,
//! so a request is answered only once its data is durable, and a failed write leaves
//! nothing behind.

use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::records::{Account, Case};

mod writer;

/// The SQL dialect differences, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

macro_rules! backend {
    ($name:ident, $db:ty, $conn:ty, $dialect:expr, $dir:literal, $connect:ident, $begin:literal) => {
        mod $name {
            use super::connect::$connect as connect;
            use super::*;
            type Db = $db;
            type Conn = $conn;
            const DIALECT: Dialect = $dialect;
            const MIGRATIONS: &[(i64, &str)] = &[
                (
                    1,
                    include_str!(concat!("../migrations/", $dir, "/0001_init.sql")),
                ),
                (
                    2,
                    include_str!(concat!("../migrations/", $dir, "/0002_holidays.sql")),
                ),
                (
                    3,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0003_case_first_response.sql"
                    )),
                ),
                (
                    4,
                    include_str!(concat!("../migrations/", $dir, "/0004_sla_engine.sql")),
                ),
                (
                    5,
                    include_str!(concat!("../migrations/", $dir, "/0005_billing.sql")),
                ),
                (
                    6,
                    include_str!(concat!("../migrations/", $dir, "/0006_console.sql")),
                ),
                (
                    7,
                    include_str!(concat!("../migrations/", $dir, "/0007_console_people.sql")),
                ),
            ];
            fn begin_sql() -> &'static str {
                $begin
            }
            include!("backend.rs");
            include!("backend_sla.rs");
            include!("backend_billing.rs");
            include!("backend_console.rs");
        }
    };
}

// SQLite's BEGIN IMMEDIATE takes the write lock at once instead of failing at the first write.
backend!(
    sqlite,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    Dialect::Sqlite,
    "sqlite",
    sqlite,
    "BEGIN IMMEDIATE"
);
backend!(
    postgres,
    sqlx::Postgres,
    sqlx::PgConnection,
    Dialect::Postgres,
    "postgres",
    postgres,
    "BEGIN"
);

mod connect {
    use std::str::FromStr;

    use sqlx::postgres::PgPoolOptions;
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };

    use super::{Options, StoreError};

    /// WAL with `synchronous = FULL`: a commit is on disk when COMMIT returns.
    pub async fn sqlite(
        opts: &Options,
    ) -> Result<(sqlx::SqlitePool, sqlx::SqlitePool, u32), StoreError> {
        let connect = SqliteConnectOptions::from_str(&opts.url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10))
            // 64 MiB of page cache per connection keeps the hot index pages in memory.
            .pragma("cache_size", "-65536");
        // Checkpoint less often: a page written by many commits is copied back once.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone().pragma("wal_autocheckpoint", "10000"))
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.read_connections.max(1))
            .connect_with(connect)
            .await?;
        Ok((read, write, 1))
    }

    pub async fn postgres(opts: &Options) -> Result<(sqlx::PgPool, sqlx::PgPool, u32), StoreError> {
        let writers = opts.writers.max(1);
        let write = PgPoolOptions::new()
            .max_connections(writers + 1)
            .connect(&opts.url)
            .await?;
        let read = PgPoolOptions::new()
            .max_connections(opts.read_connections.max(1))
            .connect(&opts.url)
            .await?;
        Ok((read, write, writers))
    }
}

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

/// How to open a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    /// Connections for reads.
    pub read_connections: u32,
    /// Group-commit writers (always 1 on SQLite, which has a single writer).
    pub writers: u32,
}

impl Options {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            read_connections: 8,
            writers: 4,
        }
    }
}

/// A new case and its first communication.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// `display_id` is ignored: the database assigns it.
    pub case: Case,
    pub body: String,
    pub attachment_set: Option<String>,
    pub monthly_cap: Option<MonthlyCap>,
    /// The targets the case starts with (its first response, if the plan promises one).
    pub targets: Vec<tierdesk_core::records::CaseTarget>,
}

/// A cap on cases opened per calendar month (in the account's zone).
#[derive(Debug, Clone)]
pub struct MonthlyCap {
    /// `YYYY-MM`.
    pub month: String,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub account_id: String,
    pub case_ids: Vec<String>,
    pub display_id: Option<i64>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    pub include_resolved: bool,
    pub language: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    /// Words the subject contains (case-insensitive), or a case's display id.
    pub search: Option<String>,
    /// Continue after this (created, display_id), newest first.
    pub cursor: Option<(i64, i64)>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CommunicationQuery {
    pub account_id: String,
    pub case_id: String,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
    /// Continue after this (created, id), newest first.
    pub cursor: Option<(i64, i64)>,
    pub limit: i64,
    /// Agents see internal notes; customers never do.
    pub include_internal: bool,
}

#[derive(Debug, Clone)]
pub struct NewCommunication {
    pub account_id: String,
    pub case_id: String,
    pub body: String,
    pub submitted_by: String,
    pub from_support: bool,
    /// An internal note: no status or target changes, never shown to the customer.
    pub internal: bool,
    /// An AWS attachment set the message takes (AddCommunicationToCase).
    pub attachment_set: Option<String>,
    /// Files posted with the message (the console's, an agent's), stored in a new set in
    /// the message's own transaction; takes precedence over `attachment_set`.
    pub files: Option<NewAttachments>,
    pub at: Timestamp,
    /// The target the plan would start for this message (a next reply owed to a customer,
    /// a periodic update after support's reply); whether it starts is
    /// `tierdesk_core::sla::targets::on_message`'s to say.
    pub follow_up: Option<tierdesk_core::records::CaseTarget>,
}

#[derive(Debug, Clone)]
pub struct NewAttachments {
    pub account_id: String,
    /// Append to this set; `None` creates `new_set_id`.
    pub existing_set: Option<String>,
    pub new_set_id: String,
    /// `(attachment_id, file_name, data)`.
    pub files: Vec<(String, String, Vec<u8>)>,
    pub max_per_set: i64,
    pub lifetime: Duration,
    pub at: Timestamp,
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

mod billing;
mod console;
/// Throw-away PostgreSQL databases, for `tierdesk-testkit` only.
#[cfg(feature = "scratch")]
pub mod scratch;
mod sla;
pub use sla::*;

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

    /// Stores `value` under `key` unless the key exists; returns what is stored afterwards.
    pub async fn meta_init(&self, key: &str, value: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        dispatch!(self, b => b.meta_init(key.to_string(), value).await)
    }

    pub async fn create_account(
        &self,
        account: Account,
        first_plan: tierdesk_core::records::PlanAssignment,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.create_account(account, first_plan).await)
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        dispatch!(self, b => b.account(id).await)
    }

    /// Accounts by id, a page at a time after `after`: only those the agent `tam` manages
    /// when given, and those whose id starts with `text` or whose name contains it
    /// (case-insensitive) when given.
    pub async fn find_accounts(
        &self,
        text: Option<&str>,
        tam: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<Account>, StoreError> {
        dispatch!(self, b => b.find_accounts(text, tam, after, limit).await)
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        dispatch!(self, b => b.accounts().await)
    }

    /// Adds (or replaces, for the same day) an entry in the account's plan history.
    pub async fn assign_plan(
        &self,
        assignment: tierdesk_core::records::PlanAssignment,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.assign_plan(assignment).await)
    }

    /// The account's plan history, oldest first.
    pub async fn plan_history(
        &self,
        account_id: &str,
    ) -> Result<Vec<tierdesk_core::records::PlanAssignment>, StoreError> {
        dispatch!(self, b => b.plan_history(account_id).await)
    }

    pub async fn insert_key(
        &self,
        key: tierdesk_core::records::AccessKey,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.insert_key(key).await)
    }

    pub async fn key(
        &self,
        access_key_id: &str,
    ) -> Result<Option<tierdesk_core::records::AccessKey>, StoreError> {
        dispatch!(self, b => b.key(access_key_id).await)
    }

    pub async fn keys(
        &self,
        account_id: &str,
    ) -> Result<Vec<tierdesk_core::records::AccessKey>, StoreError> {
        dispatch!(self, b => b.keys(account_id).await)
    }

    /// Marks a key revoked; `NotFound` if there is no such (unrevoked) key.
    pub async fn revoke_key(&self, access_key_id: &str, at: Timestamp) -> Result<(), StoreError> {
        dispatch!(self, b => b.revoke_key(access_key_id.to_string(), at).await)
    }

    /// Inserts the case and its first communication; returns the case with its display id.
    pub async fn create_case(&self, new: NewCase) -> Result<Case, StoreError> {
        dispatch!(self, b => b.create_case(new).await)
    }

    pub async fn cases(&self, q: &CaseQuery) -> Result<Page<Case>, StoreError> {
        dispatch!(self, b => b.cases(q).await)
    }

    /// The case with this id in this account; `None` for unknown ids and other accounts'.
    pub async fn case(&self, account_id: &str, case_id: &str) -> Result<Option<Case>, StoreError> {
        dispatch!(self, b => b.case(account_id, case_id).await)
    }

    /// Up to `n` newest communications of each `(display_id, case_id)` (and whether each
    /// has older ones), in the order given.
    pub async fn recent_communications(
        &self,
        cases: &[(i64, String)],
        n: i64,
    ) -> Result<Vec<(i64, Page<tierdesk_core::records::Communication>)>, StoreError> {
        dispatch!(self, b => b.recent_communications(cases, n).await)
    }

    pub async fn communications(
        &self,
        q: &CommunicationQuery,
    ) -> Result<Option<Page<tierdesk_core::records::Communication>>, StoreError> {
        dispatch!(self, b => b.communications(q).await)
    }

    pub async fn add_communication(&self, new: NewCommunication) -> Result<(), StoreError> {
        dispatch!(self, b => b.add_communication(new).await)
    }

    /// Resolves a case; returns its status before and after.
    pub async fn resolve_case(
        &self,
        account_id: &str,
        case_id: &str,
        at: Timestamp,
    ) -> Result<(String, String), StoreError> {
        dispatch!(self, b => b.resolve_case(account_id.to_string(), case_id.to_string(), at).await)
    }

    /// Creates a set or appends to one; returns its id and expiry.
    pub async fn add_attachments(
        &self,
        new: NewAttachments,
    ) -> Result<(String, Timestamp), StoreError> {
        dispatch!(self, b => b.add_attachments(new).await)
    }

    pub async fn attachment(
        &self,
        account_id: &str,
        attachment_id: &str,
    ) -> Result<Option<tierdesk_core::records::Attachment>, StoreError> {
        dispatch!(self, b => b.attachment(account_id, attachment_id).await)
    }

    /// Counts one hit in the account's `kind` window starting at `window_start`; returns
    /// false (and counts nothing) once `limit` hits are in the window. Shared by replicas.
    pub async fn rate_hit(
        &self,
        account_id: &str,
        kind: &str,
        window_start: i64,
        limit: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.rate_hit(account_id.to_string(), kind.to_string(), window_start, limit).await)
    }

    /// Replaces the holidays that `source` imported for `country` with `holidays`.
    pub async fn replace_holidays(
        &self,
        country: &str,
        source: &str,
        holidays: Vec<tierdesk_core::holidays::Holiday>,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.replace_holidays(country.to_string(), source.to_string(), holidays).await)
    }

    /// The holidays imported for `country`, by date.
    pub async fn holidays(
        &self,
        country: &str,
    ) -> Result<Vec<(String, tierdesk_core::holidays::Holiday)>, StoreError> {
        dispatch!(self, b => b.holidays(country).await)
    }
}
