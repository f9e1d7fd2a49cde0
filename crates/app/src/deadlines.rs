//! Starting response targets: a target's deadline and warning point on its clock, made
//! concrete for one customer. Schedules are built once and kept for a minute (imported
//! holidays reach every replica within that time).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::catalog::{Hours, Plan, SeverityLevel, TargetKind};
use tierdesk_core::records::{Account, CaseTarget};
use tierdesk_core::schedule::Schedule;
use tierdesk_core::sla::{Customer, schedule_for};

use crate::actor::Actor;
use crate::{App, ServiceError};

/// (clock, zone, country, language)
type Key = (String, String, String, String);
/// A schedule and when it was built.
type Entry = (Timestamp, Arc<Schedule>);

#[derive(Clone, Default)]
pub(crate) struct Schedules {
    entries: Arc<Mutex<HashMap<Key, Entry>>>,
}

const TTL: Duration = Duration::from_secs(60);

/// What a plan promises a new case of one severity, for the person about to open one.
#[derive(Debug, Clone)]
pub struct Promise {
    pub severity: SeverityLevel,
    /// The first-response time and the hours it counts in (`None`: around the clock).
    pub minutes: u32,
    pub hours: Option<Hours>,
    /// When the first response would be due for a case opened now.
    pub due_if_opened_now: Timestamp,
}

/// What a plan promises for support's answer to a customer's later message, per severity.
#[derive(Debug, Clone)]
pub struct FollowUpPromise {
    pub severity: SeverityLevel,
    /// `None`: no time is promised for this severity.
    pub minutes: Option<u32>,
    pub hours: Option<Hours>,
}

impl App {
    /// The follow-up promise of each severity a case can be opened at on `plan`, worded for
    /// `account` and cases in `language`.
    pub fn follow_up_promises(
        &self,
        account: &Account,
        plan: &Plan,
        language: &str,
    ) -> Vec<FollowUpPromise> {
        plan.case_severities()
            .into_iter()
            .map(|level| {
                let t = plan.follow_up_target(TargetKind::NextReply, &level.code);
                FollowUpPromise {
                    severity: level.clone(),
                    minutes: t.map(|t| t.minutes),
                    hours: t
                        .and_then(|t| self.catalog.calendar(&t.clock))
                        .and_then(|c| c.hours(language, Some(&account.timezone))),
                }
            })
            .collect()
    }

    /// The first-response promise of each severity `plan` offers `account`, for cases in
    /// `language`, with the deadline a case opened now would get; severities without a
    /// target are left out.
    pub async fn promises(
        &self,
        account: &Account,
        plan: &Plan,
        language: &str,
    ) -> Result<Vec<Promise>, ServiceError> {
        let now = self.clock.now();
        let mut out = Vec::new();
        for level in plan.case_severities() {
            let Some(t) = self
                .first_response_target(account, plan, &level.code, language, now)
                .await?
            else {
                continue;
            };
            out.push(Promise {
                severity: level.clone(),
                minutes: t.minutes,
                hours: self
                    .catalog
                    .calendar(&t.clock)
                    .and_then(|c| c.hours(language, Some(&account.timezone))),
                due_if_opened_now: t.due,
            });
        }
        Ok(out)
    }

    /// The schedule `clock` runs on for a customer in `account`'s zone and country, for
    /// cases in `language`.
    pub(crate) async fn schedule(
        &self,
        clock: &str,
        timezone: &str,
        country: &str,
        language: &str,
    ) -> Result<Arc<Schedule>, ServiceError> {
        let key: Key = (
            clock.to_string(),
            timezone.to_string(),
            country.to_string(),
            language.to_string(),
        );
        let now = self.clock.now();
        let cached = self.schedules.entries.lock().ok().and_then(|m| {
            m.get(&key)
                .filter(|(at, _)| now.duration_since(*at).unsigned_abs() < TTL)
                .map(|(_, s)| s.clone())
        });
        if let Some(s) = cached {
            return Ok(s);
        }
        let calendar = self
            .catalog
            .calendar(clock)
            .ok_or_else(|| ServiceError::Internal(format!("unknown clock {clock}")))?;
        let imported: Vec<_> = self
            .store
            .holidays(country)
            .await?
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        let customer = Customer {
            timezone,
            country,
            language,
        };
        let (schedule, ..) =
            schedule_for(calendar, &customer, &imported).map_err(ServiceError::Internal)?;
        let schedule = Arc::new(schedule);
        if let Ok(mut m) = self.schedules.entries.lock() {
            m.insert(key, (now, schedule.clone()));
        }
        Ok(schedule)
    }

    /// A target of `kind` starting at `at`: due `minutes` later on `clock`, with its
    /// warning at the configured share of that time, on the same clock.
    pub(crate) async fn start_target(
        &self,
        account: &Account,
        language: &str,
        (kind, clock, minutes): (TargetKind, &str, u32),
        at: Timestamp,
    ) -> Result<CaseTarget, ServiceError> {
        let schedule = self
            .schedule(clock, &account.timezone, &account.country, language)
            .await?;
        let seconds = i64::from(minutes) * 60;
        let due = schedule
            .due(at, seconds)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let percent = i64::from(self.limits.sla_warn_percent.min(100));
        let warn_at = if percent == 0 || percent == 100 {
            None
        } else {
            Some(
                schedule
                    .due(at, seconds * percent / 100)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            )
        };
        Ok(CaseTarget::start(kind, clock, minutes, at, due, warn_at))
    }

    /// The first-response target a new case of `severity` gets from `plan`; `None` when
    /// the plan sets none.
    pub(crate) async fn first_response_target(
        &self,
        account: &Account,
        plan: &Plan,
        severity: &str,
        language: &str,
        opened: Timestamp,
    ) -> Result<Option<CaseTarget>, ServiceError> {
        let Some(t) = plan.case_target(severity) else {
            return Ok(None);
        };
        let kind = (TargetKind::FirstResponse, t.clock.as_str(), t.minutes);
        Ok(Some(
            self.start_target(account, language, kind, opened).await?,
        ))
    }

    /// A next-reply or update target the case's plan (the one it was opened under)
    /// promises for `severity`, starting at `at`. The case's account (the zone and
    /// country its clock may count in) is looked up only when there is a target to start:
    /// most plans promise none after the first response, and an agent's reply need not
    /// pay for the read.
    pub(crate) async fn follow_up_target(
        &self,
        actor: Actor<'_>,
        case: &tierdesk_core::records::Case,
        kind: TargetKind,
        at: Timestamp,
    ) -> Result<Option<CaseTarget>, ServiceError> {
        let Some(t) = self
            .catalog
            .plan(&case.plan_id)
            .and_then(|p| p.follow_up_target(kind, &case.severity_code))
        else {
            return Ok(None);
        };
        let account = self.case_account(actor, case).await?;
        let kind = (kind, t.clock.as_str(), t.minutes);
        Ok(Some(
            self.start_target(&account, &case.language, kind, at)
                .await?,
        ))
    }
}
