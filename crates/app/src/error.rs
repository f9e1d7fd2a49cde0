//! What can go wrong in a use case, named by meaning. The protocol layers map these to
//! their own codes (AWS error types, HTTP statuses, CLI exit codes).

use tierdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A field of what a person wrote is wrong, said as data: each surface words it in
    /// its own terms (AWS member names, the console's labels in the person's language).
    #[error("{0}")]
    Invalid(Invalid),
    /// The input is well formed but breaks a rule of the plan or the product, said as
    /// data so each surface words it.
    #[error("{0}")]
    Refused(Refusal),
    /// The caller's plan does not include the Support API.
    #[error("{0}")]
    SubscriptionRequired(String),
    #[error("{0}")]
    CaseNotFound(String),
    #[error("{0}")]
    CaseCreationLimit(String),
    #[error("{0}")]
    AttachmentSetNotFound(String),
    #[error("{0}")]
    AttachmentSetExpired(String),
    /// Too many files in a set, or a file too large.
    #[error("{0}")]
    AttachmentSetSizeLimit(String),
    /// Too many sets created in a short time.
    #[error("{0}")]
    AttachmentLimit(String),
    #[error("{0}")]
    AttachmentNotFound(String),
    #[error("{0}")]
    DescribeAttachmentLimit(String),
    #[error("{0}")]
    Throttled(String),
    /// An operator-side lookup (account, plan, key) found nothing.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials (operator API token).
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A bug or an outage; the message is for logs, not for callers.
    #[error("{0}")]
    Internal(String),
}

/// A field of a person's input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub problem: Problem,
}

