//! The words a person reads for the codes and data the catalog and the records keep: a
//! status, a channel, a kind of TAM, a provider, a severity, a plan, an advisor's reason,
//! an invoice line, an audit action and record. Templates call these through `l` (`{{
//! l.status(c.status) }}`), handlers likewise, so no code reaches a page as it is stored.

use tierdesk_core::advisor::Reason;
use tierdesk_core::audit::Action;
use tierdesk_core::catalog::{Catalog, Plan, TargetKind};
use tierdesk_core::fees::{money, percent};
use tierdesk_core::invoice_words::{Basis, LineWords};
use tierdesk_core::records::Agent;

use super::i18n::{Lang, phrase};

/// A staff member's name by their agent id; the id when they are gone (deleted agents
/// keep their cases' history).
pub(super) fn agent_name(agents: &[Agent], id: &str) -> String {
    agents
        .iter()
        .find(|a| a.id == id)
        .map_or_else(|| id.to_string(), |a| a.name.clone())
}

impl Lang {
    /// A case status (`work-in-progress` → "Work in progress").
    pub fn status(self, code: &str) -> &'static str {
        use tierdesk_core::records::status::*;
        self.t(match code {
            OPENED => phrase("Opened"),
            UNASSIGNED => phrase("Unassigned"),
            WORK_IN_PROGRESS => phrase("Work in progress"),
            PENDING_CUSTOMER_ACTION => phrase("Waiting on the customer"),
            CUSTOMER_ACTION_COMPLETED => phrase("Customer replied"),
            REOPENED => phrase("Reopened"),
            RESOLVED => phrase("Resolved"),
            _ => phrase("Unknown status"),
        })
    }

    /// A channel of a plan (`im_group` → "Dedicated IM group"); an operator's own channel code
    /// reads as written.
    pub fn channel(self, code: &str) -> String {
        let known = match code {
            "web" => phrase("Web console"),
            "email" => phrase("Email"),
            "chat" => phrase("Chat"),
            "phone" => phrase("Phone"),
            "slack" => phrase("Slack"),
            "ticket" => phrase("Tickets"),
            "im_bot" => phrase("Chat with a bot"),
            "im_human" => phrase("Chat with a person"),
            "im_group" => phrase("Dedicated IM group"),
            "tam" => phrase("Technical account manager"),
            other => return other.replace('_', " "),
        };
        self.t(known).to_string()
    }

    /// A plan's channels, joined as the language lists things.
    pub fn channels(self, codes: &[String]) -> String {
        let sep = if self == Lang::Ja { "、" } else { ", " };
        codes
            .iter()
            .map(|c| self.channel(c))
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// The kind of technical account manager a plan brings.
    pub fn tam(self, code: &str) -> String {
        let known = match code {
            "none" => phrase("None"),
            "pool" => phrase("A pool of technical account managers"),
            "designated" => phrase("A designated technical account manager"),
            "designated_plus_specialists" => {
                phrase("A designated technical account manager and domain specialists")
            }
            other => return other.replace('_', " "),
        };
        self.t(known).to_string()
    }

    /// What a target times, in a sentence's middle ("first response").
    pub fn target(self, kind: TargetKind) -> &'static str {
        self.t(match kind {
            TargetKind::FirstResponse => phrase("first response"),
            TargetKind::NextReply => phrase("reply"),
            TargetKind::Update => phrase("update"),
            TargetKind::Escalation => phrase("escalation"),
        })
    }

    /// A case language by its own name (`ja` → 日本語), as people look for it in a list.
    pub fn language(self, code: &str) -> String {
        tierdesk_core::account::CASE_LANGUAGES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or_else(|| code.to_string(), |(_, _, native)| native.to_string())
    }

    /// Why the advisor finds a plan does not fit, in words.
    pub fn reason(self, catalog: &Catalog, plan: &Plan, reason: &Reason) -> String {
        let level = |code: &str| {
            plan.scale
                .levels
                .iter()
                .find(|l| l.code == code)
                .map_or_else(|| code.to_string(), |l| l.name_in(self.code()).to_string())
        };
        match reason {
            Reason::Currency { plan, asked } => self.fill(
                "priced in {0}, not {1} (give usage in {0} to compare it)",
                &[plan, asked],
            ),
            Reason::NoCasesOf { severity } => {
                self.fill("no cases of severity {0}", &[&level(severity)])
            }
            Reason::Slower {
                severity,
                minutes,
                wanted,
            } => self.fill(
                "{0} answered within {1}, not {2}",
                &[
                    &level(severity),
                    &self.minutes(u64::from(*minutes)),
                    &self.minutes(u64::from(*wanted)),
                ],
            ),
            Reason::BusinessHours { severity, clock } => {
                let hours = catalog
                    .calendar(clock)
                    .and_then(|c| c.hours(self.code(), None));
                self.fill(
                    "{0} is answered only {1}",
                    &[&level(severity), &self.hours(hours.as_ref())],
                )
            }
            Reason::NoCases => self.t("no cases").to_string(),
            Reason::NoSupportApi => self.t("no Support API").to_string(),
            Reason::NoChannel(c) => self.fill("no {0}", &[&self.channel(c)]),
            Reason::NoTam => self.t("no technical account manager").to_string(),
            Reason::NoLanguage { language, offers } => self.fill(
                "no cases in {0} (offers {1})",
                &[
                    &self.language(language),
                    &offers
                        .iter()
                        .map(|o| self.language(o))
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
            ),
        }
    }

    /// What an audit entry records, as a person says it ("Opened a case").
    pub fn action(self, action: Action) -> &'static str {
        use Action::*;
        self.t(match action {
            AccountCreate => phrase("Created the account"),
            AccountPlan => phrase("Changed the account's plan"),
            AccountPayer => phrase("Changed who pays for the account"),
            AccountTam => phrase("Changed the account's TAM"),
            KeyCreate => phrase("Created an access key"),
            KeyRevoke => phrase("Revoked an access key"),
            IntegrationCreate => phrase("Created an integration token"),
            IntegrationRevoke => phrase("Revoked an integration token"),
            SubscriptionChange => phrase("Changed notification subscriptions"),
            OwnWebhookSet => phrase("Set their own webhook"),
            OwnWebhookRemove => phrase("Removed their own webhook"),
            UserCreate => phrase("Added a user"),
            UserPassword => phrase("Changed a password"),
            UserDisable => phrase("Disabled a user"),
            UserEnable => phrase("Enabled a user"),
            UserDelete => phrase("Deleted a user"),
            UserPreferences => phrase("Changed settings"),
            SignIn => phrase("Signed in"),
            SignOut => phrase("Signed out"),
            AgentCreate => phrase("Added a staff member"),
            AgentDisable => phrase("Disabled a staff member"),
            AgentEnable => phrase("Enabled a staff member"),
            AgentRole => phrase("Changed a staff member's role"),
            AgentScope => phrase("Changed a staff member's accounts"),
            AgentTokenRotate => phrase("Issued a new API token"),
            AgentTokenRevoke => phrase("Revoked an API token"),
            CaseCreate => phrase("Opened a case"),
            CaseMessage => phrase("Wrote on a case"),
            CaseNote => phrase("Added an internal note"),
            CaseResolve => phrase("Resolved a case"),
            CaseStatus => phrase("Changed a case's status"),
            CaseAssign => phrase("Assigned a case"),
            CaseEscalate => phrase("Asked for an urgent escalation"),
            AttachmentsAdd => phrase("Uploaded files"),
            NotesRead => phrase("Read a case's internal notes"),
            AttachmentRead => phrase("Downloaded a file"),
            UsageImport => phrase("Imported usage"),
            InventoryImport => phrase("Imported an inventory"),
            AdvisorResult => phrase("Set a check's results"),
            AdvisorSuppress => phrase("Changed suppressed resources"),
            BillRun => phrase("Computed invoices"),
            HolidaysImport => phrase("Imported public holidays"),
            WebhookCreate => phrase("Added a webhook"),
            WebhookDisable => phrase("Disabled a webhook"),
            HealthPublish => phrase("Published a Health event"),
            HealthUpdate => phrase("Updated a Health event"),
            HealthEntities => phrase("Changed a Health event's affected resources"),
            HealthOrganization => phrase("Changed Health's organization view"),
            AccountRegions => phrase("Set the account's regions"),
        })
    }

    /// An audit entry's detail in words where it records a case's change (the log keeps
    /// "status opened → work-in-progress", "assigned to agent-…", "answer due 2026-…" for
    /// operators); `None` for the others, whose detail is shown as recorded. `agent` names
    /// an agent id; `when` writes an instant.
    pub fn case_change(
        self,
        action: Action,
        detail: &str,
        agent: &dyn Fn(&str) -> String,
        when: &dyn Fn(jiff::Timestamp) -> String,
    ) -> Option<String> {
        match action {
            Action::CaseStatus => {
                let (from, to) = detail.strip_prefix("status ")?.split_once(" → ")?;
                Some(self.fill("from {0} to {1}", &[self.status(from), self.status(to)]))
            }
            Action::CaseAssign => Some(match detail.strip_prefix("assigned to ") {
                Some(id) => self.fill("to {0}", &[&agent(id)]),
                None => self.t("nobody now").to_string(),
            }),
            Action::CaseEscalate => {
                let due = detail.strip_prefix("answer due ")?.parse().ok()?;
                Some(self.fill("answer due {0}", &[&when(due)]))
            }
            _ => None,
        }
    }

    /// An audit entry's record (`case:…`, `account:…`) as "Case …", "Account …".
    pub fn record(self, target: &str) -> String {
        let Some((kind, id)) = target.split_once(':') else {
            return target.to_string();
        };
        let kind = self.t(match kind {
            "case" => phrase("Case"),
            "account" => phrase("Account"),
            "agent" => phrase("Staff member"),
            "person" => phrase("Person"),
            "key" => phrase("Access key"),
            "invoices" => phrase("Invoices"),
            "usage" => phrase("Usage import"),
            "webhook" => phrase("Webhook"),
            _ => return target.to_string(),
        });
        format!("{kind} {id}")
    }

    /// A catalog's provider by its brand (the same in every language); an operator's own
    /// provider code reads as written.
    pub fn provider(self, code: &str) -> String {
        match code {
            "aws" => "AWS".into(),
            "aliyun" => "Alibaba Cloud".into(),
            other => other.to_string(),
        }
    }

    /// An invoice line in words; a plan still in the catalog by its name in this language.
    pub fn invoice_line(self, catalog: &Catalog, words: &LineWords) -> String {
        let plan = |id: &str, name: &str| {
            catalog
                .plan(id)
                .map_or_else(|| name.to_string(), |p| self.plan(p).to_string())
        };
        let amount = |d: &rust_decimal::Decimal| money(*d);
        match words {
            LineWords::Period {
                plan: id,
                name,
                from,
                to,
                basis,
                contract,
            } => {
                let usage = match basis {
                    Basis::Own {
                        amount: a,
                        currency,
                    } => self.fill("usage {0} {1}", &[&amount(a), currency]),
                    Basis::Enrolled {
                        amount: a,
                        currency,
                        members,
                    } => self.fill(
                        "usage {0} {1} of this account and {2} enrolled ({3})",
                        &[
                            &amount(a),
                            currency,
                            &members.len().to_string(),
                            &members.join(", "),
                        ],
                    ),
                    Basis::Missing { currency } => self.fill("no {0} usage imported", &[currency]),
                };
                let usage = if *contract {
                    self.fill("priced by contract; {0}", &[&usage])
                } else {
                    usage
                };
                self.fill(
                    "{0}, {1} to {2}: {3}",
                    &[&plan(id, name), &from.to_string(), &to.to_string(), &usage],
                )
            }
            LineWords::BilledToPayer {
                plan: id,
                name,
                from,
                to,
                payer,
            } => self.fill(
                "{0}, {1} to {2}: billed to payer account {3} on the enrolled accounts' usage",
                &[&plan(id, name), &from.to_string(), &to.to_string(), payer],
            ),
            LineWords::Band {
                rate,
                from,
                to: Some(to),
                basis,
            } => self.fill(
                "{0} of usage from {1} to {2} ({3})",
                &[&percent(*rate), &amount(from), &amount(to), &amount(basis)],
            ),
            LineWords::Band {
                rate,
                from,
                to: None,
                basis,
            } => self.fill(
                "{0} of usage above {1} ({2})",
                &[&percent(*rate), &amount(from), &amount(basis)],
            ),
            LineWords::Share { rate, basis } => {
                self.fill("{0} of usage ({1})", &[&percent(*rate), &amount(basis)])
            }
            LineWords::FixedFee => self.t("fixed monthly fee").to_string(),
            LineWords::Minimum { minimum } => self.fill(
                "raised to the minimum monthly fee of {0}",
                &[&amount(minimum)],
            ),
            LineWords::Prorated { days, of } => self.fill(
                "prorated: {0} of {1} days",
                &[&days.to_string(), &of.to_string()],
            ),
            LineWords::MinimumTerm {
                term,
                more,
                minimum,
            } => self.fill(
                "minimum term of {0} days: {1} more days at the minimum ({2} a month)",
                &[&term.to_string(), &more.to_string(), &amount(minimum)],
            ),
        }
    }

    /// A plan's name in this language.
    pub fn plan(self, plan: &Plan) -> &str {
        plan.name_in(self.code())
    }

    /// The name of severity `code` on plan `plan_id`'s scale, in this language; the code
    /// itself when the plan has left the catalog.
    pub fn severity(self, catalog: &Catalog, plan_id: &str, code: &str) -> String {
        catalog.severity_name(plan_id, code, self.code())
    }

    /// A plan's name by id, in this language; the id when the plan has left the catalog.
    pub fn plan_name(self, catalog: &Catalog, plan_id: &str) -> String {
        catalog
            .plan(plan_id)
            .map_or_else(|| plan_id.to_string(), |p| self.plan(p).to_string())
    }
}
