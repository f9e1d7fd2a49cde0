//! SLA reports: per plan and severity (or account, or engineer), how first responses to
//! the cases opened in a period kept their promise, in clock time and in business time
//! (the time the promise's own clock was running), and how long resolution took.
//!
//! Every figure comes from each case's verdict as its clock reads it
//! (`CaseClock::verdict`, the clock every view shows), summed in tallies
//! (`core::sla::tally`). Days the store's rollup serves are read as tallies; every other
//! day (today, yesterday, a day changed since its fold) is tallied from its cases here, by
//! the same code that folds the rollup (`tally_rows`), so a report is what reading every
//! case would give. Times are whole minutes, rounded up.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use tierdesk_core::sla::clock::CaseClock;
use tierdesk_core::sla::tally::{self, Fact, Tally, minutes_of};
use tierdesk_core::time::{day_of, day_start};
use tierdesk_store::{CaseSlice, ReportQuery, ReportRow, RollupRow, StaleDay};

use crate::error::{Field, Problem};
use tierdesk_core::records::Agent;

use crate::actor::Reach;
use crate::{App, ServiceError};

#[derive(Debug, Clone)]
pub struct ReportFilter {
    /// First day, inclusive (UTC).
    pub from: Date,
    /// Last day, inclusive (UTC).
    pub to: Date,
    /// The cases counted: by account, plan, severity, assignee.
    pub cases: CaseSlice,
    /// What each line counts.
    pub by: GroupBy,
}

impl ReportFilter {
    /// Every case opened from `from` to `to`, a line per plan and severity.
    pub fn period(from: Date, to: Date) -> Self {
        Self {
            from,
            to,
            cases: CaseSlice::default(),
            by: GroupBy::PlanSeverity,
        }
    }
}

/// What a report's lines are per: the drill-down a reader chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    PlanSeverity,
    Account,
    Assignee,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::PlanSeverity, GroupBy::Account, GroupBy::Assignee];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::PlanSeverity => "plan",
            GroupBy::Account => "account",
            GroupBy::Assignee => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    fn key(self, r: &RollupRow) -> Group {
        match self {
            GroupBy::PlanSeverity => Group::PlanSeverity {
                plan: r.plan_id.clone(),
                severity: r.severity.clone(),
            },
            GroupBy::Account => Group::Account(r.account_id.clone()),
            GroupBy::Assignee => Group::Assignee(r.assignee.clone()),
        }
    }
}

/// What one line counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    PlanSeverity {
        plan: String,
        severity: String,
    },
    Account(String),
    /// An agent id; `None`: the cases nobody is assigned.
    Assignee(Option<String>),
}

/// One group's figures (a plan and severity, an account or an assignee). Times are
/// seconds, in whole minutes (rounded up, as every view shows them).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub group: Group,
    /// Cases opened in the period with a first-response promise.
    pub cases: usize,
    /// Answered by support.
    pub answered: usize,
    /// Promises kept: answered by the deadline.
    pub within_target: usize,
    /// Promises missed: answered late, or the deadline passed while the customer waited
    /// (see `CaseClock::verdict`).
    pub breaches: usize,
    /// Not judged: unanswered and not due yet, or resolved unanswered before the deadline.
    pub undecided: usize,
    /// within_target / (within_target + breaches); `None` when nothing was decided.
    pub within_target_share: Option<f64>,
    pub median_clock_seconds: Option<i64>,
    pub p90_clock_seconds: Option<i64>,
    pub median_business_seconds: Option<i64>,
    pub p90_business_seconds: Option<i64>,
    /// Resolved (and not reopened since), and how long from opening to resolution.
    pub resolved: usize,
    pub median_resolution_seconds: Option<i64>,
    pub p90_resolution_seconds: Option<i64>,
}

impl ReportLine {
    /// The plan and severity of a plan-and-severity line (empty for other groupings).
    pub fn plan_severity(&self) -> (&str, &str) {
        match &self.group {
            Group::PlanSeverity { plan, severity } => (plan, severity),
            _ => ("", ""),
        }
    }
}

/// The longest period one report covers (a leap year).
pub const MAX_REPORT_DAYS: i64 = 366;

