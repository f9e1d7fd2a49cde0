//! Cases opened by monitoring: an account's integration tokens (made and revoked by the
//! operator or the account's users), and Alertmanager's notifications read with one. A
//! firing group opens a case (its severity from a label, placed on the account's plan),
//! or, while the group's case is open, writes on it; a resolved group adds a note, and
//! resolves the case when the token says so.
//!
//! A composer of use cases (like `demo` and `mail_in`): an alert becomes a case through
//! the cases' own `create_case`, `post_message` and `resolve_case`.

use sha2::Digest;
use tierdesk_core::alerts::{AlertGroup, AlertStatus};
use tierdesk_core::audit::{Action, ActorKind, Who};
use tierdesk_core::records::CaseStatus;
use tierdesk_store::{AlertClaim, IntegrationToken, StoreError};

use crate::actor::Actor;
use crate::auth::{Caller, Via};
use crate::cases::{CreateCase, Message};
use crate::error::{Field, Problem};
use crate::validate::check_line;
use crate::{App, ServiceError, ids};

pub const ALERTMANAGER: &str = "alertmanager";
const MAX_NAME_CHARS: usize = 100;
const DEFAULT_SEVERITY_LABEL: &str = "severity";

/// A token to make.
#[derive(Debug, Clone, Default)]
pub struct NewIntegration {
    pub account_id: String,
    pub name: String,
    /// The label that names a severity (default `severity`).
    pub severity_label: Option<String>,
    pub resolve_cases: bool,
}

/// A new token and its secret, shown once.
#[derive(Debug, Clone)]
pub struct CreatedIntegration {
    pub token: IntegrationToken,
    pub secret: String,
}

/// What a notification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertOutcome {
    /// A new case for the group.
    Opened { case_id: String },
    /// A message on the group's open case (it fires again, or it was resolved).
    Added { case_id: String },
    /// A note on the group's case, which is now resolved.
    Resolved { case_id: String },
    /// Nothing to do: a resolution for a group without an open case.
    Ignored,
}

/// A Prometheus label name.
fn check_label(label: &str) -> Result<(), ServiceError> {
    let mut chars = label.chars();
    let good = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && label.len() <= 100;
    if good {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            Field::SeverityLabel,
            Problem::Malformed(label.to_string()),
        ))
    }
}

