//! Counters a process keeps about itself for its metrics: a histogram of observations in
//! fixed buckets, lock-free, and the snapshot a metrics page renders. Plain numbers: the
//! format they are shown in belongs to the server.

use std::sync::atomic::{AtomicU64, Ordering};

/// Observations counted into fixed buckets (each bucket counts the values up to its
/// bound; one more counts the rest), with their sum.
#[derive(Debug)]
pub struct Buckets {
    bounds: &'static [f64],
    /// One per bound, and one for the values above the last.
    counts: Vec<AtomicU64>,
    /// The sum in millionths, so that it adds up without a lock.
    sum_micro: AtomicU64,
}

/// A histogram as read at one instant: cumulative counts per bound, the count and sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// (bound, observations up to and including it), ascending.
    pub cumulative: Vec<(f64, u64)>,
    pub count: u64,
    pub sum: f64,
}

impl Buckets {
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micro: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: f64) {
        let i = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        if let Some(c) = self.counts.get(i) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let micro = (value.max(0.0) * 1e6).round();
        self.sum_micro.fetch_add(micro as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut running = 0;
        let mut cumulative = Vec::with_capacity(self.bounds.len());
        for (bound, c) in self.bounds.iter().zip(&self.counts) {
            running += c.load(Ordering::Relaxed);
            cumulative.push((*bound, running));
        }
        let above = self.counts.last().map_or(0, |c| c.load(Ordering::Relaxed));
        Snapshot {
            cumulative,
            count: running + above,
            sum: self.sum_micro.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_their_bucket_and_accumulate() {
        static BOUNDS: [f64; 3] = [1.0, 2.0, 5.0];
        let b = Buckets::new(&BOUNDS);
        for v in [0.5, 1.0, 1.5, 4.0, 9.0] {
            b.observe(v);
        }
        let s = b.snapshot();
        assert_eq!(s.cumulative, vec![(1.0, 2), (2.0, 3), (5.0, 4)]);
        assert_eq!(s.count, 5);
        assert!((s.sum - 16.0).abs() < 1e-9);
    }
}
