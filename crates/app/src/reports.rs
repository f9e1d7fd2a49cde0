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
        let now = self.clock.now();
        let mut lines: Vec<ReportLine> = Vec::new();
        let mut clock_times: Vec<i64> = Vec::new();
        let mut business_times: Vec<i64> = Vec::new();
        let mut resolution_times: Vec<i64> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let group = &rows[i].0;
            let mut line = ReportLine {
                group: group.clone(),
                cases: 0,
                answered: 0,
                within_target: 0,
                breaches: 0,
                undecided: 0,
                within_target_share: None,
                median_clock_seconds: None,
                p90_clock_seconds: None,
                median_business_seconds: None,
                p90_business_seconds: None,
                resolved: 0,
                median_resolution_seconds: None,
                p90_resolution_seconds: None,
            };
            clock_times.clear();
            business_times.clear();
            resolution_times.clear();
            while i < rows.len() && rows[i].0 == *group {
                let r = &rows[i].1;
                let t = &r.target;
                line.cases += 1;
                if t.missed(now) {
                    line.breaches += 1;
                } else if t.met.is_some() {
                    line.within_target += 1;
                } else {
                    line.undecided += 1;
                }
                if let Some(met) = t.met {
                    line.answered += 1;
                    clock_times.push(met.duration_since(t.started).as_secs());
                    let schedule = self
                        .schedule(&t.clock, &r.timezone, &r.country, &r.language)
                        .await?;
                    business_times.push(schedule.open_between(t.started, met));
                }
                if let Some(resolved) = r.resolved {
                    line.resolved += 1;
                    resolution_times.push(resolved.duration_since(r.created).as_secs());
                }
                i += 1;
            }
            line.within_target_share = share(line.within_target, line.breaches);
            for times in [&mut clock_times, &mut business_times, &mut resolution_times] {
                times.sort_unstable();
            }
            line.median_clock_seconds = percentile(&clock_times, 50);
            line.p90_clock_seconds = percentile(&clock_times, 90);
            line.median_business_seconds = percentile(&business_times, 50);
            line.p90_business_seconds = percentile(&business_times, 90);
            line.median_resolution_seconds = percentile(&resolution_times, 50);
            line.p90_resolution_seconds = percentile(&resolution_times, 90);
            lines.push(line);
        }
        Ok(lines)
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
    /// The dashboard as `agent` may see it: staff limited to named accounts see one of
    /// theirs at a time (the first, unless they choose another); the query as answered.
    pub async fn sla_dashboard_for(
        &self,
        agent: &Agent,
        q: &DashboardQuery,
    ) -> Result<(Dashboard, DashboardQuery), ServiceError> {
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
        Ok((self.sla_dashboard(&q).await?, q))
    }

    /// The last `q.weeks` weeks (UTC, ending today) of the cases `q` counts: first-response
    /// attainment week by week, response and resolution times, the backlog at each week's
    /// end, and the newest breaches.
    pub async fn sla_dashboard(&self, q: &DashboardQuery) -> Result<Dashboard, ServiceError> {
        let weeks = q.weeks.clamp(1, MAX_DASHBOARD_WEEKS) as i64;
        let now = self.clock.now();
        let today = now.to_zoned(TimeZone::UTC).date();
        let span = |days: i64| jiff::Span::new().days(days);
        let internal = |e: jiff::Error| ServiceError::Internal(e.to_string());
        let starts = (0..weeks)
            .rev()
            .map(|w| today.checked_sub(span(7 * w + 6)).map_err(internal))
            .collect::<Result<Vec<Date>, _>>()?;
        let first = starts[0];
        let rows = self
            .report_rows(&ReportFilter {
                from: first,
                to: today,
                cases: q.cases.clone(),
                by: q.by,
            })
            .await?;
        let lines = self.summarize(&rows).await?;
        // Each week's lines, from the same rows.
        let mut shares = vec![vec![None; starts.len()]; lines.len()];
        let mut overall = Vec::with_capacity(starts.len());
        let mut backlog_points = Vec::with_capacity(starts.len());
        for (w, start) in starts.iter().enumerate() {
            let from = day_start(Field::AfterTime, *start)?;
            let to = day_start(
                Field::BeforeTime,
                start.checked_add(span(7)).map_err(internal)?,
            )?;
            backlog_points.push(to.min(now));
            let week: Vec<(Group, ReportRow)> = rows
                .iter()
                .filter(|(_, r)| r.created >= from && r.created < to)
                .cloned()
                .collect();
            let week_lines = self.summarize(&week).await?;
            let (mut within, mut breaches) = (0, 0);
            for l in &week_lines {
                within += l.within_target;
                breaches += l.breaches;
                if let Some(g) = lines.iter().position(|x| x.group == l.group) {
                    shares[g][w] = l.within_target_share;
                }
            }
            overall.push(share(within, breaches));
        }
        let backlog = self.store.backlog(&q.cases, &backlog_points).await?;
        let c = &q.cases;
        let breaches = self
            .store
            .recent_events(tierdesk_core::records::SlaEventKind::Breach, 200)
            .await?
            .into_iter()
            .filter(|(case, _)| {
                c.account.as_ref().is_none_or(|a| *a == case.account_id)
                    && c.plan.as_ref().is_none_or(|p| *p == case.plan_id)
                    && c.severity.as_ref().is_none_or(|s| *s == case.severity_code)
                    && c.assignee.as_ref().is_none_or(|a| *a == case.assignee)
            })
            .take(50)
            .collect();
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
