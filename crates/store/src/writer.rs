//! Group commit: writes queue up, a writer runs a batch of them in one transaction (each in
//! its own savepoint) and acknowledges every write only after COMMIT returned.
//!
//! This is what lets SQLite, with one fsync per commit, take thousands of durable writes a
//! second; on PostgreSQL several writers share the queue.
//!
//! A write may hand the writer rows that belong to the batch's tail: its audit entry, and
//! the search documents of the messages it stored. The writer keeps them only if the
//! write succeeded and inserts the batch's rows just before COMMIT, outside every
//! savepoint: one round trip per batch rather than one per write, a row commits exactly
//! when its change does, and SQLite's full-text index, which writes a segment at each
//! savepoint it sees, writes one per batch.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{Database, Executor, Pool};
use tokio::sync::{Mutex, mpsc, oneshot};

use tierdesk_core::audit::AuditEntry;
use tierdesk_core::counters::{Buckets, Snapshot};

use crate::StoreError;

/// Writes per transaction (the last bucket is `MAX_BATCH`).
static BATCH_BOUNDS: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// Seconds a COMMIT took.
static COMMIT_BOUNDS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// What this process's writers did: batch sizes and commit times, for the metrics page.
#[derive(Debug)]
pub(crate) struct Counters {
    batch: Buckets,
    commit: Buckets,
    failed: std::sync::atomic::AtomicU64,
}

impl Counters {
    fn new() -> Self {
        Self {
            batch: Buckets::new(&BATCH_BOUNDS),
            commit: Buckets::new(&COMMIT_BOUNDS),
            failed: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// The writers' counters as read now.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterStats {
    /// Writes per transaction.
    pub batch_size: Snapshot,
    /// Seconds per COMMIT.
    pub commit_seconds: Snapshot,
    /// Transactions rolled back whole (a failed savepoint, tail or commit).
    pub failed_batches: u64,
}

/// Tells a queued write how its transaction ended (`Some` = the commit failed).
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;
/// A message's search document: its id, case, visibility and terms.
#[derive(Debug, Clone)]
pub(crate) struct TextDoc {
    pub communication: i64,
    pub case: i64,
    pub internal: bool,
    pub terms: Vec<String>,
}

/// The rows a batch writes last: the audit entries and search documents of the writes
/// that succeeded.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    pub entries: Vec<AuditEntry>,
    pub docs: Vec<TextDoc>,
}

impl Tail {
    fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.docs.is_empty()
    }
}

/// A queued write: whether it succeeded, how to answer it, and its tail rows.
type Job<C> = Box<dyn for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, (bool, Deliver, Tail)> + Send>;
/// Inserts a batch's tail (the engine's SQL, given at start-up).
pub(crate) type Flush<C> =
    Arc<dyn for<'c> Fn(&'c mut C, Tail) -> BoxFuture<'c, Result<(), StoreError>> + Send + Sync>;

/// Most writes one transaction carries.
const MAX_BATCH: usize = 512;

pub(crate) struct Writer<DB: Database> {
    jobs: mpsc::Sender<Job<DB::Connection>>,
    counters: Arc<Counters>,
}

impl<DB: Database> Clone for Writer<DB> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
            counters: self.counters.clone(),
        }
    }
}

impl<DB> Writer<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Starts `writers` tasks that take connections from `pool`; `begin` opens a write
    /// transaction (`BEGIN IMMEDIATE` on SQLite takes the write lock up front).
    pub(crate) fn spawn(
        pool: Pool<DB>,
        writers: u32,
        begin: &'static str,
        flush: Flush<DB::Connection>,
    ) -> Self {
        let (tx, rx) = mpsc::channel::<Job<DB::Connection>>(MAX_BATCH * 8);
        let rx = Arc::new(Mutex::new(rx));
        let counters = Arc::new(Counters::new());
        for _ in 0..writers.max(1) {
            tokio::spawn(run(
                pool.clone(),
                rx.clone(),
                begin,
                flush.clone(),
                counters.clone(),
            ));
        }
        Self { jobs: tx, counters }
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            batch_size: self.counters.batch.snapshot(),
            commit_seconds: self.counters.commit.snapshot(),
            failed_batches: self
                .counters
                .failed
                .load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Runs `f` inside a write transaction and returns its result once committed. If `f`
    /// fails, none of its statements take effect.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        self.queue(None, move |c| {
            Box::pin(async move { f(c).await.map(|t| (t, Vec::new())) })
        })
        .await
    }

    /// `write`, recording `entry` in the same transaction when `f` succeeds.
    pub(crate) async fn write_audited<T, F>(&self, entry: AuditEntry, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        self.queue(Some(entry), move |c| {
            Box::pin(async move { f(c).await.map(|t| (t, Vec::new())) })
        })
        .await
    }

    /// `write_audited` for a write that stores messages: `f` also returns their search
    /// documents, indexed in the same transaction.
    pub(crate) async fn write_indexed<T, F>(&self, entry: AuditEntry, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut DB::Connection,
            ) -> BoxFuture<'c, Result<(T, Vec<TextDoc>), StoreError>>
            + Send
            + 'static,
    {
        self.queue(Some(entry), f).await
    }

    async fn queue<T, F>(&self, entry: Option<AuditEntry>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut DB::Connection,
            ) -> BoxFuture<'c, Result<(T, Vec<TextDoc>), StoreError>>
            + Send
            + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job<DB::Connection> = Box::new(move |conn| {
            Box::pin(async move {
                let (result, tail) = match f(conn).await {
                    Ok((t, docs)) => (
                        Ok(t),
                        Tail {
                            entries: entry.into_iter().collect(),
                            docs,
                        },
                    ),
                    Err(e) => (Err(e), Tail::default()),
                };
                let ok = result.is_ok();
                let deliver: Deliver = Box::new(move |commit_error| {
                    let _ = tx.send(match commit_error {
                        Some(e) => Err(StoreError::Commit(e.to_string())),
                        None => result,
                    });
                });
                (ok, deliver, tail)
            })
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        rx.await.map_err(|_| StoreError::WriterStopped)?
    }
}