/// The group key as stored: Alertmanager's can be long, its hash is not.
fn group_key(key: &str) -> String {
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

impl App {
    pub async fn create_integration(
        &self,
        who: &Who,
        new: NewIntegration,
    ) -> Result<CreatedIntegration, ServiceError> {
        let name = check_line(Field::IntegrationName, &new.name, MAX_NAME_CHARS)?.to_string();
        let label = new
            .severity_label
            .unwrap_or_else(|| DEFAULT_SEVERITY_LABEL.into());
        check_label(&label)?;
        let account = self.account(&new.account_id).await?;
        let secret = ids::token("tdim_")?;
        let token = IntegrationToken {
            id: ids::integration_id()?,
            account_id: account.id.clone(),
            kind: ALERTMANAGER.into(),
            name,
            severity_label: label,
            resolve_cases: new.resolve_cases,
            created: self.clock.now(),
            revoked: None,
        };
        let audit = who.did(
            token.created,
            Action::IntegrationCreate,
            Some(&account.id),
            format!("integration:{}", token.id),
            format!("{} \"{}\"", token.kind, token.name),
        );
        self.store
            .insert_integration(token.clone(), ids::token_hash(&secret), audit)
            .await?;
        Ok(CreatedIntegration { token, secret })
    }

    /// Every token, or one account's.
    pub async fn integrations(
        &self,
        account_id: Option<&str>,
    ) -> Result<Vec<IntegrationToken>, ServiceError> {
        Ok(self.store.integrations(account_id).await?)
    }

    /// Revokes a token; `account_id` keeps a customer to their own account's.
    pub async fn revoke_integration(
        &self,
        who: &Who,
        id: &str,
        account_id: Option<&str>,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::IntegrationRevoke,
            account_id,
            format!("integration:{id}"),
            "",
        );
        match self
            .store
            .revoke_integration(id, account_id, now, audit)
            .await
        {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(format!(
                "no live integration token {id}"
            ))),
            other => Ok(other?),
        }
    }

    /// The live token a bearer presents.
    pub async fn integration_by_token(
        &self,
        token: &str,
    ) -> Result<IntegrationToken, ServiceError> {
        match self
            .store
            .integration_by_token(&ids::token_hash(token))
            .await?
        {
            Some(t) if t.revoked.is_none() => Ok(t),
            _ => Err(ServiceError::Unauthenticated(
                "no valid integration token".into(),
            )),
        }
    }

    /// Reads one notification about an alert group with `token`'s account.
    pub async fn receive_alerts(
        &self,
        token: &IntegrationToken,
        group: AlertGroup,
    ) -> Result<AlertOutcome, ServiceError> {
        let account = self.account(&token.account_id).await?;
        let caller = Caller {
            plan: self.current_plan(&account).await?,
            principal: format!("{} (alertmanager)", token.name),
            access_key_id: String::new(),
            // A monitoring channel, not the Support API: every plan's cases are open to it.
            via: Via::Console,
            account,
        };
        let who = Who::new(ActorKind::Integration, token.id.clone(), None);
        let key = group_key(&group.group_key);
        let tz = caller.account.timezone.clone();
        // Twice at most: a replica that opened the group's case first makes this one write
        // on it instead.
        for _ in 0..2 {
            let earlier = self.store.alert_case(&caller.account.id, &key).await?;
            let open = match earlier {
                Some(d) => self
                    .store
                    .case_by_display_id(d)
                    .await?
                    .filter(|c| c.status != CaseStatus::Resolved),
                None => None,
            };
            let post = |body: String, case_id: String| Message {
                case_id: Some(case_id),
                body: Some(body),
                ..Message::default()
            };
            match (group.status, open) {
                (AlertStatus::Firing, Some(case)) => {
                    self.post_message(
                        Actor::Customer(&caller),
                        &who,
                        post(group.refired(&tz), case.case_id.clone()),
                    )
                    .await?;
                    return Ok(AlertOutcome::Added {
                        case_id: case.case_id,
                    });
                }
                (AlertStatus::Firing, None) => {
                    let levels: Vec<&str> = caller
                        .plan
                        .case_severities()
                        .iter()
                        .map(|l| l.code.as_str())
                        .collect();
                    // A label the plan's scale does not know: the least severe level, which
                    // support raises when the alert says more.
                    let severity = group
                        .severity(&token.severity_label, &levels)
                        .or_else(|| levels.first().map(|l| l.to_string()));
                    let input = CreateCase {
                        subject: Some(group.subject()),
                        communication_body: Some(group.body(&tz)),
                        severity_code: severity,
                        language: Some("en".into()),
                        alert: Some(AlertClaim {
                            group_key: key.clone(),
                            replaces: earlier,
                        }),
                        health_event: None,
                        ..CreateCase::default()
                    };
                    match self.create_case(&caller, &who, input).await {
                        Ok(case) => {
                            return Ok(AlertOutcome::Opened {
                                case_id: case.case_id,
                            });
                        }
                        Err(ServiceError::Conflict(_)) => continue,
                        Err(e) => return Err(e),
                    }
                }
                (AlertStatus::Resolved, Some(case)) => {
                    self.post_message(
                        Actor::Customer(&caller),
                        &who,
                        post(group.resolved(&tz), case.case_id.clone()),
                    )
                    .await?;
                    if token.resolve_cases {
                        self.resolve_case(&caller, &who, Some(case.case_id.clone()))
                            .await?;
                        return Ok(AlertOutcome::Resolved {
                            case_id: case.case_id,
                        });
                    }
                    return Ok(AlertOutcome::Added {
                        case_id: case.case_id,
                    });
                }
                (AlertStatus::Resolved, None) => return Ok(AlertOutcome::Ignored),
            }
        }
        Err(ServiceError::Conflict(
            "the alert group's case changed twice while it was read; Alertmanager retries".into(),
        ))
    }
}
