//! Operator use cases: accounts, their plans and their API keys.

use jiff::civil::Date;
use tierdesk_core::account::{check_account_id, check_country, check_timezone};
use tierdesk_core::catalog::{FollowUp, Lifecycle, Plan};
use tierdesk_core::records::{AccessKey, Account, Agent, PlanAssignment};
use tierdesk_core::time::{month_in, today_in};
use tierdesk_store::StoreError;

use tierdesk_core::audit::{Action, Who};

use crate::error::{Field, Refusal};
use crate::validate::{check_language, check_line, search_text, well_formed};
use crate::{App, ServiceError, ids};

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub timezone: String,
    pub country: String,
    pub language: String,
    pub force: bool,
}

/// An account with its plan history and keys (secrets never included).
#[derive(Debug, Clone)]
pub struct AccountView {
    pub account: Account,
    /// The plan in force today.
    pub plan_id: String,
    /// That plan, if a loaded catalog defines it.
    pub plan: Option<Plan>,
    pub history: Vec<PlanAssignment>,
    pub keys: Vec<AccessKey>,
}

/// A key as shown once, at creation.
pub struct CreatedKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
}

impl App {
    fn plan_for_assignment(
        &self,
        plan_id: &str,
        today: Date,
        force: bool,
    ) -> Result<(&Plan, Vec<String>), ServiceError> {
        let plan = self.catalog.plan(plan_id).ok_or_else(|| {
            ServiceError::NotFound(format!(
                "no plan '{plan_id}' in the loaded catalogs (see `tierdesk plans list`)"
            ))
        })?;
        let mut warnings = Vec::new();
        match plan.lifecycle(today) {
            Lifecycle::OnSale => {}
            Lifecycle::NoLongerSold => warnings.push(format!(
                "plan {} ({}) has not been sold since {}; assigning it anyway, for migrating existing customers",
                plan.id,
                plan.name,
                plan.sold_until.map(|d| d.to_string()).unwrap_or_default()
            )),
            Lifecycle::Discontinued if force => warnings.push(format!(
                "plan {} ({}) was discontinued on {}; assigned because of --force",
                plan.id,
                plan.name,
                plan.discontinued_on.map(|d| d.to_string()).unwrap_or_default()
            )),
            Lifecycle::Discontinued => {
                return Err(ServiceError::Refused(Refusal::PlanDiscontinued {
                    plan_name: plan.name.clone(),
                    plan_id: plan.id.clone(),
                    on: plan.discontinued_on.map(|d| d.to_string()).unwrap_or_default(),
                }));
            }
        }
        Ok((plan, warnings))
    }

    /// Creates an account on a plan; returns warnings (e.g. a plan no longer sold).
    pub async fn create_account(
        &self,
        who: &Who,
        new: NewAccount,
    ) -> Result<Vec<String>, ServiceError> {
        well_formed(Field::AccountId, &new.id, check_account_id)?;
        well_formed(Field::Timezone, &new.timezone, check_timezone)?;
        well_formed(Field::Country, &new.country, check_country)?;
        check_language(Field::Language, &new.language)?;
        let name = check_line(Field::AccountName, &new.name, 200)?;
        let now = self.clock.now();
        let today = today_in(now, &new.timezone);
        let (plan, warnings) = self.plan_for_assignment(&new.plan, today, new.force)?;
        let account = Account {
            id: new.id.clone(),
            name: name.to_string(),
            timezone: new.timezone,
            country: new.country,
            language: new.language,
            created: now,
        };
        let first = PlanAssignment {
            account_id: new.id.clone(),
            plan_id: plan.id.clone(),
            effective_from: today,
            assigned_at: now,
            forced: new.force && plan.lifecycle(today) == Lifecycle::Discontinued,
        };
        let audit = who.did(
            now,
            Action::AccountCreate,
            Some(&new.id),
            format!("account:{}", new.id),
            format!("created on plan {}", plan.id),
        );
        match self.store.create_account(account, first, audit).await {
            Err(StoreError::AlreadyExists) => Err(ServiceError::Conflict(format!(
                "account {} already exists",
                new.id
            ))),
            other => other.map_err(ServiceError::from),
        }?;
        Ok(warnings)
    }

    /// Moves an account to another plan from `effective` on (default: today in its zone).
    /// The history keeps every earlier assignment.
    pub async fn set_plan(
        &self,
        who: &Who,
        account_id: &str,
        plan_id: &str,
        effective: Option<Date>,
        force: bool,
    ) -> Result<Vec<String>, ServiceError> {
        let account = self.account(account_id).await?;
        let now = self.clock.now();
        let today = today_in(now, &account.timezone);
        let from = effective.unwrap_or(today);
        // Lifecycle is judged on the day the plan takes effect.
        let (plan, warnings) = self.plan_for_assignment(plan_id, from.max(today), force)?;
        self.store
            .assign_plan(
                PlanAssignment {
                    account_id: account.id.clone(),
                    plan_id: plan.id.clone(),
                    effective_from: from,
                    assigned_at: now,
                    forced: force && plan.lifecycle(from.max(today)) == Lifecycle::Discontinued,
                },
                who.did(
                    now,
                    Action::AccountPlan,
                    Some(&account.id),
                    format!("account:{}", account.id),
                    format!("plan {} from {from}", plan.id),
                ),
            )
            .await?;
        Ok(warnings)
    }

