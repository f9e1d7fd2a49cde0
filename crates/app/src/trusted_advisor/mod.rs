//! Trusted Advisor for accounts: an inventory imported (and kept, for refreshes), every
//! check the account's plan allows evaluated on it, results served with the customer's
//! suppressions, refreshes as jobs a worker runs (once across replicas), the history of
//! what each check flagged, and results the operator feeds for checks no inventory can
//! compute. Which checks a plan allows is its catalog's advisor level.

pub mod bundle;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;
use rust_decimal::Decimal;
use tierdesk_core::audit::{Action, Who};
use tierdesk_core::catalog::AdvisorLevel;
use tierdesk_core::trusted_advisor::{
    CHECKS, CheckDef, CheckResult, CheckStatus, Context, Inventory, Prices, ResultRow, Status,
    check, evaluate,
};
use tierdesk_store::{
    AdvisorOverview, Finding, Refresh, ResultSource, StoreError, StoredInventory, StoredResult,
    WebhookEvent,
};

use crate::auth::Caller;
use crate::error::{Field, Problem};
use crate::{App, ServiceError};

pub use bundle::{Bundle, BundleError};

/// How long after a refresh request another is taken as a new job.
pub const REFRESH_COOLDOWN: Duration = Duration::from_secs(3600);
/// How long a worker may take a refresh before another worker takes it over.
const REFRESH_STALE: Duration = Duration::from_secs(300);

/// The checks a plan's level includes, in the catalog's order.
pub fn checks_for(level: AdvisorLevel) -> impl Iterator<Item = &'static CheckDef> {
    CHECKS.iter().filter(move |c| match level {
        AdvisorLevel::None => false,
        AdvisorLevel::Core => c.core,
        AdvisorLevel::Full => true,
    })
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub account_id: String,
    /// Files kept, and files ignored (no check uses them).
    pub files: usize,
    pub ignored_files: usize,
    pub regions: Vec<String>,
    /// Checks evaluated.
    pub checks: usize,
    /// Resources looked at, across checks.
    pub processed: u64,
    /// Checks by status (`ok`, `warning`, `error`, `not_available`).
    pub by_status: BTreeMap<&'static str, usize>,
    /// Resources flagged (yellow or red), across checks.
    pub flagged: u64,
}

/// A check as a customer sees it: its latest result with their suppressions.
#[derive(Debug, Clone)]
pub struct CheckView {
    pub check: &'static CheckDef,
    pub result: Option<CheckResult>,
    /// The resources the customer suppressed.
    pub suppressed: BTreeSet<String>,
}

/// A result's counts (the API's `resourcesSummary` and savings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub processed: u64,
    pub flagged: u64,
    pub ignored: u64,
    pub suppressed: u64,
    pub savings: Decimal,
}

impl CheckView {
    pub fn status(&self) -> CheckStatus {
        match &self.result {
            Some(r) => r.status(|id| self.suppressed.contains(id)),
            None => CheckStatus::NotAvailable,
        }
    }

    pub fn counts(&self) -> Counts {
        let Some(r) = &self.result else {
            return Counts::default();
        };
        let mut c = Counts {
            processed: r.processed,
            ignored: r.ignored,
            ..Counts::default()
        };
        for row in &r.rows {
            if self.suppressed.contains(&row.resource_id) {
                c.suppressed += 1;
            } else if row.status != Status::Ok {
                c.flagged += 1;
                c.savings += row.savings;
            }
        }
        c
    }

    /// The savings as a share of a month's spend, in percent (0 when the spend is not
    /// known).
    pub fn percent_of(&self, spend: Option<Decimal>) -> Decimal {
        match spend {
            Some(s) if s > Decimal::ZERO => {
                (self.counts().savings * Decimal::ONE_HUNDRED / s).round_dp(2)
            }
            _ => Decimal::ZERO,
        }
    }

    /// When it was last evaluated (the API's `timestamp`).
    pub fn at(&self) -> Option<Timestamp> {
        self.result.as_ref().map(|r| r.at)
    }
}

