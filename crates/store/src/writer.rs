//! Group commit: writes queue up, a writer runs a batch of them in one transaction (each in
//! its own savepoint, unless it refuses before it writes: `Scripted`, `Planned`) and
//! acknowledges every write only once its batch is durable: COMMIT returned, and on SQLite
//! the syncer flushed it (`durable.rs`) while the writer ran its next batch.
//!
//! This is what lets SQLite, with one fsync per commit, take thousands of durable writes a
//! second; on PostgreSQL several writers share the queue.
//!
//! Every call a writer makes waits for the database: on SQLite, a hand-off to sqlx's
//! connection thread and back (about 0.1 ms on a VM), and the writer makes them one after
//! another, so their number per write sets the pace. A write sends the BEGIN and savepoint
//! statements it is owed in its first call (`Lead`), consecutive writes of one script
//! (`write_script`) go in one call, and when they end the batch, that call commits it.
//!
//! A write may hand the writer rows that belong to the batch's tail: its audit entry, and
//! the search documents of the messages it stored. The writer keeps them only if the
//! write succeeded and inserts the batch's rows in the call that commits, outside every
//! savepoint: a row commits exactly when its change does. (On SQLite, search documents
//! reach the full-text index only at the batch's end in any case: `BATCH_END` in
//! `queries/search.rs`.)

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{Database, Executor, Pool};
use tokio::sync::{mpsc, oneshot};

use tierdesk_core::audit::AuditEntry;
use tierdesk_core::counters::{Buckets, Snapshot};

use crate::StoreError;
use crate::bind::Bind;
use crate::durable::{Acks, Durability};

/// Writes per transaction (the last bucket is `MAX_BATCH`).
static BATCH_BOUNDS: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// Seconds a batch's end took: its audit rows and search documents, and COMMIT (or the
/// batch's last call, when it commits: `Commit`).
static COMMIT_BOUNDS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// What this process's writers did: batch sizes, commit and flush times, for the metrics
/// page.
#[derive(Debug)]
pub(crate) struct Counters {
    batch: Buckets,
    commit: Buckets,
    /// The syncer's flushes (`durable.rs`), each the seconds it took.
    pub(crate) flush: Buckets,
    failed: std::sync::atomic::AtomicU64,
}