    pub async fn account(&self, id: &str) -> Result<Account, ServiceError> {
        self.store
            .account(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no account {id}")))
    }

    pub async fn account_view(&self, id: &str) -> Result<AccountView, ServiceError> {
        let account = self.account(id).await?;
        let plan_id = self.current_assignment(&account).await?.plan_id;
        Ok(AccountView {
            plan: self.catalog.plan(&plan_id).cloned(),
            plan_id,
            history: self.store.plan_history(id).await?,
            keys: self.store.keys(id).await?,
            account,
        })
    }

    /// A page of accounts by id (after `after`), narrowed to those the agent `tam`
    /// manages and to ids starting with `text` or names containing it; and the id to
    /// continue after, if there are more.
    pub async fn find_account_views(
        &self,
        text: Option<&str>,
        tam: Option<&Agent>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<AccountView>, Option<String>), ServiceError> {
        let text = search_text(text)?;
        let page = self
            .store
            .find_accounts(text, tam.map(|a| a.id.as_str()), after, limit)
            .await?;
        let next = page
            .more
            .then(|| page.items.last().map(|a| a.id.clone()))
            .flatten();
        let mut views = Vec::with_capacity(page.items.len());
        for a in page.items {
            views.push(self.account_view(&a.id).await?);
        }
        Ok((views, next))
    }

    pub async fn account_views(&self) -> Result<Vec<AccountView>, ServiceError> {
        let mut out = Vec::new();
        for a in self.store.accounts().await? {
            out.push(self.account_view(&a.id).await?);
        }
        Ok(out)
    }

    /// Creates an access key. The secret is returned here once and stored only sealed.
    pub async fn create_key(
        &self,
        who: &Who,
        account_id: &str,
        principal: &str,
    ) -> Result<CreatedKey, ServiceError> {
        let account = self.account(account_id).await?;
        let principal = check_line(Field::Principal, principal, 128)?;
        let access_key_id = ids::access_key_id()?;
        let secret = ids::secret_access_key()?;
        self.store
            .insert_key(
                AccessKey {
                    secret_ciphertext: self
                        .master_key
                        .seal(secret.as_bytes(), access_key_id.as_bytes())?,
                    access_key_id: access_key_id.clone(),
                    account_id: account.id.clone(),
                    principal: principal.to_string(),
                    created: self.clock.now(),
                    revoked: None,
                },
                who.did(
                    self.clock.now(),
                    Action::KeyCreate,
                    Some(&account.id),
                    format!("key:{access_key_id}"),
                    format!("for principal {principal}"),
                ),
            )
            .await?;
        Ok(CreatedKey {
            access_key_id,
            secret_access_key: secret,
            account_id: account.id,
        })
    }

    pub async fn revoke_key(&self, who: &Who, access_key_id: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let account = self.store.key(access_key_id).await?.map(|k| k.account_id);
        let audit = who.did(
            now,
            Action::KeyRevoke,
            account.as_deref(),
            format!("key:{access_key_id}"),
            "revoked",
        );
        match self.store.revoke_key(access_key_id, now, audit).await {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(format!(
                "no active key {access_key_id}"
            ))),
            other => other.map_err(ServiceError::from),
        }
    }
}

/// What an account's plan includes and how much of this month's quotas it used.
#[derive(Debug, Clone)]
pub struct PlanOverview {
    pub plan: Plan,
    /// `YYYY-MM` in the account's zone.
    pub month: String,
    /// Each severity's first-response promise.
    pub targets: Vec<crate::deadlines::Promise>,
    /// Each severity's promise for answers after the first (empty when the plan's
    /// `follow_up` is untimed).
    pub follow_ups: Vec<crate::deadlines::FollowUpPromise>,
    /// (used, cap) when the plan caps cases.
    pub cases: Option<(i64, u32)>,
    /// (used, per month, answered within minutes) when the plan has urgent escalations.
    pub escalations: Option<(i64, u32, u32)>,
    /// Plans of the same provider on sale today, other than this one.
    pub upgrades: Vec<Plan>,
}

impl App {
    pub async fn plan_overview(&self, account: &Account) -> Result<PlanOverview, ServiceError> {
        let plan = self.current_plan(account).await?;
        let now = self.clock.now();
        let month = month_in(now, &account.timezone);
        let targets = self.promises(account, &plan, &account.language).await?;
        let follow_ups = match plan.follow_up {
            FollowUp::Untimed => Vec::new(),
            FollowUp::NextReply => self.follow_up_promises(account, &plan, &account.language),
        };
        let cases = match plan.monthly_case_cap {
            Some(cap) => Some((
                self.store.quota_used(&account.id, "cases", &month).await?,
                cap,
            )),
            None => None,
        };
        let escalations = match &plan.urgent_escalation {
            Some(e) => Some((
                self.store
                    .quota_used(&account.id, "urgent_escalation", &month)
                    .await?,
                e.per_month,
                e.within_minutes,
            )),
            None => None,
        };
        let today = today_in(now, &account.timezone);
        let upgrades = self
            .catalog
            .plans
            .iter()
            .filter(|p| {
                p.provider == plan.provider
                    && p.id != plan.id
                    && p.lifecycle(today) == Lifecycle::OnSale
            })
            .cloned()
            .collect();
        Ok(PlanOverview {
            plan,
            month,
            targets,
            follow_ups,
            cases,
            escalations,
            upgrades,
        })
    }
}
