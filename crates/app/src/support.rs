//! The support-case use cases behind the AWS-compatible API: what a caller may do with
//! cases, communications and attachments, under the rules of their plan.

use jiff::Timestamp;
use tierdesk_core::account::CASE_LANGUAGES;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::catalog::{CalendarKind, SeverityLevel};
use tierdesk_core::records::{Attachment, Case, Communication, FirstResponse, status};
use tierdesk_core::services::Service;
use tierdesk_core::time::to_micros;
use tierdesk_store::{
    CaseQuery, CommunicationQuery, MonthlyCap, NewAttachments, NewCase, NewCommunication,
    StoreError,
};

use crate::auth::Caller;
use crate::{App, ServiceError, cursor, ids};

/// Longest communication body (AWS: 8000 characters).
pub const MAX_BODY_CHARS: usize = 8000;
pub const MAX_CC: usize = 10;
pub const MAX_CASE_IDS: usize = 100;
/// AWS models no subject limit; its console stops at a few hundred characters.
pub const MAX_SUBJECT_CHARS: usize = 1024;
/// How many recent communications DescribeCases shows per case.
pub const RECENT_COMMUNICATIONS: i64 = 5;
pub const ISSUE_TYPES: [&str; 2] = ["technical", "customer-service"];

#[derive(Debug, Clone, Default)]
pub struct CreateCase {
    pub subject: Option<String>,
    pub service_code: Option<String>,
    pub severity_code: Option<String>,
    pub category_code: Option<String>,
    pub communication_body: Option<String>,
    pub cc_email_addresses: Vec<String>,
    pub language: Option<String>,
    pub issue_type: Option<String>,
    pub attachment_set_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DescribeCases {
    pub case_ids: Vec<String>,
    pub display_id: Option<String>,
    pub after_time: Option<String>,
    pub before_time: Option<String>,
    pub include_resolved_cases: Option<bool>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub language: Option<String>,
    pub include_communications: Option<bool>,
}

/// A case with, when asked for, its most recent communications.
#[derive(Debug, Clone)]
pub struct CaseDetails {
    pub case: Case,
    pub recent: Option<(Vec<Communication>, Option<String>)>,
}

/// What the console's case list asks for.
#[derive(Debug, Clone, Default)]
pub struct CaseSearch {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub text: Option<String>,
    pub cursor: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DescribeCommunications {
    pub case_id: Option<String>,
    pub after_time: Option<String>,
    pub before_time: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct AddCommunication {
    pub case_id: Option<String>,
    pub communication_body: Option<String>,
    pub cc_email_addresses: Vec<String>,
    pub attachment_set_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: Option<String>,
    pub data: Option<Vec<u8>>,
}

/// A communication channel's hours for DescribeCreateCaseOptions.
#[derive(Debug, Clone)]
pub struct ChannelHours {
    /// `web`, `chat` or `call`.
    pub kind: &'static str,
    /// Daily opening and closing times in the calendar's zone (`None`: end of day).
    pub hours: Vec<(jiff::civil::Time, Option<jiff::civil::Time>)>,
    /// Upcoming closed stretches (public holidays), start and end.
    pub closed: Vec<(jiff::Zoned, jiff::Zoned)>,
}

fn invalid(msg: impl Into<String>) -> ServiceError {
    ServiceError::Validation(msg.into())
}

/// Text a person wrote: printable, no NULs or other control characters but tab and
/// newlines, no Unicode non-characters.
fn check_text(field: &str, s: &str) -> Result<(), ServiceError> {
    let bad = s.chars().find(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(*c as u32, 0xFFFE | 0xFFFF | 0xFDD0..=0xFDEF)
    });
    match bad {
        Some(c) => Err(invalid(format!(
            "{field} contains the control or non-character U+{:04X}",
            c as u32
        ))),
        None => Ok(()),
    }
}

pub(crate) fn check_body(body: Option<&str>) -> Result<String, ServiceError> {
    let body = body.ok_or_else(|| invalid("communicationBody is required"))?;
    let n = body.chars().count();
    if n == 0 || n > MAX_BODY_CHARS {
        return Err(invalid(format!(
            "communicationBody must be 1 to {MAX_BODY_CHARS} characters long, not {n}"
        )));
    }
    check_text("communicationBody", body)?;
    Ok(body.to_string())
}

/// A plausible email address: one `@`, a dotted domain, no spaces or controls.
pub(crate) fn is_email(a: &str) -> bool {
    a.len() <= 254
        && !a.chars().any(|c| c.is_whitespace() || c.is_control())
        && a.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
}

fn check_cc(cc: &[String]) -> Result<(), ServiceError> {
    if cc.len() > MAX_CC {
        return Err(invalid(format!(
            "ccEmailAddresses may list at most {MAX_CC} addresses, not {}",
            cc.len()
        )));
    }
    for a in cc {
        if !is_email(a) {
            return Err(invalid(format!(
                "'{a}' in ccEmailAddresses is not an email address"
            )));
        }
    }
    Ok(())
}

fn check_language(lang: &str) -> Result<(), ServiceError> {
    tierdesk_core::account::check_language(lang).map_err(ServiceError::Validation)
}

fn parse_time(field: &str, s: Option<&str>) -> Result<Option<Timestamp>, ServiceError> {
    s.map(|s| {
        tierdesk_core::time::parse_instant(s).ok_or_else(|| {
            invalid(format!(
                "{field} '{s}' is not an ISO 8601 time such as 2026-11-22T05:53:18Z"
            ))
        })
    })
    .transpose()
}

fn page_size(max_results: Option<i64>) -> Result<i64, ServiceError> {
    match max_results {
        None => Ok(100),
        Some(n) if (10..=100).contains(&n) => Ok(n),
        Some(n) => Err(invalid(format!(
            "maxResults must be between 10 and 100, not {n}"
        ))),
    }
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, ServiceError> {
    match v.as_deref() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(invalid(format!("{field} is required"))),
    }
}

impl App {
    /// The Support API gate: every API call, supported or not, passes it first (console
    /// users, who are not calling the API, pass on every plan).
    pub fn require_api(&self, caller: &Caller) -> Result<(), ServiceError> {
        if caller.plan.support_api || caller.via == crate::auth::Via::Console {
            Ok(())
        } else {
            Err(ServiceError::SubscriptionRequired(format!(
                "AWS Premium Support Subscription is required to use this service. \
                 Account {} is on the {} plan ({}), which does not include the Support API.",
                caller.account.id, caller.plan.name, caller.plan.id
            )))
        }
    }

