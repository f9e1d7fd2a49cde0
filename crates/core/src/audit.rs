//! The audit log's vocabulary: who acted, through which door, and what they did.
//!
//! An entry is written by the store in the same transaction as the change it describes,
//! so a change without its entry (or an entry without its change) cannot exist. The app
//! builds entries; the store writes them and offers no way to edit or delete one except
//! the retention sweep.

use jiff::Timestamp;

/// The door an actor came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A customer's access key, on the AWS Support API.
    AccessKey,
    /// A customer signed in to the console.
    ConsoleUser,
    /// A staff member's API token, on the operator API.
    AgentToken,
    /// A staff member signed in to the console.
    ConsoleAgent,
    /// Someone at the server's command line (`tierdesk ...`).
    Cli,
    /// Tierdesk itself (demo data).
    System,
    /// A customer writing by mail (their From address).
    Mail,
    /// An account's monitoring integration (its token's id).
    Integration,
}

impl ActorKind {
    pub const ALL: [ActorKind; 8] = [
        ActorKind::AccessKey,
        ActorKind::ConsoleUser,
        ActorKind::AgentToken,
        ActorKind::ConsoleAgent,
        ActorKind::Cli,
        ActorKind::System,
        ActorKind::Mail,
        ActorKind::Integration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::AccessKey => "access-key",
            ActorKind::ConsoleUser => "console-user",
            ActorKind::AgentToken => "agent-token",
            ActorKind::ConsoleAgent => "console-agent",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
            ActorKind::Mail => "mail",
            ActorKind::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the actor is one of the provider's staff (or the provider's own tools).
    pub fn is_staff(self) -> bool {
        !matches!(
            self,
            ActorKind::AccessKey
                | ActorKind::ConsoleUser
                | ActorKind::Mail
                | ActorKind::Integration
        )
    }
}

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident = $name:literal $(, staff_only = $staff:literal)?;)*) => {
        /// What was done. The names are stable: they are stored and filtered on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// Actions a customer never sees in their account's log: they concern what
            /// only staff see (internal notes and their files).
            pub fn staff_only(self) -> bool {
                match self {
                    $(Action::$variant => false $(|| $staff)?,)*
                }
            }
        }
    };
}

actions! {
    AccountCreate = "account.create";
    AccountPlan = "account.plan";
    AccountPayer = "account.payer";
    AccountTam = "account.tam";
    KeyCreate = "key.create";
    KeyRevoke = "key.revoke";
    IntegrationCreate = "integration.create";
    IntegrationRevoke = "integration.revoke";
    SubscriptionChange = "subscription.change";
    /// A person set or removed their own webhook.
    OwnWebhookSet = "own-webhook.set";
    OwnWebhookRemove = "own-webhook.remove";
    UserCreate = "user.create";
    UserPassword = "user.password";
    UserDisable = "user.disable";
    UserEnable = "user.enable";
    UserDelete = "user.delete";
    UserPreferences = "user.preferences";
    SignIn = "session.sign-in";
    SignOut = "session.sign-out";
    AgentCreate = "agent.create";
    AgentDisable = "agent.disable";
    AgentEnable = "agent.enable";
    AgentRole = "agent.role";
    AgentScope = "agent.scope";
    AgentTokenRotate = "agent.token-rotate";
    AgentTokenRevoke = "agent.token-revoke";
    CaseCreate = "case.create";
    /// A customer's message or a staff reply the customer sees.
    CaseMessage = "case.message";
    /// A staff note the customer does not see.
    CaseNote = "case.note", staff_only = true;
    CaseResolve = "case.resolve";
    CaseStatus = "case.status";
    CaseAssign = "case.assign";
    CaseEscalate = "case.escalate";
    AttachmentsAdd = "attachments.add";
    /// Staff read a case's internal notes (its conversation, in the queue or the API).
    NotesRead = "notes.read", staff_only = true;
    /// Staff downloaded a case's file.
    AttachmentRead = "attachment.read", staff_only = true;
    UsageImport = "usage.import";
    /// An inventory imported for Trusted Advisor.
    InventoryImport = "inventory.import";
    /// Trusted Advisor results fed by the operator.
    AdvisorResult = "advisor.result";
    /// Trusted Advisor resources suppressed or brought back.
    AdvisorSuppress = "advisor.suppress";
    /// A Health event published.
    HealthPublish = "health.publish";
    /// A Health event revised, opened or closed.
    HealthUpdate = "health.update";
    /// Resources a Health event affects, added or given a new status.
    HealthEntities = "health.entities";
    /// A payer turned Health's organization view on or off.
    HealthOrganization = "health.organization";
    /// The regions an account uses, set by the operator.
    AccountRegions = "account.regions";
    BillRun = "billing.run";
    HolidaysImport = "holidays.import";
    WebhookCreate = "webhook.create";
    WebhookDisable = "webhook.disable";
}

impl Action {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// Who acts, as the log names them: the door, an identifier a reader can trace (an access
/// key id, an email, the operating-system user at the command line) and, for requests,
/// the client's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub kind: ActorKind,
    pub id: String,
    pub address: Option<String>,
}

impl Who {
    pub fn new(kind: ActorKind, id: impl Into<String>, address: Option<String>) -> Self {
        Self {
            kind,
            id: id.into(),
            address,
        }
    }

    /// The entry for `action` on `target`, in `account` when it concerns one.
    pub fn did(
        &self,
        at: Timestamp,
        action: Action,
        account: Option<&str>,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            id: 0,
            at,
            who: self.clone(),
            account_id: account.map(str::to_string),
            action,
            target: target.into(),
            detail: detail.into(),
        }
    }
}

/// The log's name for case `case_id`: the target of every entry about the case, which a
/// case page's trail reads back, and the key the store's writer routes the case's writes by.
pub fn case_target(case_id: &str) -> String {
    format!("case:{case_id}")
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by the store; entries are read back in this order.
    pub id: i64,
    pub at: Timestamp,
    pub who: Who,
    /// The account the action concerns, if any (a customer sees these).
    pub account_id: Option<String>,
    pub action: Action,
    /// The record acted on: `case:<id>`, `agent:<email>`, `key:<id>`, ...
    pub target: String,
    /// What changed, in words (never a secret).
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert!(seen.insert(a.as_str()), "{} twice", a.as_str());
        }
        for k in ActorKind::ALL {
            assert_eq!(ActorKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Action::parse("case.delete"), None);
    }

    #[test]
    fn customers_do_not_see_what_concerns_internal_notes() {
        let hidden: Vec<_> = Action::ALL.iter().filter(|a| a.staff_only()).collect();
        assert_eq!(
            hidden,
            [
                &Action::CaseNote,
                &Action::NotesRead,
                &Action::AttachmentRead
            ]
        );
        assert!(ActorKind::Cli.is_staff() && !ActorKind::ConsoleUser.is_staff());
    }
}
