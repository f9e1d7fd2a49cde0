//! Who acts on a case, and which cases they reach: the one place that decides it, for
//! every surface (AWS endpoint, operator API, console).
//!
//! - A customer (an account's caller, through the AWS API or the console) reaches only
//!   their account's cases.
//! - Support engineers work every account's cases, unless an admin limited them to named
//!   accounts (`tierdesk agent scope`).
//! - TAMs reach only the accounts they manage.
//! - Admins reach every account.
//!
//! A case out of reach answers exactly like one that does not exist.

use std::borrow::Cow;
use tierdesk_core::audit::{ActorKind, Who};

use tierdesk_core::records::{Account, Agent, Attachment, Case, Role};

use crate::auth::{Caller, Via};
use crate::{App, ServiceError};

/// Who acts on a case.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Customer(&'a Caller),
    Agent(&'a Agent),
}

impl Actor<'_> {
    /// How the actor signs a message: `principal <account>` for customers (as AWS shows
    /// them), `name (support)` for agents.
    pub fn submitted_by(&self) -> String {
        match self {
            Actor::Customer(c) => format!("{} <{}>", c.principal, c.account.id),
            Actor::Agent(a) => format!("{} (support)", a.name),
        }
    }

    /// Whether the actor may read a file of a case it reaches: customers never read the
    /// files of internal notes, by any route.
    pub fn may_read(&self, file: &Attachment) -> bool {
        match self {
            Actor::Customer(_) => !file.internal,
            Actor::Agent(_) => true,
        }
    }

    /// The error for a case this actor cannot reach, worded for its side.
    pub(crate) fn no_case(&self, case_id: &str) -> ServiceError {
        match self {
            Actor::Customer(_) => ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}")),
            Actor::Agent(_) => ServiceError::CaseNotFound(format!("no case {case_id}")),
        }
    }
}

/// How the audit log names a customer: their access key on the AWS API, their email in the
/// console.
pub fn customer_who(caller: &Caller, address: Option<String>) -> Who {
    match caller.via {
        Via::SupportApi => Who::new(ActorKind::AccessKey, &caller.access_key_id, address),
        Via::Console => Who::new(ActorKind::ConsoleUser, &caller.principal, address),
    }
}

/// How the audit log names a staff member acting through `kind` (a token or the console).
pub fn agent_who(agent: &Agent, kind: ActorKind, address: Option<String>) -> Who {
    Who::new(kind, &agent.email, address)
}

/// The audit log's name for whoever runs the command line: the operating-system user.
pub fn cli_who(os_user: Option<String>) -> Who {
    Who::new(
        ActorKind::Cli,
        os_user.unwrap_or_else(|| "cli".into()),
        None,
    )
}

/// The accounts a staff member reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Every,
    Only(Vec<String>),
}

impl Reach {
    pub fn covers(&self, account_id: &str) -> bool {
        match self {
            Reach::Every => true,
            Reach::Only(ids) => ids.iter().any(|a| a == account_id),
        }
    }

    /// `wanted` (a filter's accounts, `None` for all) narrowed to this reach.
    pub fn narrow(&self, wanted: Option<Vec<String>>) -> Option<Vec<String>> {
        match (self, wanted) {
            (Reach::Every, wanted) => wanted,
            (Reach::Only(ids), None) => Some(ids.clone()),
            (Reach::Only(_), Some(w)) => Some(w.into_iter().filter(|a| self.covers(a)).collect()),
        }
    }
}

impl App {
    /// The accounts `agent` reaches (read on every request, so a change holds at once).
    pub async fn reach(&self, agent: &Agent) -> Result<Reach, ServiceError> {
        Ok(match agent.role {
            Role::Admin => Reach::Every,
            Role::Tam => Reach::Only(self.store.tam_accounts(&agent.id).await?),
            Role::Agent => {
                let named = self.store.agent_accounts(&agent.id).await?;
                if named.is_empty() {
                    Reach::Every
                } else {
                    Reach::Only(named)
                }
            }
        })
    }

    /// The Support API gate: every API call, supported or not, passes it first (console
    /// users, who are not calling the API, pass on every plan).
    pub fn require_api(&self, caller: &Caller) -> Result<(), ServiceError> {
        if caller.plan.support_api || caller.via == Via::Console {
            Ok(())
        } else {
            Err(ServiceError::SubscriptionRequired(format!(
                "AWS Premium Support Subscription is required to use this service. \
                 Account {} is on the {} plan ({}), which does not include the Support API.",
                caller.account.id, caller.plan.name, caller.plan.id
            )))
        }
    }

    /// The case `case_id` as `actor` reaches it.
    pub(crate) async fn case_for(
        &self,
        actor: Actor<'_>,
        case_id: &str,
    ) -> Result<Case, ServiceError> {
        let found = match actor {
            Actor::Customer(caller) => self.store.case(&caller.account.id, case_id).await?,
            Actor::Agent(agent) => match self.store.case_by_id(case_id).await? {
                Some(case) if self.reach(agent).await?.covers(&case.account_id) => Some(case),
                _ => None,
            },
        };
        found.ok_or_else(|| actor.no_case(case_id))
    }

    /// The account of a case `case_for` gave `actor`: a customer's own (they reach no
    /// other), read for an agent.
    pub(crate) async fn case_account<'a>(
        &self,
        actor: Actor<'a>,
        case: &Case,
    ) -> Result<Cow<'a, Account>, ServiceError> {
        Ok(match actor {
            Actor::Customer(caller) => Cow::Borrowed(&caller.account),
            Actor::Agent(_) => Cow::Owned(self.account(&case.account_id).await?),
        })
    }
}
