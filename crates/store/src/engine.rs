//! The two engines. `backend!` compiles the queries in `queries/*.rs` once per engine, each
//! time with its own `Db` (sqlx's database type), `Conn` (a connection), `DIALECT`, the
//! engine's migration files and its `connect`; the queries are written once and read
//! these names. Migrations are listed here, and a test fails when a file in `migrations/`
//! is not listed (or a listed one is missing).

use crate::{Options, StoreError};

macro_rules! backend {
    ($name:ident, $db:ty, $conn:ty, $reads:ty, $dialect:expr, $dir:literal, $connect:ident, $begin:literal) => {
        pub(crate) mod $name {
            use super::connect::$connect as connect;
            use crate::readers::Reads as _;
            use crate::*;
            type Db = $db;
            type Conn = $conn;
            /// Where reads get their connections (`readers.rs`).
            type ReadPool = $reads;
            const DIALECT: Dialect = $dialect;
            pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
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
                (
                    8,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0008_rate_window_sweep.sql"
                    )),
                ),
                (
                    9,
                    include_str!(concat!("../migrations/", $dir, "/0009_credentials.sql")),
                ),
                (
                    10,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0010_attachment_sweep.sql"
                    )),
                ),
                (
                    11,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0011_escalation_requester.sql"
                    )),
                ),
                (
                    12,
                    include_str!(concat!("../migrations/", $dir, "/0012_account_storage.sql")),
                ),
                (
                    13,
                    include_str!(concat!("../migrations/", $dir, "/0013_audit_log.sql")),
                ),
                (
                    14,
                    include_str!(concat!("../migrations/", $dir, "/0014_shown_once.sql")),
                ),
                (
                    15,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0015_awaiting_support.sql"
                    )),
                ),
                (
                    16,
                    include_str!(concat!("../migrations/", $dir, "/0016_case_clock.sql")),
                ),
                (
                    17,
                    include_str!(concat!("../migrations/", $dir, "/0017_case_search.sql")),
                ),
                (
                    18,
                    include_str!(concat!("../migrations/", $dir, "/0018_audit_by_target.sql")),
                ),
                (
                    19,
                    include_str!(concat!("../migrations/", $dir, "/0019_invoice_words.sql")),
                ),
                (
                    20,
                    include_str!(concat!("../migrations/", $dir, "/0020_case_resolved.sql")),
                ),
                (
                    21,
                    include_str!(concat!("../migrations/", $dir, "/0021_sla_rollup.sql")),
                ),
                (
                    22,
                    include_str!(concat!("../migrations/", $dir, "/0022_mail_outbox.sql")),
                ),
                (
                    23,
                    include_str!(concat!("../migrations/", $dir, "/0023_inbound_mail.sql")),
                ),
                (
                    24,
                    include_str!(concat!("../migrations/", $dir, "/0024_integrations.sql")),
                ),
                (
                    25,
                    include_str!(concat!("../migrations/", $dir, "/0025_subscriptions.sql")),
                ),
                (
                    26,
                    include_str!(concat!("../migrations/", $dir, "/0026_mail_messages.sql")),
                ),
                (
                    27,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0027_notices_for_people.sql"
                    )),
                ),
                (
                    28,
                    include_str!(concat!("../migrations/", $dir, "/0028_trusted_advisor.sql")),
                ),
                (
                    29,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0029_advisor_result_rows.sql"
                    )),
                ),
                (
                    30,
                    include_str!(concat!("../migrations/", $dir, "/0030_health.sql")),
                ),
                (
                    31,
                    include_str!(concat!(
                        "../migrations/",
                        $dir,
                        "/0031_health_entity_tags.sql"
                    )),
                ),
                (
                    32,
                    include_str!(concat!("../migrations/", $dir, "/0032_quota_slot.sql")),
                ),
            ];
            fn begin_sql() -> &'static str {
                $begin
            }
            include!("queries/common.rs");
            include!("queries/script.rs");
            include!("queries/accounts.rs");
            include!("queries/cases.rs");
            include!("queries/communications.rs");
            include!("queries/attachments.rs");
            include!("queries/holidays.rs");
            include!("queries/sla.rs");
            include!("queries/billing.rs");
            include!("queries/console.rs");
            include!("queries/audit.rs");
            include!("queries/search.rs");
            include!("queries/live.rs");
            include!("queries/rollup.rs");
            include!("queries/gauges.rs");
            include!("queries/mail.rs");
            include!("queries/integrations.rs");
            include!("queries/person_hooks.rs");
            include!("queries/trusted_advisor.rs");
            include!("queries/health.rs");
        }
    };
}