impl Counters {
    fn new() -> Self {
        Self {
            batch: Buckets::new(&BATCH_BOUNDS),
            commit: Buckets::new(&COMMIT_BOUNDS),
            flush: Buckets::new(&COMMIT_BOUNDS),
            failed: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// The writers' counters as read now.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterStats {
    /// Writes per transaction.
    pub batch_size: Snapshot,
    /// Seconds per batch end (tail rows and COMMIT, or the last call when it commits).
    pub commit_seconds: Snapshot,
    /// Seconds per flush of SQLite's commits before their writes are answered
    /// (`durable.rs`); none on PostgreSQL, whose COMMIT flushes.
    pub flush_seconds: Snapshot,
    /// Transactions rolled back whole (a failed savepoint, tail or commit).
    pub failed_batches: u64,
}

/// Tells a queued write how its transaction ended (`Some` = the commit failed).
pub(crate) type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;
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

/// The statements the writer owes before a write's first statement: for the batch's first
/// write, the BEGIN that opens the transaction; then settling the previous write's
/// savepoint (releasing it, or rolling back to it when that write failed) and opening the
/// write's own. The write sends them in its first call, which saves the writer a round trip
/// per write and one per batch. If they fail, the write fails, and the batch cannot commit:
/// whatever follows a failed write starts with `ROLLBACK TO SAVEPOINT w`, which fails
/// without the savepoint, and a failed end rolls back everything.
///
/// A write must send them before anything else, even when it then changes nothing: the
/// writer checks that it read them (`sql`), and rolls the batch back when one did not,
/// rather than let later statements run outside the transaction.
#[derive(Debug, Clone)]
pub(crate) struct Lead {
    begin: Option<&'static str>,
    savepoints: &'static str,
    sent: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Lead {
    /// No statements: for calls after a write's first.
    pub(crate) const NONE: Lead = Lead {
        begin: None,
        savepoints: "",
        sent: None,
    };

    /// The statements, `;`-separated (empty when there are none); reading them counts as
    /// sending them.
    pub(crate) fn sql(&self) -> std::borrow::Cow<'static, str> {
        if let Some(sent) = &self.sent {
            sent.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        match (self.begin, self.savepoints) {
            (None, sp) => sp.into(),
            (Some(begin), "") => begin.into(),
            (Some(begin), sp) => format!("{begin}; {sp}").into(),
        }
    }

    fn is_empty(&self) -> bool {
        self.begin.is_none() && self.savepoints.is_empty()
    }

    /// For a call that is its batch's whole transaction and one statement: when the lead
    /// only opens the transaction, counts it as sent and says so, and the statement may run
    /// on its own (PostgreSQL commits a statement sent outside a transaction when it ends,
    /// or undoes all of it), which saves the round trips of BEGIN and COMMIT.
    pub(crate) fn waive_begin(&self) -> bool {
        let alone = self.begin.is_some() && self.savepoints.is_empty();
        if alone && let Some(sent) = &self.sent {
            sent.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        alone
    }
}

/// How a write's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Done,
    /// Failed; its savepoint (if any) undoes whatever it wrote.
    Failed,
    /// Failed without a savepoint after it may have written: the batch cannot commit.
    Poisoned,
}

/// A queued write.
enum Job<DB: Database> {
    /// Statements of its own, in a savepoint: the run that says how it ended, how to
    /// answer it, and its tail rows.
    Run {
        key: Option<Box<str>>,
        run: Run<DB::Connection>,
    },
    /// A fixed script and its values (`write_script`).
    Script(Scripted<DB>),
    /// A read, then the statements that what it read decides (`write_planned`).
    Planned(Planned<DB>),
}

impl<DB: Database> Job<DB> {
    /// The key it was routed by (`Route::Key`).
    fn key(&self) -> Option<&str> {
        match self {
            Job::Run { key, .. } => key.as_deref(),
            Job::Script(w) => w.key.as_deref(),
            Job::Planned(w) => Some(&w.key),
        }
    }
}

/// A write that is one fixed script (`queries/script.rs`) with its values, unguarded (its
/// expected failures write nothing). The writer sends consecutive writes of the same
/// script in one call: on SQLite, a batch of them is one hand-off to the connection thread
/// instead of one each; on PostgreSQL, one statement where the script has a group form
/// (`Script::rows`).
struct Scripted<DB: Database> {
    key: Option<Box<str>>,
    script: Script,
    values: Vec<Bind<'static>>,
    /// Reads the write's rows (or the error of the call that ran it): how it ended and how
    /// to answer it. A script leaves no tail rows: it writes its own (`write_script`).
    finish: Finish<DB>,
}
type Finish<DB> =
    Box<dyn FnOnce(Result<Vec<<DB as Database>::Row>, &StoreError>) -> (Ended, Deliver) + Send>;

/// A fixed script: its statements (`sql`), and, on PostgreSQL, the one statement that runs
/// a whole group of its writes (`rows`), where it has one.
///
/// Why `rows`: on PostgreSQL each statement costs its parse, plan and executor start-up
/// whatever rows it writes, and those made most of the server's CPU per write (a group of
/// eight case openings: 6,400 cases a second as eight statements, 14,100 as one, under
/// pgbench on two cores). SQLite takes a group's statements in one call already, so it has
/// no such form. `rows` takes one value, `$1`: a JSON array with each write's values, as
/// `$1`, `$2`, ... number them in `sql`, in an array of their own (`script::values_json`);
/// each row it returns names its write, 1-based, in a column `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Script {
    pub sql: &'static str,
    pub rows: Option<&'static str>,
}

impl Script {
    /// A script without a group form.
    #[cfg(test)]
    pub(crate) const fn one(sql: &'static str) -> Script {
        Script { sql, rows: None }
    }
}

/// A write in two steps: a fixed read with its values (a case's turn), then the statements
/// its plan makes of what it read (what the SLA rules decide, in Rust). The writer runs it
/// with the writes of the same read queued after it on other keys: one call reads for all
/// of them (`RunScripts`), and their statements go in as few calls as the engine allows
/// (`RunStatements`), instead of two calls each. It runs without a savepoint (SQLite copies every page a savepoint's
/// write touches to its sub-journal: a sixth of the connection thread's time on the
/// case-opening path): its plan refuses before anything is written, and any failure of its
/// statements rolls its batch back.
struct Planned<DB: Database> {
    /// The record it writes (`Route::Key`): planned writes always name one.
    key: Box<str>,
    read: Script,
    values: Vec<Bind<'static>>,
    plan: Plan<DB>,
}
/// A planned write's plan: given its read's rows (or the error of the call that read
/// them), how it ended without writing, or the statements it writes.
type Plan<DB> = Box<dyn FnOnce(Result<Vec<<DB as Database>::Row>, &StoreError>) -> Step<DB> + Send>;

/// One statement of a planned write and its values. On SQLite a write's statements number
/// their values after the statements before them, from `$1`; on PostgreSQL each from `$1`.
pub(crate) type Statement = (String, Vec<Bind<'static>>);

/// What a planned write's plan made of its read.
enum Step<DB: Database> {
    /// It ended without writing (refused, or its read failed).
    Ended(Ended, Deliver),
    /// Its statements, and what reads their rows (in order, or the error of the call
    /// that ran them) into how it ended, its answer and its tail rows.
    Write(Vec<Statement>, Settle<DB>),
}
type Settle<DB> = Box<
    dyn FnOnce(Result<Vec<<DB as Database>::Row>, &StoreError>) -> (Ended, Deliver, Tail) + Send,
>;

/// Runs the statements of several planned writes (`Planned`) in as few calls as the engine
/// allows (on SQLite, one per run of writes with the same statement texts); the rows each
/// write's statements returned, in order (the engine's SQL, given at start-up).
pub(crate) type RunStatements<DB> = Arc<
    dyn for<'c> Fn(
            &'c mut <DB as Database>::Connection,
            Vec<Vec<Statement>>,
        ) -> BoxFuture<'c, Result<Vec<Vec<<DB as Database>::Row>>, StoreError>>
        + Send
        + Sync,
>;

/// Runs writes of one script (`Scripted`) after the `Lead`, in as few calls as the engine
/// allows, then COMMIT when told to; the rows each write's statements returned, in order
/// (the engine's SQL, given at start-up).
pub(crate) type RunScripts<DB> = Arc<
    dyn for<'c> Fn(
            &'c mut <DB as Database>::Connection,
            Lead,
            Script,
            Vec<Vec<Bind<'static>>>,
            Commit,
        ) -> BoxFuture<'c, Result<Vec<Vec<<DB as Database>::Row>>, StoreError>>
        + Send
        + Sync,
>;
/// Whether a call of scripts ends its batch with COMMIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Commit {
    No,
    Yes,
}

