//! A case's status: a customer resolves their case (ResolveCase); an agent sets the
//! statuses agents may set. What each does to the SLA targets is
//! `tierdesk_core::sla::targets`'s to say.

use tierdesk_core::notice::NoticeKind;
use tierdesk_core::records::{Agent, CaseStatus};
use tierdesk_store::{StatusChange, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::auth::Caller;
use crate::error::Field;
use crate::validate::{parse_status, required};
use crate::{App, ServiceError};

impl App {
    pub async fn resolve_case(
        &self,
        caller: &Caller,
        who: &Who,
        case_id: Option<String>,
    ) -> Result<(CaseStatus, CaseStatus), ServiceError> {
        self.require_api(caller)?;
        let case_id = required(Field::CaseId, &case_id)?;
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::CaseResolve,
            Some(&caller.account.id),
            tierdesk_core::audit::case_target(case_id),
            "resolved",
        );
        self.store
            .resolve_case(
                &caller.account.id,
                case_id,
                now,
                self.notice(NoticeKind::CaseResolved, now),
                audit,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}"))
                }
                e => e.into(),
            })
    }
}

impl App {
    /// Sets a status an agent may set; returns the status before. Resolving stops every
    /// target; waiting on the customer stops the periodic updates.
    pub async fn set_case_status(
        &self,
        agent: &Agent,
        who: &Who,
        case_id: &str,
        new_status: Option<&str>,
    ) -> Result<CaseStatus, ServiceError> {
        let new_status = parse_status(
            Some(new_status.unwrap_or_default()),
            &CaseStatus::SET_BY_AGENT,
        )?
        .ok_or_else(|| ServiceError::Internal("a named status parses to one".into()))?;
        let case = self.case_for(Actor::Agent(agent), case_id).await?;
        let now = self.clock.now();
        // Resolving included: `targets::on_status` treats it as a resolution.
        Ok(self
            .store
            .set_status(
                StatusChange {
                    display_id: case.display_id,
                    status: new_status,
                    at: now,
                    notice: match new_status {
                        CaseStatus::PendingCustomerAction => {
                            self.notice(NoticeKind::PendingReminder, now)
                        }
                        CaseStatus::Resolved => self.notice(NoticeKind::CaseResolved, now),
                        _ => None,
                    },
                },
                who.did(
                    now,
                    Action::CaseStatus,
                    Some(&case.account_id),
                    tierdesk_core::audit::case_target(&case.case_id),
                    format!("status {} → {}", case.status.as_str(), new_status.as_str()),
                ),
            )
            .await?)
    }
}
