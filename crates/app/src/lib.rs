//! Tierdesk's use cases: what an operator, a customer (through the AWS API or the
//! console) or a support agent can do.
//!
//! This layer decides (plan rules, limits, validation, ids) and asks the store to remember.
//! It knows neither HTTP nor the AWS wire format: the server translates to and from the
//! plain types here. Time comes only from the [`Clock`](tierdesk_core::clock::Clock).
//!
//! Two kinds of module. Leaves hold what every use case shares (the actor and its reach,
//! validation, files, webhook payloads, ids, cursors, limits, secrets, keys, deadlines,
//! errors, the workers' loop, the notices writes carry) and import no use case. Use cases each own one area and import leaves only, never each other
//! (`tests/app/tidy.rs` fails otherwise); `demo`, `mail_in` (a mail becomes a message or a
//! case) and `monitoring` (an alert becomes a case) compose others.

// Leaves.
pub mod actor;
pub mod auth;
pub mod cursor;
pub mod deadlines;
pub mod error;
pub mod files;
mod ids;
pub mod limits;
pub mod notify;
pub mod passwords;
pub mod payloads;
pub mod repeat;
pub mod secrets;
mod validate;

// Use cases.
pub mod accounts;
pub mod agents;
pub mod audit;
pub mod billing;
pub mod cases;
mod demo;
pub mod health;
pub mod housekeeping;
pub mod live;
pub mod mail_in;
pub mod monitoring;
pub mod notices;
pub mod people;
pub mod queue;
pub mod reports;
pub mod sessions;
pub mod shown_once;
pub mod sla_worker;
pub mod trusted_advisor;
pub mod webhooks;

use std::sync::Arc;

use tierdesk_core::catalog::{Catalog, Plan};
use tierdesk_core::clock::Clock;
use tierdesk_core::records::{Account, PlanAssignment};
use tierdesk_core::services::Services;
use tierdesk_store::Store;

pub use error::ServiceError;
pub use limits::Limits;

/// Everything the use cases need, built once at start-up and shared.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub services: Arc<Services>,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    master_key: secrets::MasterKey,
    keys: auth::KeyCache,
    throttle: Arc<limits::Throttle>,
    schedules: deadlines::Schedules,
    hashing: passwords::Hashing,
    /// The SLA events this process's breach worker recorded (see `sla_worker`).
    pub sla_counts: Arc<sla_worker::EventCounts>,
    /// The mails this process's sender sent (see `notices`).
    pub mail_counts: Arc<notices::MailCounts>,
    /// How people are mailed; `None`: nobody is.
    mail: Option<Arc<notify::MailSettings>>,
    notice_settings: Arc<notify::NoticeSettings>,
    /// Whether the notice worker last saw anyone's own webhook: with no mail and no such
    /// webhook, writes carry no notices.
    person_hooks_seen: Arc<std::sync::atomic::AtomicBool>,
    /// Writes carry notices whatever the channels (a one-off command: whether the server
    /// mails people is not known here, and its notice worker drops what nobody takes).
    notices_always: bool,
    /// The prices Trusted Advisor's cost checks estimate savings with.
    advisor_prices: Arc<tierdesk_core::trusted_advisor::Prices>,
    /// The Health event types publishers may use.
    health_types: Arc<tierdesk_core::health::EventTypes>,
    /// How far back past Health events are shown.
    health_history: std::time::Duration,
}

impl App {
    /// Checks that `master_key` is the key this database's secrets were sealed with (the
    /// first start records a check value), so a wrong key fails loudly at start-up instead
    /// of as signature errors later.
    pub async fn new(
        store: Store,
        catalog: Catalog,
        services: Services,
        clock: Arc<dyn Clock>,
        limits: Limits,
        master_key: secrets::MasterKey,
    ) -> Result<Self, ServiceError> {
        master_key.check_against(&store).await?;
        Ok(Self {
            keys: auth::KeyCache::new(limits.key_cache_ttl),
            schedules: deadlines::Schedules::default(),
            hashing: passwords::Hashing::new(),
            sla_counts: Arc::default(),
            mail: None,
            notice_settings: Arc::default(),
            person_hooks_seen: Arc::default(),
            notices_always: false,
            advisor_prices: Arc::new(tierdesk_core::trusted_advisor::Prices::shipped()),
            health_types: Arc::new(tierdesk_core::health::EventTypes::shipped()),
            health_history: std::time::Duration::from_secs(90 * 86_400),
            mail_counts: Arc::default(),
            throttle: Arc::new(limits::Throttle::new(limits.requests_per_second)),
            store,
            catalog: Arc::new(catalog),
            services: Arc::new(services),
            clock,
            limits,
            master_key,
        })
    }

    /// The plan assignment in force today (in the account's own time zone).
    pub async fn current_assignment(
        &self,
        account: &Account,
    ) -> Result<PlanAssignment, ServiceError> {
        let today = tierdesk_core::time::today_in(self.clock.now(), &account.timezone);
        let history = self.store.plan_history(&account.id).await?;
        history
            .iter()
            .rev()
            .find(|a| a.effective_from <= today)
            .or(history.first())
            .cloned()
            .ok_or_else(|| ServiceError::Internal(format!("account {} has no plan", account.id)))
    }

    /// The plan an account is on today. An account whose plan no loaded catalog defines
    /// (an operator catalog left out at start-up) cannot be served.
    pub async fn current_plan(&self, account: &Account) -> Result<Plan, ServiceError> {
        let current = self.current_assignment(account).await?;
        self.catalog.plan(&current.plan_id).cloned().ok_or_else(|| {
            ServiceError::Internal(format!(
                "account {} is on plan '{}', which no loaded catalog defines",
                account.id, current.plan_id
            ))
        })
    }
}