/// A write's own statements, given the savepoint statements it owes.
type Run<C> =
    Box<dyn for<'c> FnOnce(&'c mut C, Lead) -> BoxFuture<'c, (Ended, Deliver, Tail)> + Send>;
/// Ends a batch (the engine's SQL, given at start-up): settles the last savepoint (the
/// `Lead`'s statements), inserts the tail rows and commits, in as few calls as the engine
/// allows (one on SQLite).
pub(crate) type End<C> = Arc<
    dyn for<'c> Fn(&'c mut C, Lead, Tail) -> BoxFuture<'c, Result<(), StoreError>> + Send + Sync,
>;

/// What a write hears when another write's failure rolled its batch back.
const ROLLED_BACK: &str = "the batch was rolled back: another write in it failed";

/// Most writes one transaction carries.
const MAX_BATCH: usize = 512;
/// Most writes of one script sent in one call.
const MAX_SCRIPTS: usize = 32;

/// Which writer runs a write, and where in its batch. On PostgreSQL a batch holds the row
/// locks its writes take until it commits, and several batches run at once (a process's
/// writers, and other replicas'). Two batches that locked the same two cases in opposite
/// orders deadlocked: PostgreSQL broke the tie after a second by failing one write, and with
/// it its whole batch (measured: 65 to 110 failed messages in 8 seconds at 64 in flight).
/// So:
/// - writes on the same record (a case, an account's monthly count) go through the same
///   writer of a process, and never wait for a lock its other writers hold;
/// - every batch runs its keyed writes in the order of their keys, so batches of different
///   processes take their locks in one order and cannot wait for each other in a cycle.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Route<'a> {
    /// The writer of this key (`case:<id>`, `account:<id>`: an audit entry's target).
    Key(&'a str),
    /// Any writer, in turn: a write that locks no row another write may lock first (a new
    /// case under an uncapped plan), or that names no one record (a worker's sweep over
    /// many cases, which can still lose a deadlock and is run again on the next sweep).
    Any,
}

/// The key of the writes on case `case_id`: the audit log's name for the case, so that a
/// write led by its audit entry (`write_audited`) goes where the case's other writes go.
pub(crate) fn case_key(case_id: &str) -> String {
    tierdesk_core::audit::case_target(case_id)
}

/// The key of the writes on account `id`'s own rows (its monthly counts).
pub(crate) fn account_key(id: &str) -> String {
    format!("account:{id}")
}

impl Route<'_> {
    fn key(self) -> Option<Box<str>> {
        match self {
            Route::Key(key) => Some(key.into()),
            Route::Any => None,
        }
    }
}

pub(crate) struct Writer<DB: Database> {
    /// One queue per writer (`Route`).
    queues: Arc<[mpsc::Sender<Job<DB>>]>,
    /// The next writer an `Any` write goes to.
    turn: Arc<std::sync::atomic::AtomicUsize>,
    counters: Arc<Counters>,
}

impl<DB: Database> Clone for Writer<DB> {
    fn clone(&self) -> Self {
        Self {
            queues: self.queues.clone(),
            turn: self.turn.clone(),
            counters: self.counters.clone(),
        }
    }
}