/// Declares `Field`, its plain-English words and `Field::ALL` from one list, so a new
/// field cannot miss either.
macro_rules! fields {
    ($($(#[$doc:meta])* $name:ident => $words:literal,)*) => {
        /// The fields of what people send: customers about cases (the AWS API's inputs
        /// and the console's forms alike), operators and staff about accounts, people and
        /// integrations.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Field {
            $($(#[$doc])* $name,)*
        }

        impl Field {
            /// Every field, for the surfaces' wording tests.
            pub const ALL: &[Field] = &[$(Field::$name),*];

            /// The field in plain English (logs, the CLI, the operator API).
            pub fn words(self) -> &'static str {
                match self {
                    $(Field::$name => $words,)*
                }
            }
        }
    };
}

fields! {
    Subject => "subject",
    /// A message's text.
    Body => "body",
    /// The addresses a case's messages are copied to.
    CcList => "cc addresses",
    /// An attached file's name.
    FileName => "file name",
    /// The files of an attachment set.
    Attachments => "attachments",
    AttachmentId => "attachment id",
    /// An attached file's contents.
    Data => "attachment data",
    Severity => "severity",
    Service => "service",
    Category => "category",
    /// The services asked about (DescribeServices).
    ServiceList => "service list",
    /// Technical, or account and billing.
    IssueType => "issue type",
    Language => "language",
    CaseId => "case id",
    /// The cases asked for (DescribeCases).
    CaseIdList => "case id list",
    /// A case's number.
    DisplayId => "case number",
    Status => "status",
    /// Words searched for in a list.
    Search => "search",
    /// A page's size.
    MaxResults => "page size",
    /// The start of a time window.
    AfterTime => "start time",
    /// The end of a time window.
    BeforeTime => "end time",
    /// The token that continues a list where its last page ended.
    NextToken => "nextToken",
    AccountId => "account id",
    AccountName => "account name",
    /// An IANA time zone.
    Timezone => "time zone",
    Country => "country",
    /// A person's email address (signing in, a new user or agent).
    Email => "email address",
    Password => "password",
    /// The password a person types to change it.
    CurrentPassword => "current password",
    /// A user's or agent's name.
    PersonName => "name",
    /// The languages an agent works in.
    Languages => "languages",
    /// An agent's role.
    Role => "role",
    /// The console language a person chose.
    UiLanguage => "interface language",
    /// The agent a case is assigned to.
    Assignee => "agent",
    /// The name on an access key.
    Principal => "principal name",
    /// A webhook's address.
    Url => "URL",
    /// The events a webhook receives.
    Events => "events",
    /// A billing month.
    Month => "month",
    /// How long an API token works, in days.
    TokenLifetime => "token lifetime",
    /// Who did something, as the audit log names them (an email, a key id, a user).
    Actor => "actor",
    /// What a monitoring integration's token is called.
    IntegrationName => "integration name",
    /// The alert label that names a severity.
    SeverityLabel => "severity label",
    /// A Trusted Advisor check's id.
    CheckId => "check id",
    /// A resource a check reports.
    ResourceId => "resource id",
    /// A Health event's ARN.
    EventArn => "event ARN",
    /// A Health event's type code.
    EventType => "event type",
    /// A cloud region.
    Region => "region",
    AvailabilityZone => "availability zone",
    /// A resource a Health event affects (an instance id, `AWS_ACCOUNT`).
    EntityValue => "entity",
    /// An affected entity's tags.
    Tag => "tag",
    /// What heads a Health event.
    Title => "title",
    /// A Health event's description.
    Description => "description",
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing,
    /// A list given, but with nothing in it.
    Empty,
    /// Not `min` to `max` characters long (`got` characters, 0 for blank).
    Length {
        min: usize,
        max: usize,
        got: usize,
    },
    /// Holds a character the field does not take: a control character or a Unicode
    /// non-character anywhere, a path separator in a file name.
    Forbidden(char),
    /// Not in the field's form ([`Field::form`]): an account id's digits, an IANA zone, a
    /// country code, a month, an http(s) URL.
    Malformed(String),
    /// More than `max` entries.
    TooMany {
        max: usize,
        got: usize,
    },
    /// An entry that is not an email address.
    NotEmail(String),
    /// Not one of the values the field takes.
    NotOneOf {
        value: String,
        allowed: Vec<String>,
    },
    NotANumber(String),
    NotATime(String),
    /// Outside `min..=max`.
    OutOfRange {
        min: i64,
        max: i64,
        got: i64,
    },
    /// Given only together with this other field.
    RequiredWith(Field),
    /// No such code.
    Unknown(String),
    /// A check the service refreshes on its own: refresh requests are refused.
    Unrefreshable(String),
    /// A category that is not one of the service's.
    NotInService {
        value: String,
        service: String,
    },
    /// A value the customer's plan does not offer.
    NotOffered {
        value: String,
        plan_name: String,
        plan_id: String,
        offered: Vec<String>,
    },
    /// Not what was expected (the current password when changing it).
    Wrong,
    /// A page token this server did not issue.
    NotIssued,
    /// A page token issued for a list with other filters.
    OtherFilters,
    /// The end of a period comes before its start.
    EndsBeforeStart {
        start: String,
        end: String,
    },
    /// A period longer than `max_days`.
    PeriodTooLong {
        max_days: i64,
        days: i64,
    },
}

impl Field {
    /// The form a [`Problem::Malformed`] value of this field should take, in plain English.
    pub fn form(self) -> &'static str {
        match self {
            Field::AccountId => "6 to 20 digits (AWS uses 12)",
            Field::Timezone => "an IANA time zone such as America/New_York",
            Field::Country => "an ISO 3166 country code such as US, JP or DE",
            Field::Month => "a month such as 2026-10",
            Field::Url => "an http:// or https:// URL",
            Field::EventArn => {
                "an event ARN such as arn:aws:health:us-east-1::event/EC2/CODE/CODE_ID"
            }
            Field::Region => "a region such as us-east-1, or global",
            Field::AvailabilityZone => "a zone such as us-east-1a",
            Field::AfterTime | Field::BeforeTime => "a date such as 2026-10-31",
            Field::Tag => tierdesk_core::health::TAG_RULE,
            _ => "in the right form",
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field.words();
        match &self.problem {
            Problem::Missing => write!(f, "{field} is required"),
            Problem::Empty => write!(f, "{field} must hold at least one entry"),
            Problem::Length { min, max, got } => {
                write!(
                    f,
                    "{field} must be {min} to {max} characters long, not {got}"
                )
            }
            Problem::Forbidden(c) if tierdesk_core::text::is_unprintable(*c) => write!(
                f,
                "{field} contains the control or non-character U+{:04X}",
                *c as u32
            ),
            Problem::Forbidden(c) if tierdesk_core::text::is_bidi_control(*c) => write!(
                f,
                "{field} contains the bidirectional control U+{:04X}",
                *c as u32
            ),
            Problem::Forbidden(c) => write!(f, "{field} may not contain '{c}'"),
            Problem::Malformed(v) => write!(f, "{field} '{v}' is not {}", self.field.form()),
            Problem::TooMany { max, got } => {
                write!(f, "{field} may list at most {max} entries, not {got}")
            }
            Problem::NotEmail(a) => write!(f, "'{a}' in {field} is not an email address"),
            Problem::NotOneOf { value, allowed } => {
                write!(f, "{field} '{value}' is not one of {}", allowed.join(", "))
            }
            Problem::NotANumber(v) => write!(f, "{field} '{v}' is not a number"),
            Problem::NotATime(v) => write!(
                f,
                "{field} '{v}' is not an ISO 8601 time such as 2026-11-22T05:53:18Z"
            ),
            Problem::OutOfRange { min, max, got } => {
                write!(f, "{field} must be between {min} and {max}, not {got}")
            }
            Problem::RequiredWith(other) => {
                write!(f, "{field} is required with {}", other.words())
            }
            Problem::Unknown(v) => write!(f, "no {field} '{v}'"),
            Problem::Unrefreshable(v) => {
                write!(f, "{v} is refreshed automatically, not on request")
            }
            Problem::NotInService { value, service } => {
                write!(
                    f,
                    "{field} '{value}' is not a category of service '{service}'"
                )
            }
            Problem::NotOffered {
                value,
                plan_name,
                plan_id,
                offered,
            } => write!(
                f,
                "{field} '{value}' is not available on the {plan_name} plan ({plan_id}); it offers: {}",
                offered.join(", ")
            ),
            Problem::Wrong => write!(f, "the {field} is not right"),
            Problem::NotIssued => write!(f, "{field} is not a token this server issued"),
            Problem::OtherFilters => write!(
                f,
                "{field} was issued for different filters; repeat the request with the same filters"
            ),
            Problem::EndsBeforeStart { start, end } => {
                write!(f, "the period ends ({end}) before it starts ({start})")
            }
            Problem::PeriodTooLong { max_days, days } => write!(
                f,
                "the period covers {days} days; ask for at most {max_days} at a time"
            ),
        }
    }
}

/// A rule that refuses well-formed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A technical case on a plan without technical support.
    NoTechnicalSupport { plan_name: String, plan_id: String },
    /// A case on a plan that offers no severities.
    NoSeverities { plan_name: String, plan_id: String },
    /// An urgent escalation on a plan that sells none.
    NoUrgentEscalations { plan_name: String, plan_id: String },
    /// Internal notes are for support; a customer's messages are always visible.
    CustomerInternalNote,
    /// A plan past its discontinuation date, assigned without `--force`.
    PlanDiscontinued {
        plan_name: String,
        plan_id: String,
        on: String,
    },
    /// Only agents with the TAM role manage accounts.
    NotATam { email: String, role: String },
    /// The account's plan includes no technical account manager.
    NoTamOnPlan {
        account: String,
        plan_name: String,
        plan_id: String,
    },
    /// The master key is not the one the database's secrets were sealed with.
    WrongMasterKey,
    /// `serve --demo` on a database that was not made for the demo.
    NotADemoDatabase,
    /// Only support engineers are limited to named accounts (TAMs reach the accounts they
    /// manage, admins all).
    OnlyEngineersAreLimited { email: String, role: String },
    /// The account's files fill its storage quota.
    StorageQuota,
    /// The case holds as many messages as one case may.
    CaseFull,
    /// An admin in the console taking their own access away.
    OwnAccess,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoTechnicalSupport { plan_name, plan_id } => write!(
                f,
                "the {plan_name} plan ({plan_id}) does not include technical support; open a customer-service case for account and billing questions"
            ),
            Refusal::NoSeverities { plan_name, plan_id } => {
                write!(
                    f,
                    "the {plan_name} plan ({plan_id}) offers no case severities"
                )
            }
            Refusal::NoUrgentEscalations { plan_name, plan_id } => {
                write!(
                    f,
                    "the {plan_name} plan ({plan_id}) has no urgent escalations"
                )
            }
            Refusal::CustomerInternalNote => f.write_str("customers cannot write internal notes"),
            Refusal::PlanDiscontinued {
                plan_name,
                plan_id,
                on,
            } => write!(
                f,
                "plan {plan_id} ({plan_name}) was discontinued on {on}; use --force to assign it anyway"
            ),
            Refusal::NotATam { email, role } => write!(
                f,
                "{email} is a {role} agent; only agents with the tam role manage accounts"
            ),
            Refusal::NoTamOnPlan {
                account,
                plan_name,
                plan_id,
            } => write!(
                f,
                "account {account} is on the {plan_name} plan ({plan_id}), which includes no technical account manager"
            ),
            Refusal::OnlyEngineersAreLimited { email, role } => write!(
                f,
                "{email} is a {role} agent; only support engineers (role agent) are limited to named accounts"
            ),
            Refusal::StorageQuota => f.write_str(
                "the account's attachments fill its storage quota; files cannot be added until some are removed",
            ),
            Refusal::OwnAccess => f.write_str(
                "an admin changes their own access from another admin's console or the command line",
            ),
            Refusal::CaseFull => f.write_str(
                "this case holds as many messages as one case may; open a new case and mention this one",
            ),
            Refusal::NotADemoDatabase => f.write_str(
                "this database was not created as a demo database; --demo adds demo people \
                 (an admin among them) only to a new database or one made by --demo",
            ),
            Refusal::WrongMasterKey => f.write_str(
                "this master key is not the one this database's secrets were sealed with \
                 (check TIERDESK_MASTER_KEY / --master-key-file)",
            ),
        }
    }
}

impl ServiceError {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        ServiceError::Invalid(Invalid { field, problem })
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}