/// The webhook events of what `after` changes in `account`'s results `before`: a resource
/// newly flagged, flagged differently, or no longer flagged (cleared or gone) is an event.
/// A result that is not available says nothing of its resources. An event's key names
/// the result it changes, so two workers that make the same change queue it once.
pub fn item_events(
    account: &str,
    before: &BTreeMap<String, CheckResult>,
    after: &[StoredResult],
) -> Vec<WebhookEvent> {
    let mut events = Vec::new();
    for s in after.iter().filter(|s| s.result.available) {
        let r = &s.result;
        let Some(def) = check(&r.check_id) else {
            continue;
        };
        let prev = before.get(&r.check_id).filter(|p| p.available);
        let prev_rows: BTreeMap<&str, &ResultRow> = prev
            .map(|p| {
                p.rows
                    .iter()
                    .map(|row| (row.resource_id.as_str(), row))
                    .collect()
            })
            .unwrap_or_default();
        let since = prev.map_or(0, |p| p.at.as_microsecond());
        let mut event = |row: &ResultRow, status: Status| {
            let change = format!("{}:{}:{since}:{}", def.id, row.resource_id, status.as_str());
            let payload = tierdesk_aws::eventbridge::check_item_refresh(
                &tierdesk_aws::eventbridge::CheckItem {
                    account,
                    time: r.at,
                    check_name: def.name,
                    status: status.as_str(),
                    resource_id: &row.resource_id,
                    columns: def.metadata,
                    cells: &row.metadata,
                    change: &change,
                },
            );
            events.push(WebhookEvent {
                key: format!("advisor:{account}:{change}"),
                event_type: crate::payloads::ADVISOR_CHECK_ITEM.to_string(),
                payload: payload.to_string(),
            });
        };
        for row in &r.rows {
            let was = prev_rows
                .get(row.resource_id.as_str())
                .map_or(Status::Ok, |p| p.status);
            if row.status != was {
                event(row, row.status);
            }
        }
        let now_ids: BTreeSet<&str> = r.rows.iter().map(|row| row.resource_id.as_str()).collect();
        for gone in prev_rows
            .values()
            .filter(|p| p.status != Status::Ok && !now_ids.contains(p.resource_id.as_str()))
        {
            event(gone, Status::Ok);
        }
    }
    events
}

/// The advisor across the accounts a staff member reaches: each at a glance, and what
/// changed since `since` (a week ago), newest first.
#[derive(Debug, Clone)]
pub struct AdvisorGlance {
    pub since: Timestamp,
    pub accounts: Vec<AdvisorOverview>,
    /// `(account id, finding)`: opened or fixed since `since`.
    pub changes: Vec<(String, Finding)>,
}

/// The most changes the glance lists.
const GLANCE_CHANGES: i64 = 100;
/// The most changes a weekly summary counts (a week that changes more says "10000").
const SUMMARY_CHANGES: i64 = 10_000;

/// One check evaluated on an inventory at `now` (`None`: no inventory computes it).
fn evaluated(
    check: &CheckDef,
    inventory: &Inventory,
    prices: &Prices,
    now: Timestamp,
) -> Option<StoredResult> {
    let cx = Context { prices, now };
    evaluate(check.id, inventory, &cx).map(|e| StoredResult {
        result: CheckResult::of(check.id, now, e),
        source: ResultSource::Inventory,
    })
}

/// Marks facts kept gzip-compressed (base64): an inventory's JSON is tens of megabytes
/// for a large account and compresses about tenfold. Facts without it are plain JSON (as
/// imports before this kept them).
const PACKED: &str = "gz1:";

/// An inventory's facts as the store keeps them: JSON, compressed as it is written.
fn pack(inventory: &Inventory) -> Result<String, ServiceError> {
    use base64::Engine;
    let failed = |e: std::io::Error| ServiceError::Internal(format!("keeping an inventory: {e}"));
    // serde_json writes in small pieces; the encoder is faster fed in large ones.
    let mut out = std::io::BufWriter::with_capacity(
        256 * 1024,
        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()),
    );
    inventory
        .write_json(&mut out)
        .map_err(std::io::Error::from)
        .map_err(failed)?;
    let bytes = out
        .into_inner()
        .map_err(|e| failed(e.into_error()))?
        .finish()
        .map_err(failed)?;
    let mut out = String::with_capacity(PACKED.len() + bytes.len() * 4 / 3 + 4);
    out.push_str(PACKED);
    base64::engine::general_purpose::STANDARD.encode_string(&bytes, &mut out);
    Ok(out)
}