    fn submitted_by(caller: &Caller) -> String {
        format!("{} <{}>", caller.principal, caller.account.id)
    }

    fn severity<'p>(
        &self,
        caller: &'p Caller,
        code: Option<&str>,
    ) -> Result<&'p SeverityLevel, ServiceError> {
        let offered = caller.plan.case_severities();
        let Some(code) = code else {
            return offered.first().copied().ok_or_else(|| {
                invalid(format!(
                    "the {} plan ({}) offers no case severities",
                    caller.plan.name, caller.plan.id
                ))
            });
        };
        offered
            .iter()
            .copied()
            .find(|l| l.code == code)
            .ok_or_else(|| {
                let list: Vec<&str> = offered.iter().map(|l| l.code.as_str()).collect();
                invalid(format!(
                    "severity '{code}' is not available on the {} plan ({}); it offers: {}",
                    caller.plan.name,
                    caller.plan.id,
                    list.join(", ")
                ))
            })
    }

    fn service_and_category(
        &self,
        service: Option<&str>,
        category: Option<&str>,
    ) -> Result<(String, String), ServiceError> {
        match (service, category) {
            (None, None) => Ok(("general-info".into(), "using-aws".into())),
            (Some(s), Some(c)) => {
                let svc = self.services.get(s).ok_or_else(|| {
                    invalid(format!(
                        "serviceCode '{s}' is not a service code; DescribeServices lists them"
                    ))
                })?;
                if !svc.categories.iter().any(|x| x.code == c) {
                    return Err(invalid(format!(
                        "categoryCode '{c}' is not a category of service '{s}'; DescribeServices lists them"
                    )));
                }
                Ok((s.into(), c.into()))
            }
            (Some(_), None) => Err(invalid("categoryCode is required with serviceCode")),
            (None, Some(_)) => Err(invalid("serviceCode is required with categoryCode")),
        }
    }