impl<DB> Writer<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Starts `writers` tasks that take connections from `pool` and run their batches as
    /// `engine` says; a write is answered once its batch is durable as `durability` says.
    pub(crate) fn spawn(
        pool: Pool<DB>,
        writers: u32,
        durability: Durability,
        engine: Engine<DB>,
    ) -> Self {
        let counters = Arc::new(Counters::new());
        let acks = Acks::start(durability, counters.clone());
        let queues: Vec<_> = (0..writers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel::<Job<DB>>(MAX_BATCH * 8);
                tokio::spawn(run(
                    pool.clone(),
                    rx,
                    acks.clone(),
                    engine.clone(),
                    counters.clone(),
                ));
                tx
            })
            .collect();
        Self {
            queues: queues.into(),
            turn: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            counters,
        }
    }

    /// Queues `job` for the writer `route` names.
    async fn send(&self, route: Route<'_>, job: Job<DB>) -> Result<(), StoreError> {
        let n = self.queues.len();
        let i = match route {
            Route::Key(key) => {
                use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
                // Fixed keys: the same key picks the same writer for the process's life.
                BuildHasherDefault::<DefaultHasher>::default().hash_one(key) as usize % n
            }
            Route::Any => self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % n,
        };
        self.queues[i]
            .send(job)
            .await
            .map_err(|_| StoreError::WriterStopped)
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            batch_size: self.counters.batch.snapshot(),
            commit_seconds: self.counters.commit.snapshot(),
            flush_seconds: self.counters.flush.snapshot(),
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
        self.write_led(Route::Any, None, move |c, lead| {
            Box::pin(async move {
                run_lead::<DB>(c, lead).await?;
                f(c).await.map(|t| (t, Vec::new()))
            })
        })
        .await
    }

    /// `write`, recording `entry` in the same transaction when `f` succeeds; it goes
    /// through the writer of the entry's target.
    pub(crate) async fn write_audited<T, F>(&self, entry: AuditEntry, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let target = entry.target.clone();
        self.write_led(Route::Key(&target), Some(entry), move |c, lead| {
            Box::pin(async move {
                run_lead::<DB>(c, lead).await?;
                f(c).await.map(|t| (t, Vec::new()))
            })
        })
        .await
    }

    /// A write that is `script` with `values`; `finish` reads its rows into its result (on
    /// PostgreSQL, with its group form, the rows that name it: `Script::rows`). The script
    /// writes everything the write owes, its audit row and search
    /// documents too (it has no tail), so that a batch whose last writes are scripts
    /// commits in the call that runs them. It runs without a savepoint, so its refusals
    /// (those `clean` accepts) must write nothing; any other failure rolls its batch back.
    /// Should `finish` fail after its batch committed in that same call, the write answers
    /// with the error and its changes stand (its rows were not what it expected: a bug).
    pub(crate) async fn write_script<T, F>(
        &self,
        route: Route<'_>,
        (script, values): (Script, Vec<Bind<'static>>),
        clean: fn(&StoreError) -> bool,
        finish: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Vec<DB::Row>) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, StoreError>>();
        let finish = Box::new(move |rows: Result<Vec<DB::Row>, &StoreError>| {
            let (ended, result) = match rows.map(finish) {
                Ok(Ok(t)) => (Ended::Done, Ok(t)),
                Ok(Err(e)) if clean(&e) => (Ended::Failed, Err(e)),
                Ok(Err(e)) => (Ended::Poisoned, Err(e)),
                Err(e) => (Ended::Poisoned, Err(StoreError::Commit(e.to_string()))),
            };
            (ended, answer(tx, result))
        });
        self.send(
            route,
            Job::Script(Scripted {
                key: route.key(),
                script,
                values,
                finish,
            }),
        )
        .await?;
        rx.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// A write in two steps (`Planned`) on the record `key` names (`Route::Key`): the read
    /// `read` with `values`, whose rows `plan` turns into the write's statements and what
    /// `finish` needs to read their rows into its result and the search documents to
    /// index. It records `entry` (when given) when it succeeds. It runs without a
    /// savepoint: `plan` refuses (with an error `clean` accepts) before anything is
    /// written; any other failure rolls its batch back.
    pub(crate) async fn write_planned<T, S, P, F>(
        &self,
        key: &str,
        entry: Option<AuditEntry>,
        (read, values): (Script, Vec<Bind<'static>>),
        clean: fn(&StoreError) -> bool,
        plan: P,
        finish: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        S: Send + 'static,
        P: FnOnce(Vec<DB::Row>) -> Result<(Vec<Statement>, S), StoreError> + Send + 'static,
        F: FnOnce(S, Vec<DB::Row>) -> Result<(T, Vec<TextDoc>), StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, StoreError>>();
        let plan: Plan<DB> = Box::new(move |rows| {
            let planned = rows
                .map_err(|e| StoreError::Commit(e.to_string()))
                .and_then(plan);
            let (statements, state) = match planned {
                Ok(p) => p,
                Err(e) => {
                    let ended = if clean(&e) {
                        Ended::Failed
                    } else {
                        Ended::Poisoned
                    };
                    return Step::Ended(ended, answer(tx, Err(e)));
                }
            };
            Step::Write(
                statements,
                Box::new(move |rows| {
                    let finished = rows
                        .map_err(|e| StoreError::Commit(e.to_string()))
                        .and_then(|rows| finish(state, rows));
                    match finished {
                        Ok((t, docs)) => (
                            Ended::Done,
                            answer(tx, Ok(t)),
                            Tail {
                                entries: entry.into_iter().collect(),
                                docs,
                            },
                        ),
                        Err(e) => (Ended::Poisoned, answer(tx, Err(e)), Tail::default()),
                    }
                }),
            )
        });
        let job = Job::Planned(Planned {
            key: key.into(),
            read,
            values,
            plan,
        });
        self.send(Route::Key(key), job).await?;
        rx.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// A write that sends the writer's savepoint statements itself, in its first call
    /// (`Lead::sql`): a write of one call is one round trip. It records `entry` (when given)
    /// and indexes the search documents it returns in the same transaction when it
    /// succeeds. It runs in a savepoint, unless it is alone in its batch.
    pub(crate) async fn write_led<T, F>(
        &self,
        route: Route<'_>,
        entry: Option<AuditEntry>,
        f: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut DB::Connection,
                Lead,
            ) -> BoxFuture<'c, Result<(T, Vec<TextDoc>), StoreError>>
            + Send
            + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T, StoreError>>();
        let run: Run<DB::Connection> = Box::new(move |conn, lead| {
            Box::pin(async move {
                let (result, tail) = match f(conn, lead).await {
                    Ok((t, docs)) => (
                        Ok(t),
                        Tail {
                            entries: entry.into_iter().collect(),
                            docs,
                        },
                    ),
                    Err(e) => (Err(e), Tail::default()),
                };
                let ended = match &result {
                    Ok(_) => Ended::Done,
                    Err(_) => Ended::Failed,
                };
                (ended, answer(tx, result), tail)
            })
        });
        let key = route.key();
        self.send(route, Job::Run { key, run }).await?;
        rx.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// The engine's SQL for a writer, given at start-up: how it opens a batch (`begin`:
/// `BEGIN IMMEDIATE` on SQLite takes the write lock up front), ends one (`end`), and runs
/// the writes it sends in groups (`scripts`, `statements`).
pub(crate) struct Engine<DB: Database> {
    pub begin: &'static str,
    pub end: End<DB::Connection>,
    pub scripts: RunScripts<DB>,
    pub statements: RunStatements<DB>,
}

impl<DB: Database> Clone for Engine<DB> {
    fn clone(&self) -> Self {
        Self {
            begin: self.begin,
            end: self.end.clone(),
            scripts: self.scripts.clone(),
            statements: self.statements.clone(),
        }
    }
}

/// What answers a write once its batch ended: `result`, unless the commit failed.
fn answer<T: Send + 'static>(
    tx: oneshot::Sender<Result<T, StoreError>>,
    result: Result<T, StoreError>,
) -> Deliver {
    Box::new(move |commit_error| {
        let _ = tx.send(match commit_error {
            Some(e) => Err(StoreError::Commit(e.to_string())),
            None => result,
        });
    })
}

async fn run<DB>(
    pool: Pool<DB>,
    mut queue: mpsc::Receiver<Job<DB>>,
    acks: Acks,
    Engine {
        begin,
        end,
        scripts,
        statements,
    }: Engine<DB>,
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
    // The writer keeps its connection from batch to batch: taking one from the pool and
    // giving it back costs two pings (two more hand-offs to SQLite's connection thread, two
    // round trips to PostgreSQL), and the next batch waits for them. A connection that failed
    // to begin or to end a batch is given back, and the next batch takes a fresh one.
    let mut held: Option<sqlx::pool::PoolConnection<DB>> = None;
    // Whether the write running now read the statements it owed (`Lead::sql`).
    let sent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Writes a rolled-back batch had not run yet: they start the next batch.
    let mut unrun: std::collections::VecDeque<Job<DB>> = std::collections::VecDeque::new();
    loop {
        let mut batch: Vec<Job<DB>> = unrun.drain(..).collect();
        if batch.is_empty() {
            match queue.recv().await {
                Some(job) => batch.push(job),
                None => return,
            }
        }
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Writes that lock nothing another may lock first, in the order they came (which
        // keeps a run of openings together: `Job::Script`), then keyed writes by key.
        batch.sort_by(|a, b| a.key().cmp(&b.key()));
        // Dropping a job unrun drops its reply channel: its caller sees WriterStopped.
        let held_conn = match held.take() {
            Some(c) => c,
            None => match taken(&pool, &acks).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "writer could not get a connection");
                    continue;
                }
            },
        };
        let conn: &mut DB::Connection = held.insert(held_conn);
        counters.batch.observe(batch.len() as f64);
        // The batch's first write sends the BEGIN (`Lead`).
        let mut begun = false;
        // A write alone in its transaction needs no savepoint: its failure rolls back
        // the transaction.
        let single = batch.len() == 1;
        let mut delivers = Vec::with_capacity(batch.len());
        let mut tail = Tail::default();
        // The savepoint open now, and whether the write it guards failed.
        let mut open: Option<bool> = None;
        let mut poisoned = false;
        // Whether the last call committed the batch (`Commit`).
        let mut committed = false;
        let mut jobs: std::collections::VecDeque<Job<DB>> = batch.into();
        while let Some(job) = jobs.pop_front() {
            let guarded = !single && matches!(job, Job::Run { .. });
            sent.store(false, std::sync::atomic::Ordering::Relaxed);
            let lead = Lead {
                begin: (!std::mem::replace(&mut begun, true)).then_some(begin),
                savepoints: match (open, guarded) {
                    (None, false) => "",
                    (None, true) => "SAVEPOINT w",
                    (Some(false), false) => "RELEASE SAVEPOINT w",
                    (Some(true), false) => "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w",
                    (Some(false), true) => "RELEASE SAVEPOINT w; SAVEPOINT w",
                    (Some(true), true) => {
                        "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w; SAVEPOINT w"
                    }
                },
                sent: Some(sent.clone()),
            };
            let owed = !lead.is_empty();
            let ended: Vec<(Ended, Deliver, Tail)> = match job {
                Job::Run { run, .. } => vec![run(&mut *conn, lead).await],
                Job::Script(first) => {
                    // This write and the writes of the same script queued after it.
                    let same = 1 + jobs
                        .iter()
                        .take_while(|j| matches!(j, Job::Script(w) if w.script == first.script))
                        .count();
                    let take = group_size(same, first.script);
                    let mut group = vec![first];
                    while group.len() < take {
                        let Some(Job::Script(next)) = jobs.pop_front() else {
                            break;
                        };
                        group.push(next);
                    }
                    let script = group[0].script;
                    let (values, finishes): (Vec<_>, Vec<_>) =
                        group.into_iter().map(|w| (w.values, w.finish)).unzip();
                    // The batch's last call commits it, when no write before left rows for
                    // its tail: scripts leave none.
                    let commit = if jobs.is_empty() && tail.is_empty() {
                        Commit::Yes
                    } else {
                        Commit::No
                    };
                    let started = std::time::Instant::now();
                    let ran = scripts(&mut *conn, lead, script, values, commit).await;
                    if commit == Commit::Yes && ran.is_ok() {
                        committed = true;
                        counters.commit.observe(started.elapsed().as_secs_f64());
                    }
                    let ended: Vec<(Ended, Deliver)> = match ran {
                        Ok(rows) if rows.len() == finishes.len() => finishes
                            .into_iter()
                            .zip(rows)
                            .map(|(finish, rows)| finish(Ok(rows)))
                            .collect(),
                        Ok(_) => {
                            let e = StoreError::Corrupt(
                                "a script's rows do not match its writes".into(),
                            );
                            finishes.into_iter().map(|finish| finish(Err(&e))).collect()
                        }
                        Err(e) => finishes.into_iter().map(|finish| finish(Err(&e))).collect(),
                    };
                    ended
                        .into_iter()
                        .map(|(e, deliver)| (e, deliver, Tail::default()))
                        .collect()
                }
                Job::Planned(first) => {
                    // This write and, of the planned writes of the same read queued right
                    // after it, the first on each other key: a write must read what the
                    // write before it on its record wrote, so a key's later writes wait for
                    // a later group. (They lock nothing new: on PostgreSQL this batch holds
                    // their rows already, taken in key order.)
                    let queued = jobs
                        .iter()
                        .take_while(|j| matches!(j, Job::Planned(w) if w.read == first.read))
                        .count();
                    let mut picked = Vec::new();
                    let mut last: &str = &first.key;
                    for (i, j) in jobs.iter().take(queued).enumerate() {
                        // Keyed writes come sorted: a key's writes are next to each other.
                        if let Job::Planned(w) = j
                            && *w.key != *last
                        {
                            picked.push(i);
                            last = &w.key;
                        }
                    }
                    picked.truncate(group_size(1 + picked.len(), first.read) - 1);
                    let mut group = vec![first];
                    // From the back, so that the indices still to take stay valid.
                    let mut taken: Vec<Planned<DB>> = picked
                        .iter()
                        .rev()
                        .filter_map(|&i| match jobs.remove(i) {
                            Some(Job::Planned(w)) => Some(w),
                            _ => None,
                        })
                        .collect();
                    taken.reverse();
                    group.extend(taken);
                    run_planned(&mut *conn, lead, group, &scripts, &statements).await
                }
            };
            open = guarded.then(|| ended.iter().any(|(e, ..)| *e != Ended::Done));
            if owed && !sent.load(std::sync::atomic::Ordering::Relaxed) {
                tracing::error!(
                    "a write did not send the statements it owed; rolling its batch back"
                );
                poisoned = true;
            }
            for (e, deliver, rows) in ended {
                delivers.push(deliver);
                // A write alone fails its transaction whichever way it failed (once the
                // batch committed, there is nothing left to undo).
                if !committed && (e == Ended::Poisoned || (single && e != Ended::Done)) {
                    poisoned = true;
                }
                tail.entries.extend(rows.entries);
                tail.docs.extend(rows.docs);
            }
            if poisoned {
                break;
            }
        }
        if poisoned {
            // The writes not yet run run in the next batch.
            unrun = jobs;
            if !single {
                tracing::error!(
                    "a write failed after writing, outside a savepoint; rolling its batch back"
                );
                failed();
            }
            if sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.is_err() {
                held = None;
            }
            // A lone failed write answers with its own error.
            delivers
                .into_iter()
                .for_each(|d| d(if single { None } else { Some(ROLLED_BACK) }));
            continue;
        }
        if committed {
            // A failed write keeps its own error, which `deliver(None)` passes on.
            acks.committed(delivers);
            continue;
        }
        // The last savepoint is settled (a failed write undone), the tail rows of the writes
        // that stand go in, and the batch commits.
        let settle = Lead {
            begin: None,
            savepoints: match open {
                None => "",
                Some(false) => "RELEASE SAVEPOINT w",
                Some(true) => "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w",
            },
            sent: None,
        };
        let ending = std::time::Instant::now();
        let ended = end(&mut *conn, settle, tail).await;
        counters.commit.observe(ending.elapsed().as_secs_f64());
        match ended {
            // A failed write keeps its own error, which `deliver(None)` passes on.
            Ok(()) => acks.committed(delivers),
            Err(e) => {
                tracing::error!(error = %e, "a batch's end (its audit entries, search documents or COMMIT) failed; rolling it back");
                failed();
                if sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.is_err() {
                    held = None;
                }
                let msg = e.to_string();
                delivers.into_iter().for_each(|d| d(Some(&msg)));
            }
        }
    }
}

