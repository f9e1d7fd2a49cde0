//! The operator side: agents (support engineers, TAMs, admins), their API tokens, and the
//! work they do on any account's cases: the queue, replies, internal notes, status,
//! assignment and urgent escalations.

use jiff::Timestamp;
use tierdesk_core::account::check_language;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::{
    Account, Agent, Case, CaseTarget, Communication, Role, SlaEvent, status,
};
use tierdesk_core::time::to_micros;
use tierdesk_store::{
    Assignee, CommunicationQuery, NewAttachments, NewCommunication, NewEscalation, Page,
    QueueQuery, StatusChange, StoreError,
};

use crate::support::{NewFile, check_body, is_email};
use crate::{App, ServiceError, cursor, ids};

/// Agent tokens start with this, so secret scanners and people can tell them apart.
const TOKEN_PREFIX: &str = "tdat_";
/// The statuses an agent may set (customers' replies set the others).
pub const AGENT_STATUSES: [&str; 3] = [
    status::WORK_IN_PROGRESS,
    status::PENDING_CUSTOMER_ACTION,
    status::RESOLVED,
];

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub languages: Vec<String>,
    pub role: String,
}

/// A new agent and its API token, shown once (only its hash is stored).
#[derive(Debug, Clone)]
pub struct CreatedAgent {
    pub agent: Agent,
    pub token: String,
}

/// What the queue shows; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub plan: Option<String>,
    pub severity: Option<String>,
    pub language: Option<String>,
    pub status: Option<String>,
    /// `me`, `none` (unassigned) or an agent id.
    pub assignee: Option<String>,
    /// Only cases with a running target past its deadline.
    pub breaching: bool,
    /// Only these accounts' cases (a TAM's accounts).
    pub accounts: Option<Vec<String>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A case as an agent sees it: the case, its account, its targets and recorded events.
#[derive(Debug, Clone)]
pub struct CaseSla {
    pub case: Case,
    pub account: Account,
    pub plan_name: Option<String>,
    /// The account's technical account manager, if it has one.
    pub tam: Option<Agent>,
    pub targets: Vec<CaseTarget>,
    pub events: Vec<SlaEvent>,
    pub now: Timestamp,
    /// Open time left on the running target's own clock (business seconds for
    /// business-hours targets), 0 once past due.
    pub business_seconds_left: Option<i64>,
}

impl CaseSla {
    /// The target the case is waiting on now (earliest deadline), if any.
    pub fn running(&self) -> Option<&CaseTarget> {
        self.targets
            .iter()
            .filter(|t| t.stopped.is_none())
            .min_by_key(|t| t.due)
    }

    /// Whether any target was or is being missed.
    pub fn breached(&self) -> bool {
        self.targets.iter().any(|t| t.missed(self.now))
    }
}

/// The result of an escalation: the target it started and the month's quota.
#[derive(Debug, Clone)]
pub struct Escalated {
    pub target: CaseTarget,
    pub used: i64,
    pub per_month: u32,
}

fn not_found(case_id: &str) -> ServiceError {
    ServiceError::CaseNotFound(format!("no case {case_id}"))
}