async fn run<DB>(
    pool: Pool<DB>,
    jobs: Arc<Mutex<mpsc::Receiver<Job<DB::Connection>>>>,
    begin: &'static str,
    flush: Flush<DB::Connection>,
    counters: Arc<Counters>,
) where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let failed = || {
        counters
            .failed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = jobs.lock().await;
            match rx.recv().await {
                Some(job) => batch.push(job),
                None => return,
            }
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        // Dropping a job unrun drops its reply channel: its caller sees WriterStopped.
        let mut conn = match pool.acquire().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "writer could not get a connection");
                continue;
            }
        };
        let conn: &mut DB::Connection = &mut conn;
        // Savepoint statements ride along with their neighbours (release the previous
        // write's savepoint and open the next one in one call): one round trip per write
        // for savepoints instead of two.
        let single = batch.len() == 1;
        counters.batch.observe(batch.len() as f64);
        let begin_sql = if single {
            begin.to_string()
        } else {
            format!("{begin}; SAVEPOINT w")
        };
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(begin_sql))
            .execute(&mut *conn)
            .await
        {
            tracing::error!(error = %e, "writer could not begin a transaction");
            continue;
        }
        let mut delivers = Vec::with_capacity(batch.len());
        let mut tail = Tail::default();
        let mut last_ok = true;
        let mut broken = None;
        for (i, job) in batch.into_iter().enumerate() {
            if i > 0 {
                let next = if last_ok {
                    "RELEASE SAVEPOINT w; SAVEPOINT w"
                } else {
                    "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w; SAVEPOINT w"
                };
                if let Err(e) = sqlx::raw_sql(next).execute(&mut *conn).await {
                    // The transaction is in an unknown state: nothing of it may commit.
                    broken = Some(e.to_string());
                    break;
                }
            }
            let (ok, deliver, rows) = job(&mut *conn).await;
            last_ok = ok;
            delivers.push(deliver);
            tail.entries.extend(rows.entries);
            tail.docs.extend(rows.docs);
        }
        if let Some(e) = broken {
            tracing::error!(error = %e, "savepoint failed; rolling the batch back");
            failed();
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            delivers.into_iter().for_each(|d| d(Some(&e)));
            continue;
        }
        // The tail rows of the writes that stand, after the last write's savepoint is
        // settled (a failed last write is undone first).
        if !tail.is_empty() {
            let settled = if !single && !last_ok {
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT w")
                    .execute(&mut *conn)
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from)
            } else {
                Ok(())
            };
            last_ok = true;
            if let Err(e) = match settled {
                Ok(()) => flush(&mut *conn, tail).await,
                Err(e) => Err(e),
            } {
                tracing::error!(error = %e, "a batch's audit entries or search documents could not be written; rolling it back");
                failed();
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                let msg = e.to_string();
                delivers.into_iter().for_each(|d| d(Some(&msg)));
                continue;
            }
        }
        let end = match (single, last_ok) {
            (true, true) => "COMMIT",
            (true, false) => "ROLLBACK",
            (false, true) => "RELEASE SAVEPOINT w; COMMIT",
            (false, false) => "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w; COMMIT",
        };
        let committing = std::time::Instant::now();
        let ended = sqlx::raw_sql(end).execute(&mut *conn).await;
        counters.commit.observe(committing.elapsed().as_secs_f64());
        match ended {
            // A failed write alone in its transaction was rolled back: it still answers
            // with its own error, which `deliver(None)` passes on.
            Ok(_) => delivers.into_iter().for_each(|d| d(None)),
            Err(e) => {
                tracing::error!(error = %e, "commit failed");
                failed();
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                let msg = e.to_string();
                delivers.into_iter().for_each(|d| d(Some(&msg)));
            }
        }
    }
}