/// A connection from `pool` for a writer, set to leave its commits' flush to the syncer
/// when `acks` has one (`Acks::relax`).
async fn taken<DB>(
    pool: &Pool<DB>,
    acks: &Acks,
) -> Result<sqlx::pool::PoolConnection<DB>, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let mut conn = pool.acquire().await?;
    if let Some(relax) = acks.relax() {
        sqlx::raw_sql(relax).execute(&mut *conn).await?;
    }
    Ok(conn)
}

/// How many of `n` writes of `script` that could go together make a group, at most
/// `MAX_SCRIPTS`: all of them when the script has a group form, which takes any count in
/// one statement; otherwise the largest power of two that fits, because the engine
/// prepares a group's text once for each count, and few counts keep the texts few.
fn group_size(n: usize, script: Script) -> usize {
    match script.rows {
        Some(_) => n.clamp(1, MAX_SCRIPTS),
        None => 1 << n.clamp(1, MAX_SCRIPTS).ilog2(),
    }
}

/// Runs a group of planned writes (`Planned`) of one read after `lead`: one call reads for
/// all of them, their plans run, and one call sends the statements of those that write.
/// How each ended, its answer and tail rows.
async fn run_planned<DB: Database>(
    conn: &mut DB::Connection,
    lead: Lead,
    group: Vec<Planned<DB>>,
    scripts: &RunScripts<DB>,
    statements: &RunStatements<DB>,
) -> Vec<(Ended, Deliver, Tail)> {
    let read = group[0].read;
    let (values, plans): (Vec<_>, Vec<_>) = group.into_iter().map(|w| (w.values, w.plan)).unzip();
    let count = plans.len();
    let steps: Vec<Step<DB>> = match scripts(&mut *conn, lead, read, values, Commit::No).await {
        Ok(rows) if rows.len() == count => plans
            .into_iter()
            .zip(rows)
            .map(|(plan, rows)| plan(Ok(rows)))
            .collect(),
        Ok(_) => {
            let e = StoreError::Corrupt("a read's rows do not match its writes".into());
            plans.into_iter().map(|plan| plan(Err(&e))).collect()
        }
        Err(e) => plans.into_iter().map(|plan| plan(Err(&e))).collect(),
    };
    // A write whose read or plan failed unexpectedly rolls the batch back: the others'
    // statements would be undone anyway (and on PostgreSQL, the failed read aborted the
    // transaction), so they are not sent.
    let doomed = steps
        .iter()
        .any(|s| matches!(s, Step::Ended(Ended::Poisoned, _)));
    let mut ended = Vec::with_capacity(count);
    let mut lists = Vec::with_capacity(count);
    let mut settles = Vec::with_capacity(count);
    for step in steps {
        match step {
            Step::Ended(e, deliver) => ended.push((e, deliver, Tail::default())),
            Step::Write(list, settle) => {
                lists.push(list);
                settles.push(settle);
            }
        }
    }
    if settles.is_empty() {
        return ended;
    }
    let ran = if doomed {
        Err(StoreError::Commit(ROLLED_BACK.into()))
    } else {
        statements(&mut *conn, lists).await
    };
    match ran {
        Ok(rows) if rows.len() == settles.len() => ended.extend(
            settles
                .into_iter()
                .zip(rows)
                .map(|(settle, rows)| settle(Ok(rows))),
        ),
        Ok(_) => {
            let e = StoreError::Corrupt("a group's rows do not match its writes".into());
            ended.extend(settles.into_iter().map(|settle| settle(Err(&e))));
        }
        Err(e) => ended.extend(settles.into_iter().map(|settle| settle(Err(&e)))),
    }
    ended
}

