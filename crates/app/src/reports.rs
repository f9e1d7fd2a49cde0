//! SLA reports: per plan and severity, how first responses to the cases opened in a
//! period kept their promise, in clock time and in business time (the time the target's
//! own clock was running).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use tierdesk_store::ReportQuery;

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
    pub account: Option<String>,
    pub plan: Option<String>,
}

/// One plan and severity's figures. Times are seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub plan: String,
    pub severity: String,
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
        match (self.reach(agent).await?, &f.account) {
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
        // Only the last dates jiff knows have no instant or no next day.
        let out_of_range =
            |field, d: Date| ServiceError::invalid(field, Problem::Malformed(d.to_string()));
        let instant = |field, d: Date| {
            d.to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|_| out_of_range(field, d))
        };
        let end =
            f.to.tomorrow()
                .map_err(|_| out_of_range(Field::BeforeTime, f.to))?;
        let rows = self
            .store
            .report_rows(&ReportQuery {
                from: instant(Field::AfterTime, f.from)?,
                to: instant(Field::BeforeTime, end)?,
                account: f.account.clone(),
                plan: f.plan.clone(),
            })
            .await?;
        let now = self.clock.now();
        let mut lines: Vec<ReportLine> = Vec::new();
        // Rows come sorted by plan and severity: one line per run of equal keys.
        let mut clock_times: Vec<i64> = Vec::new();
        let mut business_times: Vec<i64> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let (plan, severity) = (&rows[i].plan_id, &rows[i].severity);
            let mut line = ReportLine {
                plan: plan.clone(),
                severity: severity.clone(),
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
            };
            clock_times.clear();
            business_times.clear();
            while i < rows.len() && rows[i].plan_id == *plan && rows[i].severity == *severity {
                let r = &rows[i];
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
                i += 1;
            }
            let decided = line.within_target + line.breaches;
            line.within_target_share =
                (decided > 0).then(|| line.within_target as f64 / decided as f64);
            clock_times.sort_unstable();
            business_times.sort_unstable();
            line.median_clock_seconds = percentile(&clock_times, 50);
            line.p90_clock_seconds = percentile(&clock_times, 90);
            line.median_business_seconds = percentile(&business_times, 50);
            line.p90_business_seconds = percentile(&business_times, 90);
            lines.push(line);
        }
        Ok(lines)
    }
}

/// Attainment over time for the SLA dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The first day of each week shown, oldest first.
    pub weeks: Vec<Date>,
    /// Per plan and severity: the within-target share of each week (`None`: nothing
    /// decided that week), and the period's cases and breaches.
    pub series: Vec<Series>,
    /// The newest breaches, with their cases.
    pub breaches: Vec<(
        tierdesk_core::records::Case,
        tierdesk_core::records::SlaEvent,
    )>,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub plan: String,
    pub severity: String,
    pub shares: Vec<Option<f64>>,
    pub cases: usize,
    pub breaches: usize,
}

impl App {
    /// The last `weeks` weeks (UTC, ending today) of first-response attainment, and the
    /// newest breaches.
    pub async fn sla_dashboard(&self, weeks: usize) -> Result<Dashboard, ServiceError> {
        let today = self.clock.now().to_zoned(TimeZone::UTC).date();
        let mut starts = Vec::new();
        for w in (0..weeks as i64).rev() {
            let start = today
                .checked_sub(jiff::Span::new().days(7 * w + 6))
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            starts.push(start);
        }
        let mut series: Vec<Series> = Vec::new();
        for (i, start) in starts.iter().enumerate() {
            let end = start
                .checked_add(jiff::Span::new().days(6))
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let lines = self
                .sla_report(&ReportFilter {
                    from: *start,
                    to: end,
                    account: None,
                    plan: None,
                })
                .await?;
            for l in lines {
                let pos = series
                    .iter()
                    .position(|s| s.plan == l.plan && s.severity == l.severity);
                let s = match pos {
                    Some(p) => &mut series[p],
                    None => {
                        series.push(Series {
                            plan: l.plan.clone(),
                            severity: l.severity.clone(),
                            shares: vec![None; starts.len()],
                            cases: 0,
                            breaches: 0,
                        });
                        let last = series.len() - 1;
                        &mut series[last]
                    }
                };
                s.shares[i] = l.within_target_share;
                s.cases += l.cases;
                s.breaches += l.breaches;
            }
        }
        series.sort_by(|a, b| (&a.plan, &a.severity).cmp(&(&b.plan, &b.severity)));
        let breaches = self
            .store
            .recent_events(tierdesk_core::records::SlaEventKind::Breach, 50)
            .await?;
        Ok(Dashboard {
            weeks: starts,
            series,
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
