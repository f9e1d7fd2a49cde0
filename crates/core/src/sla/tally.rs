//! What SLA reports count: each case's first-response verdict and its times, and when it
//! was resolved, summed per group. A [`Tally`] adds cases and merges with other tallies,
//! so a report over a year sums daily tallies (the store keeps them, see
//! `tierdesk_store::RollupRow`) instead of reading every case again. Times are whole
//! minutes, rounded up, as every view shows them: percentiles of a merged tally are exact
//! at that precision.

use crate::sla::clock::Verdict;

/// What one case counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// The first-response promise's verdict; `None`: the plan made none, and the case
    /// counts only for the backlog (`opened`, `resolved_on`).
    pub verdict: Option<Verdict>,
    /// From opening to support's first answer (minutes).
    pub answered: Option<u32>,
    /// The same, counted on the promise's own clock (business hours).
    pub business: Option<u32>,
    /// From opening to the last resolution, while resolved (minutes).
    pub resolved: Option<u32>,
    /// The UTC day (since 1970) of the last resolution, while resolved.
    pub resolved_on: Option<u32>,
}

/// Whole minutes in `seconds`, rounded up (a 10-second answer took "1 min").
pub fn minutes_of(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0).unsigned_abs().div_ceil(60)).unwrap_or(u32::MAX)
}

/// The cases of one group (a day's plan, severity, account and assignee, or a report's
/// line). Verdicts and times count the cases with a promise; `opened` and `resolved_on`
/// count every case, for the backlog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every case opened.
    pub opened: u64,
    /// Of which with a first-response promise.
    pub cases: u64,
    pub kept: u64,
    pub missed: u64,
    pub open: u64,
    pub answered: Histogram,
    pub business: Histogram,
    pub resolved: Histogram,
    /// Every resolved case's day of resolution (UTC days since 1970).
    pub resolved_on: Histogram,
}

impl Tally {
    pub fn add(&mut self, f: &Fact) {
        self.opened += 1;
        if let Some(day) = f.resolved_on {
            self.resolved_on.add(day, 1);
        }
        let Some(verdict) = f.verdict else {
            return;
        };
        self.cases += 1;
        match verdict {
            Verdict::Kept => self.kept += 1,
            Verdict::Missed => self.missed += 1,
            Verdict::Open => self.open += 1,
        }
        for (h, v) in [
            (&mut self.answered, f.answered),
            (&mut self.business, f.business),
            (&mut self.resolved, f.resolved),
        ] {
            if let Some(m) = v {
                h.add(m, 1);
            }
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.opened += other.opened;
        self.resolved_on.merge(&other.resolved_on);
        self.cases += other.cases;
        self.kept += other.kept;
        self.missed += other.missed;
        self.open += other.open;
        self.answered.merge(&other.answered);
        self.business.merge(&other.business);
        self.resolved.merge(&other.resolved);
    }

    /// See [`share`].
    pub fn share(&self) -> Option<f64> {
        share(self.kept, self.missed)
    }
}

/// The within-target share: kept / (kept + missed); `None` when nothing was decided.
pub fn share(kept: u64, missed: u64) -> Option<f64> {
    let decided = kept + missed;
    (decided > 0).then(|| kept as f64 / decided as f64)
}

/// How many of something had each value: durations in minutes, days of resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    /// (value, count); in no order until [`Histogram::percentiles`] or
    /// [`Histogram::encode`] sorts it.
    buckets: Vec<(u32, u64)>,
}

impl Histogram {
    pub fn add(&mut self, value: u32, count: u64) {
        if count > 0 {
            self.buckets.push((value, count));
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        self.buckets.extend_from_slice(&other.buckets);
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|(_, c)| c).sum()
    }

    /// How many values are below `value`.
    pub fn count_below(&self, value: u32) -> u64 {
        self.buckets
            .iter()
            .filter(|(v, _)| *v < value)
            .map(|(_, c)| c)
            .sum()
    }

