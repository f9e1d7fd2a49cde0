//! The agents' side of the case list: the queue ordered by SLA deadline, a case with its
//! SLA state, account and TAM, its whole conversation (internal notes included), its
//! attachments, and assignment.

use jiff::Timestamp;
use tierdesk_core::records::{
    Account, Agent, Attachment, Case, CaseStatus, CaseTarget, Communication, SlaEvent,
};
use tierdesk_core::time::to_micros;
use tierdesk_store::{
    Assignee, CaseQuery, CaseScope, CommunicationQuery, Page, QueueQuery, StoreError,
};

use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::error::{Field, Problem};
use crate::validate::{page_size_within, parse_status, search_text};
use crate::{App, ServiceError, cursor};

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
    /// Only cases whose customer awaits support's answer (their message is the newest).
    pub awaiting: bool,
    /// Only these accounts' cases (a TAM's accounts).
    pub accounts: Option<Vec<String>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Staff's search over every case they reach, resolved ones included; every part is
/// optional (none lists every case, newest first).
#[derive(Debug, Clone, Default)]
pub struct FindCases {
    /// Words of the subject, the messages (internal notes too), the people on the case,
    /// its id; or a case number.
    pub text: Option<String>,
    /// Only this account's cases.
    pub account: Option<String>,
    pub status: Option<String>,
    pub severity: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The most entries a case page's trail shows, newest kept.
const TRAIL: i64 = 500;

/// What a case page's trail shows: what staff and the customer did to the case besides
/// writing (the store picks them, so messages and reads never crowd them out).
const TRAIL_ACTIONS: &[Action] = &[
    Action::CaseStatus,
    Action::CaseResolve,
    Action::CaseAssign,
    Action::CaseEscalate,
];

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
    /// What staff and the customer did to the case besides writing: status changes,
    /// resolutions, assignments, escalations (newest last).
    pub trail: Vec<tierdesk_core::audit::AuditEntry>,
    pub now: Timestamp,
    /// Open time left on the running target's own clock (business seconds for
    /// business-hours targets), 0 once past due.
    pub business_seconds_left: Option<i64>,
}

impl CaseSla {
    /// The target the case is waiting on now (earliest deadline), if any.
    pub fn running(&self) -> Option<&CaseTarget> {
        tierdesk_core::sla::targets::waiting_on(&self.targets)
    }

    /// Whether any target was or is being missed.
    pub fn breached(&self) -> bool {
        self.targets.iter().any(|t| t.missed(self.now))
    }
}

impl App {
    /// Open cases, the earliest deadline first.
    pub async fn queue(
        &self,
        agent: &Agent,
        f: QueueFilter,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        let limit = page_size_within(f.limit, 50, 1..=500)?;
        let status = parse_status(f.status.as_deref(), &CaseStatus::ALL)?;
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
            if f.awaiting { "w" } else { "" },
            &f.accounts.as_deref().unwrap_or_default().join(","),
        ]);
        let now = self.clock.now();
        let q = QueueQuery {
            plan: f.plan,
            severity: f.severity,
            language: f.language,
            status,
            assignee,
            breaching_at: f.breaching.then_some(now),
            awaiting: f.awaiting,
            // Staff see only the cases they reach, whatever the filter asks.
            accounts: self.reach(agent).await?.narrow(f.accounts),
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
                let due = c.queue_key().map_or(i64::MAX, to_micros);
                cursor::encode("queue", due, c.display_id, fp)
            })
        } else {
            None
        };
        Ok((items, next))
    }
}

impl App {
    /// Staff's case search: newest first, a page at a time, only the accounts the agent
    /// reaches (a TAM's own), with a cursor to the next page (never a silent cut-off).
    pub async fn find_cases(
        &self,
        agent: &Agent,
        f: FindCases,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        let limit = page_size_within(f.limit, 50, 1..=500)?;
        let status = parse_status(f.status.as_deref(), &CaseStatus::ALL)?;
        let text = search_text(f.text.as_deref())?;
        let account = f
            .account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let fp = cursor::fingerprint(&[
            text.unwrap_or(""),
            account.unwrap_or(""),
            f.status.as_deref().unwrap_or(""),
            f.severity.as_deref().unwrap_or(""),
        ]);
        let reach = self.reach(agent).await?;
        let scope = match (reach.narrow(account.map(|a| vec![a.to_string()])), account) {
            (None, None) => CaseScope::Everyone,
            (None, Some(a)) => CaseScope::Account(a.to_string()),
            (Some(ids), _) => CaseScope::Accounts(ids),
        };
        let query = CaseQuery {
            scope,
            include_resolved: true,
            severity: f.severity.clone(),
            status,
            search: text.map(str::to_string),
            with_internal: true,
            limit,
            ..Default::default()
        };
        self.newest_cases_page(query, f.cursor.as_deref(), "find", fp)
            .await
    }