    pub async fn create_case(
        &self,
        caller: &Caller,
        input: CreateCase,
    ) -> Result<Case, ServiceError> {
        self.require_api(caller)?;
        let subject = required("subject", &input.subject)?;
        let n = subject.chars().count();
        if subject.trim().is_empty() || n > MAX_SUBJECT_CHARS {
            return Err(invalid(format!(
                "subject must be 1 to {MAX_SUBJECT_CHARS} characters long"
            )));
        }
        check_text("subject", subject)?;
        let body = check_body(input.communication_body.as_deref())?;
        check_cc(&input.cc_email_addresses)?;
        let language = match &input.language {
            Some(l) => {
                check_language(l)?;
                l.clone()
            }
            None => "en".to_string(),
        };
        let issue_type = input
            .issue_type
            .clone()
            .unwrap_or_else(|| "technical".into());
        if !ISSUE_TYPES.contains(&issue_type.as_str()) {
            return Err(invalid(format!(
                "issueType must be 'technical' or 'customer-service', not '{issue_type}'"
            )));
        }
        if issue_type == "technical" && !caller.plan.technical_cases {
            return Err(invalid(format!(
                "the {} plan ({}) does not include technical support; open a customer-service case for account and billing questions",
                caller.plan.name, caller.plan.id
            )));
        }
        let severity = self.severity(caller, input.severity_code.as_deref())?;
        let (service_code, category_code) = self.service_and_category(
            input.service_code.as_deref(),
            input.category_code.as_deref(),
        )?;
        let now = self.clock.now();
        let local = now.to_zoned(
            jiff::tz::TimeZone::get(&caller.account.timezone).unwrap_or(jiff::tz::TimeZone::UTC),
        );
        let monthly_cap = caller.plan.monthly_case_cap.map(|limit| MonthlyCap {
            month: crate::admin::month_in(now, &caller.account.timezone),
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
            status: status::OPENED.into(),
            service_code,
            category_code,
            severity_code: severity.code.clone(),
            issue_type,
            language,
            submitted_by: Self::submitted_by(caller),
            cc_emails: input.cc_email_addresses,
            plan_id: caller.plan.id.clone(),
            created: now,
            first_response: first_response.as_ref().map(|t| FirstResponse {
                clock: t.clock.clone(),
                minutes: t.minutes,
                due: t.due,
                responded: None,
            }),
            assignee: None,
            sla_due: None,
        };
        let set = input.attachment_set_id.clone();
        match self
            .store
            .create_case(NewCase {
                case,
                body,
                attachment_set: set.clone(),
                monthly_cap,
                targets: first_response.into_iter().collect(),
            })
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
            Err(e) => Err(attachment_error(e, set.as_deref())),
        }
    }

