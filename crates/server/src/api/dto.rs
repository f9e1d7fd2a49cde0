//! The operator API's request and response bodies: serde's counterparts of app's records
//! (rust-analyzer's rule: the protocol crate owns the serializable shapes and converts).
//! `api/openapi.json` documents exactly these; `api/contract.rs` checks it both ways.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tierdesk_app::queue::CaseSla;
use tierdesk_core::audit::AuditEntry;
use tierdesk_core::records::{Agent, Case, CaseTarget, Communication, SlaEvent};

fn time(t: Timestamp) -> String {
    t.to_string()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentBody {
    pub id: String,
    pub email: String,
    pub name: String,
    pub languages: Vec<String>,
    pub role: &'static str,
    pub created_at: String,
}

impl From<&Agent> for AgentBody {
    fn from(a: &Agent) -> Self {
        Self {
            id: a.id.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
            languages: a.languages.clone(),
            role: a.role.as_str(),
            created_at: time(a.created),
        }
    }
}

/// What every view of a case shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFields {
    pub case_id: String,
    pub display_id: String,
    pub account_id: String,
    pub subject: String,
    pub status: String,
    pub severity_code: String,
    pub plan_id: String,
    pub language: String,
    pub assignee: Option<String>,
    pub created_at: String,
    /// Since when the customer awaits support's answer (null when support spoke last).
    pub awaiting_support_since: Option<String>,
}

