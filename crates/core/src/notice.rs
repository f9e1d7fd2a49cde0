//! Notices: what people are told of, who is told, and by which channel. A notice is
//! written with the event it reports (so none is lost and none is invented); when it is
//! sent it becomes one mail per reader who takes the topic by mail and one webhook
//! delivery per reader who takes it by their own webhook.

use crate::records::{Invoice, Role};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// A case was opened: its number and first-response deadline.
    CaseOpened,
    /// Support replied visibly: the reply's text and its files' names.
    SupportReplied,
    /// Support asked the customer for something, and they have not answered yet.
    PendingReminder,
    /// The case was resolved.
    CaseResolved,
    /// A target of the case is close to its deadline.
    SlaWarning,
    /// A target of the case passed its deadline.
    SlaBreach,
    /// An account's invoice for a month is ready (or its total changed).
    InvoiceReady,
    /// The weekly pass re-evaluated an account's Trusted Advisor checks: where they stand
    /// and what changed.
    AdvisorSummary,
    /// An AWS Health event that names the account was published, revised or changed
    /// status.
    HealthEvent,
}

/// Who may be told of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The account's console users.
    Customers,
    /// The addresses the case was given to copy.
    Cc,
    /// Support engineers who read the case's language and reach its account.
    Linguists,
    /// The engineer the case is assigned to.
    Assignee,
    /// The account's technical account manager.
    Tam,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 9] = [
        NoticeKind::CaseOpened,
        NoticeKind::SupportReplied,
        NoticeKind::PendingReminder,
        NoticeKind::CaseResolved,
        NoticeKind::SlaWarning,
        NoticeKind::SlaBreach,
        NoticeKind::InvoiceReady,
        NoticeKind::AdvisorSummary,
        NoticeKind::HealthEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::CaseOpened => "case.opened",
            NoticeKind::SupportReplied => "case.replied",
            NoticeKind::PendingReminder => "case.pending",
            NoticeKind::CaseResolved => "case.resolved",
            NoticeKind::SlaWarning => "sla.warning",
            NoticeKind::SlaBreach => "sla.breach",
            NoticeKind::InvoiceReady => "invoice.ready",
            NoticeKind::AdvisorSummary => "advisor.summary",
            NoticeKind::HealthEvent => "health.event",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Who hears of it. Customers hear of their case's life; staff of new work and of
    /// promises at risk (a TAM only of those broken on their accounts).
    pub fn audiences(self) -> &'static [Audience] {
        use Audience::*;
        match self {
            NoticeKind::CaseOpened => &[Customers, Cc, Linguists],
            NoticeKind::SupportReplied | NoticeKind::PendingReminder | NoticeKind::CaseResolved => {
                &[Customers, Cc]
            }
            NoticeKind::SlaWarning => &[Assignee],
            NoticeKind::SlaBreach => &[Assignee, Tam],
            NoticeKind::InvoiceReady | NoticeKind::AdvisorSummary | NoticeKind::HealthEvent => {
                &[Customers]
            }
        }
    }

    /// Whether it is about an account (an invoice, its advisor, a Health event) rather
    /// than one of its cases.
    pub fn about_account(self) -> bool {
        matches!(
            self,
            NoticeKind::InvoiceReady | NoticeKind::AdvisorSummary | NoticeKind::HealthEvent
        )
    }

    /// The topic of what an audience hears of this kind: what they unsubscribe from.
    pub fn topic(self, audience: Audience) -> Topic {
        match (self, audience) {
            (NoticeKind::InvoiceReady, _) => Topic::Billing,
            (NoticeKind::AdvisorSummary, _) => Topic::TrustedAdvisor,
            (NoticeKind::HealthEvent, _) => Topic::Health,
            (_, Audience::Customers | Audience::Cc) => Topic::CaseUpdates,
            (_, Audience::Linguists) => Topic::NewCases,
            (_, Audience::Assignee | Audience::Tam) => Topic::SlaAlerts,
        }
    }
}

/// How a notice reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    /// The person's own webhook, when they set one.
    Webhook,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What a person subscribes to (and unsubscribes from): each notice a reader is sent
/// belongs to one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// A customer's cases: opened, answered, waiting on them, resolved.
    CaseUpdates,
    /// New cases in an engineer's languages.
    NewCases,
    /// SLA warnings and breaches of the cases an engineer is assigned, or a TAM's
    /// accounts' breaches.
    SlaAlerts,
    /// An account's invoices.
    Billing,
    /// An account's weekly Trusted Advisor summary.
    TrustedAdvisor,
    /// AWS Health events that name the account: its issues, scheduled changes and
    /// account notifications (public events are on the dashboard and the status feeds).
    Health,
}