/// The inventory `pack` kept (or plain JSON).
fn unpack(facts: &str) -> Result<Inventory, ServiceError> {
    use base64::Engine;
    let bad = |e: String| ServiceError::Internal(format!("a kept inventory does not read: {e}"));
    match facts.strip_prefix(PACKED) {
        Some(b64) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| bad(e.to_string()))?;
            Inventory::read_json(flate2::read::GzDecoder::new(bytes.as_slice())).map_err(bad)
        }
        None => Inventory::from_json(facts).map_err(bad),
    }
}

/// A refresh as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshState {
    pub check_id: String,
    /// `none`, `enqueued`, `processing`, `success` or `abandoned`.
    pub status: &'static str,
    pub millis_until_next: i64,
}

fn refresh_state(check_id: &str, job: Option<&Refresh>, now: Timestamp) -> RefreshState {
    let Some(job) = job else {
        return RefreshState {
            check_id: check_id.to_string(),
            status: "none",
            millis_until_next: 0,
        };
    };
    let status = match (job.started, job.finished, job.succeeded) {
        (_, Some(_), Some(true)) => "success",
        (_, Some(_), _) => "abandoned",
        (Some(_), None, _) => "processing",
        (None, None, _) => "enqueued",
    };
    let next = job.requested.as_millisecond() + REFRESH_COOLDOWN.as_millis() as i64;
    RefreshState {
        check_id: check_id.to_string(),
        status,
        millis_until_next: (next - now.as_millisecond()).max(0),
    }
}

fn unknown_check(id: &str) -> ServiceError {
    ServiceError::invalid(Field::CheckId, Problem::Unknown(id.to_string()))
}

