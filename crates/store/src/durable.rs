//! When a committed batch is on disk, and so when its writes may be answered.
//!
//! SQLite's writer commits without waiting for the disk, and a thread of its own, the
//! syncer, makes every commit made before it began durable, then answers those commits'
//! writes (`Durability::Flushed`). The writer starts its next batch meanwhile: waiting for
//! the flush (0.2 ms and more, several I/O waits on a VM) held each batch's committing call
//! and let nothing else write; without it that call took 1.2 ms instead of 2.5 at 16
//! openings in flight (BENCHMARKS.md, fourteenth session). Batches that commit during one
//! flush share the next.
//!
//! On SQLite (`engine.rs`, `connect::sqlite`) the writer's connection runs
//! `synchronous = NORMAL`, and the syncer `fdatasync`s the write-ahead log file. This is as
//! durable as `synchronous = FULL`: in WAL mode a commit is the WAL's frames up to its
//! commit frame, written (not synced) before COMMIT returns; the flush starts after that,
//! so it puts every byte of those frames, and the WAL's header when SQLite rewrote it, on
//! disk before the write is answered. A checkpoint syncs the WAL before copying it into the
//! database file and the database file after, under `NORMAL` as under `FULL`; SQLite
//! removes a WAL only after checkpointing all of it. The syncer opens the WAL by its path
//! for every flush, so it never syncs a file SQLite has since replaced. What others may
//! see earlier: a reader can read a commit before it is flushed, as it could before COMMIT
//! returned under `FULL`; a power loss in that window loses it, and its writer was never
//! told it succeeded.
//!
//! PostgreSQL keeps COMMIT's own flush (`Durability::AtCommit`): its server already
//! shares one flush among the commits of all the writers waiting, and a syncer that
//! committed a WAL record of its own after the writers' asynchronous commits measured no
//! faster (BENCHMARKS.md, fourteenth session).

use std::sync::Arc;

use crate::writer::{Counters, Deliver};

/// Makes every commit made before it began durable (the syncer's; it may block).
pub(crate) type Flush = Box<dyn FnMut() -> std::io::Result<()> + Send>;

/// How the writers' commits become durable (the engine's, found at start-up).
pub(crate) enum Durability {
    /// COMMIT returns once the batch is on disk.
    AtCommit,
    /// COMMIT returns at once on a connection that ran `relax` (each connection a writer
    /// takes does), and the syncer's `flush` makes the batch durable.
    Flushed { relax: &'static str, flush: Flush },
}

impl std::fmt::Debug for Durability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Durability::AtCommit => f.write_str("AtCommit"),
            Durability::Flushed { relax, .. } => write!(f, "Flushed({relax})"),
        }
    }
}

/// Answers the writes of a committed batch once it is durable.
#[derive(Clone)]
pub(crate) enum Acks {
    AtCommit,
    /// The syncer's queue, and what the writers run on their connections.
    Synced {
        queue: std::sync::mpsc::Sender<Vec<Deliver>>,
        relax: &'static str,
    },
}

/// What a committed write hears when its commit could not be flushed.
const NOT_FLUSHED: &str = "the commit could not be flushed to disk";

impl Acks {
    /// The acks for `durability`: for `Flushed`, starts the syncer thread, which ends
    /// when every writer holding these acks has ended, and times its flushes in `counters`.
    pub(crate) fn start(durability: Durability, counters: Arc<Counters>) -> Acks {
        match durability {
            Durability::AtCommit => Acks::AtCommit,
            Durability::Flushed { relax, mut flush } => Acks::syncing(
                relax,
                Box::new(move || {
                    let started = std::time::Instant::now();
                    let flushed = flush();
                    counters.flush.observe(started.elapsed().as_secs_f64());
                    flushed
                }),
            ),
        }
    }