// SQLite's BEGIN IMMEDIATE takes the write lock at once instead of failing at the first write.
backend!(
    sqlite,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    crate::readers::Readers<sqlx::SqliteConnection>,
    Dialect::Sqlite,
    "sqlite",
    sqlite,
    "BEGIN IMMEDIATE"
);
backend!(
    postgres,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::PgPool,
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
    use crate::durable::Durability;

    /// WAL with `synchronous = FULL`: a commit is on disk when COMMIT returns; except on
    /// the writer's connection, whose commits the syncer flushes (`durable.rs`).
    pub async fn sqlite(
        opts: &Options,
    ) -> Result<
        (
            crate::readers::Readers<sqlx::SqliteConnection>,
            sqlx::SqlitePool,
            u32,
            Durability,
        ),
        StoreError,
    > {
        let connect = SqliteConnectOptions::from_str(&opts.url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10))
            // The writer's page cache; readers get `reader_cache_mib`, below.
            .pragma("cache_size", cache_size(opts.writer_cache_mib))
            // A page of results (up to a few hundred rows) passes from sqlx's connection
            // thread to the request without the thread waiting on the reader halfway
            // (sqlx's default of 50 made a page of 100 two hand-offs more).
            .row_buffer_size(512);
        // Checkpoint less often: a page written by many commits is copied back once. The
        // writer keeps more prepared statements than sqlx's default of 100: the openings'
        // scripts for each count of writes (`queries/script.rs`) are a few hundred statements
        // each, and preparing them again costs milliseconds.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // The writer's connection holds a batch's search documents until its end
            // (`BATCH_END` in queries/search.rs).
            .after_connect(|c, _| {
                Box::pin(async move {
                    sqlx::raw_sql(
                        "CREATE TEMP TABLE IF NOT EXISTS text_pending \
                         (rowid INTEGER PRIMARY KEY, terms TEXT NOT NULL)",
                    )
                    .execute(c)
                    .await
                    .map(|_| ())
                })
            })
            .connect_with(
                connect
                    .clone()
                    .pragma("wal_autocheckpoint", "10000")
                    .statement_cache_capacity(256),
            )
            .await?;
        // Readers without sqlx's pool, which pings a connection as it takes it back
        // (readers.rs).
        //
        // A reader's cache lasts only while nothing commits (SQLite empties a connection's
        // cache when it sees another's commit), so under writes every read starts from the
        // file cache whatever its size; it serves read-only spells, such as paging through
        // the cases. Its size times the readers bounds the server's memory.
        let connect = connect.pragma("cache_size", cache_size(opts.reader_cache_mib));
        let read = crate::readers::Readers::new(
            opts.read_connections,
            Box::new(move || {
                let connect = connect.clone();
                Box::pin(async move { sqlx::ConnectOptions::connect(&connect).await })
            }),
        );
        let durability = wal(&write).await?;
        Ok((read, write, 1, durability))
    }

    /// `Durability::Flushed` by `fdatasync` of the WAL file when the database is a file in
    /// WAL mode; otherwise (an in-memory database) COMMIT's own.
    async fn wal(write: &sqlx::SqlitePool) -> Result<Durability, StoreError> {
        let mut c = write.acquire().await?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *c)
            .await?;
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(&mut *c)
                .await?;
        if !mode.eq_ignore_ascii_case("wal") || file.is_empty() {
            return Ok(Durability::AtCommit);
        }
        let wal = std::path::PathBuf::from(format!("{file}-wal"));
        Ok(Durability::Flushed {
            relax: "PRAGMA synchronous = NORMAL",
            flush: Box::new(move || {
                match std::fs::OpenOptions::new().write(true).open(&wal) {
                    Ok(file) => file.sync_data(),
                    // SQLite removes the WAL (when its last connection closes) only after
                    // checkpointing all of it into the database file and syncing that.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(e),
                }
            }),
        })
    }

    /// `PRAGMA cache_size`'s value for `mib` MiB (at least one): negative, in KiB, which
    /// SQLite reads as a size rather than a count of pages.
    fn cache_size(mib: u32) -> String {
        format!("-{}", u64::from(mib.max(1)) * 1024)
    }

    pub async fn postgres(
        opts: &Options,
    ) -> Result<(sqlx::PgPool, sqlx::PgPool, u32, Durability), StoreError> {
        // No JIT compiling: every statement here is short, and PostgreSQL decides to compile
        // one by its cost estimate, which runs high on a young table without statistics.
        // It did so for every group read of cases' turns (`TURNS_IN_ACCOUNT`) once a
        // hundred thousand cases had been opened and not yet analysed: 20 to 50 ms a read,
        // and messages fell from 2,400 to 250 a second.
        let connect = sqlx::postgres::PgConnectOptions::from_str(&opts.url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .options([("jit", "off")]);
        let writers = opts.writers.max(1);
        let write = PgPoolOptions::new()
            .max_connections(writers + 1)
            .connect_with(connect.clone())
            .await?;
        // No ping before a read: it is a round trip on every read. A broken connection fails
        // its read, and the pool pings it as it comes back.
        let read = PgPoolOptions::new()
            .max_connections(opts.read_connections.max(1))
            .test_before_acquire(false)
            .connect_with(connect)
            .await?;
        // COMMIT's own flush: PostgreSQL already shares one among the writers' commits,
        // and a syncer's did not pay here (BENCHMARKS.md, fourteenth session).
        Ok((read, write, writers, Durability::AtCommit))
    }
}