impl App {
    /// The report as `agent` may see it: staff limited to some accounts get one of theirs
    /// at a time (the report has no other account filter).
    pub async fn sla_report_for(
        &self,
        agent: &Agent,
        f: &ReportFilter,
    ) -> Result<Vec<ReportLine>, ServiceError> {
        match (self.reach(agent).await?, &f.cases.account) {
            (Reach::Every, _) => {}
            (reach, Some(account)) if reach.covers(account) => {}
            _ => {
                return Err(ServiceError::Forbidden(
                    "you work named accounts only: ask for one of them (account=...)".into(),
                ));
            }
        }
        self.sla_report(f).await
    }

    /// The report across every account (the operator's CLI, the console's dashboard).
    pub async fn sla_report(&self, f: &ReportFilter) -> Result<Vec<ReportLine>, ServiceError> {
        let rows = self.day_tallies(f).await?;
        let mut groups: BTreeMap<Group, Tally> = BTreeMap::new();
        for r in &rows {
            groups.entry(f.by.key(r)).or_default().merge(&r.tally);
        }
        // A line per group with a promise to judge; the rest count for the backlog only.
        Ok(groups
            .into_iter()
            .filter(|(_, t)| t.cases > 0)
            .map(|(g, mut t)| line_of(g, &mut t))
            .collect())
    }

    /// The tallies of the cases `f` counts, per day opened, plan, severity, account and
    /// assignee: the rollup's where it serves, the rest tallied from the cases.
    async fn day_tallies(&self, f: &ReportFilter) -> Result<Vec<RollupRow>, ServiceError> {
        if f.to < f.from {
            return Err(ServiceError::invalid(
                Field::BeforeTime,
                Problem::EndsBeforeStart {
                    start: f.from.to_string(),
                    end: f.to.to_string(),
                },
            ));
        }
        // A bounded period keeps one request from reading the whole history.
        let days = i64::from((f.to - f.from).get_days()) + 1;
        if days > MAX_REPORT_DAYS {
            return Err(ServiceError::invalid(
                Field::BeforeTime,
                Problem::PeriodTooLong {
                    max_days: MAX_REPORT_DAYS,
                    days,
                },
            ));
        }
        let end =
            f.to.tomorrow()
                .map_err(|_| out_of_range(Field::BeforeTime, f.to))?;
        let from = day_of(date_start(Field::AfterTime, f.from)?);
        let to = day_of(date_start(Field::BeforeTime, end)?);
        self.tallies_between(from, to, &f.cases).await
    }

    /// The tallies of `cases` opened on the days `[from, to)`: the rollup's where it
    /// serves, the rest tallied from the cases.
    async fn tallies_between(
        &self,
        from: i64,
        to: i64,
        cases: &CaseSlice,
    ) -> Result<Vec<RollupRow>, ServiceError> {
        let now = self.clock.now();
        let rollup = self.store.rollup(from, to, cases, now).await?;
        let mut out = rollup.rows;
        for days in rollup.live {
            out.extend(self.tally_days(days, cases, now).await?.0);
        }
        Ok(out)
    }

    /// The cases of `cases` opened on `days`, read and tallied (see `tally_rows`): what
    /// the rollup worker folds, and what a report reads of the days the rollup does not
    /// serve.
    async fn tally_days(
        &self,
        days: std::ops::Range<i64>,
        cases: &CaseSlice,
        now: Timestamp,
    ) -> Result<(Vec<RollupRow>, Option<Timestamp>), ServiceError> {
        let rows = self
            .store
            .report_rows(&ReportQuery {
                from: day_start(days.start),
                to: day_start(days.end),
                cases: cases.clone(),
            })
            .await?;
        self.tally_rows(&rows, now).await
    }