impl From<&Case> for CaseFields {
    fn from(c: &Case) -> Self {
        Self {
            case_id: c.case_id.clone(),
            display_id: c.display_id.to_string(),
            account_id: c.account_id.clone(),
            subject: c.subject.clone(),
            status: c.status.as_str().to_string(),
            severity_code: c.severity_code.clone(),
            plan_id: c.plan_id.clone(),
            language: c.language.clone(),
            assignee: c.assignee.clone(),
            created_at: time(c.created),
            awaiting_support_since: c.awaiting_since.map(time),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstResponseBody {
    pub clock: String,
    pub minutes: u32,
    pub due_at: String,
    pub responded_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlaSummary {
    pub target: Option<&'static str>,
    pub due_at: Option<String>,
    pub seconds_left: Option<i64>,
    pub breaching: bool,
    pub first_response: Option<FirstResponseBody>,
}

impl SlaSummary {
    /// The case's clock (`Case::clock`), as the console shows it too.
    fn of(c: &Case, now: Timestamp) -> Self {
        let clock = c.clock(now);
        Self {
            target: clock.owed.map(|o| o.kind.as_str()),
            due_at: clock.owed.map(|o| time(o.due)),
            seconds_left: clock.owed.map(|o| o.due.duration_since(now).as_secs()),
            breaching: clock.breaching(),
            first_response: c.first_response.as_ref().map(|f| FirstResponseBody {
                clock: f.clock.clone(),
                minutes: f.minutes,
                due_at: time(f.due),
                responded_at: c.responded.map(time),
            }),
        }
    }
}

/// A case in the queue.
#[derive(Debug, Serialize)]
pub struct CaseSummary {
    #[serde(flatten)]
    pub case: CaseFields,
    pub sla: SlaSummary,
}

impl CaseSummary {
    pub fn of(c: &Case, now: Timestamp) -> Self {
        Self {
            case: c.into(),
            sla: SlaSummary::of(c, now),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuePage {
    pub cases: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetBody {
    pub kind: &'static str,
    pub seq: i64,
    pub clock: String,
    pub minutes: u32,
    pub state: &'static str,
    pub started_at: String,
    pub due_at: String,
    pub warn_at: Option<String>,
    pub met_at: Option<String>,
    pub stopped_at: Option<String>,
    pub warned_at: Option<String>,
    pub breached_at: Option<String>,
    /// Who asked for an urgent escalation.
    pub requested_by: Option<String>,
}

impl TargetBody {
    pub fn of(t: &CaseTarget, now: Timestamp) -> Self {
        let state = if t.missed(now) {
            "breached"
        } else if t.met.is_some() {
            "met"
        } else if t.stopped.is_some() {
            "stopped"
        } else {
            "running"
        };
        Self {
            kind: t.kind.as_str(),
            seq: t.seq,
            clock: t.clock.clone(),
            minutes: t.minutes,
            state,
            started_at: time(t.started),
            due_at: time(t.due),
            warn_at: t.warn_at.map(time),
            met_at: t.met.map(time),
            stopped_at: t.stopped.map(time),
            warned_at: t.warned.map(time),
            breached_at: t.breached.map(time),
            requested_by: t.requested_by.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventBody {
    pub id: String,
    pub kind: &'static str,
    pub target: &'static str,
    pub seq: i64,
    pub at: String,
    pub due_at: String,
    pub recorded_at: String,
}

impl From<&SlaEvent> for EventBody {
    fn from(e: &SlaEvent) -> Self {
        Self {
            id: e.key(),
            kind: e.kind.as_str(),
            target: e.target.as_str(),
            seq: e.seq,
            at: time(e.at),
            due_at: time(e.due),
            recorded_at: time(e.recorded),
        }
    }
}

/// The target the case waits on now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningBody {
    pub kind: &'static str,
    pub due_at: String,
    pub seconds_left: i64,
    pub business_seconds_left: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct SlaDetail {
    #[serde(flatten)]
    pub summary: SlaSummary,
    pub breached: bool,
    pub running: Option<RunningBody>,
    pub targets: Vec<TargetBody>,
    pub events: Vec<EventBody>,
}

#[derive(Debug, Serialize)]
pub struct AccountBody {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub country: String,
    pub language: String,
}

#[derive(Debug, Serialize)]
pub struct PersonBody {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// A case with its account, TAM and whole SLA state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseFields,
    pub service_code: String,
    pub category_code: String,
    pub issue_type: String,
    pub submitted_by: String,
    pub cc_email_addresses: Vec<String>,
    pub plan_name: Option<String>,
    pub account: AccountBody,
    pub tam: Option<PersonBody>,
    pub sla: SlaDetail,
}

impl From<&CaseSla> for CaseDetail {
    fn from(s: &CaseSla) -> Self {
        let (c, now) = (&s.case, s.now);
        Self {
            case: c.into(),
            service_code: c.service_code.clone(),
            category_code: c.category_code.clone(),
            issue_type: c.issue_type.clone(),
            submitted_by: c.submitted_by.clone(),
            cc_email_addresses: c.cc_emails.clone(),
            plan_name: s.plan_name.clone(),
            account: AccountBody {
                id: s.account.id.clone(),
                name: s.account.name.clone(),
                timezone: s.account.timezone.clone(),
                country: s.account.country.clone(),
                language: s.account.language.clone(),
            },
            tam: s.tam.as_ref().map(|t| PersonBody {
                id: t.id.clone(),
                name: t.name.clone(),
                email: t.email.clone(),
            }),
            sla: SlaDetail {
                summary: SlaSummary::of(c, now),
                breached: s.breached(),
                running: s.running().map(|t| RunningBody {
                    kind: t.kind.as_str(),
                    due_at: time(t.due),
                    seconds_left: t.due.duration_since(now).as_secs(),
                    business_seconds_left: s.business_seconds_left,
                }),
                targets: s.targets.iter().map(|t| TargetBody::of(t, now)).collect(),
                events: s.events.iter().map(EventBody::from).collect(),
            },
        }
    }
}

/// The case after a status change, with the status it had before.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChanged {
    #[serde(flatten)]
    pub case: CaseDetail,
    pub previous_status: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentBody {
    pub attachment_id: String,
    pub file_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationBody {
    pub id: i64,
    pub body: String,
    pub submitted_by: String,
    pub from_support: bool,
    pub internal: bool,
    pub created_at: String,
    pub attachments: Vec<AttachmentBody>,
}

impl From<&Communication> for CommunicationBody {
    fn from(m: &Communication) -> Self {
        Self {
            id: m.id,
            body: m.body.clone(),
            submitted_by: m.submitted_by.clone(),
            from_support: m.from_support,
            internal: m.internal,
            created_at: time(m.created),
            attachments: m
                .attachments
                .iter()
                .map(|a| AttachmentBody {
                    attachment_id: a.attachment_id.clone(),
                    file_name: a.file_name.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Conversation {
    pub communications: Vec<CommunicationBody>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub per_month: u32,
    pub used: i64,
    pub left: i64,
}

#[derive(Debug, Serialize)]
pub struct EscalationBody {
    pub target: TargetBody,
    pub quota: Quota,
}

/// `POST .../replies` and `.../notes`. (Serialize is for the contract test.)
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewMessage {
    pub body: Option<String>,
}

/// `PUT .../status`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewStatus {
    pub status: Option<String>,
}

/// `PUT .../assignee`: an agent id, `"me"`, or `null` to unassign. The member must be
/// present (`null` is not the same as leaving it out), so it stays a JSON value until the
/// handler reads it.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewAssignee {
    #[serde(default, deserialize_with = "present")]
    pub assignee: Option<Value>,
}

/// A member that is present, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One line of the audit log.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditBody {
    pub id: i64,
    pub at: String,
    pub actor_kind: &'static str,
    pub actor: String,
    pub address: Option<String>,
    pub account_id: Option<String>,
    pub action: &'static str,
    pub target: String,
    pub detail: String,
}

impl From<&AuditEntry> for AuditBody {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id,
            at: time(e.at),
            actor_kind: e.who.kind.as_str(),
            actor: e.who.id.clone(),
            address: e.who.address.clone(),
            account_id: e.account_id.clone(),
            action: e.action.as_str(),
            target: e.target.clone(),
            detail: e.detail.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditBody>,
    pub next_token: Option<String>,
}