impl App {
    /// The checks a customer's plan lets them see.
    pub fn advisor_checks(&self, caller: &Caller) -> Vec<&'static CheckDef> {
        checks_for(caller.plan.advisor_level()).collect()
    }

    /// Whether the caller may use the Trusted Advisor API (`trustedadvisor`): a plan with
    /// the Support API and every check (AWS: Business and above).
    pub fn require_advisor_api(&self, caller: &Caller) -> Result<(), ServiceError> {
        self.require_api(caller)?;
        if caller.plan.advisor_level() == AdvisorLevel::Full {
            Ok(())
        } else {
            Err(ServiceError::SubscriptionRequired(format!(
                "Access denied due to support level: the {} plan ({}) does not include the Trusted Advisor API",
                caller.plan.name, caller.plan.id
            )))
        }
    }

    /// The month's spend savings are a share of: the account's latest month of usage in
    /// the price table's currency (`None` before any usage is imported).
    pub async fn advisor_spend(&self, account_id: &str) -> Result<Option<Decimal>, ServiceError> {
        let usage = self.store.usage_of(account_id).await?;
        let Some(latest) = usage.first().map(|u| u.month.clone()) else {
            return Ok(None);
        };
        Ok(usage
            .into_iter()
            .take_while(|u| u.month == latest)
            .find(|u| u.currency == self.advisor_prices.currency)
            .map(|u| u.amount))
    }

    /// A check the caller's plan includes; AWS's InvalidParameterValue otherwise.
    fn visible_check(&self, caller: &Caller, id: &str) -> Result<&'static CheckDef, ServiceError> {
        let def = check(id).ok_or_else(|| unknown_check(id))?;
        if checks_for(caller.plan.advisor_level()).any(|c| c.id == def.id) {
            Ok(def)
        } else {
            Err(ServiceError::invalid(
                Field::CheckId,
                Problem::NotOffered {
                    value: id.to_string(),
                    plan_name: caller.plan.name.clone(),
                    plan_id: caller.plan.id.clone(),
                    offered: Vec::new(),
                },
            ))
        }
    }

    /// The caller's view of checks (`None`: every check their plan includes).
    pub async fn advisor_views(
        &self,
        caller: &Caller,
        ids: Option<&[String]>,
    ) -> Result<Vec<CheckView>, ServiceError> {
        let defs: Vec<&'static CheckDef> = match ids {
            None => self.advisor_checks(caller),
            Some(ids) => ids
                .iter()
                .map(|id| self.visible_check(caller, id))
                .collect::<Result<_, _>>()?,
        };
        self.views_of(&caller.account.id, defs).await
    }

    /// An account's views of `defs`, with its suppressions.
    async fn views_of(
        &self,
        account: &str,
        defs: Vec<&'static CheckDef>,
    ) -> Result<Vec<CheckView>, ServiceError> {
        let mut results = self.results_by_check(account).await?;
        let mut suppressed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (check, resource) in self.store.suppressions(account).await? {
            suppressed.entry(check).or_default().insert(resource);
        }
        Ok(defs
            .into_iter()
            .map(|def| CheckView {
                check: def,
                result: results.remove(def.id),
                suppressed: suppressed.remove(def.id).unwrap_or_default(),
            })
            .collect())
    }

    /// Where an account's advisor stands, for its weekly summary: every check its plan
    /// includes, with its suppressions, and the findings opened and fixed since `since`.
    pub async fn advisor_standing(
        &self,
        account: &tierdesk_core::records::Account,
        since: Timestamp,
    ) -> Result<(Vec<CheckView>, Vec<Finding>), ServiceError> {
        let plan = self.current_plan(account).await?;
        let views = self
            .views_of(&account.id, checks_for(plan.advisor_level()).collect())
            .await?;
        let ids = [account.id.clone()];
        let changes = self
            .store
            .advisor_changes(since, Some(&ids), SUMMARY_CHANGES)
            .await?
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        Ok((views, changes))
    }

    /// One check's view.
    pub async fn advisor_view(&self, caller: &Caller, id: &str) -> Result<CheckView, ServiceError> {
        let ids = [id.to_string()];
        self.advisor_views(caller, Some(&ids))
            .await?
            .pop()
            .ok_or_else(|| unknown_check(id))
    }

    /// An account's stored results, by check.
    async fn results_by_check(
        &self,
        account_id: &str,
    ) -> Result<BTreeMap<String, CheckResult>, ServiceError> {
        Ok(self
            .store
            .results(account_id)
            .await?
            .into_iter()
            .map(|r| (r.result.check_id.clone(), r.result))
            .collect())
    }

    /// The account's stored results, when an operator's webhook takes the events of what
    /// a write changes in them (`None`: nobody does, and no event need be made).
    async fn told_before(
        &self,
        account_id: &str,
    ) -> Result<Option<BTreeMap<String, CheckResult>>, ServiceError> {
        if self
            .store
            .webhook_takes(crate::payloads::ADVISOR_CHECK_ITEM)
            .await?
        {
            Ok(Some(self.results_by_check(account_id).await?))
        } else {
            Ok(None)
        }
    }

    /// The webhook events of what `results` change in the account's stored ones, made
    /// only when an operator's webhook takes them.
    async fn changes_to_tell(
        &self,
        account_id: &str,
        results: &[StoredResult],
    ) -> Result<Vec<WebhookEvent>, ServiceError> {
        Ok(self
            .told_before(account_id)
            .await?
            .map(|before| item_events(account_id, &before, results))
            .unwrap_or_default())
    }

    /// Evaluates checks on an inventory as of now.
    fn evaluate_checks<'a>(
        &self,
        checks: impl Iterator<Item = &'a CheckDef>,
        inventory: &Inventory,
        now: Timestamp,
    ) -> Vec<StoredResult> {
        checks
            .filter_map(|c| evaluated(c, inventory, &self.advisor_prices, now))
            .collect()
    }

    /// Imports an account's inventory: replaces the one it had, evaluates every check its
    /// plan includes, and keeps both, in one transaction.
    pub async fn import_inventory(
        &self,
        who: &Who,
        account_id: &str,
        bundle: Bundle,
    ) -> Result<ImportSummary, ServiceError> {
        let account = self.account(account_id).await?;
        let plan = self.current_plan(&account).await?;
        let now = self.clock.now();
        let regions: Vec<String> = bundle
            .inventory
            .regions()
            .into_iter()
            .map(str::to_string)
            .collect();
        let checks: Vec<&'static CheckDef> = checks_for(plan.advisor_level())
            .filter(|c| c.computed())
            .collect();
        let audit = who.did(
            now,
            Action::InventoryImport,
            Some(&account.id),
            format!("account:{}", account.id),
            format!(
                "{} files, regions {}; {} checks",
                bundle.used,
                regions.join(", "),
                checks.len()
            ),
        );
        let stored = StoredInventory {
            imported: now,
            regions: regions.clone(),
            files: i64::try_from(bundle.used).unwrap_or(i64::MAX),
            facts: pack(&bundle.inventory)?,
        };
        let summary = std::sync::Arc::new(std::sync::Mutex::new(ImportSummary {
            account_id: account.id.clone(),
            files: bundle.used,
            ignored_files: bundle.ignored,
            regions,
            checks: checks.len(),
            processed: 0,
            by_status: BTreeMap::new(),
            flagged: 0,
        }));
        let before = self.told_before(&account.id).await?;
        // Each check is evaluated as the store writes the one before: one check's rows are
        // held at a time, not every check's (a large account's results are larger than
        // its facts).
        let inventory = bundle.inventory;
        let prices = self.advisor_prices.clone();
        let tally = summary.clone();
        let account_id = account.id.clone();
        let results = checks.into_iter().filter_map(move |c| {
            let stored = evaluated(c, &inventory, &prices, now)?;
            if let Ok(mut t) = tally.lock() {
                let result = &stored.result;
                t.processed += result.processed;
                t.flagged += result
                    .rows
                    .iter()
                    .filter(|row| row.status != Status::Ok)
                    .count() as u64;
                *t.by_status
                    .entry(result.status(|_| false).as_str())
                    .or_default() += 1;
            }
            let events = before
                .as_ref()
                .map(|b| item_events(&account_id, b, std::slice::from_ref(&stored)))
                .unwrap_or_default();
            Some((stored, events))
        });
        self.store
            .replace_inventory(&account.id, stored, Box::new(results), audit)
            .await?;
        let summary = summary
            .lock()
            .map(|s| s.clone())
            .map_err(|_| ServiceError::Internal("an import's tally was poisoned".into()))?;
        Ok(summary)
    }

    /// Imports an account's inventory for a staff member: admins for any account, TAMs
    /// for the accounts they reach; engineers do not change customers' inventories.
    pub async fn import_inventory_as(
        &self,
        agent: &tierdesk_core::records::Agent,
        who: &Who,
        account_id: &str,
        bundle: Bundle,
    ) -> Result<ImportSummary, ServiceError> {
        use tierdesk_core::records::Role;
        let allowed = match agent.role {
            Role::Admin => true,
            Role::Tam => self.reach(agent).await?.covers(account_id),
            Role::Agent => false,
        };
        if !allowed {
            return Err(ServiceError::Forbidden(format!(
                "{} may not import account {account_id}'s inventory (admins, and TAMs for their accounts, may)",
                agent.email
            )));
        }
        self.import_inventory(who, account_id, bundle).await
    }

    /// The advisor state of the accounts `agent` reaches (TAMs theirs, admins all), and
    /// the week's changes.
    pub async fn advisor_glance(
        &self,
        agent: &tierdesk_core::records::Agent,
    ) -> Result<AdvisorGlance, ServiceError> {
        let since = self
            .clock
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(7 * 24))
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let reach = self.reach(agent).await?;
        let accounts = self
            .store
            .advisor_overview(since)
            .await?
            .into_iter()
            .filter(|a| reach.covers(&a.account_id))
            .collect();
        let only = match &reach {
            crate::actor::Reach::Every => None,
            crate::actor::Reach::Only(ids) => Some(ids.as_slice()),
        };
        let changes = self
            .store
            .advisor_changes(since, only, GLANCE_CHANGES)
            .await?;
        Ok(AdvisorGlance {
            since,
            accounts,
            changes,
        })
    }

    /// The account's inventory: when imported, its regions and files.
    pub async fn inventory_summary(
        &self,
        account_id: &str,
    ) -> Result<Option<(Timestamp, Vec<String>, i64)>, ServiceError> {
        Ok(self.store.inventory_summary(account_id).await?)
    }

    /// Asks for a check's refresh: a job the advisor worker runs on the account's latest
    /// inventory. Checks AWS refreshes on its own refuse it.
    pub async fn refresh_check(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<RefreshState, ServiceError> {
        let def = self.visible_check(caller, id)?;
        if def.auto_refresh {
            return Err(ServiceError::invalid(
                Field::CheckId,
                Problem::Unrefreshable(def.id.to_string()),
            ));
        }
        let now = self.clock.now();
        let job = self
            .store
            .request_refresh(&caller.account.id, def.id, now, REFRESH_COOLDOWN)
            .await?;
        Ok(refresh_state(def.id, Some(&job), now))
    }

    /// The refresh state of checks.
    pub async fn refresh_states(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<RefreshState>, ServiceError> {
        let defs: Vec<&CheckDef> = ids
            .iter()
            .map(|id| self.visible_check(caller, id))
            .collect::<Result<_, _>>()?;
        let jobs = self.store.refreshes(&caller.account.id).await?;
        let now = self.clock.now();
        Ok(defs
            .into_iter()
            .map(|d| refresh_state(d.id, jobs.iter().find(|j| j.check_id == d.id), now))
            .collect())
    }

    /// Suppresses (or brings back) resources of a check for the caller's account.
    pub async fn suppress_resources(
        &self,
        caller: &Caller,
        who: &Who,
        id: &str,
        resource_ids: &[String],
        suppressed: bool,
    ) -> Result<(), ServiceError> {
        let def = self.visible_check(caller, id)?;
        let account = &caller.account.id;
        let known: BTreeSet<String> = self
            .store
            .result(account, def.id)
            .await?
            .map(|r| {
                r.result
                    .rows
                    .into_iter()
                    .map(|row| row.resource_id)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(bad) = resource_ids.iter().find(|r| !known.contains(*r)) {
            return Err(ServiceError::invalid(
                Field::ResourceId,
                Problem::Unknown(bad.clone()),
            ));
        }
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::AdvisorSuppress,
            Some(account),
            format!("check:{}", def.id),
            format!(
                "{} {} resource(s)",
                if suppressed {
                    "suppressed"
                } else {
                    "brought back"
                },
                resource_ids.len()
            ),
        );
        Ok(self
            .store
            .set_suppressed(
                account,
                def.id,
                resource_ids.to_vec(),
                suppressed,
                now,
                audit,
            )
            .await?)
    }

    /// What a check flagged on an account over time, newest first.
    pub async fn advisor_history(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<Vec<Finding>, ServiceError> {
        let def = check(id).ok_or_else(|| unknown_check(id))?;
        self.account(account_id).await?;
        Ok(self.store.findings(account_id, def.id).await?)
    }

    /// What a check flagged on the caller's account lately, newest change first: when
    /// each finding appeared and when it was fixed (the console's history).
    pub async fn recent_findings(
        &self,
        caller: &Caller,
        id: &str,
        max: i64,
    ) -> Result<Vec<Finding>, ServiceError> {
        let def = self.visible_check(caller, id)?;
        Ok(self
            .store
            .recent_findings(&caller.account.id, def.id, max)
            .await?)
    }

    /// Sets a check's results for an account, as the operator knows them (checks no
    /// inventory computes: exposed keys, reservations). Each row needs a resource id and a
    /// cell per column of the check.
    pub async fn set_advisor_result(
        &self,
        who: &Who,
        account_id: &str,
        id: &str,
        rows: Vec<ResultRow>,
    ) -> Result<CheckResult, ServiceError> {
        let def = check(id).ok_or_else(|| unknown_check(id))?;
        let account = self.account(account_id).await?;
        for row in &rows {
            if row.resource_id.trim().is_empty() {
                return Err(ServiceError::invalid(Field::ResourceId, Problem::Missing));
            }
            if !row.metadata.is_empty() && row.metadata.len() != def.metadata.len() {
                return Err(ServiceError::invalid(
                    Field::CheckId,
                    Problem::Malformed(format!(
                        "{}: a row has {} cells, the check has {} columns ({})",
                        def.id,
                        row.metadata.len(),
                        def.metadata.len(),
                        def.metadata.join(", ")
                    )),
                ));
            }
        }
        let now = self.clock.now();
        let result = CheckResult {
            check_id: def.id.to_string(),
            at: now,
            available: true,
            processed: rows.len() as u64,
            ignored: 0,
            rows,
        };
        let audit = who.did(
            now,
            Action::AdvisorResult,
            Some(&account.id),
            format!("check:{}", def.id),
            format!("{} resource(s)", result.rows.len()),
        );
        let results = vec![StoredResult {
            result: result.clone(),
            source: ResultSource::Operator,
        }];
        let events = self.changes_to_tell(&account.id, &results).await?;
        self.store
            .save_results(&account.id, results, events, None, Some(audit))
            .await?;
        Ok(result)
    }

    /// One pass of the advisor worker: runs waiting refreshes, and re-evaluates the
    /// accounts on a full-advisor plan whose results are older than `every`. Returns the
    /// jobs run.
    pub async fn advisor_tick(&self, every: Duration) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let stale = now.checked_sub(REFRESH_STALE).unwrap_or(now);
        let jobs = self.store.claim_refreshes(now, stale, 16).await?;
        let mut ran = jobs.len();
        for job in &jobs {
            let outcome = self.run_refresh(job, now).await;
            if let Err(e) = &outcome {
                tracing::warn!(account = %job.account_id, check = %job.check_id, error = %e, "an advisor refresh failed");
            }
            match self
                .store
                .finish_refresh(job, outcome.is_ok(), self.clock.now())
                .await
            {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let before = now.checked_sub(every).unwrap_or(now);
        for account_id in self.store.stale_advisor_accounts(before).await? {
            let account = self.account(&account_id).await?;
            let plan = self.current_plan(&account).await?;
            if plan.advisor_level() != AdvisorLevel::Full {
                continue;
            }
            let Some(stored) = self.store.inventory(&account_id).await? else {
                continue;
            };
            let inventory = unpack(&stored.facts)?;
            let results = self.evaluate_checks(checks_for(plan.advisor_level()), &inventory, now);
            let before = self.results_by_check(&account_id).await?;
            let events = self.changes_to_tell(&account_id, &results).await?;
            // The account's users hear where it stands, once per pass: the notice is
            // about the results the pass replaces, so two replicas write it once.
            let since = before
                .values()
                .map(|r| r.at)
                .max()
                .unwrap_or(stored.imported);
            let notice = self
                .notice(tierdesk_core::notice::NoticeKind::AdvisorSummary, now)
                .map(|n| (since.as_microsecond().to_string(), n));
            self.store
                .save_results(&account_id, results, events, notice, None)
                .await?;
            ran += 1;
        }
        Ok(ran)
    }

    async fn run_refresh(&self, job: &Refresh, now: Timestamp) -> Result<(), ServiceError> {
        let def = check(&job.check_id).ok_or_else(|| unknown_check(&job.check_id))?;
        let Some(stored) = self.store.inventory(&job.account_id).await? else {
            // Nothing to evaluate: the check stays not available, and the refresh is done.
            return Ok(());
        };
        let inventory = unpack(&stored.facts)?;
        let results = self.evaluate_checks(std::iter::once(def), &inventory, now);
        let events = self.changes_to_tell(&job.account_id, &results).await?;
        self.store
            .save_results(&job.account_id, results, events, None, None)
            .await?;
        Ok(())
    }

    /// Runs the advisor worker for ever: refreshes within `tick`, weekly (or `every`)
    /// re-evaluation. Jobs are claimed, so every replica may run it.
    pub async fn run_advisor_worker(self, tick: Duration, every: Duration) {
        crate::repeat::every(tick, 16, "advisor", || async {
            self.advisor_tick(every).await
        })
        .await;
    }
}

impl App {
    /// Estimates savings with `prices` from now on.
    pub fn with_advisor_prices(mut self, prices: Prices) -> App {
        self.advisor_prices = std::sync::Arc::new(prices);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_kept_compressed_and_read_back_plain_or_packed() {
        let mut inv = Inventory::default();
        let body = br#"{"Addresses": [{"PublicIp": "203.0.113.9"}]}"#;
        assert_eq!(
            inv.add("us-east-1/ec2.describe-addresses.json", body),
            Ok(true)
        );
        let packed = pack(&inv).unwrap_or_default();
        assert!(packed.starts_with(PACKED));
        let back = unpack(&packed).map(|i| i.to_json()).unwrap_or_default();
        assert_eq!(back, inv.to_json());
        let plain = unpack(&inv.to_json())
            .map(|i| i.to_json())
            .unwrap_or_default();
        assert_eq!(plain, inv.to_json());
        assert!(unpack("gz1:not base64!").is_err());
    }

    #[test]
    fn levels_choose_checks() {
        assert_eq!(checks_for(AdvisorLevel::None).count(), 0);
        let core: Vec<&str> = checks_for(AdvisorLevel::Core).map(|c| c.id).collect();
        assert!(core.contains(&"HCP4007jGY") && core.contains(&"qS7VV0l7J9"));
        assert!(!core.contains(&"1iG5NDGVre"));
        assert_eq!(checks_for(AdvisorLevel::Full).count(), CHECKS.len());
    }

    #[test]
    fn a_status_change_is_an_eventbridge_event_keyed_by_the_result_it_changes() {
        let t0: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap_or_default();
        let t1: Timestamp = "2026-11-29T00:00:00Z".parse().unwrap_or_default();
        let row = |id: &str, status| ResultRow {
            resource_id: id.into(),
            key: format!("us-east-1|{id}"),
            status,
            region: Some("us-east-1".into()),
            metadata: vec![Some("us-east-1".into()), Some(id.into())],
            savings: Decimal::ZERO,
        };
        let result = |at, rows| CheckResult {
            check_id: "Z4AUBRNSmz".into(),
            at,
            available: true,
            processed: 3,
            ignored: 0,
            rows,
        };
        let before: BTreeMap<String, CheckResult> = [(
            "Z4AUBRNSmz".to_string(),
            result(
                t0,
                vec![
                    row("same", Status::Warning),
                    row("worse", Status::Warning),
                    row("gone", Status::Warning),
                    row("fine", Status::Ok),
                ],
            ),
        )]
        .into();
        let after = [StoredResult {
            result: result(
                t1,
                vec![
                    row("same", Status::Warning),
                    row("worse", Status::Error),
                    row("new", Status::Warning),
                    row("fine", Status::Ok),
                ],
            ),
            source: ResultSource::Inventory,
        }];
        let events = item_events("111122223333", &before, &after);
        let said: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                let v: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
                (
                    v["detail"]["check-item-detail"]["IP Address"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    v["detail"]["status"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        let said: BTreeSet<(String, String)> = said.into_iter().collect();
        let want: BTreeSet<(String, String)> =
            [("worse", "ERROR"), ("new", "WARN"), ("gone", "OK")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        assert_eq!(said, want);
        assert!(events.iter().all(|e| e.event_type == "advisor.check-item"));
        // The same change from the same result has the same key; from a later one, not.
        assert_eq!(item_events("111122223333", &before, &after), events);
        let later: BTreeMap<String, CheckResult> = after
            .iter()
            .map(|s| (s.result.check_id.clone(), s.result.clone()))
            .collect();
        assert!(item_events("111122223333", &later, &after).is_empty());
        // A first evaluation tells of what it flags.
        assert_eq!(
            item_events("111122223333", &BTreeMap::new(), &after).len(),
            3
        );
    }

    #[test]
    fn refresh_states_follow_the_job() {
        let t0: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap_or_default();
        let job = Refresh {
            account_id: "1".into(),
            check_id: "x".into(),
            requested: t0,
            started: None,
            finished: None,
            succeeded: None,
        };
        let at = |secs: i64| {
            t0.checked_add(jiff::SignedDuration::from_secs(secs))
                .unwrap_or(t0)
        };
        assert_eq!(refresh_state("x", None, t0).status, "none");
        let s = refresh_state("x", Some(&job), at(8));
        assert_eq!((s.status, s.millis_until_next), ("enqueued", 3_592_000));
        let running = Refresh {
            started: Some(at(1)),
            ..job.clone()
        };
        assert_eq!(
            refresh_state("x", Some(&running), at(2)).status,
            "processing"
        );
        let done = Refresh {
            finished: Some(at(3)),
            succeeded: Some(true),
            ..running.clone()
        };
        assert_eq!(
            refresh_state("x", Some(&done), at(4000)).millis_until_next,
            0
        );
        let failed = Refresh {
            finished: Some(at(3)),
            succeeded: Some(false),
            ..running
        };
        assert_eq!(refresh_state("x", Some(&failed), at(4)).status, "abandoned");
    }
}