    pub async fn describe_cases(
        &self,
        caller: &Caller,
        input: DescribeCases,
    ) -> Result<(Vec<CaseDetails>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        if input.case_ids.len() > MAX_CASE_IDS {
            return Err(invalid(format!(
                "caseIdList may hold at most {MAX_CASE_IDS} ids, not {}",
                input.case_ids.len()
            )));
        }
        let display_id = input
            .display_id
            .as_deref()
            .map(|d| {
                d.parse::<i64>()
                    .map_err(|_| invalid(format!("displayId '{d}' is not a number")))
            })
            .transpose()?;
        if let Some(l) = &input.language {
            check_language(l)?;
        }
        let limit = page_size(input.max_results)?;
        let include_resolved = input.include_resolved_cases.unwrap_or(false);
        let after = parse_time("afterTime", input.after_time.as_deref())?;
        let before = parse_time("beforeTime", input.before_time.as_deref())?;
        let fp = cursor::fingerprint(&[
            &input.case_ids.join(","),
            input.display_id.as_deref().unwrap_or(""),
            input.after_time.as_deref().unwrap_or(""),
            input.before_time.as_deref().unwrap_or(""),
            if include_resolved { "r" } else { "" },
            input.language.as_deref().unwrap_or(""),
        ]);
        let cursor = input
            .next_token
            .as_deref()
            .map(|t| cursor::decode(t, "cases", fp))
            .transpose()?;
        let mut case_ids = input.case_ids.clone();
        case_ids.sort();
        case_ids.dedup();
        let page = self
            .store
            .cases(&CaseQuery {
                account_id: caller.account.id.clone(),
                case_ids: case_ids.clone(),
                display_id,
                after,
                before,
                include_resolved,
                language: input.language.clone(),
                cursor,
                limit,
                ..Default::default()
            })
            .await?;
        // Named ids must all exist in this account; another account's ids look unknown.
        if !case_ids.is_empty() && cursor.is_none() {
            for id in &case_ids {
                if !page.items.iter().any(|c| &c.case_id == id)
                    && self.store.case(&caller.account.id, id).await?.is_none()
                {
                    return Err(ServiceError::CaseNotFound(format!("Invalid case ID: {id}")));
                }
            }
        }
        let next = if page.more {
            page.items
                .last()
                .map(|c| cursor::encode("cases", to_micros(c.created), c.display_id, fp))
        } else {
            None
        };
        let mut out: Vec<CaseDetails> = page
            .items
            .into_iter()
            .map(|case| CaseDetails { case, recent: None })
            .collect();
        if input.include_communications.unwrap_or(true) && !out.is_empty() {
            let ids: Vec<(i64, String)> = out
                .iter()
                .map(|d| (d.case.display_id, d.case.case_id.clone()))
                .collect();
            let recent = self
                .store
                .recent_communications(&ids, RECENT_COMMUNICATIONS)
                .await?;
            for (d, (_, page)) in out.iter_mut().zip(recent) {
                let token = if page.more {
                    page.items.last().map(|m| {
                        cursor::encode(
                            "comms",
                            to_micros(m.created),
                            m.id,
                            comm_fingerprint(&d.case.case_id, None, None),
                        )
                    })
                } else {
                    None
                };
                d.recent = Some((page.items, token));
            }
        }
        Ok((out, next))
    }