    /// Sorted, with one bucket per value.
    fn normalise(&mut self) {
        self.buckets.sort_unstable_by_key(|(m, _)| *m);
        let mut out: Vec<(u32, u64)> = Vec::with_capacity(self.buckets.len());
        for &(m, c) in &self.buckets {
            match out.last_mut() {
                Some(last) if last.0 == m => last.1 += c,
                _ => out.push((m, c)),
            }
        }
        self.buckets = out;
    }

    /// The nearest-rank percentiles `ps` (each 1 to 100); `None` for an empty histogram.
    pub fn percentiles<const N: usize>(&mut self, ps: [u64; N]) -> [Option<u32>; N] {
        self.normalise();
        let n = self.count();
        ps.map(|p| {
            if n == 0 {
                return None;
            }
            let rank = (p * n).div_ceil(100).max(1);
            let mut seen = 0;
            self.buckets.iter().find_map(|&(m, c)| {
                seen += c;
                (seen >= rank).then_some(m)
            })
        })
    }

    /// `12,30*2,95`: values in order, `*n` for a value counted n times.
    pub fn encode(&mut self) -> String {
        self.normalise();
        let mut out = String::with_capacity(self.buckets.len() * 6);
        for (i, (m, c)) in self.buckets.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out += &m.to_string();
            if *c != 1 {
                out.push('*');
                out += &c.to_string();
            }
        }
        out
    }

    pub fn decode(s: &str) -> Result<Self, String> {
        let mut h = Histogram::default();
        for item in s.split(',').filter(|i| !i.is_empty()) {
            let (m, c) = item.split_once('*').unwrap_or((item, "1"));
            match (m.parse::<u32>(), c.parse::<u64>()) {
                (Ok(m), Ok(c)) => h.add(m, c),
                _ => return Err(format!("bad minutes histogram item '{item}'")),
            }
        }
        Ok(h)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fact(verdict: Verdict, answered: Option<u32>) -> Fact {
        Fact {
            verdict: Some(verdict),
            answered,
            business: answered,
            resolved: None,
            resolved_on: None,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank_over_merged_tallies() {
        let mut a = Tally::default();
        let mut b = Tally::default();
        for m in 1..=5 {
            a.add(&fact(Verdict::Kept, Some(m)));
        }
        for m in 6..=10 {
            b.add(&fact(Verdict::Missed, Some(m)));
        }
        b.add(&fact(Verdict::Open, None));
        // No promise: counted as opened (and resolved on day 9) only.
        b.add(&Fact {
            verdict: None,
            resolved_on: Some(9),
            ..fact(Verdict::Open, Some(1))
        });
        a.merge(&b);
        assert_eq!(
            (a.opened, a.cases, a.kept, a.missed, a.open),
            (12, 11, 5, 5, 1)
        );
        assert_eq!(
            (a.resolved_on.count_below(9), a.resolved_on.count_below(10)),
            (0, 1)
        );
        assert_eq!(a.share(), Some(0.5));
        assert_eq!(a.answered.percentiles([50, 90]), [Some(5), Some(9)]);
        assert_eq!(Histogram::default().percentiles([50]), [None]);
        let mut one = Histogram::default();
        one.add(7, 1);
        assert_eq!(one.percentiles([90]), [Some(7)]);
    }

    #[test]
    fn histograms_survive_their_text() {
        let mut h = Histogram::default();
        for m in [30, 12, 30, 95, 30] {
            h.add(m, 1);
        }
        let text = h.encode();
        assert_eq!(text, "12,30*3,95");
        assert_eq!(Histogram::decode(&text).unwrap().encode(), text);
        assert_eq!(Histogram::decode("").unwrap().count(), 0);
        assert!(Histogram::decode("3,x").is_err());
        assert!(Histogram::decode("3*").is_err());
    }

    #[test]
    fn minutes_round_up() {
        assert_eq!(minutes_of(0), 0);
        assert_eq!(minutes_of(1), 1);
        assert_eq!(minutes_of(60), 1);
        assert_eq!(minutes_of(61), 2);
        assert_eq!(minutes_of(-5), 0);
    }
}