    /// The rows' cases tallied per day opened, plan, severity, account and assignee, as at
    /// `now`; and until when those tallies hold without a change to the cases (`None`: for
    /// good).
    async fn tally_rows(
        &self,
        rows: &[ReportRow],
        now: Timestamp,
    ) -> Result<(Vec<RollupRow>, Option<Timestamp>), ServiceError> {
        type Key<'a> = (i64, &'a str, &'a str, &'a str, Option<&'a str>);
        let mut tallies: BTreeMap<Key, Tally> = BTreeMap::new();
        let mut holds: Option<Timestamp> = None;
        for r in rows {
            let key = (
                day_of(r.created),
                r.plan_id.as_str(),
                r.severity.as_str(),
                r.account_id.as_str(),
                r.assignee.as_deref(),
            );
            tallies
                .entry(key)
                .or_default()
                .add(&self.fact(r, now).await?);
            if let Some(t) = CaseClock::verdict_holds_until(&r.clock, now) {
                holds = Some(holds.map_or(t, |h| h.min(t)));
            }
        }
        let rows = tallies
            .into_iter()
            .map(
                |((day, plan, severity, account, assignee), tally)| RollupRow {
                    day,
                    plan_id: plan.to_string(),
                    severity: severity.to_string(),
                    account_id: account.to_string(),
                    assignee: assignee.map(String::from),
                    tally,
                },
            )
            .collect();
        Ok((rows, holds))
    }

    /// What one case counts for at `now`.
    async fn fact(&self, r: &ReportRow, now: Timestamp) -> Result<Fact, ServiceError> {
        let since = |at: Timestamp| minutes_of(at.duration_since(r.created).as_secs());
        let verdict = CaseClock::verdict(&r.clock, r.last_stop, now);
        let business = match (&r.promise_clock, r.clock.responded) {
            (Some(clock), Some(at)) => Some(minutes_of(
                self.schedule(clock, &r.timezone, &r.country, &r.language)
                    .await?
                    .open_between(r.created, at),
            )),
            _ => None,
        };
        Ok(Fact {
            verdict,
            answered: r.clock.responded.map(since),
            business,
            resolved: r.resolved.map(since),
            resolved_on: r
                .resolved
                .map(|at| u32::try_from(day_of(at)).unwrap_or(u32::MAX)),
        })
    }
}

/// A group's line from its cases' tally.
fn line_of(group: Group, t: &mut Tally) -> ReportLine {
    let seconds = |m: Option<u32>| m.map(|m| i64::from(m) * 60);
    let [clock50, clock90] = t.answered.percentiles([50, 90]);
    let [business50, business90] = t.business.percentiles([50, 90]);
    let [resolved50, resolved90] = t.resolved.percentiles([50, 90]);
    let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    ReportLine {
        group,
        cases: n(t.cases),
        answered: n(t.answered.count()),
        within_target: n(t.kept),
        breaches: n(t.missed),
        undecided: n(t.open),
        within_target_share: t.share(),
        median_clock_seconds: seconds(clock50),
        p90_clock_seconds: seconds(clock90),
        median_business_seconds: seconds(business50),
        p90_business_seconds: seconds(business90),
        resolved: n(t.resolved.count()),
        median_resolution_seconds: seconds(resolved50),
        p90_resolution_seconds: seconds(resolved90),
    }
}

/// Only the last dates jiff knows have no instant or no next day.
fn out_of_range(field: Field, d: Date) -> ServiceError {
    ServiceError::invalid(field, Problem::Malformed(d.to_string()))
}

/// Midnight UTC of `d`.
fn date_start(field: Field, d: Date) -> Result<jiff::Timestamp, ServiceError> {
    d.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| out_of_range(field, d))
}

/// What the SLA dashboard asks: which cases, grouped how, over how many weeks.
#[derive(Debug, Clone, Default)]
pub struct DashboardQuery {
    pub cases: CaseSlice,
    pub by: GroupBy,
    /// Weeks shown, ending today (UTC); 1 to 52.
    pub weeks: usize,
}

/// Attainment, response and resolution times and backlog over time for the SLA
/// dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The first day of each week shown, oldest first.
    pub weeks: Vec<Date>,
    /// The whole period's figures, per group.
    pub lines: Vec<ReportLine>,
    /// Per group (in `lines`' order), the within-target share of each week (`None`:
    /// nothing decided that week).
    pub shares: Vec<Vec<Option<f64>>>,
    /// All the cases counted: each week's within-target share.
    pub overall: Vec<Option<f64>>,
    /// The cases counted that were open at the end of each week (the last: now).
    pub backlog: Vec<i64>,
    /// The newest breaches among the cases counted, with their cases.
    pub breaches: Vec<(
        tierdesk_core::records::Case,
        tierdesk_core::records::SlaEvent,
    )>,
}