    /// The console's case list: an account's cases, newest first, narrowed by status,
    /// severity and words of the subject (or a display id), a page at a time.
    pub async fn search_cases(
        &self,
        caller: &Caller,
        search: CaseSearch,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        if let Some(s) = &search.status
            && !status::ALL.contains(&s.as_str())
        {
            return Err(invalid(format!(
                "status '{s}' is not one of {}",
                status::ALL.join(", ")
            )));
        }
        let text = search
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > 200) {
            return Err(invalid("search for at most 200 characters"));
        }
        let fp = cursor::fingerprint(&[
            search.status.as_deref().unwrap_or(""),
            search.severity.as_deref().unwrap_or(""),
            text.unwrap_or(""),
        ]);
        let cursor = search
            .cursor
            .as_deref()
            .map(|t| cursor::decode(t, "search", fp))
            .transpose()?;
        let page = self
            .store
            .cases(&CaseQuery {
                account_id: caller.account.id.clone(),
                include_resolved: true,
                severity: search.severity.clone(),
                status: search.status.clone(),
                search: text.map(str::to_string),
                cursor,
                limit: search.limit,
                ..Default::default()
            })
            .await?;
        let next = if page.more {
            page.items
                .last()
                .map(|c| cursor::encode("search", to_micros(c.created), c.display_id, fp))
        } else {
            None
        };
        Ok((page.items, next))
    }

    pub async fn describe_communications(
        &self,
        caller: &Caller,
        input: DescribeCommunications,
    ) -> Result<(Vec<Communication>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        let case_id = required("caseId", &input.case_id)?;
        let limit = page_size(input.max_results)?;
        let after = parse_time("afterTime", input.after_time.as_deref())?;
        let before = parse_time("beforeTime", input.before_time.as_deref())?;
        let fp = comm_fingerprint(
            case_id,
            input.after_time.as_deref(),
            input.before_time.as_deref(),
        );
        let cursor = input
            .next_token
            .as_deref()
            .map(|t| cursor::decode(t, "comms", fp))
            .transpose()?;
        let page = self
            .store
            .communications(&CommunicationQuery {
                include_internal: false,
                account_id: caller.account.id.clone(),
                case_id: case_id.to_string(),
                after,
                before,
                cursor,
                limit,
            })
            .await?
            .ok_or_else(|| ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}")))?;
        let next = if page.more {
            page.items
                .last()
                .map(|m| cursor::encode("comms", to_micros(m.created), m.id, fp))
        } else {
            None
        };
        Ok((page.items, next))
    }

    pub async fn add_communication(
        &self,
        caller: &Caller,
        input: AddCommunication,
    ) -> Result<(), ServiceError> {
        self.require_api(caller)?;
        let case_id = required("caseId", &input.case_id)?;
        let body = check_body(input.communication_body.as_deref())?;
        check_cc(&input.cc_email_addresses)?;
        let set = input.attachment_set_id.clone();
        let not_found = || ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}"));
        let case = self
            .store
            .case(&caller.account.id, case_id)
            .await?
            .ok_or_else(not_found)?;
        let now = self.clock.now();
        // The customer wrote: support owes a next reply, if the case's plan promises one.
        let follow_up = self
            .follow_up_target(&caller.account, &case, TargetKind::NextReply, now)
            .await?;
        self.store
            .add_communication(NewCommunication {
                account_id: caller.account.id.clone(),
                case_id: case_id.to_string(),
                body,
                submitted_by: Self::submitted_by(caller),
                from_support: false,
                internal: false,
                attachment_set: set.clone(),
                at: now,
                follow_up,
            })
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}"))
                }
                e => attachment_error(e, set.as_deref()),
            })
    }

    /// A customer asks for an urgent escalation of their own case (Alibaba's 加急): it
    /// spends one of the plan's monthly escalations and starts a target on the case's
    /// clock, as an agent's escalation does.
    pub async fn request_escalation(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<crate::operator::Escalated, ServiceError> {
        self.require_api(caller)?;
        if self
            .store
            .case(&caller.account.id, case_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::CaseNotFound(format!(
                "Invalid case ID: {case_id}"
            )));
        }
        self.escalate_case(case_id).await
    }

    pub async fn resolve_case(
        &self,
        caller: &Caller,
        case_id: Option<String>,
    ) -> Result<(String, String), ServiceError> {
        self.require_api(caller)?;
        let case_id = required("caseId", &case_id)?;
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

    /// Files for an attachment set, checked against the limits (count, size, names), each
    /// with a new attachment id.
    pub(crate) fn checked_files(
        &self,
        files: Vec<NewFile>,
    ) -> Result<Vec<(String, String, Vec<u8>)>, ServiceError> {
        if files.is_empty() {
            return Err(invalid("attachments must hold at least one attachment"));
        }
        let max = self.limits.attachments_per_set;
        if files.len() > max {
            return Err(ServiceError::AttachmentSetSizeLimit(format!(
                "An attachment set holds at most {max} attachments of {} MB each",
                self.limits.attachment_bytes / (1024 * 1024)
            )));
        }
        let mut checked = Vec::with_capacity(files.len());
        for f in files {
            let name = f
                .file_name
                .filter(|n| !n.is_empty())
                .ok_or_else(|| invalid("every attachment needs a fileName"))?;
            if name.chars().count() > 255 || name.contains(['/', '\\']) {
                return Err(invalid(format!(
                    "fileName '{name}' must be at most 255 characters, without path separators"
                )));
            }
            check_text("fileName", &name)?;
            let data = f
                .data
                .ok_or_else(|| invalid(format!("attachment '{name}' has no data")))?;
            if data.is_empty() {
                return Err(invalid(format!("attachment '{name}' is empty")));
            }
            if data.len() > self.limits.attachment_bytes {
                return Err(ServiceError::AttachmentSetSizeLimit(format!(
                    "attachment '{name}' is {} bytes; the limit is {} bytes ({} attachments of {} MB each)",
                    data.len(),
                    self.limits.attachment_bytes,
                    max,
                    self.limits.attachment_bytes / (1024 * 1024)
                )));
            }
            checked.push((ids::attachment_id()?, name, data));
        }
        Ok(checked)
    }

    pub async fn add_attachments_to_set(
        &self,
        caller: &Caller,
        set_id: Option<String>,
        files: Option<Vec<NewFile>>,
    ) -> Result<(String, Timestamp), ServiceError> {
        self.require_api(caller)?;
        let files = files.ok_or_else(|| invalid("attachments is required"))?;
        let checked = self.checked_files(files)?;
        let max = self.limits.attachments_per_set;
        let now = self.clock.now();
        if set_id.is_none() {
            let window = now.as_second().div_euclid(60) * 60;
            if !self
                .store
                .rate_hit(
                    &caller.account.id,
                    "attachment_sets",
                    window,
                    self.limits.attachment_sets_per_minute,
                )
                .await?
            {
                return Err(ServiceError::AttachmentLimit(format!(
                    "You have created more than {} attachment sets in the last minute; try again shortly",
                    self.limits.attachment_sets_per_minute
                )));
            }
        }
        self.store
            .add_attachments(NewAttachments {
                account_id: caller.account.id.clone(),
                existing_set: set_id.clone(),
                new_set_id: ids::attachment_set_id()?,
                files: checked,
                max_per_set: max as i64,
                lifetime: self.limits.attachment_set_lifetime,
                at: now,
            })
            .await
            .map_err(|e| match e {
                StoreError::AttachmentSetFull => ServiceError::AttachmentSetSizeLimit(format!(
                    "An attachment set holds at most {max} attachments"
                )),
                e => attachment_error(e, set_id.as_deref()),
            })
    }

    pub async fn describe_attachment(
        &self,
        caller: &Caller,
        attachment_id: Option<String>,
    ) -> Result<Attachment, ServiceError> {
        self.require_api(caller)?;
        let id = required("attachmentId", &attachment_id)?;
        let window = self.clock.now().as_second().div_euclid(60) * 60;
        if !self
            .store
            .rate_hit(
                &caller.account.id,
                "describe_attachment",
                window,
                self.limits.describe_attachment_per_minute,
            )
            .await?
        {
            return Err(ServiceError::DescribeAttachmentLimit(format!(
                "You have asked for more than {} attachments in the last minute; try again shortly",
                self.limits.describe_attachment_per_minute
            )));
        }
        self.store
            .attachment(&caller.account.id, id)
            .await?
            .ok_or_else(|| ServiceError::AttachmentNotFound(format!("Invalid attachment ID: {id}")))
    }

    pub fn severity_levels<'c>(
        &self,
        caller: &'c Caller,
        language: Option<&str>,
    ) -> Result<Vec<&'c SeverityLevel>, ServiceError> {
        self.require_api(caller)?;
        if let Some(l) = language {
            check_language(l)?;
        }
        Ok(caller.plan.case_severities())
    }

    pub fn describe_services(
        &self,
        caller: &Caller,
        codes: &[String],
        language: Option<&str>,
    ) -> Result<Vec<Service>, ServiceError> {
        self.require_api(caller)?;
        if codes.len() > 100 {
            return Err(invalid(format!(
                "serviceCodeList may hold at most 100 codes, not {}",
                codes.len()
            )));
        }
        if let Some(l) = language {
            check_language(l)?;
        }
        Ok(self
            .services
            .services
            .iter()
            .filter(|s| codes.is_empty() || codes.contains(&s.code))
            .cloned()
            .collect())
    }

    fn check_service_category(
        &self,
        issue_type: &Option<String>,
        service: &Option<String>,
        category: &Option<String>,
    ) -> Result<(), ServiceError> {
        let it = required("issueType", issue_type)?;
        if !ISSUE_TYPES.contains(&it) {
            return Err(invalid(format!(
                "issueType must be 'technical' or 'customer-service', not '{it}'"
            )));
        }
        let s = service
            .as_deref()
            .ok_or_else(|| invalid("serviceCode is required"))?;
        let c = category
            .as_deref()
            .ok_or_else(|| invalid("categoryCode is required"))?;
        if s.chars().count() > 100 || c.chars().count() > 100 {
            return Err(invalid(
                "serviceCode and categoryCode are at most 100 characters",
            ));
        }
        self.service_and_category(Some(s), Some(c)).map(|_| ())
    }

    /// `(code, language, display)` of each language cases can be handled in.
    pub fn supported_languages(
        &self,
        caller: &Caller,
        issue_type: Option<String>,
        service: Option<String>,
        category: Option<String>,
    ) -> Result<Vec<(&'static str, &'static str, &'static str)>, ServiceError> {
        self.require_api(caller)?;
        self.check_service_category(&issue_type, &service, &category)?;
        Ok(CASE_LANGUAGES.to_vec())
    }

    /// Language availability and the channels (with hours) a new case may use.
    pub async fn create_case_options(
        &self,
        caller: &Caller,
        issue_type: Option<String>,
        service: Option<String>,
        language: Option<String>,
        category: Option<String>,
    ) -> Result<(&'static str, Vec<ChannelHours>), ServiceError> {
        self.require_api(caller)?;
        self.check_service_category(&issue_type, &service, &category)?;
        let language = required("language", &language)?;
        check_language(language)?;
        let plan = &caller.plan;
        let clock = plan
            .case_severities()
            .first()
            .and_then(|l| plan.case_target(&l.code))
            .map(|t| t.clock.clone())
            .unwrap_or_else(|| tierdesk_core::catalog::CONTINUOUS.to_string());
        let calendar = self.catalog.calendar(&clock);
        let closed = match calendar {
            Some(c) => self.upcoming_closures(c, caller).await?,
            None => Vec::new(),
        };
        let hours = match calendar.map(|c| &c.kind) {
            Some(CalendarKind::Weekly {
                open,
                close,
                variants,
                ..
            }) => {
                let (o, c) = variants
                    .iter()
                    .find(|v| v.language == language)
                    .map_or((*open, *close), |v| (v.open, v.close));
                vec![(o, c)]
            }
            _ => vec![(jiff::civil::Time::MIN, None)],
        };
        let channels = [
            ("web", true),
            ("chat", plan.has_channel("chat")),
            ("call", plan.has_channel("phone")),
        ]
        .into_iter()
        .filter(|(_, offered)| *offered)
        .map(|(kind, _)| ChannelHours {
            kind,
            hours: hours.clone(),
            closed: closed.clone(),
        })
        .collect();
        let availability = if language == "en" || plan.provider == "aliyun" && language == "zh" {
            "available"
        } else {
            "best_effort"
        };
        Ok((availability, channels))
    }
}