/// Sends the writer's savepoint statements on their own, for a write that does not.
pub(crate) async fn run_lead<DB>(c: &mut DB::Connection, lead: Lead) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let sql = lead.sql();
    if !sql.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.into_owned()))
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePoolOptions};

    /// Calls a test writer made to its engine: reads (`RunScripts`) and statements
    /// (`RunStatements`).
    #[derive(Default)]
    struct Calls {
        reads: std::sync::atomic::AtomicUsize,
        statements: std::sync::atomic::AtomicUsize,
    }

    /// A query with `values` bound (the tests bind integers only).
    fn bound_ints<'q>(
        mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
        values: Vec<Bind<'static>>,
    ) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
        for v in values {
            if let Bind::I(i) = v {
                q = q.bind(i);
            }
        }
        q
    }

    /// A writer on a fresh SQLite database with a table `t(v)`, and a pool with a second
    /// connection to read it (the writer keeps one); the writer ends a batch by committing,
    /// and its engine runs each read and statement on its own, counting its calls.
    async fn writer(name: &str) -> (Writer<Sqlite>, sqlx::SqlitePool, Arc<Calls>) {
        let path =
            std::env::temp_dir().join(format!("tierdesk-writer-{name}-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::raw_sql("CREATE TABLE t (v INTEGER NOT NULL)")
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let end: End<SqliteConnection> = Arc::new(|c, settle, _tail| {
            Box::pin(async move {
                run_lead::<Sqlite>(c, settle).await?;
                sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
                Ok(())
            })
        });
        let calls = Arc::new(Calls::default());
        let counted = calls.clone();
        let scripts: RunScripts<Sqlite> = Arc::new(move |c, lead, script, writes, commit| {
            counted
                .reads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Box::pin(async move {
                run_lead::<Sqlite>(c, lead).await?;
                let mut rows = Vec::new();
                for values in writes {
                    rows.push(
                        bound_ints(sqlx::query(script.sql), values)
                            .fetch_all(&mut *c)
                            .await?,
                    );
                }
                if commit == Commit::Yes {
                    sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
                }
                Ok(rows)
            })
        });
        let counted = calls.clone();
        let statements: RunStatements<Sqlite> = Arc::new(move |c, writes| {
            counted
                .statements
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Box::pin(async move {
                let mut rows = Vec::new();
                for list in writes {
                    let mut got = Vec::new();
                    for (sql, values) in list {
                        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
                        got.extend(bound_ints(q, values).fetch_all(&mut *c).await?);
                    }
                    rows.push(got);
                }
                Ok(rows)
            })
        });
        (
            Writer::spawn(
                pool.clone(),
                1,
                Durability::AtCommit,
                Engine {
                    begin: "BEGIN",
                    end,
                    scripts,
                    statements,
                },
            ),
            pool,
            calls,
        )
    }

    /// A planned write on `key` that reads how many rows `t` holds and makes of that count
    /// the statements `plan` gives (or its refusal: `NotFound` is clean).
    fn planned(
        w: &Writer<Sqlite>,
        key: &'static str,
        plan: impl FnOnce(i64) -> Result<Vec<Statement>, StoreError> + Send + 'static,
    ) -> BoxFuture<'static, Result<(), StoreError>> {
        use sqlx::Row;
        let w = w.clone();
        Box::pin(async move {
            w.write_planned(
                key,
                None,
                (Script::one("SELECT COUNT(*) AS n FROM t"), Vec::new()),
                |e| matches!(e, StoreError::NotFound),
                move |rows| {
                    let n: i64 = rows.first().map_or(Ok(0), |r| r.try_get("n"))?;
                    Ok((plan(n)?, ()))
                },
                |(), _| Ok(((), Vec::new())),
            )
            .await
        })
    }

    /// The statement inserting `v` into `t`.
    fn insert_statement(v: i64) -> Statement {
        ("INSERT INTO t (v) VALUES ($1)".into(), vec![Bind::I(v)])
    }

    /// A write on `key` inserting `v`, in a savepoint.
    fn keyed(
        w: &Writer<Sqlite>,
        key: &'static str,
        v: i64,
    ) -> impl std::future::Future<Output = Result<(), StoreError>> {
        let w = w.clone();
        async move {
            w.write_led(Route::Key(key), None, move |c, lead| {
                Box::pin(async move {
                    run_lead::<Sqlite>(c, lead).await?;
                    insert(v)(c).await?;
                    Ok(((), Vec::new()))
                })
            })
            .await
        }
    }

    async fn stored(pool: &sqlx::SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT v FROM t ORDER BY rowid")
            .fetch_all(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn insert(
        v: i64,
    ) -> impl for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<(), StoreError>>
    {
        move |c| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (v) VALUES ($1)")
                    .bind(v)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        }
    }

    /// A write that holds the writer (inserting `v`, if any) until released.
    struct Holding {
        release: oneshot::Sender<()>,
        done: tokio::task::JoinHandle<Result<(), StoreError>>,
    }

    impl Holding {
        /// Lets the held write finish (after the writes queued meanwhile were queued);
        /// its result.
        async fn release(self) -> Result<(), StoreError> {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let _ = self.release.send(());
            self.done
                .await
                .unwrap_or_else(|e| Err(StoreError::Corrupt(e.to_string())))
        }
    }

    /// Starts a write that holds the writer, and waits until it runs: the writes queued
    /// next make one batch.
    async fn hold_writer(w: &Writer<Sqlite>, v: Option<i64>) -> Holding {
        let (release, held) = oneshot::channel::<()>();
        let (running, started) = oneshot::channel::<()>();
        let w = w.clone();
        let done = tokio::spawn(async move {
            w.write(move |c| {
                Box::pin(async move {
                    let _ = running.send(());
                    let _ = held.await;
                    match v {
                        Some(v) => insert(v)(c).await,
                        None => Ok(()),
                    }
                })
            })
            .await
        });
        let _ = started.await;
        Holding { release, done }
    }

    #[tokio::test]
    async fn writes_a_rolled_back_batch_had_not_run_run_in_the_next() {
        let (w, pool, _) = writer("carry").await;
        // The first write holds the writer while the others queue up behind it, so that
        // they make one batch: a planned write whose second statement fails after its
        // first wrote (without a savepoint, which rolls its batch back), then two more.
        let first = hold_writer(&w, Some(1)).await;
        let poisoned = planned(&w, "case:a", |_| {
            Ok(vec![
                insert_statement(2),
                ("INSERT INTO missing (v) VALUES (1)".into(), Vec::new()),
            ])
        });
        let after = [keyed(&w, "case:b", 3), keyed(&w, "case:c", 4)];
        let (first, poisoned, after) = tokio::join!(
            first.release(),
            poisoned,
            futures_util::future::join_all(after)
        );
        assert!(first.is_ok(), "{first:?}");
        assert!(poisoned.is_err());
        for r in after {
            assert!(r.is_ok(), "{r:?}");
        }
        assert_eq!(stored(&pool).await, vec![1, 3, 4]);
    }

    #[tokio::test]
    async fn planned_writes_on_other_keys_share_a_read_and_a_statements_call() {
        let (w, pool, calls) = writer("group").await;
        let first = hold_writer(&w, None).await;
        // Four planned writes make one group; the one that refuses writes nothing and
        // leaves the others standing.
        let queued = [
            planned(&w, "case:a", |_| Ok(vec![insert_statement(10)])),
            planned(&w, "case:b", |_| Err(StoreError::NotFound)),
            planned(&w, "case:c", |_| Ok(vec![insert_statement(30)])),
            planned(&w, "case:d", |_| Ok(vec![insert_statement(40)])),
        ];
        let (first, results) =
            tokio::join!(first.release(), futures_util::future::join_all(queued));
        assert!(first.is_ok(), "{first:?}");
        assert!(
            results[0].is_ok() && results[2].is_ok() && results[3].is_ok(),
            "{results:?}"
        );
        assert!(
            matches!(results[1], Err(StoreError::NotFound)),
            "{results:?}"
        );
        assert_eq!(stored(&pool).await, vec![10, 30, 40]);
        assert_eq!(calls.reads.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(
            calls.statements.load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }

    #[tokio::test]
    async fn a_planned_write_reads_what_the_write_before_it_on_its_key_wrote() {
        let (w, pool, calls) = writer("same-key").await;
        let first = hold_writer(&w, None).await;
        // The two on case:a insert the count they read: read together, both would insert
        // 0. The second waits for a later group; the write on case:b goes with the first.
        let queued = [
            planned(&w, "case:a", |n| Ok(vec![insert_statement(n)])),
            planned(&w, "case:a", |n| Ok(vec![insert_statement(n)])),
            planned(&w, "case:b", |_| Ok(vec![insert_statement(100)])),
        ];
        let (first, results) =
            tokio::join!(first.release(), futures_util::future::join_all(queued));
        assert!(first.is_ok(), "{first:?}");
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(stored(&pool).await, vec![0, 100, 2]);
        assert_eq!(calls.reads.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert_eq!(
            calls.statements.load(std::sync::atomic::Ordering::Relaxed),
            2
        );
    }

    #[tokio::test]
    async fn keyed_writes_run_in_the_order_of_their_keys() {
        let (w, pool, _) = writer("keys").await;
        let first = hold_writer(&w, None).await;
        let queued = [
            keyed(&w, "case:c", 3),
            keyed(&w, "case:a", 1),
            keyed(&w, "case:b", 2),
        ];
        let (first, results) =
            tokio::join!(first.release(), futures_util::future::join_all(queued));
        assert!(first.is_ok(), "{first:?}");
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(stored(&pool).await, vec![1, 2, 3]);
    }
}