impl App {
    /// Creates an agent and its API token.
    pub async fn create_agent(&self, new: NewAgent) -> Result<CreatedAgent, ServiceError> {
        let email = new.email.trim().to_lowercase();
        if !is_email(&email) {
            return Err(ServiceError::Validation(format!(
                "'{}' is not an email address",
                new.email
            )));
        }
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(ServiceError::Validation(
                "the agent's name must be 1 to 200 printable characters".into(),
            ));
        }
        let mut languages = Vec::new();
        for l in &new.languages {
            let l = l.trim();
            check_language(l).map_err(ServiceError::Validation)?;
            if !languages.iter().any(|x: &String| x == l) {
                languages.push(l.to_string());
            }
        }
        if languages.is_empty() {
            languages.push("en".into());
        }
        let role = Role::parse(&new.role).ok_or_else(|| {
            ServiceError::Validation(format!(
                "role '{}' is not one of agent, tam, admin",
                new.role
            ))
        })?;
        let agent = Agent {
            id: ids::agent_id()?,
            email,
            name: name.to_string(),
            languages,
            role,
            created: self.clock.now(),
        };
        let token = ids::token(TOKEN_PREFIX)?;
        match self
            .store
            .insert_agent(agent.clone(), ids::token_hash(&token))
            .await
        {
            Err(StoreError::AlreadyExists) => Err(ServiceError::Conflict(format!(
                "an agent with email {} exists",
                agent.email
            ))),
            other => other.map_err(ServiceError::from),
        }?;
        Ok(CreatedAgent { agent, token })
    }

    pub async fn agents(&self) -> Result<Vec<Agent>, ServiceError> {
        Ok(self.store.agents().await?)
    }

    /// The agent a bearer token belongs to.
    pub async fn authenticate_agent(&self, token: &str) -> Result<Agent, ServiceError> {
        let refused = || ServiceError::Unauthenticated("the bearer token is not valid".into());
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Err(refused());
        }
        self.store
            .agent_by_token(&ids::token_hash(token))
            .await?
            .ok_or_else(refused)
    }

    /// Open cases, the earliest deadline first.
    pub async fn queue(
        &self,
        agent: &Agent,
        f: QueueFilter,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        let limit = match f.limit {
            None => 50,
            Some(n) if (1..=500).contains(&n) => n,
            Some(n) => {
                return Err(ServiceError::Validation(format!(
                    "limit must be between 1 and 500, not {n}"
                )));
            }
        };
        if let Some(s) = &f.status
            && !status::ALL.contains(&s.as_str())
        {
            return Err(ServiceError::Validation(format!(
                "status '{s}' is not one of {}",
                status::ALL.join(", ")
            )));
        }
        let assignee = match f.assignee.as_deref() {
            None => None,
            Some("none") => Some(Assignee::Unassigned),
            Some("me") => Some(Assignee::Agent(agent.id.clone())),
            Some(id) => Some(Assignee::Agent(id.to_string())),
        };
        let fp = cursor::fingerprint(&[
            f.plan.as_deref().unwrap_or(""),
            f.severity.as_deref().unwrap_or(""),
            f.language.as_deref().unwrap_or(""),
            f.status.as_deref().unwrap_or(""),
            f.assignee.as_deref().unwrap_or(""),
            if f.breaching { "b" } else { "" },
            &f.accounts.as_deref().unwrap_or_default().join(","),
        ]);
        let now = self.clock.now();
        let q = QueueQuery {
            plan: f.plan,
            severity: f.severity,
            language: f.language,
            status: f.status,
            assignee,
            breaching_at: f.breaching.then_some(now),
            accounts: f.accounts,
            cursor: f
                .cursor
                .as_deref()
                .map(|t| cursor::decode(t, "queue", fp))
                .transpose()?,
            limit,
        };
        let Page { items, more } = self.store.queue(&q).await?;
        let next = if more {
            items.last().map(|c| {
                let due = c.sla_due.map_or(i64::MAX, to_micros);
                cursor::encode("queue", due, c.display_id, fp)
            })
        } else {
            None
        };
        Ok((items, next))
    }

    async fn case_for_agent(&self, case_id: &str) -> Result<Case, ServiceError> {
        self.store
            .case_by_id(case_id)
            .await?
            .ok_or_else(|| not_found(case_id))
    }

    /// A case with its SLA state.
    pub async fn case_sla(&self, case_id: &str) -> Result<CaseSla, ServiceError> {
        let case = self.case_for_agent(case_id).await?;
        let account = self.account(&case.account_id).await?;
        let targets = self.store.case_targets(case.display_id).await?;
        let events = self.store.sla_events(&case).await?;
        let mut sla = CaseSla {
            plan_name: self.catalog.plan(&case.plan_id).map(|p| p.name.clone()),
            tam: self.store.tam_of(&account.id).await?,
            case,
            account,
            targets,
            events,
            now: self.clock.now(),
            business_seconds_left: None,
        };
        if let Some(t) = sla.running() {
            let a = &sla.account;
            let schedule = self
                .schedule(&t.clock, &a.timezone, &a.country, &sla.case.language)
                .await?;
            sla.business_seconds_left = Some(schedule.open_between(sla.now, t.due));
        }
        Ok(sla)
    }

    /// An attachment of a case's account, for an agent working the case.
    pub async fn case_attachment(
        &self,
        case_id: &str,
        attachment_id: &str,
    ) -> Result<tierdesk_core::records::Attachment, ServiceError> {
        let case = self.case_for_agent(case_id).await?;
        self.store
            .attachment(&case.account_id, attachment_id)
            .await?
            .ok_or_else(|| {
                ServiceError::AttachmentNotFound(format!("no attachment {attachment_id}"))
            })
    }

    /// The whole conversation, internal notes included, oldest first.
    pub async fn case_conversation(
        &self,
        case_id: &str,
    ) -> Result<Vec<Communication>, ServiceError> {
        let case = self.case_for_agent(case_id).await?;
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .communications(&CommunicationQuery {
                    account_id: case.account_id.clone(),
                    case_id: case.case_id.clone(),
                    after: None,
                    before: None,
                    cursor,
                    limit: 500,
                    include_internal: true,
                })
                .await?
                .ok_or_else(|| not_found(case_id))?;
            cursor = page.items.last().map(|m| (to_micros(m.created), m.id));
            all.extend(page.items);
            if !page.more {
                break;
            }
        }
        all.reverse();
        Ok(all)
    }

    /// A customer-visible reply from support: it meets every running target and, where
    /// the plan promises periodic updates, starts the next one.
    pub async fn reply(
        &self,
        agent: &Agent,
        case_id: &str,
        body: Option<&str>,
    ) -> Result<(), ServiceError> {
        self.support_message(agent, case_id, body, false, Vec::new())
            .await
    }

    /// An internal note: agents see it, the customer never does, and no clock changes.
    pub async fn note(
        &self,
        agent: &Agent,
        case_id: &str,
        body: Option<&str>,
    ) -> Result<(), ServiceError> {
        self.support_message(agent, case_id, body, true, Vec::new())
            .await
    }

    /// A reply (or, `internal`, a note) from support, with files attached under the same
    /// limits as a customer's attachments; the files belong to the case's account.
    pub async fn support_message(
        &self,
        agent: &Agent,
        case_id: &str,
        body: Option<&str>,
        internal: bool,
        files: Vec<NewFile>,
    ) -> Result<(), ServiceError> {
        let body = check_body(body)?;
        let files = if files.is_empty() {
            Vec::new()
        } else {
            self.checked_files(files)?
        };
        let case = self.case_for_agent(case_id).await?;
        let now = self.clock.now();
        let attachment_set = if files.is_empty() {
            None
        } else {
            let (set, _) = self
                .store
                .add_attachments(NewAttachments {
                    account_id: case.account_id.clone(),
                    existing_set: None,
                    new_set_id: ids::attachment_set_id()?,
                    files,
                    max_per_set: self.limits.attachments_per_set as i64,
                    lifetime: self.limits.attachment_set_lifetime,
                    at: now,
                })
                .await?;
            Some(set)
        };
        let follow_up = if internal || case.status == status::RESOLVED {
            None
        } else {
            let account = self.account(&case.account_id).await?;
            self.follow_up_target(&account, &case, TargetKind::Update, now)
                .await?
        };
        self.store
            .add_communication(NewCommunication {
                account_id: case.account_id.clone(),
                case_id: case.case_id.clone(),
                body,
                submitted_by: format!("{} (support)", agent.name),
                from_support: true,
                internal,
                attachment_set,
                at: now,
                follow_up,
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_found(case_id),
                e => e.into(),
            })
    }

    /// Sets a status an agent may set; returns the status before.
    pub async fn set_case_status(
        &self,
        case_id: &str,
        new_status: Option<&str>,
    ) -> Result<String, ServiceError> {
        let new_status = new_status.unwrap_or_default();
        if !AGENT_STATUSES.contains(&new_status) {
            return Err(ServiceError::Validation(format!(
                "status must be one of {}, not '{new_status}'",
                AGENT_STATUSES.join(", ")
            )));
        }
        let case = self.case_for_agent(case_id).await?;
        let now = self.clock.now();
        if new_status == status::RESOLVED {
            let (before, _) = self
                .store
                .resolve_case(&case.account_id, &case.case_id, now)
                .await?;
            return Ok(before);
        }
        // Waiting on the customer: no updates are owed meanwhile.
        let stop = if new_status == status::PENDING_CUSTOMER_ACTION {
            vec![TargetKind::Update]
        } else {
            Vec::new()
        };
        Ok(self
            .store
            .set_status(StatusChange {
                display_id: case.display_id,
                status: new_status.to_string(),
                stop,
                at: now,
            })
            .await?)
    }

    /// Assigns a case to an agent (`None` unassigns it).
    /// Assigns a case to an agent by id, to the acting agent (`me`, as the queue's filter
    /// says it), or to nobody (`None`).
    pub async fn assign_case(
        &self,
        agent: &Agent,
        case_id: &str,
        assignee: Option<&str>,
    ) -> Result<(), ServiceError> {
        let assignee = assignee.map(|a| if a == "me" { agent.id.as_str() } else { a });
        let case = self.case_for_agent(case_id).await?;
        match self
            .store
            .assign(case.display_id, assignee.map(String::from))
            .await
        {
            Err(StoreError::NotFound) => Err(ServiceError::Validation(format!(
                "no agent {}",
                assignee.unwrap_or_default()
            ))),
            other => Ok(other?),
        }
    }

    /// An urgent escalation under the plan's monthly quota (Alibaba's 加急): support
    /// must answer within the escalation time, counted on the case's clock.
    pub async fn escalate_case(&self, case_id: &str) -> Result<Escalated, ServiceError> {
        let case = self.case_for_agent(case_id).await?;
        let plan = self.catalog.plan(&case.plan_id).ok_or_else(|| {
            ServiceError::Internal(format!("case on unknown plan {}", case.plan_id))
        })?;
        let Some(quota) = &plan.urgent_escalation else {
            return Err(ServiceError::Validation(format!(
                "the {} plan ({}) has no urgent escalations",
                plan.name, plan.id
            )));
        };
        let account = self.account(&case.account_id).await?;
        let now = self.clock.now();
        let clock = case
            .first_response
            .as_ref()
            .map_or(tierdesk_core::catalog::CONTINUOUS, |f| f.clock.as_str());
        let target = self
            .start_target(
                &account,
                &case.language,
                (TargetKind::Escalation, clock, quota.within_minutes),
                now,
            )
            .await?;
        let month = crate::admin::month_in(now, &account.timezone);
        let result = self
            .store
            .escalate(NewEscalation {
                display_id: case.display_id,
                account_id: account.id.clone(),
                month: month.clone(),
                per_month: i64::from(quota.per_month),
                target: target.clone(),
            })
            .await;
        match result {
            Ok(used) => Ok(Escalated {
                target,
                used,
                per_month: quota.per_month,
            }),
            Err(StoreError::QuotaExhausted) => Err(ServiceError::Conflict(format!(
                "account {} has used its {} urgent escalations for {month}",
                account.id, quota.per_month
            ))),
            Err(StoreError::AlreadyExists) => Err(ServiceError::Conflict(format!(
                "case {case_id} is already escalated and awaiting support's answer"
            ))),
            Err(StoreError::NotFound) => Err(ServiceError::Conflict(format!(
                "case {case_id} is resolved; a resolved case cannot be escalated"
            ))),
            Err(e) => Err(e.into()),
        }
    }
}
