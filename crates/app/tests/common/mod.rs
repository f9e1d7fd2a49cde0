//! What the app suites share: a scratch SQLite database, an `App` on a database with the
//! shipped catalogs (and any extra catalog text), and an API caller for an account.

#![allow(clippy::unwrap_used, dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use tierdesk_app::auth::Caller;
use tierdesk_app::secrets::MasterKey;
use tierdesk_app::{App, Limits};
use tierdesk_core::catalog::{Source, builtin_sources, parse_catalog};
use tierdesk_core::clock::ManualClock;
use tierdesk_core::services::Services;
use tierdesk_store::{Options, Store};

/// A fresh directory under the system's temp dir and the URL of a SQLite database in it.
pub fn scratch_sqlite(tag: &str) -> (PathBuf, String) {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let dir = std::env::temp_dir().join(format!("tierdesk-{tag}-{}", u64::from_le_bytes(b)));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    (dir, url)
}

/// An `App` on the database at `url`: the shipped catalogs plus `extra`, the given clock,
/// default limits, and one master key for every replica of a suite.
pub async fn app_on(url: &str, clock: Arc<ManualClock>, extra: &[Source<'static>]) -> App {
    let mut sources = builtin_sources().to_vec();
    sources.extend_from_slice(extra);
    App::new(
        Store::open(&Options::new(url)).await.unwrap(),
        parse_catalog(&sources).unwrap(),
        Services::builtin(),
        clock,
        Limits::default(),
        MasterKey::from_bytes(&[7; 32]),
    )
    .await
    .unwrap()
}

/// A new access key of `account`, resolved to the caller the AWS API would see.
pub async fn api_caller(app: &App, account: &str) -> Caller {
    let key = app.create_key(account, "test").await.unwrap();
    app.resolve_key(&key.access_key_id)
        .await
        .unwrap()
        .unwrap()
        .caller
        .clone()
}