    /// A case with its SLA state.
    pub async fn case_sla(&self, agent: &Agent, case_id: &str) -> Result<CaseSla, ServiceError> {
        // One read for all of it: a reply answers with this page, and waited for six.
        let trail = tierdesk_store::TrailQuery {
            actions: TRAIL_ACTIONS,
            limit: TRAIL,
        };
        let page = match self.store.case_page(case_id, &trail).await? {
            Some(page) if self.reach(agent).await?.covers(&page.case.account_id) => page,
            _ => return Err(Actor::Agent(agent).no_case(case_id)),
        };
        let tierdesk_store::CasePage {
            case,
            account,
            targets,
            events,
            mut trail,
            tam,
        } = page;
        let account = account
            .ok_or_else(|| ServiceError::NotFound(format!("no account {}", case.account_id)))?;
        trail.reverse();
        let mut sla = CaseSla {
            plan_name: self.catalog.plan(&case.plan_id).map(|p| p.name.clone()),
            tam,
            case,
            account,
            targets,
            events,
            trail,
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
        agent: &Agent,
        who: &Who,
        case_id: &str,
        attachment_id: &str,
    ) -> Result<Attachment, ServiceError> {
        let case = self.case_for(Actor::Agent(agent), case_id).await?;
        let file = self
            .store
            .attachment(&case.account_id, attachment_id)
            .await?
            .ok_or_else(|| {
                ServiceError::AttachmentNotFound(format!("no attachment {attachment_id}"))
            })?;
        // Recorded before the file is handed over: no staff read goes unlogged.
        self.store
            .record_audit(who.did(
                self.clock.now(),
                Action::AttachmentRead,
                Some(&case.account_id),
                tierdesk_core::audit::case_target(&case.case_id),
                format!(
                    "{attachment_id} {}{}",
                    file.file_name,
                    if file.internal {
                        " (internal note)"
                    } else {
                        ""
                    }
                ),
            ))
            .await?;
        Ok(file)
    }

    /// The whole conversation, internal notes included, oldest first. Reading internal
    /// notes is recorded in the audit log.
    pub async fn case_conversation(
        &self,
        agent: &Agent,
        who: &Who,
        case_id: &str,
    ) -> Result<Vec<Communication>, ServiceError> {
        let actor = Actor::Agent(agent);
        let case = self.case_for(actor, case_id).await?;
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
                .ok_or_else(|| actor.no_case(case_id))?;
            cursor = page.items.last().map(|m| (to_micros(m.created), m.id));
            all.extend(page.items);
            if !page.more {
                break;
            }
        }
        all.reverse();
        let notes = all.iter().filter(|m| m.internal).count();
        if notes > 0 {
            self.store
                .record_audit(who.did(
                    self.clock.now(),
                    Action::NotesRead,
                    Some(&case.account_id),
                    tierdesk_core::audit::case_target(&case.case_id),
                    format!("{notes} internal notes"),
                ))
                .await?;
        }
        Ok(all)
    }
}

impl App {
    /// Assigns a case to an agent by id, to the acting agent (`me`, as the queue's filter
    /// says it), or to nobody (`None`).
    pub async fn assign_case(
        &self,
        agent: &Agent,
        who: &Who,
        case_id: &str,
        assignee: Option<&str>,
    ) -> Result<(), ServiceError> {
        let assignee = assignee.map(|a| if a == "me" { agent.id.as_str() } else { a });
        let case = self.case_for(Actor::Agent(agent), case_id).await?;
        let audit = who.did(
            self.clock.now(),
            Action::CaseAssign,
            Some(&case.account_id),
            tierdesk_core::audit::case_target(&case.case_id),
            match assignee {
                Some(a) => format!("assigned to {a}"),
                None => "unassigned".into(),
            },
        );
        match self
            .store
            .assign(case.display_id, assignee.map(String::from), audit)
            .await
        {
            Err(StoreError::NotFound) => Err(ServiceError::invalid(
                Field::Assignee,
                Problem::Unknown(assignee.unwrap_or_default().to_string()),
            )),
            other => Ok(other?),
        }
    }
}