/// The most weeks the dashboard shows.
pub const MAX_DASHBOARD_WEEKS: usize = 52;

impl App {
    /// The dashboard as `agent` may see it (see `narrowed`), and the query as answered.
    pub async fn sla_dashboard_for(
        &self,
        agent: &Agent,
        q: &DashboardQuery,
    ) -> Result<(Dashboard, DashboardQuery), ServiceError> {
        let q = self.narrowed(agent, q).await?;
        Ok((self.sla_dashboard(&q).await?, q))
    }

    /// The dashboard's lines as a report (with business times: an export may take longer
    /// than a page), as `agent` may see them, and the query as answered.
    pub async fn sla_export_for(
        &self,
        agent: &Agent,
        q: &DashboardQuery,
    ) -> Result<(Vec<ReportLine>, DashboardQuery), ServiceError> {
        let q = self.narrowed(agent, q).await?;
        let lines = self.sla_report(&self.period(&q)?).await?;
        Ok((lines, q))
    }

    /// `q` for `agent`: staff limited to named accounts see one of theirs at a time (the
    /// first, unless they choose another).
    async fn narrowed(
        &self,
        agent: &Agent,
        q: &DashboardQuery,
    ) -> Result<DashboardQuery, ServiceError> {
        let mut q = q.clone();
        if let Reach::Only(ids) = self.reach(agent).await? {
            match &q.cases.account {
                Some(a) if ids.contains(a) => {}
                None if !ids.is_empty() => q.cases.account = ids.first().cloned(),
                _ => {
                    return Err(ServiceError::Forbidden(
                        "you work named accounts only: choose one of them".into(),
                    ));
                }
            }
        }
        Ok(q)
    }

    /// The report `q` asks for: its cases, opened from its first week's first day to today.
    fn period(&self, q: &DashboardQuery) -> Result<ReportFilter, ServiceError> {
        let today = self.clock.now().to_zoned(TimeZone::UTC).date();
        Ok(ReportFilter {
            from: self.weeks(q.weeks)?.first().copied().unwrap_or(today),
            to: today,
            cases: q.cases.clone(),
            by: q.by,
        })
    }

    /// The first day of each of the last `weeks` weeks (UTC, the last ending today; 1 to
    /// `MAX_DASHBOARD_WEEKS`).
    fn weeks(&self, weeks: usize) -> Result<Vec<Date>, ServiceError> {
        let today = self.clock.now().to_zoned(TimeZone::UTC).date();
        (0..weeks.clamp(1, MAX_DASHBOARD_WEEKS) as i64)
            .rev()
            .map(|w| {
                today
                    .checked_sub(jiff::Span::new().days(7 * w + 6))
                    .map_err(|e| ServiceError::Internal(e.to_string()))
            })
            .collect()
    }