/// Whether a person is a customer or staff, for what they are subscribed to by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customer,
    Staff,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::CaseUpdates,
        Topic::NewCases,
        Topic::SlaAlerts,
        Topic::Billing,
        Topic::TrustedAdvisor,
        Topic::Health,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::CaseUpdates => "case-updates",
            Topic::NewCases => "new-cases",
            Topic::SlaAlerts => "sla-alerts",
            Topic::Billing => "billing",
            Topic::TrustedAdvisor => "trusted-advisor",
            Topic::Health => "health",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The topics a side may hear of.
    pub fn for_side(side: Side) -> &'static [Topic] {
        match side {
            Side::Customer => &[
                Topic::CaseUpdates,
                Topic::Billing,
                Topic::TrustedAdvisor,
                Topic::Health,
            ],
            Side::Staff => &[Topic::NewCases, Topic::SlaAlerts],
        }
    }
}

/// Whether someone who chose nothing hears of a topic, by role (`None`: a customer or an
/// address copied on a case), on any channel (a webhook hears what mail would until its
/// owner chooses otherwise): customers hear of their cases, invoices, weekly advisor
/// summaries and the Health events that name them; engineers of new
/// cases in their languages and of their cases' SLA; TAMs and admins of the SLA only
/// (they do not work the queue's new cases).
pub fn subscribed_by_default(role: Option<Role>, topic: Topic) -> bool {
    match (role, topic) {
        (None, t) => matches!(
            t,
            Topic::CaseUpdates | Topic::Billing | Topic::TrustedAdvisor | Topic::Health
        ),
        (Some(Role::Agent), t) => matches!(t, Topic::NewCases | Topic::SlaAlerts),
        (Some(Role::Tam | Role::Admin), t) => t == Topic::SlaAlerts,
    }
}

/// What an invoice's notice is about: its month and total, so a bill run that changes the
/// total tells the account again and one that does not is silent.
pub fn invoice_ref(invoice: &Invoice) -> String {
    format!("{} {} {}", invoice.month, invoice.total, invoice.currency)
}

/// The languages mail is written in; anyone else reads English.
pub const MAIL_LANGUAGES: [&str; 2] = ["en", "ja"];

/// The language to write to someone in: the first of their choices that mail is written
/// in (a console preference first, then their own languages), else English.
pub fn mail_language<'a>(choices: impl IntoIterator<Item = &'a str>) -> &'static str {
    choices
        .into_iter()
        .find_map(|c| MAIL_LANGUAGES.into_iter().find(|l| *l == c))
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_names() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NoticeKind::parse("case.closed"), None);
    }

    #[test]
    fn customers_never_hear_of_breaches_and_staff_never_of_reminders() {
        for k in [NoticeKind::SlaWarning, NoticeKind::SlaBreach] {
            assert!(!k.audiences().contains(&Audience::Customers));
            assert!(!k.audiences().contains(&Audience::Cc));
        }
        assert!(
            !NoticeKind::PendingReminder
                .audiences()
                .contains(&Audience::Assignee)
        );
        assert!(!NoticeKind::SlaWarning.audiences().contains(&Audience::Tam));
        assert!(NoticeKind::SlaBreach.audiences().contains(&Audience::Tam));
    }

    #[test]
    fn topics_round_trip_and_every_audience_has_one_its_side_offers() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        let side = |a: Audience| match a {
            Audience::Customers | Audience::Cc => Side::Customer,
            _ => Side::Staff,
        };
        for k in NoticeKind::ALL {
            for a in k.audiences() {
                assert!(
                    Topic::for_side(side(*a)).contains(&k.topic(*a)),
                    "{k:?} {a:?}"
                );
            }
        }
        assert_eq!(
            NoticeKind::InvoiceReady.topic(Audience::Customers),
            Topic::Billing
        );
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn defaults_follow_the_role() {
        assert!(subscribed_by_default(None, Topic::CaseUpdates));
        assert!(!subscribed_by_default(None, Topic::SlaAlerts));
        assert!(subscribed_by_default(Some(Role::Agent), Topic::NewCases));
        assert!(!subscribed_by_default(Some(Role::Tam), Topic::NewCases));
        assert!(subscribed_by_default(Some(Role::Tam), Topic::SlaAlerts));
        assert!(subscribed_by_default(None, Topic::Billing));
        assert!(!subscribed_by_default(Some(Role::Agent), Topic::Billing));
    }

    #[test]
    fn language_is_the_first_choice_mail_is_written_in() {
        assert_eq!(mail_language(["fr", "ja", "en"]), "ja");
        assert_eq!(mail_language(["de"]), "en");
        assert_eq!(mail_language([]), "en");
    }
}
