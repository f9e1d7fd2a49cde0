//! Notices: what people are told of by mail, and who is told. A notice is written with the
//! event it reports (so none is lost and none is invented); the mail sender turns it into
//! mails, one per language its recipients read.

use crate::records::Role;

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
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::CaseOpened,
        NoticeKind::SupportReplied,
        NoticeKind::PendingReminder,
        NoticeKind::CaseResolved,
        NoticeKind::SlaWarning,
        NoticeKind::SlaBreach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::CaseOpened => "case.opened",
            NoticeKind::SupportReplied => "case.replied",
            NoticeKind::PendingReminder => "case.pending",
            NoticeKind::CaseResolved => "case.resolved",
            NoticeKind::SlaWarning => "sla.warning",
            NoticeKind::SlaBreach => "sla.breach",
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
        }
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
}

/// Whether a person is a customer or staff, for what they are subscribed to by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customer,
    Staff,
}

impl Topic {
    pub const ALL: [Topic; 3] = [Topic::CaseUpdates, Topic::NewCases, Topic::SlaAlerts];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::CaseUpdates => "case-updates",
            Topic::NewCases => "new-cases",
            Topic::SlaAlerts => "sla-alerts",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The topics a side may hear of.
    pub fn for_side(side: Side) -> &'static [Topic] {
        match side {
            Side::Customer => &[Topic::CaseUpdates],
            Side::Staff => &[Topic::NewCases, Topic::SlaAlerts],
        }
    }

    /// The topic of what an audience hears.
    pub fn of(audience: Audience) -> Topic {
        match audience {
            Audience::Customers | Audience::Cc => Topic::CaseUpdates,
            Audience::Linguists => Topic::NewCases,
            Audience::Assignee | Audience::Tam => Topic::SlaAlerts,
        }
    }
}

/// Whether someone who chose nothing hears of a topic by mail, by role (`None`: a
/// customer or an address copied on a case): customers hear of their cases; engineers of
/// new cases in their languages and of their cases' SLA; TAMs and admins of the SLA only
/// (they do not work the queue's new cases).
pub fn subscribed_by_default(role: Option<Role>, topic: Topic) -> bool {
    match (role, topic) {
        (None, t) => t == Topic::CaseUpdates,
        (Some(Role::Agent), t) => t != Topic::CaseUpdates,
        (Some(Role::Tam | Role::Admin), t) => t == Topic::SlaAlerts,
    }
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
        for (a, side) in [
            (Audience::Customers, Side::Customer),
            (Audience::Cc, Side::Customer),
            (Audience::Linguists, Side::Staff),
            (Audience::Assignee, Side::Staff),
            (Audience::Tam, Side::Staff),
        ] {
            assert!(Topic::for_side(side).contains(&Topic::of(a)), "{a:?}");
        }
    }

    #[test]
    fn defaults_follow_the_role() {
        assert!(subscribed_by_default(None, Topic::CaseUpdates));
        assert!(!subscribed_by_default(None, Topic::SlaAlerts));
        assert!(subscribed_by_default(Some(Role::Agent), Topic::NewCases));
        assert!(!subscribed_by_default(Some(Role::Tam), Topic::NewCases));
        assert!(subscribed_by_default(Some(Role::Tam), Topic::SlaAlerts));
    }

    #[test]
    fn language_is_the_first_choice_mail_is_written_in() {
        assert_eq!(mail_language(["fr", "ja", "en"]), "ja");
        assert_eq!(mail_language(["de"]), "en");
        assert_eq!(mail_language([]), "en");
    }
}
