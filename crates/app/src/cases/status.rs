//! A case's status: a customer resolves their case (ResolveCase); an agent sets the
//! statuses agents may set. What each does to the SLA targets is
//! `tierdesk_core::sla::targets`'s to say.

use tierdesk_core::records::{Agent, status};
use tierdesk_store::{StatusChange, StoreError};

use crate::actor::Actor;
use crate::auth::Caller;
use crate::error::Field;
use crate::validate::required;
use crate::{App, ServiceError};

impl App {
    pub async fn resolve_case(
        &self,
        caller: &Caller,
        case_id: Option<String>,
    ) -> Result<(String, String), ServiceError> {
        self.require_api(caller)?;
        let case_id = required(Field::CaseId, &case_id)?;
        self.store
            .resolve_case(&caller.account.id, case_id, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}"))
                }
                e => e.into(),
            })
    }
}

/// The statuses an agent may set (customers' replies set the others).
pub const AGENT_STATUSES: [&str; 3] = [
    status::WORK_IN_PROGRESS,
    status::PENDING_CUSTOMER_ACTION,
    status::RESOLVED,
];

impl App {
    /// Sets a status an agent may set; returns the status before. Resolving stops every
    /// target; waiting on the customer stops the periodic updates.
    pub async fn set_case_status(
        &self,
        agent: &Agent,
        case_id: &str,
        new_status: Option<&str>,
    ) -> Result<String, ServiceError> {
        let new_status = new_status.unwrap_or_default();
        let Some(new_status) = AGENT_STATUSES.iter().copied().find(|s| *s == new_status) else {
            return Err(ServiceError::Validation(format!(
                "status must be one of {}, not '{new_status}'",
                AGENT_STATUSES.join(", ")
            )));
        };
        let case = self.case_for(Actor::Agent(agent), case_id).await?;
        let now = self.clock.now();
        // Resolving included: `targets::on_status` treats it as a resolution.
        Ok(self
            .store
            .set_status(StatusChange {
                display_id: case.display_id,
                status: new_status,
                at: now,
            })
            .await?)
    }
}
