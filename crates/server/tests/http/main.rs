//! The server's HTTP surfaces, driven in process (`tower::ServiceExt::oneshot` on
//! `tierdesk_server::router`), on SQLite and, when `TIERDESK_TEST_PG` is set, on
//! PostgreSQL. One test binary for every surface, so the suite links once (meilisearch's
//! layout). The e2e suites drive the same surfaces with real clients over sockets; these
//! are the quick loop for a handler change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alertmanager;
mod api;
mod aws;
mod clock;
mod console;
mod health;
mod live;
mod lmtp;
mod metrics;
mod reports;
mod search;
mod subscriptions;
mod support;
mod trusted_advisor;