#[cfg(test)]
mod tests {
    /// SQLite's readers and writer get the page caches they are given: together they bound
    /// the server's memory for the database (`Options::reader_cache_mib`,
    /// `Options::writer_cache_mib`).
    #[tokio::test]
    async fn sqlite_connections_get_the_caches_they_are_given() -> Result<(), crate::StoreError> {
        const PAGES: &str = "PRAGMA cache_size";
        let db = tierdesk_testkit::ScratchDb::sqlite("reader-cache");
        let mut opts = crate::Options::new(db.url());
        opts.reader_cache_mib = 3;
        opts.writer_cache_mib = 5;
        let backend = super::sqlite::Backend::open(&opts).await?;
        let reader: i64 = sqlx::query_scalar(PAGES)
            .fetch_one(&mut *backend.reader().await?)
            .await?;
        // In KiB, negative: SQLite's way of giving a size rather than a page count.
        assert_eq!(reader, -3 * 1024);
        let writer: i64 = backend
            .writer
            .write(|c| {
                Box::pin(async move { Ok(sqlx::query_scalar(PAGES).fetch_one(&mut *c).await?) })
            })
            .await?;
        assert_eq!(writer, -5 * 1024);
        Ok(())
    }

    /// On a SQLite file, the writer's connection commits without syncing and leaves the
    /// flush to the syncer (`durable.rs`); readers keep `FULL`; an in-memory database
    /// keeps COMMIT's own durability.
    #[tokio::test]
    async fn the_sqlite_writer_leaves_the_flush_to_the_syncer() -> Result<(), crate::StoreError> {
        const SYNC: &str = "PRAGMA synchronous";
        let db = tierdesk_testkit::ScratchDb::sqlite("syncer");
        let opts = crate::Options::new(db.url());
        let (_, write, _, durability) = super::connect::sqlite(&opts).await?;
        let crate::durable::Durability::Flushed { relax, mut flush } = durability else {
            panic!("a file database in WAL mode got {durability:?}");
        };
        assert_eq!(relax, "PRAGMA synchronous = NORMAL");
        flush().map_err(|e| crate::StoreError::Commit(e.to_string()))?;
        drop(write);
        let backend = super::sqlite::Backend::open(&opts).await?;
        let reader: i64 = sqlx::query_scalar(SYNC)
            .fetch_one(&mut *backend.reader().await?)
            .await?;
        // 2 is FULL, 1 NORMAL.
        assert_eq!(reader, 2);
        let writer: i64 = backend
            .writer
            .write(|c| {
                Box::pin(async move { Ok(sqlx::query_scalar(SYNC).fetch_one(&mut *c).await?) })
            })
            .await?;
        assert_eq!(writer, 1);
        let mut memory = crate::Options::new("sqlite::memory:");
        memory.read_connections = 1;
        let (_, _, _, durability) = super::connect::sqlite(&memory).await?;
        assert!(
            matches!(durability, crate::durable::Durability::AtCommit),
            "{durability:?}"
        );
        Ok(())
    }

    /// PostgreSQL never JIT-compiles Tierdesk's statements, on the writers' connections or
    /// the readers' (`connect::postgres`).
    #[tokio::test]
    async fn postgres_connections_run_without_jit() -> Result<(), crate::StoreError> {
        const JIT: &str = "SELECT current_setting('jit') AS jit";
        let Some(db) = tierdesk_testkit::ScratchDb::postgres("nojit").await else {
            return Ok(());
        };
        let backend = super::postgres::Backend::open(&crate::Options::new(db.url())).await?;
        let read: String = sqlx::query_scalar(JIT)
            .fetch_one(&mut *backend.reader().await?)
            .await?;
        assert_eq!(read, "off");
        let written: String = backend
            .writer
            .write(|c| {
                Box::pin(async move { Ok(sqlx::query_scalar(JIT).fetch_one(&mut *c).await?) })
            })
            .await?;
        assert_eq!(written, "off");
        Ok(())
    }

    /// The files of `migrations/<dir>`, in order, with their text.
    fn files(dir: &str) -> Vec<(String, String)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dir);
        let mut names: Vec<_> = std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|e| e.map(|e| e.path()).unwrap_or_default())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                (
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    text,
                )
            })
            .collect()
    }

    fn check(dir: &str, listed: &[(i64, &str)]) {
        let on_disk = files(dir);
        assert_eq!(
            on_disk.len(),
            listed.len(),
            "migrations/{dir} holds {} files but engine.rs lists {}: list every file",
            on_disk.len(),
            listed.len()
        );
        for (i, ((name, text), (version, included))) in on_disk.iter().zip(listed).enumerate() {
            assert_eq!(*version, i as i64 + 1, "{name}: versions count up from 1");
            assert!(
                name.starts_with(&format!("{:04}_", i + 1)),
                "{name} is out of order"
            );
            assert_eq!(
                text, included,
                "{name} is not the file listed as version {version}"
            );
        }
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        check("sqlite", super::sqlite::MIGRATIONS);
        check("postgres", super::postgres::MIGRATIONS);
    }
}