impl App {
    /// The public holidays ahead (a year's worth) that close a business-hours calendar for
    /// this caller's country, shipped and imported, in the calendar's zone.
    async fn upcoming_closures(
        &self,
        calendar: &tierdesk_core::catalog::Calendar,
        caller: &Caller,
    ) -> Result<Vec<(jiff::Zoned, jiff::Zoned)>, ServiceError> {
        let CalendarKind::Weekly {
            zone,
            exclude_public_holidays: true,
            ..
        } = &calendar.kind
        else {
            return Ok(Vec::new());
        };
        let zone = zone.zone(&caller.account.timezone);
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let today = crate::admin::today_in(self.clock.now(), zone);
        let horizon = today.saturating_add(jiff::Span::new().days(366));
        let at = |d: jiff::civil::Date, minute: u16| {
            let dt = d.to_datetime(jiff::civil::Time::MIN)
                + jiff::Span::new().minutes(i64::from(minute));
            dt.to_zoned(tz.clone()).ok()
        };
        let country = &caller.account.country;
        let mut closed = tierdesk_core::holidays::shipped(country).unwrap_or_default();
        closed.extend(
            self.store
                .holidays(country)
                .await?
                .into_iter()
                .map(|(_, h)| h),
        );
        closed.sort_by_key(|h| (h.date, h.from));
        Ok(closed
            .into_iter()
            .filter(|h| h.date >= today && h.date <= horizon)
            .take(100)
            .filter_map(|h| Some((at(h.date, h.from)?, at(h.date, h.to)?)))
            .collect())
    }
}

fn comm_fingerprint(case_id: &str, after: Option<&str>, before: Option<&str>) -> u64 {
    cursor::fingerprint(&[case_id, after.unwrap_or(""), before.unwrap_or("")])
}

fn attachment_error(e: StoreError, set: Option<&str>) -> ServiceError {
    let set = set.unwrap_or_default();
    match e {
        StoreError::AttachmentSetNotFound => ServiceError::AttachmentSetNotFound(format!(
            "Attachment set {set} does not exist or has already been used"
        )),
        StoreError::AttachmentSetExpired => ServiceError::AttachmentSetExpired(format!(
            "Attachment set {set} has expired; attachment sets are available for one hour"
        )),
        e => e.into(),
    }
}
