//! Urgent escalations under a plan's monthly quota (Alibaba's 加急): a customer asks for
//! one on their case, or an agent requests one on the customer's behalf; either way it
//! spends the account's quota and starts a target that support must meet within the
//! escalation time, counted on the case's clock.

use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::CaseTarget;
use tierdesk_core::time::month_in;
use tierdesk_store::{NewEscalation, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::error::Refusal;
use crate::{App, ServiceError};

/// The result of an escalation: the target it started and the month's quota.
#[derive(Debug, Clone)]
pub struct Escalated {
    pub target: CaseTarget,
    pub used: i64,
    pub per_month: u32,
}

impl App {
    pub async fn escalate(
        &self,
        actor: Actor<'_>,
        who: &Who,
        case_id: &str,
    ) -> Result<Escalated, ServiceError> {
        if let Actor::Customer(caller) = actor {
            self.require_api(caller)?;
        }
        let case = self.case_for(actor, case_id).await?;
        let plan = self.catalog.plan(&case.plan_id).ok_or_else(|| {
            ServiceError::Internal(format!("case on unknown plan {}", case.plan_id))
        })?;
        let Some(quota) = &plan.urgent_escalation else {
            return Err(ServiceError::Refused(Refusal::NoUrgentEscalations {
                plan_name: plan.name.clone(),
                plan_id: plan.id.clone(),
            }));
        };
        let account = self.case_account(actor, &case).await?;
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
        // The customer's own request, or an agent's on their behalf: either spends the
        // account's quota, and the target says whose it was.
        let target = CaseTarget {
            requested_by: Some(actor.submitted_by()),
            ..target
        };
        let month = month_in(now, &account.timezone);
        let result = self
            .store
            .escalate(
                NewEscalation {
                    display_id: case.display_id,
                    account_id: account.id.clone(),
                    month: month.clone(),
                    per_month: i64::from(quota.per_month),
                    target: target.clone(),
                },
                who.did(
                    now,
                    Action::CaseEscalate,
                    Some(&account.id),
                    tierdesk_core::audit::case_target(&case.case_id),
                    format!("answer due {}", target.due),
                ),
            )
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
