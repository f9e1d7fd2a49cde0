//! SLA reports: per plan and severity, how first responses to the cases opened in a
//! period kept their promise, in clock time and in business time (the time the target's
//! own clock was running).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use tierdesk_store::{CaseSlice, ReportQuery, ReportRow};

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

    fn key(self, r: &ReportRow) -> Group {
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
/// seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub group: Group,
    /// Cases opened in the period with a first-response target.
    pub cases: usize,
    /// Answered by support.
    pub answered: usize,
    /// Answered by the deadline.
    pub within_target: usize,
    /// Answered late, or still unanswered past the deadline.
    pub breaches: usize,
    /// Neither answered nor due yet (or resolved without an answer): not judged.
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

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

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
        let rows = self.report_rows(f).await?;
        self.summarize(&rows).await
    }

    /// The first-response targets of the cases `f` counts, each with its line's group,
    /// sorted by group.
    async fn report_rows(&self, f: &ReportFilter) -> Result<Vec<(Group, ReportRow)>, ServiceError> {
        if f.to < f.from {
            return Err(ServiceError::invalid(
                Field::BeforeTime,
                Problem::EndsBeforeStart {
                    start: f.from.to_string(),
                    end: f.to.to_string(),
                },
            ));
        }
        // Every answered case in the period gets a business-time schedule: a bounded
        // period keeps one request from reading the whole history.
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
        let rows = self
            .store
            .report_rows(&ReportQuery {
                from: day_start(Field::AfterTime, f.from)?,
                to: day_start(Field::BeforeTime, end)?,
                cases: f.cases.clone(),
            })
            .await?;
        let mut rows: Vec<(Group, ReportRow)> =
            rows.into_iter().map(|r| (f.by.key(&r), r)).collect();
        // Stable: within a group, rows stay in opening order.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(rows)
    }

    /// One line per run of rows of equal group.
    async fn summarize(
        &self,
        rows: &[(Group, ReportRow)],
    ) -> Result<Vec<ReportLine>, ServiceError> {
        let facts = self.facts(rows, true).await?;
        Ok(runs(rows)
            .map(|(g, range)| line_of(g, &facts[range]))
            .collect())
    }

    /// What each row's case came to, in its order; business time (a schedule per
    /// answered case) only when asked for.
    async fn facts(
        &self,
        rows: &[(Group, ReportRow)],
        business: bool,
    ) -> Result<Vec<Fact>, ServiceError> {
        let now = self.clock.now();
        let mut out = Vec::with_capacity(rows.len());
        for (_, r) in rows {
            let t = &r.target;
            let answered = t.met.map(|met| met.duration_since(t.started).as_secs());
            let business_seconds = match t.met {
                Some(met) if business => Some(
                    self.schedule(&t.clock, &r.timezone, &r.country, &r.language)
                        .await?
                        .open_between(t.started, met),
                ),
                _ => None,
            };
            out.push(Fact {
                outcome: if t.missed(now) {
                    Outcome::Breached
                } else if t.met.is_some() {
                    Outcome::Within
                } else {
                    Outcome::Undecided
                },
                answered,
                business: business_seconds,
                resolved: r.resolved.map(|at| at.duration_since(r.created).as_secs()),
            });
        }
        Ok(out)
    }
}

/// Where a case's first response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Within,
    Breached,
    Undecided,
}

/// What one case counts for in a report. Times are seconds.
#[derive(Debug, Clone, Copy)]
struct Fact {
    outcome: Outcome,
    /// From the target's start to support's answer.
    answered: Option<i64>,
    /// The same, on the target's own clock.
    business: Option<i64>,
    /// From opening to the last resolution.
    resolved: Option<i64>,
}

/// The runs of equal group in rows sorted by group: each group and its rows' range.
fn runs(rows: &[(Group, ReportRow)]) -> impl Iterator<Item = (&Group, std::ops::Range<usize>)> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let group = &rows.get(i)?.0;
        let start = i;
        while rows.get(i).is_some_and(|r| r.0 == *group) {
            i += 1;
        }
        Some((group, start..i))
    })
}

