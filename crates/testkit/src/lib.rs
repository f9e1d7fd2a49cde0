//! What Tierdesk's test suites and benchmarks share (a dev-dependency, never linked into
//! the binary): scratch databases on SQLite and PostgreSQL that clean up after themselves,
//! an `App` on such a database, and an AWS API caller for an account.
//!
//! The PostgreSQL leg runs when `TIERDESK_TEST_PG` holds a server URL; each scratch
//! database is a database of its own on that server. Without the variable the leg is
//! skipped, unless `TIERDESK_REQUIRE_PG=1`, which makes that a failure.
//! `TIERDESK_TEST_KEEP=1` keeps every scratch database (and says where) for debugging.
//!
//! It stands apart from the store and app crates so that their integration tests can use
//! it without those crates shipping test code (atuin's `tests-database` does the same).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use tierdesk_app::accounts::NewAccount;
use tierdesk_app::auth::Caller;
use tierdesk_app::secrets::MasterKey;
use tierdesk_app::{App, Limits};
use tierdesk_core::catalog::{Source, builtin_sources, parse_catalog};
use tierdesk_core::clock::Clock;
use tierdesk_core::services::Services;
use tierdesk_store::{Options, Store, scratch};

/// A short random suffix for names that must not collide between concurrent tests.
pub fn unique() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("the OS random number source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Which engines a suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

enum Place {
    Sqlite { dir: PathBuf },
    Postgres { base: String, name: String },
}

/// A database that exists for one test and is removed when dropped, even when the test
/// panics (the drop runs while unwinding).
pub struct ScratchDb {
    url: String,
    place: Place,
}

fn keep() -> bool {
    std::env::var("TIERDESK_TEST_KEEP").as_deref() == Ok("1")
}

impl ScratchDb {
    /// A SQLite database in a fresh directory under the system's temp dir.
    pub fn sqlite(tag: &str) -> ScratchDb {
        let dir = std::env::temp_dir().join(format!("tierdesk-{tag}-{}", unique()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let url = format!("sqlite://{}", dir.join("t.db").display());
        ScratchDb {
            url,
            place: Place::Sqlite { dir },
        }
    }

    /// A PostgreSQL database of its own on `TIERDESK_TEST_PG`'s server, or `None` when the
    /// PostgreSQL leg is off.
    pub async fn postgres(tag: &str) -> Option<ScratchDb> {
        let base = pg_base()?;
        let name = format!("tierdesk_{tag}_{}", unique());
        let url = scratch::create_pg_database(&base, &name)
            .await
            .expect("PostgreSQL at TIERDESK_TEST_PG");
        Some(ScratchDb {
            url,
            place: Place::Postgres { base, name },
        })
    }

    /// A scratch database on `engine` (`None` when that engine's leg is off).
    pub async fn on(engine: Engine, tag: &str) -> Option<ScratchDb> {
        match engine {
            Engine::Sqlite => Some(ScratchDb::sqlite(tag)),
            Engine::Postgres => ScratchDb::postgres(tag).await,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store opened on this database.
    pub async fn store(&self) -> Store {
        Store::open(&Options::new(&self.url))
            .await
            .expect("opening the scratch database")
    }
}

/// `TIERDESK_TEST_PG`, or `None` when the PostgreSQL leg is off (a failure when
/// `TIERDESK_REQUIRE_PG=1`).
pub fn pg_base() -> Option<String> {
    match std::env::var("TIERDESK_TEST_PG") {
        Ok(base) => Some(base),
        Err(_) => {
            assert!(
                std::env::var("TIERDESK_REQUIRE_PG").as_deref() != Ok("1"),
                "TIERDESK_REQUIRE_PG=1 but TIERDESK_TEST_PG is not set"
            );
            eprintln!("PostgreSQL leg skipped: TIERDESK_TEST_PG is not set");
            None
        }
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if keep() {
            eprintln!("TIERDESK_TEST_KEEP: kept {}", self.url);
            return;
        }
        match &self.place {
            Place::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { base, name } => {
                // Drop may run inside an async runtime (or while a test unwinds): drop the
                // database from a thread with a runtime of its own. WITH (FORCE) ends the
                // connections the test's stores still hold.
                let (base, owned) = (base.clone(), name.clone());
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(scratch::drop_pg_database(&base, &owned))
                        .map_err(std::io::Error::other)
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("could not drop the scratch database {name}");
                }
            }
        }
    }
}

/// The master key every App of a suite shares, so replicas read each other's secrets.
pub fn master_key() -> MasterKey {
    MasterKey::from_bytes(&[7; 32])
}

/// An `App` on the database at `url`: the shipped catalogs plus `extra`, the given clock,
/// default limits and the suite's master key.
pub async fn app_on(url: &str, clock: Arc<dyn Clock>, extra: &[Source<'static>]) -> App {
    let mut sources = builtin_sources().to_vec();
    sources.extend_from_slice(extra);
    App::new(
        Store::open(&Options::new(url))
            .await
            .expect("opening the store"),
        parse_catalog(&sources).expect("the shipped catalogs parse"),
        Services::builtin(),
        clock,
        Limits::default(),
        master_key(),
    )
    .await
    .expect("an App")
}

/// A new account `id` on `plan`: named "Account <id>", in UTC, the US and English; a test
/// changes what it needs with `NewAccount { timezone: ..., ..account(id, plan) }`.
pub fn account(id: &str, plan: &str) -> NewAccount {
    NewAccount {
        id: id.into(),
        name: format!("Account {id}"),
        plan: plan.into(),
        timezone: "UTC".into(),
        country: "US".into(),
        language: "en".into(),
        force: false,
    }
}

/// Who tests act as when the operator would: the command line, as user `test`.
pub fn operator() -> tierdesk_core::audit::Who {
    tierdesk_core::audit::Who::new(tierdesk_core::audit::ActorKind::Cli, "test", None)
}

/// An audit entry for a store write made by a test or a bench (the store records whatever
/// it is given; what an entry says is the use cases' business, tested there).
pub fn audit_entry() -> tierdesk_core::audit::AuditEntry {
    operator().did(
        tierdesk_core::time::from_micros(0),
        tierdesk_core::audit::Action::CaseCreate,
        None,
        "test",
        "",
    )
}

/// A new access key of `account`, resolved to the caller the AWS API would see.
pub async fn api_caller(app: &App, account: &str) -> Caller {
    let key = app
        .create_key(&operator(), account, "test")
        .await
        .expect("a new key");
    app.resolve_key(&key.access_key_id)
        .await
        .expect("resolving the key")
        .expect("the key exists")
        .caller
        .clone()
}
