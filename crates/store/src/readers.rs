//! SQLite's read connections, handed out without sqlx's pool.
//!
//! sqlx's pool pings every connection it takes back, and a ping to a SQLite connection is
//! a hand-off to the connection's thread and back: every read cost two hand-offs, the
//! read's and the ping's, where one does (DescribeCases by id, 64 in flight: see
//! BENCHMARKS.md). Here a connection goes back to the idle list as its guard drops.
//!
//! The ping is how sqlx's pool notices a connection that broke, and a SQLite connection
//! has nothing on its other side to break it: it is an open file and sqlx's thread. A read
//! dropped halfway (its request went away) leaves nothing behind either: sqlx's thread
//! runs its connection's commands in turn, and a later read's waits behind what is left of
//! the dropped one's. PostgreSQL's connections can break, so PostgreSQL keeps sqlx's pool
//! (`Reads`).

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use futures_util::future::BoxFuture;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Opens a read connection.
type Open<C> = Box<dyn Fn() -> BoxFuture<'static, Result<C, sqlx::Error>> + Send + Sync>;

/// Up to a number of read connections, opened when first needed and kept.
pub(crate) struct Readers<C> {
    idle: Mutex<Vec<C>>,
    permits: Semaphore,
    open: Open<C>,
}

impl<C: Send> Readers<C> {
    /// At most `size` connections, each opened by `open`.
    pub(crate) fn new(size: u32, open: Open<C>) -> Self {
        let size = size.max(1) as usize;
        Self {
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Semaphore::new(size),
            open,
        }
    }

    /// A connection of its own for one read: an idle one, or a new one while there are
    /// fewer than the most; else it waits for one to come back.
    pub(crate) async fn get(&self) -> Result<Reader<'_, C>, sqlx::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => (self.open)().await?,
        };
        Ok(Reader {
            conn: Some(conn),
            readers: self,
            _permit: permit,
        })
    }
}

/// A read connection, back to its `Readers` when dropped.
pub(crate) struct Reader<'a, C> {
    /// Taken only by `drop`.
    conn: Option<C>,
    readers: &'a Readers<C>,
    _permit: SemaphorePermit<'a>,
}

impl<C> Deref for Reader<'_, C> {
    type Target = C;

    fn deref(&self) -> &C {
        let Some(conn) = &self.conn else {
            unreachable!("a reader's connection is taken only when it drops")
        };
        conn
    }
}

impl<C> DerefMut for Reader<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        let Some(conn) = &mut self.conn else {
            unreachable!("a reader's connection is taken only when it drops")
        };
        conn
    }
}

impl<C> Drop for Reader<'_, C> {
    fn drop(&mut self) {
        // Back before the permit: whoever the permit lets in finds it.
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock()) {
            idle.push(conn);
        }
    }
}

/// Where an engine's reads get their connections: `Readers` on SQLite, sqlx's pool on
/// PostgreSQL.
pub(crate) trait Reads<C>: Send + Sync {
    type Guard<'a>: DerefMut<Target = C> + Send
    where
        Self: 'a;

    fn reader(&self) -> impl Future<Output = Result<Self::Guard<'_>, sqlx::Error>> + Send;
}

impl<C: Send> Reads<C> for Readers<C> {
    type Guard<'a>
        = Reader<'a, C>
    where
        C: 'a;

    fn reader(&self) -> impl Future<Output = Result<Reader<'_, C>, sqlx::Error>> + Send {
        self.get()
    }
}

impl Reads<sqlx::PgConnection> for sqlx::PgPool {
    type Guard<'a>
        = sqlx::pool::PoolConnection<sqlx::Postgres>
    where
        Self: 'a;

    fn reader(
        &self,
    ) -> impl Future<Output = Result<sqlx::pool::PoolConnection<sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.acquire()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_is_opened_once_and_handed_out_again() {
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = opened.clone();
        let readers = Readers::<usize>::new(
            2,
            Box::new(move || {
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(async move { Ok(n) })
            }),
        );
        let a = readers.get().await.ok();
        let b = readers.get().await.ok();
        assert_eq!((a.as_deref(), b.as_deref()), (Some(&0), Some(&1)));
        // At the most: the third waits until one comes back, and gets that one.
        let third = readers.get();
        drop(b);
        assert_eq!(third.await.ok().as_deref(), Some(&1));
        assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