    /// The last `q.weeks` weeks (UTC, ending today) of the cases `q` counts: first-response
    /// attainment week by week, response and resolution times, the backlog at each week's
    /// end, and the newest breaches.
    pub async fn sla_dashboard(&self, q: &DashboardQuery) -> Result<Dashboard, ServiceError> {
        let starts = self.weeks(q.weeks)?;
        let f = self.period(q)?;
        let mut week_starts = Vec::with_capacity(starts.len());
        for start in &starts {
            week_starts.push(day_of(date_start(Field::AfterTime, *start)?));
        }
        let first = week_starts.first().copied().unwrap_or_default();
        // The backlog counts cases opened before the period too: every day is read (the
        // rollup keeps a row per day and group, so this stays small).
        let rows = self
            .tallies_between(0, day_of(self.clock.now()) + 1, &f.cases)
            .await?;
        let week_of = |day: i64| week_starts.iter().rposition(|w| *w <= day).unwrap_or(0);
        // Per group: the whole period's tally, and (kept, missed) week by week.
        let mut groups: BTreeMap<Group, (Tally, Vec<(u64, u64)>)> = BTreeMap::new();
        let mut all = vec![(0u64, 0u64); starts.len()];
        for r in rows.iter().filter(|r| r.day >= first) {
            let (tally, weekly) = groups
                .entry(f.by.key(r))
                .or_insert_with(|| (Tally::default(), vec![(0, 0); starts.len()]));
            tally.merge(&r.tally);
            let w = week_of(r.day);
            weekly[w].0 += r.tally.kept;
            weekly[w].1 += r.tally.missed;
            all[w].0 += r.tally.kept;
            all[w].1 += r.tally.missed;
        }
        let share = |(kept, missed): &(u64, u64)| tally::share(*kept, *missed);
        let mut lines = Vec::with_capacity(groups.len());
        let mut shares = Vec::with_capacity(groups.len());
        for (group, (mut tally, weekly)) in groups.into_iter().filter(|(_, (t, _))| t.cases > 0) {
            lines.push(line_of(group, &mut tally));
            shares.push(weekly.iter().map(share).collect());
        }
        let overall = all.iter().map(share).collect();
        // Open at each week's end (the last: now): opened before it, not resolved before it
        // (a case reopened after its resolution counts as open since its opening).
        let ends: Vec<i64> = week_starts
            .iter()
            .skip(1)
            .copied()
            .chain([i64::MAX])
            .collect();
        let backlog = ends
            .iter()
            .map(|&end| {
                let below = u32::try_from(end).unwrap_or(u32::MAX);
                rows.iter()
                    .filter(|r| r.day < end)
                    .map(|r| {
                        r.tally
                            .opened
                            .saturating_sub(r.tally.resolved_on.count_below(below))
                    })
                    .sum::<u64>() as i64
            })
            .collect();
        let breaches = self
            .store
            .recent_events(tierdesk_core::records::SlaEventKind::Breach, &q.cases, 50)
            .await?;
        Ok(Dashboard {
            weeks: starts,
            lines,
            shares,
            overall,
            backlog,
            breaches,
        })
    }
}

/// Most stale days one pass folds; a full pass runs again at once.
const FOLD_BATCH: i64 = 50;

impl App {
    /// One pass of the rollup worker: covers every day before yesterday (UTC; yesterday and
    /// today are always read from the cases, which change most), then folds the stale days
    /// it may: each from its cases, as [`App::sla_report`] tallies the days it reads
    /// directly. Idempotent, so every replica runs it; the store's marks make sure a
    /// change that races a fold leaves its day stale. Returns the days folded.
    pub async fn fold_rollups(&self) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        self.store.cover_rollup_days(day_of(now) - 1).await?;
        let stale = self.store.stale_rollup_days(now, FOLD_BATCH).await?;
        for d in &stale {
            self.fold_day(*d, now).await?;
        }
        Ok(stale.len())
    }

    /// Marks every folded day stale when the calendars business time is counted on (the
    /// catalog's, and the holidays this version ships) differ from those the rollup was
    /// folded with; `serve` calls it before the workers start.
    pub async fn check_rollup_basis(&self) -> Result<(), ServiceError> {
        use sha2::Digest;
        const KEY: &str = "sla_rollup_basis";
        let basis = sha2::Sha256::digest(format!(
            "{} {:?}",
            env!("CARGO_PKG_VERSION"),
            self.catalog.calendars
        ))
        .to_vec();
        if self.store.meta_get(KEY).await?.as_deref() != Some(basis.as_slice()) {
            self.store.restale_rollup().await?;
            self.store.meta_put(KEY, basis).await?;
        }
        Ok(())
    }

    async fn fold_day(&self, stale: StaleDay, now: Timestamp) -> Result<(), ServiceError> {
        let (tallies, holds) = self
            .tally_days(stale.day..stale.day + 1, &CaseSlice::default(), now)
            .await?;
        self.store.write_rollup_day(stale, tallies, holds).await?;
        Ok(())
    }

    /// Folds every `interval` for ever (and at once again after a full batch); errors are
    /// logged and the next pass retries.
    pub async fn run_rollup_worker(self, interval: Duration) {
        let full = usize::try_from(FOLD_BATCH).unwrap_or(usize::MAX);
        crate::repeat::every(interval, full, "sla rollup", || self.fold_rollups()).await;
    }
}