    /// Acks that run `flush` (on a thread of their own) before answering.
    fn syncing(relax: &'static str, mut flush: Flush) -> Acks {
        let (queue, rx) = std::sync::mpsc::channel::<Vec<Deliver>>();
        let spawned = std::thread::Builder::new()
            .name("tierdesk-syncer".into())
            .spawn(move || {
                while let Ok(mut waiting) = rx.recv() {
                    // Batches committed while the last flush ran share this one.
                    while let Ok(more) = rx.try_recv() {
                        waiting.extend(more);
                    }
                    match flush() {
                        Ok(()) => waiting.into_iter().for_each(|d| d(None)),
                        Err(e) => {
                            tracing::error!(error = %e, "flushing the commits failed");
                            waiting.into_iter().for_each(|d| d(Some(NOT_FLUSHED)));
                        }
                    }
                }
            });
        // Without a syncer every write hears an error (the queue's receiver is gone), and
        // none is answered before it is durable.
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the syncer thread");
        }
        Acks::Synced { queue, relax }
    }

    /// Answers `delivers`, the writes of a batch that committed, once it is durable.
    pub(crate) fn committed(&self, delivers: Vec<Deliver>) {
        match self {
            Acks::AtCommit => delivers.into_iter().for_each(|d| d(None)),
            Acks::Synced { queue, .. } => {
                if let Err(unsent) = queue.send(delivers) {
                    unsent.0.into_iter().for_each(|d| d(Some(NOT_FLUSHED)));
                }
            }
        }
    }

    /// What a writer runs on a connection it takes before it commits there, if anything.
    pub(crate) fn relax(&self) -> Option<&'static str> {
        match self {
            Acks::AtCommit => None,
            Acks::Synced { relax, .. } => Some(relax),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A committed write's answer: `None`, or the error it heard.
    type Answer = Option<String>;

    /// A deliver that reports its answer on `tx`.
    fn reporting(tx: &mpsc::Sender<Answer>) -> Deliver {
        let tx = tx.clone();
        Box::new(move |e| {
            let _ = tx.send(e.map(str::to_owned));
        })
    }

    /// Acks whose flush waits for a message on the returned sender, counting flushes.
    fn held_flush(
        result: fn() -> std::io::Result<()>,
    ) -> (Acks, mpsc::Sender<()>, Arc<AtomicUsize>) {
        let (release, released) = mpsc::channel::<()>();
        let flushes = Arc::new(AtomicUsize::new(0));
        let counted = flushes.clone();
        let acks = Acks::syncing(
            "",
            Box::new(move || {
                let _ = released.recv();
                counted.fetch_add(1, Ordering::SeqCst);
                result()
            }),
        );
        (acks, release, flushes)
    }

    #[test]
    fn a_committed_write_is_answered_only_after_its_flush() {
        let (acks, release, _) = held_flush(|| Ok(()));
        let (tx, answers) = mpsc::channel();
        acks.committed(vec![reporting(&tx)]);
        assert!(
            answers.recv_timeout(Duration::from_millis(100)).is_err(),
            "answered before the flush"
        );
        let _ = release.send(());
        assert_eq!(answers.recv_timeout(Duration::from_secs(5)), Ok(None));
    }

    #[test]
    fn batches_committed_during_a_flush_share_the_next() {
        let (acks, release, flushes) = held_flush(|| Ok(()));
        let (tx, answers) = mpsc::channel();
        acks.committed(vec![reporting(&tx)]);
        // The syncer is now waiting in the first flush; two batches commit meanwhile.
        std::thread::sleep(Duration::from_millis(50));
        acks.committed(vec![reporting(&tx), reporting(&tx)]);
        acks.committed(vec![reporting(&tx)]);
        let _ = release.send(());
        assert_eq!(answers.recv_timeout(Duration::from_secs(5)), Ok(None));
        assert!(answers.recv_timeout(Duration::from_millis(100)).is_err());
        let _ = release.send(());
        for _ in 0..3 {
            assert_eq!(answers.recv_timeout(Duration::from_secs(5)), Ok(None));
        }
        assert_eq!(flushes.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_failed_flush_fails_the_writes_it_held() {
        let (acks, release, _) = held_flush(|| Err(std::io::Error::other("disk gone")));
        let (tx, answers) = mpsc::channel();
        acks.committed(vec![reporting(&tx), reporting(&tx)]);
        let _ = release.send(());
        for _ in 0..2 {
            assert_eq!(
                answers.recv_timeout(Duration::from_secs(5)),
                Ok(Some(NOT_FLUSHED.to_owned()))
            );
        }
    }

    #[test]
    fn acks_at_commit_answer_at_once() {
        let (tx, answers) = mpsc::channel();
        Acks::AtCommit.committed(vec![reporting(&tx)]);
        assert_eq!(answers.try_recv(), Ok(None));
        assert_eq!(Acks::AtCommit.relax(), None);
    }
}
