//! The SLA rollup: report figures per day a case was opened, plan, severity, account and
//! assignee, kept by `App::fold_rollups` so that a report over a year reads a few thousand
//! rows. Queries are in `queries/rollup.rs`; the tables and the triggers that mark a day
//! stale whenever one of its cases changes are in migration 0021.
//!
//! A day is *served* from the rollup when it is covered (before `covered_before`) and not
//! stale at the instant asked about; every other day is read from the cases themselves,
//! so a report is as true as one that read every case, whatever the worker has done yet.

use std::ops::Range;

use jiff::Timestamp;
use tierdesk_core::sla::tally::Tally;

use crate::{CaseSlice, Store, StoreError};

/// One day's figures (`tierdesk_core::time::day_of`) for one plan, severity, account and
/// assignee.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupRow {
    pub day: i64,
    pub plan_id: String,
    pub severity: String,
    pub account_id: String,
    pub assignee: Option<String>,
    pub tally: Tally,
}

/// What the rollup holds for a range of days: the rows of the days it serves, and the
/// days it does not, to be read from the cases.
#[derive(Debug, Clone, Default)]
pub struct Rollup {
    pub rows: Vec<RollupRow>,
    /// Runs of days not served, ascending.
    pub live: Vec<Range<i64>>,
}

/// Ascending days as runs of consecutive days.
pub(crate) fn runs_of(days: impl IntoIterator<Item = i64>) -> Vec<Range<i64>> {
    let mut out: Vec<Range<i64>> = Vec::new();
    for d in days {
        match out.last_mut() {
            Some(run) if run.end == d => run.end = d + 1,
            _ => out.push(d..d + 1),
        }
    }
    out
}

/// A stale day to fold, and the mark it was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleDay {
    pub day: i64,
    pub version: i64,
}

impl Store {
    /// The rollup of `cases` over the days `[from, to)`, as it holds at `now`.
    pub async fn rollup(
        &self,
        from: i64,
        to: i64,
        cases: &CaseSlice,
        now: Timestamp,
    ) -> Result<Rollup, StoreError> {
        dispatch!(self, b => b.rollup(from, to, cases, now).await)
    }

    /// Covers the days before `before` (no-op when they are): each of them with cases is
    /// marked stale, to be folded.
    pub async fn cover_rollup_days(&self, before: i64) -> Result<(), StoreError> {
        dispatch!(self, b => b.cover_rollup_days(before).await)
    }

    /// Up to `limit` stale days that may be folded at `now`, newest first.
    pub async fn stale_rollup_days(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<StaleDay>, StoreError> {
        dispatch!(self, b => b.stale_rollup_days(now, limit).await)
    }

    /// Replaces a day's rows with `rows`, folded from its cases after `stale` was read.
    /// The mark is cleared only if no change marked the day since (else the day stays stale
    /// and is folded again); `holds_until`: the rows hold only until then (a promise still
    /// running turns to missed at its deadline). Returns whether the mark was cleared.
    pub async fn write_rollup_day(
        &self,
        stale: StaleDay,
        rows: Vec<RollupRow>,
        holds_until: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.write_rollup_day(stale, rows, holds_until).await)
    }

    /// Marks every folded day stale: what the rollup holds was counted on calendars or
    /// holidays that have changed (business time), so every day is read from its cases
    /// until folded again. Importing holidays does this itself.
    pub async fn restale_rollup(&self) -> Result<(), StoreError> {
        dispatch!(self, b => b.restale_rollup().await)
    }
}

#[cfg(test)]
mod tests {
    use super::runs_of;

    #[test]
    fn runs_of_days() {
        assert!(runs_of([]).is_empty());
        assert_eq!(runs_of([3, 4, 5, 9, 11, 12]), vec![3..6, 9..10, 11..13]);
    }
}