/// A group's line from its cases' facts.
fn line_of(group: &Group, facts: &[Fact]) -> ReportLine {
    let count = |o: Outcome| facts.iter().filter(|f| f.outcome == o).count();
    let sorted = |pick: fn(&Fact) -> Option<i64>| {
        let mut v: Vec<i64> = facts.iter().filter_map(pick).collect();
        v.sort_unstable();
        v
    };
    let (within, breaches) = (count(Outcome::Within), count(Outcome::Breached));
    let clock = sorted(|f| f.answered);
    let business = sorted(|f| f.business);
    let resolution = sorted(|f| f.resolved);
    ReportLine {
        group: group.clone(),
        cases: facts.len(),
        answered: clock.len(),
        within_target: within,
        breaches,
        undecided: count(Outcome::Undecided),
        within_target_share: share(within, breaches),
        median_clock_seconds: percentile(&clock, 50),
        p90_clock_seconds: percentile(&clock, 90),
        median_business_seconds: percentile(&business, 50),
        p90_business_seconds: percentile(&business, 90),
        resolved: resolution.len(),
        median_resolution_seconds: percentile(&resolution, 50),
        p90_resolution_seconds: percentile(&resolution, 90),
    }
}

/// The within-target share of what was decided; `None` when nothing was.
fn share(within: usize, breaches: usize) -> Option<f64> {
    let decided = within + breaches;
    (decided > 0).then(|| within as f64 / decided as f64)
}

/// Only the last dates jiff knows have no instant or no next day.
fn out_of_range(field: Field, d: Date) -> ServiceError {
    ServiceError::invalid(field, Problem::Malformed(d.to_string()))
}

/// Midnight UTC of `d`.
fn day_start(field: Field, d: Date) -> Result<jiff::Timestamp, ServiceError> {
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
        let now = self.clock.now();
        let today = now.to_zoned(TimeZone::UTC).date();
        let internal = |e: jiff::Error| ServiceError::Internal(e.to_string());
        let starts = self.weeks(q.weeks)?;
        let rows = self.report_rows(&self.period(q)?).await?;
        // The dashboard shows no business time: no schedule is built for it.
        let facts = self.facts(&rows, false).await?;
        let mut bounds = Vec::with_capacity(starts.len() + 1);
        for start in &starts {
            bounds.push(day_start(Field::AfterTime, *start)?);
        }
        let end = today.tomorrow().map_err(internal)?;
        bounds.push(day_start(Field::BeforeTime, end)?);
        let week_of = |r: &ReportRow| bounds.iter().rposition(|b| *b <= r.created).unwrap_or(0);
        let mut lines = Vec::new();
        let mut shares = Vec::new();
        // (within, breaches) of every group, week by week.
        let mut all = vec![(0usize, 0usize); starts.len()];
        for (group, range) in runs(&rows) {
            lines.push(line_of(group, &facts[range.clone()]));
            let mut weekly = vec![(0usize, 0usize); starts.len()];
            for i in range {
                let w = week_of(&rows[i].1).min(starts.len() - 1);
                match facts[i].outcome {
                    Outcome::Within => weekly[w].0 += 1,
                    Outcome::Breached => weekly[w].1 += 1,
                    Outcome::Undecided => {}
                }
            }
            for (a, w) in all.iter_mut().zip(&weekly) {
                a.0 += w.0;
                a.1 += w.1;
            }
            shares.push(weekly.iter().map(|(w, b)| share(*w, *b)).collect());
        }
        let overall = all.iter().map(|(w, b)| share(*w, *b)).collect();
        // Each week's end (the last: now) for the backlog.
        let backlog_points: Vec<jiff::Timestamp> =
            bounds[1..].iter().map(|b| (*b).min(now)).collect();
        let backlog = self.store.backlog(&q.cases, &backlog_points).await?;
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

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }
}
