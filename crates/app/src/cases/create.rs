//! Opening a case: the plan's severities and gates, the service and category, the cc list,
//! the monthly case cap, and the first-response target the case starts with.

use tierdesk_core::catalog::SeverityLevel;
use tierdesk_core::notice::NoticeKind;
use tierdesk_core::records::{Case, CaseStatus, FirstResponse};
use tierdesk_store::{MonthlyCap, NewCase, StoreError};

use super::{CreateCase, MAX_SUBJECT_CHARS};
use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::auth::Caller;
use crate::error::{Field, Problem, Refusal};
use crate::files::attachment_error;
use crate::validate::{check_body, check_cc, check_issue_type, check_language, check_name_text};
use crate::{App, ServiceError, ids};

impl App {
    fn severity<'p>(
        &self,
        caller: &'p Caller,
        code: Option<&str>,
    ) -> Result<&'p SeverityLevel, ServiceError> {
        let offered = caller.plan.case_severities();
        let Some(code) = code else {
            return offered.first().copied().ok_or_else(|| {
                ServiceError::Refused(Refusal::NoSeverities {
                    plan_name: caller.plan.name.clone(),
                    plan_id: caller.plan.id.clone(),
                })
            });
        };
        offered
            .iter()
            .copied()
            .find(|l| l.code == code)
            .ok_or_else(|| {
                ServiceError::invalid(
                    Field::Severity,
                    Problem::NotOffered {
                        value: code.to_string(),
                        plan_name: caller.plan.name.clone(),
                        plan_id: caller.plan.id.clone(),
                        offered: offered.iter().map(|l| l.code.clone()).collect(),
                    },
                )
            })
    }

    pub(super) fn service_and_category(
        &self,
        service: Option<&str>,
        category: Option<&str>,
    ) -> Result<(String, String), ServiceError> {
        match (service, category) {
            (None, None) => Ok(("general-info".into(), "using-aws".into())),
            (Some(s), Some(c)) => {
                let svc = self.services.get(s).ok_or_else(|| {
                    ServiceError::invalid(Field::Service, Problem::Unknown(s.to_string()))
                })?;
                if !svc.categories.iter().any(|x| x.code == c) {
                    return Err(ServiceError::invalid(
                        Field::Category,
                        Problem::NotInService {
                            value: c.to_string(),
                            service: s.to_string(),
                        },
                    ));
                }
                Ok((s.into(), c.into()))
            }
            (Some(_), None) => Err(ServiceError::invalid(
                Field::Category,
                Problem::RequiredWith(Field::Service),
            )),
            (None, Some(_)) => Err(ServiceError::invalid(
                Field::Service,
                Problem::RequiredWith(Field::Category),
            )),
        }
    }

    pub async fn create_case(
        &self,
        caller: &Caller,
        who: &Who,
        input: CreateCase,
    ) -> Result<Case, ServiceError> {
        self.require_api(caller)?;
        let subject = match input.subject.as_deref() {
            Some(s) if !s.is_empty() => s,
            _ => return Err(ServiceError::invalid(Field::Subject, Problem::Missing)),
        };
        let n = subject.chars().count();
        if subject.trim().is_empty() || n > MAX_SUBJECT_CHARS {
            let got = if subject.trim().is_empty() { 0 } else { n };
            return Err(ServiceError::invalid(
                Field::Subject,
                Problem::Length {
                    min: 1,
                    max: MAX_SUBJECT_CHARS,
                    got,
                },
            ));
        }
        check_name_text(Field::Subject, subject)?;
        let body = check_body(input.communication_body.as_deref())?;
        check_cc(&input.cc_email_addresses)?;
        // A case about a Health event names one the account sees, as any other does not
        // exist.
        if let Some(arn) = &input.health_event {
            let viewer = self.health_viewer(&caller.account.id).await?;
            let (found, _) = self
                .health_event_details(Some(&viewer), std::slice::from_ref(arn))
                .await?;
            if found.is_empty() {
                return Err(ServiceError::invalid(
                    Field::EventArn,
                    Problem::Unknown(arn.clone()),
                ));
            }
        }
        let language = match &input.language {
            Some(l) => {
                check_language(Field::Language, l)?;
                l.clone()
            }
            None => "en".to_string(),
        };
        let issue_type = input
            .issue_type
            .clone()
            .unwrap_or_else(|| "technical".into());
        check_issue_type(&issue_type)?;
        if issue_type == "technical" && !caller.plan.technical_cases {
            return Err(ServiceError::Refused(Refusal::NoTechnicalSupport {
                plan_name: caller.plan.name.clone(),
                plan_id: caller.plan.id.clone(),
            }));
        }
        let severity = self.severity(caller, input.severity_code.as_deref())?;
        let files = if input.files.is_empty() {
            None
        } else {
            Some(self.checked_files(input.files)?)
        };
        let (service_code, category_code) = self.service_and_category(
            input.service_code.as_deref(),
            input.category_code.as_deref(),
        )?;
        let now = self.clock.now();
        let local = now.to_zoned(tierdesk_core::time::zone(&caller.account.timezone));
        let monthly_cap = caller.plan.monthly_case_cap.map(|limit| MonthlyCap {
            month: tierdesk_core::time::month_in(now, &caller.account.timezone),
            limit: i64::from(limit),
        });
        let first_response = self
            .first_response_target(
                &caller.account,
                &caller.plan,
                &severity.code,
                &language,
                now,
            )
            .await?;
        let case = Case {
            display_id: 0,
            case_id: ids::case_id(&caller.account.id, local.year(), now)?,
            account_id: caller.account.id.clone(),
            subject: subject.to_string(),
            status: CaseStatus::Opened,
            service_code,
            category_code,
            severity_code: severity.code.clone(),
            issue_type,
            language,
            submitted_by: Actor::Customer(caller).submitted_by(),
            cc_emails: input.cc_email_addresses,
            plan_id: caller.plan.id.clone(),
            created: now,
            first_response: first_response.as_ref().map(|t| FirstResponse {
                clock: t.clock.clone(),
                minutes: t.minutes,
                due: t.due,
            }),
            assignee: None,
            // The store sets the clock from the targets the case opens with.
            sla_due: None,
            sla_target: None,
            responded: None,
            awaiting_since: Some(now),
        };
        let set = input.attachment_set_id.clone();
        // Every check passed: a customer's files count as a new set, stored with the case.
        let files = match files {
            Some(files) => {
                self.count_new_set(&caller.account.id).await?;
                Some(self.new_set(&caller.account.id, files)?)
            }
            None => None,
        };
        let audit = who.did(
            now,
            Action::CaseCreate,
            Some(&caller.account.id),
            tierdesk_core::audit::case_target(&case.case_id),
            format!(
                "severity {}, service {}",
                case.severity_code, case.service_code
            ),
        );
        match self
            .store
            .create_case(
                NewCase {
                    case,
                    body,
                    attachment_set: set.clone(),
                    files,
                    monthly_cap,
                    targets: first_response.into_iter().collect(),
                    notice: self.notice(NoticeKind::CaseOpened, now),
                    mail_message_id: input.mail_message_id,
                    alert: input.alert,
                    health_event: input.health_event,
                },
                audit,
            )
            .await
        {
            Ok(c) => Ok(c),
            Err(StoreError::MonthlyCaseCapReached) => {
                Err(ServiceError::CaseCreationLimit(format!(
                    "the {} plan ({}) allows {} cases a month, and this month's are used",
                    caller.plan.name,
                    caller.plan.id,
                    caller.plan.monthly_case_cap.unwrap_or_default()
                )))
            }
            Err(StoreError::AlreadyExists) => Err(ServiceError::Conflict(
                "another case was opened for the alert group first".into(),
            )),
            Err(e) => Err(attachment_error(e, set.as_deref())),
        }
    }
}
