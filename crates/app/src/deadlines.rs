//! First-response deadlines for new cases, on schedules built once and kept for a minute
//! (imported holidays reach every replica within that time).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::catalog::Plan;
use tierdesk_core::records::{Account, FirstResponse};
use tierdesk_core::schedule::Schedule;
use tierdesk_core::sla::{Customer, schedule_for};

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

impl App {
    /// The promise a new case of `severity` in `language` gets from `plan`: `None` when the
    /// plan sets no target for it.
    pub(crate) async fn first_response_for(
        &self,
        account: &Account,
        plan: &Plan,
        severity: &str,
        language: &str,
        opened: Timestamp,
    ) -> Result<Option<FirstResponse>, ServiceError> {
        let Some(target) = plan.case_target(severity) else {
            return Ok(None);
        };
        let key: Key = (
            target.clock.clone(),
            account.timezone.clone(),
            account.country.clone(),
            language.to_string(),
        );
        let now = self.clock.now();
        let cached = self.schedules.entries.lock().ok().and_then(|m| {
            m.get(&key)
                .filter(|(at, _)| now.duration_since(*at).unsigned_abs() < TTL)
                .map(|(_, s)| s.clone())
        });
        let schedule = match cached {
            Some(s) => s,
            None => {
                let calendar = self.catalog.calendar(&target.clock).ok_or_else(|| {
                    ServiceError::Internal(format!(
                        "plan {} counts on unknown clock {}",
                        plan.id, target.clock
                    ))
                })?;
                let imported: Vec<_> = self
                    .store
                    .holidays(&account.country)
                    .await?
                    .into_iter()
                    .map(|(_, h)| h)
                    .collect();
                let customer = Customer {
                    timezone: &account.timezone,
                    country: &account.country,
                    language,
                };
                let (schedule, ..) =
                    schedule_for(calendar, &customer, &imported).map_err(ServiceError::Internal)?;
                let schedule = Arc::new(schedule);
                if let Ok(mut m) = self.schedules.entries.lock() {
                    m.insert(key, (now, schedule.clone()));
                }
                schedule
            }
        };
        let due = schedule
            .due(opened, i64::from(target.minutes) * 60)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(Some(FirstResponse {
            clock: target.clock.clone(),
            minutes: target.minutes,
            due,
            responded: None,
        }))
    }
}
