//! Who acts on a case, and which cases they reach: the one place that decides it. A
//! customer (an account's caller, through the AWS API or the console) reaches only their
//! account's cases, and another account's case answers exactly like one that does not
//! exist; support agents work every account's cases.

use tierdesk_core::records::{Agent, Attachment, Case};

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

impl App {
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
            Actor::Agent(_) => self.store.case_by_id(case_id).await?,
        };
        found.ok_or_else(|| actor.no_case(case_id))
    }
}
